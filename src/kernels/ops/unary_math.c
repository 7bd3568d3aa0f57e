/* SPDX-License-Identifier: Apache-2.0
 * Element-wise math on one tensor, as TensorFlow Lite's builtin kernels compute it in float: EXP,
 * LOG, SQRT, RSQRT (1 / sqrtf), SQUARE, SIN, COS, ABS, NEG, FLOOR, CEIL, ROUND (TFLite's
 * RoundToNearest), SIGN, HARD_SWISH, ELU (x < 0: expm1f(x)) and GELU (erf, or the tanh form when
 * approximate), with the libm single-precision
 * functions. TFLite's x86 build computes some of them with Eigen's vector functions, which agree
 * with libm bit for bit except on subnormals (flushed) and the sign of a zero. NEG and SIGN also take
 * int32, NEG int64 too; HARD_SWISH int8 and uint8 (hard_swish_q.c); ABS int8/int16, ELU int8, GELU
 * int8/uint8 (unary_q.c). Other quantized variants are refused with the dtype and version named. */
#include <math.h>

#include "eigen_math.h"
#include "kcommon.h"

typedef float (*f32_fn)(float);

static float f_exp(float x) { return expf(x); }
static float f_log(float x) { return logf(x); }
static float f_sqrt(float x) { return sqrtf(x); }
static float f_rsqrt(float x) { return 1.0f / sqrtf(x); }
static float f_square(float x) { return x * x; }
static float f_sin(float x) { return sinf(x); }
static float f_cos(float x) { return cosf(x); }
static float f_abs(float x) { return fabsf(x); }
static float f_neg(float x) { return -x; }
static float f_floor(float x) { return floorf(x); }
/* Eigen's ceil adds 0 or 1 to a rounded value, so -0.5 gives +0 */
static float f_ceil(float x) { return ceilf(x) + 0.0f; }
/* TFLite's RoundToNearest: halves to even, from floor (so -0.5 gives +0). */
static float f_round(float x) {
  const float fl = floorf(x), diff = x - fl;
  if (diff < 0.5f || (diff == 0.5f && fmodf(fl, 2.0f) == 0.0f)) return fl;
  return fl + 1.0f;
}
static float f_sign(float x) { return isnan(x) ? x : (float)((0.f < x) - (x < 0.f)); } /* NaN stays NaN */
/* TFLite's float HardSwish: x * relu6(x + 3) * (1/6), in that order. */
static float f_hard_swish(float x) {
  const float r = x + 3.0f, r6 = r < 0.f ? 0.f : (r > 6.f ? 6.f : r);
  return x * r6 * (1.0f / 6.0f);
}
static float f_elu(float x) { return x < 0.f ? expm1f(x) : x; }
/* GELU as TFLite's float kernel evaluates it, 0.5 x (1 + erf(x / sqrt 2)), with Eigen's erf (not
 * libm's); the approximate form with Eigen's tanh. */
static float f_gelu(float x) { return 0.5f * x * (1.0f + tl_eigen_erf(x * 0.70710678118654752440f)); }
static float f_gelu_tanh(float x) {
  return 0.5f * x * (1.0f + tl_eigen_tanh(0.79788456080286535588f * (x + 0.044715f * (x * x * x))));
}

typedef struct {
  f32_fn f;
} unary_state;

static tl_status eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const f32_fn f = ((const unary_state *)node->state)->f;
  const float *restrict in = node->in[0]->data;
  float *restrict out = node->out[0]->data;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) out[i] = f(in[i]);
  return TL_OK;
}

/* Integer forms: which op decides the formula; NEG wraps like two's complement (TFLite's -x on
 * INT_MIN is undefined in C++, and wraps on every target it runs on). */
#define INT_EVAL(name, T, UT)                                                         \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                                \
    (void)ctx;                                                                        \
    const T *restrict in = node->in[0]->data;                                         \
    T *restrict out = node->out[0]->data;                                             \
    const int64_t n = tl_numel(node->in[0]);                                          \
    const int op = node->op;                                                          \
    for (int64_t i = 0; i < n; i++) {                                                 \
      const T x = in[i];                                                              \
      if (op == TL_BUILTIN_NEG) out[i] = (T)(0 - (UT)x);                              \
      else if (op == TL_BUILTIN_ABS) out[i] = x < 0 ? (T)(0 - (UT)x) : x;             \
      else out[i] = (T)((0 < x) - (x < 0));                                           \
    }                                                                                 \
    return TL_OK;                                                                     \
  }
INT_EVAL(eval_i32, int32_t, uint32_t)
INT_EVAL(eval_i64, int64_t, uint64_t)

static tl_status prep(tl_kctx *ctx, tl_node *node, f32_fn f, int int32_ok, int int64_ok) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  if (in->type != out->type)
    return tl_kfail(ctx, node, "input is %s but output is %s", tl_type_name(in->type), tl_type_name(out->type));
  if ((s = tl_kset_shape(ctx, node, out, in->ndim, in->dims))) return s;
  if (in->type == TL_FLOAT32) {
    unary_state *st = tl_kpersist(ctx, sizeof *st);
    if (!st) return TL_ERR_NOMEM;
    st->f = f;
    node->state = st;
    node->eval = eval_f32;
    return TL_OK;
  }
  if ((in->type == TL_INT8 || in->type == TL_UINT8) && f == f_hard_swish) return tl_ref_hard_swish_q_prepare(ctx, node);
  if (in->type == TL_INT8 || in->type == TL_UINT8 || in->type == TL_INT16) return tl_ref_unary_q_prepare(ctx, node);
  if (in->type == TL_INT32 && int32_ok) return node->eval = eval_i32, TL_OK;
  if (in->type == TL_INT64 && int64_ok) return node->eval = eval_i64, TL_OK;
  return tl_kunsupported(ctx, node, "type %s (version %d)", tl_type_name(in->type), (int)node->version);
}

tl_status tl_prep_exp(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, f_exp, 0, 0); }
tl_status tl_prep_log(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, f_log, 0, 0); }
tl_status tl_prep_sqrt(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, f_sqrt, 0, 0); }
tl_status tl_prep_rsqrt(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, f_rsqrt, 0, 0); }
tl_status tl_prep_square(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, f_square, 0, 0); }
tl_status tl_prep_sin(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, f_sin, 0, 0); }
tl_status tl_prep_cos(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, f_cos, 0, 0); }
tl_status tl_prep_abs(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, f_abs, 0, 0); }
tl_status tl_prep_neg(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, f_neg, 1, 1); }
tl_status tl_prep_floor(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, f_floor, 0, 0); }
tl_status tl_prep_ceil(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, f_ceil, 0, 0); }
tl_status tl_prep_round(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, f_round, 0, 0); }
tl_status tl_prep_sign(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, f_sign, 1, 0); }
tl_status tl_prep_hard_swish(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, f_hard_swish, 0, 0); }
tl_status tl_prep_elu(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, f_elu, 0, 0); }
/* GeluOptions: approximate (0) */
tl_status tl_prep_gelu(tl_kctx *ctx, tl_node *node) {
  return prep(ctx, node, tl_gelu_approximate(kc_opts(node)) ? f_gelu_tanh : f_gelu, 0, 0);
}

/* SPDX-License-Identifier: Apache-2.0
 * MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD, REDUCE_ANY and REDUCE_ALL over the axes in the 2nd input (int32/int64, known at prepare; negative and
 * repeated axes allowed), ReducerOptions.keep_dims. Float accumulates in input order into the output,
 * like TFLite's reference reduction, then MEAN divides by the float count. Integer MEAN
 * (int8/uint8/int16) follows TFLite 2.9's three paths, see mean_eval_s8; int32/int64 MEAN, SUM and
 * REDUCE_PROD in integers; int8/uint8 SUM raw or rescaled, see sum_eval_s8. */
#include <float.h>

#include "../quant_math.h"
#include "kcommon.h"

typedef struct {
  int nd;
  int32_t dims[TL_MAX_DIMS];
  int64_t ostride[TL_MAX_DIMS]; /* output stride of each input dim, 0 where reduced */
  int64_t count;                /* input elements per output element */
  int32_t q[8];                 /* room for the integer kernels' parameters */
} reduce_state;

/* Visits every input element in order; fn(out_index, in_index). */
#define REDUCE_WALK(p, BODY)                                                  \
  do {                                                                        \
    const int nd_ = (p)->nd;                                                  \
    int64_t idx_[TL_MAX_DIMS] = {0}, oo = 0, ii = 0;                          \
    int empty_ = 0;                                                           \
    for (int k_ = 0; k_ < nd_; k_++) empty_ |= (p)->dims[k_] <= 0;            \
    if (!empty_)                                                              \
      for (;;) {                                                              \
        BODY;                                                                 \
        ii++;                                                                 \
        int k_ = nd_ - 1;                                                     \
        for (; k_ >= 0; k_--) {                                               \
          oo += (p)->ostride[k_];                                             \
          if (++idx_[k_] < (p)->dims[k_]) break;                              \
          oo -= (p)->ostride[k_] * (p)->dims[k_];                             \
          idx_[k_] = 0;                                                       \
        }                                                                     \
        if (k_ < 0) break;                                                    \
      }                                                                       \
  } while (0)

static tl_status sum_eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const reduce_state *p = node->state;
  const float *in = node->in[0]->data;
  float *out = node->out[0]->data;
  const int64_t n = tl_numel(node->out[0]);
  for (int64_t i = 0; i < n; i++) out[i] = 0.f;
  REDUCE_WALK(p, out[oo] += in[ii]);
  return TL_OK;
}

static tl_status mean_eval_f32(tl_kctx *ctx, tl_node *node) {
  sum_eval_f32(ctx, node);
  const reduce_state *p = node->state;
  float *out = node->out[0]->data;
  const int64_t n = tl_numel(node->out[0]);
  const float cnt = (float)p->count;
  for (int64_t i = 0; i < n; i++) out[i] = out[i] / cnt;
  return TL_OK;
}

/* REDUCE_MAX / REDUCE_MIN / REDUCE_PROD / REDUCE_ANY: TFLite's ReduceGeneric from the type's identity
 * (lowest / highest value, 1, false), in input order. Quantized inputs are reduced in their raw values
 * (max and min keep the input's quantization, which the output must share). */
#define REDUCE_EVAL(name, T, INIT, STEP)                                  \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                    \
    (void)ctx;                                                            \
    const reduce_state *p = node->state;                                  \
    const T *in = node->in[0]->data;                                      \
    T *out = node->out[0]->data;                                          \
    const int64_t n = tl_numel(node->out[0]);                             \
    for (int64_t i = 0; i < n; i++) out[i] = (INIT);                      \
    REDUCE_WALK(p, out[oo] = STEP(out[oo], in[ii]));                      \
    return TL_OK;                                                         \
  }
#define MAX_STEP(a, b) ((b) > (a) ? (b) : (a))
#define MIN_STEP(a, b) ((b) < (a) ? (b) : (a))
#define PROD_STEP(a, b) ((a) * (b))
#define ANY_STEP(a, b) (uint8_t)((a) || (b))
#define ALL_STEP(a, b) (uint8_t)((a) && (b))
REDUCE_EVAL(max_eval_f32, float, -FLT_MAX, MAX_STEP)
REDUCE_EVAL(max_eval_s8, int8_t, INT8_MIN, MAX_STEP)
REDUCE_EVAL(max_eval_u8, uint8_t, 0, MAX_STEP)
REDUCE_EVAL(max_eval_s16, int16_t, INT16_MIN, MAX_STEP)
REDUCE_EVAL(max_eval_s32, int32_t, INT32_MIN, MAX_STEP)
REDUCE_EVAL(max_eval_s64, int64_t, INT64_MIN, MAX_STEP)
REDUCE_EVAL(min_eval_f32, float, FLT_MAX, MIN_STEP)
REDUCE_EVAL(min_eval_s8, int8_t, INT8_MAX, MIN_STEP)
REDUCE_EVAL(min_eval_u8, uint8_t, UINT8_MAX, MIN_STEP)
REDUCE_EVAL(min_eval_s16, int16_t, INT16_MAX, MIN_STEP)
REDUCE_EVAL(min_eval_s32, int32_t, INT32_MAX, MIN_STEP)
REDUCE_EVAL(min_eval_s64, int64_t, INT64_MAX, MIN_STEP)
REDUCE_EVAL(prod_eval_f32, float, 1.f, PROD_STEP)
/* Integer sums and products wrap (TFLite's int arithmetic overflows the same way on every target). */
#define WSUM32(a, b) (int32_t)((uint32_t)(a) + (uint32_t)(b))
#define WSUM64(a, b) (int64_t)((uint64_t)(a) + (uint64_t)(b))
#define WSUM8(a, b) (int8_t)(uint8_t)((uint32_t)(a) + (uint32_t)(b))
#define WSUMU8(a, b) (uint8_t)((uint32_t)(a) + (uint32_t)(b))
#define WPROD32(a, b) (int32_t)((uint32_t)(a) * (uint32_t)(b))
#define WPROD64(a, b) (int64_t)((uint64_t)(a) * (uint64_t)(b))
REDUCE_EVAL(sum_eval_s32, int32_t, 0, WSUM32)
REDUCE_EVAL(sum_eval_s64, int64_t, 0, WSUM64)
REDUCE_EVAL(sum_eval_s8_raw, int8_t, 0, WSUM8)
REDUCE_EVAL(sum_eval_u8_raw, uint8_t, 0, WSUMU8)
REDUCE_EVAL(prod_eval_s32, int32_t, 1, WPROD32)
REDUCE_EVAL(prod_eval_s64, int64_t, 1, WPROD64)

/* MEAN of int32/int64 (reference_ops::Mean): an int64 sum divided by the count, truncated. */
#define MEAN_INT(name, T)                                                        \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                           \
    (void)ctx;                                                                   \
    const reduce_state *p = node->state;                                         \
    const T *in = node->in[0]->data;                                             \
    T *out = node->out[0]->data;                                                 \
    int64_t *restrict sum = node->scratch;                                       \
    const int64_t n = tl_numel(node->out[0]);                                    \
    for (int64_t i = 0; i < n; i++) sum[i] = 0;                                  \
    REDUCE_WALK(p, sum[oo] = WSUM64(sum[oo], in[ii]));                           \
    for (int64_t i = 0; i < n; i++) out[i] = p->count > 0 ? (T)(sum[i] / p->count) : 0; \
    return TL_OK;                                                                \
  }
MEAN_INT(mean_eval_s32, int32_t)
MEAN_INT(mean_eval_s64, int64_t)

/* SUM of int8/uint8 on other output parameters (QuantizedMeanOrSum with compute_sum): the raw int32
 * sum rescaled in float, rounded, plus the output zero point, then cast to the type (no clamp, as
 * TFLite). */
#define SUM_Q(name, T)                                                                          \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                                          \
    (void)ctx;                                                                                  \
    const reduce_state *p = node->state;                                                        \
    const tl_tensor *it = node->in[0], *ot = node->out[0];                                      \
    const T *in = it->data;                                                                     \
    T *out = ot->data;                                                                          \
    int32_t *restrict sum = node->scratch;                                                      \
    const int64_t n = tl_numel(ot);                                                             \
    for (int64_t i = 0; i < n; i++) sum[i] = 0;                                                 \
    REDUCE_WALK(p, sum[oo] = WSUM32(sum[oo], in[ii]));                                          \
    const float scale = it->scale / ot->scale;                                                  \
    const float bias = (float)-it->zero_point * scale * (float)p->count;                        \
    for (int64_t i = 0; i < n && p->count > 0; i++)                                             \
      out[i] = (T)(uint32_t)((uint32_t)tl_f2i32((double)tl_roundf((float)sum[i] * scale + bias)) + (uint32_t)ot->zero_point); \
    return TL_OK;                                                                               \
  }
SUM_Q(sum_eval_s8, int8_t)
SUM_Q(sum_eval_u8, uint8_t)
REDUCE_EVAL(any_eval_bool, uint8_t, 0, ANY_STEP)
REDUCE_EVAL(all_eval_bool, uint8_t, 1, ALL_STEP)

/* The eval of op 2 (max), 3 (min), 4 (prod), 5 (any), 6 (all) for the input type; NULL when there is none. */
static tl_eval_fn generic_eval(int op, int type) {
  static const struct {
    int op, type;
    tl_eval_fn fn;
  } table[] = {{2, TL_FLOAT32, max_eval_f32}, {2, TL_INT8, max_eval_s8},   {2, TL_UINT8, max_eval_u8},
               {2, TL_INT16, max_eval_s16},   {2, TL_INT32, max_eval_s32}, {2, TL_INT64, max_eval_s64},
               {3, TL_FLOAT32, min_eval_f32}, {3, TL_INT8, min_eval_s8},   {3, TL_UINT8, min_eval_u8},
               {3, TL_INT16, min_eval_s16},   {3, TL_INT32, min_eval_s32}, {3, TL_INT64, min_eval_s64},
               {4, TL_FLOAT32, prod_eval_f32}, {4, TL_INT32, prod_eval_s32}, {4, TL_INT64, prod_eval_s64},
               {5, TL_BOOL, any_eval_bool},   {6, TL_BOOL, all_eval_bool}};
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (table[i].op == op && table[i].type == type) return table[i].fn;
  return NULL;
}

/* Integer MEAN, as TFLite 2.9's reduce.cc picks it on x86 (Register_MEAN is the reference kernel unless
 * built with NEON). q[0] selects the path:
 *  MEAN_HW:    keep_dims, rank 4, axes literally {1,2} or {2,1}: reference_integer_ops::Mean for int8/int16
 *              (sum of q - zp_in, requantize by s_in/s_out, divide by the count rounding away from zero)
 *              and reference_ops::Mean for uint8 (requantize the raw sum by s_in/(count*s_out), then a
 *              bias zp_out - trunc(zp_in*s_in/s_out)).
 *  MEAN_SAME:  same scale and zero point in and out: raw int32 sum / count, truncated toward zero.
 *  MEAN_FLOAT: otherwise QuantizedMeanOrSum: float mean of the raw values, rescaled and rounded in float.
 * q[1..3] multiplier, shift, bias. */
enum { MEAN_HW = 1, MEAN_SAME = 2, MEAN_FLOAT = 3 };

#define MEAN_Q(name, T, QMIN, QMAX)                                                                \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                                             \
    (void)ctx;                                                                                     \
    const reduce_state *p = node->state;                                                           \
    const tl_tensor *it = node->in[0], *ot = node->out[0];                                         \
    const T *in = it->data;                                                                        \
    T *out = ot->data;                                                                             \
    int32_t *restrict sum = node->scratch;                                                         \
    const int64_t n = tl_numel(ot);                                                                \
    const int32_t zi = it->zero_point, zo = ot->zero_point;                                        \
    const int mode = p->q[0];                                                                      \
    const int32_t sub = mode == MEAN_HW && it->type != TL_UINT8 ? zi : 0;                          \
    for (int64_t i = 0; i < n; i++) sum[i] = 0;                                                    \
    REDUCE_WALK(p, sum[oo] += (int32_t)in[ii] - sub);                                              \
    const int32_t cnt = (int32_t)p->count;                                                         \
    for (int64_t i = 0; i < n; i++) {                                                              \
      int32_t r;                                                                                   \
      if (cnt <= 0) {                                                                              \
        r = 0;                                                                                     \
      } else if (mode == MEAN_HW && it->type == TL_UINT8) {                                        \
        r = tl_mbqm(sum[i], p->q[1], p->q[2]) + p->q[3];                                           \
      } else if (mode == MEAN_HW) {                                                                \
        int32_t a = tl_mbqm(sum[i], p->q[1], p->q[2]);                                             \
        a = a > 0 ? (a + cnt / 2) / cnt : (a - cnt / 2) / cnt;                                     \
        r = a + zo;                                                                                \
      } else if (mode == MEAN_SAME) {                                                              \
        r = sum[i] / cnt;                                                                          \
      } else {                                                                                     \
        const float scale = it->scale / ot->scale;                                                 \
        const float bias = (float)-zi * scale;                                                     \
        const float mean = (float)sum[i] / (float)cnt;                                             \
        float f = tl_roundf(mean * scale + bias) + (float)zo;                                      \
        f = f < (float)(QMAX) ? f : (float)(QMAX);                                                 \
        f = f > (float)(QMIN) ? f : (float)(QMIN);                                                 \
        r = (int32_t)f;                                                                            \
      }                                                                                            \
      out[i] = (T)(r < (QMIN) ? (QMIN) : (r > (QMAX) ? (QMAX) : r));                               \
    }                                                                                              \
    return TL_OK;                                                                                  \
  }
MEAN_Q(mean_eval_s8, int8_t, -128, 127)
MEAN_Q(mean_eval_u8, uint8_t, 0, 255)
MEAN_Q(mean_eval_s16, int16_t, -32768, 32767)

/* Chooses the integer MEAN path and precomputes its constants (see above). */
static tl_status mean_prep_q(tl_kctx *ctx, tl_node *node, reduce_state *p) {
  const tl_tensor *in = node->in[0], *ax = node->in[1], *out = node->out[0];
  char msg[200];
  if (in->qcount != 1 || out->qcount != 1) return tl_kfail(ctx, node, "input and output need per-tensor quantization");
  if (!tl_check_quant(in, msg, sizeof msg) || !tl_check_quant(out, msg, sizeof msg)) return tl_kfail(ctx, node, "%s", msg);
  if (p->count > (int64_t)1 << 16) return tl_kunsupported(ctx, node, "mean over %lld values", (long long)p->count);
  const int keep = tl_reducer_keep_dims(kc_opts(node));
  const int64_t na = tl_numel(ax);
  /* TFLite tests the axes as written (no normalisation of negative values). */
  const int hw = keep && in->ndim == 4 && na == 2 &&
                 ((kc_ival(ax, 0) == 1 && kc_ival(ax, 1) == 2) || (kc_ival(ax, 0) == 2 && kc_ival(ax, 1) == 1));
  tl_status s;
  if ((s = tl_kscratch(ctx, node, (size_t)tl_numel(out) * sizeof(int32_t)))) return s;
  if (hw && in->type == TL_UINT8) {
    const int32_t cnt = (int32_t)p->count;
    p->q[0] = MEAN_HW;
    /* zp_in * s_in / s_out in float, rounded half away from zero by +-0.5 and truncation. */
    float t = (float)in->zero_point * in->scale / out->scale;
    t = t > 0 ? t + 0.5f : t - 0.5f;
    p->q[3] = out->zero_point - tl_f2i32((double)t);
    const double real = (double)(in->scale / ((float)cnt * out->scale));
    if (tl_quantize_multiplier(real, &p->q[1], &p->q[2])) return tl_kfail(ctx, node, "mean multiplier %g", real);
  } else if (hw) {
    p->q[0] = MEAN_HW;
    const double real = (double)in->scale / (double)out->scale;
    if (tl_quantize_multiplier(real, &p->q[1], &p->q[2])) return tl_kfail(ctx, node, "mean multiplier %g", real);
  } else if (in->scale == out->scale && in->zero_point == out->zero_point) {
    p->q[0] = MEAN_SAME;
  } else {
    p->q[0] = MEAN_FLOAT;
  }
  node->eval = in->type == TL_INT8 ? mean_eval_s8 : in->type == TL_UINT8 ? mean_eval_u8 : mean_eval_s16;
  return TL_OK;
}

static tl_status prep(tl_kctx *ctx, tl_node *node, int op) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0], *ax = node->in[1];
  tl_tensor *out = node->out[0];
  if (in->type != out->type) return tl_kfail(ctx, node, "input and output types differ");
  if (!kc_is_index_type(ax->type)) return tl_kfail(ctx, node, "axes must be int32 or int64");
  if (ax->ndim > 1) return tl_kfail(ctx, node, "axes must be a scalar or a vector");
  if (!ax->known) return tl_kdefer(ctx, node, "axes not known at prepare (dynamic shape)");
  const int rank = in->ndim;
  int red[TL_MAX_DIMS] = {0};
  const int64_t na = tl_numel(ax);
  for (int64_t i = 0; i < na; i++) {
    int a;
    if (!kc_axis(kc_ival(ax, i), rank, &a))
      return tl_kfail(ctx, node, "axis %lld out of range for rank %d", (long long)kc_ival(ax, i), rank);
    red[a] = 1;
  }
  const int keep = tl_reducer_keep_dims(kc_opts(node));
  reduce_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  int32_t od[TL_MAX_DIMS];
  int ond = 0;
  p->count = 1;
  for (int i = 0; i < rank; i++) {
    if (red[i]) {
      p->count *= in->dims[i];
      if (keep) od[ond++] = 1;
    } else {
      od[ond++] = in->dims[i];
    }
  }
  if ((s = tl_kset_shape(ctx, node, out, ond, od))) return s;
  int64_t r = 1;
  for (int i = rank - 1; i >= 0; i--) {
    p->dims[i] = in->dims[i];
    p->ostride[i] = red[i] ? 0 : r;
    if (!red[i]) r *= in->dims[i];
  }
  p->nd = rank;
  node->state = p;
  if (op == 0 && (in->type == TL_INT8 || in->type == TL_UINT8 || in->type == TL_INT16)) return mean_prep_q(ctx, node, p);
  if (op >= 2) {
    if (!(node->eval = generic_eval(op, in->type)))
      return tl_kunsupported(ctx, node, "type %s (version %d)", tl_type_name(in->type), (int)node->version);
    if ((op == 2 || op == 3) && in->qcount && (in->scale != out->scale || in->zero_point != out->zero_point))
      return tl_kunsupported(ctx, node, "requantizing %s input (output scale or zero point differs)", tl_type_name(in->type));
    return TL_OK;
  }
  if (in->type == TL_INT32 || in->type == TL_INT64) {
    if (op == 1) return node->eval = in->type == TL_INT32 ? sum_eval_s32 : sum_eval_s64, TL_OK;
    node->eval = in->type == TL_INT32 ? mean_eval_s32 : mean_eval_s64;
    return tl_kscratch(ctx, node, (size_t)tl_numel(out) * sizeof(int64_t));
  }
  if (op == 1 && (in->type == TL_INT8 || in->type == TL_UINT8)) {
    char msg[200];
    if (in->qcount != 1 || out->qcount != 1 || !tl_check_quant(in, msg, sizeof msg) || !tl_check_quant(out, msg, sizeof msg))
      return tl_kfail(ctx, node, "quantized SUM needs per-tensor quantization");
    if (in->scale == out->scale && in->zero_point == out->zero_point) /* TFLite sums the raw values then */
      return node->eval = in->type == TL_INT8 ? sum_eval_s8_raw : sum_eval_u8_raw, TL_OK;
    node->eval = in->type == TL_INT8 ? sum_eval_s8 : sum_eval_u8;
    return tl_kscratch(ctx, node, (size_t)tl_numel(out) * sizeof(int32_t));
  }
  if (in->type != TL_FLOAT32) return tl_kunsupported(ctx, node, "type %s (version %d)", tl_type_name(in->type), (int)node->version);
  node->eval = op == 0 ? mean_eval_f32 : sum_eval_f32;
  return TL_OK;
}

tl_status tl_prep_mean(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 0); }
tl_status tl_prep_sum(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 1); }
tl_status tl_prep_reduce_max(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 2); }
tl_status tl_prep_reduce_min(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 3); }
tl_status tl_prep_reduce_prod(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 4); }
tl_status tl_prep_reduce_any(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 5); }
tl_status tl_prep_reduce_all(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 6); }

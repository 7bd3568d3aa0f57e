/* SPDX-License-Identifier: Apache-2.0
 * FLOOR_DIV, FLOOR_MOD, SQUARED_DIFFERENCE and POW with numpy broadcasting, as TFLite's builtin
 * kernels compute them: FLOOR_DIV floor(double(x) / double(y)) for float32 and int32, FLOOR_MOD the
 * truncated remainder (fmod for float) moved to the divisor's sign for int32, int64 and float32,
 * SQUARED_DIFFERENCE (x - y)^2 for float32 and int32 (int8 in TFLite's fixed point: both inputs
 * rescaled to twice the larger input scale with 7 bits of headroom, the difference squared in int32,
 * then rescaled to the output), POW powf for float32 and pow in double for
 * int32. An integer zero divisor and a negative int32 exponent are run-time errors, as in TFLite. */
#include <math.h>

#include "../quant_math.h"
#include "binary.h"

static inline int32_t floordiv_i32(int32_t x, int32_t y) { return tl_f2i32(floor((double)x / (double)y)); }
static inline float floordiv_f32(float x, float y) { return (float)floor((double)x / (double)y); }
#define FLOORMOD_INT(T, x, y)                                                          \
  ((y) == -1 ? (T)0 : ((x) % (y) != 0 && (((y) < 0) != ((x) % (y) < 0)) ? (x) % (y) + (y) : (x) % (y)))
static inline float floormod_f32(float x, float y) {
  const float m = fmodf(x, y);
  return m != 0 && ((y < 0) != (m < 0)) ? m + y : m;
}
/* TFLite 2.9 takes std::pow in double and converts: x86's INT32_MIN where the power leaves int32. */
static inline int32_t ipow_i32(int32_t base, int32_t e) { return tl_f2i32(pow((double)base, (double)e)); }

TL_BINARY_ROW(floordiv_row_f32, float, floordiv_f32(x, y), TL_NO_CLAMP)
TL_BINARY_ROW(floordiv_row_i32, int32_t, floordiv_i32(x, y), TL_NO_CLAMP)
TL_BINARY_ROW(floormod_row_f32, float, floormod_f32(x, y), TL_NO_CLAMP)
TL_BINARY_ROW(floormod_row_i32, int32_t, FLOORMOD_INT(int32_t, x, y), TL_NO_CLAMP)
TL_BINARY_ROW(floormod_row_i64, int64_t, FLOORMOD_INT(int64_t, x, y), TL_NO_CLAMP)
TL_BINARY_ROW(sqdiff_row_f32, float, (x - y) * (x - y), TL_NO_CLAMP)
TL_BINARY_ROW(sqdiff_row_i32, int32_t, (int32_t)(((uint32_t)x - (uint32_t)y) * ((uint32_t)x - (uint32_t)y)), TL_NO_CLAMP)
/* q: input offsets 0-1, output offset 2, input multipliers/shifts 3-6, output multiplier/shift 7-8. */
static inline int8_t sqdiff_s8(int8_t x, int8_t y, const int32_t *q) {
  const int32_t a = tl_mbqm_lt1((q[0] + x) * (1 << 7), q[3], q[4]), b = tl_mbqm_lt1((q[1] + y) * (1 << 7), q[5], q[6]);
  const int32_t r = tl_mbqm_lt1((a - b) * (a - b), q[7], q[8]) + q[2];
  return (int8_t)(r < -128 ? -128 : r > 127 ? 127 : r);
}
TL_BINARY_ROW(sqdiff_row_s8, int8_t, sqdiff_s8(x, y, p->q), TL_NO_CLAMP)
TL_BINARY_ROW(pow_row_f32, float, powf(x, y), TL_NO_CLAMP)
TL_BINARY_ROW(pow_row_i32, int32_t, ipow_i32(x, y), TL_NO_CLAMP)

typedef struct {
  tl_binary_state b;
  tl_bcast_row_fn row;
  size_t esize;
  int check; /* 1: a zero divisor is an error; 2: a negative exponent is */
} bm_state;

static tl_status bm_eval(tl_kctx *ctx, tl_node *node) {
  const bm_state *p = node->state;
  const tl_tensor *y = node->in[1];
  const int64_t n = tl_numel(y);
  for (int64_t i = 0; p->check && i < n; i++) {
    const int64_t v = y->type == TL_INT64 ? ((const int64_t *)y->data)[i] : ((const int32_t *)y->data)[i];
    if (p->check == 1 && v == 0) return tl_kruntime(ctx, node, "integer division by zero");
    if (p->check == 2 && v < 0) return tl_kruntime(ctx, node, "negative integer exponent %lld", (long long)v);
  }
  tl_ref_bcast_run(&p->b.bc, p->esize, p->esize, node->in[0]->data, y->data, node->out[0]->data, p->row, &p->b);
  return TL_OK;
}

/* rows: float32, int32, int64 variants (NULL where TFLite has none); int_check as bm_state.check. */
static tl_status prep(tl_kctx *ctx, tl_node *node, tl_bcast_row_fn f32, tl_bcast_row_fn i32, tl_bcast_row_fn i64,
                      int int_check) {
  tl_binary_state *b;
  tl_status s = tl_ref_binary_prepare(ctx, node, 0, &b);
  if (s) return s;
  bm_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->b = *b;
  const int t = node->in[0]->type;
  p->row = t == TL_FLOAT32 ? f32 : t == TL_INT32 ? i32 : t == TL_INT64 ? i64 : NULL;
  if (!p->row) return tl_kunsupported(ctx, node, "type %s (version %d)", tl_type_name(t), (int)node->version);
  p->esize = kc_esize(t);
  p->check = t == TL_FLOAT32 ? 0 : int_check;
  node->state = p;
  node->eval = bm_eval;
  return TL_OK;
}

tl_status tl_prep_floor_div(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, floordiv_row_f32, floordiv_row_i32, NULL, 1); }
tl_status tl_prep_floor_mod(tl_kctx *ctx, tl_node *node) {
  return prep(ctx, node, floormod_row_f32, floormod_row_i32, floormod_row_i64, 1);
}
/* squared_difference.cc Prepare for int8: scales as float, ratios in double. */
static tl_status prep_sqdiff_s8(tl_kctx *ctx, tl_node *node) {
  tl_binary_state *b;
  tl_status s = tl_ref_binary_prepare(ctx, node, 0, &b);
  if (s) return s;
  const tl_tensor *x = node->in[0], *y = node->in[1], *o = node->out[0];
  char msg[200];
  for (int i = 0; i < 3; i++) {
    const tl_tensor *t = i == 0 ? x : i == 1 ? y : o;
    if (t->qcount != 1 || !tl_check_quant(t, msg, sizeof msg) || t->zero_point < -128 || t->zero_point > 127)
      return tl_kfail(ctx, node, "int8 tensors need per-tensor quantization with an int8 zero point");
  }
  bm_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->b = *b;
  int32_t *q = p->b.q;
  q[0] = -x->zero_point, q[1] = -y->zero_point, q[2] = o->zero_point;
  const double twice_max = 2.0 * (double)(x->scale > y->scale ? x->scale : y->scale);
  const double m1 = x->scale / twice_max, m2 = y->scale / twice_max,
               mo = twice_max * twice_max / (double)((float)(1 << 14) * o->scale);
  if (tl_quantize_multiplier_lt1(m1, &q[3], &q[4]) || tl_quantize_multiplier_lt1(m2, &q[5], &q[6]) ||
      tl_quantize_multiplier_lt1(mo, &q[7], &q[8]))
    return tl_kfail(ctx, node, "rescale multipliers cannot be represented");
  p->row = sqdiff_row_s8;
  p->esize = 1;
  node->state = p;
  node->eval = bm_eval;
  return TL_OK;
}

tl_status tl_prep_squared_difference(tl_kctx *ctx, tl_node *node) {
  if (node->n_in == 2 && node->in[0] && node->in[0]->type == TL_INT8) return prep_sqdiff_s8(ctx, node);
  return prep(ctx, node, sqdiff_row_f32, sqdiff_row_i32, NULL, 0);
}
tl_status tl_prep_pow(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, pow_row_f32, pow_row_i32, NULL, 2); }

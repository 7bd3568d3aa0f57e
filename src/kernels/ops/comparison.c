/* SPDX-License-Identifier: Apache-2.0
 * EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER, GREATER_EQUAL with numpy broadcasting, to a BOOL
 * output: float32, int32, int64, bool (EQUAL / NOT_EQUAL only) and quantized int8/uint8, which TFLite
 * compares after its ComparisonWithScaling: (q - zero_point) << 8, times each input's own scale as a
 * fixed-point multiplier (QuantizeMultiplierSmallerThanOneExp, so a scale >= 1 is refused, where
 * TFLite would abort). */
#include "../quant_math.h"
#include "kcommon.h"

enum { EQ, NE, LT, LE, GT, GE };

typedef struct {
  tl_bcast bc;
  int cmp;
  int32_t off[2], mult[2], shift[2]; /* quantized inputs: -zero_point, scale as multiplier and shift */
  tl_bcast_row_fn row;
  size_t esize;
} cmp_state;

#define CMP(c, x, y)                                                                              \
  ((c) == EQ ? (x) == (y) : (c) == NE ? (x) != (y) : (c) == LT ? (x) < (y) : (c) == LE ? (x) <= (y) \
   : (c) == GT ? (x) > (y) : (x) >= (y))

/* A row of n comparisons, inputs advancing by sa / sb (0 or 1); VAL maps a raw element to the value
 * compared. */
#define CMP_ROW(name, T, V, VAL)                                                                  \
  static void name(int64_t n, const void *a_, int64_t sa, const void *b_, int64_t sb, void *o_,     \
                   const void *p_) {                                                              \
    const T *a = a_, *b = b_;                                                                     \
    uint8_t *o = o_;                                                                              \
    const cmp_state *p = p_;                                                                      \
    const int c = p->cmp;                                                                         \
    (void)p;                                                                                      \
    for (int64_t i = 0; i < n; i++) {                                                             \
      const V x = VAL(a[i * sa], 0), y = VAL(b[i * sb], 1);                                       \
      o[i] = (uint8_t)CMP(c, x, y);                                                               \
    }                                                                                             \
  }
#define RAW(v, k) (v)
/* ComparisonWithScaling: the offset value shifted left by 8 (it fits: |q - zp| < 2^9), then scaled. */
#define SCALED(v, k) tl_mbqm_lt1(((int32_t)(v) + p->off[k]) * 256, p->mult[k], p->shift[k])
CMP_ROW(row_f32, float, float, RAW)
CMP_ROW(row_i32, int32_t, int32_t, RAW)
CMP_ROW(row_i64, int64_t, int64_t, RAW)
CMP_ROW(row_bool, uint8_t, int, RAW)
CMP_ROW(row_s8, int8_t, int32_t, SCALED)
CMP_ROW(row_u8, uint8_t, int32_t, SCALED)

static tl_status cmp_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const cmp_state *p = node->state;
  tl_ref_bcast_run(&p->bc, p->esize, 1, node->in[0]->data, node->in[1]->data, node->out[0]->data, p->row, p);
  return TL_OK;
}

static tl_status prep(tl_kctx *ctx, tl_node *node, int cmp) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *a = node->in[0], *b = node->in[1];
  tl_tensor *out = node->out[0];
  if (a->type != b->type)
    return tl_kfail(ctx, node, "inputs are %s and %s: they must have one type", tl_type_name(a->type), tl_type_name(b->type));
  if (out->type != TL_BOOL) return tl_kfail(ctx, node, "output is %s, not BOOL", tl_type_name(out->type));
  if (a->ndim > 6 || b->ndim > 6) return tl_kunsupported(ctx, node, "broadcasting beyond 6 dims");
  cmp_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->cmp = cmp;
  switch (a->type) {
    case TL_FLOAT32: p->row = row_f32; break;
    case TL_INT32: p->row = row_i32; break;
    case TL_INT64: p->row = row_i64; break;
    case TL_BOOL:
      if (cmp != EQ && cmp != NE) return tl_kunsupported(ctx, node, "type BOOL (only EQUAL and NOT_EQUAL take it)");
      p->row = row_bool;
      break;
    case TL_INT8:
    case TL_UINT8: {
      const tl_tensor *in[2] = {a, b};
      for (int k = 0; k < 2; k++) {
        if (in[k]->qcount != 1)
          return tl_kfail(ctx, node, "quantized input %d needs per-tensor quantization", k);
        int shift;
        if (!(in[k]->scale > 0) || tl_quantize_multiplier_lt1((double)in[k]->scale, &p->mult[k], &shift))
          return tl_kfail(ctx, node, "input %d scale %g: TFLite compares quantized values only for scales in (0, 1)", k,
                          (double)in[k]->scale);
        p->shift[k] = shift;
        p->off[k] = -in[k]->zero_point;
      }
      p->row = a->type == TL_INT8 ? row_s8 : row_u8;
      break;
    }
    default: return tl_kunsupported(ctx, node, "type %s (version %d)", tl_type_name(a->type), (int)node->version);
  }
  p->esize = kc_esize(a->type);
  if ((s = tl_ref_bcast_prepare(ctx, node, a, b, out, &p->bc))) return s;
  node->state = p;
  node->eval = cmp_eval;
  return TL_OK;
}

tl_status tl_prep_equal(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, EQ); }
tl_status tl_prep_not_equal(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, NE); }
tl_status tl_prep_less(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, LT); }
tl_status tl_prep_less_equal(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, LE); }
tl_status tl_prep_greater(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, GT); }
tl_status tl_prep_greater_equal(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, GE); }

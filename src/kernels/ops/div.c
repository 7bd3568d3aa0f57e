/* SPDX-License-Identifier: Apache-2.0
 * DIV with numpy broadcasting (up to 6-D) and a fused clamp activation: float32 (x/0 gives inf or
 * NaN, as in TFLite), int32 (a zero divisor is refused at run time) and uint8 as TFLite's
 * reference_ops::Div: the divisor's fixed-point reciprocal, the dividend scaled up to its headroom,
 * one rescale to the output (a zero divisor is refused at run time; TFLite only DCHECKs it). */
#include "../quant_math.h"
#include "binary.h"

TL_BINARY_ROW(div_row_f32, float, x / y, TL_CLAMP_F32)

static tl_status div_eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const tl_binary_state *p = node->state;
  tl_ref_bcast_run(&p->bc, 4, 4, node->in[0]->data, node->in[1]->data, node->out[0]->data, div_row_f32, p);
  return TL_OK;
}

static inline uint8_t div_u8(uint8_t a, uint8_t b, const int32_t *q) {
  const int32_t x = q[0] + a, y = q[1] + b;
  int recip_shift;
  const int32_t inv = y > 0 ? tl_reciprocal(y, 31, &recip_shift) : -tl_reciprocal(-y, 31, &recip_shift);
  const int headroom = x ? __builtin_clrsb(x) : 31;
  const int32_t unscaled = tl_mbqm_gt1(x, inv, headroom);
  const int total = q[4] - recip_shift - headroom;
  const int32_t r = q[2] + tl_rdbpot(tl_srdhm(unscaled, q[3]), total < 0 ? -total : 0);
  return (uint8_t)(r < q[5] ? q[5] : r > q[6] ? q[6] : r);
}
TL_BINARY_ROW(div_row_u8, uint8_t, div_u8(x, y, p->q), TL_NO_CLAMP)

/* TFLite's int32 DIV rounds toward zero (C division); a zero divisor is a run-time error here, and
 * INT32_MIN / -1 wraps instead of trapping. */
static void div_row_i32(int64_t n, const void *a_, int64_t sa, const void *b_, int64_t sb, void *o_, const void *p_) {
  (void)p_;
  const int32_t *a = a_, *b = b_;
  int32_t *o = o_;
  for (int64_t i = 0; i < n; i++) {
    int32_t x = a[i * sa], y = b[i * sb];
    o[i] = (y == -1) ? (int32_t)(0u - (uint32_t)x) : x / y;
  }
}

static tl_status div_eval_i32(tl_kctx *ctx, tl_node *node) {
  const tl_tensor *b = node->in[1];
  const int32_t *bd = b->data;
  const int64_t nb = tl_numel(b);
  for (int64_t i = 0; i < nb; i++)
    if (bd[i] == 0) return tl_kruntime(ctx, node, "integer division by zero");
  const tl_binary_state *p = node->state;
  tl_ref_bcast_run(&p->bc, 4, 4, node->in[0]->data, bd, node->out[0]->data, div_row_i32, p);
  return TL_OK;
}

/* q: input offsets 0-1, output offset 2, multiplier 3, shift 4, activation range 5-6. */
static tl_status div_eval_u8(tl_kctx *ctx, tl_node *node) {
  const tl_binary_state *p = node->state;
  const uint8_t *b = node->in[1]->data;
  for (int64_t i = 0; i < tl_numel(node->in[1]); i++)
    if ((int32_t)b[i] + p->q[1] == 0) return tl_kruntime(ctx, node, "quantized division by zero");
  tl_ref_bcast_run(&p->bc, 1, 1, node->in[0]->data, b, node->out[0]->data, div_row_u8, p);
  return TL_OK;
}


tl_status tl_prep_div(tl_kctx *ctx, tl_node *node) {
  tl_binary_state *p;
  tl_status s = tl_ref_binary_prepare(ctx, node, 1, &p);
  if (s) return s;
  switch (node->in[0]->type) {
    case TL_FLOAT32: node->eval = div_eval_f32; return TL_OK;
    case TL_INT32:
      if (p->act != TL_TFL_ACT_NONE) return tl_kunsupported(ctx, node, "int32 with a fused activation");
      node->eval = div_eval_i32;
      return TL_OK;
    case TL_UINT8: {
      const tl_tensor *x = node->in[0], *y = node->in[1], *o = node->out[0];
      if (x->qcount != 1 || y->qcount != 1 || o->qcount != 1 || !(y->scale > 0) || !(o->scale > 0))
        return tl_kfail(ctx, node, "uint8 DIV needs per-tensor quantization");
      p->q[0] = -x->zero_point, p->q[1] = -y->zero_point, p->q[2] = o->zero_point;
      const float m = x->scale / (y->scale * o->scale); /* in float, as TFLite */
      if (tl_quantize_multiplier((double)m, &p->q[3], &p->q[4]))
        return tl_kfail(ctx, node, "rescale %g cannot be represented", (double)m);
      tl_act_range_q(p->act, o->scale, o->zero_point, 0, 255, &p->q[5], &p->q[6]);
      node->eval = div_eval_u8;
      return TL_OK;
    }
    default: return tl_kunsupported(ctx, node, "type %s", tl_type_name(node->in[0]->type));
  }
}

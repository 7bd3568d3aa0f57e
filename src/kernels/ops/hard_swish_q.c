/* SPDX-License-Identifier: Apache-2.0
 * Quantized HARD_SWISH (int8, uint8) in TensorFlow Lite's int16 fixed-point pipeline (its
 * reference_ops::HardSwish): the input moved to a "high resolution" scale (x - zp) << 7, a relu-ish
 * factor in [0, 1] from x rescaled so that 3.0 is 32768 (saturating), and the product on the output
 * scale, with gemmlowp's int16 rounding rules and TFLite's choice of a non-rounding final multiply. */
#include "../quant_math.h"
#include "kcommon.h"

typedef struct {
  int32_t in_zp, out_zp, qmin, qmax;
  int16_t out_mult, relu_mult;
  int out_exp, relu_exp;
} hs_state;

static int16_t srdhm16(int16_t a, int16_t b) { /* gemmlowp SaturatingRoundingDoublingHighMul, int16 */
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  const int32_t ab = (int32_t)a * b, nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return (int16_t)((ab + nudge) / (1 << 15));
}
static int16_t sdhm16(int16_t a, int16_t b) { /* SaturatingDoublingHighMul: truncating */
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  return (int16_t)(((int32_t)a * b) / (1 << 15));
}
static int16_t sat_shl16(int16_t v, int amount) {
  const int32_t r = (int32_t)v * (1 << amount);
  return (int16_t)(r > INT16_MAX ? INT16_MAX : r < INT16_MIN ? INT16_MIN : r);
}
static int16_t rdbpot16(int16_t x, int e) { /* gemmlowp RoundingDivideByPOT */
  const int32_t mask = (1 << e) - 1, rem = x & mask, threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (int16_t)((x >> e) + (rem > threshold ? 1 : 0));
}

static int32_t hard_swish_one(const hs_state *p, int32_t q) {
  const int16_t in = (int16_t)(q - p->in_zp), hires = (int16_t)(in * (1 << 7));
  const int16_t preshift = srdhm16(hires, p->out_mult);
  int16_t r = hires;
  if (p->relu_exp > 0) r = sat_shl16(r, p->relu_exp - 1);
  r = srdhm16(r, p->relu_mult);
  if (p->relu_exp > 0) r = sat_shl16(r, 1);
  if (p->relu_exp < 0) r = rdbpot16(r, -p->relu_exp);
  r = (int16_t)((r + (1 << 15)) >> 1);
  int32_t out = rdbpot16(sdhm16(r, preshift), -p->out_exp) + p->out_zp;
  return out < p->qmin ? p->qmin : out > p->qmax ? p->qmax : out;
}

#define HS_EVAL(name, T)                                                             \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                               \
    (void)ctx;                                                                       \
    const hs_state *p = node->state;                                                 \
    const T *x = node->in[0]->data;                                                  \
    T *o = node->out[0]->data;                                                       \
    const int64_t n = tl_numel(node->in[0]);                                         \
    for (int64_t i = 0; i < n; i++) o[i] = (T)hard_swish_one(p, x[i]);               \
    return TL_OK;                                                                    \
  }
HS_EVAL(hs_eval_s8, int8_t)
HS_EVAL(hs_eval_u8, uint8_t)

/* QuantizeMultiplier, then DownScaleInt32ToInt16Multiplier. */
static int mult16(double m, int16_t *mult, int *exp) {
  int32_t m32;
  if (tl_quantize_multiplier(m, &m32, exp)) return -1;
  *mult = m32 >= INT32_MAX - (1 << 15) ? INT16_MAX : (int16_t)((m32 + (1 << 15)) >> 16);
  return 0;
}

tl_status tl_ref_hard_swish_q_prepare(tl_kctx *ctx, tl_node *node) {
  const tl_tensor *in = node->in[0], *out = node->out[0];
  if (in->qcount != 1 || out->qcount != 1 || !(in->scale > 0) || !(out->scale > 0))
    return tl_kfail(ctx, node, "quantized input and output need per-tensor quantization");
  hs_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  const float hires = (1.0f / 128.0f) * in->scale;
  if (mult16((double)(hires / out->scale), &p->out_mult, &p->out_exp) ||
      mult16((double)(hires / (3.0f / 32768.0f)), &p->relu_mult, &p->relu_exp))
    return tl_kfail(ctx, node, "rescale multipliers cannot be represented");
  if (p->out_exp > 0) return tl_kunsupported(ctx, node, "output scale below input scale / 128 (TFLite refuses it too)");
  if (p->relu_exp > 15 || p->relu_exp < -15 || p->out_exp < -15) return tl_kunsupported(ctx, node, "scales too far apart");
  p->in_zp = in->zero_point, p->out_zp = out->zero_point;
  tl_qrange(in->type, &p->qmin, &p->qmax);
  node->state = p;
  node->eval = in->type == TL_INT8 ? hs_eval_s8 : hs_eval_u8;
  return TL_OK;
}

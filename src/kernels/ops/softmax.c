/* SPDX-License-Identifier: Apache-2.0
 * SOFTMAX over the last dimension. float32; int8/uint8 (to the same type or int16) the way TFLite 2.9's
 * builtin kernel does it: a float table of exp(-scale*beta*d) indexed by (max - q), float sums, round;
 * int16 with TFLite's two 513-entry LUTs (exp on [-10, 0] and 1/(1+x) on [0, 1]) in fixed point. */
#include <math.h>

#include "../quant_math.h"
#include "kcommon.h"

typedef struct {
  int64_t outer, depth;
  float beta;
  float table[256];          /* int8/uint8 */
  float out_scale;
  int32_t out_zp;
  int32_t in_mult;           /* int16 */
  int in_shift;
  int16_t exp_lut[513];
  int16_t recip_lut[513];
} softmax_state;

static tl_status softmax_eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const softmax_state *s = node->state;
  const float *in = node->in[0]->data;
  float *out = node->out[0]->data;
  const int64_t d = s->depth;
  for (int64_t r = 0; r < s->outer; r++, in += d, out += d) {
    float mx = in[0];
    for (int64_t j = 1; j < d; j++) mx = in[j] > mx ? in[j] : mx;
    float sum = 0.f;
    for (int64_t j = 0; j < d; j++) {
      out[j] = expf((in[j] - mx) * s->beta);
      sum += out[j];
    }
    const float inv = 1.f / sum;
    for (int64_t j = 0; j < d; j++) out[j] *= inv;
  }
  return TL_OK;
}

/* optimized_ops::Softmax<In, Out>: the table holds exp(-in_scale*beta*k) at index 255-k, so entry
 * (255 - max) + q is exp(in_scale*beta*(q - max)). The sum is accumulated in float in input order. */
#define SOFTMAX_Q(name, TI, TO, QUANTIZE)                                                          \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                                             \
    (void)ctx;                                                                                     \
    const softmax_state *s = node->state;                                                          \
    const TI *in = node->in[0]->data;                                                              \
    TO *out = node->out[0]->data;                                                                  \
    const int64_t d = s->depth;                                                                    \
    int32_t qmin, qmax;                                                                            \
    tl_qrange(node->out[0]->type, &qmin, &qmax);                                                   \
    for (int64_t r = 0; r < s->outer; r++, in += d, out += d) {                                    \
      int32_t mx = (TI)(-1) < 0 ? -128 : 0;                                                        \
      for (int64_t j = 0; j < d; j++) mx = in[j] > mx ? in[j] : mx;                                \
      const int32_t base = 255 - mx; /* base + q is in [0, 255] for q in [mx - 255, mx] */          \
      float sum = 0.f;                                                                             \
      for (int64_t j = 0; j < d; j++) sum += s->table[base + in[j]];                               \
      const float inv = 1.0f / (sum * s->out_scale);                                               \
      for (int64_t j = 0; j < d; j++) {                                                            \
        const float p = s->table[base + in[j]] * inv;                                                          \
        int32_t q = QUANTIZE;                                                                      \
        out[j] = (TO)(q < qmin ? qmin : (q > qmax ? qmax : q));                                    \
      }                                                                                            \
    }                                                                                              \
    return TL_OK;                                                                                  \
  }
/* QuantizeSoftmaxOutput: round() + zero point; for uint8 outputs on x86 TFLite truncates p + 0.5 and
 * ignores the zero point (converters write 0; TFLite runs other values the same way). */
SOFTMAX_Q(softmax_eval_s8, int8_t, int8_t, tl_f2i32(roundf(p)) + s->out_zp)
SOFTMAX_Q(softmax_eval_u8, uint8_t, uint8_t, tl_f2i32(p + 0.5f))
SOFTMAX_Q(softmax_eval_s8_s16, int8_t, int16_t, tl_f2i32(roundf(p)) + s->out_zp)
SOFTMAX_Q(softmax_eval_u8_s16, uint8_t, int16_t, tl_f2i32(roundf(p)) + s->out_zp)

/* reference_ops::SoftmaxInt16. */
static tl_status softmax_eval_s16(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const softmax_state *s = node->state;
  const int16_t *in = node->in[0]->data;
  int16_t *out = node->out[0]->data;
  const int64_t d = s->depth;
  for (int64_t r = 0; r < s->outer; r++, in += d, out += d) {
    int32_t mx = INT16_MIN;
    for (int64_t j = 0; j < d; j++) mx = in[j] > mx ? in[j] : mx;
    int32_t sum = 0; /* Q16.15; depth <= 65536 (checked at prepare) keeps it below 2^31 */
    for (int64_t j = 0; j < d; j++) {
      const int32_t scaled = tl_mbqm(in[j] - mx, s->in_mult, s->in_shift);
      int32_t sym = scaled + 32767;
      sym = sym < -32768 ? -32768 : (sym > 32767 ? 32767 : sym);
      out[j] = tl_lut16_lookup((int16_t)sym, s->exp_lut); /* cache exp in the output, as TFLite does */
      sum += out[j];
    }
    if (sum <= 0) sum = 1; /* unreachable: the max element contributes ~32767 */
    const int headroom_plus_one = __builtin_clz((uint32_t)sum);
    const int32_t shifted = (int32_t)((((int64_t)sum << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
    int32_t sym = shifted - ((1 << 15) + (1 << 16));
    sym = sym < -32768 ? -32768 : (sym > 32767 ? 32767 : sym);
    const int16_t recip = tl_lut16_lookup((int16_t)sym, s->recip_lut);
    const int right_shift = 31 - headroom_plus_one;
    const int64_t round = (int64_t)1 << (right_shift - 1);
    for (int64_t j = 0; j < d; j++) {
      int32_t v = (int32_t)(((int64_t)out[j] * recip + round) >> right_shift);
      out[j] = (int16_t)(v < 0 ? 0 : (v > 32767 ? 32767 : v));
    }
  }
  return TL_OK;
}

static tl_status need_q(tl_kctx *ctx, tl_node *node, const tl_tensor *t) {
  char msg[200];
  if (t->qcount < 1) return tl_kfail(ctx, node, "%s tensor %d without quantization parameters", tl_type_name(t->type), (int)t->index);
  if (!tl_check_quant(t, msg, sizeof msg)) return tl_kfail(ctx, node, "%s", msg);
  if (t->qcount != 1) return tl_kunsupported(ctx, node, "per-axis quantized tensor %d", (int)t->index);
  return TL_OK;
}

tl_status tl_prep_softmax(tl_kctx *ctx, tl_node *node) {
  tl_status st = kc_io(ctx, node, 1, 1, 1);
  if (st) return st;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  if (in->ndim < 1) return tl_kfail(ctx, node, "input must have rank >= 1");
  if ((st = tl_kset_shape(ctx, node, out, in->ndim, in->dims))) return st;
  softmax_state *s = tl_kpersist(ctx, sizeof *s);
  if (!s) return TL_ERR_NOMEM;
  node->state = s;
  s->beta = tl_softmax_beta(kc_opts(node));
  s->depth = in->dims[in->ndim - 1];
  s->outer = s->depth > 0 ? tl_numel(in) / s->depth : 0;
  if (!isfinite(s->beta)) return tl_kfail(ctx, node, "beta is not finite");
  const int ti = in->type, to = out->type;
  if (ti == TL_FLOAT32) {
    if (to != TL_FLOAT32) return tl_kfail(ctx, node, "float32 input needs a float32 output");
    node->eval = softmax_eval_f32;
    return TL_OK;
  }
  if (ti != TL_INT8 && ti != TL_UINT8 && ti != TL_INT16)
    return tl_kunsupported(ctx, node, "input type %s", tl_type_name(ti));
  if (!(to == ti || (to == TL_INT16 && ti != TL_INT16)))
    return tl_kunsupported(ctx, node, "%s input with %s output", tl_type_name(ti), tl_type_name(to));
  if ((st = need_q(ctx, node, in)) || (st = need_q(ctx, node, out))) return st;
  s->out_scale = out->scale;
  s->out_zp = out->zero_point;
  if (ti != TL_INT16) {
    tl_softmax_table(s->table, in->scale, s->beta);
    node->eval = ti == TL_INT8 ? (to == TL_INT8 ? softmax_eval_s8 : softmax_eval_s8_s16)
                               : (to == TL_UINT8 ? softmax_eval_u8 : softmax_eval_u8_s16);
    return TL_OK;
  }
  if (out->zero_point != 0) return tl_kfail(ctx, node, "int16 output zero point must be 0");
  if (in->ndim > 4) return tl_kunsupported(ctx, node, "int16 input of rank %d (TFLite: 1..4)", (int)in->ndim);
  if (s->depth > 65536) return tl_kunsupported(ctx, node, "int16 softmax over %lld values", (long long)s->depth);
  tl_gen_lut16(0, -10.0, 0.0, s->exp_lut, 513);
  tl_gen_lut16(1, 0.0, 1.0, s->recip_lut, 513);
  /* The input difference is rescaled so [-65535, 0] maps to [-10, 0]. */
  const double m = (double)(in->scale * s->beta) / (10.0 / 65535.0); /* float product, as TFLite */
  if (tl_quantize_multiplier(m, &s->in_mult, &s->in_shift))
    return tl_kfail(ctx, node, "input scale * beta = %g cannot be represented", m);
  node->eval = softmax_eval_s16;
  return TL_OK;
}

/* SPDX-License-Identifier: Apache-2.0
 * Quantized forms of element-wise ops, as TFLite 2.9 computes them. ABS (int8, int16): |x - zp_in|,
 * requantized by s_in / s_out when the scales differ (int16: zero points 0), plus zp_out, clamped.
 * RSQRT (int8): 1 / sqrt(x - zp_in) from the fixed-point inverse square root, rescaled by
 * 1 / (sqrtf(s_in) * s_out) with 20 bits of headroom; x = zp_in gives 127, x < zp_in is an error.
 * ELU (int8) and GELU (int8, uint8): the 256-entry table TFLite fills in float at prepare. */
#include <math.h>

#include "../quant_math.h"
#include "kcommon.h"

typedef struct {
  int32_t in_zp, out_zp, mult, shift, rescale, qmin, qmax;
  uint8_t table[256];
} unary_q_state;

#define ABS_EVAL(name, T)                                                               \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                                  \
    (void)ctx;                                                                          \
    const unary_q_state *p = node->state;                                               \
    const T *restrict x = node->in[0]->data;                                            \
    T *restrict o = node->out[0]->data;                                                 \
    const int64_t n = tl_numel(node->in[0]);                                            \
    for (int64_t i = 0; i < n; i++) {                                                   \
      const int32_t d = (int32_t)x[i] - p->in_zp, v = d < 0 ? -d : d;                   \
      const int32_t r = (p->rescale ? tl_mbqm(v, p->mult, p->shift) : v) + p->out_zp;   \
      o[i] = (T)(r < p->qmin ? p->qmin : r > p->qmax ? p->qmax : r);                    \
    }                                                                                   \
    return TL_OK;                                                                       \
  }
ABS_EVAL(abs_eval_s8, int8_t)
ABS_EVAL(abs_eval_s16, int16_t)

static tl_status rsqrt_eval_s8(tl_kctx *ctx, tl_node *node) {
  const unary_q_state *p = node->state;
  const int8_t *restrict x = node->in[0]->data;
  int8_t *restrict o = node->out[0]->data;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++)
    if (x[i] < p->in_zp) return tl_kruntime(ctx, node, "RSQRT of a negative value (element %lld)", (long long)i);
  for (int64_t i = 0; i < n; i++) {
    const int32_t v = (int32_t)x[i] - p->in_zp;
    if (v == 0) {
      o[i] = 127;
      continue;
    }
    int32_t m;
    int sh;
    tl_inv_sqrt_multiplier(v, &m, &sh);
    const int32_t data = tl_mbqm(1, m, sh + 20);
    const int32_t r = tl_mbqm(data, p->mult, p->shift - 20) + p->out_zp;
    o[i] = (int8_t)(r < -128 ? -128 : r > 127 ? 127 : r);
  }
  return TL_OK;
}

static tl_status lut_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const unary_q_state *p = node->state;
  const uint8_t *restrict x = node->in[0]->data;
  uint8_t *restrict o = node->out[0]->data;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) o[i] = p->table[x[i]];
  return TL_OK;
}

tl_status tl_ref_unary_q_prepare(tl_kctx *ctx, tl_node *node) {
  const tl_tensor *in = node->in[0], *out = node->out[0];
  const int t = in->type, op = node->op;
  const int ok = (op == TL_BUILTIN_ABS && (t == TL_INT8 || t == TL_INT16)) || (op == TL_BUILTIN_ELU && t == TL_INT8) ||
                 (op == TL_BUILTIN_RSQRT && t == TL_INT8) ||
                 (op == TL_BUILTIN_GELU && (t == TL_INT8 || t == TL_UINT8));
  if (!ok) return tl_kunsupported(ctx, node, "type %s (version %d)", tl_type_name(t), (int)node->version);
  char msg[200];
  if (in->qcount != 1 || out->qcount != 1 || !tl_check_quant(in, msg, sizeof msg) || !tl_check_quant(out, msg, sizeof msg))
    return tl_kfail(ctx, node, "%s input and output need valid per-tensor quantization", tl_type_name(t));
  unary_q_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  node->state = p;
  p->in_zp = in->zero_point, p->out_zp = out->zero_point;
  tl_qrange(t, &p->qmin, &p->qmax);
  if (op == TL_BUILTIN_ABS) {
    if (t == TL_INT16 && (p->in_zp || p->out_zp)) return tl_kfail(ctx, node, "int16 ABS needs zero points of 0");
    p->rescale = in->scale != out->scale;
    if (p->rescale && tl_quantize_multiplier((double)(in->scale / out->scale), &p->mult, &p->shift))
      return tl_kfail(ctx, node, "rescale %g cannot be represented", (double)(in->scale / out->scale));
    node->eval = t == TL_INT8 ? abs_eval_s8 : abs_eval_s16;
    return TL_OK;
  }
  if (op == TL_BUILTIN_RSQRT) {
    const double m = 1. / (double)(sqrtf(in->scale) * out->scale);
    if (tl_quantize_multiplier(m, &p->mult, &p->shift)) return tl_kfail(ctx, node, "rescale %g cannot be represented", m);
    node->eval = rsqrt_eval_s8;
    return TL_OK;
  }
  const int fn = op == TL_BUILTIN_ELU ? TL_LUT_ELU : tl_gelu_approximate(kc_opts(node)) ? TL_LUT_GELU_TANH : TL_LUT_GELU;
  tl_lut8_populate(p->table, fn, t == TL_INT8, in->scale, in->zero_point, out->scale, out->zero_point);
  node->eval = lut_eval;
  return TL_OK;
}

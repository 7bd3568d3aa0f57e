/* SPDX-License-Identifier: Apache-2.0
 * LEAKY_RELU: x > 0 ? x : alpha * x (LeakyReluOptions.alpha). Float, and int8/uint8/int16
 * with TFLite's two requantization multipliers (identity and alpha, alpha may be negative). */
#include <math.h>

#include "../quant_math.h"
#include "kcommon.h"

typedef struct {
  float alpha;
  int32_t q[8]; /* room for the integer kernels' parameters */
} leaky_state;

static tl_status leaky_relu_eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const leaky_state *p = node->state;
  const float *restrict in = node->in[0]->data;
  float *restrict out = node->out[0]->data;
  const float a = p->alpha;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) out[i] = in[i] > 0.f ? in[i] : in[i] * a;
  return TL_OK;
}

/* reference_ops::QuantizeLeakyRelu: x - zp_in >= 0 is rescaled by in/out, otherwise by alpha*in/out.
 * q[0] zp_in, q[1] zp_out, q[2..3] identity multiplier/shift, q[4..5] alpha multiplier/shift. */
#define LEAKY_Q(name, T, QMIN, QMAX)                                                            \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                                         \
    (void)ctx;                                                                                 \
    const int32_t *q = ((const leaky_state *)node->state)->q;                                  \
    const T *restrict in = node->in[0]->data;                                                  \
    T *restrict out = node->out[0]->data;                                                      \
    const int64_t n = tl_numel(node->in[0]);                                                   \
    for (int64_t i = 0; i < n; i++) {                                                          \
      const int32_t v = (int32_t)in[i] - q[0];                                                 \
      int32_t r = q[1] + (v >= 0 ? tl_mbqm(v, q[2], q[3]) : tl_mbqm(v, q[4], q[5]));           \
      out[i] = (T)(r < (QMIN) ? (QMIN) : (r > (QMAX) ? (QMAX) : r));                           \
    }                                                                                          \
    return TL_OK;                                                                              \
  }
LEAKY_Q(leaky_relu_eval_s8, int8_t, -128, 127)
LEAKY_Q(leaky_relu_eval_u8, uint8_t, 0, 255)
LEAKY_Q(leaky_relu_eval_s16, int16_t, -32768, 32767)

tl_status tl_prep_leaky_relu(tl_kctx *ctx, tl_node *node) {
  const tl_tensor *in;
  tl_tensor *out;
  tl_status s = kc_unary(ctx, node, &in, &out);
  if (s) return s;
  leaky_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->alpha = tl_leaky_relu_alpha(kc_opts(node));
  node->state = p;
  switch (in->type) {
    case TL_FLOAT32: node->eval = leaky_relu_eval_f32; return TL_OK;
    case TL_INT8:
    case TL_UINT8:
    case TL_INT16: {
      char msg[200];
      if (in->qcount != 1 || out->qcount != 1)
        return tl_kfail(ctx, node, "%s input and output need per-tensor quantization", tl_type_name(in->type));
      if (!tl_check_quant(in, msg, sizeof msg) || !tl_check_quant(out, msg, sizeof msg))
        return tl_kfail(ctx, node, "%s", msg);
      if (!isfinite(p->alpha)) return tl_kfail(ctx, node, "alpha is not finite");
      p->q[0] = in->zero_point;
      p->q[1] = out->zero_point;
      /* activations.cc forms both ratios in float, then widens them to double. */
      const float identity = in->scale / out->scale, alpha = in->scale * p->alpha / out->scale;
      if (tl_quantize_multiplier((double)identity, &p->q[2], &p->q[3]) ||
          tl_quantize_multiplier_signed((double)alpha, &p->q[4], &p->q[5]))
        return tl_kfail(ctx, node, "requantization multipliers (%g, %g) cannot be represented", (double)identity,
                        (double)alpha);
      node->eval = in->type == TL_INT8 ? leaky_relu_eval_s8 : in->type == TL_UINT8 ? leaky_relu_eval_u8 : leaky_relu_eval_s16;
      return TL_OK;
    }
    default: return tl_kunsupported(ctx, node, "type %s", tl_type_name(in->type));
  }
}

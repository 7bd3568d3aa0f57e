/* SPDX-License-Identifier: Apache-2.0
 * RELU, RELU6, RELU_N1_TO_1 and RELU_0_TO_1 as float clamps (NaN passes through, as with TFLite's min/max).
 * int8/uint8 (and int16 for RELU and RELU6) as TFLite's QuantizedReluX: requantize x - zp_in by s_in/s_out, add zp_out, clamp to the
 * activation's quantized range. */
#include <math.h>

#include "../quant_math.h"
#include "kcommon.h"

typedef struct {
  float lo, hi;
  int32_t q[8]; /* room for the integer kernels' parameters */
} relu_state;

static tl_status relu_eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const relu_state *p = node->state;
  const float *restrict in = node->in[0]->data;
  float *restrict out = node->out[0]->data;
  const float lo = p->lo, hi = p->hi;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) {
    const float v = in[i];
    out[i] = v < lo ? lo : (v > hi ? hi : v);
  }
  return TL_OK;
}

/* q[0] zp_in, q[1] zp_out, q[2] multiplier, q[3] shift, q[4..5] quantized clamp. */
#define RELU_Q(name, T)                                                                          \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                                          \
    (void)ctx;                                                                                  \
    const int32_t *q = ((const relu_state *)node->state)->q;                                    \
    const T *restrict in = node->in[0]->data;                                                   \
    T *restrict out = node->out[0]->data;                                                       \
    const int64_t n = tl_numel(node->in[0]);                                                    \
    for (int64_t i = 0; i < n; i++) {                                                           \
      int32_t v = q[1] + tl_mbqm((int32_t)in[i] - q[0], q[2], q[3]);                            \
      v = v < q[4] ? q[4] : v;                                                                  \
      out[i] = (T)(v > q[5] ? q[5] : v);                                                        \
    }                                                                                           \
    return TL_OK;                                                                               \
  }
RELU_Q(relu_eval_s8, int8_t)
RELU_Q(relu_eval_u8, uint8_t)
RELU_Q(relu_eval_s16, int16_t)

/* activations.cc QuantizedReluX bounds: zp + (int32)roundf(bound / scale), within the type's range
 * (RELU has no upper bound). The cast is x86's for out-of-range values; the add wraps. */
static int32_t relu_bound(float bound, const tl_tensor *out) {
  return (int32_t)((uint32_t)out->zero_point + (uint32_t)tl_f2i32((double)roundf(bound / out->scale)));
}

static tl_status prep(tl_kctx *ctx, tl_node *node, float flo, float fhi) {
  const tl_tensor *in;
  tl_tensor *out;
  tl_status s = kc_unary(ctx, node, &in, &out);
  if (s) return s;
  relu_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->lo = flo, p->hi = fhi;
  node->state = p;
  switch (in->type) {
    case TL_FLOAT32: node->eval = relu_eval_f32; return TL_OK;
    case TL_INT16:
      if (p->lo != 0.f) break; /* TFLite has no int16 RELU_N1_TO_1 */
      /* fall through */
    case TL_INT8:
    case TL_UINT8: {
      char msg[200];
      if (in->qcount != 1 || out->qcount != 1 || !tl_check_quant(in, msg, sizeof msg) || !tl_check_quant(out, msg, sizeof msg))
        return tl_kfail(ctx, node, "%s input and output need valid per-tensor quantization", tl_type_name(in->type));
      int32_t qmin, qmax;
      tl_qrange(in->type, &qmin, &qmax);
      p->q[0] = in->zero_point;
      p->q[1] = out->zero_point;
      const float ratio = in->scale / out->scale; /* float division, widened to double as TFLite */
      if (tl_quantize_multiplier((double)ratio, &p->q[2], &p->q[3]))
        return tl_kfail(ctx, node, "rescale multiplier %g cannot be represented", (double)ratio);
      const int32_t lo = relu_bound(p->lo, out);
      p->q[4] = lo > qmin ? lo : qmin;
      p->q[5] = isinf(p->hi) ? qmax : (relu_bound(p->hi, out) < qmax ? relu_bound(p->hi, out) : qmax);
      node->eval = in->type == TL_INT8 ? relu_eval_s8 : in->type == TL_UINT8 ? relu_eval_u8 : relu_eval_s16;
      return TL_OK;
    }
    default: break;
  }
  return tl_kunsupported(ctx, node, "type %s", tl_type_name(in->type));
}

tl_status tl_prep_relu(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 0.f, INFINITY); }
tl_status tl_prep_relu6(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 0.f, 6.f); }
tl_status tl_prep_relu_n1_to_1(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, -1.f, 1.f); }
tl_status tl_prep_relu_0_to_1(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 0.f, 1.f); }

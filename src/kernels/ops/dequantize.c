/* SPDX-License-Identifier: Apache-2.0
 * DEQUANTIZE to float32: float16 (the fp16-weights models; the input is a constant, so the interpreter
 * folds it at prepare), and int8/uint8/int16 per-tensor ((q - zp) * scale computed in double and
 * rounded once, like TFLite's reference Dequantize) or per-channel ((q - zp[c]) * scale[c] in float). */
#include "../quant_math.h"
#include "kcommon.h"

#include "fp16.h"

typedef struct {
  int64_t outer, channels, inner; /* per-channel layout around quant axis */
} deq_state;

static tl_status deq_eval_f16(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const uint16_t *restrict s = node->in[0]->data;
  float *restrict d = node->out[0]->data;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) d[i] = tl_f16_to_f32(s[i]);
  return TL_OK;
}

static int32_t qval(const tl_tensor *t, int64_t i) {
  switch (t->type) {
    case TL_INT8: return ((const int8_t *)t->data)[i];
    case TL_UINT8: return ((const uint8_t *)t->data)[i];
    default: return ((const int16_t *)t->data)[i];
  }
}

static tl_status deq_eval_q(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const tl_tensor *in = node->in[0];
  float *d = node->out[0]->data;
  const int64_t n = tl_numel(in);
  const double scale = in->scale;
  const int32_t zp = in->zero_point;
  for (int64_t i = 0; i < n; i++) d[i] = (float)(scale * (double)(qval(in, i) - zp));
  return TL_OK;
}

static tl_status deq_eval_q_axis(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const deq_state *p = node->state;
  const tl_tensor *in = node->in[0];
  float *d = node->out[0]->data;
  int64_t i = 0;
  for (int64_t o = 0; o < p->outer; o++)
    for (int64_t c = 0; c < p->channels; c++) {
      const float sc = in->scales[c];
      const int32_t zp = (int32_t)in->zero_points[c];
      for (int64_t k = 0; k < p->inner; k++, i++) d[i] = (float)(qval(in, i) - zp) * sc;
    }
  return TL_OK;
}

/* dequantize_eval for other integer layouts (int4, blockwise) would go here. */

tl_status tl_prep_dequantize(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  if (out->type != TL_FLOAT32) return tl_kunsupported(ctx, node, "output type %s", tl_type_name(out->type));
  if ((s = tl_kset_shape(ctx, node, out, in->ndim, in->dims))) return s;
  switch (in->type) {
    case TL_FLOAT16: node->eval = deq_eval_f16; return TL_OK;
    case TL_INT8: case TL_UINT8: case TL_INT16: break;
    default: return tl_kunsupported(ctx, node, "input type %s", tl_type_name(in->type));
  }
  if (in->qcount < 1) return tl_kfail(ctx, node, "input is not quantized");
  char msg[200];
  if (!tl_check_quant(in, msg, sizeof msg)) return tl_kfail(ctx, node, "%s", msg); /* scales > 0, zero points in range */
  if (in->qcount == 1) {
    node->eval = deq_eval_q;
    return TL_OK;
  }
  if (in->qaxis < 0 || in->qaxis >= in->ndim || in->dims[in->qaxis] != in->qcount)
    return tl_kfail(ctx, node, "per-channel quantization does not match the shape");
  deq_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->outer = kc_prod(in->dims, 0, in->qaxis);
  p->channels = in->qcount;
  p->inner = kc_prod(in->dims, in->qaxis + 1, in->ndim);
  node->state = p;
  node->eval = deq_eval_q_axis;
  return TL_OK;
}

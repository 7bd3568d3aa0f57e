/* SPDX-License-Identifier: Apache-2.0
 * LOG_SOFTMAX over the last dimension, as TFLite 2.9's optimized kernels: float32 x - max - log(sum
 * exp(x - max)) (TFLite sums Eigen's exp, so its last bit can differ); uint8 with the float table
 * of exp(in_scale * (q - max)) that SOFTMAX uses, a float log, and rint on the fixed output scale
 * 16/256 with zero point 255. int8 (TFLite's gemmlowp fixed-point path) is refused for now. */
#include <math.h>

#include "../quant_math.h"
#include "kcommon.h"

typedef struct {
  int64_t outer, depth;
  float table[256];
  float in_scale, out_scale;
  int32_t out_zp;
} log_softmax_state;

static tl_status log_softmax_eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const log_softmax_state *s = node->state;
  const float *in = node->in[0]->data;
  float *out = node->out[0]->data;
  const int64_t d = s->depth;
  for (int64_t r = 0; r < s->outer; r++, in += d, out += d) {
    float mx = in[0];
    for (int64_t j = 1; j < d; j++) mx = in[j] > mx ? in[j] : mx;
    float sum = 0.f;
    for (int64_t j = 0; j < d; j++) sum += expf(in[j] - mx);
    const float log_sum = logf(sum);
    for (int64_t j = 0; j < d; j++) out[j] = in[j] - mx - log_sum;
  }
  return TL_OK;
}

static tl_status log_softmax_eval_u8(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const log_softmax_state *s = node->state;
  const uint8_t *in = node->in[0]->data;
  uint8_t *out = node->out[0]->data;
  const int64_t d = s->depth;
  const float scale = s->in_scale / s->out_scale;
  for (int64_t r = 0; r < s->outer; r++, in += d, out += d) {
    uint8_t mx = 0;
    for (int64_t j = 0; j < d; j++) mx = in[j] > mx ? in[j] : mx;
    const float *t = s->table + (255 - mx);
    float sum = 0.f;
    for (int64_t j = 0; j < d; j++) sum += t[in[j]];
    const float log_sum = logf(sum);
    const float pre = (s->in_scale * (float)mx + log_sum) / s->out_scale;
    for (int64_t j = 0; j < d; j++) {
      const int32_t q = tl_f2i32((double)rintf(scale * (float)in[j] - pre)) + s->out_zp;
      out[j] = (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
    }
  }
  return TL_OK;
}

tl_status tl_prep_log_softmax(tl_kctx *ctx, tl_node *node) {
  tl_status st = kc_io(ctx, node, 1, 1, 1);
  if (st) return st;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  if (in->ndim < 1) return tl_kfail(ctx, node, "input must have rank >= 1");
  if (in->type != out->type) return tl_kfail(ctx, node, "input and output types differ");
  if ((st = tl_kset_shape(ctx, node, out, in->ndim, in->dims))) return st;
  log_softmax_state *s = tl_kpersist(ctx, sizeof *s);
  if (!s) return TL_ERR_NOMEM;
  node->state = s;
  s->depth = in->dims[in->ndim - 1];
  s->outer = s->depth > 0 ? tl_numel(in) / s->depth : 0;
  if (in->type == TL_FLOAT32) {
    node->eval = log_softmax_eval_f32;
    return TL_OK;
  }
  if (in->type != TL_UINT8) return tl_kunsupported(ctx, node, "type %s (version %d)", tl_type_name(in->type), (int)node->version);
  char msg[200];
  if (in->qcount != 1 || out->qcount != 1 || !tl_check_quant(in, msg, sizeof msg))
    return tl_kfail(ctx, node, "uint8 input and output need per-tensor quantization");
  if (out->scale != 16.0f / 256 || out->zero_point != 255)
    return tl_kfail(ctx, node, "uint8 output must have scale 16/256 and zero point 255 (got %g, %d)", (double)out->scale,
                    (int)out->zero_point);
  s->in_scale = in->scale, s->out_scale = out->scale, s->out_zp = out->zero_point;
  tl_softmax_table(s->table, in->scale, 1.0f);
  node->eval = log_softmax_eval_u8;
  return TL_OK;
}

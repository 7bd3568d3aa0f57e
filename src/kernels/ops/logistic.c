/* SPDX-License-Identifier: Apache-2.0
 * LOGISTIC (sigmoid). Float follows TFLite's reference: 1 above x = 16.619..., exp(x) below -9, else
 * 1 / (1 + exp(-x)). int8/uint8 use TFLite's 256-entry table, int16 gemmlowp's fixed-point logistic. */
#include <math.h>

#include "../quant_math.h"
#include "kcommon.h"

typedef struct {
  int32_t q[8]; /* room for the integer kernels' parameters */
  uint8_t lut[256]; /* int8/uint8 lookup table */
} logistic_state;

static tl_status logistic_eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const float *restrict in = node->in[0]->data;
  float *restrict out = node->out[0]->data;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) {
    const float v = in[i];
    out[i] = v > 16.619047164916992188f ? 1.f : (v < -9.f ? expf(v) : 1.f / (1.f + expf(-v)));
  }
  return TL_OK;
}

/* int8/uint8: TFLite 2.9's builtin kernel evaluates a 256-entry table built at prepare from the float
 * function (quant_math.c tl_lut8_populate), indexed by the input's raw byte. */
static tl_status logistic_eval_lut8(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const logistic_state *p = node->state;
  const uint8_t *restrict in = node->in[0]->data;
  uint8_t *restrict out = node->out[0]->data;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) out[i] = p->lut[in[i]];
  return TL_OK;
}

/* int16 (16x8 models): TFLite's optimized kernel evaluates gemmlowp's fixed-point logistic on Q3.12
 * input (scale 2^-12, checked at prepare) into Q0.15 output (scale 2^-15). */
static tl_status logistic_eval_s16(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const int16_t *restrict in = node->in[0]->data;
  int16_t *restrict out = node->out[0]->data;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) out[i] = tl_fx16_logistic(in[i], 3);
  return TL_OK;
}

tl_status tl_prep_logistic(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  if (in->type != out->type) return tl_kfail(ctx, node, "input and output types differ");
  if ((s = tl_kset_shape(ctx, node, out, in->ndim, in->dims))) return s;
  logistic_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  node->state = p;
  switch (in->type) {
    case TL_FLOAT32: node->eval = logistic_eval_f32; return TL_OK;
    case TL_INT8:
    case TL_UINT8: {
      char msg[200];
      if (in->qcount != 1 || out->qcount != 1)
        return tl_kfail(ctx, node, "%s input and output need per-tensor quantization", tl_type_name(in->type));
      if (!tl_check_quant(in, msg, sizeof msg) || !tl_check_quant(out, msg, sizeof msg))
        return tl_kfail(ctx, node, "%s", msg);
      /* activations.cc: the output scale must be exactly 1/256 (the zero point is not checked). */
      if (out->scale != 1.0f / 256) return tl_kfail(ctx, node, "output scale must be 1/256, got %g", (double)out->scale);
      tl_lut8_populate(p->lut, TL_LUT_LOGISTIC, in->type == TL_INT8, in->scale, in->zero_point, out->scale, out->zero_point);
      node->eval = logistic_eval_lut8;
      return TL_OK;
    }
    case TL_INT16: {
      char msg[200];
      int l2in, l2out;
      if (in->qcount != 1 || out->qcount != 1 || !tl_check_quant(in, msg, sizeof msg) || !tl_check_quant(out, msg, sizeof msg))
        return tl_kfail(ctx, node, "int16 input and output need valid per-tensor quantization");
      if (in->zero_point || out->zero_point) return tl_kfail(ctx, node, "int16 zero points must be 0");
      if (out->scale != 1.0f / 32768) return tl_kfail(ctx, node, "int16 output scale must be 1/32768");
      /* activations.cc: power-of-two input scale, and no input shift supported: exactly 2^-12. */
      if (!tl_checked_log2(in->scale, &l2in) || !tl_checked_log2(out->scale, &l2out) || l2out != -15)
        return tl_kfail(ctx, node, "int16 scales must be powers of two");
      if (12 + l2in != 0) return tl_kunsupported(ctx, node, "int16 input scale 2^%d (TFLite needs 2^-12)", l2in);
      node->eval = logistic_eval_s16;
      return TL_OK;
    }
    default: return tl_kunsupported(ctx, node, "type %s", tl_type_name(in->type));
  }
}

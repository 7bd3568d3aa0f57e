/* SPDX-License-Identifier: Apache-2.0
 * LOGISTIC (sigmoid) and TANH, as TFLite 2.9's builtin kernels. Float: LOGISTIC follows TFLite's
 * reference (1 above x = 16.619..., exp(x) below -9, else 1 / (1 + exp(-x))), TANH Eigen's tanh
 * (eigen_math.h). int8/uint8: TFLite's 256-entry table built at prepare from the float function
 * (quant_math.c tl_lut8_populate), indexed by the input's raw byte. int16: gemmlowp's fixed-point
 * functions on Q3.12 input into Q0.15 output (TANH also takes 2^-11 input, shifted left once). */
#include <math.h>

#include "../quant_math.h"
#include "eigen_math.h"
#include "kcommon.h"

typedef struct {
  int32_t shift;    /* int16 TANH: input scale 2^-11 -> 1 */
  uint8_t lut[256]; /* int8/uint8 lookup table */
} act_state;

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

static tl_status tanh_eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const float *restrict in = node->in[0]->data;
  float *restrict out = node->out[0]->data;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) out[i] = tl_eigen_tanh(in[i]);
  return TL_OK;
}

static tl_status eval_lut8(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const act_state *p = node->state;
  const uint8_t *restrict in = node->in[0]->data;
  uint8_t *restrict out = node->out[0]->data;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) out[i] = p->lut[in[i]];
  return TL_OK;
}

static tl_status logistic_eval_s16(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const int16_t *restrict in = node->in[0]->data;
  int16_t *restrict out = node->out[0]->data;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) out[i] = tl_fx16_logistic(in[i], 3);
  return TL_OK;
}

static tl_status tanh_eval_s16(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const int shift = ((const act_state *)node->state)->shift;
  const int16_t *restrict in = node->in[0]->data;
  int16_t *restrict out = node->out[0]->data;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) out[i] = tl_fx16_tanh(shift ? (int16_t)tl_srmbypot16(in[i], 1) : in[i], 3);
  return TL_OK;
}

static tl_status prepare(tl_kctx *ctx, tl_node *node, int tanh) {
  const tl_tensor *in;
  tl_tensor *out;
  tl_status s = kc_unary(ctx, node, &in, &out);
  if (s) return s;
  act_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  node->state = p;
  char msg[200];
  const int quant_ok = in->qcount == 1 && out->qcount == 1 && tl_check_quant(in, msg, sizeof msg) &&
                       tl_check_quant(out, msg, sizeof msg);
  switch (in->type) {
    case TL_FLOAT32: node->eval = tanh ? tanh_eval_f32 : logistic_eval_f32; return TL_OK;
    case TL_INT8:
    case TL_UINT8:
      if (!quant_ok) return tl_kfail(ctx, node, "%s input and output need valid per-tensor quantization", tl_type_name(in->type));
      /* activations.cc: LOGISTIC's output scale must be exactly 1/256 (the zero point is not checked) */
      if (!tanh && out->scale != 1.0f / 256) return tl_kfail(ctx, node, "output scale must be 1/256, got %g", (double)out->scale);
      tl_lut8_populate(p->lut, tanh ? TL_LUT_TANH : TL_LUT_LOGISTIC, in->type == TL_INT8, in->scale, in->zero_point,
                       out->scale, out->zero_point);
      node->eval = eval_lut8;
      return TL_OK;
    case TL_INT16: {
      int l2in, l2out;
      if (!quant_ok) return tl_kfail(ctx, node, "int16 input and output need valid per-tensor quantization");
      if (in->zero_point || out->zero_point) return tl_kfail(ctx, node, "int16 zero points must be 0");
      if (!tl_checked_log2(in->scale, &l2in) || !tl_checked_log2(out->scale, &l2out) || l2out != -15)
        return tl_kfail(ctx, node, "int16 scales must be powers of two, output 2^-15");
      /* activations.cc: power-of-two input scales, LOGISTIC exactly 2^-12, TANH 2^-12 or 2^-11 */
      p->shift = 12 + l2in;
      if (p->shift < 0 || p->shift > tanh)
        return tl_kunsupported(ctx, node, "int16 input scale 2^%d (TFLite: 2^-12%s)", l2in, tanh ? " or 2^-11" : "");
      node->eval = tanh ? tanh_eval_s16 : logistic_eval_s16;
      return TL_OK;
    }
    default: return tl_kunsupported(ctx, node, "type %s", tl_type_name(in->type));
  }
}

tl_status tl_prep_logistic(tl_kctx *ctx, tl_node *node) { return prepare(ctx, node, 0); }
tl_status tl_prep_tanh(tl_kctx *ctx, tl_node *node) { return prepare(ctx, node, 1); }

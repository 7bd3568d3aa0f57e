/* SPDX-License-Identifier: Apache-2.0
 * TANH. Float with Eigen's tanh (eigen_math.h), as TFLite's optimized kernel; int8/uint8 through TFLite's 256-entry table, int16 with gemmlowp's fixed-point
 * tanh (bit-identical to TFLite 2.9's builtin kernels). */
#include <math.h>

#include "../quant_math.h"
#include "eigen_math.h"
#include "kcommon.h"

typedef struct {
  int32_t q[8]; /* room for the integer kernels' parameters */
  uint8_t lut[256]; /* int8/uint8 lookup table */
} tanh_state;

static tl_status tanh_eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const float *restrict in = node->in[0]->data;
  float *restrict out = node->out[0]->data;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) out[i] = tl_eigen_tanh(in[i]);
  return TL_OK;
}

/* int8/uint8: TFLite 2.9's builtin kernel evaluates a 256-entry table built at prepare from the float
 * function (quant_math.c tl_lut8_populate), indexed by the input's raw byte. */
static tl_status tanh_eval_lut8(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const tanh_state *p = node->state;
  const uint8_t *restrict in = node->in[0]->data;
  uint8_t *restrict out = node->out[0]->data;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) out[i] = p->lut[in[i]];
  return TL_OK;
}

/* int16: gemmlowp's fixed-point tanh on Q3.12 input, after a saturating left shift by q[0] (0 or 1,
 * i.e. input scale 2^-12 or 2^-11), into Q0.15 output. */
static tl_status tanh_eval_s16(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const int shift = ((const tanh_state *)node->state)->q[0];
  const int16_t *restrict in = node->in[0]->data;
  int16_t *restrict out = node->out[0]->data;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) {
    int16_t v = in[i];
    if (shift) v = (int16_t)tl_srmbypot16(v, 1);
    out[i] = tl_fx16_tanh(v, 3);
  }
  return TL_OK;
}

tl_status tl_prep_tanh(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  if (in->type != out->type) return tl_kfail(ctx, node, "input and output types differ");
  if ((s = tl_kset_shape(ctx, node, out, in->ndim, in->dims))) return s;
  tanh_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  node->state = p;
  switch (in->type) {
    case TL_FLOAT32: node->eval = tanh_eval_f32; return TL_OK;
    case TL_INT8:
    case TL_UINT8: {
      char msg[200];
      if (in->qcount != 1 || out->qcount != 1)
        return tl_kfail(ctx, node, "%s input and output need per-tensor quantization", tl_type_name(in->type));
      if (!tl_check_quant(in, msg, sizeof msg) || !tl_check_quant(out, msg, sizeof msg))
        return tl_kfail(ctx, node, "%s", msg);
      tl_lut8_populate(p->lut, TL_LUT_TANH, in->type == TL_INT8, in->scale, in->zero_point, out->scale, out->zero_point);
      node->eval = tanh_eval_lut8;
      return TL_OK;
    }
    case TL_INT16: {
      char msg[200];
      int l2in, l2out;
      if (in->qcount != 1 || out->qcount != 1 || !tl_check_quant(in, msg, sizeof msg) || !tl_check_quant(out, msg, sizeof msg))
        return tl_kfail(ctx, node, "int16 input and output need valid per-tensor quantization");
      if (in->zero_point || out->zero_point) return tl_kfail(ctx, node, "int16 zero points must be 0");
      if (!tl_checked_log2(in->scale, &l2in) || !tl_checked_log2(out->scale, &l2out) || l2out != -15)
        return tl_kfail(ctx, node, "int16 scales must be powers of two, output 2^-15");
      p->q[0] = 12 + l2in;
      if (p->q[0] < 0 || p->q[0] > 1) return tl_kunsupported(ctx, node, "int16 input scale 2^%d (TFLite: 2^-12 or 2^-11)", l2in);
      node->eval = tanh_eval_s16;
      return TL_OK;
    }
    default: return tl_kunsupported(ctx, node, "type %s", tl_type_name(in->type));
  }
}

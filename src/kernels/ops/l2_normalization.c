/* SPDX-License-Identifier: Apache-2.0
 * L2_NORMALIZATION over the last dimension, as TensorFlow Lite's builtin kernels: float32 divides by
 * max(sqrt(sum of squares), 1e-6); uint8 and int8 take the sum of squared (q - zp), its inverse
 * square root as a fixed-point multiplier (GetInvSqrtQuantizedMultiplierExp: five Newton steps in
 * gemmlowp's Q3 format) and write the result at scale 1/128 (zero point 128 or 0, which the output
 * must have). L2NormOptions: fused_activation_function (0), NONE only. */
#include <math.h>

#include "../quant_math.h"
#include "kcommon.h"

typedef struct {
  int64_t outer;
  int32_t depth, zp;
} l2_state;

static tl_status eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const l2_state *p = node->state;
  const float *x = node->in[0]->data;
  float *o = node->out[0]->data;
  for (int64_t i = 0; i < p->outer; i++, x += p->depth, o += p->depth) {
    float sq = 0.f;
    for (int32_t c = 0; c < p->depth; c++) sq += x[c] * x[c];
    float norm = sqrtf(sq);
    norm = norm > 1e-6f ? norm : 1e-6f;
    for (int32_t c = 0; c < p->depth; c++) o[c] = x[c] / norm;
  }
  return TL_OK;
}

#define EVAL_Q(name, T, OUT)                                                           \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                                 \
    (void)ctx;                                                                         \
    const l2_state *p = node->state;                                                   \
    const T *x = node->in[0]->data;                                                    \
    T *o = node->out[0]->data;                                                         \
    for (int64_t i = 0; i < p->outer; i++, x += p->depth, o += p->depth) {             \
      int32_t acc = 0;                                                                 \
      for (int32_t c = 0; c < p->depth; c++) acc += (x[c] - p->zp) * (x[c] - p->zp);   \
      int32_t m;                                                                       \
      int sh;                                                                          \
      tl_inv_sqrt_multiplier(acc, &m, &sh);                                                          \
      for (int32_t c = 0; c < p->depth; c++) o[c] = OUT((int32_t)x[c] - p->zp, m, sh); \
    }                                                                                  \
    return TL_OK;                                                                      \
  }
static inline uint8_t out_u8(int32_t d, int32_t m, int sh) {
  const int32_t v = 128 + tl_mbqm_lt1(128 * d, m, sh);
  return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}
static inline int8_t out_s8(int32_t d, int32_t m, int sh) {
  const int32_t v = tl_mbqm(d, m, sh + 7);
  return (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
}
EVAL_Q(eval_u8, uint8_t, out_u8)
EVAL_Q(eval_s8, int8_t, out_s8)

tl_status tl_prep_l2_normalization(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  if (in->type != out->type) return tl_kfail(ctx, node, "input and output types differ");
  if (in->ndim < 1 || in->dims[in->ndim - 1] < 1) return tl_kfail(ctx, node, "the input needs a non-empty last dimension");
  if (tl_l2_norm_fused_activation_function(kc_opts(node)) != TL_TFL_ACT_NONE) return tl_kunsupported(ctx, node, "a fused activation");
  if ((s = tl_kset_shape(ctx, node, out, in->ndim, in->dims))) return s;
  l2_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->depth = in->dims[in->ndim - 1];
  p->outer = tl_numel(in) / p->depth;
  node->state = p;
  if (in->type == TL_FLOAT32) return node->eval = eval_f32, TL_OK;
  if (in->type != TL_UINT8 && in->type != TL_INT8)
    return tl_kunsupported(ctx, node, "type %s (version %d)", tl_type_name(in->type), (int)node->version);
  if (in->qcount != 1 || out->qcount != 1) return tl_kfail(ctx, node, "quantized tensors need per-tensor quantization");
  const int32_t want_zp = in->type == TL_UINT8 ? 128 : 0;
  if (out->scale != 1.0f / 128 || out->zero_point != want_zp)
    return tl_kfail(ctx, node, "output must have scale 1/128 and zero point %d", (int)want_zp);
  if ((int64_t)p->depth * 65025 > INT32_MAX) return tl_kunsupported(ctx, node, "a last dimension of %d", (int)p->depth);
  p->zp = in->zero_point;
  node->eval = in->type == TL_UINT8 ? eval_u8 : eval_s8;
  return TL_OK;
}

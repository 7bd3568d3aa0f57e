/* SPDX-License-Identifier: Apache-2.0
 * QUANTIZE as TFLite 2.9 runs it: float32 -> int8/uint8/int16 (affine, round half away from zero, clamp)
 * and requantization between integer types (int8<->uint8, int8->int8, int16->int8/int16/int32...) with
 * the fixed-point multiplier in_scale/out_scale, bit-identical to the builtin kernel. */
#include "../quant_math.h"
#include "kcommon.h"

typedef struct {
  double scale;          /* output scale (float -> int) */
  int32_t out_zp, in_zp;
  int32_t mult;          /* requantization */
  int shift;
  int32_t qmin, qmax;
} quant_state;

/* float -> integer: TFLite's AffineQuantize divides by the scale held in a double and rounds with
 * TfLiteRound; out-of-range values saturate. */
#define QUANT_F32(name, T)                                                                      \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                                          \
    (void)ctx;                                                                                  \
    const quant_state *s = node->state;                                                         \
    const float *restrict in = node->in[0]->data;                                               \
    T *restrict out = node->out[0]->data;                                                       \
    const int64_t n = tl_numel(node->out[0]);                                                   \
    for (int64_t i = 0; i < n; i++) out[i] = (T)tl_quantize_one(in[i], s->scale, s->out_zp, s->qmin, s->qmax); \
    return TL_OK;                                                                               \
  }
QUANT_F32(quantize_eval_f32_s8, int8_t)
QUANT_F32(quantize_eval_f32_u8, uint8_t)
QUANT_F32(quantize_eval_f32_s16, int16_t)

/* integer -> integer: reference_ops::Requantize, out = clamp(MBQM(in - in_zp) + out_zp). */
#define REQUANT(name, TI, TO)                                                                    \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                                           \
    (void)ctx;                                                                                   \
    const quant_state *s = node->state;                                                          \
    const TI *restrict in = node->in[0]->data;                                                   \
    TO *restrict out = node->out[0]->data;                                                       \
    const int64_t n = tl_numel(node->out[0]);                                                    \
    for (int64_t i = 0; i < n; i++) {                                                            \
      int64_t v = (int64_t)tl_mbqm((int32_t)in[i] - s->in_zp, s->mult, s->shift) + s->out_zp;    \
      out[i] = (TO)(v < s->qmin ? s->qmin : (v > s->qmax ? s->qmax : v));                        \
    }                                                                                            \
    return TL_OK;                                                                                \
  }
REQUANT(quantize_eval_s8_s8, int8_t, int8_t)
REQUANT(quantize_eval_s8_u8, int8_t, uint8_t)
REQUANT(quantize_eval_s8_s16, int8_t, int16_t)
REQUANT(quantize_eval_s8_s32, int8_t, int32_t)
REQUANT(quantize_eval_u8_s8, uint8_t, int8_t)
REQUANT(quantize_eval_u8_u8, uint8_t, uint8_t)
REQUANT(quantize_eval_s16_s8, int16_t, int8_t)
REQUANT(quantize_eval_s16_s16, int16_t, int16_t)
REQUANT(quantize_eval_s16_s32, int16_t, int32_t)

static tl_status need_per_tensor(tl_kctx *ctx, tl_node *node, const tl_tensor *t) {
  char msg[200];
  if (t->qcount < 1)
    return tl_kfail(ctx, node, "tensor %d '%s' (%s) has no quantization parameters", (int)t->index,
                    t->name ? t->name : "", tl_type_name(t->type));
  if (!tl_check_quant(t, msg, sizeof msg)) return tl_kfail(ctx, node, "%s", msg);
  if (t->qcount != 1) return tl_kunsupported(ctx, node, "per-axis quantization of tensor %d", (int)t->index);
  return TL_OK;
}

tl_status tl_prep_quantize(tl_kctx *ctx, tl_node *node) {
  tl_status st = kc_io(ctx, node, 1, 1, 1);
  if (st) return st;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  quant_state *s = tl_kpersist(ctx, sizeof *s);
  if (!s) return TL_ERR_NOMEM;
  node->state = s;
  if (!tl_qrange(out->type, &s->qmin, &s->qmax) || (out->type == TL_INT32 && in->type == TL_FLOAT32))
    return tl_kunsupported(ctx, node, "output type %s", tl_type_name(out->type));
  if ((st = need_per_tensor(ctx, node, out))) return st;
  if ((st = tl_kset_shape(ctx, node, out, in->ndim, in->dims))) return st;
  s->out_zp = out->zero_point;
  if (in->type == TL_FLOAT32) {
    s->scale = (double)out->scale;
    node->eval = out->type == TL_INT8 ? quantize_eval_f32_s8
               : out->type == TL_UINT8 ? quantize_eval_f32_u8 : quantize_eval_f32_s16;
    return TL_OK;
  }
  if ((st = need_per_tensor(ctx, node, in))) return st;
  s->in_zp = in->zero_point;
  /* quantize.cc: effective scale in double from the two float scales. */
  const double eff = (double)in->scale / (double)out->scale;
  if (tl_quantize_multiplier(eff, &s->mult, &s->shift))
    return tl_kfail(ctx, node, "requantization multiplier %g cannot be represented", eff);
  const int ti = in->type, to = out->type;
  if (ti == TL_INT8 && to == TL_INT8) node->eval = quantize_eval_s8_s8;
  else if (ti == TL_INT8 && to == TL_UINT8) node->eval = quantize_eval_s8_u8;
  else if (ti == TL_INT8 && to == TL_INT16) node->eval = quantize_eval_s8_s16;
  else if (ti == TL_INT8 && to == TL_INT32) node->eval = quantize_eval_s8_s32;
  else if (ti == TL_UINT8 && to == TL_INT8) node->eval = quantize_eval_u8_s8;
  else if (ti == TL_UINT8 && to == TL_UINT8) node->eval = quantize_eval_u8_u8;
  else if (ti == TL_INT16 && to == TL_INT8) node->eval = quantize_eval_s16_s8;
  else if (ti == TL_INT16 && to == TL_INT16) node->eval = quantize_eval_s16_s16;
  else if (ti == TL_INT16 && to == TL_INT32) node->eval = quantize_eval_s16_s32;
  else
    return tl_kunsupported(ctx, node, "%s -> %s", tl_type_name(ti), tl_type_name(to));
  return TL_OK;
}

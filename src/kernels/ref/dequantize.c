/* SPDX-License-Identifier: Apache-2.0
 * DEQUANTIZE: int8/uint8/int16 -> float32 as float(scale * (q - zero_point)) (per-tensor, or per-axis for
 * quantized constants), and float16 -> float32 (the converter's float16 weight option), exactly. */
#include <string.h>

#include "../quant_math.h"
#include "kcommon.h"

typedef struct {
  int64_t outer, axis_n, inner; /* per-axis: index = (outer, channel, inner) */
} deq_state;

/* IEEE binary16 -> binary32, exact for every input (subnormals, infinities, NaN payloads). */
static inline float half_to_float(uint16_t h) {
  const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu, bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else if (exp != 0) {
    bits = sign | ((exp + 112u) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;
  } else { /* subnormal: normalise */
    int e = -1;
    do {
      e++;
      mant <<= 1;
    } while (!(mant & 0x400u));
    bits = sign | ((uint32_t)(112 - e) << 23) | ((mant & 0x3ffu) << 13);
  }
  float f;
  memcpy(&f, &bits, 4);
  return f;
}

static tl_status dequantize_eval_f16(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const uint16_t *restrict in = node->in[0]->data;
  float *restrict out = node->out[0]->data;
  const int64_t n = tl_numel(node->out[0]);
  for (int64_t i = 0; i < n; i++) out[i] = half_to_float(in[i]);
  return TL_OK;
}

/* Per-tensor and per-axis share one loop: channel c of [outer, axis_n, inner] uses scales[c]. */
#define DEQ(name, T)                                                                             \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                                           \
    (void)ctx;                                                                                   \
    const deq_state *s = node->state;                                                            \
    const tl_tensor *t = node->in[0];                                                            \
    const T *restrict in = t->data;                                                              \
    float *restrict out = node->out[0]->data;                                                    \
    for (int64_t o = 0; o < s->outer; o++)                                                       \
      for (int64_t c = 0; c < s->axis_n; c++) {                                                  \
        const float sc = t->qcount > 1 ? t->scales[c] : t->scale;                                \
        const int32_t zp = t->qcount > 1 ? (int32_t)t->zero_points[c] : t->zero_point;          \
        const int64_t base = (o * s->axis_n + c) * s->inner;                                     \
        for (int64_t i = 0; i < s->inner; i++) out[base + i] = tl_dequantize_one(in[base + i], sc, zp); \
      }                                                                                          \
    return TL_OK;                                                                                \
  }
DEQ(dequantize_eval_s8, int8_t)
DEQ(dequantize_eval_u8, uint8_t)
DEQ(dequantize_eval_s16, int16_t)

tl_status tl_prep_dequantize(tl_kctx *ctx, tl_node *node) {
  tl_status st = kc_io(ctx, node, 1, 1, 1);
  if (st) return st;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  if (out->type != TL_FLOAT32) return tl_kunsupported(ctx, node, "output type %s", tl_type_name(out->type));
  if ((st = tl_kset_shape(ctx, node, out, in->ndim, in->dims))) return st;
  if (in->type == TL_FLOAT16) {
    node->eval = dequantize_eval_f16;
    return TL_OK;
  }
  if (in->type != TL_INT8 && in->type != TL_UINT8 && in->type != TL_INT16)
    return tl_kunsupported(ctx, node, "input type %s", tl_type_name(in->type));
  char msg[200];
  if (in->qcount < 1) return tl_kfail(ctx, node, "%s input without quantization parameters", tl_type_name(in->type));
  if (!tl_check_quant(in, msg, sizeof msg)) return tl_kfail(ctx, node, "%s", msg);
  if (in->qcount > 1 && !in->zero_points) return tl_kfail(ctx, node, "per-axis input without zero points");
  deq_state *s = tl_kpersist(ctx, sizeof *s);
  if (!s) return TL_ERR_NOMEM;
  if (in->qcount > 1) { /* tl_check_quant verified the axis and the count */
    s->outer = kc_prod(in->dims, 0, in->qaxis);
    s->axis_n = in->dims[in->qaxis];
    s->inner = kc_prod(in->dims, in->qaxis + 1, in->ndim);
  } else {
    s->outer = 1;
    s->axis_n = 1;
    s->inner = tl_numel(in);
  }
  node->state = s;
  node->eval = in->type == TL_INT8 ? dequantize_eval_s8 : in->type == TL_UINT8 ? dequantize_eval_u8 : dequantize_eval_s16;
  return TL_OK;
}

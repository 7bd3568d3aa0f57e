/* SPDX-License-Identifier: Apache-2.0
 * CAST between float32/float64/float16, int8/16/32/64, uint8/16/32, bool and complex64, with C++
 * static_cast semantics as TFLite (complex64 to a real type keeps the real part; a real value becomes
 * (x, 0)): to bool is x != 0, from bool 0/1, int -> narrower int wraps. Float -> int
 * truncates toward zero; out-of-range values and NaN (undefined in C) saturate through int64 and then
 * wrap like x86 does for in-range int64 values, so hostile inputs stay defined. */
#include <math.h>

#include "kcommon.h"

#include "fp16.h"

typedef struct {
  int from, to;
} cast_state;

/* Every source value is widened to one of these, then narrowed to the destination. */
typedef struct {
  int is_float;
  double f;
  int64_t i;
  int is_complex;
  float im; /* complex64 sources: the imaginary part (the real one is f) */
} wide;

static wide load(int type, const uint8_t *p) {
  wide w = {0, 0, 0, 0, 0.f};
  switch (type) {
    case TL_FLOAT32: { float v; memcpy(&v, p, 4); w.is_float = 1; w.f = v; } break;
    case TL_FLOAT64: { double v; memcpy(&v, p, 8); w.is_float = 1; w.f = v; } break;
    case TL_FLOAT16: { uint16_t v; memcpy(&v, p, 2); w.is_float = 1; w.f = tl_f16_to_f32(v); } break;
    case TL_COMPLEX64: { float v[2]; memcpy(v, p, 8); w.is_float = 1; w.f = v[0]; w.is_complex = 1; w.im = v[1]; } break;
    case TL_INT8: w.i = (int8_t)p[0]; break;
    case TL_UINT8: w.i = p[0]; break;
    case TL_BOOL: w.i = p[0] != 0; break;
    case TL_INT16: { int16_t v; memcpy(&v, p, 2); w.i = v; } break;
    case TL_UINT16: { uint16_t v; memcpy(&v, p, 2); w.i = v; } break;
    case TL_INT32: { int32_t v; memcpy(&v, p, 4); w.i = v; } break;
    case TL_UINT32: { uint32_t v; memcpy(&v, p, 4); w.i = v; } break;
    case TL_INT64: { int64_t v; memcpy(&v, p, 8); w.i = v; } break;
    default: break;
  }
  return w;
}

static int64_t f_to_i64(double f) {
  if (f != f) return 0;
  if (f >= 9223372036854775807.0) return INT64_MAX;
  if (f <= -9223372036854775808.0) return INT64_MIN;
  return (int64_t)f;
}

static void store(int type, uint8_t *p, wide w) {
  if (type == TL_COMPLEX64) {
    const float v[2] = {w.is_float ? (float)w.f : (float)w.i, w.is_complex ? w.im : 0.f};
    memcpy(p, v, 8);
    return;
  }
  if (type == TL_FLOAT32) { float v = w.is_float ? (float)w.f : (float)w.i; memcpy(p, &v, 4); return; }
  if (type == TL_FLOAT64) { double v = w.is_float ? w.f : (double)w.i; memcpy(p, &v, 8); return; }
  if (type == TL_FLOAT16) { uint16_t v = tl_f32_to_f16(w.is_float ? (float)w.f : (float)w.i); memcpy(p, &v, 2); return; }
  if (type == TL_BOOL) { p[0] = w.is_float ? (w.f != 0) : (w.i != 0); return; }
  const uint64_t u = (uint64_t)(w.is_float ? f_to_i64(w.f) : w.i);
  switch (type) {
    case TL_INT8: case TL_UINT8: p[0] = (uint8_t)u; break;
    case TL_INT16: case TL_UINT16: { uint16_t v = (uint16_t)u; memcpy(p, &v, 2); } break;
    case TL_INT32: case TL_UINT32: { uint32_t v = (uint32_t)u; memcpy(p, &v, 4); } break;
    default: memcpy(p, &u, 8); break;
  }
}

/* Generic path: any pair, one element at a time. */
static tl_status cast_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const cast_state *p = node->state;
  const uint8_t *src = node->in[0]->data;
  uint8_t *dst = node->out[0]->data;
  const size_t es = kc_esize(p->from), ed = kc_esize(p->to);
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) store(p->to, dst + (size_t)i * ed, load(p->from, src + (size_t)i * es));
  return TL_OK;
}

/* The common case in exported graphs (uint8 pixels into a float model), as a vectorizable loop. */
static tl_status cast_eval_u8_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const uint8_t *restrict s = node->in[0]->data;
  float *restrict d = node->out[0]->data;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) d[i] = (float)s[i];
  return TL_OK;
}

static int castable(int t) {
  switch (t) {
    case TL_FLOAT32: case TL_FLOAT64: case TL_FLOAT16: case TL_INT8: case TL_UINT8: case TL_BOOL: case TL_INT16:
    case TL_UINT16: case TL_INT32: case TL_UINT32: case TL_INT64: case TL_COMPLEX64:
      return 1;
    default: return 0;
  }
}

tl_status tl_prep_cast(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  if (!castable(in->type) || !castable(out->type))
    return tl_kunsupported(ctx, node, "cast %s -> %s", tl_type_name(in->type), tl_type_name(out->type));
  if ((s = tl_kset_shape(ctx, node, out, in->ndim, in->dims))) return s;
  cast_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->from = in->type;
  p->to = out->type;
  node->state = p;
  node->eval = (in->type == TL_UINT8 && out->type == TL_FLOAT32) ? cast_eval_u8_f32 : cast_eval;
  return TL_OK;
}

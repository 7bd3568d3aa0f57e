/* SPDX-License-Identifier: Apache-2.0
 * Helpers shared by the conv-family kernel tests: a seeded RNG, random tensors, per-channel
 * quantization, options tables, and the fused-activation clamps of the plain reference loops. */
#ifndef TL_TESTS_CONV_TESTUTIL_H
#define TL_TESTS_CONV_TESTUTIL_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "kharness.h"

static uint64_t ct_rng = 88172645463325252ull;
static inline void ct_seed(uint64_t s) { ct_rng = s * 2654435761ull + 1; }
static inline uint32_t ct_u32(void) {
  ct_rng ^= ct_rng << 13;
  ct_rng ^= ct_rng >> 7;
  ct_rng ^= ct_rng << 17;
  return (uint32_t)(ct_rng >> 16);
}
static inline int ct_int(int lo, int hi) { return lo + (int)(ct_u32() % (uint32_t)(hi - lo + 1)); }
static inline float ct_float(float lo, float hi) { return lo + (hi - lo) * (float)(ct_u32() % 1000001) / 1e6f; }

static inline float *ct_rand_f32(int64_t n, float lo, float hi) {
  float *p = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
  for (int64_t i = 0; i < n; i++) p[i] = ct_float(lo, hi);
  return p;
}
static inline void *ct_rand_int(int type, int64_t n, int lo, int hi) {
  size_t es = type == TL_INT16 ? 2 : type == TL_INT32 ? 4 : type == TL_INT64 ? 8 : 1;
  uint8_t *p = malloc(es * (size_t)(n > 0 ? n : 1));
  for (int64_t i = 0; i < n; i++) {
    int v = ct_int(lo, hi);
    if (type == TL_INT8) ((int8_t *)p)[i] = (int8_t)v;
    else if (type == TL_UINT8) p[i] = (uint8_t)v;
    else if (type == TL_INT16) ((int16_t *)p)[i] = (int16_t)v;
    else if (type == TL_INT32) ((int32_t *)p)[i] = v;
    else ((int64_t *)p)[i] = v;
  }
  return p;
}

/* Per-axis quantization (zero points 0) on axis; scales copied into harness-owned tensors (freed by
 * kh_reset). */
static inline void ct_quant_axis(tl_tensor *t, const float *scales, int n, int axis) {
  const int32_t d[1] = {n};
  float *s = (float *)kh_tensor(TL_FLOAT32, 1, d, scales, 1)->data;
  int64_t *z = (int64_t *)kh_tensor(TL_INT64, 1, d, NULL, 1)->data;
  t->qcount = n;
  t->scales = s;
  t->zero_points = z;
  t->qaxis = axis;
  t->scale = s[0];
  t->zero_point = 0;
}

/* Element i of an integer tensor's data. */
static inline int64_t ct_ival(const void *d, int type, int64_t i) {
  switch (type) {
    case TL_INT8: return ((const int8_t *)d)[i];
    case TL_UINT8: return ((const uint8_t *)d)[i];
    case TL_INT16: return ((const int16_t *)d)[i];
    case TL_INT32: return ((const int32_t *)d)[i];
    default: return ((const int64_t *)d)[i];
  }
}

/* Float clamp of the conv family (TANH/SIGN_BIT are not applied by TFLite's conv kernels). */
static inline float ct_conv_act(int act, float v) {
  float lo = -FLT_MAX, hi = FLT_MAX;
  if (act == 1) lo = 0;
  if (act == 3) lo = 0, hi = 6;
  if (act == 2) lo = -1, hi = 1;
  return v < lo ? lo : (v > hi ? hi : v);
}

/* The float tolerance TFLite compatibility is judged by. */
static inline int ct_close(float ours, float ref) { return fabsf(ours - ref) <= 1e-5f + 1e-4f * fabsf(ref); }

/* Quantized activation bounds as TFLite computes them. */
static inline void ct_qact(int act, float scale, int32_t zp, int32_t qmin, int32_t qmax, int32_t *lo, int32_t *hi) {
  *lo = qmin, *hi = qmax;
  if (act == 1 || act == 3 || act == 2) {
    int32_t q = zp + (int32_t)roundf((act == 2 ? -1.f : 0.f) / scale);
    if (q > *lo) *lo = q;
    if (act != 1) {
      q = zp + (int32_t)roundf((act == 3 ? 6.f : 1.f) / scale);
      if (q < *hi) *hi = q;
    }
  }
}

#endif

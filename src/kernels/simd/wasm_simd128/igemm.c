/* SPDX-License-Identifier: Apache-2.0
 * WebAssembly SIMD128 microkernels: float 4x8 indirect GEMM and GEMV (simd128 has no FMA: mul + add), and
 * the int8 4x8c4 / 1x8c4 indirect GEMMs (i32x4.dot_i16x8_s; requantizing, and the hybrid ops' int32 accumulators).
 * Compiled only when the module is built with -msimd128, which then is required to load it. */
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#include <string.h>

#include "../../ukernels.h"

#define ROWS4(X) X(0) X(1) X(2) X(3)

static inline void store4(float *c, v128_t v, size_t n) {
  if (n >= 4) {
    wasm_v128_store(c, v);
    return;
  }
  if (n > 0) c[0] = wasm_f32x4_extract_lane(v, 0);
  if (n > 1) c[1] = wasm_f32x4_extract_lane(v, 1);
  if (n > 2) c[2] = wasm_f32x4_extract_lane(v, 2);
}

static inline v128_t clampv(v128_t v, v128_t lo, v128_t hi) {
  return wasm_f32x4_pmin(wasm_f32x4_pmax(v, lo), hi);
}

void tl_f32_igemm_4x8__wasmsimd(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w,
                                float *c, size_t cm_stride, const tl_f32_minmax *p) {
  const v128_t vlo = wasm_f32x4_splat(p->lo), vhi = wasm_f32x4_splat(p->hi);
  while (nc > 0) {
    const v128_t b0 = wasm_v128_load(w), b1 = wasm_v128_load(w + 4);
    w += 8;
#define DECL(i) v128_t acc##i##0 = b0, acc##i##1 = b1;
    ROWS4(DECL)
#undef DECL
    const float *const *ap = a;
    for (size_t t = 0; t < ks; t++, ap += 4) {
      const float *a0 = ap[0], *a1 = ap[1], *a2 = ap[2], *a3 = ap[3];
      for (size_t k = 0; k < kc; k++) {
        const v128_t w0 = wasm_v128_load(w), w1 = wasm_v128_load(w + 4);
        w += 8;
#define STEP(i)                                                          \
  {                                                                      \
    const v128_t x = wasm_v128_load32_splat(a##i + k);                   \
    acc##i##0 = wasm_f32x4_add(acc##i##0, wasm_f32x4_mul(x, w0));        \
    acc##i##1 = wasm_f32x4_add(acc##i##1, wasm_f32x4_mul(x, w1));        \
  }
        ROWS4(STEP)
#undef STEP
      }
    }
    const size_t n = nc < 8 ? nc : 8;
#define STORE(i)                                                    \
  if (i < mr) {                                                     \
    float *ci = c + (size_t)(i) * cm_stride;                        \
    store4(ci, clampv(acc##i##0, vlo, vhi), n);                     \
    store4(ci + 4, clampv(acc##i##1, vlo, vhi), n > 4 ? n - 4 : 0); \
  }
    ROWS4(STORE)
#undef STORE
    c += n;
    nc -= n;
  }
}

void tl_f32_igemm_1x8__wasmsimd(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w,
                                float *c, size_t cm_stride, const tl_f32_minmax *p) {
  (void)mr, (void)cm_stride;
  const v128_t vlo = wasm_f32x4_splat(p->lo), vhi = wasm_f32x4_splat(p->hi);
  while (nc > 0) {
    v128_t a0 = wasm_v128_load(w), a1 = wasm_v128_load(w + 4);
    w += 8;
    for (size_t t = 0; t < ks; t++) {
      const float *x = a[t];
      for (size_t k = 0; k < kc; k++, w += 8) {
        const v128_t xv = wasm_v128_load32_splat(x + k);
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(xv, wasm_v128_load(w)));
        a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(xv, wasm_v128_load(w + 4)));
      }
    }
    const size_t n = nc < 8 ? nc : 8;
    store4(c, clampv(a0, vlo, vhi), n);
    store4(c + 4, clampv(a1, vlo, vhi), n > 4 ? n - 4 : 0);
    c += n;
    nc -= n;
  }
}

void tl_f32_gemv__wasmsimd(size_t n, size_t k, const float *x, const float *w, size_t ldw, const float *bias,
                           float *y, const tl_f32_minmax *p) {
  const size_t kv = k - k % 4;
  for (size_t j = 0; j < n; j++) {
    const float *wj = w + j * ldw;
    v128_t s0 = wasm_f32x4_splat(0.f), s1 = s0;
    size_t i = 0;
    for (; i + 8 <= kv; i += 8) {
      s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(x + i), wasm_v128_load(wj + i)));
      s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_v128_load(x + i + 4), wasm_v128_load(wj + i + 4)));
    }
    for (; i < kv; i += 4) s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(x + i), wasm_v128_load(wj + i)));
    s0 = wasm_f32x4_add(s0, s1);
    float r = (wasm_f32x4_extract_lane(s0, 0) + wasm_f32x4_extract_lane(s0, 1)) +
              (wasm_f32x4_extract_lane(s0, 2) + wasm_f32x4_extract_lane(s0, 3));
    for (; i < k; i++) r += x[i] * wj[i];
    float v = (bias ? bias[j] : 0.f) + r;
    v = v < p->lo ? p->lo : v;
    y[j] = v > p->hi ? p->hi : v;
  }
}

/* ---- int8 (requantizing and hybrid accumulators): the 4x8c4 tile of the scalar table's packing ----
 * Per group of 4 k: the inputs (+128, u8) widen to i16, the [8][4] weights to i16, and
 * i32x4.dot_i16x8_s sums product pairs exactly (|x * w| <= 255 * 128), so each accumulator lane holds
 * half of a column's group (k0 + k1 or k2 + k3); the halves are added at the end. */
static inline uint32_t ld4u(const int8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v ^ 0x80808080u;
}
static inline uint32_t ld_tail(const int8_t *p, size_t rem) {
  uint32_t v = (uint8_t)p[0];
  if (rem > 1) v |= (uint32_t)(uint8_t)p[1] << 8;
  if (rem > 2) v |= (uint32_t)(uint8_t)p[2] << 16;
  return v ^ 0x80808080u;
}

/* ruy's requantization (tl_mbqm_ruy) from the packed per-channel constants, per lane and with the
 * scalar twin's exact expression: simd128 has no per-lane variable shift, and this runs once per
 * output against kc * ks multiply-adds. */
static inline int32_t requant1(int32_t acc, const int32_t *rq, size_t j) {
  const int32_t mult = rq[TL_S8RQ_MULT * 8 + j], left = rq[TL_S8RQ_LSHIFT * 8 + j];
  const int32_t right = rq[TL_S8RQ_RSHIFT * 8 + j];
  const int32_t xs = (int32_t)((uint32_t)acc << left);
  const int32_t t = (int32_t)(((int64_t)xs * mult + (INT64_C(1) << 30)) >> 31);
  if (t > rq[TL_S8RQ_THRESH * 8 + j]) return rq[TL_S8RQ_OVF * 8 + j];
  return (int32_t)((int64_t)(t + rq[TL_S8RQ_NUDGE * 8 + j]) >> right);
}

/* One body for the requantizing kernels (MR 4 or 1) and the accumulator kernel (c32 != NULL: raw
 * int32 out, p unused); always inlined so each caller gets its own specialized loop. Row i of tap t is
 * a[t * MR + i]. */
static inline __attribute__((always_inline)) void s8_mrx8(const size_t MR, size_t mr, size_t nc, size_t kc,
                                                          size_t ks, const int8_t *const *a, const void *w,
                                                          int8_t *c, int32_t *c32, size_t cm_stride,
                                                          const tl_s8_minmax *p) {
  const size_t kf = kc & ~(size_t)3, rem = kc & 3;
  const uint8_t *wp = w;
  while (nc > 0) {
    const v128_t b0 = wasm_v128_load(wp), b1 = wasm_v128_load(wp + 16);
    const uint8_t *wk = wp + 32;
#define DECL(i) v128_t acc##i##0 = wasm_i32x4_splat(0), acc##i##1 = acc##i##0, acc##i##2 = acc##i##0, acc##i##3 = acc##i##0;
    ROWS4(DECL)
#undef DECL
    for (size_t t = 0; t < ks; t++) {
      const int8_t *a0 = a[t * MR];
      const int8_t *a1 = MR > 1 ? a[t * MR + 1] : a0, *a2 = MR > 2 ? a[t * MR + 2] : a0, *a3 = MR > 3 ? a[t * MR + 3] : a0;
      for (size_t k = 0; k < kc; k += 4, wk += 32) {
        const v128_t wlo = wasm_v128_load(wk), whi = wasm_v128_load(wk + 16);
        const v128_t w0 = wasm_i16x8_extend_low_i8x16(wlo), w1 = wasm_i16x8_extend_high_i8x16(wlo);
        const v128_t w2 = wasm_i16x8_extend_low_i8x16(whi), w3 = wasm_i16x8_extend_high_i8x16(whi);
        const int full = k < kf;
#define STEP(i)                                                                                      \
  if (i < MR) {                                                                                      \
    const uint32_t xv = full ? ld4u(a##i + k) : ld_tail(a##i + k, rem);                              \
    const v128_t x = wasm_u16x8_extend_low_u8x16(wasm_i32x4_splat((int32_t)xv));                     \
    acc##i##0 = wasm_i32x4_add(acc##i##0, wasm_i32x4_dot_i16x8(x, w0));                              \
    acc##i##1 = wasm_i32x4_add(acc##i##1, wasm_i32x4_dot_i16x8(x, w1));                              \
    acc##i##2 = wasm_i32x4_add(acc##i##2, wasm_i32x4_dot_i16x8(x, w2));                              \
    acc##i##3 = wasm_i32x4_add(acc##i##3, wasm_i32x4_dot_i16x8(x, w3));                              \
  }
        ROWS4(STEP)
#undef STEP
      }
    }
    const int32_t *rq = (const int32_t *)(const void *)wk;
    const size_t n = nc < 8 ? nc : 8;
#define STORE(i)                                                                                     \
  if (i < MR && i < mr) {                                                                            \
    const v128_t lo = wasm_i32x4_add(b0, wasm_i32x4_add(wasm_i32x4_shuffle(acc##i##0, acc##i##1, 0, 2, 4, 6), \
                                                       wasm_i32x4_shuffle(acc##i##0, acc##i##1, 1, 3, 5, 7))); \
    const v128_t hi = wasm_i32x4_add(b1, wasm_i32x4_add(wasm_i32x4_shuffle(acc##i##2, acc##i##3, 0, 2, 4, 6), \
                                                       wasm_i32x4_shuffle(acc##i##2, acc##i##3, 1, 3, 5, 7))); \
    if (c32) {                                                                                       \
      int32_t *ci = c32 + (size_t)(i) * cm_stride;                                                   \
      if (n == 8) {                                                                                  \
        wasm_v128_store(ci, lo);                                                                     \
        wasm_v128_store(ci + 4, hi);                                                                 \
      } else {                                                                                       \
        int32_t tmp[8];                                                                              \
        wasm_v128_store(tmp, lo);                                                                    \
        wasm_v128_store(tmp + 4, hi);                                                                \
        memcpy(ci, tmp, n * sizeof(int32_t));                                                        \
      }                                                                                              \
    } else {                                                                                         \
      int32_t tmp[8];                                                                                \
      wasm_v128_store(tmp, lo);                                                                      \
      wasm_v128_store(tmp + 4, hi);                                                                  \
      int8_t *ci = c + (size_t)(i) * cm_stride;                                                      \
      for (size_t j = 0; j < n; j++) {                                                               \
        int32_t v = requant1(tmp[j], rq, j) + p->out_zp;                                             \
        v = v < p->act_min ? p->act_min : v;                                                         \
        ci[j] = (int8_t)(v > p->act_max ? p->act_max : v);                                           \
      }                                                                                              \
    }                                                                                                \
  }
    ROWS4(STORE)
#undef STORE
    wp += tl_s8_igemm_panel_bytes(8, ks, kc);
    if (c32) c32 += n;
    else c += n;
    nc -= n;
  }
}

void tl_s8_igemm_acc_4x8c4__wasmsimd(size_t mr, size_t nc, size_t kc, size_t ks, const int8_t *const *a,
                                     const void *w, int32_t *c, size_t cm_stride) {
  s8_mrx8(4, mr, nc, kc, ks, a, w, NULL, c, cm_stride, NULL);
}

void tl_s8_igemm_4x8c4__wasmsimd(size_t mr, size_t nc, size_t kc, size_t ks, const int8_t *const *a, const void *w,
                                 int8_t *c, size_t cm_stride, const tl_s8_minmax *p) {
  s8_mrx8(4, mr, nc, kc, ks, a, w, c, NULL, cm_stride, p);
}

/* One row: a holds ks pointers (the fully connected layers at batch 1). */
void tl_s8_igemm_1x8c4__wasmsimd(size_t mr, size_t nc, size_t kc, size_t ks, const int8_t *const *a, const void *w,
                                 int8_t *c, size_t cm_stride, const tl_s8_minmax *p) {
  s8_mrx8(1, mr, nc, kc, ks, a, w, c, NULL, cm_stride, p);
}
#endif

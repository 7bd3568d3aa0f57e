/* SPDX-License-Identifier: Apache-2.0
 * AArch64 NEON microkernels: float 6x16 indirect GEMM (24 q-register accumulators, vfmaq by a
 * broadcast input) and GEMV. NEON is baseline on AArch64, so no run-time check is needed. */
#if defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>

#include "../../ukernels.h"

#define ROWS6(X) X(0) X(1) X(2) X(3) X(4) X(5)

static inline void store4(float *c, float32x4_t v, size_t n) {
  if (n >= 4) {
    vst1q_f32(c, v);
    return;
  }
  if (n >= 2) {
    vst1_f32(c, vget_low_f32(v));
    if (n == 3) c[2] = vgetq_lane_f32(v, 2);
  } else if (n == 1) {
    c[0] = vgetq_lane_f32(v, 0);
  }
}

static inline float32x4_t clampv(float32x4_t v, float32x4_t lo, float32x4_t hi) {
  return vminq_f32(vmaxq_f32(v, lo), hi);
}

void tl_f32_igemm_6x16__neon(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w,
                             float *c, size_t cm_stride, const tl_f32_minmax *p) {
  const float32x4_t vlo = vdupq_n_f32(p->lo), vhi = vdupq_n_f32(p->hi);
  while (nc > 0) {
    const float32x4_t b0 = vld1q_f32(w), b1 = vld1q_f32(w + 4), b2 = vld1q_f32(w + 8), b3 = vld1q_f32(w + 12);
    w += 16;
#define DECL(i) float32x4_t acc##i##0 = b0, acc##i##1 = b1, acc##i##2 = b2, acc##i##3 = b3;
    ROWS6(DECL)
#undef DECL
    const float *const *ap = a;
    for (size_t t = 0; t < ks; t++, ap += 6) {
      const float *a0 = ap[0], *a1 = ap[1], *a2 = ap[2], *a3 = ap[3], *a4 = ap[4], *a5 = ap[5];
      for (size_t k = 0; k < kc; k++) {
        const float32x4_t w0 = vld1q_f32(w), w1 = vld1q_f32(w + 4), w2 = vld1q_f32(w + 8), w3 = vld1q_f32(w + 12);
        w += 16;
#define STEP(i)                                  \
  {                                              \
    const float32x4_t x = vld1q_dup_f32(a##i + k); \
    acc##i##0 = vfmaq_f32(acc##i##0, x, w0);     \
    acc##i##1 = vfmaq_f32(acc##i##1, x, w1);     \
    acc##i##2 = vfmaq_f32(acc##i##2, x, w2);     \
    acc##i##3 = vfmaq_f32(acc##i##3, x, w3);     \
  }
        ROWS6(STEP)
#undef STEP
      }
    }
    const size_t n = nc < 16 ? nc : 16;
#define STORE(i)                                                                   \
  if (i < mr) {                                                                    \
    float *ci = c + (size_t)(i) * cm_stride;                                       \
    store4(ci, clampv(acc##i##0, vlo, vhi), n);                                    \
    store4(ci + 4, clampv(acc##i##1, vlo, vhi), n > 4 ? n - 4 : 0);                \
    store4(ci + 8, clampv(acc##i##2, vlo, vhi), n > 8 ? n - 8 : 0);                \
    store4(ci + 12, clampv(acc##i##3, vlo, vhi), n > 12 ? n - 12 : 0);             \
  }
    ROWS6(STORE)
#undef STORE
    c += n;
    nc -= n;
  }
}

void tl_f32_igemm_1x16__neon(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w,
                             float *c, size_t cm_stride, const tl_f32_minmax *p) {
  (void)mr, (void)cm_stride;
  const float32x4_t vlo = vdupq_n_f32(p->lo), vhi = vdupq_n_f32(p->hi);
  while (nc > 0) {
    float32x4_t a0 = vld1q_f32(w), a1 = vld1q_f32(w + 4), a2 = vld1q_f32(w + 8), a3 = vld1q_f32(w + 12);
    w += 16;
    for (size_t t = 0; t < ks; t++) {
      const float *x = a[t];
      for (size_t k = 0; k < kc; k++, w += 16) {
        const float32x4_t xv = vld1q_dup_f32(x + k);
        a0 = vfmaq_f32(a0, xv, vld1q_f32(w));
        a1 = vfmaq_f32(a1, xv, vld1q_f32(w + 4));
        a2 = vfmaq_f32(a2, xv, vld1q_f32(w + 8));
        a3 = vfmaq_f32(a3, xv, vld1q_f32(w + 12));
      }
    }
    const size_t n = nc < 16 ? nc : 16;
    store4(c, clampv(a0, vlo, vhi), n);
    store4(c + 4, clampv(a1, vlo, vhi), n > 4 ? n - 4 : 0);
    store4(c + 8, clampv(a2, vlo, vhi), n > 8 ? n - 8 : 0);
    store4(c + 12, clampv(a3, vlo, vhi), n > 12 ? n - 12 : 0);
    c += n;
    nc -= n;
  }
}

void tl_f32_gemv__neon(size_t n, size_t k, const float *x, const float *w, size_t ldw, const float *bias, float *y,
                       const tl_f32_minmax *p) {
  const size_t kv = k - k % 4;
  for (size_t j = 0; j < n; j++) {
    const float *wj = w + j * ldw;
    float32x4_t s0 = vdupq_n_f32(0.f), s1 = s0;
    size_t i = 0;
    for (; i + 8 <= kv; i += 8) {
      s0 = vfmaq_f32(s0, vld1q_f32(x + i), vld1q_f32(wj + i));
      s1 = vfmaq_f32(s1, vld1q_f32(x + i + 4), vld1q_f32(wj + i + 4));
    }
    for (; i < kv; i += 4) s0 = vfmaq_f32(s0, vld1q_f32(x + i), vld1q_f32(wj + i));
    float r = vaddvq_f32(vaddq_f32(s0, s1));
    for (; i < k; i++) r += x[i] * wj[i];
    float v = (bias ? bias[j] : 0.f) + r;
    v = v < p->lo ? p->lo : v;
    y[j] = v > p->hi ? p->hi : v;
  }
}
#endif

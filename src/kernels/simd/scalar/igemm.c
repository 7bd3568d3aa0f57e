/* SPDX-License-Identifier: Apache-2.0
 * Scalar twins of the SIMD microkernels: the same tiles and packed layouts in portable C. They are
 * the fallback on CPUs without a SIMD table and the oracle the SIMD kernels are tested against. */
#include "../../ops/conv_util.h"
#include "../../ukernels.h"

#include <string.h>

/* GCC's loop vectorizer turns the k loop into a shuffle-heavy vectorization across k; its SLP pass
 * vectorizes the NR loop well once the loop vectorizer is off for these functions. */
#if defined(__GNUC__) && !defined(__clang__)
#define UKATTR __attribute__((optimize("no-tree-loop-vectorize")))
#else
#define UKATTR
#endif

#define DEF_F32_IGEMM(MR, NR)                                                                                    \
  UKATTR void tl_f32_igemm_##MR##x##NR##__scalar(size_t mr, size_t nc, size_t kc, size_t ks,                     \
                                                 const float *const *a, const float *w, float *c,                \
                                                 size_t cm_stride, const tl_f32_minmax *p) {                     \
    const float lo = p->lo, hi = p->hi;                                                                          \
    while (nc > 0) {                                                                                             \
      float acc[MR][NR];                                                                                         \
      const float *bias = w;                                                                                     \
      for (int i = 0; i < MR; i++)                                                                               \
        for (int j = 0; j < NR; j++) acc[i][j] = 0.f;                                                            \
      w += NR;                                                                                                   \
      for (size_t t = 0; t < ks; t++) {                                                                          \
        const float *const *at = a + t * MR;                                                                     \
        for (size_t k = 0; k < kc; k++) {                                                                        \
          for (int i = 0; i < MR; i++) {                                                                         \
            const float x = at[i][k];                                                                            \
            for (int j = 0; j < NR; j++) acc[i][j] += x * w[j];                                                  \
          }                                                                                                      \
          w += NR;                                                                                               \
        }                                                                                                        \
      }                                                                                                          \
      const size_t n = nc < NR ? nc : NR;                                                                        \
      for (size_t i = 0; i < mr; i++)                                                                            \
        for (size_t j = 0; j < n; j++) {                                                                         \
          const float s = acc[i][j] + bias[j];                                                                   \
          float v = s < lo ? lo : s;                                                                             \
          c[i * cm_stride + j] = v > hi ? hi : v;                                                                \
        }                                                                                                        \
      c += n;                                                                                                    \
      nc -= n;                                                                                                   \
    }                                                                                                            \
  }

DEF_F32_IGEMM(1, 8)

/* The fallback table's kernel. With GCC or Clang it is written with their generic vectors (4 floats:
 * SSE2, NEON, simd128 or plain registers, whatever the target has), which keeps the 4x8 tile in
 * registers where their auto-vectorizers do not; the arithmetic is the same mul + add per element. */
#if defined(__GNUC__)
typedef float v4f __attribute__((vector_size(16)));
static inline v4f ld4(const float *p) {
  v4f v;
  memcpy(&v, p, sizeof v);
  return v;
}
void tl_f32_igemm_4x8__scalar(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w,
                              float *c, size_t cm_stride, const tl_f32_minmax *p) {
  const float lo = p->lo, hi = p->hi;
  while (nc > 0) {
    const v4f b0 = ld4(w), b1 = ld4(w + 4), z = {0, 0, 0, 0};
    v4f c00 = z, c01 = z;
    v4f c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
    w += 8;
    for (size_t t = 0; t < ks; t++) {
      const float *a0 = a[t * 4], *a1 = a[t * 4 + 1], *a2 = a[t * 4 + 2], *a3 = a[t * 4 + 3];
      for (size_t k = 0; k < kc; k++, w += 8) {
        const v4f w0 = ld4(w), w1 = ld4(w + 4);
        const float x0 = a0[k], x1 = a1[k], x2 = a2[k], x3 = a3[k];
        c00 += x0 * w0, c01 += x0 * w1;
        c10 += x1 * w0, c11 += x1 * w1;
        c20 += x2 * w0, c21 += x2 * w1;
        c30 += x3 * w0, c31 += x3 * w1;
      }
    }
    c00 += b0, c01 += b1, c10 += b0, c11 += b1, c20 += b0, c21 += b1, c30 += b0, c31 += b1;
    const size_t n = nc < 8 ? nc : 8;
    float t8[8];
#define STORE(u, v, i)                                   \
  if (i < mr) {                                          \
    memcpy(t8, &u, 16), memcpy(t8 + 4, &v, 16);          \
    for (size_t j = 0; j < n; j++) {                     \
      const float x = t8[j] < lo ? lo : t8[j];           \
      c[(i) * cm_stride + j] = x > hi ? hi : x;          \
    }                                                    \
  }
    STORE(c00, c01, 0)
    STORE(c10, c11, 1)
    STORE(c20, c21, 2)
    STORE(c30, c31, 3)
#undef STORE
    c += n;
    nc -= n;
  }
}
#else
DEF_F32_IGEMM(4, 8)
#endif

DEF_F32_IGEMM(8, 32)
DEF_F32_IGEMM(1, 32)
DEF_F32_IGEMM(6, 16)
DEF_F32_IGEMM(1, 16)

/* Four rows at a time share each load of x; each row keeps its own sum. */
UKATTR void tl_f32_gemv__scalar(size_t n, size_t k, const float *x, const float *w, size_t ldw, const float *bias,
                                float *y, const tl_f32_minmax *p) {
  for (size_t j = 0; j < n; j++) {
    const float *wj = w + j * ldw;
    float s0 = 0.f, s1 = 0.f, s2 = 0.f, s3 = 0.f;
    size_t i = 0;
    for (; i + 4 <= k; i += 4) {
      s0 += x[i] * wj[i];
      s1 += x[i + 1] * wj[i + 1];
      s2 += x[i + 2] * wj[i + 2];
      s3 += x[i + 3] * wj[i + 3];
    }
    for (; i < k; i++) s0 += x[i] * wj[i];
    float v = (bias ? bias[j] : 0.f) + ((s0 + s1) + (s2 + s3));
    v = v < p->lo ? p->lo : v;
    y[j] = v > p->hi ? p->hi : v;
  }
}

/* ruy's requantization (tl_mbqm_ruy) from the packed per-channel constants. */
static inline int32_t requant(int32_t acc, const int32_t *rq, size_t nr, size_t j) {
  const int32_t mult = rq[TL_S8RQ_MULT * nr + j], left = rq[TL_S8RQ_LSHIFT * nr + j];
  const int32_t right = rq[TL_S8RQ_RSHIFT * nr + j];
  const int32_t xs = (int32_t)((uint32_t)acc << left);
  const int32_t t = (int32_t)(((int64_t)xs * mult + (INT64_C(1) << 30)) >> 31);
  if (t > rq[TL_S8RQ_THRESH * nr + j]) return rq[TL_S8RQ_OVF * nr + j];
  return (int32_t)((int64_t)(t + rq[TL_S8RQ_NUDGE * nr + j]) >> right);
}

/* Per group of 4 k: the 4 inputs of each row (+128, unsigned) times the 4 weights of each column. The
 * tail group reads only the kc % 4 real inputs (the padded weights are zero). Leaves wk at the panel's
 * requantization constants. */
#define S8_ACCUMULATE(MR, NR)                                                                                    \
  uint32_t acc[MR][NR];                                                                                          \
  const int32_t *bias = (const int32_t *)(const void *)wp;                                                       \
  for (int i = 0; i < MR; i++)                                                                                   \
    for (int j = 0; j < NR; j++) acc[i][j] = (uint32_t)bias[j];                                                  \
  const int8_t *wk = (const int8_t *)(wp + NR * 4);                                                              \
  for (size_t t = 0; t < ks; t++) {                                                                              \
    const int8_t *const *at = a + t * MR;                                                                        \
    for (size_t g = 0; g < kq; g++, wk += NR * 4) {                                                              \
      const size_t k = g * 4, nk = kc - k < 4 ? kc - k : 4;                                                      \
      for (int i = 0; i < MR; i++) {                                                                             \
        uint32_t x[4] = {0, 0, 0, 0};                                                                            \
        for (size_t q = 0; q < nk; q++) x[q] = (uint8_t)(at[i][k + q] ^ 0x80);                                   \
        for (int j = 0; j < NR; j++)                                                                             \
          acc[i][j] += x[0] * (uint32_t)(int32_t)wk[j * 4] + x[1] * (uint32_t)(int32_t)wk[j * 4 + 1] +           \
                       x[2] * (uint32_t)(int32_t)wk[j * 4 + 2] + x[3] * (uint32_t)(int32_t)wk[j * 4 + 3];        \
      }                                                                                                          \
    }                                                                                                            \
  }

#define DEF_S8_IGEMM(MR, NR)                                                                                     \
  UKATTR void tl_s8_igemm_##MR##x##NR##c4__scalar(size_t mr, size_t nc, size_t kc, size_t ks,                    \
                                                   const int8_t *const *a, const void *w, int8_t *c,              \
                                                   size_t cm_stride, const tl_s8_minmax *p) {                     \
    const uint8_t *wp = w;                                                                                       \
    const size_t kq = (kc + 3) / 4;                                                                              \
    while (nc > 0) {                                                                                             \
      S8_ACCUMULATE(MR, NR)                                                                                      \
      const int32_t *rq = (const int32_t *)(const void *)wk;                                                     \
      const size_t n = nc < NR ? nc : NR;                                                                        \
      for (size_t i = 0; i < mr; i++)                                                                            \
        for (size_t j = 0; j < n; j++) {                                                                         \
          int32_t v = requant((int32_t)acc[i][j], rq, NR, j) + p->out_zp;                                        \
          v = v < p->act_min ? p->act_min : v;                                                                   \
          c[i * cm_stride + j] = (int8_t)(v > p->act_max ? p->act_max : v);                                      \
        }                                                                                                        \
      wp += tl_s8_igemm_panel_bytes(NR, ks, kc);                                                                 \
      c += n;                                                                                                    \
      nc -= n;                                                                                                   \
    }                                                                                                            \
  }

/* The accumulators themselves (hybrid kernels rescale them to float). */
#define DEF_S8_IGEMM_ACC(MR, NR)                                                                                 \
  UKATTR void tl_s8_igemm_acc_##MR##x##NR##c4__scalar(size_t mr, size_t nc, size_t kc, size_t ks,                \
                                                       const int8_t *const *a, const void *w, int32_t *c,         \
                                                       size_t cm_stride) {                                        \
    const uint8_t *wp = w;                                                                                       \
    const size_t kq = (kc + 3) / 4;                                                                              \
    while (nc > 0) {                                                                                             \
      S8_ACCUMULATE(MR, NR)                                                                                      \
      (void)wk;                                                                                                  \
      const size_t n = nc < NR ? nc : NR;                                                                        \
      for (size_t i = 0; i < mr; i++)                                                                            \
        for (size_t j = 0; j < n; j++) c[i * cm_stride + j] = (int32_t)acc[i][j];                                \
      wp += tl_s8_igemm_panel_bytes(NR, ks, kc);                                                                 \
      c += n;                                                                                                    \
      nc -= n;                                                                                                   \
    }                                                                                                            \
  }

DEF_S8_IGEMM_ACC(4, 8)
DEF_S8_IGEMM_ACC(8, 32)
DEF_S8_IGEMM_ACC(4, 16)
DEF_S8_IGEMM(4, 8)
DEF_S8_IGEMM(1, 8)
DEF_S8_IGEMM(8, 32)
DEF_S8_IGEMM(1, 32)
DEF_S8_IGEMM(4, 16)
DEF_S8_IGEMM(1, 16)

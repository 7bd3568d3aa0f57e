/* SPDX-License-Identifier: Apache-2.0
 * Portable cache-blocked float GEMM (C = A * B^T + bias, clamped) with a register-tiled MR x NR
 * microkernel written so the compiler vectorizes it (the NR loop is the vector loop, no reassociation
 * needed). A SIMD microkernel can replace ukernel() later, chosen at run time. */
#include "gemm.h"

#include <string.h>

/* K is processed in blocks of KC so that one packed panel (KC x NR floats) stays in L1, and M in blocks
 * of MC rows so that the A block (MC x KC) stays in L2 while every panel of B streams past it. */
#define KC 256
#define MC 64

size_t tl_f32_gemm_packed_size(int64_t n, int64_t k) {
  if (n < 0 || k < 0) return 0;
  int64_t panels = (n + TL_GEMM_NR - 1) / TL_GEMM_NR;
  if (k != 0 && panels > (int64_t)(SIZE_MAX / sizeof(float) / TL_GEMM_NR) / k) return 0;
  return (size_t)panels * TL_GEMM_NR * (size_t)k;
}

void tl_f32_gemm_pack_b(int n, int k, const float *b, size_t ldb, float *packed) {
  for (int p0 = 0; p0 < n; p0 += TL_GEMM_NR) {
    float *dst = packed + tl_f32_gemm_panel_offset(p0, k);
    int w = n - p0 < TL_GEMM_NR ? n - p0 : TL_GEMM_NR;
    for (int kk = 0; kk < k; kk++) {
      for (int j = 0; j < w; j++) dst[(size_t)kk * TL_GEMM_NR + j] = b[(size_t)(p0 + j) * ldb + kk];
      for (int j = w; j < TL_GEMM_NR; j++) dst[(size_t)kk * TL_GEMM_NR + j] = 0.f;
    }
  }
}

/* GCC's loop vectorizer turns the k loop of these microkernels into a shuffle-heavy vectorization
 * across k (5x slower than vectorizing the NR loop, which its SLP pass does once the loop vectorizer
 * is off for them). Clang needs no hint. */
#if defined(__GNUC__) && !defined(__clang__)
#define UKERNEL_ATTR __attribute__((optimize("no-tree-loop-vectorize")))
#else
#define UKERNEL_ATTR
#endif

/* One MR x NR tile over kc steps of K: acc = (first ? bias : C) + A * panel, clamped when `last`.
 * mr/nr (<= MR/NR) say how much of the tile is real; missing A rows read the last real row (harmless,
 * never stored) so the inner loops keep constant trip counts. */
UKERNEL_ATTR static void ukernel(int kc, const float *a, size_t lda, const float *restrict b, float *c, size_t ldc,
                                 int mr, int nr, int first, int last, const float *bias, float lo, float hi) {
  const float *restrict a0 = a, *restrict a1 = a + (size_t)(mr > 1 ? 1 : 0) * lda;
  const float *restrict a2 = a + (size_t)(mr > 2 ? 2 : mr - 1) * lda, *restrict a3 = a + (size_t)(mr > 3 ? 3 : mr - 1) * lda;
  float c0[TL_GEMM_NR], c1[TL_GEMM_NR], c2[TL_GEMM_NR], c3[TL_GEMM_NR];
  /* Rows are spelled out (no array of row pointers) so the accumulators stay in registers. */
#define TILE_INIT(ci, i)                                                                       \
  for (int j = 0; j < TL_GEMM_NR; j++)                                                         \
    ci[j] = (j >= nr || i >= mr) ? 0.f : first ? (bias ? bias[j] : 0.f) : c[(size_t)(i) * ldc + j];
  TILE_INIT(c0, 0)
  TILE_INIT(c1, 1)
  TILE_INIT(c2, 2)
  TILE_INIT(c3, 3)
#undef TILE_INIT
  for (int k = 0; k < kc; k++) {
    const float *restrict bk = b + (size_t)k * TL_GEMM_NR;
    const float x0 = a0[k], x1 = a1[k], x2 = a2[k], x3 = a3[k];
    for (int j = 0; j < TL_GEMM_NR; j++) {
      c0[j] += x0 * bk[j];
      c1[j] += x1 * bk[j];
      c2[j] += x2 * bk[j];
      c3[j] += x3 * bk[j];
    }
  }
#define TILE_STORE(ci, i)                                                                      \
  if (i < mr) {                                                                                \
    if (last)                                                                                  \
      for (int j = 0; j < TL_GEMM_NR; j++) {                                                   \
        float v = ci[j] < lo ? lo : ci[j];                                                     \
        ci[j] = v > hi ? hi : v;                                                               \
      }                                                                                        \
    for (int j = 0; j < nr; j++) c[(size_t)(i) * ldc + j] = ci[j];                             \
  }
  TILE_STORE(c0, 0)
  TILE_STORE(c1, 1)
  TILE_STORE(c2, 2)
  TILE_STORE(c3, 3)
#undef TILE_STORE
}

/* The single-row case (GEMV: FULLY_CONNECTED with batch 1, the last row of a tile) without the wasted
 * rows of the full tile. */
UKERNEL_ATTR static void ukernel_1(int kc, const float *restrict a, const float *restrict b, float *c, int nr,
                                   int first, int last, const float *bias, float lo, float hi) {
  float acc[TL_GEMM_NR];
  for (int j = 0; j < TL_GEMM_NR; j++) acc[j] = j < nr ? (first ? (bias ? bias[j] : 0.f) : c[j]) : 0.f;
  for (int k = 0; k < kc; k++) {
    const float av = a[k];
    const float *restrict bk = b + (size_t)k * TL_GEMM_NR;
    for (int j = 0; j < TL_GEMM_NR; j++) acc[j] += av * bk[j];
  }
  for (int j = 0; j < nr; j++) {
    float v = acc[j];
    if (last) {
      v = v < lo ? lo : v;
      v = v > hi ? hi : v;
    }
    c[j] = v;
  }
}

/* GEMV over four panels at once: four independent accumulator chains hide the add latency that
 * limits the single-panel loop. */
UKERNEL_ATTR static void gemv_4panels(int K, const float *restrict a, const float *restrict b, float *c,
                                      const float *bias, float lo, float hi) {
  const size_t ps = (size_t)K * TL_GEMM_NR;
  const float *restrict b0 = b, *restrict b1 = b + ps, *restrict b2 = b + 2 * ps, *restrict b3 = b + 3 * ps;
  float c0[TL_GEMM_NR], c1[TL_GEMM_NR], c2[TL_GEMM_NR], c3[TL_GEMM_NR];
  for (int j = 0; j < TL_GEMM_NR; j++) {
    c0[j] = bias ? bias[j] : 0.f;
    c1[j] = bias ? bias[TL_GEMM_NR + j] : 0.f;
    c2[j] = bias ? bias[2 * TL_GEMM_NR + j] : 0.f;
    c3[j] = bias ? bias[3 * TL_GEMM_NR + j] : 0.f;
  }
  for (int k = 0; k < K; k++) {
    const float x = a[k];
    const size_t o = (size_t)k * TL_GEMM_NR;
    for (int j = 0; j < TL_GEMM_NR; j++) {
      c0[j] += x * b0[o + j];
      c1[j] += x * b1[o + j];
      c2[j] += x * b2[o + j];
      c3[j] += x * b3[o + j];
    }
  }
  for (int j = 0; j < TL_GEMM_NR; j++) {
    c[j] = c0[j] < lo ? lo : (c0[j] > hi ? hi : c0[j]);
    c[TL_GEMM_NR + j] = c1[j] < lo ? lo : (c1[j] > hi ? hi : c1[j]);
    c[2 * TL_GEMM_NR + j] = c2[j] < lo ? lo : (c2[j] > hi ? hi : c2[j]);
    c[3 * TL_GEMM_NR + j] = c3[j] < lo ? lo : (c3[j] > hi ? hi : c3[j]);
  }
}

void tl_f32_gemm(int M, int N, int K, const float *a, size_t lda, const float *bp, const float *bias, float lo,
                 float hi, float *c, size_t ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) { /* empty sum: bias only */
    for (int m = 0; m < M; m++)
      for (int n = 0; n < N; n++) {
        float v = bias ? bias[n] : 0.f;
        v = v < lo ? lo : v;
        c[(size_t)m * ldc + n] = v > hi ? hi : v;
      }
    return;
  }
  if (M == 1) {
    /* GEMV: whole groups of four panels, then the remaining panels one by one. */
    int n0 = 0;
    for (; n0 + 4 * TL_GEMM_NR <= N; n0 += 4 * TL_GEMM_NR)
      gemv_4panels(K, a, bp + tl_f32_gemm_panel_offset(n0, K), c + n0, bias ? bias + n0 : NULL, lo, hi);
    for (; n0 < N; n0 += TL_GEMM_NR)
      ukernel_1(K, a, bp + tl_f32_gemm_panel_offset(n0, K), c + n0, N - n0 < TL_GEMM_NR ? N - n0 : TL_GEMM_NR, 1, 1,
                bias ? bias + n0 : NULL, lo, hi);
    return;
  }
  for (int k0 = 0; k0 < K; k0 += KC) {
    const int kc = K - k0 < KC ? K - k0 : KC;
    const int first = k0 == 0, last = k0 + kc == K;
    for (int m0 = 0; m0 < M; m0 += MC) {
      const int mc = M - m0 < MC ? M - m0 : MC;
      for (int n0 = 0; n0 < N; n0 += TL_GEMM_NR) {
        const int nr = N - n0 < TL_GEMM_NR ? N - n0 : TL_GEMM_NR;
        const float *panel = bp + tl_f32_gemm_panel_offset(n0, K) + (size_t)k0 * TL_GEMM_NR;
        for (int i = 0; i < mc; i += TL_GEMM_MR) {
          const int mr = mc - i < TL_GEMM_MR ? mc - i : TL_GEMM_MR;
          if (mr == 1) {
            ukernel_1(kc, a + (size_t)(m0 + i) * lda + k0, panel, c + (size_t)(m0 + i) * ldc + n0, nr, first, last,
                      bias ? bias + n0 : NULL, lo, hi);
            continue;
          }
          ukernel(kc, a + (size_t)(m0 + i) * lda + k0, lda, panel, c + (size_t)(m0 + i) * ldc + n0, ldc, mr, nr,
                  first, last, bias ? bias + n0 : NULL, lo, hi);
        }
      }
    }
  }
}

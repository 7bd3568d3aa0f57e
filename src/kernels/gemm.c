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

/* One MR x NR tile over kc steps of K. `first`: start from bias (or 0) instead of C; `last`: clamp.
 * mr/nr (<= MR/NR) say how much of the tile is real; missing A rows read the last real row (harmless,
 * never stored) so the inner loops keep constant trip counts. */
static void ukernel(int kc, const float *a, size_t lda, const float *restrict b, float *c, size_t ldc, int mr, int nr,
                    int first, int last, const float *bias, float lo, float hi) {
  float acc[TL_GEMM_MR][TL_GEMM_NR];
  const float *ap[TL_GEMM_MR];
  for (int i = 0; i < TL_GEMM_MR; i++) ap[i] = a + (size_t)(i < mr ? i : mr - 1) * lda;
  if (first) {
    for (int i = 0; i < TL_GEMM_MR; i++)
      for (int j = 0; j < TL_GEMM_NR; j++) acc[i][j] = (bias && j < nr) ? bias[j] : 0.f;
  } else {
    for (int i = 0; i < TL_GEMM_MR; i++)
      for (int j = 0; j < TL_GEMM_NR; j++) acc[i][j] = (i < mr && j < nr) ? c[(size_t)i * ldc + j] : 0.f;
  }
  for (int k = 0; k < kc; k++) {
    const float *restrict bk = b + (size_t)k * TL_GEMM_NR;
    for (int i = 0; i < TL_GEMM_MR; i++) {
      const float av = ap[i][k];
      for (int j = 0; j < TL_GEMM_NR; j++) acc[i][j] += av * bk[j];
    }
  }
  if (last) {
    for (int i = 0; i < TL_GEMM_MR; i++)
      for (int j = 0; j < TL_GEMM_NR; j++) {
        float v = acc[i][j];
        v = v < lo ? lo : v;
        acc[i][j] = v > hi ? hi : v;
      }
  }
  if (mr == TL_GEMM_MR && nr == TL_GEMM_NR) {
    for (int i = 0; i < TL_GEMM_MR; i++) memcpy(c + (size_t)i * ldc, acc[i], sizeof acc[i]);
  } else {
    for (int i = 0; i < mr; i++)
      for (int j = 0; j < nr; j++) c[(size_t)i * ldc + j] = acc[i][j];
  }
}

/* The single-row case (GEMV: FULLY_CONNECTED with batch 1, the last row of a tile) without the wasted
 * rows of the full tile. */
static void ukernel_1(int kc, const float *restrict a, const float *restrict b, float *c, int nr, int first, int last,
                      const float *bias, float lo, float hi) {
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

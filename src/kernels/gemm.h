/* SPDX-License-Identifier: Apache-2.0
 * Float GEMM used by CONV_2D (after im2col), FULLY_CONNECTED and friends: C = A * B^T + bias, clamped.
 * B (the weights, [N][K] row-major as TFLite stores them) is packed once into column panels. */
#ifndef TL_GEMM_H
#define TL_GEMM_H

#include <stddef.h>
#include <stdint.h>

/* Panel width of the packed B: the microkernel computes TL_GEMM_MR rows x TL_GEMM_NR columns. */
#define TL_GEMM_MR 4
#define TL_GEMM_NR 8

/* Floats needed to pack an N x K matrix (N rounded up to a whole panel). Returns 0 on overflow. */
size_t tl_f32_gemm_packed_size(int64_t n, int64_t k);

/* Packs B ([n][k] row-major, row stride ldb) into panels: panel p holds columns p*NR..p*NR+NR-1 as
 * k groups of NR consecutive floats, zero-padded past n. */
void tl_f32_gemm_pack_b(int n, int k, const float *b, size_t ldb, float *packed);

/* Offset (in floats) of the panel holding column n0 (n0 must be a multiple of TL_GEMM_NR). */
static inline size_t tl_f32_gemm_panel_offset(int n0, int k) { return (size_t)(n0 / TL_GEMM_NR) * (size_t)k * TL_GEMM_NR; }

/* C[m][n] = clamp(sum_k A[m][k] * B[n][k] + bias[n], lo, hi) for m < M, n < N.
 * A has row stride lda, C row stride ldc, bp is B packed by tl_f32_gemm_pack_b (possibly offset to a
 * panel with tl_f32_gemm_panel_offset, bias then offset the same way). bias may be NULL. Single
 * threaded: callers split M or N across threads. */
void tl_f32_gemm(int M, int N, int K, const float *a, size_t lda, const float *bp, const float *bias, float lo,
                 float hi, float *c, size_t ldc);

#endif

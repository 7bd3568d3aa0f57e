/* SPDX-License-Identifier: Apache-2.0
 * Single-threaded SGEMM for the trainer: C (+)= A*B with arbitrary row/column strides on A and B,
 * so every transpose the conv/dense forward and backward passes need is one call (packing absorbs
 * the transpose). Cache-blocked and register-tiled; the ISA's body is in simd/<isa>/sgemm.c and is
 * chosen through the microkernel table (ukernels.h), like every other kernel. */
#ifndef TL_SGEMM_H
#define TL_SGEMM_H

#include <stddef.h>

#include "ukernels.h"

/* Floats of scratch one tl_sgemm call needs (pack buffers); allocate per thread, 64-byte aligned. */
#define TL_SGEMM_WS_FLOATS ((size_t)(256 * 384 + 384 * 512 + 64))

/* C[i*ldc + j] = (accumulate ? C : 0) + sum_k A[i*rsa + k*csa] * B[k*rsb + j*csb]
 * for 0 <= i < M, 0 <= j < N, 0 <= k < K. ws: TL_SGEMM_WS_FLOATS floats. K == 0 is allowed. */
void tl_sgemm(int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa, const float *B, ptrdiff_t rsb,
              ptrdiff_t csb, int accumulate, float *C, ptrdiff_t ldc, float *ws);

/* tl_sgemm with A given indirectly (tl_sgemm_ind, ukernels.h): trans = 0, A is the M x K indirect
 * matrix (K = nseg*seglen); trans = 1, A is the transpose of a K x M indirect matrix (M = nseg*seglen). */
void tl_sgemm_indirect(int M, int N, int K, const tl_sgemm_ind *A, int trans, const float *B, ptrdiff_t rsb,
                       ptrdiff_t csb, int accumulate, float *C, ptrdiff_t ldc, float *ws);

/* Plain triple loop with the same contract (the test oracle). */
void tl_sgemm_ref(int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa, const float *B, ptrdiff_t rsb,
                  ptrdiff_t csb, int accumulate, float *C, ptrdiff_t ldc);

/* The microkernel table whose SGEMM tl_sgemm uses ("avx512", "avx2", "scalar", ...). */
const char *tl_sgemm_variant(void);

/* Forces a table (tests, benchmarks): 0 the best (tl_ukernels_best), 1 scalar, 2 avx2, 3 avx512.
 * Returns 0, or -1 if the CPU/build cannot run it. Not thread-safe; call before training. */
int tl_sgemm_force_variant(int v);

#endif

/* SPDX-License-Identifier: Apache-2.0
 * The trainer's SGEMM entry points (sgemm.h): the body comes from the microkernel table, so the
 * trainer and the inference kernels share one CPU dispatch (and TL_ISA). */
#include "sgemm.h"

#include <stdint.h>

static const tl_ukernels *chosen;

int tl_sgemm_force_variant(int v) {
  static const char *const names[] = {NULL, "scalar", "avx2", "avx512"};
  const tl_ukernels *k = v == 0 ? tl_ukernels_best() : v > 0 && v < 4 ? tl_ukernels_by_name(names[v]) : NULL;
  if (!k || !k->f32_sgemm) return -1;
  chosen = k;
  return 0;
}

static tl_f32_sgemm_fn body(void) {
  /* the first call comes from the trainer's set-up (one thread), so the lazy choice is safe */
  if (!chosen) tl_sgemm_force_variant(0);
  return chosen->f32_sgemm;
}

const char *tl_sgemm_variant(void) {
  body();
  return chosen->isa;
}

/* pack buffers 64-byte aligned inside the caller's TL_SGEMM_WS_FLOATS */
static float *aligned(float *ws) { return (float *)(((uintptr_t)ws + 63) & ~(uintptr_t)63); }

void tl_sgemm(int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa, const float *B, ptrdiff_t rsb,
              ptrdiff_t csb, int accumulate, float *C, ptrdiff_t ldc, float *ws) {
  if (M > 0 && N > 0) body()(M, N, K, A, rsa, csa, NULL, 0, B, rsb, csb, accumulate, C, ldc, aligned(ws));
}

void tl_sgemm_indirect(int M, int N, int K, const tl_sgemm_ind *A, int trans, const float *B, ptrdiff_t rsb,
                       ptrdiff_t csb, int accumulate, float *C, ptrdiff_t ldc, float *ws) {
  if (M > 0 && N > 0) body()(M, N, K, NULL, 0, 0, A, trans, B, rsb, csb, accumulate, C, ldc, aligned(ws));
}

void tl_sgemm_ref(int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa, const float *B, ptrdiff_t rsb,
                  ptrdiff_t csb, int accumulate, float *C, ptrdiff_t ldc) {
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++) {
      double s = accumulate ? C[i * ldc + j] : 0.0;
      for (int k = 0; k < K; k++) s += (double)A[i * rsa + k * csa] * B[k * rsb + j * csb];
      C[i * ldc + j] = (float)s;
    }
}

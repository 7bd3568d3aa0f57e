/* SGEMM entry point: instantiates gemm_impl.h for generic C and, on x86-64 with GCC/Clang, for
 * AVX2+FMA and AVX-512 via target attributes (function multiversioning by hand), then picks one
 * once from the CPU flags. Measured on the dev VM (one core, the tutorial conv2's GEMM shapes):
 * AVX-512 8x32 ~155-170 GFLOP/s, AVX2 6x16 ~95-110, generic SSE2 ~34. */
#include "gemm.h"

#include <stdint.h>
#include <string.h>

/* Block sizes: MC x KC packed A (<= 384 KB) lives in L2, a KC x NR B micro-panel in L1. */
#define GEMM_KC 384
#define GEMM_NC 512

#define GEMM_SUFFIX generic
#define GEMM_MR 6
#define GEMM_NR 8
#define GEMM_MC 240
#define GEMM_VW 4
#define GEMM_ATTR
#include "gemm_impl.h"
#undef GEMM_SUFFIX
#undef GEMM_MR
#undef GEMM_NR
#undef GEMM_MC
#undef GEMM_VW
#undef GEMM_ATTR

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define TL_GEMM_X86 1
#define GEMM_SUFFIX avx2
#define GEMM_MR 6
#define GEMM_NR 16
#define GEMM_MC 240
#define GEMM_VW 8
#define GEMM_ATTR __attribute__((target("avx2,fma")))
#include "gemm_impl.h"
#undef GEMM_SUFFIX
#undef GEMM_MR
#undef GEMM_NR
#undef GEMM_MC
#undef GEMM_VW
#undef GEMM_ATTR

#define GEMM_SUFFIX avx512
#define GEMM_MR 8
#define GEMM_NR 32
#define GEMM_MC 256
#define GEMM_VW 16
#if defined(__clang__)
#define GEMM_ATTR __attribute__((target("avx512f,avx512vl,fma")))
#else
#define GEMM_ATTR __attribute__((target("avx512f,avx512vl,fma,prefer-vector-width=512")))
#endif
#include "gemm_impl.h"
#undef GEMM_SUFFIX
#undef GEMM_MR
#undef GEMM_NR
#undef GEMM_MC
#undef GEMM_VW
#undef GEMM_ATTR
#endif

typedef void (*sgemm_fn)(int, int, int, const float *, ptrdiff_t, ptrdiff_t, const tl_sgemm_ind *, int,
                         const float *, ptrdiff_t, ptrdiff_t, int, float *, ptrdiff_t, float *);

static sgemm_fn chosen;
static const char *chosen_name = "generic";

static int cpu_has(int v)
{
#ifdef TL_GEMM_X86
    __builtin_cpu_init();
    if (v == 2) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (v == 3) return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
#endif
    return v == 1;
}

int tl_sgemm_force_variant(int v)
{
    if (v == 0) v = cpu_has(3) ? 3 : cpu_has(2) ? 2 : 1;
    if (!cpu_has(v)) return -1;
    switch (v) {
#ifdef TL_GEMM_X86
    case 3: chosen = sgemm_avx512; chosen_name = "avx512"; break;
    case 2: chosen = sgemm_avx2; chosen_name = "avx2"; break;
#endif
    default: chosen = sgemm_generic; chosen_name = "generic"; break;
    }
    return 0;
}

const char *tl_sgemm_variant(void)
{
    if (!chosen) tl_sgemm_force_variant(0);
    return chosen_name;
}

void tl_sgemm(int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa, const float *B,
              ptrdiff_t rsb, ptrdiff_t csb, int accumulate, float *C, ptrdiff_t ldc, float *ws)
{
    /* first call happens from the trainer's setup (single-threaded), so the lazy init is safe */
    if (!chosen) tl_sgemm_force_variant(0);
    if (M <= 0 || N <= 0) return;
    /* 64-byte align the pack buffers */
    float *aligned = (float *)(((uintptr_t)ws + 63) & ~(uintptr_t)63);
    chosen(M, N, K, A, rsa, csa, NULL, 0, B, rsb, csb, accumulate, C, ldc, aligned);
}

void tl_sgemm_indirect(int M, int N, int K, const tl_sgemm_ind *A, int trans, const float *B, ptrdiff_t rsb,
                       ptrdiff_t csb, int accumulate, float *C, ptrdiff_t ldc, float *ws)
{
    if (!chosen) tl_sgemm_force_variant(0);
    if (M <= 0 || N <= 0) return;
    float *aligned = (float *)(((uintptr_t)ws + 63) & ~(uintptr_t)63);
    chosen(M, N, K, NULL, 0, 0, A, trans, B, rsb, csb, accumulate, C, ldc, aligned);
}

void tl_sgemm_ref(int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa, const float *B,
                  ptrdiff_t rsb, ptrdiff_t csb, int accumulate, float *C, ptrdiff_t ldc)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = accumulate ? C[i * ldc + j] : 0.0;
            for (int k = 0; k < K; k++) s += (double)A[i * rsa + k * csa] * B[k * rsb + j * csb];
            C[i * ldc + j] = (float)s;
        }
}

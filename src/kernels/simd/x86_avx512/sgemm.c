/* SPDX-License-Identifier: Apache-2.0
 * The trainer's SGEMM (sgemm.h) for AVX-512: simd/sgemm_impl.h with 16-float vectors and
 * 8x32 tiles, ~155-170 GFLOP/s on the dev VM (one core, the tutorial conv2's GEMM shapes). Compiled
 * for any x86 with a target attribute, run only where the CPU has it. */
#if defined(__x86_64__) || defined(__i386__)
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../ukernels.h"

#define GEMM_SUFFIX avx512
#define GEMM_NAME tl_f32_sgemm_8x32__avx512f
#define GEMM_MR 8
#define GEMM_NR 32
#define GEMM_MC 256
#define GEMM_VW 16
#if defined(__clang__)
#define GEMM_ATTR __attribute__((target("avx512f,avx512vl,fma")))
#else
#define GEMM_ATTR __attribute__((target("avx512f,avx512vl,fma,prefer-vector-width=512")))
#endif
#include "../sgemm_impl.h"
#endif

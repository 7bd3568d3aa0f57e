/* SPDX-License-Identifier: Apache-2.0
 * The trainer's SGEMM (sgemm.h) for AVX2 + FMA: simd/sgemm_impl.h with 8-float vectors and
 * 6x16 tiles, ~95-110 GFLOP/s on the dev VM (one core, the tutorial conv2's GEMM shapes). Compiled
 * for any x86 with a target attribute, run only where the CPU has it. */
#if defined(__x86_64__) || defined(__i386__)
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../ukernels.h"

#define GEMM_SUFFIX avx2
#define GEMM_NAME tl_f32_sgemm_6x16__avx2
#define GEMM_MR 6
#define GEMM_NR 16
#define GEMM_MC 240
#define GEMM_VW 8
#define GEMM_ATTR __attribute__((target("avx2,fma")))
#include "../sgemm_impl.h"
#endif

/* SPDX-License-Identifier: Apache-2.0
 * The trainer's SGEMM (sgemm.h) for any CPU: simd/sgemm_impl.h with GCC/Clang vector types
 * of 4 floats and 6x8 tiles, ~34 GFLOP/s with SSE2 on the dev VM (one core, the tutorial conv2's
 * GEMM shapes). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../ukernels.h"

#define GEMM_SUFFIX generic
#define GEMM_NAME tl_f32_sgemm_6x8__generic
#define GEMM_MR 6
#define GEMM_NR 8
#define GEMM_MC 240
#define GEMM_VW 4
#define GEMM_ATTR 
#include "../sgemm_impl.h"

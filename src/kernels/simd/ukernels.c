/* SPDX-License-Identifier: Apache-2.0
 * Microkernel dispatch and weight packing. Each ISA's table is a const object; tl_ukernels_best()
 * reads the CPU's flags (x86: __builtin_cpu_supports, which also checks that the OS saves the wide
 * registers) and returns one of them, so there is no mutable global to race on. */
#include "../ukernels.h"

#include <stdlib.h>
#include <string.h>

static const tl_ukernels k_scalar = {
  "scalar",
  {4, 8, tl_f32_igemm_4x8__scalar, tl_f32_igemm_1x8__scalar},
  tl_f32_gemv__scalar,
  {4, 8, tl_s8_igemm_4x8c4__scalar, tl_s8_igemm_1x8c4__scalar, NULL},
  NULL, /* pooling: the reference loops vectorize well enough */
  NULL,
  tl_f32_sgemm_6x8__generic,
};

#if defined(__x86_64__) || defined(__i386__)
#define TL_HAVE_X86 1
static const tl_ukernels k_avx2 = {
  "avx2",
  {6, 16, tl_f32_igemm_6x16__avx2, tl_f32_igemm_1x16__avx2},
  tl_f32_gemv__avx2,
  {4, 16, tl_s8_igemm_4x16c4__avx2, tl_s8_igemm_1x16c4__avx2, tl_s8_igemm_acc_4x16c4__avx2},
  tl_f32_maxpool__avx2,
  tl_s8_maxpool__avx2,
  tl_f32_sgemm_6x16__avx2,
};
static const tl_ukernels k_avx512 = {
  "avx512",
  {8, 32, tl_f32_igemm_8x32__avx512f, tl_f32_igemm_1x32__avx512f},
  tl_f32_gemv__avx512f,
  {8, 32, tl_s8_igemm_8x32c4__avx512vnni, tl_s8_igemm_1x32c4__avx512vnni, tl_s8_igemm_acc_8x32c4__avx512vnni},
  tl_f32_maxpool__avx512f,
  tl_s8_maxpool__avx512bw,
  tl_f32_sgemm_8x32__avx512f,
};

static int cpu_avx2(void) {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
static int cpu_avx512(void) {
  return cpu_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
}
#endif

#if defined(__aarch64__) && defined(__ARM_NEON)
#define TL_HAVE_NEON 1
static const tl_ukernels k_neon = {
  "neon",
  {6, 16, tl_f32_igemm_6x16__neon, tl_f32_igemm_1x16__neon},
  tl_f32_gemv__neon,
  {4, 8, tl_s8_igemm_4x8c4__scalar, tl_s8_igemm_1x8c4__scalar, NULL},
  NULL, /* pooling: the reference loops vectorize well enough */
  NULL,
  tl_f32_sgemm_6x8__generic,
};
#endif

#if defined(__wasm_simd128__)
#define TL_HAVE_WASM 1
static const tl_ukernels k_wasm = {
  "wasm_simd128",
  {4, 8, tl_f32_igemm_4x8__wasmsimd, tl_f32_igemm_1x8__wasmsimd},
  tl_f32_gemv__wasmsimd,
  {4, 8, tl_s8_igemm_4x8c4__wasmsimd, tl_s8_igemm_1x8c4__wasmsimd, tl_s8_igemm_acc_4x8c4__wasmsimd},
  NULL, /* pooling: the reference loops vectorize well enough */
  NULL,
  tl_f32_sgemm_6x8__generic,
};
#endif

const tl_ukernels *tl_ukernels_by_name(const char *isa) {
  if (!isa) return NULL;
  if (!strcmp(isa, "scalar")) return &k_scalar;
#ifdef TL_HAVE_X86
  if (!strcmp(isa, "avx2")) return cpu_avx2() ? &k_avx2 : NULL;
  if (!strcmp(isa, "avx512")) return cpu_avx512() ? &k_avx512 : NULL;
#endif
#ifdef TL_HAVE_NEON
  if (!strcmp(isa, "neon")) return &k_neon; /* NEON is baseline on AArch64 */
#endif
#ifdef TL_HAVE_WASM
  if (!strcmp(isa, "wasm_simd128")) return &k_wasm; /* the module would not load without simd128 */
#endif
  return NULL;
}

const tl_ukernels *tl_ukernels_best(void) {
  /* TL_ISA=scalar|avx2|avx512|... caps the choice (tests of every table, A/B timing), like oneDNN's
   * ONEDNN_MAX_CPU_ISA; an unknown or unavailable name is ignored. */
  const char *want = getenv("TL_ISA");
  const tl_ukernels *forced = want && *want ? tl_ukernels_by_name(want) : NULL;
  if (forced) return forced;
#ifdef TL_HAVE_X86
  if (cpu_avx512()) return &k_avx512;
  if (cpu_avx2()) return &k_avx2;
#endif
#ifdef TL_HAVE_NEON
  return &k_neon;
#endif
#ifdef TL_HAVE_WASM
  return &k_wasm;
#endif
  return &k_scalar;
}

/* ---- packing ---- */

size_t tl_f32_igemm_packed_size(size_t nr, size_t n, size_t ks, size_t kc) {
  if (!nr || (kc && ks > SIZE_MAX / kc)) return 0;
  const size_t k = ks * kc, panels = (n + nr - 1) / nr;
  if (k > SIZE_MAX / nr - 1 || (panels && (k + 1) * nr > SIZE_MAX / sizeof(float) / panels)) return 0;
  return panels * nr * (k + 1);
}

void tl_f32_igemm_pack(size_t nr, size_t n, size_t ks, size_t kc, const float *w, size_t ldw, const float *bias,
                       float *packed) {
  const size_t k = ks * kc;
  for (size_t p0 = 0; p0 < n; p0 += nr) {
    const size_t np = n - p0 < nr ? n - p0 : nr;
    for (size_t j = 0; j < nr; j++) packed[j] = j < np && bias ? bias[p0 + j] : 0.f;
    packed += nr;
    for (size_t kk = 0; kk < k; kk++, packed += nr)
      for (size_t j = 0; j < nr; j++) packed[j] = j < np ? w[(p0 + j) * ldw + kk] : 0.f;
  }
}

size_t tl_s8_igemm_packed_size(size_t nr, size_t n, size_t ks, size_t kc) {
  if (!nr || (kc && ks > SIZE_MAX / 8 / kc) || nr > 4096) return 0;
  const size_t panels = (n + nr - 1) / nr, per = tl_s8_igemm_panel_bytes(nr, ks, kc);
  if (panels && per > SIZE_MAX / panels) return 0;
  return panels * per;
}

void tl_s8_igemm_pack(size_t nr, size_t n, size_t ks, size_t kc, const int8_t *w, size_t ldw, const int32_t *bias,
                      int32_t in_zp, const int32_t *mult, const int *shift, int per_channel, void *packed) {
  const size_t kq = (kc + 3) / 4;
  uint8_t *dst = packed;
  for (size_t p0 = 0; p0 < n; p0 += nr) {
    const size_t np = n - p0 < nr ? n - p0 : nr;
    int32_t *b = (int32_t *)(void *)dst;
    int8_t *wk = (int8_t *)(dst + nr * 4);
    for (size_t j = 0; j < nr; j++) {
      uint32_t v = 0;
      if (j < np) {
        /* bias - (128 + in_zp) * sum(w): the kernel sums (x + 128) * w */
        const int8_t *row = w + (p0 + j) * ldw;
        uint32_t s = 0;
        for (size_t kk = 0; kk < ks * kc; kk++) s += (uint32_t)(int32_t)row[kk];
        v = (bias ? (uint32_t)bias[p0 + j] : 0u) - (uint32_t)(128 + in_zp) * s;
      }
      b[j] = (int32_t)v;
    }
    for (size_t t = 0; t < ks; t++)
      for (size_t g = 0; g < kq; g++, wk += nr * 4)
        for (size_t j = 0; j < nr; j++)
          for (size_t q = 0; q < 4; q++) {
            const size_t k = g * 4 + q;
            wk[j * 4 + q] = j < np && k < kc ? w[(p0 + j) * ldw + t * kc + k] : 0;
          }
    int32_t *rq = (int32_t *)(void *)wk;
    for (size_t j = 0; j < nr; j++) {
      const size_t ch = per_channel ? (j < np ? p0 + j : p0) : 0;
      const int sh = shift[ch];
      const int32_t left = sh > 0 ? (sh > 31 ? 31 : sh) : 0, right = sh > 0 ? 0 : (-sh > 31 ? 31 : -sh);
      const int32_t nudge = right ? (int32_t)(INT32_C(1) << (right - 1)) : 0;
      rq[TL_S8RQ_MULT * nr + j] = mult[ch];
      rq[TL_S8RQ_LSHIFT * nr + j] = left;
      rq[TL_S8RQ_RSHIFT * nr + j] = right;
      rq[TL_S8RQ_NUDGE * nr + j] = nudge;
      rq[TL_S8RQ_THRESH * nr + j] = INT32_MAX - nudge;
      rq[TL_S8RQ_OVF * nr + j] = right ? (int32_t)(UINT32_C(1) << (31 - right)) : 0;
    }
    dst += tl_s8_igemm_panel_bytes(nr, ks, kc);
  }
}

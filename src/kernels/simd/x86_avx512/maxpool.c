/* SPDX-License-Identifier: Apache-2.0
 * AVX-512 max-pooling microkernels: 16 floats or 64 int8 per register, all taps of a channel block
 * reduced in a register (masked loads for the tail), one store. */
#if defined(__x86_64__) || defined(__i386__)
#include <float.h>
#include <immintrin.h>

#include "../../ukernels.h"

__attribute__((target("avx512f"))) void tl_f32_maxpool__avx512f(size_t taps, size_t c, const float *const *in,
                                                                 float *out, float lo, float hi) {
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  for (size_t j = 0; j < c; j += 16) {
    const __mmask16 m = c - j >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (c - j)) - 1);
    /* from lowest(), as TFLite; max_ps(x, acc) = x > acc ? x : acc, so a NaN x keeps acc */
    __m512 acc = _mm512_set1_ps(-FLT_MAX);
    for (size_t t = 0; t < taps; t++) acc = _mm512_max_ps(_mm512_maskz_loadu_ps(m, in[t] + j), acc);
    _mm512_mask_storeu_ps(out + j, m, _mm512_min_ps(vhi, _mm512_max_ps(vlo, acc)));
  }
}

__attribute__((target("avx512f,avx512bw"))) void tl_s8_maxpool__avx512bw(size_t taps, size_t c,
                                                                          const int8_t *const *in, int8_t *out,
                                                                          int8_t lo, int8_t hi) {
  const __m512i vlo = _mm512_set1_epi8(lo), vhi = _mm512_set1_epi8(hi);
  for (size_t j = 0; j < c; j += 64) {
    const __mmask64 m = c - j >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << (c - j)) - 1);
    __m512i acc = _mm512_maskz_loadu_epi8(m, in[0] + j);
    for (size_t t = 1; t < taps; t++) acc = _mm512_max_epi8(acc, _mm512_maskz_loadu_epi8(m, in[t] + j));
    _mm512_mask_storeu_epi8(out + j, m, _mm512_min_epi8(vhi, _mm512_max_epi8(vlo, acc)));
  }
}
#endif

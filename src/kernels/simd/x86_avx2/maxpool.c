/* SPDX-License-Identifier: Apache-2.0
 * AVX2 max-pooling microkernels: 8 floats or 32 int8 per register over all taps; the tail (fewer than
 * a register of channels) takes the scalar kernel's loop. */
#if defined(__x86_64__) || defined(__i386__)
#include <float.h>
#include <immintrin.h>

#include "../../ukernels.h"

__attribute__((target("avx2"))) void tl_f32_maxpool__avx2(size_t taps, size_t c, const float *const *in, float *out,
                                                           float lo, float hi) {
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  size_t j = 0;
  for (; j + 8 <= c; j += 8) {
    __m256 acc = _mm256_set1_ps(-FLT_MAX); /* from lowest(), as TFLite */
    for (size_t t = 0; t < taps; t++) acc = _mm256_max_ps(_mm256_loadu_ps(in[t] + j), acc); /* NaN keeps acc */
    _mm256_storeu_ps(out + j, _mm256_min_ps(vhi, _mm256_max_ps(vlo, acc)));
  }
  for (; j < c; j++) {
    float v = -FLT_MAX;
    for (size_t t = 0; t < taps; t++) v = in[t][j] > v ? in[t][j] : v;
    v = v < lo ? lo : v;
    out[j] = v > hi ? hi : v;
  }
}

__attribute__((target("avx2"))) void tl_s8_maxpool__avx2(size_t taps, size_t c, const int8_t *const *in, int8_t *out,
                                                          int8_t lo, int8_t hi) {
  const __m256i vlo = _mm256_set1_epi8(lo), vhi = _mm256_set1_epi8(hi);
  size_t j = 0;
  for (; j + 32 <= c; j += 32) {
    __m256i acc = _mm256_loadu_si256((const __m256i *)(const void *)(in[0] + j));
    for (size_t t = 1; t < taps; t++)
      acc = _mm256_max_epi8(acc, _mm256_loadu_si256((const __m256i *)(const void *)(in[t] + j)));
    _mm256_storeu_si256((__m256i *)(void *)(out + j), _mm256_min_epi8(vhi, _mm256_max_epi8(vlo, acc)));
  }
  for (; j < c; j++) {
    int8_t v = in[0][j];
    for (size_t t = 1; t < taps; t++) v = in[t][j] > v ? in[t][j] : v;
    v = v < lo ? lo : v;
    out[j] = v > hi ? hi : v;
  }
}
#endif

/* SPDX-License-Identifier: Apache-2.0
 * Scalar max-pooling microkernels over an indirection list of taps: the twins the SIMD kernels are
 * tested against (the fallback table leaves pooling to the reference loops in ops/pool2d.c). */
#include <float.h>

#include "../../ukernels.h"

void tl_f32_maxpool__scalar(size_t taps, size_t c, const float *const *in, float *out, float lo, float hi) {
  for (size_t j = 0; j < c; j++) {
    float v = -FLT_MAX; /* TFLite starts from lowest(); a NaN input never wins */
    for (size_t t = 0; t < taps; t++) v = in[t][j] > v ? in[t][j] : v;
    v = v < lo ? lo : v;
    out[j] = v > hi ? hi : v;
  }
}

void tl_s8_maxpool__scalar(size_t taps, size_t c, const int8_t *const *in, int8_t *out, int8_t lo, int8_t hi) {
  for (size_t j = 0; j < c; j++) {
    int8_t v = INT8_MIN;
    for (size_t t = 0; t < taps; t++) v = in[t][j] > v ? in[t][j] : v;
    v = v < lo ? lo : v;
    out[j] = v > hi ? hi : v;
  }
}

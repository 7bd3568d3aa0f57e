/* SPDX-License-Identifier: Apache-2.0
 * Quantization arithmetic shared by the converter's passes (TensorFlow's rules, see qmath.c); the
 * public part is declared in quant.h. */
#ifndef TL_QUANT_QMATH_H
#define TL_QUANT_QMATH_H

#include <stdint.h>

#include "quant.h"

/* Asymmetric int8 parameters for constant values (own min/max, range holding 0). */
void tl_q_asym_params(const float *v, int64_t n, double *scale, int32_t *zero_point);
/* Asymmetric per-tensor int8 constant: parameters and values. */
void tl_q_weights_asym(const float *w, int64_t n, double *scale, int32_t *zero_point, int8_t *q);
/* One value: round(v / scale) + zero_point, clamped to [qmin, qmax]. */
int32_t tl_q_quantize_value(float v, double scale, int32_t zp, int32_t qmin, int32_t qmax);
/* int32 bias values with per-channel (nscales = n) or per-tensor (nscales = 1) scales. */
void tl_q_bias(const float *b, int64_t n, const double *scales, int nscales, int32_t *q);

#endif

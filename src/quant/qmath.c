/* SPDX-License-Identifier: Apache-2.0
 * Quantization arithmetic with TensorFlow's converter rules: activation scale/zero point from a
 * calibrated range (fakeQuantAttrsToType + DownCastScale, the float32 "legacy" scales the Python
 * converter always asks for), symmetric per-channel weights, int32 biases, float16 conversion. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "qmath.h"

void tl_q_activation_params(double min, double max, double *scale, int32_t *zero_point) {
  /* ConvertStatsToQDQs: the range always holds 0 so that 0 is exact. */
  if (!(min < 0)) min = 0; /* also maps NaN to 0 */
  if (!(max > 0)) max = 0;
  if (fabs(max - min) < DBL_EPSILON) { /* all zeros: fakeQuantAttrsToType's special case */
    *scale = 1.0;
    *zero_point = -128;
    return;
  }
  /* DownCastScale: the scale in float32 arithmetic, the zero point from the minimum. */
  float s = ((float)max - (float)min) / 255.0f;
  float zf = (float)(-128.0 - min / (double)s);
  int32_t zp;
  if (zf < -128.0f) zp = -128;
  else if (zf > 127.0f) zp = 127;
  else zp = (int32_t)roundf(zf);
  *scale = s;
  *zero_point = zp;
}

void tl_q_asym_params(const float *v, int64_t n, double *scale, int32_t *zero_point) {
  /* ExtractMinMaxFromAttr (range including 0) then GetQuantizedType: tiny ranges widened to 1e-6. */
  double mn = DBL_MAX, mx = DBL_MIN;
  for (int64_t i = 0; i < n; i++) {
    if (v[i] < mn) mn = v[i];
    if (v[i] > mx) mx = v[i];
  }
  if (mn > 0) mn = 0;
  if (mx < 0) mx = 0;
  if (!(mx - mn > 1e-6)) {
    if (mn > -5e-7) mn = -5e-7;
    if (mx < 5e-7) mx = 5e-7;
  }
  tl_q_activation_params(mn, mx, scale, zero_point);
}

/* Channel of flat element i for a per-axis layout: (i / inner) % dim. */
static int64_t channel_of(int64_t i, int64_t inner, int64_t dim) { return (i / inner) % dim; }

void tl_q_weights_symmetric(const float *w, int ndim, const int32_t *dims, int axis, double *scales, int8_t *q) {
  int64_t n = 1, inner = 1, dim = 1;
  for (int d = 0; d < ndim; d++) n *= dims[d];
  if (axis >= 0 && axis < ndim) {
    dim = dims[axis];
    for (int d = axis + 1; d < ndim; d++) inner *= dims[d];
  }
  for (int64_t c = 0; c < dim; c++) scales[c] = 0;
  for (int64_t i = 0; i < n; i++) { /* max |w| per channel (double, as ExtractMinMaxFromAttr) */
    int64_t c = axis >= 0 ? channel_of(i, inner, dim) : 0;
    double a = fabs((double)w[i]);
    if (a > scales[c]) scales[c] = a;
  }
  for (int64_t c = 0; c < dim; c++) {
    double a = scales[c];
    if (!(2 * a > 1e-6) && a < 5e-7) a = 5e-7; /* ExpandVerySmallRange */
    /* DownCastScale over the narrow range [-127, 127]: float32(max - min) / 254. */
    scales[c] = ((float)a - (float)-a) / 254.0f;
  }
  for (int64_t i = 0; i < n; i++) {
    int64_t c = axis >= 0 ? channel_of(i, inner, dim) : 0;
    /* QuantizeLegacy: multiply by the float32 reciprocal of the scale, round half away from zero. */
    float r = (float)(1.0 / (double)(float)scales[c]);
    float v = roundf(w[i] * r);
    q[i] = (int8_t)(v > 127.f ? 127 : (v < -127.f ? -127 : v));
  }
}

void tl_q_weights_asym(const float *w, int64_t n, double *scale, int32_t *zero_point, int8_t *q) {
  tl_q_asym_params(w, n, scale, zero_point);
  for (int64_t i = 0; i < n; i++) q[i] = tl_q_quantize_value(w[i], *scale, *zero_point, -128, 127);
}

int32_t tl_q_quantize_value(float v, double scale, int32_t zp, int32_t qmin, int32_t qmax) {
  /* UniformQuantizedValueConverter: real / scale + zero_point in double, rounded half away from 0. */
  double x = round((double)v / scale) + zp;
  if (!(x >= qmin)) x = qmin; /* NaN goes to qmin */
  if (x > qmax) x = qmax;
  return (int32_t)x;
}

void tl_q_bias(const float *b, int64_t n, const double *scales, int nscales, int32_t *q) {
  for (int64_t i = 0; i < n; i++) {
    double s = scales[nscales == 1 ? 0 : i];
    /* SymmetricBiasQuantize: float32 reciprocal, float product rounded, saturated to +-INT32_MAX. */
    float r = s == 0 ? 0.f : (float)(1.0 / s);
    float v = roundf(b[i] * r);
    if (!(v > -2147483647.0f)) q[i] = v != v ? 0 : -2147483647;
    else if (v >= 2147483647.0f) q[i] = 2147483647;
    else q[i] = (int32_t)v;
  }
}

uint16_t tl_q_f32_to_f16(float f) {
  if (f > 65504.f) f = 65504.f; /* TF clamps to the largest finite half before converting */
  if (f < -65504.f) f = -65504.f;
  uint32_t x;
  memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u, mant = x & 0x7fffffu;
  int32_t e = (int32_t)((x >> 23) & 0xff);
  if (e == 0xff) return (uint16_t)(sign | 0x7c00u | (mant ? 0x200u : 0)); /* inf / NaN */
  e = e - 127 + 15;
  if (e >= 31) return (uint16_t)(sign | 0x7c00u);
  if (e <= 0) { /* subnormal half (or zero): round to nearest even */
    if (e < -10) return (uint16_t)sign;
    mant |= 0x800000u;
    int shift = 14 - e;
    uint32_t h = mant >> shift, rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1))) h++;
    return (uint16_t)(sign | h);
  }
  uint32_t h = sign | ((uint32_t)e << 10) | (mant >> 13), rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) h++; /* a carry into the exponent is correct */
  return (uint16_t)h;
}

float tl_q_f16_to_f32(uint16_t h) {
  int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  float v;
  if (e == 31) v = m ? NAN : INFINITY;
  else if (e == 0) v = ldexpf((float)m, -24);
  else v = ldexpf((float)(1024 + m), e - 25);
  return (h & 0x8000) ? -v : v;
}

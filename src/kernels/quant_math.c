/* SPDX-License-Identifier: Apache-2.0
 * TensorFlow Lite's quantized-multiplier construction, rounding, lookup-table generation and the
 * quantization-parameter check, written to reproduce TFLite 2.9's builtin kernels bit for bit. */
#include "quant_math.h"

#include <math.h>
#include <stdio.h>

double tl_round(double v) { return round(v); }
float tl_roundf(float v) { return roundf(v); }

int tl_quantize_multiplier(double m, int32_t *mult, int *shift) {
  *mult = 0;
  *shift = 0;
  if (!isfinite(m) || m < 0.0) return -1;
  if (m == 0.0) return 0;
  int e = 0;
  const double q = frexp(m, &e); /* m = q * 2^e, q in [0.5, 1) */
  /* TfLiteRound(q * 2^31): q * 2^31 is in [2^30, 2^31]; rounding can reach 2^31 exactly. */
  int64_t q_fixed = (int64_t)round(q * 2147483648.0);
  if (q_fixed == (INT64_C(1) << 31)) {
    q_fixed /= 2;
    e++;
  }
  if (e < -31) return 0; /* TFLite flushes multipliers below 2^-32 to zero (shift 0, mult 0) */
  if (e > 30) return -1;  /* x * 2^e would overflow int32 for every x != 0 */
  *mult = (int32_t)q_fixed;
  *shift = e;
  return 0;
}

int tl_quantize_multiplier_signed(double m, int32_t *mult, int *shift) {
  if (!(m < 0.0)) return tl_quantize_multiplier(m, mult, shift);
  *mult = 0;
  *shift = 0;
  if (!isfinite(m)) return -1;
  int e = 0;
  const double q = frexp(m, &e); /* q in (-1, -0.5] */
  const int64_t q_fixed = (int64_t)round(q * 2147483648.0); /* >= -2^31: fits int32 */
  if (e < -31) return 0;
  if (e > 30) return -1;
  *mult = (int32_t)q_fixed;
  *shift = e;
  return 0;
}

int tl_quantize_multiplier_lt1(double m, int32_t *mult, int *shift) {
  if (tl_quantize_multiplier(m, mult, shift) != 0) return -1;
  if (*shift > 0) {
    *mult = 0;
    *shift = 0;
    return -1;
  }
  return 0;
}

int tl_quantize_multiplier_gt1(double m, int32_t *mult, int *shift) {
  if (tl_quantize_multiplier(m, mult, shift) != 0) return -1;
  if (*shift < 0) {
    *mult = 0;
    *shift = 0;
    return -1;
  }
  return 0;
}

int tl_checked_log2(float x, int *out) {
  const float x_log2 = logf(x) * (1.0f / logf(2.0f));
  const float rounded = roundf(x_log2);
  const float frac = x_log2 - rounded;
  *out = (int)tl_f2i32((double)rounded);
  return fabsf(frac) < 1e-3f;
}

int tl_qrange(int type, int32_t *qmin, int32_t *qmax) {
  switch (type) {
    case TL_INT8: *qmin = -128, *qmax = 127; return 1;
    case TL_UINT8: *qmin = 0, *qmax = 255; return 1;
    case TL_INT16: *qmin = -32768, *qmax = 32767; return 1;
    case TL_INT32: *qmin = INT32_MIN, *qmax = INT32_MAX; return 1;
    default: *qmin = *qmax = 0; return 0;
  }
}

void tl_lut8_populate(uint8_t table[256], int fn, int is_signed, float in_scale, int32_t in_zp, float out_scale,
                      int32_t out_zp) {
  /* Every operation below is in float, as TFLite's std::function<float(float)> transform does. */
  const float inverse_scale = 1.0f / out_scale;
  const int32_t minval = is_signed ? -128 : 0, maxval = is_signed ? 127 : 255;
  for (int32_t val = minval; val <= maxval; ++val) {
    const float dequantized = in_scale * (float)(val - in_zp);
    float transformed;
    if (fn == TL_LUT_LOGISTIC)
      transformed = 1.0f / (1.0f + expf(-dequantized));
    else
      transformed = tanhf(dequantized);
    const float rescaled = roundf(transformed * inverse_scale);
    int32_t q = tl_f2i32((double)(rescaled + (float)out_zp));
    if (q < minval) q = minval;
    if (q > maxval) q = maxval;
    table[(uint8_t)val] = (uint8_t)q;
  }
}

void tl_softmax_table(float table[256], float in_scale, float beta) {
  const float scale = -in_scale * beta;
  for (int32_t val = 0; val <= 255; ++val) table[255 - val] = expf(scale * (float)val);
}

static double lut_fn(int fn, double x) { return fn == 0 ? exp(x) : 1.0 / (1.0 + x); }

static int16_t clamp16d(double v) {
  if (v < -32768.0) v = -32768.0;
  if (v > 32767.0) v = 32767.0;
  return (int16_t)v;
}

void tl_gen_lut16(int fn, double min, double max, int16_t *table, int num) {
  const double step = (max - min) / (num - 1);
  const double half_step = step / 2.0;
  for (int i = 0; i < num - 1; i++) {
    const double sample_val = round(lut_fn(fn, min + i * step) * 32768.0);
    const double midpoint_interp_val =
        round((lut_fn(fn, min + (i + 1) * step) * 32768.0 + round(lut_fn(fn, min + i * step) * 32768.0)) / 2.0);
    const double midpoint_val = round(lut_fn(fn, min + i * step + half_step) * 32768.0);
    const double midpoint_err = midpoint_interp_val - midpoint_val;
    const double bias = round(midpoint_err / 2.0);
    table[i] = clamp16d(sample_val - bias);
  }
  table[num - 1] = clamp16d(round(lut_fn(fn, max) * 32768.0));
}

int tl_check_quant(const tl_tensor *t, char *msg, size_t n) {
  if (!t || t->qcount == 0) return 1;
  const char *name = t->name ? t->name : "";
  if (t->qcount < 0 || !t->scales) {
    snprintf(msg, n, "tensor %d '%s': malformed quantization parameters", (int)t->index, name);
    return 0;
  }
  int32_t qmin = 0, qmax = 0;
  const int has_range = tl_qrange(t->type, &qmin, &qmax);
  if (t->qcount > 1) {
    if (t->qaxis < 0 || t->qaxis >= t->ndim) {
      snprintf(msg, n, "tensor %d '%s': quantized dimension %d out of range for rank %d", (int)t->index, name,
               (int)t->qaxis, (int)t->ndim);
      return 0;
    }
    if (t->dims[t->qaxis] != t->qcount) {
      snprintf(msg, n, "tensor %d '%s': %d per-axis scales but dimension %d has size %d", (int)t->index, name,
               (int)t->qcount, (int)t->qaxis, (int)t->dims[t->qaxis]);
      return 0;
    }
  }
  for (int32_t i = 0; i < t->qcount; i++) {
    const float s = t->scales[i];
    if (!isfinite(s) || !(s > 0.0f)) {
      snprintf(msg, n, "tensor %d '%s': quantization scale[%d] = %g must be finite and > 0", (int)t->index, name,
               (int)i, (double)s);
      return 0;
    }
    if (t->zero_points && has_range) {
      const int64_t zp = t->zero_points[i];
      if (zp < qmin || zp > qmax) {
        snprintf(msg, n, "tensor %d '%s': zero point[%d] = %lld outside the %s range [%d, %d]", (int)t->index, name,
                 (int)i, (long long)zp, tl_type_name(t->type), (int)qmin, (int)qmax);
        return 0;
      }
    }
  }
  return 1;
}

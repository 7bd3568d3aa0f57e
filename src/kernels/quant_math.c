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
    const float x = dequantized;
    float transformed;
    switch (fn) {
      case TL_LUT_LOGISTIC: transformed = 1.0f / (1.0f + expf(-x)); break;
      case TL_LUT_TANH: transformed = tanhf(x); break;
      case TL_LUT_ELU: transformed = x < 0.0f ? expf(x) - 1.0f : x; break;
      case TL_LUT_GELU: transformed = 0.5f * x * erfcf(x * (float)-0.70710678118654752440); break;
      default: /* GELU's tanh form: sqrt(2 / pi) as the float TFLite writes it */
        transformed = 0.5f * x * (1.f + tanhf((float)(1.12837916709551257390 * 0.70710678118654752440) *
                                             (x + 0.044715f * x * x * x)));
    }
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

/* ---- gemmlowp int16 fixed point ---------------------------------------------------------------- */

static inline int16_t w16(int32_t v) { return (int16_t)(uint16_t)(uint32_t)v; } /* int16 wraparound */

/* SaturatingRoundingDoublingHighMul for int16. */
static inline int16_t fx_mul(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  const int32_t ab = (int32_t)a * (int32_t)b;
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return w16((ab + nudge) / (1 << 15));
}

/* RoundingDivideByPOT on an int16 value. */
static inline int16_t fx_rdbpot(int16_t x, int e) {
  const int32_t mask = (1 << e) - 1;
  const int32_t rem = x & mask;
  const int32_t thr = (mask >> 1) + (x < 0 ? 1 : 0);
  return w16((x >> e) + (rem > thr ? 1 : 0));
}

/* SaturatingRoundingMultiplyByPOT<e> on int16: saturating left shift or rounding right shift. */
static inline int16_t fx_pot(int16_t x, int e) {
  if (e == 0) return x;
  if (e < 0) return fx_rdbpot(x, -e);
  const int32_t thr = (1 << (15 - e)) - 1;
  if (x > thr) return INT16_MAX;
  if (x < -thr) return INT16_MIN;
  return w16((int32_t)x * (1 << e));
}

/* gemmlowp's 32-bit constants, rounding-shifted to 16 bits (RescaleConstantInitializer). */
static inline int16_t fx_const(int32_t c) { return (int16_t)tl_rdbpot(c, 16); }

static inline int16_t fx_sat_add(int16_t a, int16_t b) {
  int32_t s = (int32_t)a + b;
  return (int16_t)(s < -32768 ? -32768 : (s > 32767 ? 32767 : s));
}

static inline int16_t fx_half_sum(int16_t a, int16_t b) {
  const int32_t sum = (int32_t)a + b;
  return w16((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/* exp(x) for x in [-1/4, 0), Q0.15 in and out. */
static int16_t fx_exp_quarter(int16_t a) {
  const int16_t constant_term = fx_const(1895147668), one_third = fx_const(715827883);
  const int16_t x = w16(a + (1 << 12));
  const int16_t x2 = fx_mul(x, x), x3 = fx_mul(x2, x), x4 = fx_mul(x2, x2);
  const int16_t x4_over_4 = fx_pot(x4, -2);
  const int16_t poly = fx_pot(w16(fx_mul(w16(x4_over_4 + x3), one_third) + x2), -1);
  return fx_sat_add(constant_term, fx_mul(constant_term, w16(x + poly)));
}

/* exp(a) for a <= 0, a in Q(k).(15-k); result Q0.15. */
static int16_t fx_exp_neg(int16_t a, int k) {
  static const int32_t mult[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  const int fbits = 15 - k;
  const int16_t quarter = (int16_t)(1 << (fbits - 2));
  const int16_t mask = (int16_t)(quarter - 1);
  const int16_t amq = w16((a & mask) - quarter);
  int16_t result = fx_exp_quarter(fx_pot(amq, k)); /* Rescale<0> from k integer bits */
  const int16_t remainder = w16(amq - a);
  for (int e = -2; e <= 4; e++) {
    if (k > e) {
      const int shift = fbits + e;
      if ((remainder & w16(1 << shift)) != 0) result = fx_mul(result, fx_const(mult[e + 2]));
    }
  }
  if (k > 5) {
    const int16_t clamp = fx_const(-(1 << (36 - k)));
    if (a < clamp) result = 0;
  }
  if (a == 0) result = INT16_MAX;
  return result;
}

/* Newton-Raphson 1/(1+x) (tanh = 0: returns Rescale<0>(x/2)) or (1-x)/(1+x) (tanh = 1), x in Q0.15. */
static int16_t fx_nr(int16_t a, int tanh_form) {
  const int16_t half_denominator = fx_half_sum(a, INT16_MAX);
  const int16_t c48_17 = fx_const(1515870810), cm32_17 = fx_const(-1010580540);
  int16_t x = w16(c48_17 + fx_mul(half_denominator, cm32_17)); /* Q2.13 */
  for (int i = 0; i < 3; i++) {
    const int16_t hdx = fx_mul(half_denominator, x);
    const int16_t one_minus = w16((1 << 13) - hdx);
    x = w16(x + fx_pot(fx_mul(x, one_minus), 2));
  }
  if (tanh_form) return fx_pot(w16(x - (1 << 13)), 2);
  return fx_pot(x, 1); /* ExactMulByPot<-1> then Rescale<0> from Q1 */
}

int16_t tl_fx16_logistic(int16_t x, int ib) {
  if (x == 0) return fx_const(1 << 30);
  const int16_t abs_in = x > 0 ? x : w16(-x);
  const int16_t pos = fx_nr(fx_exp_neg(w16(-abs_in), ib), 0);
  return x > 0 ? pos : w16(INT16_MAX - pos);
}

int16_t tl_fx16_tanh(int16_t x, int ib) {
  if (x == 0) return 0;
  const int16_t n = x < 0 ? x : w16(-x);
  const int16_t t = fx_nr(fx_exp_neg(n, ib + 1), 1); /* ExactMulByPot<1>: same raw, one more integer bit */
  return x < 0 ? w16(-t) : t;
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

/* gemmlowp fixed-point product of raws with a and b integer bits: SRDHM, a + b integer bits. */
#define FX_MUL(a, b) tl_srdhm((a), (b))

void tl_inv_sqrt_multiplier(int32_t input, int32_t *mult, int *shift) {
  if (input <= 1) {
    *mult = INT32_MAX, *shift = 0;
    return;
  }
  int s = 11;
  while (input >= (1 << 29)) input /= 4, s++;
  const int lz = __builtin_clz((uint32_t)input);
  const int pairs = (lz - 1) / 2 - 1;
  s -= pairs;
  input <<= 2 * pairs;
  const int32_t x_in = input >> 1;                    /* Q3 */
  const int32_t half_in = tl_rdbpot(x_in, 1);         /* Q3 */
  const int32_t half_three = (1 << 28) + (1 << 27);   /* 1.5 in Q3 */
  int32_t x = 1 << 28;                                /* 1.0 in Q3 */
  for (int i = 0; i < 5; i++) {
    const int32_t x3 = tl_srmbypot(FX_MUL(FX_MUL(x, x), x), 6);                         /* Q9 -> Q3 */
    x = tl_srmbypot((int32_t)((uint32_t)FX_MUL(half_three, x) - (uint32_t)FX_MUL(half_in, x3)), 3); /* Q6 -> Q3 */
  }
  x = FX_MUL(x, 1518500250); /* * sqrt(2)/2 in Q0 */
  if (s < 0) {
    x = (int32_t)((uint32_t)x << -s);
    s = 0;
  }
  *mult = x;
  *shift = -s;
}

/* gemmlowp one_over_one_plus_x_for_x_in_0_1 on a Q0.31 raw: three Newton-Raphson steps in Q2.29. */
static int32_t one_over_one_plus_x(int32_t a) {
  const int64_t sum = (int64_t)a + INT32_MAX; /* RoundingHalfSum(a, One()) */
  const int32_t half_den = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
  int32_t x = (int32_t)((uint32_t)1515870810 + (uint32_t)tl_srdhm(half_den, -1010580540)); /* 48/17 - 32/17 d */
  for (int i = 0; i < 3; i++) {
    const int32_t one_minus = (int32_t)((uint32_t)(1 << 29) - (uint32_t)tl_srdhm(half_den, x));
    x = (int32_t)((uint32_t)x + (uint32_t)tl_srmbypot(tl_srdhm(x, one_minus), 2));
  }
  return tl_srmbypot(x, 1);
}

int32_t tl_reciprocal(int32_t x, int x_integer_digits, int *num_bits_over_unit) {
  const int headroom_plus_one = __builtin_clz((uint32_t)x);
  *num_bits_over_unit = x_integer_digits - headroom_plus_one;
  const int32_t shifted_minus_one = (int32_t)(((uint32_t)x << headroom_plus_one) - ((uint32_t)1 << 31));
  return one_over_one_plus_x(shifted_minus_one);
}

/* SPDX-License-Identifier: Apache-2.0
 * TensorFlow Lite's fixed-point requantization arithmetic (quantized multipliers, the saturating rounding
 * doubling high multiply, rounding divide by a power of two), float<->quantized conversion and the
 * lookup tables of its 8-bit LOGISTIC/TANH/SOFTMAX, so integer kernels are bit-identical to TFLite 2.9. */
#ifndef TL_QUANT_MATH_H
#define TL_QUANT_MATH_H

#include <stddef.h>
#include <stdint.h>

#include "kernel.h"

/* ---- Quantized multipliers -------------------------------------------------------------------
 * A real multiplier m is stored as mult * 2^(shift - 31) with mult in [2^30, 2^31) (TFLite's
 * QuantizeMultiplier). Returns 0 on success; -1 (outputs zeroed) when m is negative, NaN or infinite,
 * or when the shift is so large (> 30) that applying it would overflow int32 for any non-zero input.
 * m == 0 gives (0, 0), and multipliers below 2^-32 are flushed to (0, 0) exactly as TFLite does. */
int tl_quantize_multiplier(double m, int32_t *mult, int *shift);
/* Same, accepting negative m as TFLite's QuantizeMultiplier does (LEAKY_RELU with alpha < 0): the
 * multiplier is negative, -2^31 when the rounding reaches it (no halving on that side). */
int tl_quantize_multiplier_signed(double m, int32_t *mult, int *shift);
/* TFLite's QuantizeMultiplierSmallerThanOneExp: as above, and additionally fails when shift > 0
 * (m >= 1 after rounding), where TFLite would abort. */
int tl_quantize_multiplier_lt1(double m, int32_t *mult, int *shift);
/* TFLite's QuantizeMultiplierGreaterThanOne: fails when shift < 0. */
int tl_quantize_multiplier_gt1(double m, int32_t *mult, int *shift);

/* gemmlowp SaturatingRoundingDoublingHighMul: round(a*b / 2^31) with ties away from zero in the
 * sense of gemmlowp's nudge, saturating the single overflow case INT32_MIN * INT32_MIN to INT32_MAX. */
static inline int32_t tl_srdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  int64_t ab = (int64_t)a * (int64_t)b;
  int64_t nudge = ab >= 0 ? (INT64_C(1) << 30) : (1 - (INT64_C(1) << 30));
  /* C division truncates toward zero, as gemmlowp's does. */
  return (int32_t)((ab + nudge) / (INT64_C(1) << 31));
}

/* gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero.
 * exponent is clamped to [0, 31] (TFLite asserts that range). */
static inline int32_t tl_rdbpot(int32_t x, int exponent) {
  if (exponent <= 0) return x;
  if (exponent > 31) exponent = 31;
  const int64_t mask = (INT64_C(1) << exponent) - 1;
  const int64_t remainder = (int64_t)x & mask;
  const int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  /* Arithmetic shift of a negative value: implementation-defined in C, arithmetic on every target
   * tinylite supports (gcc, clang, msvc). */
  return (int32_t)(((int64_t)x >> exponent) + (remainder > threshold ? 1 : 0));
}

/* x * 2^left_shift in int32 with two's-complement wraparound, as TFLite's `x * (1 << shift)`
 * behaves on real hardware (no UB here: done in uint32). */
static inline int32_t tl_shl_wrap(int32_t x, int left_shift) {
  if (left_shift <= 0) return x;
  if (left_shift > 31) left_shift = 31;
  return (int32_t)((uint32_t)x << left_shift);
}

/* MultiplyByQuantizedMultiplier as TFLite 2.9 builds it by default (TFLITE_SINGLE_ROUNDING undefined):
 * rounding twice, RDBPOT(SRDHM(x * 2^max(shift,0), mult), max(-shift,0)). */
static inline int32_t tl_mbqm(int32_t x, int32_t mult, int shift) {
  int left = shift > 0 ? shift : 0;
  int right = shift > 0 ? 0 : -shift;
  return tl_rdbpot(tl_srdhm(tl_shl_wrap(x, left), mult), right);
}

/* The TFLITE_SINGLE_ROUNDING=1 variant (some vendor builds): (x*mult + 2^(30-shift)) >> (31-shift),
 * i.e. round half up, once. Kept for tests and for anyone matching such a build; shift in [-31, 30]. */
static inline int32_t tl_mbqm_single(int32_t x, int32_t mult, int shift) {
  if (shift > 30) shift = 30;
  if (shift < -31) shift = -31;
  const int total = 31 - shift; /* 1..62 */
  int64_t r = (int64_t)x * (int64_t)mult + (INT64_C(1) << (total - 1));
  r >>= total;
  return (int32_t)r;
}

/* MultiplyByQuantizedMultiplier(int64_t x, ...) of the 16x8 paths (int64 accumulators), default build:
 * the multiplier is first reduced to 16 bits (rounded, saturated at 0x7FFF), then one rounding shift
 * by 15 - shift. TFLite requires shift in [-31, 7] and |x| < 2^47 (callers check the shift at prepare). */
static inline int32_t tl_mbqm64(int64_t x, int32_t mult, int shift) {
  const int32_t reduced = mult < 0x7FFF0000 ? ((mult + (1 << 15)) >> 16) : 0x7FFF;
  int total = 15 - shift;
  if (total < 1) total = 1;
  if (total > 62) total = 62;
  /* In int64 without overflow for |x| < 2^47: |x * reduced| < 2^62. Done in uint64 so that a hostile
   * |x| (which TFLite's asserts exclude) wraps instead of being UB. */
  uint64_t prod = (uint64_t)x * (uint64_t)(int64_t)reduced + (UINT64_C(1) << (total - 1));
  return (int32_t)((int64_t)prod >> total);
}

/* TFLite's MultiplyByQuantizedMultiplierSmallerThanOneExp / GreaterThanOne (same arithmetic). */
static inline int32_t tl_mbqm_lt1(int32_t x, int32_t mult, int left_shift) {
  return tl_rdbpot(tl_srdhm(x, mult), -left_shift);
}
static inline int32_t tl_mbqm_gt1(int32_t x, int32_t mult, int left_shift) {
  return tl_srdhm(tl_shl_wrap(x, left_shift), mult);
}

/* gemmlowp SaturatingRoundingMultiplyByPOT for int32 (exponent > 0 saturates, < 0 rounds). */
static inline int32_t tl_srmbypot(int32_t x, int exponent) {
  if (exponent == 0) return x;
  if (exponent < 0) return tl_rdbpot(x, -exponent);
  if (exponent > 31) exponent = 31;
  const int64_t lim = (INT64_C(1) << (31 - exponent)) - 1;
  if (x > lim) return INT32_MAX;
  if (x < -lim) return INT32_MIN;
  return (int32_t)((uint32_t)x << exponent);
}
/* Same for int16 values (gemmlowp's int16 raw type). */
static inline int16_t tl_srmbypot16(int16_t x, int exponent) {
  if (exponent == 0) return x;
  if (exponent < 0) {
    int32_t r = tl_rdbpot(x, -exponent);
    return (int16_t)r;
  }
  if (exponent > 15) exponent = 15;
  const int32_t lim = (1 << (15 - exponent)) - 1;
  if (x > lim) return INT16_MAX;
  if (x < -lim) return INT16_MIN;
  return (int16_t)(int32_t)((uint32_t)(int32_t)x << exponent);
}

/* ---- Float <-> integer -------------------------------------------------------------------------- */

/* static_cast<int32_t>(double) as compiled for x86-64 (cvttsd2si): truncation toward zero, and the
 * "integer indefinite" INT32_MIN for NaN and out-of-range values. TFLite's casts are UB there; this is
 * what its reference build does on the machines its goldens come from, and it never traps. */
static inline int32_t tl_f2i32(double v) {
  if (!(v > -2147483649.0 && v < 2147483648.0)) return INT32_MIN;
  return (int32_t)v;
}
/* TfLiteRound (std::round): half away from zero. */
double tl_round(double v);
float tl_roundf(float v);

/* TFLite's AffineQuantize for one value: clamp(int32(round(v / (double)scale)) + zp, qmin, qmax). */
static inline int32_t tl_quantize_one(float v, double scale, int32_t zp, int32_t qmin, int32_t qmax) {
  int32_t q = (int32_t)((uint32_t)tl_f2i32(tl_round((double)v / scale)) + (uint32_t)zp);
  return q < qmin ? qmin : (q > qmax ? qmax : q);
}
/* TFLite's Dequantize for one value: float(scale * (q - zp)). */
static inline float tl_dequantize_one(int32_t q, float scale, int32_t zp) {
  return (float)((double)scale * (double)(q - zp));
}

/* TFLite's CheckedLog2: *out = round(log2(x)) computed in float; returns 1 when x is a power of two
 * within 1e-3 in the exponent. */
int tl_checked_log2(float x, int *out);

/* GetInvSqrtQuantizedMultiplierExp(input, reverse_shift = -1): 1 / sqrt(input) as a multiplier and
 * shift (five gemmlowp Newton steps in Q3; input <= 1 gives INT32_MAX, 0). L2_NORMALIZATION, RSQRT. */
void tl_inv_sqrt_multiplier(int32_t input, int32_t *mult, int *shift);

/* TFLite's GetReciprocal: 1 / x for x > 0 as a Q0.31 raw and the bits it stands above 1.0 (x has
 * x_integer_digits integer bits). Quantized DIV. */
int32_t tl_reciprocal(int32_t x, int x_integer_digits, int *num_bits_over_unit);

/* Range of an integer tensor type (int8/uint8/int16/int32); 0 for other types. */
int tl_qrange(int type, int32_t *qmin, int32_t *qmax);

/* ---- 8-bit lookup tables (TFLite 2.9 builtin LOGISTIC/TANH int8/uint8 and SOFTMAX int8/uint8) ----- */

enum { TL_LUT_LOGISTIC = 0, TL_LUT_TANH = 1, TL_LUT_ELU = 2, TL_LUT_GELU = 3, TL_LUT_GELU_TANH = 4 };
/* activations.cc PopulateLookupTable: for each input byte, dequantize in float, apply the function in
 * float (1/(1+expf(-x)), tanhf, ELU's expf(x) - 1 below 0, GELU's 0.5 x erfc(-x / sqrt 2) or its tanh
 * approximation), quantize with roundf and clamp. Indexed by the raw byte
 * ((uint8_t)value for int8). is_signed: int8 (1) or uint8 (0). */
void tl_lut8_populate(uint8_t table[256], int fn, int is_signed, float in_scale, int32_t in_zp, float out_scale,
                      int32_t out_zp);

/* optimized_ops PopulateSoftmaxLookupTable: table[255 - v] = expf(-in_scale * beta * v), v in [0, 255]. */
void tl_softmax_table(float table[256], float in_scale, float beta);

/* reference gen_lut (int16 SOFTMAX): num samples of f over [min, max] quantized to int16, with the
 * midpoint interpolation correction TFLite applies. fn: 0 = exp(x), 1 = 1/(1+x). */
void tl_gen_lut16(int fn, double min, double max, int16_t *table, int num);
/* reference generic_int16_table_lookup: 513-entry LUT interpolation of an int16 value. */
static inline int16_t tl_lut16_lookup(int16_t value, const int16_t *lut) {
  const uint16_t index = (uint16_t)(256 + (value >> 7));
  const int16_t offset = (int16_t)(value & 0x7f);
  const int16_t base = lut[index];
  const int16_t slope = (int16_t)(lut[index + 1] - lut[index]);
  const int16_t delta = (int16_t)((slope * offset + 64) >> 7);
  return (int16_t)(base + delta);
}

/* ---- gemmlowp int16 fixed-point functions (LSTM gates, int16 LOGISTIC/TANH) ------------------------
 * x is a Q(ib).(15-ib) value; the result is Q0.15. Bit-exact ports of gemmlowp's fixedpoint.h
 * logistic() and tanh() on int16 raw values (every add/sub wraps in int16 as gemmlowp's does, its
 * 32-bit constants are rounded to 16 bits). ib in [0, 6] for tanh, [0, 7] for logistic. */
int16_t tl_fx16_logistic(int16_t x, int ib);
int16_t tl_fx16_tanh(int16_t x, int ib);

/* ---- Checks ---------------------------------------------------------------------------------------- */

/* Validates a tensor's quantization parameters for use by an integer kernel: every scale finite and
 * > 0, zero points within the type's range, per-axis count equal to the size of the quantized
 * dimension and the axis in range. Returns 1 when fine; otherwise 0 with a message in msg. Tensors
 * without quantization (qcount 0) pass. */
int tl_check_quant(const tl_tensor *t, char *msg, size_t n);

#endif

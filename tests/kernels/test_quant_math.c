/* SPDX-License-Identifier: Apache-2.0
 * Pins TensorFlow Lite's fixed-point primitives (src/kernels/quant_math.h) on their edge cases: ties,
 * negative values, INT32_MIN saturation, the extreme shifts, double vs single rounding, the 16x8 int64
 * path, float quantization, lookup tables, and the rejection of meaningless quantization parameters. */
#include <math.h>
#include <stdint.h>

#include "../../src/kernels/quant_math.h"
#include "../test.h"

TEST(srdhm_saturates_int32_min_squared) {
  EXPECT_EQ(tl_srdhm(INT32_MIN, INT32_MIN), INT32_MAX);
  /* (2^31-1)^2 / 2^31 = 2^31 - 2 + (1 + 2^30)/2^31 -> 2147483646 */
  EXPECT_EQ(tl_srdhm(INT32_MAX, INT32_MAX), 2147483646);
  EXPECT_EQ(tl_srdhm(INT32_MIN, INT32_MAX), -2147483647);
  EXPECT_EQ(tl_srdhm(INT32_MIN, 1 << 30), -(1 << 30));
  EXPECT_EQ(tl_srdhm(0, INT32_MIN), 0);
}

TEST(srdhm_ties_and_signs) {
  /* a*b = 2^30 is exactly 0.5 after the doubling high multiply: rounds up to 1 */
  EXPECT_EQ(tl_srdhm(1 << 30, 1), 1);
  /* -0.5 -> 0 and -1.5 -> -1: gemmlowp's nudge 1-2^30 with truncating division rounds ties up */
  EXPECT_EQ(tl_srdhm(-(1 << 30), 1), 0);
  EXPECT_EQ(tl_srdhm(-(1 << 30), 3), -1);
  EXPECT_EQ(tl_srdhm(1 << 30, 3), 2);
  EXPECT_EQ(tl_srdhm(100, 1 << 30), 50);
  EXPECT_EQ(tl_srdhm(-100, 1 << 30), -50);
  EXPECT_EQ(tl_srdhm(7, 1 << 29), 2);   /* 1.75 */
  EXPECT_EQ(tl_srdhm(-7, 1 << 29), -2); /* -1.75 */
}

TEST(rdbpot_rounds_half_away_from_zero) {
  EXPECT_EQ(tl_rdbpot(5, 1), 3);
  EXPECT_EQ(tl_rdbpot(-5, 1), -3);
  EXPECT_EQ(tl_rdbpot(3, 1), 2);
  EXPECT_EQ(tl_rdbpot(-3, 1), -2);
  EXPECT_EQ(tl_rdbpot(-4, 1), -2);
  EXPECT_EQ(tl_rdbpot(6, 2), 2);   /* 1.5 */
  EXPECT_EQ(tl_rdbpot(-6, 2), -2); /* -1.5 */
  EXPECT_EQ(tl_rdbpot(-5, 2), -1); /* -1.25 */
  EXPECT_EQ(tl_rdbpot(-7, 2), -2); /* -1.75 */
  EXPECT_EQ(tl_rdbpot(12345, 0), 12345);
  /* the largest exponent TFLite allows */
  EXPECT_EQ(tl_rdbpot(INT32_MIN, 31), -1);
  EXPECT_EQ(tl_rdbpot(INT32_MAX, 31), 1);
  EXPECT_EQ(tl_rdbpot(1 << 30, 31), 1);     /* +0.5 */
  EXPECT_EQ(tl_rdbpot(-(1 << 30), 31), -1); /* -0.5 */
  EXPECT_EQ(tl_rdbpot((1 << 30) - 1, 31), 0);
  EXPECT_EQ(tl_rdbpot(-(1 << 30) + 1, 31), 0);
}

TEST(quantize_multiplier_basic) {
  int32_t m;
  int s;
  EXPECT_EQ(tl_quantize_multiplier(0.5, &m, &s), 0);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 0);
  EXPECT_EQ(tl_quantize_multiplier(1.0, &m, &s), 0);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 1);
  EXPECT_EQ(tl_quantize_multiplier(0.75, &m, &s), 0);
  EXPECT_EQ(m, 1610612736);
  EXPECT_EQ(s, 0);
  EXPECT_EQ(tl_quantize_multiplier(0.1, &m, &s), 0);
  EXPECT_EQ(m, 1717986918); /* round(0.8 * 2^31) */
  EXPECT_EQ(s, -3);
  EXPECT_EQ(tl_quantize_multiplier(3.0, &m, &s), 0);
  EXPECT_EQ(m, 1610612736);
  EXPECT_EQ(s, 2);
  /* zero is representable: (0, 0) as in TFLite */
  EXPECT_EQ(tl_quantize_multiplier(0.0, &m, &s), 0);
  EXPECT_EQ(m, 0);
  EXPECT_EQ(s, 0);
}

TEST(quantize_multiplier_rounds_up_to_two_pow_31) {
  int32_t m;
  int s;
  /* q = 1 - 2^-40 rounds to 2^31 after scaling: halved, shift incremented */
  EXPECT_EQ(tl_quantize_multiplier(1.0 - ldexp(1.0, -40), &m, &s), 0);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 1);
  EXPECT_EQ(tl_quantize_multiplier(ldexp(1.0 - ldexp(1.0, -40), -10), &m, &s), 0);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, -9);
}

TEST(quantize_multiplier_extreme_shifts) {
  int32_t m;
  int s;
  /* smallest kept: 2^-32 = 0.5 * 2^-31 */
  EXPECT_EQ(tl_quantize_multiplier(ldexp(1.0, -32), &m, &s), 0);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, -31);
  /* below: flushed to zero (TFLite's shift < -31 rule) */
  EXPECT_EQ(tl_quantize_multiplier(ldexp(1.0, -33), &m, &s), 0);
  EXPECT_EQ(m, 0);
  EXPECT_EQ(s, 0);
  EXPECT_EQ(tl_quantize_multiplier(1e-30, &m, &s), 0);
  EXPECT_EQ(m, 0);
  EXPECT_EQ(s, 0);
  /* largest kept: shift 30 */
  EXPECT_EQ(tl_quantize_multiplier(ldexp(1.0, 29), &m, &s), 0);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 30);
  EXPECT_EQ(tl_quantize_multiplier(ldexp(1.0, 30), &m, &s), -1);
  EXPECT_EQ(tl_quantize_multiplier(1e30, &m, &s), -1);
  EXPECT_EQ(m, 0);
}

TEST(quantize_multiplier_rejects_bad_values) {
  int32_t m = 5;
  int s = 5;
  EXPECT_EQ(tl_quantize_multiplier(-0.5, &m, &s), -1);
  EXPECT_EQ(m, 0);
  EXPECT_EQ(s, 0);
  EXPECT_EQ(tl_quantize_multiplier(NAN, &m, &s), -1);
  EXPECT_EQ(tl_quantize_multiplier(INFINITY, &m, &s), -1);
  EXPECT_EQ(tl_quantize_multiplier(-INFINITY, &m, &s), -1);
  /* smaller-than-one / greater-than-one variants */
  EXPECT_EQ(tl_quantize_multiplier_lt1(0.99, &m, &s), 0);
  EXPECT_EQ(s, 0);
  EXPECT_EQ(tl_quantize_multiplier_lt1(1.5, &m, &s), -1);
  EXPECT_EQ(tl_quantize_multiplier_gt1(1.5, &m, &s), 0);
  EXPECT_EQ(s, 1);
  EXPECT_EQ(tl_quantize_multiplier_gt1(0.25, &m, &s), -1);
}

TEST(mbqm_double_rounding) {
  EXPECT_EQ(tl_mbqm(100, 1 << 30, 0), 50);
  EXPECT_EQ(tl_mbqm(3, 1 << 30, 0), 2);   /* 1.5 -> 2 */
  EXPECT_EQ(tl_mbqm(-3, 1 << 30, 0), -1); /* -1.5 -> -1 (SRDHM rounds ties up) */
  EXPECT_EQ(tl_mbqm(6, 1 << 30, -1), 2);  /* 1.5 -> 2 */
  EXPECT_EQ(tl_mbqm(-6, 1 << 30, -1), -2); /* -1.5 -> -2 (RDBPOT rounds away) */
  /* 5 * 0.25 = 1.25: SRDHM gives 2.5 -> 3, then 3 / 2 = 1.5 -> 2. Single rounding gives 1. */
  EXPECT_EQ(tl_mbqm(5, 1 << 30, -1), 2);
  EXPECT_EQ(tl_mbqm_single(5, 1 << 30, -1), 1);
  EXPECT_EQ(tl_mbqm(3, 1 << 30, 2), 6); /* left shift first */
  EXPECT_EQ(tl_mbqm(-3, 1 << 30, 2), -6);
  EXPECT_EQ(tl_mbqm(INT32_MIN, INT32_MIN, 0), INT32_MAX);
  /* smallest shift: x * 0.5 * 2^-31 */
  EXPECT_EQ(tl_mbqm(INT32_MAX, 1 << 30, -31), 1);
  EXPECT_EQ(tl_mbqm(INT32_MIN, 1 << 30, -31), -1);
  EXPECT_EQ(tl_mbqm(1 << 30, 1 << 30, -31), 0);
  /* a typical requantization: 1000 * 0.0123 = 12.3 */
  int32_t m;
  int s;
  EXPECT_EQ(tl_quantize_multiplier(0.0123, &m, &s), 0);
  EXPECT_EQ(tl_mbqm(1000, m, s), 12);
  EXPECT_EQ(tl_mbqm(-1000, m, s), -12);
  EXPECT_EQ(tl_mbqm_lt1(-1000, m, s), -12);
}

TEST(mbqm_single_rounding) {
  EXPECT_EQ(tl_mbqm_single(3, 1 << 30, 0), 2);   /* 1.5 -> 2 (half up) */
  EXPECT_EQ(tl_mbqm_single(-3, 1 << 30, 0), -1); /* -1.5 -> -1 (half up) */
  EXPECT_EQ(tl_mbqm_single(100, 1 << 30, 0), 50);
  EXPECT_EQ(tl_mbqm_single(3, 1 << 30, 2), 6);
  /* x * 2^-32: 0.49999 -> 0 and -0.5 -> 0 (double rounding gives 1 and -1 here) */
  EXPECT_EQ(tl_mbqm_single(INT32_MAX, 1 << 30, -31), 0);
  EXPECT_EQ(tl_mbqm_single(INT32_MIN, 1 << 30, -31), 0);
  EXPECT_EQ(tl_mbqm_single(INT32_MIN, INT32_MAX, 0), -2147483647);
}

TEST(mbqm64_reduced_multiplier) {
  /* 2^30 reduces to 2^14; (3 * 2^14 + 2^14) >> 15 = 2; -1.5 -> -1 */
  EXPECT_EQ(tl_mbqm64(3, 1 << 30, 0), 2);
  EXPECT_EQ(tl_mbqm64(-3, 1 << 30, 0), -1);
  EXPECT_EQ(tl_mbqm64((int64_t)1 << 40, 1 << 30, -20), 1 << 19);
  /* a multiplier at the top saturates to 0x7FFF instead of overflowing the rounding add */
  EXPECT_EQ(tl_mbqm64((int64_t)1 << 20, INT32_MAX, 0), 32 * 32767);
  EXPECT_EQ(tl_mbqm64((int64_t)1 << 20, 0x7FFEFFFF, 0), 32 * 32767);
  /* largest supported magnitudes: |x| < 2^47, shift 7 */
  EXPECT_EQ(tl_mbqm64(-((int64_t)1 << 46), 1 << 30, -31), -16384);
  EXPECT_EQ(tl_mbqm64(1000, 1 << 30, 7), 64000);
}

TEST(saturating_multiply_by_pot) {
  EXPECT_EQ(tl_srmbypot(1 << 29, 1), 1 << 30);
  EXPECT_EQ(tl_srmbypot(1 << 30, 1), INT32_MAX);
  EXPECT_EQ(tl_srmbypot(-(1 << 30), 1), INT32_MIN);
  EXPECT_EQ(tl_srmbypot(-(1 << 30) + 1, 1), INT32_MIN + 2);
  EXPECT_EQ(tl_srmbypot(5, -1), 3);
  EXPECT_EQ(tl_srmbypot16(16384, 1), 32767);
  EXPECT_EQ(tl_srmbypot16(-16384, 1), -32768);
  EXPECT_EQ(tl_srmbypot16(1000, 2), 4000);
}

TEST(quantize_dequantize_one) {
  EXPECT_EQ(tl_quantize_one(0.5f, 1.0, 0, -128, 127), 1); /* ties away from zero */
  EXPECT_EQ(tl_quantize_one(-0.5f, 1.0, 0, -128, 127), -1);
  EXPECT_EQ(tl_quantize_one(2.5f, 1.0, 0, -128, 127), 3);
  EXPECT_EQ(tl_quantize_one(-2.5f, 1.0, 10, -128, 127), 7);
  EXPECT_EQ(tl_quantize_one(1000.f, 1.0, 0, -128, 127), 127);
  EXPECT_EQ(tl_quantize_one(-1000.f, 1.0, 0, -128, 127), -128);
  EXPECT_EQ(tl_quantize_one(1.f, 1.0 / 255.0, -128, -128, 127), 127);
  EXPECT_EQ(tl_quantize_one(0.f, 1.0 / 255.0, -128, -128, 127), -128);
  EXPECT_EQ(tl_quantize_one(1e30f, 1e-10, 0, -32768, 32767), -32768); /* x86 cast: out of range -> INT32_MIN */
  EXPECT_EQ(tl_quantize_one(NAN, 0.5, 0, 0, 255), 0);
  EXPECT_EQ(tl_f2i32(2147483647.0), INT32_MAX);
  EXPECT_EQ(tl_f2i32(2147483648.0), INT32_MIN);
  EXPECT_EQ(tl_f2i32(-2147483648.0), INT32_MIN);
  EXPECT_EQ(tl_f2i32(-1.9), -1);
  EXPECT_NEAR(tl_dequantize_one(-128, 0.5f, -128), 0.0, 0);
  EXPECT_NEAR(tl_dequantize_one(127, 0.5f, -128), 127.5, 0);
  EXPECT_NEAR(tl_dequantize_one(-32768, 1.0f / 32768, 0), -1.0, 0);
}

TEST(logistic_tanh_luts) {
  uint8_t t[256];
  /* input scale 1/16, zp 0: sigmoid(0) = 0.5 -> 128 - 128 = 0 */
  tl_lut8_populate(t, TL_LUT_LOGISTIC, 1, 1.0f / 16, 0, 1.0f / 256, -128);
  EXPECT_EQ((int8_t)t[0], 0);
  EXPECT_EQ((int8_t)t[(uint8_t)127], 127);   /* sigmoid(7.94) * 256 = 255.9 -> 256 - 128 = 128 -> clamp 127 */
  EXPECT_EQ((int8_t)t[(uint8_t)-128], -128); /* sigmoid(-8) * 256 = 0.086 -> 0 -> -128 */
  EXPECT_EQ((int8_t)t[16], 59);              /* sigmoid(1) * 256 = 187.1 -> 187 - 128 */
  tl_lut8_populate(t, TL_LUT_TANH, 1, 1.0f / 32, 0, 1.0f / 128, 0);
  EXPECT_EQ((int8_t)t[0], 0);
  EXPECT_EQ((int8_t)t[32], 97);                /* tanh(1) * 128 = 97.48 */
  EXPECT_EQ((int8_t)t[(uint8_t)-32], -97);
  EXPECT_EQ((int8_t)t[127], 127);
  /* uint8: zp 128 */
  tl_lut8_populate(t, TL_LUT_LOGISTIC, 0, 1.0f / 16, 128, 1.0f / 256, 0);
  EXPECT_EQ(t[128], 128);
  EXPECT_EQ(t[255], 255);
  EXPECT_EQ(t[0], 0);
}

TEST(softmax_tables) {
  float t[256];
  tl_softmax_table(t, 0.1f, 1.0f);
  EXPECT_NEAR(t[255], 1.0, 0);
  EXPECT_NEAR(t[254], expf(-0.1f), 0);
  EXPECT_NEAR(t[0], expf(-0.1f * 255), 0);
  int16_t lut[513];
  tl_gen_lut16(0, -10.0, 0.0, lut, 513);
  EXPECT_EQ(lut[512], 32767); /* exp(0) * 32768 clamps */
  EXPECT(lut[0] >= 0 && lut[0] <= 2);
  tl_gen_lut16(1, 0.0, 1.0, lut, 513);
  EXPECT_EQ(lut[512], 16384); /* 1/(1+1) */
  EXPECT_EQ(lut[0], 32767);
  EXPECT_EQ(tl_lut16_lookup(-32768, lut), lut[0]);
  EXPECT_EQ(tl_lut16_lookup(0, lut), lut[256]);
  EXPECT_EQ(tl_lut16_lookup(64, lut), lut[256] + (((lut[257] - lut[256]) * 64 + 64) >> 7));
  EXPECT_EQ(tl_lut16_lookup(32767, lut), lut[511] + (((lut[512] - lut[511]) * 127 + 64) >> 7));
}

static tl_tensor qtensor(int type, int ndim, const int32_t *dims, int qcount, const float *scales,
                         const int64_t *zps, int axis) {
  tl_tensor t;
  memset(&t, 0, sizeof t);
  t.type = type;
  t.ndim = ndim;
  for (int i = 0; i < ndim; i++) t.dims[i] = dims[i];
  t.qcount = qcount;
  t.scales = scales;
  t.zero_points = zps;
  t.qaxis = axis;
  t.name = "t";
  return t;
}

TEST(check_quant_rejects_nonsense) {
  char msg[256];
  const int32_t dims[2] = {3, 4};
  float good[3] = {0.5f, 0.25f, 0.125f};
  int64_t zp0[3] = {0, 0, 0};
  tl_tensor t = qtensor(TL_INT8, 2, dims, 3, good, zp0, 0);
  EXPECT_EQ(tl_check_quant(&t, msg, sizeof msg), 1);
  t.qcount = 0;
  EXPECT_EQ(tl_check_quant(&t, msg, sizeof msg), 1);

  float zero[1] = {0.f}, neg[1] = {-1.f}, nan1[1] = {NAN}, inf1[1] = {INFINITY}, one[1] = {1.f};
  int64_t z[1] = {0};
  t = qtensor(TL_INT8, 2, dims, 1, zero, z, 0);
  EXPECT_EQ(tl_check_quant(&t, msg, sizeof msg), 0);
  EXPECT_STR_CONTAINS(msg, "scale");
  t = qtensor(TL_INT8, 2, dims, 1, neg, z, 0);
  EXPECT_EQ(tl_check_quant(&t, msg, sizeof msg), 0);
  EXPECT_STR_CONTAINS(msg, "> 0");
  t = qtensor(TL_INT8, 2, dims, 1, nan1, z, 0);
  EXPECT_EQ(tl_check_quant(&t, msg, sizeof msg), 0);
  t = qtensor(TL_INT8, 2, dims, 1, inf1, z, 0);
  EXPECT_EQ(tl_check_quant(&t, msg, sizeof msg), 0);
  EXPECT_STR_CONTAINS(msg, "finite");

  int64_t zbig[1] = {128}, zneg[1] = {-1}, zu[1] = {255};
  t = qtensor(TL_INT8, 2, dims, 1, one, zbig, 0);
  EXPECT_EQ(tl_check_quant(&t, msg, sizeof msg), 0);
  EXPECT_STR_CONTAINS(msg, "zero point");
  t = qtensor(TL_UINT8, 2, dims, 1, one, zneg, 0);
  EXPECT_EQ(tl_check_quant(&t, msg, sizeof msg), 0);
  t = qtensor(TL_UINT8, 2, dims, 1, one, zu, 0);
  EXPECT_EQ(tl_check_quant(&t, msg, sizeof msg), 1);
  int64_t z16[1] = {40000};
  t = qtensor(TL_INT16, 2, dims, 1, one, z16, 0);
  EXPECT_EQ(tl_check_quant(&t, msg, sizeof msg), 0);

  /* per-axis: count must equal the quantized dimension, axis in range */
  t = qtensor(TL_INT8, 2, dims, 3, good, zp0, 1);
  EXPECT_EQ(tl_check_quant(&t, msg, sizeof msg), 0);
  EXPECT_STR_CONTAINS(msg, "per-axis");
  t = qtensor(TL_INT8, 2, dims, 3, good, zp0, 2);
  EXPECT_EQ(tl_check_quant(&t, msg, sizeof msg), 0);
  EXPECT_STR_CONTAINS(msg, "out of range");
  t = qtensor(TL_INT8, 2, dims, 3, good, zp0, -1);
  EXPECT_EQ(tl_check_quant(&t, msg, sizeof msg), 0);
  float badc[3] = {0.5f, 0.f, 0.125f};
  t = qtensor(TL_INT8, 2, dims, 3, badc, zp0, 0);
  EXPECT_EQ(tl_check_quant(&t, msg, sizeof msg), 0);
  EXPECT_STR_CONTAINS(msg, "scale[1]");
}

TEST_MAIN(T(srdhm_saturates_int32_min_squared), T(srdhm_ties_and_signs), T(rdbpot_rounds_half_away_from_zero),
          T(quantize_multiplier_basic), T(quantize_multiplier_rounds_up_to_two_pow_31),
          T(quantize_multiplier_extreme_shifts), T(quantize_multiplier_rejects_bad_values), T(mbqm_double_rounding),
          T(mbqm_single_rounding), T(mbqm64_reduced_multiplier), T(saturating_multiply_by_pot),
          T(quantize_dequantize_one), T(logistic_tanh_luts), T(softmax_tables), T(check_quant_rejects_nonsense))

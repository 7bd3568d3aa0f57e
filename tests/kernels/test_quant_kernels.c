/* SPDX-License-Identifier: Apache-2.0
 * Integer kernels on hand-built nodes: pinned values (saturation, ties, int8<->uint8 requantization,
 * softmax/logistic tables) and the refusal, with a message and never a crash, of quantization parameters
 * a hostile model may carry (zero/NaN scales, out-of-range zero points, unrepresentable multipliers,
 * wrong fixed output parameters, bad SVDF/LSTM structure). Bit-exactness against TensorFlow Lite itself
 * is tested in tests/quant/test_quant_oracle.c. */
#include <math.h>

#include "kharness.h"
#include "test.h"

static tl_tensor *q8(int type, int n, const void *data, float scale, int32_t zp) {
  const int32_t d[1] = {n};
  tl_tensor *t = kh_tensor(type, 1, d, data, 0);
  kh_quant(t, scale, zp);
  return t;
}
static tl_tensor *qout(int type, float scale, int32_t zp) {
  tl_tensor *t = kh_tensor(type, -1, NULL, NULL, 0);
  kh_quant(t, scale, zp);
  return t;
}
static tl_status run1(int op, tl_tensor *a, tl_tensor *o, kh_fb *opts, int opts_type) {
  tl_tensor *in[1] = {a}, *out[1] = {o};
  return kh_run(kh_node(op, 1, in, 1, out, opts, opts_type));
}
static tl_status run2(int op, tl_tensor *a, tl_tensor *b, tl_tensor *o) {
  tl_tensor *in[2] = {a, b}, *out[1] = {o};
  return kh_run(kh_node(op, 2, in, 1, out, NULL, 0));
}

TEST(add_int8_saturates_and_rounds) {
  const int8_t a[4] = {127, -128, 10, -10}, b[4] = {127, -128, 1, -1};
  tl_tensor *o = qout(TL_INT8, 0.5f, 0);
  EXPECT_EQ(run2(TL_BUILTIN_ADD, q8(TL_INT8, 4, a, 0.5f, 0), q8(TL_INT8, 4, b, 0.5f, 0), o), TL_OK);
  const int8_t *r = o->data;
  EXPECT_EQ(r[0], 127);
  EXPECT_EQ(r[1], -128);
  EXPECT_EQ(r[2], 11);
  EXPECT_EQ(r[3], -11);
  kh_reset();
}

TEST(mul_uint8_requantizes) {
  const uint8_t a[3] = {138, 118, 128}, b[3] = {130, 130, 255};
  tl_tensor *o = qout(TL_UINT8, 0.25f, 128);
  EXPECT_EQ(run2(TL_BUILTIN_MUL, q8(TL_UINT8, 3, a, 0.1f, 128), q8(TL_UINT8, 3, b, 0.5f, 128), o), TL_OK);
  const uint8_t *r = o->data;
  EXPECT_EQ(r[0], 132); /* 1.0 * 1.0 / 0.25 = 4 */
  EXPECT_EQ(r[1], 124);
  EXPECT_EQ(r[2], 128);
  kh_reset();
}

TEST(quantize_int8_uint8_round_trip) {
  const int8_t a[4] = {-128, -1, 0, 127};
  tl_tensor *o = qout(TL_UINT8, 0.1f, 128);
  EXPECT_EQ(run1(TL_BUILTIN_QUANTIZE, q8(TL_INT8, 4, a, 0.1f, 0), o, NULL, 0), TL_OK);
  const uint8_t *r = o->data;
  EXPECT_EQ(r[0], 0);
  EXPECT_EQ(r[1], 127);
  EXPECT_EQ(r[2], 128);
  EXPECT_EQ(r[3], 255);
  kh_reset();
}

TEST(quantize_float_ties_away_from_zero) {
  const float x[6] = {0.25f, -0.25f, 0.75f, -0.75f, 1e9f, -1e9f};
  const int32_t d[1] = {6};
  tl_tensor *a = kh_tensor(TL_FLOAT32, 1, d, x, 0);
  tl_tensor *o = qout(TL_INT8, 0.5f, 0);
  EXPECT_EQ(run1(TL_BUILTIN_QUANTIZE, a, o, NULL, 0), TL_OK);
  const int8_t *r = o->data;
  EXPECT_EQ(r[0], 1);
  EXPECT_EQ(r[1], -1);
  EXPECT_EQ(r[2], 2);
  EXPECT_EQ(r[3], -2);
  EXPECT_EQ(r[4], 127);
  EXPECT_EQ(r[5], -128);
  kh_reset();
}

TEST(softmax_int8_uniform_and_peaked) {
  const int8_t a[4] = {5, 5, 5, 5};
  tl_tensor *o = qout(TL_INT8, 1.f / 256, -128);
  EXPECT_EQ(run1(TL_BUILTIN_SOFTMAX, q8(TL_INT8, 4, a, 0.1f, 0), o, NULL, 0), TL_OK);
  /* beta absent = 0 in the schema: every entry exp(0) -> 1/4 -> 64 - 128 */
  for (int i = 0; i < 4; i++) EXPECT_EQ(((int8_t *)o->data)[i], -64);
  kh_reset();
}

TEST(logistic_int8_table) {
  const int8_t a[3] = {0, 127, -128};
  tl_tensor *o = qout(TL_INT8, 1.f / 256, -128);
  EXPECT_EQ(run1(TL_BUILTIN_LOGISTIC, q8(TL_INT8, 3, a, 1.f / 16, 0), o, NULL, 0), TL_OK);
  const int8_t *r = o->data;
  EXPECT_EQ(r[0], 0);
  EXPECT_EQ(r[1], 127);
  EXPECT_EQ(r[2], -128);
  kh_reset();
  /* TFLite demands an output scale of exactly 1/256 */
  tl_tensor *bad = qout(TL_INT8, 1.f / 255, -128);
  EXPECT_EQ(run1(TL_BUILTIN_LOGISTIC, q8(TL_INT8, 3, a, 1.f / 16, 0), bad, NULL, 0), TL_ERR_MODEL);
  EXPECT_STR_CONTAINS(kh_err(), "1/256");
  kh_reset();
}

TEST(hostile_scales_refused) {
  const int8_t a[2] = {1, 2};
  /* zero, negative, NaN and infinite scales */
  const float bad[4] = {0.f, -1.f, NAN, INFINITY};
  for (int i = 0; i < 4; i++) {
    EXPECT_EQ(run2(TL_BUILTIN_ADD, q8(TL_INT8, 2, a, bad[i], 0), q8(TL_INT8, 2, a, 0.5f, 0), qout(TL_INT8, 0.5f, 0)),
              TL_ERR_MODEL);
    EXPECT_STR_CONTAINS(kh_err(), "scale");
    kh_reset();
    EXPECT_EQ(run1(TL_BUILTIN_QUANTIZE, q8(TL_INT8, 2, a, 0.5f, 0), qout(TL_UINT8, bad[i], 0), NULL, 0), TL_ERR_MODEL);
    kh_reset();
    EXPECT_EQ(run1(TL_BUILTIN_SOFTMAX, q8(TL_INT8, 2, a, bad[i], 0), qout(TL_INT8, 1.f / 256, -128), NULL, 0),
              TL_ERR_MODEL);
    kh_reset();
    EXPECT_EQ(run1(TL_BUILTIN_LEAKY_RELU, q8(TL_INT8, 2, a, 0.5f, 0), qout(TL_INT8, bad[i], 0), NULL, 0), TL_ERR_MODEL);
    kh_reset();
  }
  /* zero point outside the type's range */
  EXPECT_EQ(run2(TL_BUILTIN_MUL, q8(TL_INT8, 2, a, 0.5f, 300), q8(TL_INT8, 2, a, 0.5f, 0), qout(TL_INT8, 0.5f, 0)),
            TL_ERR_MODEL);
  EXPECT_STR_CONTAINS(kh_err(), "zero point");
  kh_reset();
  /* scale ratios whose multiplier cannot be represented (2^100) */
  EXPECT_EQ(run1(TL_BUILTIN_QUANTIZE, q8(TL_INT8, 2, a, 1e30f, 0), qout(TL_INT8, 1e-30f, 0), NULL, 0), TL_ERR_MODEL);
  kh_reset();
  EXPECT_EQ(run2(TL_BUILTIN_ADD, q8(TL_INT8, 2, a, 1e20f, 0), q8(TL_INT8, 2, a, 1e20f, 0), qout(TL_INT8, 1e-20f, 0)),
            TL_ERR_MODEL);
  kh_reset();
  /* int16 needs symmetric quantization */
  const int16_t s[2] = {1, 2};
  EXPECT_EQ(run2(TL_BUILTIN_ADD, q8(TL_INT16, 2, s, 0.5f, 3), q8(TL_INT16, 2, s, 0.5f, 0), qout(TL_INT16, 0.5f, 0)),
            TL_ERR_MODEL);
  kh_reset();
  /* a quantized activation without any quantization parameters */
  const int32_t d[1] = {2};
  tl_tensor *raw = kh_tensor(TL_INT8, 1, d, a, 0);
  EXPECT_EQ(run2(TL_BUILTIN_ADD, raw, q8(TL_INT8, 2, a, 0.5f, 0), qout(TL_INT8, 0.5f, 0)), TL_ERR_MODEL);
  kh_reset();
}

TEST(leaky_relu_negative_alpha) {
  const int8_t a[4] = {-10, -1, 0, 10};
  kh_fb fb;
  kh_fb_init(&fb);
  uint32_t t = kh_fb_table(&fb, 1);
  kh_fb_f32(&fb, t, 0, -0.5f);
  tl_tensor *o = qout(TL_INT8, 1.0f, 0);
  EXPECT_EQ(run1(TL_BUILTIN_LEAKY_RELU, q8(TL_INT8, 4, a, 1.0f, 0), o, &fb, 75), TL_OK);
  const int8_t *r = o->data;
  EXPECT_EQ(r[0], 5);
  EXPECT_EQ(r[1], 1); /* -1 * -0.5 = 0.5 -> rounds to 1 */
  EXPECT_EQ(r[2], 0);
  EXPECT_EQ(r[3], 10);
  kh_reset();
  kh_fb_init(&fb);
  t = kh_fb_table(&fb, 1);
  kh_fb_f32(&fb, t, 0, INFINITY);
  EXPECT_EQ(run1(TL_BUILTIN_LEAKY_RELU, q8(TL_INT8, 4, a, 1.0f, 0), qout(TL_INT8, 1.0f, 0), &fb, 75), TL_ERR_MODEL);
  kh_reset();
}

TEST(svdf_structure_refused) {
  const int32_t din[2] = {1, 4}, dwf[2] = {6, 4}, dwt[2] = {6, 3}, dst[2] = {1, 18};
  int8_t wf[24] = {0};
  int16_t wt[18] = {0};
  tl_tensor *in = kh_tensor(TL_INT8, 2, din, NULL, 0);
  kh_quant(in, 0.1f, 0);
  tl_tensor *w1 = kh_tensor(TL_INT8, 2, dwf, wf, 1), *w2 = kh_tensor(TL_INT16, 2, dwt, wt, 1);
  kh_quant(w1, 0.01f, 0);
  kh_quant(w2, 0.01f, 0);
  tl_tensor *st = kh_tensor(TL_INT16, 2, dst, NULL, 0);
  kh_quant(st, 0.01f, 0);
  st->is_variable = 1;
  tl_tensor *o = qout(TL_INT8, 0.1f, -128);
  tl_tensor *ins[5] = {in, w1, w2, NULL, st}, *outs[1] = {o};
  /* rank 4 does not divide 6 filters */
  kh_fb fb;
  kh_fb_init(&fb);
  uint32_t t = kh_fb_table(&fb, 2);
  kh_fb_i32(&fb, t, 0, 4);
  kh_fb_u8(&fb, t, 1, 1);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_SVDF, 5, ins, 1, outs, &fb, 6)), TL_ERR_MODEL);
  /* rank 0 */
  kh_fb_init(&fb);
  t = kh_fb_table(&fb, 2);
  kh_fb_i32(&fb, t, 0, 0);
  kh_fb_u8(&fb, t, 1, 1);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_SVDF, 5, ins, 1, outs, &fb, 6)), TL_ERR_MODEL);
  /* rank 2 is fine; the state must be a variable */
  kh_fb_init(&fb);
  t = kh_fb_table(&fb, 2);
  kh_fb_i32(&fb, t, 0, 2);
  kh_fb_u8(&fb, t, 1, 1);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_SVDF, 5, ins, 1, outs, &fb, 6)), TL_OK);
  st->is_variable = 0;
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_SVDF, 5, ins, 1, outs, &fb, 6)), TL_ERR_MODEL);
  kh_reset();
}

TEST_MAIN(T(add_int8_saturates_and_rounds), T(mul_uint8_requantizes), T(quantize_int8_uint8_round_trip),
          T(quantize_float_ties_away_from_zero), T(softmax_int8_uniform_and_peaked), T(logistic_int8_table),
          T(hostile_scales_refused), T(leaky_relu_negative_alpha), T(svdf_structure_refused))

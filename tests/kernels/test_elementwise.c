/* SPDX-License-Identifier: Apache-2.0
 * Elementwise float kernels against plain loops: broadcasting binary ops (ADD, SUB, MUL, DIV,
 * MAXIMUM, MINIMUM) up to 6-D with fused activations, int32 arithmetic, unary activations, CAST,
 * DEQUANTIZE and the reductions (MEAN, SUM, REDUCE_MAX). */
#include <math.h>

#include "kharness.h"
#include "test.h"

static float frand(unsigned *s) {
  *s = *s * 1103515245u + 12345u;
  return (float)((*s >> 8) & 0xffff) / 32768.f - 1.f;
}

static tl_tensor *ftensor(int nd, const int32_t *d, unsigned seed) {
  int64_t n = 1;
  for (int i = 0; i < nd; i++) n *= d[i];
  float *v = malloc(sizeof(float) * (size_t)(n ? n : 1));
  for (int64_t i = 0; i < n; i++) v[i] = frand(&seed) * 3.f;
  tl_tensor *t = kh_tensor(TL_FLOAT32, nd, d, v, 0);
  free(v);
  return t;
}

static tl_tensor *out_t(int type) { return kh_tensor(type, -1, NULL, NULL, 0); }

static kh_fb act_opts(int act) {
  kh_fb b;
  kh_fb_init(&b);
  uint32_t t = kh_fb_table(&b, 2);
  kh_fb_u8(&b, t, 0, (uint8_t)act);
  return b;
}

/* Plain broadcasting reference: element index -> per-input index by unravelling. */
static float ref_op(int op, float x, float y) {
  switch (op) {
    case TL_BUILTIN_ADD: return x + y;
    case TL_BUILTIN_SUB: return x - y;
    case TL_BUILTIN_MUL: return x * y;
    case TL_BUILTIN_DIV: return x / y;
    case TL_BUILTIN_MAXIMUM: return x > y ? x : y;
    default: return x < y ? x : y;
  }
}

static void check_binary(int op, int act, int na, const int32_t *da, int nb, const int32_t *db) {
  tl_tensor *a = ftensor(na, da, 1), *b = ftensor(nb, db, 7), *o = out_t(TL_FLOAT32);
  tl_tensor *in[2] = {a, b};
  kh_fb opts = act_opts(act);
  int has_opts = op != TL_BUILTIN_MAXIMUM && op != TL_BUILTIN_MINIMUM;
  tl_node *n = kh_node(op, 2, in, 1, &o, has_opts ? &opts : NULL, 0);
  EXPECT_EQ(kh_run(n), TL_OK);
  int nd = na > nb ? na : nb;
  EXPECT_EQ(o->ndim, nd);
  int64_t total = tl_numel(o);
  float lo, hi;
  tl_act_range_f32(act, &lo, &hi);
  int bad = 0;
  for (int64_t i = 0; i < total; i++) {
    int64_t rem = i, ia = 0, ib = 0, sa = 1, sb = 1;
    for (int k = nd - 1; k >= 0; k--) {
      int64_t c = rem % o->dims[k];
      rem /= o->dims[k];
      int ka = na - nd + k, kb = nb - nd + k;
      if (ka >= 0) { if (da[ka] != 1) ia += c * sa; sa *= da[ka]; }
      if (kb >= 0) { if (db[kb] != 1) ib += c * sb; sb *= db[kb]; }
    }
    float r = ref_op(op, kh_f32(a)[ia], kh_f32(b)[ib]);
    r = r < lo ? lo : (r > hi ? hi : r);
    if (!(fabsf(r - kh_f32(o)[i]) <= 1e-6f * (1.f + fabsf(r)))) bad++;
  }
  EXPECT_EQ(bad, 0);
  kh_reset();
}

TEST(binary_broadcast_shapes) {
  static const int ops[] = {TL_BUILTIN_ADD, TL_BUILTIN_SUB, TL_BUILTIN_MUL, TL_BUILTIN_DIV, TL_BUILTIN_MAXIMUM,
                            TL_BUILTIN_MINIMUM};
  const int32_t a1[] = {2, 3, 4}, b1[] = {4};
  const int32_t a2[] = {2, 1, 4}, b2[] = {3, 1};
  const int32_t b3[] = {5};
  const int32_t a4[] = {1}, b4[] = {2, 3};
  const int32_t a5[] = {2, 3, 1, 5}, b5[] = {1, 3, 4, 1};
  const int32_t a6[] = {2, 1, 3, 1, 2, 2}, b6[] = {1, 2, 1, 4, 1, 2};
  const int32_t a7[] = {3, 4}, b7[] = {3, 4};
  for (int k = 0; k < 6; k++) {
    check_binary(ops[k], TL_TFL_ACT_NONE, 3, a1, 1, b1);
    check_binary(ops[k], TL_TFL_ACT_NONE, 3, a2, 2, b2);
    check_binary(ops[k], TL_TFL_ACT_NONE, 0, NULL, 1, b3);
    check_binary(ops[k], TL_TFL_ACT_NONE, 1, b3, 0, NULL);
    check_binary(ops[k], TL_TFL_ACT_NONE, 1, a4, 2, b4);
    check_binary(ops[k], TL_TFL_ACT_NONE, 4, a5, 4, b5);
    check_binary(ops[k], TL_TFL_ACT_NONE, 6, a6, 6, b6);
    check_binary(ops[k], TL_TFL_ACT_NONE, 2, a7, 2, b7);
  }
  check_binary(TL_BUILTIN_ADD, TL_TFL_ACT_RELU6, 4, a5, 4, b5);
  check_binary(TL_BUILTIN_MUL, TL_TFL_ACT_RELU, 3, a2, 2, b2);
  check_binary(TL_BUILTIN_SUB, TL_TFL_ACT_RELU_N1_TO_1, 6, a6, 6, b6);
}

TEST(binary_rejects_bad_shapes_and_types) {
  const int32_t da[] = {2, 3}, db[] = {4};
  tl_tensor *in[2] = {ftensor(2, da, 1), ftensor(1, db, 2)};
  tl_tensor *o = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_ADD, 2, in, 1, &o, NULL, 0)), TL_ERR_MODEL);
  EXPECT_STR_CONTAINS(kh_err(), "broadcast");
  tl_tensor *in2[2] = {ftensor(2, da, 1), kh_tensor(TL_INT32, 2, da, NULL, 0)};
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_MUL, 2, in2, 1, &o, NULL, 0)), TL_ERR_MODEL);
  kh_fb opts = act_opts(TL_TFL_ACT_TANH);
  tl_tensor *in3[2] = {ftensor(2, da, 1), ftensor(2, da, 2)};
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_ADD, 2, in3, 1, &o, &opts, 0)), TL_ERR_UNSUPPORTED);
  kh_reset();
}

TEST(int32_arithmetic) {
  const int32_t d[] = {4};
  const int32_t x[] = {7, -7, INT32_MAX, 9}, y[] = {2, 2, 1, -3};
  tl_tensor *in[2] = {kh_tensor(TL_INT32, 1, d, x, 0), kh_tensor(TL_INT32, 1, d, y, 0)};
  tl_tensor *o = out_t(TL_INT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_DIV, 2, in, 1, &o, NULL, 0)), TL_OK);
  const int32_t *r = o->data;
  EXPECT_EQ(r[0], 3);
  EXPECT_EQ(r[1], -3);
  EXPECT_EQ(r[3], -3);
  tl_tensor *o2 = out_t(TL_INT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_ADD, 2, in, 1, &o2, NULL, 0)), TL_OK);
  EXPECT_EQ(((int32_t *)o2->data)[2], INT32_MIN); /* wraps, no UB */
  const int32_t z[] = {1, 0, 1, 1};
  tl_tensor *in3[2] = {in[0], kh_tensor(TL_INT32, 1, d, z, 0)};
  tl_tensor *o3 = out_t(TL_INT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_DIV, 2, in3, 1, &o3, NULL, 0)), TL_ERR_RUNTIME);
  kh_reset();
}

static float ref_unary(int op, float x) {
  switch (op) {
    case TL_BUILTIN_RELU: return x < 0 ? 0 : x;
    case TL_BUILTIN_RELU6: return x < 0 ? 0 : (x > 6 ? 6 : x);
    case TL_BUILTIN_RELU_N1_TO_1: return x < -1 ? -1 : (x > 1 ? 1 : x);
    case TL_BUILTIN_LEAKY_RELU: return x > 0 ? x : 0.1f * x;
    case TL_BUILTIN_LOGISTIC: return (float)(1.0 / (1.0 + exp(-(double)x)));
    default: return (float)tanh((double)x);
  }
}

TEST(unary_activations) {
  static const int ops[] = {TL_BUILTIN_RELU, TL_BUILTIN_RELU6, TL_BUILTIN_RELU_N1_TO_1, TL_BUILTIN_LEAKY_RELU,
                            TL_BUILTIN_LOGISTIC, TL_BUILTIN_TANH};
  const int32_t d[] = {3, 37};
  for (int k = 0; k < 6; k++) {
    tl_tensor *x = ftensor(2, d, 3);
    for (int i = 0; i < 111; i++) kh_f32(x)[i] *= 4.f; /* [-12, 12] */
    kh_f32(x)[0] = 30.f;
    kh_f32(x)[1] = -30.f;
    tl_tensor *o = out_t(TL_FLOAT32);
    kh_fb b;
    kh_fb_init(&b);
    uint32_t t = kh_fb_table(&b, 1);
    kh_fb_f32(&b, t, 0, 0.1f);
    EXPECT_EQ(kh_run(kh_node(ops[k], 1, &x, 1, &o, ops[k] == TL_BUILTIN_LEAKY_RELU ? &b : NULL, 0)), TL_OK);
    EXPECT(tl_same_shape(x, o));
    int bad = 0;
    for (int i = 0; i < 111; i++) {
      float r = ref_unary(ops[k], kh_f32(x)[i]);
      if (!(fabsf(r - kh_f32(o)[i]) <= 1e-6f + 1e-5f * fabsf(r))) bad++;
    }
    EXPECT_EQ(bad, 0);
    kh_reset();
  }
}

TEST(cast_combinations) {
  const int32_t d[] = {6};
  const float f[] = {1.9f, -1.9f, 0.f, 255.f, 300.f, NAN};
  tl_tensor *x = kh_tensor(TL_FLOAT32, 1, d, f, 0);
  tl_tensor *oi = out_t(TL_INT32), *ob = out_t(TL_BOOL), *ou = out_t(TL_UINT8);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_CAST, 1, &x, 1, &oi, NULL, 0)), TL_OK);
  const int32_t *ri = oi->data;
  EXPECT_EQ(ri[0], 1);
  EXPECT_EQ(ri[1], -1);
  EXPECT_EQ(ri[3], 255);
  EXPECT_EQ(ri[5], 0); /* NaN: defined here (undefined in C) */
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_CAST, 1, &x, 1, &ob, NULL, 0)), TL_OK);
  const uint8_t *rb = ob->data;
  EXPECT_EQ(rb[0], 1);
  EXPECT_EQ(rb[2], 0);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_CAST, 1, &x, 1, &ou, NULL, 0)), TL_OK);
  EXPECT_EQ(((uint8_t *)ou->data)[3], 255);
  EXPECT_EQ(((uint8_t *)ou->data)[4], 300 & 255);
  const uint8_t px[] = {0, 1, 128, 255, 7, 9};
  tl_tensor *u = kh_tensor(TL_UINT8, 1, d, px, 0), *of = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_CAST, 1, &u, 1, &of, NULL, 0)), TL_OK);
  EXPECT_NEAR(kh_f32(of)[3], 255.0, 0);
  const int64_t big[] = {-1, 70000, 1, 0, 5, -300};
  tl_tensor *i64 = kh_tensor(TL_INT64, 1, d, big, 0), *o16 = out_t(TL_INT16), *o8 = out_t(TL_INT8);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_CAST, 1, &i64, 1, &o16, NULL, 0)), TL_OK);
  EXPECT_EQ(((int16_t *)o16->data)[1], (int16_t)(70000 - 65536));
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_CAST, 1, &i64, 1, &o8, NULL, 0)), TL_OK);
  EXPECT_EQ(((int8_t *)o8->data)[5], (int8_t)(-300 + 256));
  tl_tensor *s = kh_tensor(TL_STRING, 1, d, NULL, 0);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_CAST, 1, &s, 1, &of, NULL, 0)), TL_ERR_UNSUPPORTED);
  kh_reset();
}

TEST(dequantize_f16_and_int8) {
  const int32_t d[] = {5};
  const uint16_t h[] = {0x3c00, 0xc000, 0x0001, 0x7bff, 0x3555}; /* 1, -2, 2^-24, 65504, ~0.333 */
  tl_tensor *x = kh_tensor(TL_FLOAT16, 1, d, h, 1), *o = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_DEQUANTIZE, 1, &x, 1, &o, NULL, 0)), TL_OK);
  EXPECT_NEAR(kh_f32(o)[0], 1.0, 0);
  EXPECT_NEAR(kh_f32(o)[1], -2.0, 0);
  EXPECT_NEAR(kh_f32(o)[2], ldexp(1.0, -24), 0);
  EXPECT_NEAR(kh_f32(o)[3], 65504.0, 0);
  EXPECT_NEAR(kh_f32(o)[4], 0.33325195, 1e-8);
  const int8_t q[] = {-128, -1, 0, 5, 127};
  tl_tensor *xq = kh_tensor(TL_INT8, 1, d, q, 0), *oq = out_t(TL_FLOAT32);
  kh_quant(xq, 0.5f, -1);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_DEQUANTIZE, 1, &xq, 1, &oq, NULL, 0)), TL_OK);
  EXPECT_NEAR(kh_f32(oq)[0], -63.5, 0);
  EXPECT_NEAR(kh_f32(oq)[1], 0.0, 0);
  EXPECT_NEAR(kh_f32(oq)[4], 64.0, 0);
  kh_reset();
}

static void check_reduce(int op, int keep, int nax, const int32_t *axes) {
  const int32_t d[] = {2, 3, 4, 5};
  tl_tensor *x = ftensor(4, d, 11);
  const int32_t da[] = {nax};
  tl_tensor *ax = kh_tensor(TL_INT32, 1, da, axes, 1), *o = out_t(TL_FLOAT32);
  tl_tensor *in[2] = {x, ax};
  kh_fb b;
  kh_fb_init(&b);
  uint32_t t = kh_fb_table(&b, 1);
  kh_fb_u8(&b, t, 0, (uint8_t)keep);
  EXPECT_EQ(kh_run(kh_node(op, 2, in, 1, &o, &b, 0)), TL_OK);
  int red[4] = {0};
  for (int i = 0; i < nax; i++) red[(axes[i] + 4) % 4] = 1;
  int nd = 0;
  for (int i = 0; i < 4; i++) nd += keep || !red[i];
  EXPECT_EQ(o->ndim, nd);
  /* Plain loop: accumulate per output cell. */
  double acc[120];
  int cnt[120];
  for (int i = 0; i < 120; i++) acc[i] = op == TL_BUILTIN_REDUCE_MAX ? -1e30 : 0, cnt[i] = 0;
  for (int a = 0; a < 2; a++)
    for (int b2 = 0; b2 < 3; b2++)
      for (int c = 0; c < 4; c++)
        for (int e = 0; e < 5; e++) {
          int idx[4] = {a, b2, c, e}, oi = 0;
          for (int k = 0; k < 4; k++) oi = oi * (red[k] ? 1 : d[k]) + (red[k] ? 0 : idx[k]);
          float v = kh_f32(x)[((a * 3 + b2) * 4 + c) * 5 + e];
          if (op == TL_BUILTIN_REDUCE_MAX) acc[oi] = v > acc[oi] ? v : acc[oi];
          else acc[oi] += v;
          cnt[oi]++;
        }
  int bad = 0;
  for (int64_t i = 0; i < tl_numel(o); i++) {
    double r = op == TL_BUILTIN_MEAN ? acc[i] / cnt[i] : acc[i];
    if (fabs(r - kh_f32(o)[i]) > 1e-5 * (1 + fabs(r))) bad++;
  }
  EXPECT_EQ(bad, 0);
  kh_reset();
}

TEST(reductions) {
  const int32_t hw[] = {1, 2}, neg[] = {-1}, dup[] = {0, -4, 3}, all[] = {0, 1, 2, 3};
  static const int ops[] = {TL_BUILTIN_MEAN, TL_BUILTIN_SUM, TL_BUILTIN_REDUCE_MAX};
  for (int k = 0; k < 3; k++) {
    check_reduce(ops[k], 1, 2, hw);
    check_reduce(ops[k], 0, 2, hw);
    check_reduce(ops[k], 0, 1, neg);
    check_reduce(ops[k], 1, 3, dup);
    check_reduce(ops[k], 0, 4, all);
  }
  const int32_t d[] = {2, 3}, bad_axis[] = {2};
  const int32_t da[] = {1};
  tl_tensor *in[2] = {ftensor(2, d, 1), kh_tensor(TL_INT32, 1, da, bad_axis, 1)};
  tl_tensor *o = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_MEAN, 2, in, 1, &o, NULL, 0)), TL_ERR_MODEL);
  kh_reset();
}

TEST_MAIN(T(binary_broadcast_shapes), T(binary_rejects_bad_shapes_and_types), T(int32_arithmetic),
          T(unary_activations), T(cast_combinations), T(dequantize_f16_and_int8), T(reductions))

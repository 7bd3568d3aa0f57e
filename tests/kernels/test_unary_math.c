/* SPDX-License-Identifier: Apache-2.0
 * Element-wise one-input math ops (src/kernels/ops/unary_math.c) against the real TensorFlow Lite's
 * builtin kernels: for each op and dtype a single-op model written with tinylite's writer, inputs
 * that mix random values of several magnitudes with the edge cases (zeros of both signs, halves and
 * their neighbours for ROUND, +-inf, NaN, the int extremes), run by both; every output must be the
 * same bits, with two exceptions that come from TFLite's x86 build computing with Eigen's vector
 * functions rather than libm: NaN matches any NaN, and values below FLT_MIN in magnitude (zeros of
 * either sign, subnormals, which Eigen flushes) match each other. Ops newer than TFLite 2.9 (SIGN)
 * are compared with LiteRT. Malformed models are refused with a message. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "format/schema.h"
#include "format/tflite_writer.h"
#include "test.h"
#include "tflite_oracle.h"
#include "tinylite.h"

enum { N = 97 }; /* odd: no SIMD-friendly length */

static uint32_t g_rs = 12345;
static uint32_t rnd(void) {
  g_rs ^= g_rs << 13, g_rs ^= g_rs >> 17, g_rs ^= g_rs << 5;
  return g_rs;
}

/* A model with one op `code` on a [1, N] tensor of `type` (in and out). */
static int write_model(const char *path, int code, int type, int out_type) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  const int32_t d[2] = {1, N};
  const int in = tl_tfl_add_tensor(b, 0, "x", type, 2, d, NULL, 0, NULL, 0);
  const int out = tl_tfl_add_tensor(b, 0, "y", out_type, 2, d, NULL, 0, NULL, 0);
  int ins[1] = {in}, outs[1] = {out};
  tl_tfl_add_op(b, 0, code, 1, ins, 1, outs, 1, NULL);
  tl_tfl_set_io(b, 0, ins, 1, outs, 1);
  char err[256];
  const int rc = tl_tfl_write_file(b, path, err, sizeof err);
  if (rc) fprintf(stderr, "  writer: %s\n", err);
  tl_tfl_builder_free(b);
  return rc;
}

static void fill_f32(float *x, int code) {
  static const float edge[] = {0.f, -0.f, 0.5f, -0.5f, 1.5f, 2.5f, -2.5f, 0.49999997f, 1e-30f, -1e-30f,
                               88.7f, -104.f, 3.f, -3.f, 6.f, 1e30f, -1e30f, INFINITY, -INFINITY, NAN};
  const int ne = (int)(sizeof edge / sizeof edge[0]);
  for (int i = 0; i < N; i++) {
    if (i < ne) {
      x[i] = edge[i];
      continue;
    }
    const float u = (float)(rnd() >> 8) / 16777216.f * 2.f - 1.f; /* [-1, 1) */
    const float mag = i % 3 == 0 ? 100.f : i % 3 == 1 ? 8.f : 1.f;
    x[i] = u * mag;
    /* LOG, SQRT, RSQRT: mostly their domain (the rest checks NaN agrees) */
    if ((code == TL_BUILTIN_SQRT || code == TL_BUILTIN_RSQRT || code == 73) && i % 5) x[i] = fabsf(x[i]);
  }
}

static int same_f32(const float *a, const float *b, int *at) {
  for (int i = 0; i < N; i++) {
    if (isnan(a[i]) && isnan(b[i])) continue;
    if (fabsf(a[i]) < FLT_MIN && fabsf(b[i]) < FLT_MIN) continue;
    if (memcmp(&a[i], &b[i], 4)) return *at = i, 0;
  }
  return 1;
}

/* One op and dtype through both runtimes. */
static void check(const char *ref, const char *name, int code, int type) {
  char path[256], err[1024];
  snprintf(path, sizeof path, "/tmp/tl_unary_%ld_%s_%d.tflite", (long)getpid(), name, type);
  EXPECT_EQ(write_model(path, code, type, type), 0);
  const size_t esz = type == TL_TFL_INT64 ? 8 : 4, bytes = esz * N;
  union {
    float f[N];
    int32_t i[N];
    int64_t l[N];
  } in, ours, theirs;
  if (type == TL_TFL_FLOAT32) {
    fill_f32(in.f, code);
  } else {
    for (int i = 0; i < N; i++) {
      const int64_t v = (int64_t)(int32_t)rnd() >> (i % 20);
      if (type == TL_TFL_INT32) in.i[i] = i == 0 ? INT32_MIN : i == 1 ? INT32_MAX : i == 2 ? 0 : (int32_t)v;
      else in.l[i] = i == 0 ? INT64_MIN : i == 1 ? INT64_MAX : i == 2 ? 0 : v * 1000003;
    }
  }
  const void *ins[1] = {&in};
  void *o1[1] = {&ours}, *o2[1] = {&theirs};
  const size_t in_bytes[1] = {bytes};
  if (tl_oracle_tinylite(path, 1, ins, in_bytes, 1, o1, in_bytes, err, sizeof err)) {
    fprintf(stderr, "  %s %s: tinylite: %s\n", name, type == TL_TFL_FLOAT32 ? "float32" : "int", err);
    tl_test_failed_now = 1;
  } else if (tl_oracle_tflite(ref, code > 150 ? "--runtime litert" : NULL, path, 1, ins, in_bytes, 1, o2, in_bytes, err,
                              sizeof err)) {
    fprintf(stderr, "  %s: TensorFlow Lite: %s\n", name, err);
    tl_test_failed_now = 1;
  } else {
    int at = -1;
    const int same = type == TL_TFL_FLOAT32 ? same_f32(ours.f, theirs.f, &at) : !memcmp(&ours, &theirs, bytes);
    if (!same && type == TL_TFL_FLOAT32)
      fprintf(stderr, "  %s float32: element %d: %.9g -> %.9g, TensorFlow Lite %.9g\n", name, at, (double)in.f[at],
              (double)ours.f[at], (double)theirs.f[at]);
    else if (!same)
      fprintf(stderr, "  %s: integer outputs differ\n", name);
    else
      printf("  %-10s %-7s %d values, the same bits as TensorFlow Lite\n", name,
             type == TL_TFL_FLOAT32 ? "float32" : type == TL_TFL_INT32 ? "int32" : "int64", N);
    EXPECT(same);
  }
  unlink(path);
}

static const struct {
  const char *name;
  int code, int32, int64;
} ops[] = {
    {"EXP", 47, 0, 0},   {"LOG", 73, 0, 0},   {"SQRT", 75, 0, 0},        {"RSQRT", 76, 0, 0},
    {"SQUARE", 92, 0, 0}, {"SIN", 66, 0, 0},  {"COS", 108, 0, 0},        {"ABS", 101, 0, 0},
    {"NEG", 59, 1, 1},   {"FLOOR", 8, 0, 0},  {"CEIL", 104, 0, 0},       {"ROUND", 116, 0, 0},
    {"SIGN", 158, 1, 0}, {"ELU", 111, 0, 0},  {"HARD_SWISH", 117, 0, 0}, {"GELU", 150, 0, 0},
    {"RELU_0_TO_1", 152, 0, 0},
};

TEST(unary_math_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
    check(ref, ops[k].name, ops[k].code, TL_TFL_FLOAT32);
    if (ops[k].int32) check(ref, ops[k].name, ops[k].code, TL_TFL_INT32);
    if (ops[k].int64) check(ref, ops[k].name, ops[k].code, TL_TFL_INT64);
  }
}

/* Quantized HARD_SWISH (MobileNetV3's int8 activations): every input value, several scale pairs. */
TEST(hard_swish_quantized_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const float scales[][2] = {{0.02f, 0.02f}, {0.05f, 0.03f}, {0.1f, 0.08f}, {0.2f, 0.25f}, {0.01f, 0.004f}, {0.8f, 0.5f}};
  static uint8_t all[256];
  for (int i = 0; i < 256; i++) all[i] = (uint8_t)i;
  const int32_t d[1] = {256};
  int ok = 0, n = 0;
  for (int t = 0; t < 2; t++)
    for (size_t k = 0; k < sizeof scales / sizeof scales[0]; k++) {
      float si[1] = {scales[k][0]}, so[1] = {scales[k][1]};
      int64_t zi[1] = {t ? 128 + (int)k : (int)k * 5 - 10}, zo[1] = {t ? 20 : -100};
      tl_tfl_quant qi = {1, si, zi, 0, 0, NULL, NULL}, qo = {1, so, zo, 0, 0, NULL, NULL};
      tl_om m;
      tl_om_init(&m);
      tl_om_input(&m, t ? TL_TFL_UINT8 : TL_TFL_INT8, 1, d, &qi, all);
      tl_om_output(&m, t ? TL_TFL_UINT8 : TL_TFL_INT8, 1, d, &qo);
      n++, ok += tl_om_check(ref, NULL, &m, 117, 1, NULL, "HARD_SWISH quantized", NULL);
    }
  printf("  HARD_SWISH int8/uint8: %d/%d scale pairs, every input value, as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

/* GELU with approximate = true (the tanh form). */
TEST(gelu_approximate_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static float x[N];
  fill_f32(x, 150);
  const int32_t d[1] = {N};
  tl_om m;
  tl_om_init(&m);
  tl_om_input(&m, TL_TFL_FLOAT32, 1, d, NULL, x);
  tl_om_output(&m, TL_TFL_FLOAT32, 1, d, NULL);
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_GELU);
  tl_tfl_opts_set_int(&o, 0, TL_TFL_F_BOOL, 1);
  EXPECT(tl_om_check(ref, NULL, &m, 150, 1, &o, "GELU approximate", NULL));
}

/* Refusals: output of another dtype, an unsupported dtype (named), a missing input. */
TEST(unary_math_refuses_malformed_models) {
  char path[256], err[512];
  snprintf(path, sizeof path, "/tmp/tl_unary_bad_%ld.tflite", (long)getpid());
  const float x[N] = {0};
  const void *ins[1] = {x};
  const size_t nb[1] = {sizeof x};
  float y[N];
  void *outs[1] = {y};
  EXPECT_EQ(write_model(path, 47, TL_TFL_FLOAT32, TL_TFL_INT32), 0);
  EXPECT(tl_oracle_tinylite(path, 1, ins, nb, 1, outs, nb, err, sizeof err) != 0);
  EXPECT_STR_CONTAINS(err, "output is INT32");
  EXPECT_EQ(write_model(path, 75, TL_TFL_INT8, TL_TFL_INT8), 0);
  EXPECT(tl_oracle_tinylite(path, 1, ins, nb, 1, outs, nb, err, sizeof err) != 0);
  EXPECT_STR_CONTAINS(err, "SQRT");
  EXPECT_STR_CONTAINS(err, "INT8");
  unlink(path);
}

TEST_MAIN(T(unary_math_matches_tflite), T(hard_swish_quantized_matches_tflite), T(gelu_approximate_matches_tflite),
          T(unary_math_refuses_malformed_models))

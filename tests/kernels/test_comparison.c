/* SPDX-License-Identifier: Apache-2.0
 * EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER, GREATER_EQUAL (src/kernels/ops/comparison.c) against
 * the real TensorFlow Lite's builtin kernels: single-op models with random broadcast shapes for
 * float32 (with ties, signed zeros, NaN), int32, int64, bool and quantized int8/uint8 (each input
 * with its own random scale and zero point, values chosen so that near-equal real values occur);
 * every output byte must agree. Malformed models are refused with a message. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "format/schema.h"
#include "test.h"
#include "tflite_oracle.h"
#include "tinylite.h"

static uint32_t g_rs = 777;
static uint32_t rnd(void) {
  g_rs ^= g_rs << 13, g_rs ^= g_rs >> 17, g_rs ^= g_rs << 5;
  return g_rs;
}

static const struct {
  const char *name;
  int code;
} ops[] = {{"EQUAL", 71}, {"NOT_EQUAL", 72}, {"LESS", 58}, {"LESS_EQUAL", 63}, {"GREATER", 61}, {"GREATER_EQUAL", 62}};


/* Random shapes a (rank 1..4) and b broadcastable with it; out = the broadcast shape. */
static void shapes(int *na, int32_t *a, int *nb, int32_t *b, int32_t *o) {
  *na = 1 + (int)(rnd() % 4);
  for (int i = 0; i < *na; i++) a[i] = 1 + (int32_t)(rnd() % 5);
  *nb = 1 + (int)(rnd() % (unsigned)*na);
  for (int i = 0; i < *nb; i++) b[i] = rnd() % 3 ? a[*na - *nb + i] : 1;
  if (rnd() % 2) a[*na - 1] = 1 + 0 * a[*na - 1], b[*nb - 1] = 1 + (int32_t)(rnd() % 4); /* broadcast both ways */
  for (int i = 0; i < *na; i++) {
    const int j = i - (*na - *nb);
    const int32_t bd = j >= 0 ? b[j] : 1;
    o[i] = a[i] > bd ? a[i] : bd;
  }
}

static void fill(int type, void *d, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const uint32_t r = rnd();
    switch (type) {
      case TL_TFL_FLOAT32: {
        static const float edge[] = {0.f, -0.f, 1.f, NAN, INFINITY};
        ((float *)d)[i] = r % 7 == 0 ? edge[r % 5] : (float)((int)(r % 9) - 4) * 0.5f;
        break;
      }
      case TL_TFL_INT32: ((int32_t *)d)[i] = r % 11 == 0 ? INT32_MIN : (int32_t)(r % 7) - 3; break;
      case TL_TFL_INT64: ((int64_t *)d)[i] = (int64_t)(r % 7) - 3; break;
      case TL_TFL_BOOL: ((uint8_t *)d)[i] = (uint8_t)(r & 1); break;
      default: ((uint8_t *)d)[i] = (uint8_t)(r >> 8); break;
    }
  }
}

/* One random case of op k on dtype `type`; 1 when both runtimes give the same bytes. */
static int one_case(const char *ref, int k, int type) {
  int na, nb;
  int32_t da[6], db[6], dout[6];
  shapes(&na, da, &nb, db, dout);
  float sa[1] = {0.002f + (float)(rnd() % 1000) / 1000.f * 0.3f}, sb[1] = {rnd() % 3 ? sa[0] : sa[0] * 1.5f};
  int64_t za[1] = {type == TL_TFL_INT8 ? (int)(rnd() % 60) - 30 : (int)(rnd() % 60) + 100}, zb[1] = {za[0] + (rnd() % 2)};
  tl_tfl_quant qa = {1, sa, za, 0, 0, NULL, NULL}, qb = {1, sb, zb, 0, 0, NULL, NULL};
  const int q = type == TL_TFL_INT8 || type == TL_TFL_UINT8;
  size_t n_a = 1, n_b = 1;
  for (int i = 0; i < na; i++) n_a *= (size_t)da[i];
  for (int i = 0; i < nb; i++) n_b *= (size_t)db[i];
  static int64_t xa[1024], xb[1024];
  fill(type, xa, n_a);
  fill(type, xb, n_b);
  tl_om m;
  tl_om_init(&m);
  tl_om_input(&m, type, na, da, q ? &qa : NULL, xa);
  tl_om_input(&m, type, nb, db, q ? &qb : NULL, xb);
  tl_om_output(&m, TL_TFL_BOOL, na, dout, NULL);
  return tl_om_check(ref, NULL, &m, ops[k].code, type == TL_TFL_INT8 ? 2 : 1, NULL, ops[k].name, NULL);
}

TEST(comparisons_match_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const int types[] = {TL_TFL_FLOAT32, TL_TFL_INT32, TL_TFL_INT64, TL_TFL_BOOL, TL_TFL_INT8, TL_TFL_UINT8};
  for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
    int cases = 0, same = 0;
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
      if (types[t] == TL_TFL_BOOL && ops[k].code != 71 && ops[k].code != 72) continue;
      for (int c = 0; c < 3; c++) cases++, same += one_case(ref, (int)k, types[t]);
    }
    printf("  %-14s %d/%d random cases (float32, int32, int64, %sint8, uint8) as TensorFlow Lite\n", ops[k].name, same,
           cases, ops[k].code == 71 || ops[k].code == 72 ? "bool, " : "");
    EXPECT_EQ(same, cases);
  }
}

TEST(comparisons_refuse_malformed_models) {
  const int32_t d[1] = {4};
  const struct {
    int ta, tb, to, code;
    const char *msg;
  } bad[] = {{TL_TFL_FLOAT32, TL_TFL_INT32, TL_TFL_BOOL, 71, "must have one type"},
             {TL_TFL_FLOAT32, TL_TFL_FLOAT32, TL_TFL_FLOAT32, 58, "not BOOL"},
             {TL_TFL_BOOL, TL_TFL_BOOL, TL_TFL_BOOL, 61, "only EQUAL and NOT_EQUAL"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, bad[i].ta, 1, d, NULL, NULL);
    tl_om_input(&m, bad[i].tb, 1, d, NULL, NULL);
    tl_om_output(&m, bad[i].to, 1, d, NULL);
    EXPECT(tl_om_check(NULL, NULL, &m, bad[i].code, 1, NULL, "comparison refusal", bad[i].msg));
  }
}

TEST_MAIN(T(comparisons_match_tflite), T(comparisons_refuse_malformed_models))

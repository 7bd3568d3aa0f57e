/* SPDX-License-Identifier: Apache-2.0
 * FLOOR_DIV, FLOOR_MOD, SQUARED_DIFFERENCE and POW (src/kernels/ops/binary_math.c) against the real
 * TensorFlow Lite's builtin kernels: each dtype TFLite 2.9 takes, same shapes and broadcasts, values
 * of both signs (divisors never zero there: a zero integer divisor and a negative integer exponent
 * are checked to be run-time errors). Every output byte must agree. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "format/schema.h"
#include "test.h"
#include "tflite_oracle.h"

static void values(int code, int type, int which, void *d, int n) {
  for (int i = 0; i < n; i++) {
    const int v = ((i + 3) * (which ? 29 : 17)) % 23 - 11; /* -11..11 */
    const int nz = v == 0 ? 5 : v;
    if (type == TL_TFL_FLOAT32) {
      float f = (float)v / 3.f;
      if (which && code == TL_BUILTIN_POW) f = (float)(v % 4) / 2.f; /* exponents -1.5..1.5 */
      if (!which && code == TL_BUILTIN_POW) f = fabsf(f) + 0.25f;
      if (which && code != TL_BUILTIN_POW && code != TL_BUILTIN_SQUARED_DIFFERENCE) f = (float)nz / 3.f;
      ((float *)d)[i] = f;
    } else {
      int64_t x = which && code != TL_BUILTIN_SQUARED_DIFFERENCE ? nz : v * 1000003;
      if (code == TL_BUILTIN_POW) x = which ? (v < 0 ? -v : v) % 6 : v;
      if (type == TL_TFL_INT64) ((int64_t *)d)[i] = x;
      else ((int32_t *)d)[i] = (int32_t)x;
    }
  }
}

TEST(binary_math_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const struct {
    const char *name;
    int code, types[3], n;
  } ops[] = {{"FLOOR_DIV", TL_BUILTIN_FLOOR_DIV, {TL_TFL_FLOAT32, TL_TFL_INT32}, 2},
             {"FLOOR_MOD", TL_BUILTIN_FLOOR_MOD, {TL_TFL_FLOAT32, TL_TFL_INT32, TL_TFL_INT64}, 3},
             {"SQUARED_DIFFERENCE", TL_BUILTIN_SQUARED_DIFFERENCE, {TL_TFL_FLOAT32, TL_TFL_INT32}, 2},
             {"POW", TL_BUILTIN_POW, {TL_TFL_FLOAT32, TL_TFL_INT32}, 2}};
  static const int32_t shapes[][2][3] = {{{2, 3, 4}, {2, 3, 4}}, {{2, 3, 4}, {1, 1, 4}}, {{2, 1, 4}, {1, 3, 1}}};
  for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
    int ok = 0, n = 0;
    for (int t = 0; t < ops[k].n; t++)
      for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        static int64_t a[64], b[64];
        const int na = shapes[s][0][0] * shapes[s][0][1] * shapes[s][0][2], nb = shapes[s][1][0] * shapes[s][1][1] * shapes[s][1][2];
        int32_t od[3];
        for (int i = 0; i < 3; i++) od[i] = shapes[s][0][i] > shapes[s][1][i] ? shapes[s][0][i] : shapes[s][1][i];
        values(ops[k].code, ops[k].types[t], 0, a, na);
        values(ops[k].code, ops[k].types[t], 1, b, nb);
        tl_om m;
        tl_om_init(&m);
        tl_om_input(&m, ops[k].types[t], 3, shapes[s][0], NULL, a);
        tl_om_input(&m, ops[k].types[t], 3, shapes[s][1], NULL, b);
        tl_om_output(&m, ops[k].types[t], 3, od, NULL);
        n++, ok += tl_om_check(ref, NULL, &m, ops[k].code, 1, NULL, ops[k].name, NULL);
      }
    printf("  %-18s %d/%d cases (%d dtype(s) x 3 shapes) as TensorFlow Lite\n", ops[k].name, ok, n, ops[k].n);
    EXPECT_EQ(ok, n);
  }
}

TEST(binary_math_run_time_errors) {
  const int32_t d[1] = {3}, x[3] = {1, 2, 3}, zero[3] = {1, 0, 1}, neg[3] = {1, -1, 2};
  const struct {
    int code;
    const int32_t *y;
    const char *msg;
  } bad[] = {{TL_BUILTIN_FLOOR_DIV, zero, "division by zero"},
             {TL_BUILTIN_FLOOR_MOD, zero, "division by zero"},
             {TL_BUILTIN_POW, neg, "negative integer exponent"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_INT32, 1, d, NULL, x);
    tl_om_input(&m, TL_TFL_INT32, 1, d, NULL, bad[i].y);
    tl_om_output(&m, TL_TFL_INT32, 1, d, NULL);
    EXPECT(tl_om_check(NULL, NULL, &m, bad[i].code, 1, NULL, "run-time error", bad[i].msg));
  }
}

TEST_MAIN(T(binary_math_matches_tflite), T(binary_math_run_time_errors))

/* SPDX-License-Identifier: Apache-2.0
 * SELECT and SELECT_V2 (src/kernels/ops/select.c) against the real TensorFlow Lite's builtin kernels:
 * float32, int8, int32 and bool values; SELECT with a full, a scalar and a first-dimension condition,
 * SELECT_V2 with broadcasts of each input. Every output byte must agree; conditions of the wrong
 * type or shape are refused with a message. */
#include <stdint.h>
#include <stdio.h>

#include "format/schema.h"
#include "test.h"
#include "tflite_oracle.h"

TEST(select_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const int types[] = {TL_TFL_FLOAT32, TL_TFL_INT8, TL_TFL_INT32, TL_TFL_BOOL};
  static const struct {
    int v2;
    int32_t c[3], x[3], y[3];
    int nc, nx, ny;
  } shapes[] = {{0, {2, 3, 4}, {2, 3, 4}, {2, 3, 4}, 3, 3, 3}, {0, {0}, {2, 3, 4}, {2, 3, 4}, 0, 3, 3},
                {0, {2}, {2, 3, 4}, {2, 3, 4}, 1, 3, 3},       {1, {2, 1, 4}, {1, 3, 4}, {2, 3, 1}, 3, 3, 3},
                {1, {4}, {2, 3, 4}, {1}, 1, 3, 1},             {1, {2, 3, 1}, {3, 4}, {2, 3, 4}, 3, 2, 3}};
  static uint8_t cond[64];
  for (int i = 0; i < 64; i++) cond[i] = (uint8_t)((i * 5) % 3 == 0);
  int ok = 0, n = 0;
  for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
      int32_t od[3] = {2, 3, 4};
      float sc[1] = {0.5f};
      int64_t zp[1] = {3};
      tl_tfl_quant q = {1, sc, zp, 0, 0, NULL, NULL};
      const tl_tfl_quant *qq = types[t] == TL_TFL_INT8 ? &q : NULL;
      static uint8_t bx[64], by[64];
      for (int i = 0; i < 64; i++) bx[i] = (uint8_t)(i & 1), by[i] = (uint8_t)((i >> 1) & 1);
      tl_om m;
      tl_om_init(&m);
      tl_om_input(&m, TL_TFL_BOOL, shapes[s].nc, shapes[s].c, NULL, cond);
      tl_om_input(&m, types[t], shapes[s].nx, shapes[s].x, qq, types[t] == TL_TFL_BOOL ? bx : NULL);
      tl_om_input(&m, types[t], shapes[s].ny, shapes[s].y, qq, types[t] == TL_TFL_BOOL ? by : NULL);
      tl_om_output(&m, types[t], 3, od, qq);
      n++, ok += tl_om_check(ref, NULL, &m, shapes[s].v2 ? TL_BUILTIN_SELECT_V2 : TL_BUILTIN_SELECT, 1, NULL,
                             shapes[s].v2 ? "SELECT_V2" : "SELECT", NULL);
    }
  printf("  SELECT, SELECT_V2: %d/%d cases (4 dtypes x 6 condition shapes) as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(select_refuses_malformed_models) {
  const int32_t d[2] = {2, 3}, bad[1] = {3};
  tl_om m;
  tl_om_init(&m);
  tl_om_input(&m, TL_TFL_INT32, 2, d, NULL, NULL);
  tl_om_input(&m, TL_TFL_FLOAT32, 2, d, NULL, NULL);
  tl_om_input(&m, TL_TFL_FLOAT32, 2, d, NULL, NULL);
  tl_om_output(&m, TL_TFL_FLOAT32, 2, d, NULL);
  EXPECT(tl_om_check(NULL, NULL, &m, TL_BUILTIN_SELECT, 1, NULL, "SELECT int condition", "not BOOL"));
  tl_om_init(&m);
  tl_om_input(&m, TL_TFL_BOOL, 1, bad, NULL, NULL);
  tl_om_input(&m, TL_TFL_FLOAT32, 2, d, NULL, NULL);
  tl_om_input(&m, TL_TFL_FLOAT32, 2, d, NULL, NULL);
  tl_om_output(&m, TL_TFL_FLOAT32, 2, d, NULL);
  EXPECT(tl_om_check(NULL, NULL, &m, TL_BUILTIN_SELECT, 1, NULL, "SELECT condition shape", "first dimension"));
}

TEST_MAIN(T(select_matches_tflite), T(select_refuses_malformed_models))

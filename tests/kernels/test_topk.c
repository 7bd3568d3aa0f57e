/* SPDX-License-Identifier: Apache-2.0
 * TOPK_V2 (src/kernels/ops/topk_v2.c) against the real TensorFlow Lite's builtin kernels: float32,
 * uint8, int8, int32 and int64 rows with many ties (small value ranges), k from 0 to the row length;
 * both outputs (values and int32 indices) must agree byte for byte. k out of range is refused. */
#include <stdint.h>
#include <stdio.h>

#include "format/schema.h"
#include "test.h"
#include "tflite_oracle.h"

TEST(topk_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const int types[] = {TL_TFL_FLOAT32, TL_TFL_UINT8, TL_TFL_INT8, TL_TFL_INT32, TL_TFL_INT64};
  static const int32_t ks[] = {0, 1, 3, 7};
  int ok = 0, n = 0;
  for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
    for (size_t k = 0; k < sizeof ks / sizeof ks[0]; k++) {
      const int32_t d[2] = {6, 7}, od[2] = {6, ks[k]}, one[1] = {1};
      static int64_t storage[42];
      uint8_t *data = (uint8_t *)storage;
      for (int i = 0; i < 42; i++) {
        const int v = (i * 5) % 4 - (int)(i % 3);
        switch (types[t]) {
          case TL_TFL_FLOAT32: ((float *)(void *)data)[i] = (float)v / 2; break;
          case TL_TFL_INT32: ((int32_t *)(void *)data)[i] = v; break;
          case TL_TFL_INT64: ((int64_t *)(void *)data)[i] = v; break;
          default: data[i] = (uint8_t)(v + 2); break;
        }
      }
      tl_om m;
      tl_om_init(&m);
      tl_om_input(&m, types[t], 2, d, NULL, data);
      tl_om_const(&m, TL_TFL_INT32, 0, one, &ks[k], NULL);
      tl_om_output(&m, types[t], 2, od, NULL);
      tl_om_output(&m, TL_TFL_INT32, 2, od, NULL);
      n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_TOPK_V2, 1, NULL, "TOPK_V2", NULL);
    }
  printf("  TOPK_V2: %d/%d cases (5 dtypes x 4 k, ties) as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(topk_refuses_k_out_of_range) {
  const int32_t d[2] = {2, 3}, od[2] = {2, 4}, one[1] = {1}, k[1] = {4};
  tl_om m;
  tl_om_init(&m);
  tl_om_input(&m, TL_TFL_FLOAT32, 2, d, NULL, NULL);
  tl_om_const(&m, TL_TFL_INT32, 0, one, k, NULL);
  tl_om_output(&m, TL_TFL_FLOAT32, 2, od, NULL);
  tl_om_output(&m, TL_TFL_INT32, 2, od, NULL);
  EXPECT(tl_om_check(NULL, NULL, &m, TL_BUILTIN_TOPK_V2, 1, NULL, "TOPK_V2 k", "outside [0, 3]"));
}

TEST_MAIN(T(topk_matches_tflite), T(topk_refuses_k_out_of_range))

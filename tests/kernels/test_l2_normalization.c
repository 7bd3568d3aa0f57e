/* SPDX-License-Identifier: Apache-2.0
 * L2_NORMALIZATION (src/kernels/ref/l2_normalization.c) against the real TensorFlow Lite's builtin
 * kernels: float32 (all-zero rows among them, where the 1e-6 floor applies), uint8 and int8 with
 * random zero points, last dimensions from 1 to 64. Every output byte must agree; an output
 * quantization other than TFLite's fixed 1/128 is refused with a message. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "format/builtin_ops.h"
#include "format/schema_ids.h"
#include "test.h"
#include "tflite_oracle.h"

TEST(l2_normalization_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const int types[] = {TL_TFL_FLOAT32, TL_TFL_UINT8, TL_TFL_INT8};
  static const int32_t depths[] = {1, 3, 8, 17, 64};
  int ok = 0, n = 0;
  for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
    for (size_t k = 0; k < sizeof depths / sizeof depths[0]; k++) {
      const int32_t d[3] = {2, 3, depths[k]};
      float si[1] = {0.02f}, so[1] = {1.0f / 128};
      int64_t zi[1] = {types[t] == TL_TFL_UINT8 ? 100 + (int)k : (int)k - 2}, zo[1] = {types[t] == TL_TFL_UINT8 ? 128 : 0};
      tl_tfl_quant qi = {1, si, zi, 0, 0, NULL, NULL}, qo = {1, so, zo, 0, 0, NULL, NULL};
      const int q = types[t] != TL_TFL_FLOAT32;
      static float f[6 * 64];
      for (int i = 0; i < 6 * depths[k]; i++) f[i] = i < depths[k] ? 0.f : (float)((i * 31) % 19 - 9) / 5.f;
      tl_om m;
      tl_om_init(&m);
      tl_om_input(&m, types[t], 3, d, q ? &qi : NULL, q ? NULL : f);
      tl_om_output(&m, types[t], 3, d, q ? &qo : NULL);
      n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_L2_NORMALIZATION, q ? 2 : 1, NULL, "L2_NORMALIZATION", NULL);
    }
  printf("  L2_NORMALIZATION: %d/%d cases (float32, uint8, int8 x 5 depths) as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(l2_normalization_refuses_wrong_output_scale) {
  const int32_t d[2] = {2, 4};
  float si[1] = {0.02f}, so[1] = {0.01f};
  int64_t z[1] = {0};
  tl_tfl_quant qi = {1, si, z, 0, 0, NULL, NULL}, qo = {1, so, z, 0, 0, NULL, NULL};
  tl_om m;
  tl_om_init(&m);
  tl_om_input(&m, TL_TFL_INT8, 2, d, &qi, NULL);
  tl_om_output(&m, TL_TFL_INT8, 2, d, &qo);
  EXPECT(tl_om_check(NULL, NULL, &m, TL_BUILTIN_L2_NORMALIZATION, 2, NULL, "L2 output scale", "scale 1/128"));
}

TEST_MAIN(T(l2_normalization_matches_tflite), T(l2_normalization_refuses_wrong_output_scale))

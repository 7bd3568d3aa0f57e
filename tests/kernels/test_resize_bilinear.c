/* SPDX-License-Identifier: Apache-2.0
 * RESIZE_BILINEAR (src/kernels/ops/resize_bilinear.c) against the real TensorFlow Lite's builtin
 * kernels: float32, uint8, int8 and int16 images, up- and downscaling (the exact 2x upscale among
 * them), with align_corners, half_pixel_centers or neither: every output byte must agree. Refusals:
 * a zero size, both options at once, a size tensor of the wrong type. */
#include <stdint.h>
#include <stdio.h>

#include "format/schema.h"
#include "test.h"
#include "tflite_oracle.h"
#include "tinylite.h"

static uint32_t g_rs = 99;
static uint32_t rnd(void) {
  g_rs ^= g_rs << 13, g_rs ^= g_rs >> 17, g_rs ^= g_rs << 5;
  return g_rs;
}
/* One model: RESIZE_BILINEAR of a 4-D `type` image to oh x ow, checked by tl_om_check (refuse: the
 * message tinylite must refuse it with, or NULL to compare with TFLite). data NULL: random bytes. */
static int resize_case(const char *ref, int type, const int32_t *in_d, int32_t oh, int32_t ow, int align, int half,
                       int size_type, const void *data, const char *refuse) {
  float sc[1] = {0.05f};
  int64_t zp[1] = {type == TL_TFL_UINT8 ? 128 : 0};
  tl_tfl_quant q = {1, sc, zp, 0, 0, NULL, NULL};
  const tl_tfl_quant *qq = type != TL_TFL_FLOAT32 ? &q : NULL;
  const int32_t od[4] = {in_d[0], oh, ow, in_d[3]}, two[1] = {2}, sz[2] = {oh, ow};
  tl_om m;
  tl_om_init(&m);
  tl_om_input(&m, type, 4, in_d, qq, data);
  tl_om_const(&m, size_type, 1, two, sz, NULL);
  tl_om_output(&m, type, 4, od, qq);
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_RESIZE_BILINEAR);
  tl_tfl_opts_set_int(&o, 2, TL_TFL_F_BOOL, align);
  tl_tfl_opts_set_int(&o, 3, TL_TFL_F_BOOL, half);
  return tl_om_check(ref, NULL, &m, TL_BUILTIN_RESIZE_BILINEAR, type == TL_TFL_INT16 ? 4 : half ? 3 : 2, &o,
                     "RESIZE_BILINEAR", refuse);
}

TEST(resize_bilinear_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const int types[] = {TL_TFL_FLOAT32, TL_TFL_UINT8, TL_TFL_INT8, TL_TFL_INT16};
  static const int32_t sizes[][4] = {{3, 4, 6, 8}, {4, 4, 8, 8}, {5, 7, 3, 2}, {2, 3, 7, 5}, {1, 1, 4, 3}, {6, 6, 6, 6}};
  static float f[2 * 7 * 7 * 3];
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) f[i] = (float)((int)(rnd() % 2001) - 1000) / 37.f;
  int ok = 0, n = 0;
  for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
      for (int mode = 0; mode < 3; mode++) {
        const int32_t in_d[4] = {2, sizes[k][0], sizes[k][1], 3};
        n++, ok += resize_case(ref, types[t], in_d, sizes[k][2], sizes[k][3], mode == 1, mode == 2, TL_TFL_INT32,
                               types[t] == TL_TFL_FLOAT32 ? f : NULL, NULL);
      }
  printf("  RESIZE_BILINEAR: %d/%d cases (4 dtypes x 6 sizes x 3 modes) as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(resize_bilinear_refuses_malformed_models) {
  const int32_t in_d[4] = {1, 2, 2, 1};
  EXPECT(resize_case(NULL, TL_TFL_FLOAT32, in_d, 0, 4, 0, 0, TL_TFL_INT32, NULL, "at least 1"));
  EXPECT(resize_case(NULL, TL_TFL_FLOAT32, in_d, 4, 4, 1, 1, TL_TFL_INT32, NULL, "cannot both be set"));
  EXPECT(resize_case(NULL, TL_TFL_FLOAT32, in_d, 4, 4, 0, 0, TL_TFL_FLOAT32, NULL, "two int32 values"));
}

TEST_MAIN(T(resize_bilinear_matches_tflite), T(resize_bilinear_refuses_malformed_models))

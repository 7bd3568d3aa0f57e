/* SPDX-License-Identifier: Apache-2.0
 * RFFT2D, COMPLEX_ABS, REAL and IMAG (src/kernels/ops/rfft2d.c) against the real TensorFlow Lite's
 * builtin kernels on single-op models: fft lengths that pad and that crop the input, one-row and
 * two-column transforms, several slices; then the complex ops on complex64 input. Every output byte
 * must agree. fft lengths that are not powers of two are refused. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "format/schema.h"
#include "test.h"
#include "tflite_oracle.h"

static float g_x[2 * 3 * 12 * 20];

static void fill(float *x, int n) {
  uint32_t s = 7;
  for (int i = 0; i < n; i++) {
    s = s * 1664525u + 1013904223u;
    x[i] = (float)((s >> 9) & 0x3fff) / 4096.f - 2.f;
  }
}

TEST(rfft2d_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  /* input [slices..., h, w] and fft_length */
  static const struct {
    int nd;
    int32_t dims[4], len[2];
  } cases[] = {{2, {8, 8}, {8, 8}},          {2, {5, 6}, {8, 8}},     {2, {12, 20}, {4, 16}},
               {3, {3, 4, 16}, {4, 16}},     {2, {1, 32}, {1, 32}},   {4, {2, 3, 12, 20}, {16, 32}},
               {2, {7, 2}, {8, 2}},          {3, {2, 64, 3}, {64, 4}}};
  fill(g_x, (int)(sizeof g_x / sizeof g_x[0]));
  int ok = 0, n = 0;
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    int32_t od[4], two[1] = {2};
    for (int i = 0; i < cases[c].nd; i++) od[i] = cases[c].dims[i];
    od[cases[c].nd - 2] = cases[c].len[0];
    od[cases[c].nd - 1] = cases[c].len[1] / 2 + 1;
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_FLOAT32, cases[c].nd, cases[c].dims, NULL, g_x);
    tl_om_const(&m, TL_TFL_INT32, 1, two, cases[c].len, NULL);
    tl_om_output(&m, TL_TFL_COMPLEX64, cases[c].nd, od, NULL);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_RFFT2D, 1, NULL, "RFFT2D", NULL);
  }
  printf("  RFFT2D: %d/%d shapes (padding, cropping, batches of slices) as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(complex_parts_match_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const int codes[] = {TL_BUILTIN_COMPLEX_ABS, TL_BUILTIN_REAL, TL_BUILTIN_IMAG};
  static const char *names[] = {"COMPLEX_ABS", "REAL", "IMAG"};
  fill(g_x, 2 * 6 * 7);
  g_x[0] = 0.f, g_x[1] = -0.f, g_x[2] = 3e38f, g_x[3] = 3e38f, g_x[4] = 1e-40f; /* zero, overflow, subnormal */
  int ok = 0;
  for (int k = 0; k < 3; k++) {
    const int32_t d[2] = {6, 7};
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_COMPLEX64, 2, d, NULL, g_x);
    tl_om_output(&m, TL_TFL_FLOAT32, 2, d, NULL);
    ok += tl_om_check(ref, NULL, &m, codes[k], 1, NULL, names[k], NULL);
  }
  printf("  COMPLEX_ABS, REAL, IMAG: %d/3 as TensorFlow Lite\n", ok);
  EXPECT_EQ(ok, 3);
}

TEST(rfft2d_refuses_bad_lengths) {
  static const int32_t lens[][2] = {{6, 8}, {8, 12}, {0, 8}, {8, 1}, {-4, 8}};
  int ok = 0;
  for (int c = 0; c < 5; c++) {
    const int32_t d[2] = {8, 8}, two[1] = {2}, od[2] = {8, 5};
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_FLOAT32, 2, d, NULL, g_x);
    tl_om_const(&m, TL_TFL_INT32, 1, two, lens[c], NULL);
    tl_om_output(&m, TL_TFL_COMPLEX64, 2, od, NULL);
    ok += tl_om_check(NULL, NULL, &m, TL_BUILTIN_RFFT2D, 1, NULL, "RFFT2D", "powers of two");
  }
  EXPECT_EQ(ok, 5);
}

TEST_MAIN(T(rfft2d_matches_tflite), T(complex_parts_match_tflite), T(rfft2d_refuses_bad_lengths))

/* SPDX-License-Identifier: Apache-2.0
 * Less common builtin ops against the real TensorFlow Lite's builtin kernels on single-op models:
 * FAKE_QUANT (ranges and bit widths), BUCKETIZE (float, int32, int64 input), L2_POOL_2D (SAME and
 * VALID windows, a fused RELU6), REVERSE_SEQUENCE (seq and batch dims either way), MATRIX_DIAG,
 * MATRIX_SET_DIAG (square and wide), SEGMENT_SUM (float, int32, run-time ids), DYNAMIC_UPDATE_SLICE
 * (start indices clamped at both ends); float CONV_2D and FULLY_CONNECTED in TFLite's summation
 * order; options left out of the file (their schema defaults). Every output byte must agree. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "format/schema.h"
#include "test.h"
#include "tflite_oracle.h"

/* Inputs for every case: the largest, a 6x6x32 convolution input, takes 1,152 floats. */
static float g_x[2048];

static void fill(void) {
  uint32_t s = 11;
  for (int i = 0; i < 2048; i++) {
    s = s * 1664525u + 1013904223u;
    g_x[i] = (float)((s >> 9) & 0x3fff) / 2048.f - 4.f;
  }
}

TEST(fake_quant_and_bucketize_match_tflite) {
  REQUIRE_TFLITE_REF(ref);
  fill();
  static const struct {
    float mn, mx;
    int bits;
  } fq[] = {{-3.f, 3.f, 8}, {-1.f, 5.5f, 8}, {0.f, 2.f, 4}, {-6.f, 0.f, 16}, {-0.3f, 0.7f, 2}};
  int ok = 0, n = 0;
  const int32_t d[2] = {8, 16};
  for (int c = 0; c < 5; c++) {
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_FLOAT32, 2, d, NULL, g_x);
    tl_om_output(&m, TL_TFL_FLOAT32, 2, d, NULL);
    tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_FAKE_QUANT);
    tl_tfl_opts_set_float(&o, 0, TL_TFL_F_F32, fq[c].mn);
    tl_tfl_opts_set_float(&o, 1, TL_TFL_F_F32, fq[c].mx);
    tl_tfl_opts_set_int(&o, 2, TL_TFL_F_I32, fq[c].bits);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_FAKE_QUANT, 1, &o, "FAKE_QUANT", NULL);
  }
  static const float bounds[5] = {-2.f, -0.5f, 0.f, 1.f, 3.f};
  static int32_t iv[128];
  static int64_t lv[128];
  for (int i = 0; i < 128; i++) iv[i] = (int32_t)(g_x[i] * 2), lv[i] = (int64_t)(g_x[i] * 3);
  static const int types[3] = {TL_TFL_FLOAT32, TL_TFL_INT32, TL_TFL_INT64};
  const void *data[3] = {g_x, iv, lv};
  for (int t = 0; t < 3; t++) {
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, types[t], 2, d, NULL, data[t]);
    tl_om_output(&m, TL_TFL_INT32, 2, d, NULL);
    tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_BUCKETIZE);
    tl_tfl_opts_set_vec(&o, 0, TL_TFL_F_VEC_F32, bounds, 5);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_BUCKETIZE, 1, &o, "BUCKETIZE", NULL);
  }
  printf("  FAKE_QUANT and BUCKETIZE: %d/%d as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(l2_pool_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  fill();
  static const struct {
    int pad, s, f, act;
  } cases[] = {{TL_TFL_PAD_SAME, 2, 3, TL_TFL_ACT_NONE}, {TL_TFL_PAD_VALID, 1, 2, TL_TFL_ACT_NONE}, {TL_TFL_PAD_SAME, 1, 3, TL_TFL_ACT_RELU6}};
  int ok = 0;
  for (int c = 0; c < 3; c++) {
    const int32_t id[4] = {1, 6, 7, 5};
    const int oh = cases[c].pad == TL_TFL_PAD_SAME ? (6 + cases[c].s - 1) / cases[c].s : (6 - cases[c].f) / cases[c].s + 1;
    const int ow = cases[c].pad == TL_TFL_PAD_SAME ? (7 + cases[c].s - 1) / cases[c].s : (7 - cases[c].f) / cases[c].s + 1;
    const int32_t od[4] = {1, oh, ow, 5};
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_FLOAT32, 4, id, NULL, g_x);
    tl_om_output(&m, TL_TFL_FLOAT32, 4, od, NULL);
    tl_tfl_options o = tl_tfl_opts_pool2d(cases[c].pad, cases[c].s, cases[c].s, cases[c].f, cases[c].f, cases[c].act);
    char what[48];
    snprintf(what, sizeof what, "L2_POOL_2D case %d", c);
    ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_L2_POOL_2D, 1, &o, what, NULL);
  }
  printf("  L2_POOL_2D: %d/3 as TensorFlow Lite\n", ok);
  EXPECT_EQ(ok, 3);
}

TEST(sequence_and_matrix_ops_match_tflite) {
  REQUIRE_TFLITE_REF(ref);
  fill();
  int ok = 0, n = 0;
  /* REVERSE_SEQUENCE on [4, 5, 3]: seq 1 / batch 0, and seq 0 / batch 2 */
  for (int k = 0; k < 2; k++) {
    const int32_t d[3] = {4, 5, 3}, ld[1] = {k ? 3 : 4};
    const int32_t lens0[4] = {5, 0, 2, 3}, lens1[3] = {4, 1, 3};
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_FLOAT32, 3, d, NULL, g_x);
    tl_om_const(&m, TL_TFL_INT32, 1, ld, k ? lens1 : lens0, NULL);
    tl_om_output(&m, TL_TFL_FLOAT32, 3, d, NULL);
    tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_REVERSE_SEQUENCE);
    tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I32, k ? 0 : 1);
    tl_tfl_opts_set_int(&o, 1, TL_TFL_F_I32, k ? 2 : 0);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_REVERSE_SEQUENCE, 1, &o, "REVERSE_SEQUENCE", NULL);
  }
  { /* MATRIX_DIAG [3, 4] -> [3, 4, 4] */
    const int32_t d[2] = {3, 4}, od[3] = {3, 4, 4};
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_FLOAT32, 2, d, NULL, g_x);
    tl_om_output(&m, TL_TFL_FLOAT32, 3, od, NULL);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_MATRIX_DIAG, 1, NULL, "MATRIX_DIAG", NULL);
  }
  for (int k = 0; k < 2; k++) { /* MATRIX_SET_DIAG on [2, 3, 3] and [2, 3, 5] */
    const int32_t d[3] = {2, 3, k ? 5 : 3}, dd[2] = {2, 3};
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_FLOAT32, 3, d, NULL, g_x);
    tl_om_input(&m, TL_TFL_FLOAT32, 2, dd, NULL, g_x + 100);
    tl_om_output(&m, TL_TFL_FLOAT32, 3, d, NULL);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_MATRIX_SET_DIAG, 1, NULL, "MATRIX_SET_DIAG", NULL);
  }
  printf("  REVERSE_SEQUENCE, MATRIX_DIAG, MATRIX_SET_DIAG: %d/%d as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(segment_sum_and_dynamic_update_slice_match_tflite) {
  REQUIRE_TFLITE_REF(ref);
  fill();
  int ok = 0, n = 0;
  static const int32_t ids[6] = {0, 0, 1, 2, 2, 2};
  static int32_t iv[30];
  for (int i = 0; i < 30; i++) iv[i] = (int32_t)(g_x[i] * 10);
  for (int k = 0; k < 3; k++) { /* float, int32, and float with the ids fed at run time */
    const int32_t d[2] = {6, 5}, idd[1] = {6}, od[2] = {3, 5};
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, k == 1 ? TL_TFL_INT32 : TL_TFL_FLOAT32, 2, d, NULL, k == 1 ? (const void *)iv : (const void *)g_x);
    if (k == 2) tl_om_input(&m, TL_TFL_INT32, 1, idd, NULL, ids);
    else tl_om_const(&m, TL_TFL_INT32, 1, idd, ids, NULL);
    tl_om_output(&m, k == 1 ? TL_TFL_INT32 : TL_TFL_FLOAT32, 2, od, NULL);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_SEGMENT_SUM, 1, NULL, "SEGMENT_SUM", NULL);
  }
  static const int32_t starts[3][3] = {{1, 2, 0}, {-3, 9, 1}, {2, 0, 7}};
  for (int k = 0; k < 3; k++) { /* [4, 6, 3] operand, [2, 3, 2] update */
    const int32_t od[3] = {4, 6, 3}, ud[3] = {2, 3, 2}, sd[1] = {3};
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_FLOAT32, 3, od, NULL, g_x);
    tl_om_input(&m, TL_TFL_FLOAT32, 3, ud, NULL, g_x + 80);
    tl_om_input(&m, TL_TFL_INT32, 1, sd, NULL, starts[k]);
    tl_om_output(&m, TL_TFL_FLOAT32, 3, od, NULL);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_DYNAMIC_UPDATE_SLICE, 1, NULL, "DYNAMIC_UPDATE_SLICE", NULL);
  }
  printf("  SEGMENT_SUM and DYNAMIC_UPDATE_SLICE: %d/%d as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

/* TFLite's float summation order (what models with hybrid ops get; TL_FLOAT_ORDER=tflite forces it
 * here): float CONV_2D (channels in panels of 8) and FULLY_CONNECTED (batch 1 and 4, odd unit counts)
 * give TFLite's bytes exactly. */
TEST(float_order_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  fill();
  setenv("TL_FLOAT_ORDER", "tflite", 1);
  static float w[64 * 300];
  for (int i = 0; i < 64 * 300; i++) w[i] = g_x[(i * 7) % 256] * 0.25f;
  int ok = 0, n = 0;
  static const int conv[][3] = {{16, 32, 1}, {24, 8, 3}, {32, 5, 3}}; /* out channels, in channels, kernel */
  for (int c = 0; c < 3; c++) {
    const int32_t id[4] = {1, 6, 6, conv[c][1]}, wd[4] = {conv[c][0], conv[c][2], conv[c][2], conv[c][1]},
                  bd[1] = {conv[c][0]}, od[4] = {1, 6, 6, conv[c][0]};
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_FLOAT32, 4, id, NULL, g_x);
    tl_om_const(&m, TL_TFL_FLOAT32, 4, wd, w, NULL);
    tl_om_const(&m, TL_TFL_FLOAT32, 1, bd, g_x + 200, NULL);
    tl_om_output(&m, TL_TFL_FLOAT32, 4, od, NULL);
    tl_tfl_options o = tl_tfl_opts_conv2d(TL_TFL_PAD_SAME, 1, 1, TL_TFL_ACT_NONE, 1, 1);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_CONV_2D, 1, &o, "CONV_2D (TFLite order)", NULL);
  }
  static const int fc[][3] = {{10, 32, 1}, {33, 250, 1}, {7, 37, 1}, {16, 64, 4}, {13, 200, 3}}; /* units, k, batch */
  for (int c = 0; c < 5; c++) {
    const int32_t id[2] = {fc[c][2], fc[c][1]}, wd[2] = {fc[c][0], fc[c][1]}, bd[1] = {fc[c][0]}, od[2] = {fc[c][2], fc[c][0]};
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_FLOAT32, 2, id, NULL, g_x);
    tl_om_const(&m, TL_TFL_FLOAT32, 2, wd, w, NULL);
    tl_om_const(&m, TL_TFL_FLOAT32, 1, bd, g_x + 100, NULL);
    tl_om_output(&m, TL_TFL_FLOAT32, 2, od, NULL);
    tl_tfl_options o = tl_tfl_opts_fully_connected(TL_TFL_ACT_NONE, 0, 0, 0);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_FULLY_CONNECTED, 1, &o, "FULLY_CONNECTED (TFLite order)", NULL);
  }
  unsetenv("TL_FLOAT_ORDER");
  printf("  float CONV_2D and FULLY_CONNECTED in TFLite's order: %d/%d bit-identical\n", ok, n);
  EXPECT_EQ(ok, n);
}

/* Options tables with no fields: each op must take the schema's defaults as TFLite does (LEAKY_RELU
 * alpha 0, ONE_HOT axis 0 -- not -1 --, UNIQUE's int32 indices, SQUEEZE of every 1, REDUCER
 * keep_dims false); SHAPE without out_type (FLOAT32) is refused. */
TEST(absent_options_take_schema_defaults) {
  REQUIRE_TFLITE_REF(ref);
  fill();
  int ok = 0, n = 0;
  const int32_t d6[2] = {2, 3}, one[1] = {1};
  {
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_FLOAT32, 2, d6, NULL, g_x);
    tl_om_output(&m, TL_TFL_FLOAT32, 2, d6, NULL);
    tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_LEAKY_RELU);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_LEAKY_RELU, 1, &o, "LEAKY_RELU, no alpha", NULL);
  }
  {
    static const int32_t ix[3] = {0, 2, 1}, id[1] = {3}, od[2] = {4, 3}, depth = 4;
    const float on = 1.f, off = 0.f;
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_INT32, 1, id, NULL, ix);
    tl_om_const(&m, TL_TFL_INT32, 0, one, &depth, NULL);
    tl_om_const(&m, TL_TFL_FLOAT32, 0, one, &on, NULL);
    tl_om_const(&m, TL_TFL_FLOAT32, 0, one, &off, NULL);
    tl_om_output(&m, TL_TFL_FLOAT32, 2, od, NULL);
    tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_ONE_HOT);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_ONE_HOT, 1, &o, "ONE_HOT, no axis", NULL);
  }
  {
    const int32_t d3[3] = {2, 1, 3};
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_FLOAT32, 3, d3, NULL, g_x);
    tl_om_output(&m, TL_TFL_FLOAT32, 2, d6, NULL);
    tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_SQUEEZE);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_SQUEEZE, 1, &o, "SQUEEZE, no dims", NULL);
  }
  {
    const int32_t axis = 1, od[1] = {2};
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_FLOAT32, 2, d6, NULL, g_x);
    tl_om_const(&m, TL_TFL_INT32, 1, one, &axis, NULL);
    tl_om_output(&m, TL_TFL_FLOAT32, 1, od, NULL);
    tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_REDUCER);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_SUM, 1, &o, "SUM, no keep_dims", NULL);
  }
  {
    const int32_t od[1] = {2};
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_FLOAT32, 2, d6, NULL, g_x);
    tl_om_output(&m, TL_TFL_INT32, 1, od, NULL);
    tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_SHAPE);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_SHAPE, 1, &o, "SHAPE, no out_type", "out_type");
  }
  printf("  %d/%d ops with empty options tables as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST_MAIN(T(absent_options_take_schema_defaults), T(float_order_matches_tflite), T(fake_quant_and_bucketize_match_tflite), T(l2_pool_matches_tflite), T(sequence_and_matrix_ops_match_tflite),
          T(segment_sum_and_dynamic_update_slice_match_tflite))

/* SPDX-License-Identifier: Apache-2.0
 * FILL, SPLIT, SPLIT_V, DEPTH_TO_SPACE and SPACE_TO_DEPTH (src/kernels/ops/fill.c, split.c,
 * depth_to_space.c) against the real TensorFlow Lite's builtin kernels on single-op models with
 * constant shape/axis/size operands, several dtypes, axes (negative too) and block sizes: every output
 * byte of every output must agree. The malformed-parameter classes of TFLite's CVEs (block size 0,
 * sizes that do not add up, axes out of range, outputs that disagree with num_splits) are refused
 * with a message. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "format/schema.h"
#include "format/tflite_writer.h"
#include "test.h"
#include "tflite_oracle.h"
#include "tinylite.h"

TEST(fill_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const int types[] = {TL_TFL_FLOAT32, TL_TFL_INT32, TL_TFL_INT64, TL_TFL_BOOL}; /* TFLite 2.9's FILL dtypes */
  int ok = 0, n = 0;
  for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
    tl_om m;
    tl_om_init(&m);
    const int32_t dd[1] = {3}, shape[3] = {2, 3, 5}, one[1] = {1};
    tl_om_const(&m, TL_TFL_INT32, 1, dd, shape, NULL);
    tl_om_input(&m, types[t], 0, one, NULL, NULL);
    tl_om_output(&m, types[t], 3, shape, NULL);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_FILL, 1, NULL, "FILL", NULL);
  }
  printf("  FILL: %d/%d dtypes as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(split_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  int ok = 0, n = 0;
  for (int axis = -3; axis < 3; axis++) {
    const int a = axis < 0 ? axis + 3 : axis;
    int32_t d[3] = {2, 3, 4}, od[3];
    d[a] = 6; /* divisible by 1, 2, 3 */
    for (int parts = 1; parts <= 3; parts++) {
      tl_om m;
    tl_om_init(&m);
      const int32_t scalar[1] = {1}, axv[1] = {axis};
      tl_om_const(&m, TL_TFL_INT32, 0, scalar, axv, NULL);
      tl_om_input(&m, parts == 2 ? TL_TFL_INT8 : TL_TFL_FLOAT32, 3, d, NULL, NULL);
      memcpy(od, d, sizeof od);
      od[a] = 6 / parts;
      for (int k = 0; k < parts; k++) tl_om_output(&m, parts == 2 ? TL_TFL_INT8 : TL_TFL_FLOAT32, 3, od, NULL);
      tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_SPLIT);
      tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I32, parts);
      n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_SPLIT, 1, &o, "SPLIT", NULL);
    }
  }
  printf("  SPLIT: %d/%d axis/part cases as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(split_v_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const int32_t sizes[][3] = {{1, 2, 4}, {-1, 3, 1}, {7, 0, 0}, {2, -1, 2}};
  int ok = 0, n = 0;
  for (size_t c = 0; c < sizeof sizes / sizeof sizes[0]; c++)
    for (int axis = 0; axis < 2; axis++) {
      int32_t d[2] = {3, 3};
      d[axis] = 7;
      tl_om m;
    tl_om_init(&m);
      tl_om_input(&m, TL_TFL_FLOAT32, 2, d, NULL, NULL);
      const int32_t three[1] = {3}, scalar[1] = {1}, axv[1] = {axis};
      tl_om_const(&m, TL_TFL_INT32, 1, three, sizes[c], NULL);
      tl_om_const(&m, TL_TFL_INT32, 0, scalar, axv, NULL);
      int known = 0;
      for (int k = 0; k < 3; k++) known += sizes[c][k] > 0 ? sizes[c][k] : 0;
      for (int k = 0; k < 3; k++) {
        int32_t od[2] = {d[0], d[1]};
        od[axis] = sizes[c][k] < 0 ? 7 - known : sizes[c][k];
        tl_om_output(&m, TL_TFL_FLOAT32, 2, od, NULL);
      }
      tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_SPLIT_V);
      tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I32, 3);
      n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_SPLIT_V, 1, &o, "SPLIT_V", NULL);
    }
  printf("  SPLIT_V: %d/%d size/axis cases as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(depth_space_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  int ok = 0, n = 0;
  for (int bs = 1; bs <= 3; bs++)
    for (int to_space = 0; to_space < 2; to_space++) {
      const int type = bs == 2 ? TL_TFL_INT8 : TL_TFL_FLOAT32;
      const int32_t deep[4] = {2, 2, 3, 2 * bs * bs}, wide[4] = {2, 2 * bs, 3 * bs, 2};
      tl_om m;
    tl_om_init(&m);
      tl_om_input(&m, type, 4, to_space ? deep : wide, NULL, NULL);
      tl_om_output(&m, type, 4, to_space ? wide : deep, NULL);
      tl_tfl_options o = tl_tfl_opts_empty(to_space ? TL_TFL_OPT_DEPTH_TO_SPACE : TL_TFL_OPT_SPACE_TO_DEPTH);
      tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I32, bs);
      n++, ok += tl_om_check(ref, NULL, &m, to_space ? TL_BUILTIN_DEPTH_TO_SPACE : TL_BUILTIN_SPACE_TO_DEPTH, 1, &o, to_space ? "DEPTH_TO_SPACE" : "SPACE_TO_DEPTH", NULL);
    }
  printf("  DEPTH_TO_SPACE, SPACE_TO_DEPTH: %d/%d block-size cases as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(space_batch_match_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const struct {
    int nd;
    int32_t in[4], block[2], pads[4];
  } cases[] = {{4, {1, 4, 4, 3}, {2, 2}, {0, 0, 0, 0}}, {4, {2, 5, 3, 2}, {2, 3}, {1, 0, 2, 1}},
               {4, {1, 6, 6, 1}, {3, 1}, {0, 3, 1, 1}}, {3, {2, 5, 4}, {2, 0}, {1, 2, 0, 0}}};
  int ok = 0, n = 0;
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
    for (int t = 0; t < 2; t++) {
      const int nd = cases[c].nd, sp = nd - 2, type = t ? TL_TFL_INT8 : TL_TFL_FLOAT32;
      const int32_t *d = cases[c].in, *bl = cases[c].block, *pd = cases[c].pads;
      float sc[1] = {0.5f};
      int64_t zp[1] = {-7};
      tl_tfl_quant q = {1, sc, zp, 0, 0, NULL, NULL};
      const tl_tfl_quant *qq = t ? &q : NULL;
      const int32_t bw = sp > 1 ? bl[1] : 1, pw = sp > 1 ? pd[2] + pd[3] : 0;
      int32_t sd[4] = {d[0] * bl[0] * bw, (d[1] + pd[0] + pd[1]) / bl[0], sp > 1 ? (d[2] + pw) / bw : d[2], d[nd - 1]};
      if (nd == 3) sd[2] = d[2];
      const int32_t nb[1] = {sp}, np[2] = {sp, 2};
      tl_om m; /* space to batch, then its inverse on the result's shape */
      tl_om_init(&m);
      tl_om_input(&m, type, nd, d, qq, NULL);
      tl_om_const(&m, TL_TFL_INT32, 1, nb, bl, NULL);
      tl_om_const(&m, TL_TFL_INT32, 2, np, pd, NULL);
      tl_om_output(&m, type, nd, sd, qq);
      n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_SPACE_TO_BATCH_ND, t ? 2 : 1, NULL, "SPACE_TO_BATCH_ND", NULL);
      tl_om_init(&m);
      tl_om_input(&m, type, nd, sd, qq, NULL);
      tl_om_const(&m, TL_TFL_INT32, 1, nb, bl, NULL);
      tl_om_const(&m, TL_TFL_INT32, 2, np, pd, NULL);
      tl_om_output(&m, type, nd, d, qq);
      n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_BATCH_TO_SPACE_ND, t ? 2 : 1, NULL, "BATCH_TO_SPACE_ND", NULL);
    }
  printf("  SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND: %d/%d cases (3-D and 4-D, paddings and crops) as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

/* SLICE whose begin is a run-time input (a loop counter in WHILE bodies): read at invoke. */
TEST(slice_runtime_begin_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  const int32_t d[2] = {6, 5}, two[1] = {2}, size[2] = {3, 2}, od[2] = {3, 2};
  int ok = 0, n = 0;
  for (int32_t b0 = 0; b0 <= 3; b0++) {
    const int32_t begin[2] = {b0, 3 - b0 % 4};
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_FLOAT32, 2, d, NULL, NULL);
    tl_om_input(&m, TL_TFL_INT32, 1, two, NULL, begin);
    tl_om_const(&m, TL_TFL_INT32, 1, two, size, NULL);
    tl_om_output(&m, TL_TFL_FLOAT32, 2, od, NULL);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_SLICE, 1, NULL, "SLICE run-time begin", NULL);
  }
  const int32_t bad[2] = {4, 0}; /* 4 + 3 > 6 */
  tl_om m;
  tl_om_init(&m);
  tl_om_input(&m, TL_TFL_FLOAT32, 2, d, NULL, NULL);
  tl_om_input(&m, TL_TFL_INT32, 1, two, NULL, bad);
  tl_om_const(&m, TL_TFL_INT32, 1, two, size, NULL);
  tl_om_output(&m, TL_TFL_FLOAT32, 2, od, NULL);
  EXPECT(tl_om_check(NULL, NULL, &m, TL_BUILTIN_SLICE, 1, NULL, "SLICE begin out of range", "begin[0] = 4"));
  printf("  SLICE with a run-time begin: %d/%d as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(layout_ops_refuse_malformed_models) {
  int ok = 0, n = 0;
  { /* block size 0 */
    tl_om m;
    tl_om_init(&m);
    const int32_t d[4] = {1, 2, 2, 4};
    tl_om_input(&m, TL_TFL_FLOAT32, 4, d, NULL, NULL);
    tl_om_output(&m, TL_TFL_FLOAT32, 4, d, NULL);
    tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_DEPTH_TO_SPACE);
    tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I32, 0);
    n++, ok += tl_om_check(NULL, NULL, &m, TL_BUILTIN_DEPTH_TO_SPACE, 1, &o, "DEPTH_TO_SPACE block 0", "block_size 0");
  }
  { /* SPLIT_V sizes that do not add up */
    tl_om m;
    tl_om_init(&m);
    const int32_t d[1] = {5}, two[1] = {2}, sz[2] = {2, 2}, scalar[1] = {1}, axv[1] = {0}, o2[1] = {2};
    tl_om_input(&m, TL_TFL_FLOAT32, 1, d, NULL, NULL);
    tl_om_const(&m, TL_TFL_INT32, 1, two, sz, NULL);
    tl_om_const(&m, TL_TFL_INT32, 0, scalar, axv, NULL);
    tl_om_output(&m, TL_TFL_FLOAT32, 1, o2, NULL);
    tl_om_output(&m, TL_TFL_FLOAT32, 1, o2, NULL);
    tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_SPLIT_V);
    tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I32, 2);
    n++, ok += tl_om_check(NULL, NULL, &m, TL_BUILTIN_SPLIT_V, 1, &o, "SPLIT_V sizes", "add up to 4");
  }
  { /* SPLIT axis out of range, and num_splits against the outputs */
    for (int c = 0; c < 2; c++) {
      tl_om m;
    tl_om_init(&m);
      const int32_t d[2] = {4, 4}, scalar[1] = {1}, axv[1] = {c ? 0 : 2}, od[2] = {2, 4};
      tl_om_const(&m, TL_TFL_INT32, 0, scalar, axv, NULL);
      tl_om_input(&m, TL_TFL_FLOAT32, 2, d, NULL, NULL);
      tl_om_output(&m, TL_TFL_FLOAT32, 2, od, NULL);
      tl_om_output(&m, TL_TFL_FLOAT32, 2, od, NULL);
      tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_SPLIT);
      tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I32, c ? 3 : 2);
      n++, ok += tl_om_check(NULL, NULL, &m, TL_BUILTIN_SPLIT, 1, &o, c ? "SPLIT num_splits" : "SPLIT axis", c ? "num_splits 3 but 2 outputs" : "out of range");
    }
  }
  { /* SPACE_TO_BATCH_ND with block size 0 */
    tl_om m;
    tl_om_init(&m);
    const int32_t d[4] = {1, 4, 4, 1}, two[1] = {2}, p22[2] = {2, 2}, bl[2] = {0, 2}, pads[4] = {0};
    tl_om_input(&m, TL_TFL_FLOAT32, 4, d, NULL, NULL);
    tl_om_const(&m, TL_TFL_INT32, 1, two, bl, NULL);
    tl_om_const(&m, TL_TFL_INT32, 2, p22, pads, NULL);
    tl_om_output(&m, TL_TFL_FLOAT32, 4, d, NULL);
    n++, ok += tl_om_check(NULL, NULL, &m, TL_BUILTIN_SPACE_TO_BATCH_ND, 1, NULL, "SPACE_TO_BATCH_ND block 0", "block_shape[0] = 0");
  }
  { /* FILL with a negative dim */
    tl_om m;
    tl_om_init(&m);
    const int32_t dd[1] = {2}, shape[2] = {2, -3}, one[1] = {1}, od[2] = {2, 3};
    tl_om_const(&m, TL_TFL_INT32, 1, dd, shape, NULL);
    tl_om_input(&m, TL_TFL_FLOAT32, 0, one, NULL, NULL);
    tl_om_output(&m, TL_TFL_FLOAT32, 2, od, NULL);
    n++, ok += tl_om_check(NULL, NULL, &m, TL_BUILTIN_FILL, 1, NULL, "FILL negative dim", "dims[1] = -3");
  }
  EXPECT_EQ(ok, n);
}

TEST_MAIN(T(fill_matches_tflite), T(split_matches_tflite), T(split_v_matches_tflite), T(depth_space_matches_tflite),
          T(space_batch_match_tflite), T(slice_runtime_begin_matches_tflite), T(layout_ops_refuse_malformed_models))

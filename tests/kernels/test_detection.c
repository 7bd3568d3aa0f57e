/* SPDX-License-Identifier: Apache-2.0
 * TFLite_Detection_PostProcess on hand-made anchors and boxes: decoding (float and uint8), NMS order
 * on equal scores, IoU and score thresholds, max_detections, class-agnostic fast NMS against per-class
 * regular NMS, refused options and hostile custom_options. The comparison
 * with TFLite 2.9's builtin kernel is test_detection_vs_tflite.c. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "detection_util.h"
#include "test.h"
#include "tinylite.h"

/* ---- decoding ---- */

/* Encodings and anchors picked so every step is exact: the expected corners are plain numbers. */
static const float k_enc[8] = {5, 0, 0, 0, -10, 10, 0, 0};
static const float k_anchor[8] = {0.5f, 0.5f, 0.5f, 0.25f, 0.25f, 0.25f, 0.125f, 0.125f};
static const float k_box0[4] = {0.5f, 0.375f, 1.0f, 0.625f}, k_box1[4] = {0.0625f, 0.3125f, 0.1875f, 0.4375f};

TEST(decode_float) {
  dopt o = defaults(1);
  const float scores[2] = {0.9f, 0.8f};
  dres r = run_f32(&o, 2, 1, k_enc, scores, k_anchor);
  EXPECT_EQ(r.st, TL_OK);
  EXPECT_EQ(r.out[0]->ndim, 3);
  EXPECT_EQ(r.out[0]->dims[1], 10);
  EXPECT_EQ(r.out[0]->dims[2], 4);
  EXPECT_EQ(r.out[1]->ndim, 2);
  EXPECT_EQ(r.out[3]->ndim, 1);
  EXPECT_EQ(r.out[3]->dims[0], 1);
  EXPECT_EQ(num_det(&r), 2);
  EXPECT_DET(r, 0, k_box0, 0, 0.9f);
  EXPECT_DET(r, 1, k_box1, 0, 0.8f);
  /* past the detections: zeros (TFLite leaves these slots as they were) */
  const float zero[4] = {0, 0, 0, 0};
  EXPECT_DET(r, 2, zero, 0, 0);
  EXPECT_DET(r, 9, zero, 0, 0);
  kh_reset();
}

/* uint8 encodings, anchors and scores dequantize with their own parameters to the same numbers. */
TEST(decode_uint8) {
  dopt o = defaults(1);
  const uint8_t enc[8] = {138, 128, 128, 128, 108, 148, 128, 128}; /* zp 128, scale 0.5 */
  const uint8_t anc[8] = {32, 32, 32, 16, 16, 16, 8, 8};           /* zp 0, scale 1/64 */
  const uint8_t sc[2] = {230, 205};                                /* zp 0, scale 1/256 */
  int32_t db[3] = {1, 2, 4}, ds[3] = {1, 2, 1}, da[2] = {2, 4};
  tl_tensor *tb = kh_tensor(TL_UINT8, 3, db, enc, 0), *ts = kh_tensor(TL_UINT8, 3, ds, sc, 0),
            *ta = kh_tensor(TL_UINT8, 2, da, anc, 1);
  kh_quant(tb, 0.5f, 128);
  kh_quant(ts, 1.f / 256, 0);
  kh_quant(ta, 1.f / 64, 0);
  dres r = run(&o, tb, ts, ta);
  EXPECT_EQ(r.st, TL_OK);
  EXPECT_EQ(num_det(&r), 2);
  EXPECT_DET(r, 0, k_box0, 0, 230.f / 256);
  EXPECT_DET(r, 1, k_box1, 0, 205.f / 256);
  kh_reset();
}

/* An input where decoding in float arithmetic would change all four corners by an ulp: TFLite
 * decodes in double and rounds once to float. The expected corners are TFLite 2.9's output
 * (handmade_cases_vs_tflite checks this case against it). */

TEST(decode_rounds_like_tflite) {
  dopt o = round_opts();
  dres r = run_f32(&o, 1, 1, k_round_enc, &k_half, k_round_anchor);
  EXPECT_EQ(r.st, TL_OK);
  EXPECT_EQ(num_det(&r), 1);
  const float want[4] = {0x1.3d0e5p-1f, 0x1.5d7e5cp-2f, 0x1.96a514p-1f, 0x1.8d672ep-1f};
  EXPECT_DET(r, 0, want, 0, 0.5f);
  kh_reset();
}

/* ---- NMS ---- */

/* Equal scores keep the anchors' order (TFLite's std::stable_sort). */
TEST(nms_equal_scores_keep_anchor_order) {
  dopt o = defaults(1);
  float a[20], enc[20] = {0}, box[4];
  disjoint_anchors(5, a);
  const float s[5] = {0.5f, 0.7f, 0.5f, 0.7f, 0.5f};
  dres r = run_f32(&o, 5, 1, enc, s, a);
  EXPECT_EQ(r.st, TL_OK);
  EXPECT_EQ(num_det(&r), 5);
  const int order[5] = {1, 3, 0, 2, 4};
  for (int i = 0; i < 5; i++) {
    corners(a + 4 * order[i], box);
    EXPECT_DET(r, i, box, 0, s[order[i]]);
  }
  kh_reset();
}

/* Two overlapping boxes with equal scores: the first anchor wins, the other is suppressed. */
TEST(nms_overlap_tie_first_anchor_wins) {
  dopt o = defaults(1);
  const float a[8] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.52f, 0.5f, 0.5f}, enc[8] = {0};
  float box[4];
  for (int swap = 0; swap < 2; swap++) {
    const float s[2] = {0.6f, swap ? 0.61f : 0.6f};
    dres r = run_f32(&o, 2, 1, enc, s, a);
    EXPECT_EQ(r.st, TL_OK);
    EXPECT_EQ(num_det(&r), 1);
    corners(a + 4 * swap, box);
    EXPECT_DET(r, 0, box, 0, s[swap]);
  }
  kh_reset();
}

/* A box is dropped when IoU > threshold, not when equal: boxes (0,0,1,1) and (0,0,0.5,1) have IoU
 * exactly 0.5. */
TEST(nms_iou_threshold_is_strict) {
  const float a[8] = {0.5f, 0.5f, 1.f, 1.f, 0.25f, 0.5f, 0.5f, 1.f}, enc[8] = {0}, s[2] = {0.9f, 0.8f};
  dopt o = defaults(1);
  o.iou_th = 0.5f;
  dres r = run_f32(&o, 2, 1, enc, s, a);
  EXPECT_EQ(num_det(&r), 2);
  o.iou_th = 0.4999f;
  r = run_f32(&o, 2, 1, enc, s, a);
  EXPECT_EQ(num_det(&r), 1);
  o.iou_th = 1.f; /* identical boxes are never suppressed at 1 */
  const float same[8] = {0.5f, 0.5f, 1.f, 1.f, 0.5f, 0.5f, 1.f, 1.f};
  r = run_f32(&o, 2, 1, enc, s, same);
  EXPECT_EQ(num_det(&r), 2);
  kh_reset();
}

/* Scores >= nms_score_threshold are kept. */
TEST(nms_score_threshold_is_inclusive) {
  dopt o = defaults(1);
  o.score_th = 0.25f;
  float a[12], enc[12] = {0};
  disjoint_anchors(3, a);
  const float s[3] = {0.2499999f, 0.25f, 0.1f};
  dres r = run_f32(&o, 3, 1, enc, s, a);
  EXPECT_EQ(num_det(&r), 1);
  EXPECT_EQ(kh_f32(r.out[2])[0], 0.25f);
  kh_reset();
}

TEST(nms_max_detections) {
  float a[24], enc[24] = {0}, box[4];
  disjoint_anchors(6, a);
  const float s[6] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
  dopt o = defaults(1);
  o.max_det = 3;
  dres r = run_f32(&o, 6, 1, enc, s, a);
  EXPECT_EQ(r.st, TL_OK);
  EXPECT_EQ(r.out[0]->dims[1], 3);
  EXPECT_EQ(num_det(&r), 3);
  for (int i = 0; i < 3; i++) {
    corners(a + 4 * (5 - i), box);
    EXPECT_DET(r, i, box, 0, s[5 - i]);
  }
  o.max_det = 0; /* allowed: empty outputs */
  r = run_f32(&o, 6, 1, enc, s, a);
  EXPECT_EQ(r.st, TL_OK);
  EXPECT_EQ(r.out[0]->dims[1], 0);
  EXPECT_EQ(num_det(&r), 0);
  for (int reg = 0; reg < 2; reg++) { /* same with regular NMS */
    o.max_det = 4, o.regular = reg;
    r = run_f32(&o, 6, 1, enc, s, a);
    EXPECT_EQ(num_det(&r), 4);
    corners(a + 4 * 2, box);
    EXPECT_DET(r, 3, box, 0, 0.3f);
  }
  kh_reset();
}

/* Box A is class 0's best, box B class 1's, and they overlap (IoU ~0.92): fast NMS ranks anchors by
 * their best class and suppresses B; regular NMS runs per class and keeps both. Column 0 is the
 * background (3 score columns for 2 classes) and never reported. */
TEST(fast_nms_is_class_agnostic_regular_is_not) {
  const float a[8] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.52f, 0.5f, 0.5f}, enc[8] = {0};
  const float s[6] = {0.99f, 0.9f, 0.1f, 0.99f, 0.1f, 0.8f};
  float ba[4], bb[4];
  corners(a, ba);
  corners(a + 4, bb);
  dopt o = defaults(2);
  dres r = run_f32(&o, 2, 3, enc, s, a);
  EXPECT_EQ(r.st, TL_OK);
  EXPECT_EQ(num_det(&r), 1);
  EXPECT_DET(r, 0, ba, 0, 0.9f);
  o.regular = 1;
  r = run_f32(&o, 2, 3, enc, s, a);
  EXPECT_EQ(r.st, TL_OK);
  EXPECT_EQ(num_det(&r), 2);
  EXPECT_DET(r, 0, ba, 0, 0.9f);
  EXPECT_DET(r, 1, bb, 1, 0.8f);
  /* detections_per_class = 1 in regular NMS: one box per class at most */
  const float s2[6] = {0, 0.9f, 0.1f, 0, 0.85f, 0.8f};
  const float far[8] = {0.2f, 0.5f, 0.2f, 0.2f, 0.8f, 0.5f, 0.2f, 0.2f};
  float fa[4], fb[4];
  corners(far, fa);
  corners(far + 4, fb);
  o.dpc = 1;
  r = run_f32(&o, 2, 3, enc, s2, far);
  EXPECT_EQ(num_det(&r), 2);
  EXPECT_DET(r, 0, fa, 0, 0.9f);
  EXPECT_DET(r, 1, fb, 1, 0.8f);
  o.dpc = 2;
  r = run_f32(&o, 2, 3, enc, s2, far);
  EXPECT_EQ(num_det(&r), 4);
  EXPECT_DET(r, 1, fb, 0, 0.85f);
  kh_reset();
}

/* max_classes_per_detection = 2: each kept anchor reports its two best classes, in mcpd slots. */
TEST(fast_nms_top_classes_per_box) {
  float a[8], enc[8] = {0}, b0[4], b1[4];
  disjoint_anchors(2, a);
  corners(a, b0);
  corners(a + 4, b1);
  const float s[6] = {0.9f, 0.1f, 0.5f, 0.2f, 0.6f, 0.3f};
  dopt o = defaults(3);
  o.mcpd = 2, o.max_det = 3;
  dres r = run_f32(&o, 2, 3, enc, s, a);
  EXPECT_EQ(r.st, TL_OK);
  EXPECT_EQ(r.out[0]->dims[1], 6);
  EXPECT_EQ(num_det(&r), 2);
  EXPECT_DET(r, 0, b0, 0, 0.9f);
  EXPECT_DET(r, 1, b0, 2, 0.5f);
  EXPECT_DET(r, 2, b1, 1, 0.6f);
  EXPECT_DET(r, 3, b1, 2, 0.3f);
  /* more classes asked than exist: the extra slot stays empty */
  o.mcpd = 4;
  const float z[4] = {0};
  r = run_f32(&o, 2, 3, enc, s, a);
  EXPECT_EQ(num_det(&r), 2);
  EXPECT_DET(r, 2, b0, 1, 0.1f);
  EXPECT_DET(r, 3, z, 0, 0);
  EXPECT_DET(r, 4, b1, 1, 0.6f);
  kh_reset();
}


TEST(partial_sort_ties_like_tflite) {
  float a[24], box[4];
  const float *enc = k_zero;
  disjoint_anchors(6, a);
  /* fast NMS, 5 classes all 0.5 on one box, 4 reported */
  dopt o = ties5_opts();
  dres r = run_f32(&o, 1, 5, enc, k_s5, a);
  EXPECT_EQ(num_det(&r), 1);
  const float want_cls[4] = {1, 3, 0, 2};
  for (int i = 0; i < 4; i++) EXPECT_EQ(kh_f32(r.out[1])[i], want_cls[i]);
  /* regular NMS: 6 boxes, 3 classes, all scores equal; the merge keeps 5 */
  float s18[18];
  for (int i = 0; i < 18; i++) s18[i] = 0.5f;
  o = ties_regular_opts();
  r = run_f32(&o, 6, 3, enc, s18, a);
  EXPECT_EQ(num_det(&r), 5);
  const int want_anchor[5] = {0, 1, 0, 1, 0}, want_class[5] = {2, 2, 1, 1, 0};
  for (int i = 0; i < 5; i++) {
    corners(a + 4 * want_anchor[i], box);
    EXPECT_DET(r, i, box, (float)want_class[i], 0.5f);
  }
  kh_reset();
}

/* ---- refusals ---- */

static tl_status prepare_with(const dopt *o, int n, int ncbg, int anchors_rows, int anchor_cols, int box_type,
                              int anchor_type) {
  uint8_t blob[512];
  size_t nb = opts_blob(o, blob, sizeof blob);
  int32_t db[3] = {1, n, 4}, ds[3] = {1, n, ncbg}, da[2] = {anchors_rows, anchor_cols};
  tl_tensor *out[4];
  tl_node *nd = make_node(blob, nb, kh_tensor(box_type, 3, db, NULL, 0), kh_tensor(TL_FLOAT32, 3, ds, NULL, 0),
                          kh_tensor(anchor_type, 2, da, NULL, 1), out);
  return kh_prepare(nd);
}

TEST(bad_options_and_shapes_are_refused) {
  struct {
    dopt o;
    int n, ncbg, arows, acols, btype, atype;
    const char *msg;
  } cases[] = {
      {defaults(0), 4, 1, 4, 4, TL_FLOAT32, TL_FLOAT32, "num_classes is 0"},
      {defaults(2), 4, 4, 4, 4, TL_FLOAT32, TL_FLOAT32, "need num_classes or one more"},
      {defaults(2), 4, 1, 4, 4, TL_FLOAT32, TL_FLOAT32, "need num_classes or one more"},
      {defaults(1), 4, 1, 3, 4, TL_FLOAT32, TL_FLOAT32, "anchors have shape [3,4]"},
      {defaults(1), 4, 1, 4, 5, TL_FLOAT32, TL_FLOAT32, "anchors have shape [4,5]"},
      {defaults(1), 4, 1, 4, 4, TL_UINT8, TL_FLOAT32, "anchors are FLOAT32 but box encodings are UINT8"},
      {defaults(1), 4, 1, 4, 4, TL_INT8, TL_INT8, "box encodings of type INT8"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    tl_status st = prepare_with(&cases[i].o, cases[i].n, cases[i].ncbg, cases[i].arows, cases[i].acols, cases[i].btype,
                                cases[i].atype);
    EXPECT(st != TL_OK);
    EXPECT_STR_CONTAINS(kh_err(), cases[i].msg);
  }
  dopt o = defaults(1);
  o.iou_th = 0.f;
  EXPECT(prepare_with(&o, 4, 1, 4, 4, TL_FLOAT32, TL_FLOAT32) != TL_OK);
  EXPECT_STR_CONTAINS(kh_err(), "nms_iou_threshold 0 is outside (0, 1]");
  o = defaults(1);
  o.iou_th = NAN;
  EXPECT(prepare_with(&o, 4, 1, 4, 4, TL_FLOAT32, TL_FLOAT32) != TL_OK);
  o = defaults(1);
  o.mcpd = 0;
  EXPECT(prepare_with(&o, 4, 1, 4, 4, TL_FLOAT32, TL_FLOAT32) != TL_OK);
  EXPECT_STR_CONTAINS(kh_err(), "max_classes_per_detection is 0");
  o = defaults(1);
  o.max_det = -1;
  EXPECT(prepare_with(&o, 4, 1, 4, 4, TL_FLOAT32, TL_FLOAT32) != TL_OK);
  o = defaults(1);
  o.regular = 1, o.dpc = 0;
  EXPECT(prepare_with(&o, 4, 1, 4, 4, TL_FLOAT32, TL_FLOAT32) != TL_OK);
  EXPECT_STR_CONTAINS(kh_err(), "regular NMS needs detections_per_class and max_detections >= 1 (got 0 and 10)");
  o = defaults(1);
  o.regular = 1, o.max_det = 0; /* TFLite fails the invoke; fast NMS allows it */
  EXPECT(prepare_with(&o, 4, 1, 4, 4, TL_FLOAT32, TL_FLOAT32) != TL_OK);
  o = defaults(1);
  o.max_det = 1 << 20, o.mcpd = 1 << 12;
  EXPECT(prepare_with(&o, 4, 1, 4, 4, TL_FLOAT32, TL_FLOAT32) != TL_OK);
  /* no options, and a blob that is not a FlexBuffer */
  int32_t db[3] = {1, 4, 4}, ds[3] = {1, 4, 1}, da[2] = {4, 4};
  tl_tensor *out[4];
  const uint8_t junk[3] = {0xff, 0xff, 0xff};
  tl_node *nd = make_node(NULL, 0, kh_tensor(TL_FLOAT32, 3, db, NULL, 0), kh_tensor(TL_FLOAT32, 3, ds, NULL, 0),
                          kh_tensor(TL_FLOAT32, 2, da, NULL, 1), out);
  EXPECT(kh_prepare(nd) != TL_OK);
  EXPECT_STR_CONTAINS(kh_err(), "no custom_options");
  nd = make_node(junk, 3, kh_tensor(TL_FLOAT32, 3, db, NULL, 0), kh_tensor(TL_FLOAT32, 3, ds, NULL, 0),
                 kh_tensor(TL_FLOAT32, 2, da, NULL, 1), out);
  EXPECT(kh_prepare(nd) != TL_OK);
  EXPECT_STR_CONTAINS(kh_err(), "custom_options:");
  /* an output the file types as something else than float */
  nd = make_node(NULL, 0, kh_tensor(TL_FLOAT32, 3, db, NULL, 0), kh_tensor(TL_FLOAT32, 3, ds, NULL, 0),
                 kh_tensor(TL_FLOAT32, 2, da, NULL, 1), out);
  uint8_t blob[512];
  o = defaults(1);
  size_t nb = opts_blob(&o, blob, sizeof blob);
  nd = make_node(blob, nb, kh_tensor(TL_FLOAT32, 3, db, NULL, 0), kh_tensor(TL_FLOAT32, 3, ds, NULL, 0),
                 kh_tensor(TL_FLOAT32, 2, da, NULL, 1), out);
  out[2]->type = TL_UINT8;
  EXPECT(kh_prepare(nd) != TL_OK);
  EXPECT_STR_CONTAINS(kh_err(), "output 2 has type UINT8");
  kh_reset();
}

/* A negative anchor height decodes to ymin > ymax: TFLite's ValidateBoxes fails the invoke. */
TEST(inverted_box_fails_at_run_time) {
  dopt o = defaults(1);
  const float a[4] = {0.5f, 0.5f, -0.2f, 0.2f}, enc[4] = {0}, s = 0.9f;
  dres r = run_f32(&o, 1, 1, enc, &s, a);
  EXPECT_EQ(r.st, TL_ERR_RUNTIME);
  EXPECT_STR_CONTAINS(kh_err(), "inverted");
  kh_reset();
}


/* Mutated custom_options through prepare and eval: an error with a message, or a safe run. */
TEST(hostile_custom_options) {
  dopt o = defaults(2);
  o.regular = 1, o.dpc = 3;
  uint8_t blob[512], m[512];
  size_t nb = opts_blob(&o, blob, sizeof blob);
  float a[16], enc[16] = {0}, s[12];
  disjoint_anchors(4, a);
  for (int i = 0; i < 12; i++) s[i] = (float)(i % 5) * 0.2f;
  int32_t db[3] = {1, 4, 4}, ds[3] = {1, 4, 3}, da[2] = {4, 4};
  int ran = 0, refused = 0;
  for (int it = 0; it < 4000; it++) {
    memcpy(m, blob, nb);
    size_t len = nb;
    if (it % 8 == 7) len = rnd() % nb; /* truncated */
    int flips = 1 + (int)(rnd() % 3);
    for (int f = 0; f < flips && len; f++) m[rnd() % len] = (uint8_t)rnd();
    /* the harness allocates (and poisons) outputs of whatever size prepare sets: skip blobs asking
     * for millions of detections, which prepare would accept (bad_options covers the refusals) */
    tl_flex fx;
    tl_flex_ref root, v;
    int32_t md = 0, mcpd = 0;
    if (!tl_flex_root(&fx, m, len, &root)) {
      if (tl_flex_map_get(&fx, &root, "max_detections", &v) >= 0) tl_flex_int32(&fx, &v, &md);
      fx.err = NULL;
      if (tl_flex_map_get(&fx, &root, "max_classes_per_detection", &v) >= 0) tl_flex_int32(&fx, &v, &mcpd);
    }
    if ((int64_t)md * mcpd > 4096) continue;
    tl_tensor *out[4];
    tl_node *nd = make_node(m, len, kh_tensor(TL_FLOAT32, 3, db, enc, 0), kh_tensor(TL_FLOAT32, 3, ds, s, 0),
                            kh_tensor(TL_FLOAT32, 2, da, a, 1), out);
    tl_status st = kh_prepare(nd);
    if (st == TL_OK) {
      st = kh_eval(nd);
      ran++;
    } else {
      refused++;
    }
    if (st != TL_OK && !kh_err()[0]) {
      fprintf(stderr, "  iteration %d: status %d without a message\n", it, st);
      tl_test_failed_now = 1;
    }
    if (it % 64 == 63) kh_reset();
  }
  kh_reset();
  fprintf(stderr, "  %d mutated blobs ran, %d refused\n", ran, refused);
  EXPECT(ran > 100 && refused > 100);
}

TEST_MAIN(T(decode_float), T(decode_uint8), T(decode_rounds_like_tflite), T(nms_equal_scores_keep_anchor_order),
          T(nms_overlap_tie_first_anchor_wins), T(nms_iou_threshold_is_strict), T(nms_score_threshold_is_inclusive),
          T(nms_max_detections), T(fast_nms_is_class_agnostic_regular_is_not), T(fast_nms_top_classes_per_box),
          T(partial_sort_ties_like_tflite), T(bad_options_and_shapes_are_refused), T(inverted_box_fails_at_run_time),
          T(hostile_custom_options))

/* SPDX-License-Identifier: Apache-2.0
 * TFLite_Detection_PostProcess on hand-made anchors and boxes: decoding (float and uint8), NMS order
 * on equal scores, IoU and score thresholds, max_detections, class-agnostic fast NMS against per-class
 * regular NMS, refused options and hostile custom_options. Built with TL_DETECTION_VS_TFLITE it is the
 * slow comparison with TFLite 2.9's builtin kernel (../shared/tools/tflite-ref): random detection
 * models made with the writer, and the corpus SSD model on new inputs, including the tensors that
 * feed the post-processing op. */
#include <math.h>
#include <stdint.h>

#include "format/flexbuf.h"
#include "format/model.h"
#include "format/tflite_writer.h"
#include "kharness.h"
#include "test.h"
#include "tinylite.h"

/* ---- options and running the kernel ---- */

typedef struct {
  int max_det, mcpd, dpc, regular, num_classes; /* dpc, regular: -1 leaves the key out */
  float score_th, iou_th, ys, xs, hs, ws;
} dopt;

static dopt defaults(int num_classes) {
  dopt o = {10, 1, -1, -1, num_classes, 0.f, 0.5f, 10.f, 10.f, 5.f, 5.f};
  return o;
}

static tl_flex_entry ent_i(const char *k, int64_t v) { return (tl_flex_entry){k, TL_FLEX_INT, v, 0, 0}; }
static tl_flex_entry ent_f(const char *k, double v) { return (tl_flex_entry){k, TL_FLEX_FLOAT, 0, 0, v}; }

/* The options as TOCO writes them (width 4, plus its _output_quantized flag). */
static size_t opts_blob(const dopt *o, uint8_t *buf, size_t cap) {
  tl_flex_entry e[16];
  int n = 0;
  e[n++] = ent_i("max_detections", o->max_det);
  e[n++] = ent_i("max_classes_per_detection", o->mcpd);
  e[n++] = ent_i("num_classes", o->num_classes);
  e[n++] = ent_f("nms_score_threshold", o->score_th);
  e[n++] = ent_f("nms_iou_threshold", o->iou_th);
  e[n++] = ent_f("y_scale", o->ys);
  e[n++] = ent_f("x_scale", o->xs);
  e[n++] = ent_f("h_scale", o->hs);
  e[n++] = ent_f("w_scale", o->ws);
  e[n++] = (tl_flex_entry){"_output_quantized", TL_FLEX_BOOL, 1, 0, 0};
  if (o->dpc >= 0) e[n++] = ent_i("detections_per_class", o->dpc);
  if (o->regular >= 0) e[n++] = (tl_flex_entry){"use_regular_nms", TL_FLEX_BOOL, o->regular, 0, 0};
  return tl_flex_write_map(e, n, 4, buf, cap);
}

typedef struct {
  tl_status st;
  tl_tensor *out[4];
} dres;

static tl_node *make_node(const uint8_t *blob, size_t n_blob, tl_tensor *boxes, tl_tensor *scores, tl_tensor *anchors,
                          tl_tensor **out) {
  for (int i = 0; i < 4; i++) out[i] = kh_tensor(TL_FLOAT32, -1, NULL, NULL, 0);
  tl_tensor *in[3] = {boxes, scores, anchors};
  tl_node *n = kh_node(TL_BUILTIN_CUSTOM, 3, in, 4, out, NULL, 0);
  kh_custom(n, "TFLite_Detection_PostProcess", blob, (uint32_t)n_blob);
  return n;
}

static dres run(const dopt *o, tl_tensor *boxes, tl_tensor *scores, tl_tensor *anchors) {
  uint8_t blob[512];
  size_t nb = opts_blob(o, blob, sizeof blob);
  dres r;
  r.st = kh_run(make_node(blob, nb, boxes, scores, anchors, r.out));
  return r;
}

/* Float inputs: n boxes with 4-value encodings, ncbg score columns per box, n anchors. */
static dres run_f32(const dopt *o, int n, int ncbg, const float *enc, const float *scores, const float *anchors) {
  int32_t db[3] = {1, n, 4}, ds[3] = {1, n, ncbg}, da[2] = {n, 4};
  return run(o, kh_tensor(TL_FLOAT32, 3, db, enc, 0), kh_tensor(TL_FLOAT32, 3, ds, scores, 0),
             kh_tensor(TL_FLOAT32, 2, da, anchors, 1));
}

static int num_det(const dres *r) { return (int)kh_f32(r->out[3])[0]; }

/* Detection i is box (ymin, xmin, ymax, xmax), class and score, bit for bit. */
static void expect_det(const dres *r, int i, const float box[4], float cls, float score, int line) {
  const float *b = kh_f32(r->out[0]) + 4 * i, c = kh_f32(r->out[1])[i], s = kh_f32(r->out[2])[i];
  if (memcmp(b, box, 16) || c != cls || s != score) {
    fprintf(stderr, "  line %d: detection %d is (%.9g %.9g %.9g %.9g) class %g score %.9g, want (%.9g %.9g %.9g %.9g) "
            "class %g score %.9g\n", line, i, (double)b[0], (double)b[1], (double)b[2], (double)b[3], (double)c,
            (double)s, (double)box[0], (double)box[1], (double)box[2], (double)box[3], (double)cls, (double)score);
    tl_test_failed_now = 1;
  }
}
#define EXPECT_DET(r, i, box, cls, score) expect_det(&(r), i, box, cls, score, __LINE__)

/* Anchor (ycenter, xcenter, h, w) as the corner box it decodes to with a zero encoding. */
static void corners(const float a[4], float out[4]) {
  out[0] = a[0] - a[2] * 0.5f, out[1] = a[1] - a[3] * 0.5f, out[2] = a[0] + a[2] * 0.5f, out[3] = a[1] + a[3] * 0.5f;
}

/* n anchors stacked vertically (disjoint): centres 0.1, 0.3, ... with h = w = 0.1. */
static void disjoint_anchors(int n, float *a) {
  for (int i = 0; i < n; i++) a[4 * i] = 0.1f + 0.2f * (float)i, a[4 * i + 1] = 0.5f, a[4 * i + 2] = 0.1f, a[4 * i + 3] = 0.1f;
}

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
static const float k_round_enc[4] = {0x1.3505fcp+0f, -0x1.088fep+0f, -0x1.abb65ap-1f, -0x1.1f69dp-2f};
static const float k_round_anchor[4] = {0x1.5d11c2p-1f, 0x1.3669f2p-1f, 0x1.a7852ep-3f, 0x1.d70676p-2f}, k_half = 0.5f;
static dopt round_opts(void) { return defaults(1); }

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

/* Equal class scores within a box are ordered by libstdc++'s std::partial_sort (heap select +
 * sort_heap), not by index; in regular NMS equal scores put later classes first (TFLite's merge).
 * Pinned to TFLite 2.9's output (handmade_cases_vs_tflite checks them against it). */
static const float k_zero[64 * 4];
static const float k_s5[5] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
static dopt ties5_opts(void) {
  dopt o = defaults(5);
  o.mcpd = 4, o.max_det = 1;
  return o;
}
static dopt ties_regular_opts(void) {
  dopt o = defaults(3);
  o.regular = 1, o.max_det = 5, o.dpc = 2;
  return o;
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

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (uint32_t)(rng >> 11);
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

#ifdef TL_DETECTION_VS_TFLITE
/* ---- comparison with TFLite 2.9 (tflite-ref) ---- */

#define CORPUS_VAR "TL_CORPUS_DIR"
#define CORPUS_DEF "../shared/tflite-corpus"

static char g_tmp[64];

/* The temporary directory goes at exit, unless TL_KEEP_TMP is set (to inspect the models). */
static void remove_tmp(void) {
  if (!g_tmp[0] || getenv("TL_KEEP_TMP") || strncmp(g_tmp, "/tmp/tl_detect_", 15)) return;
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_tmp);
}

/* A file in this run's temporary directory; the same name always gives the same (stable) string. */
static const char *tmp(const char *name) {
  static char names[16][32], paths[16][128];
  static int n;
  if (!g_tmp[0]) {
    snprintf(g_tmp, sizeof g_tmp, "/tmp/tl_detect_XXXXXX");
    if (!mkdtemp(g_tmp)) snprintf(g_tmp, sizeof g_tmp, "/tmp");
    atexit(remove_tmp);
  }
  for (int i = 0; i < n; i++)
    if (!strcmp(names[i], name)) return paths[i];
  if (n == 16) return "/tmp/tl_detect_overflow";
  snprintf(names[n], sizeof names[n], "%s", name);
  snprintf(paths[n], sizeof paths[n], "%s/%s", g_tmp, name);
  return paths[n++];
}


static int write_file(const char *path, const void *d, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = fwrite(d, 1, n, f);
  return fclose(f) || w != n ? -1 : 0;
}

static uint8_t *read_file(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  *n = 0;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *d = malloc((size_t)sz + 1);
  *n = d ? fread(d, 1, (size_t)sz, f) : 0;
  fclose(f);
  return d;
}

/* `run invoke MODEL in0,in1 OUT --all --no-xnnpack`; outputs k >= 1 land in OUT.k. Returns n_out
 * buffers (caller frees) or -1. */
static int ref_invoke(const char *ref, const char *model, const char *const *ins, int n_in, uint8_t **outs,
                      size_t *sizes, int n_out) {
  char cmd[16384], list[2048] = "";
  for (int i = 0; i < n_in; i++) {
    strncat(list, i ? "," : "", sizeof list - strlen(list) - 1);
    strncat(list, ins[i], sizeof list - strlen(list) - 1);
  }
  const char *out = tmp("ref_out.bin"), *log = tmp("ref.log");
  snprintf(cmd, sizeof cmd, "\"%s\" invoke \"%s\" \"%s\" \"%s\" --all --no-xnnpack > \"%s\" 2>&1", ref, model, list, out,
           log);
  if (system(cmd) != 0) {
    size_t n;
    uint8_t *l = read_file(log, &n);
    fprintf(stderr, "  reference run failed: %s\n%.*s\n", cmd, (int)(n > 3000 ? 3000 : n), l ? (char *)l : "");
    free(l);
    return -1;
  }
  for (int k = 0; k < n_out; k++) {
    char p[700];
    if (k) snprintf(p, sizeof p, "%s.%d", out, k);
    else snprintf(p, sizeof p, "%s", out);
    outs[k] = read_file(p, &sizes[k]);
    if (!outs[k]) return -1;
  }
  return 0;
}

/* A random detection-only model: shapes, types, options and values drawn from small sets so that
 * equal scores, equal IoUs and overlapping boxes are common. */
typedef struct {
  int n, stride, ncbg, box_u8, score_u8;
  dopt o;
  float box_scale, anchor_scale, score_scale;
  int box_zp, score_zp;
  uint8_t enc[64 * 6 * 4], scores[64 * 8 * 4], anchors[64 * 4 * 4];
} rcase;

static float pick(const float *v, int n) { return v[rnd() % (unsigned)n]; }

static void make_case(rcase *c) {
  memset(c, 0, sizeof *c);
  c->n = 1 + (int)(rnd() % 40);
  c->stride = rnd() % 3 ? 4 : 6;
  c->o = defaults(1 + (int)(rnd() % 5));
  c->ncbg = c->o.num_classes + (int)(rnd() % 2);
  c->box_u8 = (int)(rnd() % 2), c->score_u8 = (int)(rnd() % 2);
  c->o.regular = (int)(rnd() % 3) - 1;
  c->o.dpc = rnd() % 2 ? -1 : 1 + (int)(rnd() % 4);
  c->o.max_det = 1 + (int)(rnd() % 12);
  c->o.mcpd = 1 + (int)(rnd() % (unsigned)c->o.num_classes); /* more would leave slots TFLite never writes */
  static const float th[] = {0.f, 0.1f, 0.25f, 0.5f}, iou[] = {0.3f, 0.5f, 0.6f, 1.f};
  static const float sc[] = {10.f, 5.f, 3.3f, 1.f, 7.1f};
  c->o.score_th = pick(th, 4), c->o.iou_th = pick(iou, 4);
  c->o.ys = pick(sc, 5), c->o.xs = pick(sc, 5), c->o.hs = pick(sc, 5), c->o.ws = pick(sc, 5);
  c->box_scale = 0.05f, c->box_zp = 128, c->anchor_scale = 1.f / 128, c->score_scale = 1.f / 16, c->score_zp = 3;
  static const float pos[] = {0.25f, 0.3f, 0.5f, 0.5f, 0.55f, 0.7f}, size[] = {0.2f, 0.4f, 0.5f, 0.333f};
  static const float ev[] = {0.f, 0.f, 0.1f, -0.35f, 1.f, 2.2f}, sv[] = {0.f, 0.1f, 0.25f, 0.5f, 0.5f, 0.75f, 0.9f};
  for (int i = 0; i < c->n; i++) {
    float a[4] = {pick(pos, 6), pick(pos, 6), pick(size, 4), pick(size, 4)};
    for (int k = 0; k < 4; k++) {
      if (c->box_u8) c->anchors[4 * i + k] = (uint8_t)lrintf(a[k] / c->anchor_scale);
      else memcpy(c->anchors + 4 * (4 * i + k), &a[k], 4);
    }
    for (int k = 0; k < c->stride; k++) {
      float e = pick(ev, 6) * (rnd() % 2 ? 1.f : -1.f);
      if (c->box_u8) c->enc[c->stride * i + k] = (uint8_t)(c->box_zp + lrintf(e / c->box_scale));
      else memcpy(c->enc + 4 * (c->stride * i + k), &e, 4);
    }
    for (int k = 0; k < c->ncbg; k++) {
      float s = pick(sv, 7);
      if (c->score_u8) c->scores[c->ncbg * i + k] = (uint8_t)(c->score_zp + lrintf(s / c->score_scale));
      else memcpy(c->scores + 4 * (c->ncbg * i + k), &s, 4);
    }
  }
}

static int write_case_model(const rcase *c, const char *path) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  int32_t db[3] = {1, c->n, c->stride}, ds[3] = {1, c->n, c->ncbg}, da[2] = {c->n, 4};
  int64_t bz = c->box_zp, sz = c->score_zp, az = 0;
  tl_tfl_quant qb = {1, &c->box_scale, &bz, 0, 0, NULL, NULL}, qs = {1, &c->score_scale, &sz, 0, 0, NULL, NULL};
  tl_tfl_quant qa = {1, &c->anchor_scale, &az, 0, 0, NULL, NULL};
  int bt = c->box_u8 ? TL_TFL_UINT8 : TL_TFL_FLOAT32, st = c->score_u8 ? TL_TFL_UINT8 : TL_TFL_FLOAT32;
  int32_t in[3], out[4];
  in[0] = tl_tfl_add_tensor(b, 0, "box_encodings", bt, 3, db, NULL, 0, c->box_u8 ? &qb : NULL, 0);
  in[1] = tl_tfl_add_tensor(b, 0, "class_predictions", st, 3, ds, NULL, 0, c->score_u8 ? &qs : NULL, 0);
  in[2] = tl_tfl_add_const_tensor(b, 0, "anchors", bt, 2, da, c->anchors, (size_t)c->n * 4 * (c->box_u8 ? 1 : 4),
                                  c->box_u8 ? &qa : NULL);
  static const char *names[4] = {"TFLite_Detection_PostProcess", "TFLite_Detection_PostProcess:1",
                                 "TFLite_Detection_PostProcess:2", "TFLite_Detection_PostProcess:3"};
  for (int k = 0; k < 4; k++) out[k] = tl_tfl_add_tensor(b, 0, names[k], TL_TFL_FLOAT32, 0, NULL, NULL, 0, NULL, 0);
  uint8_t blob[512];
  size_t nb = opts_blob(&c->o, blob, sizeof blob);
  tl_tfl_add_custom_op(b, 0, "TFLite_Detection_PostProcess", 1, in, 3, out, 4, blob, nb);
  tl_tfl_set_io(b, 0, in, 2, out, 4);
  char err[256];
  int rc = tl_tfl_write_file(b, path, err, sizeof err);
  if (rc) fprintf(stderr, "  writer: %s\n", err);
  tl_tfl_builder_free(b);
  return rc;
}

/* Runs a model file with tinylite: inputs from raw buffers; copies the outputs (and optionally the
 * tensors named by extra[], read after invoke) into malloc'ed buffers. */
static int tl_run_file(const char *path, const uint8_t *const *ins, const size_t *in_n, int n_in, uint8_t **outs,
                       size_t *out_n, int n_out, const int *extra, int n_extra) {
  char err[256];
  tl_model *m;
  if (tl_model_open(path, &m, err, sizeof err)) {
    fprintf(stderr, "  tinylite load: %s\n", err);
    return -1;
  }
  tl_interp *ip = NULL;
  int rc = -1;
  if (tl_interp_new(m, NULL, &ip) == TL_OK && tl_interp_allocate(ip) == TL_OK) {
    int ok = 1;
    for (int i = 0; i < n_in; i++) ok &= tl_tensor_copy_from(tl_interp_input(ip, i), ins[i], in_n[i]) == TL_OK;
    if (ok && tl_interp_invoke(ip) == TL_OK) {
      for (int k = 0; k < n_out + n_extra; k++) {
        tl_tensor *t = k < n_out ? tl_interp_output(ip, k) : tl_interp_tensor(ip, extra[k - n_out]);
        out_n[k] = tl_tensor_bytes(t);
        outs[k] = malloc(out_n[k] + 1);
        memcpy(outs[k], tl_tensor_data(t), out_n[k]);
      }
      rc = 0;
    }
  }
  if (rc) fprintf(stderr, "  tinylite run: %s\n", tl_interp_errmsg(ip));
  tl_interp_free(ip);
  tl_model_close(m);
  return rc;
}

/* Compares detection outputs: the count, then the slots TFLite writes (fast NMS: count x mcpd slots;
 * regular NMS: all max_detections). Prints the case on a mismatch. */
static int compare_detections(const char *what, const dopt *o, uint8_t **ours, size_t *our_n, uint8_t **ref,
                              size_t *ref_n) {
  for (int k = 0; k < 4; k++)
    if (our_n[k] != ref_n[k]) {
      fprintf(stderr, "  %s: output %d has %zu bytes, TFLite %zu\n", what, k, our_n[k], ref_n[k]);
      return 0;
    }
  float n_ours, n_ref;
  memcpy(&n_ours, ours[3], 4);
  memcpy(&n_ref, ref[3], 4);
  size_t slots = o->regular == 1 ? (size_t)o->max_det : (size_t)n_ref * (size_t)o->mcpd;
  int same = n_ours == n_ref && !memcmp(ours[0], ref[0], 16 * slots) && !memcmp(ours[1], ref[1], 4 * slots) &&
             !memcmp(ours[2], ref[2], 4 * slots);
  if (!same) {
    fprintf(stderr, "  %s: differs from TFLite (%g vs %g detections)\n", what, (double)n_ours, (double)n_ref);
    for (size_t i = 0; i < slots; i++) {
      const float *bo = (const float *)(void *)ours[0] + 4 * i, *br = (const float *)(void *)ref[0] + 4 * i;
      fprintf(stderr, "    %zu: ours (%.9g %.9g %.9g %.9g) c%g s%.9g | tflite (%.9g %.9g %.9g %.9g) c%g s%.9g\n", i,
              (double)bo[0], (double)bo[1], (double)bo[2], (double)bo[3], (double)((float *)(void *)ours[1])[i],
              (double)((float *)(void *)ours[2])[i], (double)br[0], (double)br[1], (double)br[2], (double)br[3],
              (double)((float *)(void *)ref[1])[i], (double)((float *)(void *)ref[2])[i]);
    }
  }
  return same;
}

TEST(random_models_vs_tflite) {
  REQUIRE_TFLITE_REF(ref);
  const char *env = getenv("TL_DETECTION_CASES");
  int n_cases = env ? atoi(env) : 40, matched = 0, regular = 0, u8 = 0;
  for (int ci = 0; ci < n_cases; ci++) {
    static rcase c;
    make_case(&c);
    const char *model = tmp("case.tflite"), *in0 = tmp("in0.bin"), *in1 = tmp("in1.bin");
    size_t n0 = (size_t)c.n * (size_t)c.stride * (c.box_u8 ? 1 : 4), n1 = (size_t)c.n * (size_t)c.ncbg * (c.score_u8 ? 1 : 4);
    if (write_case_model(&c, model) || write_file(in0, c.enc, n0) || write_file(in1, c.scores, n1)) {
      tl_test_failed_now = 1;
      return;
    }
    const char *ins[2] = {in0, in1};
    const uint8_t *bufs[2] = {c.enc, c.scores};
    size_t sizes[2] = {n0, n1}, ref_n[4], our_n[4];
    uint8_t *refo[4] = {0}, *ours[4] = {0};
    char what[256];
    snprintf(what, sizeof what, "case %d (%d boxes x %d, %s/%s, %s NMS, max_det %d, mcpd %d, dpc %d, th %g, iou %g)", ci,
             c.n, c.ncbg, c.box_u8 ? "u8" : "f32", c.score_u8 ? "u8" : "f32", c.o.regular == 1 ? "regular" : "fast",
             c.o.max_det, c.o.mcpd, c.o.dpc, (double)c.o.score_th, (double)c.o.iou_th);
    if (ref_invoke(ref, model, ins, 2, refo, ref_n, 4) || tl_run_file(model, bufs, sizes, 2, ours, our_n, 4, NULL, 0)) {
      fprintf(stderr, "  %s: could not run\n", what);
      tl_test_failed_now = 1;
    } else if (compare_detections(what, &c.o, ours, our_n, refo, ref_n)) {
      matched++;
      regular += c.o.regular == 1;
      u8 += c.box_u8 + c.score_u8 > 0;
    } else {
      tl_test_failed_now = 1;
    }
    for (int k = 0; k < 4; k++) free(refo[k]), free(ours[k]);
  }
  fprintf(stderr, "  %d/%d random models bit-identical to TFLite (%d regular NMS, %d with uint8 inputs)\n", matched,
          n_cases, regular, u8);
}

/* The post-processing op's two inputs in the corpus SSD model, via a copy of the model that stops
 * before it (the writer's copy with those tensors as outputs), so TFLite reports them too. */
static int write_truncated(const tl_model *m, const char *path, int32_t *feeds) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  for (int i = 1; i < m->n_buffers; i++) tl_tfl_add_buffer(b, m->buffers[i].data, m->buffers[i].size);
  const tl_msubgraph *g = &m->subgraphs[0];
  for (int t = 0; t < g->n_tensors; t++) {
    const tl_mtensor *mt = &g->tensors[t];
    tl_tfl_quant q = {(size_t)mt->q.n, mt->q.scales, mt->q.zero_points, mt->q.axis, 0, NULL, NULL};
    tl_tfl_add_tensor(b, 0, mt->name, mt->type, mt->ndim, mt->dims, mt->dims_sig, mt->buffer, mt->q.n ? &q : NULL,
                      mt->is_variable);
  }
  for (int k = 0; k < g->n_ops - 1; k++) {
    const tl_mop *op = &g->ops[k];
    tl_tfl_options o = tl_tfl_opts_raw(op->options_type, op->options.base, op->options.size, op->options.pos);
    tl_tfl_add_op(b, 0, op->builtin, op->version, op->in, op->n_in, op->out, op->n_out, op->options.ok ? &o : NULL);
  }
  feeds[0] = g->ops[g->n_ops - 1].in[0];
  feeds[1] = g->ops[g->n_ops - 1].in[1];
  tl_tfl_set_io(b, 0, g->in, g->n_in, feeds, 2);
  char err[256];
  int rc = tl_tfl_write_file(b, path, err, sizeof err);
  if (rc) fprintf(stderr, "  writer: %s\n", err);
  tl_tfl_builder_free(b);
  return rc;
}

TEST(corpus_ssd_vs_tflite) {
  REQUIRE_TFLITE_REF(ref);
  REQUIRE_SHARED(corpus, CORPUS_VAR, CORPUS_DEF);
  char path[4096], err[256];
  snprintf(path, sizeof path, "%s/models/detect-uint8-mpromonet.tflite", corpus);
  tl_model *m;
  if (tl_model_open(path, &m, err, sizeof err)) {
    fprintf(stderr, "  %s: %s\n", path, err);
    tl_test_failed_now = 1;
    return;
  }
  const tl_msubgraph *g = &m->subgraphs[0];
  const tl_mop *last = &g->ops[g->n_ops - 1];
  EXPECT_EQ(last->builtin, 32);
  int32_t feeds[2];
  const char *cut = tmp("ssd_pre_nms.tflite");
  if (write_truncated(m, cut, feeds)) {
    tl_test_failed_now = 1;
    tl_model_close(m);
    return;
  }
  dopt o = defaults(90); /* the model's options: fast NMS, mcpd 1, 10 detections */
  const size_t in_n = 300 * 300 * 3;
  uint8_t *img = malloc(in_n);
  const char *env = getenv("TL_DETECTION_CASES");
  int cases = env ? atoi(env) / 10 + 1 : 4;
  for (int k = 0; k < cases; k++) {
    /* uniform bytes like the goldens, then smoother images (blocks) that score real objects more */
    for (size_t i = 0; i < in_n; i++) img[i] = (uint8_t)rnd();
    if (k % 2)
      for (size_t i = 0; i < in_n; i++) img[i] = (uint8_t)(((i / 3 % 300) / 50 * 37 + (i / 900) / 60 * 71 + i % 3 * 50) & 0xff);
    const char *in = tmp("img.bin");
    write_file(in, img, in_n);
    uint8_t *refo[4] = {0}, *pre[2] = {0}, *ours[6] = {0};
    size_t ref_n[4], pre_n[2], our_n[6];
    const uint8_t *ins[1] = {img};
    char what[64];
    snprintf(what, sizeof what, "SSD input %d", k);
    if (ref_invoke(ref, path, &in, 1, refo, ref_n, 4) || ref_invoke(ref, cut, &in, 1, pre, pre_n, 2) ||
        tl_run_file(path, ins, &in_n, 1, ours, our_n, 4, feeds, 2)) {
      tl_test_failed_now = 1;
    } else {
      for (int j = 0; j < 2; j++) {
        int same = pre_n[j] == our_n[4 + j] && !memcmp(pre[j], ours[4 + j], pre_n[j]);
        size_t diff = 0;
        for (size_t i = 0; same == 0 && i < pre_n[j] && i < our_n[4 + j]; i++) diff += pre[j][i] != ours[4 + j][i];
        if (!same) fprintf(stderr, "  %s: tensor %d (input %d of the post-process op) differs in %zu of %zu bytes\n",
                           what, (int)feeds[j], j, diff, pre_n[j]);
        EXPECT(same);
      }
      EXPECT(compare_detections(what, &o, ours, our_n, refo, ref_n));
      float nd;
      memcpy(&nd, refo[3], 4);
      fprintf(stderr, "  %s: %g detections, pre-NMS tensors and outputs bit-identical\n", what, (double)nd);
    }
    for (int j = 0; j < 4; j++) free(refo[j]);
    for (int j = 0; j < 6; j++) free(ours[j]);
    free(pre[0]), free(pre[1]);
  }
  free(img);
  tl_model_close(m);
}

/* The hand-made cases above whose expected values are TFLite's own: checked against it here. */
static int f32_vs_tflite(const char *ref, const char *what, const dopt *o, int n, int ncbg, const float *enc,
                         const float *scores, const float *anchors) {
  static rcase c;
  memset(&c, 0, sizeof c);
  c.n = n, c.stride = 4, c.ncbg = ncbg, c.o = *o;
  memcpy(c.enc, enc, (size_t)n * 16);
  memcpy(c.scores, scores, (size_t)n * (size_t)ncbg * 4);
  memcpy(c.anchors, anchors, (size_t)n * 16);
  const char *model = tmp("hand.tflite"), *in0 = tmp("in0.bin"), *in1 = tmp("in1.bin");
  const char *ins[2] = {in0, in1};
  const uint8_t *bufs[2] = {c.enc, c.scores};
  size_t sizes[2] = {(size_t)n * 16, (size_t)n * (size_t)ncbg * 4}, ref_n[4], our_n[4];
  uint8_t *refo[4] = {0}, *ours[4] = {0};
  int same = 0;
  if (!write_case_model(&c, model) && !write_file(in0, c.enc, sizes[0]) && !write_file(in1, c.scores, sizes[1]) &&
      !ref_invoke(ref, model, ins, 2, refo, ref_n, 4) && !tl_run_file(model, bufs, sizes, 2, ours, our_n, 4, NULL, 0))
    same = compare_detections(what, o, ours, our_n, refo, ref_n);
  for (int k = 0; k < 4; k++) free(refo[k]), free(ours[k]);
  if (same) fprintf(stderr, "  %s: bit-identical to TFLite\n", what);
  return same;
}

TEST(handmade_cases_vs_tflite) {
  REQUIRE_TFLITE_REF(ref);
  dopt o = round_opts();
  EXPECT(f32_vs_tflite(ref, "decode rounding", &o, 1, 1, k_round_enc, &k_half, k_round_anchor));
  float a[24];
  disjoint_anchors(6, a);
  o = ties5_opts();
  EXPECT(f32_vs_tflite(ref, "fast NMS, 5 equal class scores", &o, 1, 5, k_zero, k_s5, a));
  float s18[18];
  for (int i = 0; i < 18; i++) s18[i] = 0.5f;
  o = ties_regular_opts();
  EXPECT(f32_vs_tflite(ref, "regular NMS, all scores equal", &o, 6, 3, k_zero, s18, a));
  const float s5[5] = {0.5f, 0.7f, 0.5f, 0.7f, 0.5f};
  o = defaults(1);
  EXPECT(f32_vs_tflite(ref, "equal scores", &o, 5, 1, k_zero, s5, a));
  const float ov[8] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.52f, 0.5f, 0.5f};
  const float s6[6] = {0.99f, 0.9f, 0.1f, 0.99f, 0.1f, 0.8f};
  for (int reg = 0; reg < 2; reg++) {
    o = defaults(2);
    o.regular = reg;
    EXPECT(f32_vs_tflite(ref, reg ? "overlap, regular NMS" : "overlap, fast NMS", &o, 2, 3, k_zero, s6, ov));
  }
  const float iou[8] = {0.5f, 0.5f, 1.f, 1.f, 0.25f, 0.5f, 0.5f, 1.f}, s2[2] = {0.9f, 0.8f};
  o = defaults(1);
  EXPECT(f32_vs_tflite(ref, "IoU equal to the threshold", &o, 2, 1, k_zero, s2, iou));
  const float st[6] = {0.9f, 0.1f, 0.5f, 0.2f, 0.6f, 0.3f};
  o = defaults(3);
  o.mcpd = 2, o.max_det = 3;
  EXPECT(f32_vs_tflite(ref, "two classes per box", &o, 2, 3, k_zero, st, a));
  o = defaults(3);
  o.max_det = 0;
  EXPECT(f32_vs_tflite(ref, "fast NMS, max_detections 0", &o, 6, 3, k_zero, s18, a));
  a[2] = 0.f; /* a zero-height box is valid (IoU 0 with everything) */
  o = defaults(3);
  EXPECT(f32_vs_tflite(ref, "zero-height box, fast NMS", &o, 6, 3, k_zero, s18, a));
  o.regular = 1;
  EXPECT(f32_vs_tflite(ref, "zero-height box, regular NMS", &o, 6, 3, k_zero, s18, a));
}

TEST_MAIN(T(handmade_cases_vs_tflite), T(random_models_vs_tflite), T(corpus_ssd_vs_tflite), T(decode_float),
          T(decode_uint8), T(decode_rounds_like_tflite), T(nms_equal_scores_keep_anchor_order),
          T(nms_overlap_tie_first_anchor_wins), T(nms_iou_threshold_is_strict), T(nms_score_threshold_is_inclusive),
          T(nms_max_detections), T(fast_nms_is_class_agnostic_regular_is_not), T(fast_nms_top_classes_per_box),
          T(partial_sort_ties_like_tflite), T(bad_options_and_shapes_are_refused), T(inverted_box_fails_at_run_time),
          T(hostile_custom_options))
#else
TEST_MAIN(T(decode_float), T(decode_uint8), T(decode_rounds_like_tflite), T(nms_equal_scores_keep_anchor_order),
          T(nms_overlap_tie_first_anchor_wins), T(nms_iou_threshold_is_strict), T(nms_score_threshold_is_inclusive),
          T(nms_max_detections), T(fast_nms_is_class_agnostic_regular_is_not), T(fast_nms_top_classes_per_box),
          T(partial_sort_ties_like_tflite), T(bad_options_and_shapes_are_refused), T(inverted_box_fails_at_run_time),
          T(hostile_custom_options))
#endif

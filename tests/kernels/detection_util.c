/* SPDX-License-Identifier: Apache-2.0
 * TFLite_Detection_PostProcess test helpers (detection_util.h). */
#include "detection_util.h"

#include <stdio.h>
#include <string.h>

#include "test.h"

/* ---- options and running the kernel ---- */


dopt defaults(int num_classes) {
  dopt o = {10, 1, -1, -1, num_classes, 0.f, 0.5f, 10.f, 10.f, 5.f, 5.f};
  return o;
}

static tl_flex_entry ent_i(const char *k, int64_t v) { return (tl_flex_entry){k, TL_FLEX_INT, v, 0, 0}; }
static tl_flex_entry ent_f(const char *k, double v) { return (tl_flex_entry){k, TL_FLEX_FLOAT, 0, 0, v}; }

/* The options as TOCO writes them (width 4, plus its _output_quantized flag). */
size_t opts_blob(const dopt *o, uint8_t *buf, size_t cap) {
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


tl_node *make_node(const uint8_t *blob, size_t n_blob, tl_tensor *boxes, tl_tensor *scores, tl_tensor *anchors,
                          tl_tensor **out) {
  for (int i = 0; i < 4; i++) out[i] = kh_tensor(TL_FLOAT32, -1, NULL, NULL, 0);
  tl_tensor *in[3] = {boxes, scores, anchors};
  tl_node *n = kh_node(TL_BUILTIN_CUSTOM, 3, in, 4, out, NULL, 0);
  kh_custom(n, "TFLite_Detection_PostProcess", blob, (uint32_t)n_blob);
  return n;
}

dres run(const dopt *o, tl_tensor *boxes, tl_tensor *scores, tl_tensor *anchors) {
  uint8_t blob[512];
  size_t nb = opts_blob(o, blob, sizeof blob);
  dres r;
  r.st = kh_run(make_node(blob, nb, boxes, scores, anchors, r.out));
  return r;
}

/* Float inputs: n boxes with 4-value encodings, ncbg score columns per box, n anchors. */
dres run_f32(const dopt *o, int n, int ncbg, const float *enc, const float *scores, const float *anchors) {
  int32_t db[3] = {1, n, 4}, ds[3] = {1, n, ncbg}, da[2] = {n, 4};
  return run(o, kh_tensor(TL_FLOAT32, 3, db, enc, 0), kh_tensor(TL_FLOAT32, 3, ds, scores, 0),
             kh_tensor(TL_FLOAT32, 2, da, anchors, 1));
}

int num_det(const dres *r) { return (int)kh_f32(r->out[3])[0]; }

/* Detection i is box (ymin, xmin, ymax, xmax), class and score, bit for bit. */
void expect_det(const dres *r, int i, const float box[4], float cls, float score, int line) {
  const float *b = kh_f32(r->out[0]) + 4 * i, c = kh_f32(r->out[1])[i], s = kh_f32(r->out[2])[i];
  if (memcmp(b, box, 16) || c != cls || s != score) {
    fprintf(stderr, "  line %d: detection %d is (%.9g %.9g %.9g %.9g) class %g score %.9g, want (%.9g %.9g %.9g %.9g) "
            "class %g score %.9g\n", line, i, (double)b[0], (double)b[1], (double)b[2], (double)b[3], (double)c,
            (double)s, (double)box[0], (double)box[1], (double)box[2], (double)box[3], (double)cls, (double)score);
    tl_test_failed_now = 1;
  }
}

/* Anchor (ycenter, xcenter, h, w) as the corner box it decodes to with a zero encoding. */
void corners(const float a[4], float out[4]) {
  out[0] = a[0] - a[2] * 0.5f, out[1] = a[1] - a[3] * 0.5f, out[2] = a[0] + a[2] * 0.5f, out[3] = a[1] + a[3] * 0.5f;
}

/* n anchors stacked vertically (disjoint): centres 0.1, 0.3, ... with h = w = 0.1. */
void disjoint_anchors(int n, float *a) {
  for (int i = 0; i < n; i++) a[4 * i] = 0.1f + 0.2f * (float)i, a[4 * i + 1] = 0.5f, a[4 * i + 2] = 0.1f, a[4 * i + 3] = 0.1f;
}

/* ---- fixtures ---- */

const float k_round_enc[4] = {0x1.3505fcp+0f, -0x1.088fep+0f, -0x1.abb65ap-1f, -0x1.1f69dp-2f};
const float k_round_anchor[4] = {0x1.5d11c2p-1f, 0x1.3669f2p-1f, 0x1.a7852ep-3f, 0x1.d70676p-2f}, k_half = 0.5f;
dopt round_opts(void) { return defaults(1); }

/* Equal class scores within a box are ordered by libstdc++'s std::partial_sort (heap select +
 * sort_heap), not by index; in regular NMS equal scores put later classes first (TFLite's merge).
 * Pinned to TFLite 2.9's output (handmade_cases_vs_tflite checks them against it). */
const float k_zero[64 * 4];
const float k_s5[5] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
dopt ties5_opts(void) {
  dopt o = defaults(5);
  o.mcpd = 4, o.max_det = 1;
  return o;
}
dopt ties_regular_opts(void) {
  dopt o = defaults(3);
  o.regular = 1, o.max_det = 5, o.dpc = 2;
  return o;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
uint32_t rnd(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (uint32_t)(rng >> 11);
}

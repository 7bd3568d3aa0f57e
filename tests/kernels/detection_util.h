/* SPDX-License-Identifier: Apache-2.0
 * TFLite_Detection_PostProcess test helpers shared by test_detection.c (hand-made cases) and
 * test_detection_vs_tflite.c (the same cases and random models against TFLite 2.9): options,
 * running the kernel through kharness, and the fixtures both check. */
#ifndef TL_TEST_DETECTION_UTIL_H
#define TL_TEST_DETECTION_UTIL_H

#include <stdint.h>

#include "format/flexbuf.h"
#include "kharness.h"

typedef struct {
  int max_det, mcpd, dpc, regular, num_classes; /* dpc, regular: -1 leaves the key out */
  float score_th, iou_th, ys, xs, hs, ws;
} dopt;

typedef struct {
  tl_status st;
  tl_tensor *out[4];
} dres;

#define EXPECT_DET(r, i, box, cls, score) expect_det(&(r), i, box, cls, score, __LINE__)

dopt defaults(int num_classes);
size_t opts_blob(const dopt *o, uint8_t *buf, size_t cap);
tl_node *make_node(const uint8_t *blob, size_t n_blob, tl_tensor *boxes, tl_tensor *scores, tl_tensor *anchors,
                   tl_tensor **out);
dres run(const dopt *o, tl_tensor *boxes, tl_tensor *scores, tl_tensor *anchors);
dres run_f32(const dopt *o, int n, int ncbg, const float *enc, const float *scores, const float *anchors);
int num_det(const dres *r);
void expect_det(const dres *r, int i, const float box[4], float cls, float score, int line);
void corners(const float a[4], float out[4]);
void disjoint_anchors(int n, float *a);
dopt round_opts(void);
dopt ties5_opts(void);
dopt ties_regular_opts(void);
uint32_t rnd(void);
extern const float k_round_enc[4];
extern const float k_round_anchor[4], k_half;
extern const float k_zero[64 * 4];
extern const float k_s5[5];

#endif

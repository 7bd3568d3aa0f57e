/* SPDX-License-Identifier: Apache-2.0
 * NON_MAX_SUPPRESSION_V4 / _V5 (src/kernels/ops/non_max_suppression.c) against the real TensorFlow
 * Lite's builtin kernels: random overlapping boxes (corners in either order, some empty) with many
 * equal scores (TFLite's heap order decides those), several IoU and score thresholds, max_output_size
 * below and above the number of survivors, and soft-NMS sigmas for V5. All outputs (indices, scores,
 * count) must agree byte for byte. */
#include <stdint.h>
#include <stdio.h>

#include "format/schema.h"
#include "test.h"
#include "tflite_oracle.h"

enum { NB = 40 };

TEST(nms_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static float boxes[NB * 4], scores[NB];
  uint32_t r = 12345;
  for (int i = 0; i < NB * 4; i++) {
    r = r * 1664525u + 1013904223u;
    boxes[i] = (float)(r >> 24) / 256.f;
  }
  for (int i = 0; i < NB; i++) scores[i] = (float)((i * 7) % 6) / 5.f; /* six distinct values: ties */
  static const struct {
    float iou, score, sigma;
    int32_t max_out;
  } cases[] = {{0.5f, 0.1f, 0.f, 10}, {0.3f, 0.f, 0.f, 40}, {0.7f, 0.5f, 0.f, 3}, {0.5f, 0.1f, 0.5f, 20}, {0.4f, 0.05f, 0.2f, 40}};
  const int32_t bd[2] = {NB, 4}, sd[1] = {NB}, one[1] = {1};
  int ok = 0, n = 0;
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
    for (int v5 = 0; v5 < 2; v5++) {
      if (!v5 && cases[c].sigma > 0) continue;
      const int32_t od[1] = {cases[c].max_out};
      tl_om m;
      tl_om_init(&m);
      tl_om_input(&m, TL_TFL_FLOAT32, 2, bd, NULL, boxes);
      tl_om_input(&m, TL_TFL_FLOAT32, 1, sd, NULL, scores);
      tl_om_const(&m, TL_TFL_INT32, 0, one, &cases[c].max_out, NULL);
      tl_om_const(&m, TL_TFL_FLOAT32, 0, one, &cases[c].iou, NULL);
      tl_om_const(&m, TL_TFL_FLOAT32, 0, one, &cases[c].score, NULL);
      if (v5) tl_om_const(&m, TL_TFL_FLOAT32, 0, one, &cases[c].sigma, NULL);
      tl_om_output(&m, TL_TFL_INT32, 1, od, NULL);
      if (v5) tl_om_output(&m, TL_TFL_FLOAT32, 1, od, NULL);
      tl_om_output(&m, TL_TFL_INT32, 0, one, NULL);
      n++, ok += tl_om_check(ref, NULL, &m, v5 ? TL_BUILTIN_NON_MAX_SUPPRESSION_V5 : TL_BUILTIN_NON_MAX_SUPPRESSION_V4, 1, NULL,
                             v5 ? "NON_MAX_SUPPRESSION_V5" : "NON_MAX_SUPPRESSION_V4", NULL);
    }
  printf("  NON_MAX_SUPPRESSION_V4/_V5: %d/%d cases (ties, soft-NMS) as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(nms_refuses_malformed_models) {
  const int32_t bd[2] = {4, 3}, sd[1] = {4}, one[1] = {1}, mo = 2, od[1] = {2};
  const float f = 0.5f;
  tl_om m;
  tl_om_init(&m);
  tl_om_input(&m, TL_TFL_FLOAT32, 2, bd, NULL, NULL);
  tl_om_input(&m, TL_TFL_FLOAT32, 1, sd, NULL, NULL);
  tl_om_const(&m, TL_TFL_INT32, 0, one, &mo, NULL);
  tl_om_const(&m, TL_TFL_FLOAT32, 0, one, &f, NULL);
  tl_om_const(&m, TL_TFL_FLOAT32, 0, one, &f, NULL);
  tl_om_output(&m, TL_TFL_INT32, 1, od, NULL);
  tl_om_output(&m, TL_TFL_INT32, 0, one, NULL);
  EXPECT(tl_om_check(NULL, NULL, &m, TL_BUILTIN_NON_MAX_SUPPRESSION_V4, 1, NULL, "NMS boxes", "float32 [N, 4]"));
}

TEST_MAIN(T(nms_matches_tflite), T(nms_refuses_malformed_models))

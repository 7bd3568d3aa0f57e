/* SPDX-License-Identifier: Apache-2.0
 * NON_MAX_SUPPRESSION_V4 (boxes [N,4] as y1,x1,y2,x2; scores [N]; max_output_size; iou_threshold;
 * score_threshold) and _V5 (+ soft_nms_sigma, and the selected scores as an output), as TensorFlow
 * Lite computes them: candidates above the score threshold in a max-heap of scores, each popped one
 * checked against the boxes selected since it was last checked (newest first), hard-suppressed at
 * IoU >= the threshold, soft-suppressed by exp(-iou^2 / (2 sigma)) otherwise, and pushed back while
 * its score stays above the threshold. The heap follows libstdc++'s push_heap / pop_heap (TFLite's
 * std::priority_queue), so equal scores come out in TFLite's order. max_output_size must be known at
 * prepare (it sizes the outputs); unused output slots are zero, as in TFLite. */
#include <math.h>

#include "kcommon.h"

typedef struct {
  int32_t index, suppress_begin;
  float score;
} cand;

/* libstdc++'s __push_heap: sift the value up from hole to top (max-heap by score). */
static void heap_push_at(cand *h, int32_t hole, int32_t top, cand v) {
  int32_t parent = (hole - 1) / 2;
  while (hole > top && h[parent].score < v.score) {
    h[hole] = h[parent];
    hole = parent;
    parent = (hole - 1) / 2;
  }
  h[hole] = v;
}

static void heap_push(cand *h, int32_t *n, cand v) {
  h[*n] = v;
  heap_push_at(h, *n, 0, v);
  ++*n;
}

/* libstdc++'s __pop_heap + __adjust_heap: the top leaves, the last element sinks into its place. */
static cand heap_pop(cand *h, int32_t *n) {
  const cand top = h[0], v = h[*n - 1];
  const int32_t len = --*n;
  int32_t hole = 0, second = 0;
  while (second < (len - 1) / 2) {
    second = 2 * (second + 1);
    if (h[second].score < h[second - 1].score) second--;
    h[hole] = h[second];
    hole = second;
  }
  if ((len & 1) == 0 && second == (len - 2) / 2) {
    second = 2 * (second + 1);
    h[hole] = h[second - 1];
    hole = second - 1;
  }
  if (len > 0) heap_push_at(h, hole, 0, v);
  return top;
}

static float iou(const float *boxes, int32_t i, int32_t j) {
  const float *a = boxes + 4 * (size_t)i, *b = boxes + 4 * (size_t)j;
  const float ay0 = fminf(a[0], a[2]), ay1 = fmaxf(a[0], a[2]), ax0 = fminf(a[1], a[3]), ax1 = fmaxf(a[1], a[3]);
  const float by0 = fminf(b[0], b[2]), by1 = fmaxf(b[0], b[2]), bx0 = fminf(b[1], b[3]), bx1 = fmaxf(b[1], b[3]);
  const float area_a = (ay1 - ay0) * (ax1 - ax0), area_b = (by1 - by0) * (bx1 - bx0);
  if (area_a <= 0 || area_b <= 0) return 0.f;
  const float ih = fminf(ay1, by1) - fmaxf(ay0, by0), iw = fminf(ax1, bx1) - fmaxf(ax0, bx0);
  const float inter = (ih > 0.f ? ih : 0.f) * (iw > 0.f ? iw : 0.f);
  return inter / (area_a + area_b - inter);
}

typedef struct {
  int32_t n, max_out, v5;
} nms_state;

static tl_status nms_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const nms_state *p = node->state;
  const float *boxes = node->in[0]->data, *scores = node->in[1]->data;
  const float iou_t = *(const float *)node->in[3]->data, score_t = *(const float *)node->in[4]->data;
  const float sigma = p->v5 ? *(const float *)node->in[5]->data : 0.f;
  int32_t *sel = node->out[0]->data;
  float *sel_scores = p->v5 ? node->out[1]->data : NULL;
  int32_t *count = node->out[p->v5 ? 2 : 1]->data;
  cand *heap = node->scratch;
  int32_t hn = 0, selected = 0;
  for (int32_t i = 0; i < p->n; i++)
    if (scores[i] > score_t) heap_push(heap, &hn, (cand){i, 0, scores[i]});
  const int32_t wanted = hn < p->max_out ? hn : p->max_out;
  const float scale = sigma > 0.f ? (float)(-0.5 / sigma) : 0.f;
  while (selected < wanted && hn > 0) {
    cand c = heap_pop(heap, &hn);
    const float original = c.score;
    int hard = 0;
    for (int32_t j = selected - 1; j >= c.suppress_begin; j--) {
      const float v = iou(boxes, c.index, sel[j]);
      if (v >= iou_t) {
        hard = 1;
        break;
      }
      if (sigma > 0.f) c.score = c.score * expf(scale * v * v);
      if (c.score <= score_t) break;
    }
    c.suppress_begin = selected;
    if (!hard) {
      if (c.score == original) {
        sel[selected] = c.index;
        if (sel_scores) sel_scores[selected] = c.score;
        selected++;
      }
      if (c.score > score_t) heap_push(heap, &hn, c);
    }
  }
  for (int32_t i = selected; i < p->max_out; i++) {
    sel[i] = 0;
    if (sel_scores) sel_scores[i] = 0.f;
  }
  *count = selected;
  return TL_OK;
}

static tl_status prep(tl_kctx *ctx, tl_node *node, int v5) {
  tl_status s = kc_io(ctx, node, v5 ? 6 : 5, v5 ? 6 : 5, v5 ? 3 : 2);
  if (s) return s;
  const tl_tensor *boxes = node->in[0], *scores = node->in[1], *mo = node->in[2];
  if (boxes->type != TL_FLOAT32 || boxes->ndim != 2 || boxes->dims[1] != 4)
    return tl_kfail(ctx, node, "boxes must be float32 [N, 4]");
  if (scores->type != TL_FLOAT32 || scores->ndim != 1 || scores->dims[0] != boxes->dims[0])
    return tl_kfail(ctx, node, "scores must be float32 [%d]", (int)boxes->dims[0]);
  for (int i = 3; i < node->n_in; i++)
    if (node->in[i]->type != TL_FLOAT32 || tl_numel(node->in[i]) != 1) return tl_kfail(ctx, node, "input %d must be one float32", i);
  if (mo->type != TL_INT32 || tl_numel(mo) != 1) return tl_kfail(ctx, node, "max_output_size must be one int32");
  if (!mo->known) return tl_kdefer(ctx, node, "max_output_size not known at prepare (a run-time shape)");
  const int64_t max_out = kc_ival(mo, 0);
  if (max_out < 0 || max_out > INT32_MAX / 2) return tl_kfail(ctx, node, "max_output_size %lld", (long long)max_out);
  const int32_t d[1] = {(int32_t)max_out};
  tl_tensor *sel = node->out[0], *cnt = node->out[v5 ? 2 : 1];
  if (sel->type != TL_INT32 || cnt->type != TL_INT32) return tl_kfail(ctx, node, "selected_indices and valid_outputs must be int32");
  if ((s = tl_kset_shape(ctx, node, sel, 1, d)) || (s = tl_kset_shape(ctx, node, cnt, 0, d))) return s;
  if (v5) {
    if (node->out[1]->type != TL_FLOAT32) return tl_kfail(ctx, node, "selected_scores must be float32");
    if ((s = tl_kset_shape(ctx, node, node->out[1], 1, d))) return s;
  }
  nms_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->n = boxes->dims[0], p->max_out = (int32_t)max_out, p->v5 = v5;
  if ((s = tl_kscratch(ctx, node, sizeof(cand) * ((size_t)p->n + 1)))) return s;
  node->state = p;
  node->eval = nms_eval;
  return TL_OK;
}

tl_status tl_prep_non_max_suppression_v4(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 0); }
tl_status tl_prep_non_max_suppression_v5(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 1); }

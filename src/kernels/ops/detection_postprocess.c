/* SPDX-License-Identifier: Apache-2.0
 * TFLite_Detection_PostProcess, the CUSTOM op that ends SSD detection models (TFLite's builtin
 * kernels/detection_postprocess.cc): decodes box encodings against anchors, then non-max suppression
 * (fast or regular) into 4 float outputs. Bit-exact with TFLite 2.9, including its sort orders. */
#include <math.h>

#include "../../format/flexbuf.h"
#include "kcommon.h"

enum { IN_BOXES = 0, IN_SCORES = 1, IN_ANCHORS = 2 };
enum { OUT_BOXES = 0, OUT_CLASSES = 1, OUT_SCORES = 2, OUT_NUM = 3 };

typedef struct {
  /* custom_options */
  int32_t max_detections, max_classes_per_detection, detections_per_class, num_classes;
  int use_regular_nms;
  float score_threshold, iou_threshold;
  float y_scale, x_scale, h_scale, w_scale;
  /* from the input shapes */
  int32_t num_boxes, box_stride, ncbg, label_offset, ncat;
  /* scratch layout: byte offsets of each work array */
  size_t o_decoded, o_scores, o_active, o_keep_idx, o_keep_val, o_sorted, o_merge, o_selected, o_vals;
  size_t o_cls_idx, o_row, o_after_idx, o_after_val;
} dp_state;

/* Boxes are (ymin, xmin, ymax, xmax) corners after decoding; encodings and anchors are (y, x, h, w). */
typedef struct {
  float ymin, xmin, ymax, xmax;
} dp_box;

typedef struct {
  const dp_state *p;
  uint8_t *scratch;
  const dp_box *boxes;
} dp_run;

#define SCR(r, type, off) ((type *)(void *)((r)->scratch + (r)->p->off))

/* ---- decoding ---- */

/* Center-size encoding of box idx as floats: uint8 values dequantize as (float(q) - zp) * scale in
 * float, as TFLite's Dequantizer does. */
static void load_encoding(const tl_tensor *t, int64_t idx, int stride, float v[4]) {
  if (t->type == TL_UINT8) {
    const uint8_t *q = (const uint8_t *)t->data + idx * stride;
    const float zp = (float)t->zero_point, s = t->scale;
    for (int k = 0; k < 4; k++) v[k] = ((float)q[k] - zp) * s;
  } else {
    memcpy(v, (const float *)t->data + idx * stride, 4 * sizeof(float));
  }
}

/* ycenter = y / y_scale * anchor.h + anchor.y and half_h = 0.5 * exp(h / h_scale) * anchor.h, in
 * double then rounded to float as TFLite does; one operation per statement so that no compiler fuses
 * a multiply-add (which would round differently). */
static void decode_boxes(const dp_state *p, const tl_tensor *enc, const tl_tensor *anchors, dp_box *out) {
  for (int64_t i = 0; i < p->num_boxes; i++) {
    float b[4], a[4];
    load_encoding(enc, i, p->box_stride, b);
    load_encoding(anchors, i, 4, a);
    double yc = (double)b[0] / (double)p->y_scale;
    yc = yc * (double)a[2];
    yc = yc + (double)a[0];
    double xc = (double)b[1] / (double)p->x_scale;
    xc = xc * (double)a[3];
    xc = xc + (double)a[1];
    double hh = 0.5 * exp((double)b[2] / (double)p->h_scale);
    hh = hh * (double)a[2];
    double hw = 0.5 * exp((double)b[3] / (double)p->w_scale);
    hw = hw * (double)a[3];
    const float ycf = (float)yc, xcf = (float)xc, hhf = (float)hh, hwf = (float)hw;
    out[i].ymin = ycf - hhf;
    out[i].xmin = xcf - hwf;
    out[i].ymax = ycf + hhf;
    out[i].xmax = xcf + hwf;
  }
}

/* TFLite's ComputeIntersectionOverUnion, with std::max/std::min's exact comparisons (NaN-sensitive). */
static float iou(const dp_box *a, const dp_box *b) {
  const float area_a = (a->ymax - a->ymin) * (a->xmax - a->xmin);
  const float area_b = (b->ymax - b->ymin) * (b->xmax - b->xmin);
  if (area_a <= 0 || area_b <= 0) return 0.f;
  const float iymin = a->ymin < b->ymin ? b->ymin : a->ymin; /* std::max(a, b) = a < b ? b : a */
  const float ixmin = a->xmin < b->xmin ? b->xmin : a->xmin;
  const float iymax = b->ymax < a->ymax ? b->ymax : a->ymax; /* std::min(a, b) = b < a ? b : a */
  const float ixmax = b->xmax < a->xmax ? b->xmax : a->xmax;
  float dy = iymax - iymin, dx = ixmax - ixmin;
  dy = dy < 0.f ? 0.f : dy;
  dx = dx < 0.f ? 0.f : dx;
  const float inter = dy * dx;
  return inter / (area_a + area_b - inter);
}

/* ---- the sorts TFLite uses, reproduced exactly ---- */

/* std::stable_sort of indices by decreasing value: any stable sort gives the same order (the values
 * are never NaN here: they passed a >= threshold test), so a bottom-up merge sort. */
static void stable_argsort_desc(const float *v, int n, int *idx, int *tmp) {
  for (int i = 0; i < n; i++) idx[i] = i;
  for (int width = 1; width < n; width *= 2) {
    for (int lo = 0; lo < n; lo += 2 * width) {
      int mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      int i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = v[idx[j]] > v[idx[i]] ? idx[j++] : idx[i++];
      while (i < mid) tmp[k++] = idx[i++];
      while (j < hi) tmp[k++] = idx[j++];
    }
    memcpy(idx, tmp, (size_t)n * sizeof *idx);
  }
}

/* std::partial_sort as libstdc++ implements it (heap select, then sort_heap), which the TFLite 2.9
 * library (GCC 10, libstdc++) runs: the order it gives equal values is part of TFLite's output.
 * Every comparison is TFLite's comparator, v[a] > v[b]. */
static void heap_push(int *f, long hole, long top, int value, const float *v) {
  long parent = (hole - 1) / 2;
  while (hole > top && v[f[parent]] > v[value]) {
    f[hole] = f[parent];
    hole = parent;
    parent = (hole - 1) / 2;
  }
  f[hole] = value;
}

static void heap_adjust(int *f, long hole, long len, int value, const float *v) {
  const long top = hole;
  long child = hole;
  while (child < (len - 1) / 2) {
    child = 2 * (child + 1);
    if (v[f[child]] > v[f[child - 1]]) child--;
    f[hole] = f[child];
    hole = child;
  }
  if ((len & 1) == 0 && child == (len - 2) / 2) {
    child = 2 * (child + 1);
    f[hole] = f[child - 1];
    hole = child - 1;
  }
  heap_push(f, hole, top, value, v);
}

static void heap_pop(int *f, long len, int *result, const float *v) {
  const int value = *result;
  *result = f[0];
  heap_adjust(f, 0, len, value, v);
}

static void partial_sort(int *f, long middle, long last, const float *v) {
  if (middle >= 2)
    for (long parent = (middle - 2) / 2;; parent--) {
      heap_adjust(f, parent, middle, f[parent], v);
      if (parent == 0) break;
    }
  for (long i = middle; i < last; i++)
    if (v[f[i]] > v[f[0]]) heap_pop(f, middle, &f[i], v);
  for (long l = middle; l > 1;) {
    l--;
    heap_pop(f, l, &f[l], v);
  }
}

/* TFLite's DecreasingPartialArgSort: the first maximum when one is wanted (ArgMaxVector), else iota
 * then partial_sort of the first k. idx has room for n. */
static void partial_argsort_desc(const float *v, int n, int k, int *idx) {
  if (k == 1) {
    int best = 0;
    for (int i = 1; i < n; i++)
      if (v[i] > v[best]) best = i;
    idx[0] = best;
    return;
  }
  for (int i = 0; i < n; i++) idx[i] = i;
  partial_sort(idx, k, n, v);
}

/* ---- non-max suppression ---- */

/* NonMaxSuppressionSingleClassHelper: keeps scores >= threshold, visits them by decreasing score
 * (stable), selects a box and drops every later box overlapping it by more than the IoU threshold,
 * until max_det boxes are selected. Writes anchor indices to selected. */
static int nms_single(const dp_run *r, const float *scores, int max_det, int *selected) {
  const dp_state *p = r->p;
  int *keep_idx = SCR(r, int, o_keep_idx), *sorted = SCR(r, int, o_sorted);
  float *keep_val = SCR(r, float, o_keep_val);
  uint8_t *active = SCR(r, uint8_t, o_active);
  int kept = 0;
  for (int i = 0; i < p->num_boxes; i++)
    if (scores[i] >= p->score_threshold) keep_val[kept] = scores[i], keep_idx[kept++] = i;
  stable_argsort_desc(keep_val, kept, sorted, SCR(r, int, o_merge));
  const int out_size = kept < max_det ? kept : max_det;
  int n_sel = 0, n_active = kept;
  for (int i = 0; i < kept; i++) active[i] = 1; /* a loop: gcc's ASan build misjudges a memset size here */
  for (int i = 0; i < kept; i++) {
    if (n_active == 0 || n_sel >= out_size) break;
    if (!active[i]) continue;
    const dp_box *bi = &r->boxes[keep_idx[sorted[i]]];
    selected[n_sel++] = keep_idx[sorted[i]];
    active[i] = 0;
    n_active--;
    for (int j = i + 1; j < kept; j++) {
      if (active[j] && iou(bi, &r->boxes[keep_idx[sorted[j]]]) > p->iou_threshold) {
        active[j] = 0;
        n_active--;
      }
    }
  }
  return n_sel;
}

/* Fast NMS (NonMaxSuppressionMultiClassFastHelper): each anchor is ranked by its best class score,
 * one NMS over anchors, then each kept anchor reports its top ncat classes. */
static void nms_fast(const dp_run *r, const float *scores, float *o_boxes, float *o_classes, float *o_scores,
                     float *o_num) {
  const dp_state *p = r->p;
  float *max_scores = SCR(r, float, o_vals);
  int *cls_idx = SCR(r, int, o_cls_idx), *row_idx = SCR(r, int, o_row), *selected = SCR(r, int, o_selected);
  for (int b = 0; b < p->num_boxes; b++) {
    const float *bs = scores + (size_t)b * p->ncbg + p->label_offset;
    partial_argsort_desc(bs, p->num_classes, p->ncat, row_idx);
    memcpy(cls_idx + (size_t)b * p->ncat, row_idx, (size_t)p->ncat * sizeof(int));
    max_scores[b] = bs[row_idx[0]];
  }
  const int n_sel = nms_single(r, max_scores, p->max_detections, selected);
  for (int s = 0; s < n_sel; s++) {
    const int b = selected[s];
    const float *bs = scores + (size_t)b * p->ncbg + p->label_offset;
    for (int c = 0; c < p->ncat; c++) {
      const size_t at = (size_t)p->max_classes_per_detection * (size_t)s + (size_t)c;
      const int cls = cls_idx[(size_t)b * p->ncat + c];
      memcpy(o_boxes + 4 * at, &r->boxes[b], sizeof(dp_box));
      o_classes[at] = (float)cls;
      o_scores[at] = bs[cls];
    }
  }
  *o_num = (float)n_sel;
}

/* Regular NMS (NonMaxSuppressionMultiClassRegularHelper, single-threaded as the goldens were made):
 * NMS per class keeping at most min(detections_per_class, max_detections) boxes, each class's picks
 * merged into the running best list and the list cut to max_detections. The merge is TFLite's
 * std::inplace_merge with comparator a.score >= b.score: on equal scores the newer class comes
 * first. (With several threads TFLite merges per-thread lists, which can order ties otherwise.) */
static void nms_regular(const dp_run *r, const float *scores, float *o_boxes, float *o_classes, float *o_scores,
                        float *o_num) {
  const dp_state *p = r->p;
  float *class_scores = SCR(r, float, o_vals), *best_val = SCR(r, float, o_after_val);
  int *best_idx = SCR(r, int, o_after_idx), *selected = SCR(r, int, o_selected);
  const int per_class = p->detections_per_class < p->max_detections ? p->detections_per_class : p->max_detections;
  int n_best = 0;
  for (int c = 0; c < p->num_classes; c++) {
    for (int b = 0; b < p->num_boxes; b++) class_scores[b] = scores[(size_t)b * p->ncbg + c + p->label_offset];
    const int n_sel = nms_single(r, class_scores, per_class, selected);
    /* merge from the back: both lists are sorted by decreasing score, and the list has room for
     * max_detections + per_class entries */
    int i = n_best - 1, j = n_sel - 1, k = n_best + n_sel - 1;
    while (j >= 0) {
      const float sj = class_scores[selected[j]];
      if (i >= 0 && best_val[i] <= sj) {
        best_val[k] = best_val[i], best_idx[k--] = best_idx[i--];
      } else {
        best_val[k] = sj, best_idx[k--] = selected[j] * p->ncbg + c + p->label_offset;
        j--;
      }
    }
    n_best = n_best + n_sel < p->max_detections ? n_best + n_sel : p->max_detections;
  }
  for (int i = 0; i < n_best; i++) {
    const int anchor = best_idx[i] / p->ncbg;
    memcpy(o_boxes + 4 * (size_t)i, &r->boxes[anchor], sizeof(dp_box));
    o_classes[i] = (float)(best_idx[i] - anchor * p->ncbg - p->label_offset);
    o_scores[i] = best_val[i];
  }
  *o_num = (float)n_best;
}

static tl_status dp_eval(tl_kctx *ctx, tl_node *node) {
  const dp_state *p = node->state;
  dp_run r = {p, node->scratch, NULL};
  const tl_tensor *enc = node->in[IN_BOXES], *cls = node->in[IN_SCORES];
  dp_box *boxes = SCR(&r, dp_box, o_decoded);
  decode_boxes(p, enc, node->in[IN_ANCHORS], boxes);
  r.boxes = boxes;
  /* TFLite's ValidateBoxes (run by every NMS pass, on the same decoded boxes) */
  for (int i = 0; i < p->num_boxes; i++)
    if (boxes[i].ymin > boxes[i].ymax || boxes[i].xmin > boxes[i].xmax)
      return tl_kruntime(ctx, node, "decoded box %d is inverted (ymin %g > ymax %g or xmin %g > xmax %g)", i,
                         (double)boxes[i].ymin, (double)boxes[i].ymax, (double)boxes[i].xmin, (double)boxes[i].xmax);
  const float *scores = cls->data;
  if (cls->type == TL_UINT8) {
    /* optimized_ops::Dequantize: float(double(scale) * (q - zp)), the product exact in double */
    float *deq = SCR(&r, float, o_scores);
    const double s = (double)cls->scale;
    const int64_t zp = cls->zero_point;
    const uint8_t *q = cls->data;
    const int64_t n = (int64_t)p->num_boxes * p->ncbg;
    for (int64_t i = 0; i < n; i++) deq[i] = (float)(s * (double)((int64_t)q[i] - zp));
    scores = deq;
  }
  /* Slots TFLite leaves unwritten (fast NMS: past the detections, and past ncat classes) are zeroed
   * here so results do not depend on earlier arena contents. */
  for (int o = 0; o < 4; o++) memset(node->out[o]->data, 0, node->out[o]->bytes);
  float *ob = node->out[OUT_BOXES]->data, *oc = node->out[OUT_CLASSES]->data, *os = node->out[OUT_SCORES]->data;
  float *on = node->out[OUT_NUM]->data;
  if (p->use_regular_nms)
    nms_regular(&r, scores, ob, oc, os, on);
  else
    nms_fast(&r, scores, ob, oc, os, on);
  return TL_OK;
}

/* ---- prepare ---- */

/* map[key] converted as TFLite's Init does (AsInt32/AsFloat/AsBool), or def when the key is absent
 * (a NULL value): Init tests IsNull() for detections_per_class (100) and use_regular_nms (false);
 * for the other keys a NULL converts to 0. Returns 0, or -1 when the blob is malformed. */
static int opt_i32(tl_flex *fx, const tl_flex_ref *map, const char *key, int32_t def, int32_t *out) {
  tl_flex_ref v;
  *out = def;
  if (tl_flex_map_get(fx, map, key, &v) < 0) return -1;
  return v.type == TL_FLEX_NULL ? 0 : tl_flex_int32(fx, &v, out);
}

static int opt_f32(tl_flex *fx, const tl_flex_ref *map, const char *key, float *out) {
  tl_flex_ref v;
  *out = 0.f;
  if (tl_flex_map_get(fx, map, key, &v) < 0) return -1;
  return tl_flex_float(fx, &v, out);
}

static int opt_bool(tl_flex *fx, const tl_flex_ref *map, const char *key, int *out) {
  tl_flex_ref v;
  *out = 0;
  if (tl_flex_map_get(fx, map, key, &v) < 0) return -1;
  return tl_flex_bool(fx, &v, out);
}

static tl_status parse_options(tl_kctx *ctx, tl_node *node, dp_state *p) {
  if (!node->m || !node->m->custom || node->m->custom_size == 0)
    return tl_kfail(ctx, node, "TFLite_Detection_PostProcess has no custom_options");
  tl_flex fx;
  tl_flex_ref m;
  /* after a failure every later call fails at once (fx.err is sticky), so all can run */
  int bad = tl_flex_root(&fx, node->m->custom, node->m->custom_size, &m);
  bad |= opt_i32(&fx, &m, "max_detections", 0, &p->max_detections);
  bad |= opt_i32(&fx, &m, "max_classes_per_detection", 0, &p->max_classes_per_detection);
  bad |= opt_i32(&fx, &m, "detections_per_class", 100, &p->detections_per_class);
  bad |= opt_bool(&fx, &m, "use_regular_nms", &p->use_regular_nms);
  bad |= opt_f32(&fx, &m, "nms_score_threshold", &p->score_threshold);
  bad |= opt_f32(&fx, &m, "nms_iou_threshold", &p->iou_threshold);
  bad |= opt_i32(&fx, &m, "num_classes", 0, &p->num_classes);
  bad |= opt_f32(&fx, &m, "y_scale", &p->y_scale);
  bad |= opt_f32(&fx, &m, "x_scale", &p->x_scale);
  bad |= opt_f32(&fx, &m, "h_scale", &p->h_scale);
  bad |= opt_f32(&fx, &m, "w_scale", &p->w_scale);
  if (bad) return tl_kfail(ctx, node, "custom_options: %s", fx.err ? fx.err : "malformed FlexBuffer");
  return TL_OK;
}

/* Lays out one scratch array of n elements of `size` bytes, 16-aligned; 0 when it cannot fit. */
static int carve(uint64_t *total, size_t *off, uint64_t n, uint64_t size) {
  const uint64_t limit = (uint64_t)1 << 31;
  if (n > limit || n * size > limit || *total > limit) return 0;
  *off = (size_t)*total;
  *total += (n * size + 15) & ~(uint64_t)15;
  return 1;
}

tl_status tl_prep_detection_postprocess(tl_kctx *ctx, tl_node *node) {
  tl_status st = kc_io(ctx, node, 3, 3, 4);
  if (st) return st;
  dp_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  if ((st = parse_options(ctx, node, p))) return st;
  const tl_tensor *enc = node->in[IN_BOXES], *cls = node->in[IN_SCORES], *anc = node->in[IN_ANCHORS];
  if (enc->ndim != 3 || cls->ndim != 3 || anc->ndim != 2)
    return tl_kfail(ctx, node, "box encodings, class predictions and anchors must have rank 3, 3 and 2 (got %d, %d, %d)",
                    (int)enc->ndim, (int)cls->ndim, (int)anc->ndim);
  if (enc->type != TL_UINT8 && enc->type != TL_FLOAT32)
    return tl_kunsupported(ctx, node, "box encodings of type %s (UINT8 or FLOAT32 only)", tl_type_name(enc->type));
  if (cls->type != TL_UINT8 && cls->type != TL_FLOAT32)
    return tl_kunsupported(ctx, node, "class predictions of type %s (UINT8 or FLOAT32 only)", tl_type_name(cls->type));
  /* TFLite reads the anchors with the box encodings' type: they must agree */
  if (anc->type != enc->type)
    return tl_kfail(ctx, node, "anchors are %s but box encodings are %s", tl_type_name(anc->type),
                    tl_type_name(enc->type));
  if (enc->dims[0] != 1 || cls->dims[0] != 1)
    return tl_kunsupported(ctx, node, "batch size %d (only 1, like TFLite)", (int)enc->dims[0]);
  if (enc->dims[2] < 4) return tl_kfail(ctx, node, "box encodings have %d values per box (need >= 4)", (int)enc->dims[2]);
  p->num_boxes = enc->dims[1];
  p->box_stride = enc->dims[2];
  p->ncbg = cls->dims[2];
  if (cls->dims[1] != p->num_boxes)
    return tl_kfail(ctx, node, "class predictions cover %d boxes, box encodings %d", (int)cls->dims[1],
                    (int)p->num_boxes);
  /* TFLite reads one 4-value anchor per box without checking the anchors' shape */
  if (anc->dims[1] != 4 || anc->dims[0] < p->num_boxes)
    return tl_kfail(ctx, node, "anchors have shape [%d,%d], need [%d,4]", (int)anc->dims[0], (int)anc->dims[1],
                    (int)p->num_boxes);
  if (p->num_classes < 1) return tl_kfail(ctx, node, "num_classes is %d (must be >= 1)", (int)p->num_classes);
  /* class-score indices (box * classes + class) are ints in TFLite */
  if ((int64_t)p->num_boxes * p->ncbg > INT32_MAX)
    return tl_kfail(ctx, node, "%d boxes x %d classes is too many", (int)p->num_boxes, (int)p->ncbg);
  p->label_offset = p->ncbg - p->num_classes;
  if (p->label_offset != 0 && p->label_offset != 1)
    return tl_kfail(ctx, node, "class predictions have %d classes for num_classes %d (need num_classes or one more)",
                    (int)p->ncbg, (int)p->num_classes);
  if (p->max_detections < 0) return tl_kfail(ctx, node, "max_detections is %d (must be >= 0)", (int)p->max_detections);
  /* TFLite only checks this for fast NMS, but its outputs hold max_detections x this many boxes in
   * both modes, and regular NMS writes max_detections of them: 0 would overflow them. */
  if (p->max_classes_per_detection < 1)
    return tl_kfail(ctx, node, "max_classes_per_detection is %d (must be >= 1)", (int)p->max_classes_per_detection);
  /* TFLite fails the invoke when min(detections_per_class, max_detections) < 1 in regular NMS */
  if (p->use_regular_nms && (p->detections_per_class < 1 || p->max_detections < 1))
    return tl_kfail(ctx, node, "regular NMS needs detections_per_class and max_detections >= 1 (got %d and %d)",
                    (int)p->detections_per_class, (int)p->max_detections);
  if (!(p->iou_threshold > 0.f && p->iou_threshold <= 1.f))
    return tl_kfail(ctx, node, "nms_iou_threshold %g is outside (0, 1]", (double)p->iou_threshold);
  p->ncat = p->max_classes_per_detection < p->num_classes ? p->max_classes_per_detection : p->num_classes;
  const int64_t det = (int64_t)p->max_detections * p->max_classes_per_detection;
  if (det > INT32_MAX) return tl_kfail(ctx, node, "max_detections x max_classes_per_detection is too large");
  for (int o = 0; o < 4; o++)
    if (node->out[o]->type != TL_FLOAT32)
      return tl_kfail(ctx, node, "output %d has type %s (TFLite writes FLOAT32)", o, tl_type_name(node->out[o]->type));
  /* The file stores these shapes as []: they exist only from here on. */
  const int32_t dbox[3] = {1, (int32_t)det, 4}, dvec[2] = {1, (int32_t)det}, dnum[1] = {1};
  if ((st = tl_kset_shape(ctx, node, node->out[OUT_BOXES], 3, dbox)) ||
      (st = tl_kset_shape(ctx, node, node->out[OUT_CLASSES], 2, dvec)) ||
      (st = tl_kset_shape(ctx, node, node->out[OUT_SCORES], 2, dvec)) ||
      (st = tl_kset_shape(ctx, node, node->out[OUT_NUM], 1, dnum)))
    return st;
  const uint64_t nb = (uint64_t)p->num_boxes, md = (uint64_t)p->max_detections;
  uint64_t total = 0;
  int ok = carve(&total, &p->o_decoded, nb, sizeof(dp_box)) &&
           carve(&total, &p->o_scores, cls->type == TL_UINT8 ? nb * (uint64_t)p->ncbg : 0, sizeof(float)) &&
           carve(&total, &p->o_active, nb, 1) && carve(&total, &p->o_keep_idx, nb, sizeof(int)) &&
           carve(&total, &p->o_keep_val, nb, sizeof(float)) && carve(&total, &p->o_sorted, nb, sizeof(int)) &&
           carve(&total, &p->o_merge, nb, sizeof(int)) && carve(&total, &p->o_selected, nb, sizeof(int)) &&
           carve(&total, &p->o_vals, nb, sizeof(float));
  if (p->use_regular_nms)
    ok = ok && carve(&total, &p->o_after_idx, md + nb, sizeof(int)) &&
         carve(&total, &p->o_after_val, md + nb, sizeof(float));
  else
    ok = ok && carve(&total, &p->o_cls_idx, nb * (uint64_t)p->ncat, sizeof(int)) &&
         carve(&total, &p->o_row, (uint64_t)p->num_classes, sizeof(int));
  if (!ok) return tl_kfail(ctx, node, "%d boxes x %d classes need an absurd amount of scratch", (int)p->num_boxes, (int)p->ncbg);
  if ((st = tl_kscratch(ctx, node, (size_t)total))) return st;
  node->state = p;
  node->eval = dp_eval;
  return TL_OK;
}

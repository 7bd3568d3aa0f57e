/* SPDX-License-Identifier: Apache-2.0
 * Two ops that quantize values in float: FAKE_QUANT (TensorFlow's FakeQuantWithMinMaxArgs as TFLite's
 * reference_ops::FakeQuant: the [min, max] range nudged so 0 is exact on 2^num_bits - 1 steps, each
 * value clamped and rounded onto the grid; FakeQuantOptions min, max, num_bits) and BUCKETIZE (the
 * int32 index of the first boundary above each value, std::upper_bound over BucketizeOptions'
 * sorted float boundaries; float32, float64, int32 and int64 input). */
#include <math.h>

#include "../quant_math.h"
#include "kcommon.h"

typedef struct {
  float nudged_min, nudged_max, scale;
} fq_state;

static tl_status fake_quant_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const fq_state *p = node->state;
  const float *x = node->in[0]->data;
  float *o = node->out[0]->data;
  const float inv = 1.0f / p->scale;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) {
    const float c = x[i] < p->nudged_min ? p->nudged_min : x[i] > p->nudged_max ? p->nudged_max : x[i];
    o[i] = tl_roundf((c - p->nudged_min) * inv) * p->scale + p->nudged_min;
  }
  return TL_OK;
}

tl_status tl_prep_fake_quant(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  if (in->type != TL_FLOAT32 || node->out[0]->type != TL_FLOAT32) return tl_kunsupported(ctx, node, "type %s (float32 only)", tl_type_name(in->type));
  const tl_fb_table *o = kc_opts(node);
  const float mn = tl_fake_quant_min(o), mx = tl_fake_quant_max(o);
  const int bits = tl_fake_quant_num_bits(o);
  if (!(mn <= 0.f) || !(mx >= 0.f) || !(mn < mx)) return tl_kfail(ctx, node, "range [%g, %g] must contain 0 and be non-empty", (double)mn, (double)mx);
  if (bits < 2 || bits > 16) return tl_kfail(ctx, node, "num_bits %d must be in [2, 16]", bits);
  fq_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  /* NudgeQuantizationRange, in float */
  const float qmin = 0.f, qmax = (float)((1 << bits) - 1);
  p->scale = (mx - mn) / (qmax - qmin);
  const float zp_from_min = qmin - mn / p->scale;
  const uint16_t zp = zp_from_min < qmin ? 0 : zp_from_min > qmax ? (uint16_t)qmax : (uint16_t)tl_roundf(zp_from_min);
  p->nudged_min = (qmin - zp) * p->scale;
  p->nudged_max = (qmax - zp) * p->scale;
  if ((s = tl_kset_shape(ctx, node, node->out[0], in->ndim, in->dims))) return s;
  node->state = p;
  node->eval = fake_quant_eval;
  return TL_OK;
}

typedef struct {
  const float *bounds;
  int n;
} bucket_state;

static tl_status bucketize_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const bucket_state *p = node->state;
  const tl_tensor *in = node->in[0];
  int32_t *o = node->out[0]->data;
  const int64_t n = tl_numel(in);
  for (int64_t i = 0; i < n; i++) {
    double v;
    switch (in->type) { /* the comparison TFLite's template makes: int values as float, doubles as double */
      case TL_FLOAT32: v = ((const float *)in->data)[i]; break;
      case TL_FLOAT64: v = ((const double *)in->data)[i]; break;
      case TL_INT32: v = (float)((const int32_t *)in->data)[i]; break;
      default: v = (float)((const int64_t *)in->data)[i]; break;
    }
    int lo = 0, hi = p->n; /* upper_bound: first boundary with v < boundary */
    while (lo < hi) {
      const int mid = lo + (hi - lo) / 2;
      if (v < (double)p->bounds[mid]) hi = mid;
      else lo = mid + 1;
    }
    o[i] = lo;
  }
  return TL_OK;
}

tl_status tl_prep_bucketize(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  const int t = in->type;
  if (t != TL_FLOAT32 && t != TL_FLOAT64 && t != TL_INT32 && t != TL_INT64) return tl_kunsupported(ctx, node, "type %s", tl_type_name(t));
  if (node->out[0]->type != TL_INT32) return tl_kfail(ctx, node, "output must be int32");
  tl_fb_vec v;
  const int r = tl_bucketize_boundaries(kc_opts(node), &v);
  if (r < 0) return tl_kfail(ctx, node, "bad boundaries vector");
  bucket_state *p = tl_kpersist(ctx, sizeof *p);
  float *b = tl_kpersist(ctx, sizeof(float) * (r == 1 ? v.n + 1 : 1));
  if (!p || !b) return TL_ERR_NOMEM;
  p->n = r == 1 ? (int)v.n : 0;
  for (int i = 0; i < p->n; i++) {
    b[i] = tl_fb_vec_f32(&v, (uint32_t)i);
    if (i && !(b[i - 1] <= b[i])) return tl_kfail(ctx, node, "boundaries must be sorted");
  }
  p->bounds = b;
  if ((s = tl_kset_shape(ctx, node, node->out[0], in->ndim, in->dims))) return s;
  node->state = p;
  node->eval = bucketize_eval;
  return TL_OK;
}

/* SPDX-License-Identifier: Apache-2.0
 * LOCAL_RESPONSE_NORMALIZATION over the last dimension, float32, as TFLite's optimized kernel: a
 * running window sum of alpha * x^2 over [c - radius, c + radius] (added and subtracted as the
 * window slides, in that order), then x * (bias + sum)^-beta, with beta 1 and 0.5 taken as a
 * reciprocal and a reciprocal square root. LocalResponseNormalizationOptions: radius, bias, alpha,
 * beta. */
#include <math.h>

#include "kcommon.h"

typedef struct {
  int64_t outer;
  int depth, radius;
  float bias, alpha, beta;
} lrn_state;

static tl_status lrn_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const lrn_state *p = node->state;
  const float *x = node->in[0]->data;
  float *o = node->out[0]->data;
  float *sq = node->scratch; /* depth + 2 * radius, zero-padded */
  const int d = p->depth, w = 2 * p->radius;
  for (int i = 0; i < d + w; i++) sq[i] = 0.f;
  for (int64_t r = 0; r < p->outer; r++, x += d, o += d) {
    for (int i = 0; i < d; i++) sq[p->radius + i] = x[i] * x[i] * p->alpha;
    float acc = 0.f;
    for (int i = 0; i < w; i++) acc += sq[i];
    for (int i = 0; i < d; i++) {
      acc += sq[i + w];
      o[i] = p->bias + acc;
      acc -= sq[i];
    }
    for (int i = 0; i < d; i++) {
      const float den = o[i];
      o[i] = p->beta == 1.f ? x[i] * (1.f / den) : p->beta == 0.5f ? x[i] * (1.f / sqrtf(den)) : x[i] * powf(den, -p->beta);
    }
  }
  return TL_OK;
}

tl_status tl_prep_local_response_normalization(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  if (in->type != TL_FLOAT32 || out->type != TL_FLOAT32) return tl_kunsupported(ctx, node, "type %s (float32 only, as TFLite)", tl_type_name(in->type));
  if (in->ndim != 4) return tl_kfail(ctx, node, "input must be 4-D");
  lrn_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  const tl_fb_table *o = kc_opts(node);
  p->radius = tl_lrn_radius(o);
  p->bias = tl_lrn_bias(o);
  p->alpha = tl_lrn_alpha(o);
  p->beta = tl_lrn_beta(o);
  if (p->radius < 0 || p->radius > (1 << 20)) return tl_kfail(ctx, node, "radius %d out of range", p->radius);
  p->depth = in->dims[3];
  p->outer = p->depth ? tl_numel(in) / p->depth : 0;
  if ((s = tl_kset_shape(ctx, node, out, 4, in->dims))) return s;
  if ((s = tl_kscratch(ctx, node, sizeof(float) * ((size_t)p->depth + 2 * (size_t)p->radius)))) return s;
  node->state = p;
  node->eval = lrn_eval;
  return TL_OK;
}

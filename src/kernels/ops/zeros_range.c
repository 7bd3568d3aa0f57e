/* SPDX-License-Identifier: Apache-2.0
 * ZEROS_LIKE: zeros of the input's shape and type (int32, int64, float32). RANGE (start, limit, delta,
 * scalars of one type: int32 or float32): start, start + delta, ... while below limit (above, for a
 * negative delta); the three must be known at prepare, since they decide the output's length, and
 * delta 0 is refused. */
#include <math.h>

#include "kcommon.h"

static tl_status zeros_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  memset(node->out[0]->data, 0, node->out[0]->bytes);
  return TL_OK;
}

tl_status tl_prep_zeros_like(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  if (in->type != TL_INT32 && in->type != TL_INT64 && in->type != TL_FLOAT32)
    return tl_kunsupported(ctx, node, "type %s (version %d)", tl_type_name(in->type), (int)node->version);
  if (in->type != out->type) return tl_kfail(ctx, node, "input and output types differ");
  if ((s = tl_kset_shape(ctx, node, out, in->ndim, in->dims))) return s;
  node->eval = zeros_eval;
  return TL_OK;
}

typedef struct {
  double start, delta;
} range_state;

static tl_status range_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const range_state *p = node->state;
  tl_tensor *out = node->out[0];
  const int64_t n = tl_numel(out);
  if (out->type == TL_INT32) {
    int32_t *o = out->data, v = (int32_t)p->start;
    for (int64_t i = 0; i < n; i++, v += (int32_t)p->delta) o[i] = v;
  } else {
    float *o = out->data, v = (float)p->start; /* TFLite accumulates: value += delta */
    for (int64_t i = 0; i < n; i++, v += (float)p->delta) o[i] = v;
  }
  return TL_OK;
}

static double scalar(const tl_tensor *t) { return t->type == TL_FLOAT32 ? *(const float *)t->data : (double)kc_ival(t, 0); }

tl_status tl_prep_range(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 3, 3, 1);
  if (s) return s;
  const tl_tensor *a = node->in[0], *b = node->in[1], *c = node->in[2];
  tl_tensor *out = node->out[0];
  if (a->type != b->type || a->type != c->type || a->type != out->type || (a->type != TL_INT32 && a->type != TL_FLOAT32))
    return tl_kunsupported(ctx, node, "types %s, %s, %s -> %s (int32 or float32 throughout)", tl_type_name(a->type),
                           tl_type_name(b->type), tl_type_name(c->type), tl_type_name(out->type));
  if (tl_numel(a) != 1 || tl_numel(b) != 1 || tl_numel(c) != 1) return tl_kfail(ctx, node, "start, limit and delta must be scalars");
  if (!a->known || !b->known || !c->known) return tl_kdefer(ctx, node, "start/limit/delta not known at prepare (a run-time shape)");
  const double st = scalar(a), lim = scalar(b), d = scalar(c);
  if (d == 0 || !isfinite(d) || !isfinite(st) || !isfinite(lim)) return tl_kfail(ctx, node, "delta must be non-zero and all finite");
  if ((st > lim && d > 0) || (st < lim && d < 0)) return tl_kfail(ctx, node, "delta %g points away from the limit", d);
  /* TFLite: ceil(|limit - start| / |delta|) for floats, the integer equivalent for int32 */
  const double len = a->type == TL_INT32 ? (double)((int64_t)(fabs(lim - st) + fabs(d) - 1) / (int64_t)fabs(d))
                                         : (double)ceilf(fabsf(((float)lim - (float)st) / (float)d)); /* in float, as TFLite */
  if (len > INT32_MAX) return tl_kfail(ctx, node, "a range of %g values", len);
  const int32_t dims[1] = {(int32_t)len};
  if ((s = tl_kset_shape(ctx, node, out, 1, dims))) return s;
  range_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->start = st, p->delta = d;
  node->state = p;
  node->eval = range_eval;
  return TL_OK;
}

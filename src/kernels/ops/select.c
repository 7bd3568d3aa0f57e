/* SPDX-License-Identifier: Apache-2.0
 * SELECT (v1) and SELECT_V2: out = condition ? x : y, element by element, for any fixed-size dtype
 * (quantized values are copied as they are). SELECT wants x and y of one shape and a condition of
 * that shape, a scalar, or a vector over the first dimension; SELECT_V2 broadcasts all three (numpy
 * rules), as TFLite does. */
#include "kcommon.h"

typedef struct {
  int nd;
  int32_t dims[TL_MAX_DIMS];
  int64_t st[3][TL_MAX_DIMS]; /* element strides of condition, x, y; 0 where broadcast */
  size_t es;
} select_state;

static tl_status select_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const select_state *p = node->state;
  const uint8_t *c = node->in[0]->data, *x = node->in[1]->data, *y = node->in[2]->data;
  uint8_t *o = node->out[0]->data;
  const int64_t n = tl_numel(node->out[0]);
  int64_t idx[TL_MAX_DIMS] = {0}, oc = 0, ox = 0, oy = 0;
  for (int64_t i = 0; i < n; i++) {
    memcpy(o + (size_t)i * p->es, (c[oc] ? x + (size_t)ox * p->es : y + (size_t)oy * p->es), p->es);
    for (int k = p->nd - 1; k >= 0; k--) { /* next index, strides follow */
      oc += p->st[0][k], ox += p->st[1][k], oy += p->st[2][k];
      if (++idx[k] < p->dims[k]) break;
      oc -= p->st[0][k] * p->dims[k], ox -= p->st[1][k] * p->dims[k], oy -= p->st[2][k] * p->dims[k];
      idx[k] = 0;
    }
  }
  return TL_OK;
}

/* Strides of t aligned to the last dims of an nd-dim output, 0 where t has size 1 there. */
static void strides(const tl_tensor *t, int nd, int64_t *st) {
  int64_t r = 1;
  for (int i = nd - 1; i >= 0; i--) {
    const int j = t->ndim - nd + i;
    const int32_t d = j >= 0 ? t->dims[j] : 1;
    st[i] = d == 1 ? 0 : r;
    r *= d;
  }
}

static tl_status prep(tl_kctx *ctx, tl_node *node, int v2) {
  tl_status s = kc_io(ctx, node, 3, 3, 1);
  if (s) return s;
  const tl_tensor *c = node->in[0], *x = node->in[1], *y = node->in[2];
  tl_tensor *out = node->out[0];
  if (c->type != TL_BOOL) return tl_kfail(ctx, node, "condition is %s, not BOOL", tl_type_name(c->type));
  if (x->type != y->type || x->type != out->type)
    return tl_kfail(ctx, node, "x %s, y %s and output %s must have one type", tl_type_name(x->type), tl_type_name(y->type),
                    tl_type_name(out->type));
  if (!kc_esize(x->type)) return tl_kunsupported(ctx, node, "type %s", tl_type_name(x->type));
  select_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  int32_t od[TL_MAX_DIMS];
  int nd = 0;
  if (v2) {
    int n1;
    int32_t d1[TL_MAX_DIMS];
    if (!tl_broadcast_shape(x, y, &n1, d1)) return tl_kfail(ctx, node, "x and y shapes cannot be broadcast");
    tl_tensor xy = *x;
    xy.ndim = n1;
    memcpy(xy.dims, d1, sizeof(int32_t) * (size_t)n1);
    if (!tl_broadcast_shape(c, &xy, &nd, od)) return tl_kfail(ctx, node, "the condition cannot be broadcast to x and y");
  } else {
    if (!tl_same_shape(x, y)) return tl_kfail(ctx, node, "x and y must have one shape");
    const int low = c->ndim == 0 || (c->ndim == 1 && x->ndim >= 1 && c->dims[0] == x->dims[0]);
    if (!tl_same_shape(c, x) && !low)
      return tl_kfail(ctx, node, "the condition must have x's shape, be a scalar, or a vector over x's first dimension");
    nd = x->ndim;
    memcpy(od, x->dims, sizeof(int32_t) * (size_t)nd);
  }
  if (nd > 6) return tl_kunsupported(ctx, node, "more than 6 dims");
  if ((s = tl_kset_shape(ctx, node, out, nd, od))) return s;
  p->nd = nd;
  memcpy(p->dims, od, sizeof(int32_t) * (size_t)nd);
  strides(x, nd, p->st[1]);
  strides(y, nd, p->st[2]);
  if (!v2 && c->ndim == 1 && nd > 1) { /* a vector condition picks whole rows */
    memset(p->st[0], 0, sizeof p->st[0]);
    p->st[0][0] = 1;
  } else {
    strides(c, nd, p->st[0]);
  }
  p->es = kc_esize(x->type);
  node->state = p;
  node->eval = select_eval;
  return TL_OK;
}

tl_status tl_prep_select(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 0); }
tl_status tl_prep_select_v2(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 1); }

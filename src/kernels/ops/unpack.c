/* SPDX-License-Identifier: Apache-2.0
 * UNPACK: splits a tensor along an axis into num outputs with that axis removed. A byte copy for any
 * fixed-size dtype. UnpackOptions: num (0), axis (1). */
#include "kcommon.h"

typedef struct {
  int64_t outer;
  size_t chunk;
} unpack_state;

static tl_status unpack_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const unpack_state *p = node->state;
  const int n = node->n_out;
  const uint8_t *in = node->in[0]->data;
  if (!p->chunk) return TL_OK;
  for (int k = 0; k < n; k++) {
    uint8_t *dst = node->out[k]->data;
    for (int64_t o = 0; o < p->outer; o++)
      memcpy(dst + (size_t)o * p->chunk, in + ((size_t)o * (size_t)n + (size_t)k) * p->chunk, p->chunk);
  }
  return TL_OK;
}

tl_status tl_prep_unpack(tl_kctx *ctx, tl_node *node) {
  if (node->n_out < 1) return tl_kfail(ctx, node, "needs at least one output");
  tl_status s = kc_io(ctx, node, 1, 1, node->n_out);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  const tl_fb_table *o = kc_opts(node);
  int32_t num = tl_unpack_num(o), ax = tl_unpack_axis(o);
  int axis;
  if (in->ndim < 1 || !kc_axis(ax, in->ndim, &axis)) return tl_kfail(ctx, node, "axis %d out of range", (int)ax);
  if (num != in->dims[axis] || num != node->n_out)
    return tl_kfail(ctx, node, "num %d, axis size %d and %d outputs disagree", (int)num, (int)in->dims[axis],
                    (int)node->n_out);
  if (!kc_esize(in->type)) return tl_kunsupported(ctx, node, "type %s", tl_type_name(in->type));
  int32_t dims[TL_MAX_DIMS];
  for (int i = 0, j = 0; i < in->ndim; i++)
    if (i != axis) dims[j++] = in->dims[i];
  for (int k = 0; k < node->n_out; k++) {
    tl_tensor *t = node->out[k];
    if (t->type != in->type) return tl_kfail(ctx, node, "output %d type differs from the input", k);
    if ((s = tl_kset_shape(ctx, node, t, in->ndim - 1, dims))) return s;
  }
  unpack_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->outer = kc_prod(in->dims, 0, axis);
  p->chunk = (size_t)kc_prod(in->dims, axis + 1, in->ndim) * kc_esize(in->type);
  node->state = p;
  node->eval = unpack_eval;
  return TL_OK;
}

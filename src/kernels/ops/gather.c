/* SPDX-License-Identifier: Apache-2.0
 * GATHER along an axis with batch_dims (GatherOptions: axis 0, batch_dims 1; both may be negative).
 * Indices are int32/int64/int16; an index outside [0, axis size) is an error (TFLite fixed this in
 * CVE-2021-37687: negative indices used to read out of bounds): at prepare when the indices are known,
 * at run time otherwise. Any fixed-size dtype (a row copy). */
#include "kcommon.h"

typedef struct {
  int64_t batch, outer, coords, axis_size;
  size_t inner_bytes;
} gather_state;

static int64_t index_at(const tl_tensor *t, int64_t i) {
  if (t->type == TL_INT16) return ((const int16_t *)t->data)[i];
  return kc_ival(t, i);
}

static tl_status check_indices(tl_kctx *ctx, tl_node *node, const gather_state *p, int runtime) {
  const tl_tensor *ix = node->in[1];
  const int64_t n = tl_numel(ix);
  for (int64_t i = 0; i < n; i++) {
    int64_t v = index_at(ix, i);
    if (v < 0 || v >= p->axis_size) {
      if (runtime) return tl_kruntime(ctx, node, "index %lld out of range [0, %lld)", (long long)v, (long long)p->axis_size);
      return tl_kfail(ctx, node, "index %lld out of range [0, %lld)", (long long)v, (long long)p->axis_size);
    }
  }
  return TL_OK;
}

static tl_status gather_eval(tl_kctx *ctx, tl_node *node) {
  const gather_state *p = node->state;
  tl_status s = check_indices(ctx, node, p, 1);
  if (s) return s;
  const tl_tensor *ix = node->in[1];
  const uint8_t *src = node->in[0]->data;
  uint8_t *dst = node->out[0]->data;
  const size_t ib = p->inner_bytes;
  if (!ib) return TL_OK;
  for (int64_t b = 0; b < p->batch; b++)
    for (int64_t o = 0; o < p->outer; o++) {
      const uint8_t *base = src + ((size_t)(b * p->outer + o) * (size_t)p->axis_size) * ib;
      for (int64_t c = 0; c < p->coords; c++) {
        int64_t v = index_at(ix, b * p->coords + c);
        memcpy(dst, base + (size_t)v * ib, ib);
        dst += ib;
      }
    }
  return TL_OK;
}

tl_status tl_prep_gather(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0], *ix = node->in[1];
  tl_tensor *out = node->out[0];
  if ((s = tl_ref_check_same_type(ctx, node, in, out))) return s;
  if (!kc_is_index_type(ix->type) && ix->type != TL_INT16) return tl_kfail(ctx, node, "indices must be int16/32/64");
  const tl_fb_table *o = kc_opts(node);
  int32_t ax = tl_gather_axis(o), bd = tl_gather_batch_dims(o);
  int axis;
  if (in->ndim < 1 || !kc_axis(ax, in->ndim, &axis)) return tl_kfail(ctx, node, "axis %d out of range", (int)ax);
  if (bd < 0) bd += ix->ndim;
  if (bd < 0 || bd > ix->ndim || bd > axis) return tl_kfail(ctx, node, "batch_dims out of range");
  for (int i = 0; i < bd; i++)
    if (in->dims[i] != ix->dims[i]) return tl_kfail(ctx, node, "batch dim %d differs between params and indices", i);
  const int ond = in->ndim - 1 + ix->ndim - bd;
  if (ond > TL_MAX_DIMS) return tl_kfail(ctx, node, "output rank too large");
  int32_t od[TL_MAX_DIMS];
  int k = 0;
  for (int i = 0; i < axis; i++) od[k++] = in->dims[i];
  for (int i = bd; i < ix->ndim; i++) od[k++] = ix->dims[i];
  for (int i = axis + 1; i < in->ndim; i++) od[k++] = in->dims[i];
  if ((s = tl_kset_shape(ctx, node, out, ond, od))) return s;
  gather_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->batch = kc_prod(in->dims, 0, bd);
  p->outer = kc_prod(in->dims, bd, axis);
  p->axis_size = in->dims[axis];
  p->coords = kc_prod(ix->dims, bd, ix->ndim);
  p->inner_bytes = (size_t)kc_prod(in->dims, axis + 1, in->ndim) * kc_esize(in->type);
  node->state = p;
  if (ix->known && (s = check_indices(ctx, node, p, 0))) return s;
  node->eval = gather_eval;
  return TL_OK;
}

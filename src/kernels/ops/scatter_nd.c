/* SPDX-License-Identifier: Apache-2.0
 * SCATTER_ND(indices, updates, shape): a zero tensor of `shape` with each update slice added at the
 * position its index row names (duplicates add up), as TFLite's reference ScatterNd. indices int32 or
 * int64 [..., k]; updates float32, int8, uint8, int32, int64 or bool (bool ORs, as += on C++ bool);
 * shape int32/int64, usually constant (else the node is shaped at invoke). An index outside the
 * shape fails the invoke, as in TFLite. */
#include "kcommon.h"

typedef struct {
  int64_t n_rows, slice, k;
  int64_t stride[TL_MAX_DIMS]; /* elements per step of each of the first k output dims */
  size_t es;
} scatter_state;

static tl_status scatter_eval(tl_kctx *ctx, tl_node *node) {
  const scatter_state *p = node->state;
  const tl_tensor *idx = node->in[0], *upd = node->in[1];
  tl_tensor *out = node->out[0];
  memset(out->data, 0, out->bytes);
  for (int64_t r = 0; r < p->n_rows; r++) {
    int64_t off = 0;
    for (int64_t j = 0; j < p->k; j++) {
      const int64_t v = kc_ival(idx, r * p->k + j);
      if (v < 0 || v >= out->dims[j])
        return tl_kruntime(ctx, node, "index row %lld: %lld is outside dim %lld of size %d", (long long)r, (long long)v,
                           (long long)j, (int)out->dims[j]);
      off += v * p->stride[j];
    }
    const uint8_t *u = (const uint8_t *)upd->data + (size_t)(r * p->slice) * p->es;
    uint8_t *o = (uint8_t *)out->data + (size_t)off * p->es;
    for (int64_t e = 0; e < p->slice; e++) {
      switch (out->type) {
        case TL_FLOAT32: ((float *)(void *)o)[e] += ((const float *)(const void *)u)[e]; break;
        case TL_INT32: ((int32_t *)(void *)o)[e] = (int32_t)((uint32_t)((int32_t *)(void *)o)[e] + (uint32_t)((const int32_t *)(const void *)u)[e]); break;
        case TL_INT64: ((int64_t *)(void *)o)[e] = (int64_t)((uint64_t)((int64_t *)(void *)o)[e] + (uint64_t)((const int64_t *)(const void *)u)[e]); break;
        case TL_BOOL: o[e] = (uint8_t)(o[e] || u[e]); break;
        default: o[e] = (uint8_t)(o[e] + u[e]); break; /* int8 / uint8 wrap */
      }
    }
  }
  return TL_OK;
}

tl_status tl_prep_scatter_nd(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 3, 3, 1);
  if (s) return s;
  const tl_tensor *idx = node->in[0], *upd = node->in[1], *shape = node->in[2];
  tl_tensor *out = node->out[0];
  const int t = upd->type;
  if (t != TL_FLOAT32 && t != TL_INT8 && t != TL_UINT8 && t != TL_INT32 && t != TL_INT64 && t != TL_BOOL)
    return tl_kunsupported(ctx, node, "updates type %s", tl_type_name(t));
  if (out->type != t) return tl_kfail(ctx, node, "output type differs from the updates'");
  if (!kc_is_index_type(idx->type) || !kc_is_index_type(shape->type) || idx->type != shape->type)
    return tl_kfail(ctx, node, "indices and shape must both be int32 or int64");
  if (shape->ndim != 1 || shape->dims[0] < 1 || shape->dims[0] > TL_MAX_DIMS)
    return tl_kfail(ctx, node, "shape must be a vector of 1..%d dims", TL_MAX_DIMS);
  if (idx->ndim < 1) return tl_kfail(ctx, node, "indices need at least one dim");
  if (!shape->known) return tl_kdefer(ctx, node, "shape not known at prepare");
  const int rank = shape->dims[0];
  const int64_t k = idx->dims[idx->ndim - 1];
  if (k < 1 || k > rank) return tl_kfail(ctx, node, "index depth %lld must be in [1, %d]", (long long)k, rank);
  int32_t od[TL_MAX_DIMS];
  for (int i = 0; i < rank; i++) {
    const int64_t v = kc_ival(shape, i);
    if (v < 0 || v > INT32_MAX) return tl_kfail(ctx, node, "shape dim %d is %lld", i, (long long)v);
    od[i] = (int32_t)v;
  }
  /* updates must be indices.shape[:-1] + shape[k:] */
  const int ud = idx->ndim - 1 + rank - (int)k;
  int ok = upd->ndim == ud;
  for (int i = 0; ok && i < idx->ndim - 1; i++) ok = upd->dims[i] == idx->dims[i];
  for (int i = 0; ok && i < rank - k; i++) ok = upd->dims[idx->ndim - 1 + i] == od[k + i];
  if (!ok) return tl_kfail(ctx, node, "updates shape does not match indices and shape");
  if ((s = tl_kset_shape(ctx, node, out, rank, od))) return s;
  scatter_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->k = k;
  p->es = kc_esize(t);
  p->n_rows = k > 0 ? tl_numel(idx) / k : 0;
  p->slice = 1;
  for (int i = (int)k; i < rank; i++) p->slice *= od[i];
  int64_t st = p->slice;
  for (int i = (int)k - 1; i >= 0; i--) p->stride[i] = st, st *= od[i];
  node->state = p;
  node->eval = scatter_eval;
  return TL_OK;
}

/* SPDX-License-Identifier: Apache-2.0
 * SPARSE_TO_DENSE as TFLite 2.9: inputs indices (int32/int64: a scalar, [N] for a 1-D output, or
 * [N, rank]), output_shape (int32/int64 [rank], rank <= 4), values (one per index: TFLite 2.9
 * refuses a scalar for several) and default_value (a scalar); the output, of the values' type, holds
 * default_value except at the indices. A shape known only at run time defers the node; an index outside the output is a
 * run-time error (TFLite writes out of bounds). */
#include <string.h>

#include "kcommon.h"

typedef struct {
  int64_t n;        /* indices */
  int rank;
  size_t esize;
} s2d_state;

static tl_status s2d_eval(tl_kctx *ctx, tl_node *node) {
  const s2d_state *p = node->state;
  const tl_tensor *idx = node->in[0], *vals = node->in[2];
  tl_tensor *out = node->out[0];
  const uint8_t *def = node->in[3]->data, *v = vals->data;
  uint8_t *o = out->data;
  const int64_t total = tl_numel(out);
  for (int64_t i = 0; i < total; i++) memcpy(o + i * p->esize, def, p->esize);
  for (int64_t i = 0; i < p->n; i++) {
    int64_t off = 0;
    for (int d = 0; d < p->rank; d++) {
      const int64_t k = kc_ival(idx, i * p->rank + d);
      if (k < 0 || k >= out->dims[d])
        return tl_kruntime(ctx, node, "index %lld of row %lld is outside dimension %d (%d)", (long long)k, (long long)i, d,
                           (int)out->dims[d]);
      off = off * out->dims[d] + k;
    }
    memcpy(o + off * p->esize, v + i * p->esize, p->esize);
  }
  return TL_OK;
}

tl_status tl_prep_sparse_to_dense(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 4, 4, 1);
  if (s) return s;
  const tl_tensor *idx = node->in[0], *shape = node->in[1], *vals = node->in[2], *def = node->in[3];
  tl_tensor *out = node->out[0];
  if (!kc_is_index_type(idx->type) || !kc_is_index_type(shape->type))
    return tl_kfail(ctx, node, "indices and output_shape must be int32 or int64");
  if (vals->type != TL_FLOAT32 && vals->type != TL_INT32 && vals->type != TL_INT64 && vals->type != TL_INT8 &&
      vals->type != TL_UINT8)
    return tl_kunsupported(ctx, node, "values of type %s", tl_type_name(vals->type));
  if (def->type != vals->type || out->type != vals->type) return tl_kfail(ctx, node, "values, default and output types differ");
  if (tl_numel(def) != 1) return tl_kfail(ctx, node, "default_value must be a scalar");
  if (shape->ndim != 1 || shape->dims[0] < 1 || shape->dims[0] > 4)
    return tl_kfail(ctx, node, "output_shape must be a vector of 1 to 4 sizes");
  const int rank = shape->dims[0];
  if (idx->ndim > 2 || (idx->ndim == 2 && idx->dims[1] != rank) || (idx->ndim < 2 && rank != 1))
    return tl_kfail(ctx, node, "indices %s do not fit an output of rank %d", tl_shape_str(idx).s, rank);
  const int64_t n = idx->ndim == 0 ? 1 : idx->dims[0];
  if (vals->ndim > 1 || tl_numel(vals) != n)
    return tl_kfail(ctx, node, "values must be [%lld], one per index; they are %s", (long long)n, tl_shape_str(vals).s);
  if (!shape->known) return tl_kdefer(ctx, node, "output_shape");
  int32_t dims[4];
  for (int d = 0; d < rank; d++) {
    const int64_t v = kc_ival(shape, d);
    if (v < 0 || v > INT32_MAX) return tl_kfail(ctx, node, "output_shape[%d] is %lld", d, (long long)v);
    dims[d] = (int32_t)v;
  }
  if ((s = tl_kset_shape(ctx, node, out, rank, dims))) return s;
  s2d_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  *p = (s2d_state){n, rank, kc_esize(vals->type)};
  node->state = p;
  node->eval = s2d_eval;
  return TL_OK;
}

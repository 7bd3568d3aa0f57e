/* SPDX-License-Identifier: Apache-2.0
 * GATHER_ND (params, indices): each row of the int32/int64 indices' last dimension (length K)
 * addresses a slice params[i0, ..., iK-1, ...]; the output is indices.shape[:-1] + params.shape[K:].
 * Any fixed-size dtype. An index out of range is a run-time error, as in TFLite. */
#include "kcommon.h"

typedef struct {
  int32_t k;
  int64_t rows;
  size_t slice; /* bytes per gathered slice */
  int64_t stride[TL_MAX_DIMS];
} gnd_state;

static tl_status gnd_eval(tl_kctx *ctx, tl_node *node) {
  const gnd_state *p = node->state;
  const tl_tensor *params = node->in[0], *idx = node->in[1];
  const uint8_t *src = params->data;
  uint8_t *out = node->out[0]->data;
  for (int64_t r = 0; r < p->rows; r++) {
    int64_t off = 0;
    for (int32_t j = 0; j < p->k; j++) {
      const int64_t v = kc_ival(idx, r * p->k + j);
      if (v < 0 || v >= params->dims[j])
        return tl_kruntime(ctx, node, "index %lld out of range for dim %d of size %d", (long long)v, (int)j, (int)params->dims[j]);
      off += v * p->stride[j];
    }
    memcpy(out + (size_t)r * p->slice, src + (size_t)off, p->slice);
  }
  return TL_OK;
}

tl_status tl_prep_gather_nd(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *params = node->in[0], *idx = node->in[1];
  tl_tensor *out = node->out[0];
  if (!kc_is_index_type(idx->type)) return tl_kfail(ctx, node, "indices must be int32 or int64");
  if (params->type != out->type) return tl_kfail(ctx, node, "params and output types differ");
  if (!kc_esize(params->type)) return tl_kunsupported(ctx, node, "type %s", tl_type_name(params->type));
  if (idx->ndim < 1 || params->ndim < 1) return tl_kfail(ctx, node, "params and indices need at least one dimension");
  const int32_t k = idx->dims[idx->ndim - 1];
  if (k < 1 || k > params->ndim) return tl_kfail(ctx, node, "index depth %d outside [1, %d]", (int)k, (int)params->ndim);
  const int ond = idx->ndim - 1 + params->ndim - k;
  if (ond > TL_MAX_DIMS) return tl_kunsupported(ctx, node, "an output of %d dims", ond);
  int32_t od[TL_MAX_DIMS];
  int n = 0;
  for (int i = 0; i < idx->ndim - 1; i++) od[n++] = idx->dims[i];
  for (int i = k; i < params->ndim; i++) od[n++] = params->dims[i];
  if ((s = tl_kset_shape(ctx, node, out, ond, od))) return s;
  gnd_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->k = k;
  p->rows = tl_numel(idx) / k;
  p->slice = (size_t)kc_prod(params->dims, k, params->ndim) * kc_esize(params->type);
  int64_t r = (int64_t)p->slice;
  for (int i = k - 1; i >= 0; i--) p->stride[i] = r, r *= params->dims[i];
  node->state = p;
  node->eval = gnd_eval;
  return TL_OK;
}

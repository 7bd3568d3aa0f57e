/* SPDX-License-Identifier: Apache-2.0
 * TRANSPOSE by a permutation tensor (int32/int64, known at prepare, entries in [0, rank) as TFLite
 * requires), up to 6-D, any fixed-size dtype: a strided gather with the input's strides permuted. */
#include "kcommon.h"

typedef struct {
  int nd;
  int32_t odims[TL_MAX_DIMS];
  int64_t istride[TL_MAX_DIMS];
  size_t esize;
} transpose_state;

static tl_status transpose_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const transpose_state *p = node->state;
  tl_ref_strided_copy(p->esize, p->nd, p->odims, p->istride, node->in[0]->data, node->out[0]->data);
  return TL_OK;
}

tl_status tl_prep_transpose(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0], *perm = node->in[1];
  tl_tensor *out = node->out[0];
  if ((s = tl_ref_check_same_type(ctx, node, in, out))) return s;
  const int rank = in->ndim;
  if (rank > 6) return tl_kunsupported(ctx, node, "rank %d > 6", rank);
  if (!kc_is_index_type(perm->type)) return tl_kfail(ctx, node, "perm must be int32");
  if (perm->ndim != 1 || perm->dims[0] != rank)
    return tl_kfail(ctx, node, "perm must be a vector of %d elements", rank);
  if (!perm->known) return tl_kdefer(ctx, node, "perm not known at prepare (dynamic shape)");
  transpose_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  int64_t stride[TL_MAX_DIMS];
  int64_t r = 1;
  for (int i = rank - 1; i >= 0; i--) stride[i] = r, r *= in->dims[i];
  int seen[TL_MAX_DIMS] = {0};
  for (int i = 0; i < rank; i++) {
    int64_t v = kc_ival(perm, i);
    if (v < 0 || v >= rank) return tl_kfail(ctx, node, "perm[%d] = %lld out of range", i, (long long)v);
    int a = (int)v;
    if (seen[a]++) return tl_kfail(ctx, node, "perm repeats axis %d", a);
    p->odims[i] = in->dims[a];
    p->istride[i] = stride[a];
  }
  p->nd = rank;
  p->esize = kc_esize(in->type);
  if ((s = tl_kset_shape(ctx, node, out, rank, p->odims))) return s;
  node->state = p;
  node->eval = transpose_eval;
  return TL_OK;
}

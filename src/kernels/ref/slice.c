/* SPDX-License-Identifier: Apache-2.0
 * SLICE: begin and size tensors (int32 or int64, known at prepare); size -1 means "to the end". Every
 * range is checked against the input (TFLite errors the same way). Any fixed-size dtype. */
#include "kcommon.h"

typedef struct {
  int nd;
  int32_t odims[TL_MAX_DIMS];
  int64_t istride[TL_MAX_DIMS];
  int64_t offset;
  size_t esize;
} slice_state;

static tl_status slice_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const slice_state *p = node->state;
  tl_ref_strided_copy(p->esize, p->nd, p->odims, p->istride,
                      (const uint8_t *)node->in[0]->data + (size_t)p->offset * p->esize, node->out[0]->data);
  return TL_OK;
}

tl_status tl_prep_slice(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 3, 3, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0], *b = node->in[1], *sz = node->in[2];
  tl_tensor *out = node->out[0];
  if ((s = tl_ref_check_same_type(ctx, node, in, out))) return s;
  const int rank = in->ndim;
  if (rank > 5) return tl_kunsupported(ctx, node, "rank %d > 5", rank);
  if (!kc_is_index_type(b->type) || b->type != sz->type) return tl_kfail(ctx, node, "begin/size must be int32 or int64");
  if (b->ndim != 1 || sz->ndim != 1 || b->dims[0] != rank || sz->dims[0] != rank)
    return tl_kfail(ctx, node, "begin and size must be vectors of %d elements", rank);
  if (!b->known || !sz->known) return tl_kunsupported(ctx, node, "begin/size not known at prepare (dynamic shape)");
  slice_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  int64_t r = 1;
  for (int i = rank - 1; i >= 0; i--) {
    int64_t bg = kc_ival(b, i), n = kc_ival(sz, i), d = in->dims[i];
    if (n == -1) n = d - bg;
    if (bg < 0 || n < 0 || bg > d || n > d - bg)
      return tl_kfail(ctx, node, "slice [%lld, +%lld) outside dim %d of size %lld", (long long)bg, (long long)n, i,
                      (long long)d);
    p->odims[i] = (int32_t)n;
    p->istride[i] = r;
    p->offset += bg * r;
    r *= d;
  }
  p->nd = rank;
  p->esize = kc_esize(in->type);
  if ((s = tl_kset_shape(ctx, node, out, rank, p->odims))) return s;
  node->state = p;
  node->eval = slice_eval;
  return TL_OK;
}

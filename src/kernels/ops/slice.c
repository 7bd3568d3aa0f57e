/* SPDX-License-Identifier: Apache-2.0
 * SLICE: begin and size tensors (int32 or int64); size -1 means "to the end". The output shape must
 * be known at prepare: size known, and begin too where a size is -1. A begin computed at run time
 * (a loop counter in a WHILE body) is read and checked at every invoke. Every range is checked
 * against the input (TFLite errors the same way). Any fixed-size dtype. */
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

/* begin known only now: the offset, each range checked against the input. */
static tl_status slice_eval_runtime_begin(tl_kctx *ctx, tl_node *node) {
  const slice_state *p = node->state;
  const tl_tensor *in = node->in[0], *b = node->in[1];
  int64_t off = 0;
  for (int i = 0; i < p->nd; i++) {
    const int64_t bg = kc_ival(b, i);
    if (bg < 0 || bg > in->dims[i] - p->odims[i])
      return tl_kruntime(ctx, node, "begin[%d] = %lld: the slice leaves dim %d of size %d", i, (long long)bg, i,
                         (int)in->dims[i]);
    off += bg * p->istride[i];
  }
  tl_ref_strided_copy(p->esize, p->nd, p->odims, p->istride, (const uint8_t *)in->data + (size_t)off * p->esize,
                      node->out[0]->data);
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
  if (!sz->known) return tl_kdefer(ctx, node, "size not known at prepare (a run-time shape)");
  for (int i = 0; i < rank && !b->known; i++)
    if (kc_ival(sz, i) == -1) return tl_kdefer(ctx, node, "size -1 with a begin known only at run time");
  slice_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  int64_t r = 1;
  for (int i = rank - 1; i >= 0; i--) {
    int64_t bg = b->known ? kc_ival(b, i) : 0, n = kc_ival(sz, i), d = in->dims[i];
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
  node->eval = b->known ? slice_eval : slice_eval_runtime_begin;
  return TL_OK;
}

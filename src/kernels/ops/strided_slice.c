/* SPDX-License-Identifier: Apache-2.0
 * STRIDED_SLICE with TFLite's semantics (kernels/strided_slice.cc and strided_slice_logic.h): masks
 * (begin, end, ellipsis, new_axis, shrink_axis), the `offset` option, negative indices and strides,
 * clamping. begin/end/strides must be known at prepare; any fixed-size dtype (a strided gather). */
#include "kcommon.h"

typedef struct {
  int nd;                        /* effective dims (input dims + new axes) */
  int32_t count[TL_MAX_DIMS];    /* iterations per effective dim (1 for shrunk and new axes) */
  int64_t istride[TL_MAX_DIMS];  /* input element step per iteration */
  int64_t offset;                /* first input element */
  size_t esize;
} sslice_state;

static tl_status sslice_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const sslice_state *p = node->state;
  tl_ref_strided_copy(p->esize, p->nd, p->count, p->istride,
                      (const uint8_t *)node->in[0]->data + (size_t)p->offset * p->esize, node->out[0]->data);
  return TL_OK;
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

/* ceil(num / den) for den != 0, any signs. */
static int64_t ceil_div(int64_t num, int64_t den) {
  int64_t q = num / den;
  if (num % den != 0 && ((num > 0) == (den > 0))) q++;
  return q;
}

tl_status tl_prep_strided_slice(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 4, 4, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0], *tb = node->in[1], *te = node->in[2], *ts = node->in[3];
  tl_tensor *out = node->out[0];
  if ((s = tl_ref_check_same_type(ctx, node, in, out))) return s;
  if (tb->type != TL_INT32 || te->type != TL_INT32 || ts->type != TL_INT32)
    return tl_kfail(ctx, node, "begin/end/strides must be int32");
  if (tb->ndim != 1 || te->ndim != 1 || ts->ndim != 1) return tl_kfail(ctx, node, "begin/end/strides must be 1-D");
  const int nb = tb->dims[0];
  if (te->dims[0] != nb || ts->dims[0] != nb) return tl_kfail(ctx, node, "begin/end/strides lengths differ");
  const int rank = in->ndim;
  if (rank > 5) return tl_kunsupported(ctx, node, "input rank %d > 5", rank);
  if (!tb->known || !te->known || !ts->known)
    return tl_kdefer(ctx, node, "begin/end/strides not known at prepare (dynamic shape)");

  const tl_fb_table *o = kc_opts(node);
  const uint32_t begin_mask = (uint32_t)tl_strided_slice_begin_mask(o), end_mask = (uint32_t)tl_strided_slice_end_mask(o);
  const uint32_t ellipsis_mask = (uint32_t)tl_strided_slice_ellipsis_mask(o), new_axis_mask = (uint32_t)tl_strided_slice_new_axis_mask(o);
  const uint32_t shrink_mask = (uint32_t)tl_strided_slice_shrink_axis_mask(o);
  const int offset = tl_strided_slice_offset(o);
  if (ellipsis_mask & (ellipsis_mask - 1)) return tl_kfail(ctx, node, "more than one ellipsis");

  /* Effective dims: the input plus one size-1 dim per new axis outside the ellipsis. */
  int num_add = 0;
  for (int i = 0; i < nb && i < 32; i++)
    if (!(ellipsis_mask >> i & 1) && (new_axis_mask >> i & 1)) num_add++;
  const int eff = rank + num_add;
  if (eff > 5) return tl_kunsupported(ctx, node, "%d dims including new axes (TFLite's limit is 5)", eff);

  /* Expand the ellipsis over the dims that begin/end/strides do not mention. */
  uint32_t eff_ellipsis = 0, eff_new = 0;
  int ellipsis_start = eff, expanded = 0;
  for (int i = 0; i < eff;) {
    if (ellipsis_mask >> i & 1) {
      ellipsis_start = i;
      int e = i + 1 + num_add + rank - nb;
      if (e > eff) e = eff;
      if (e < i + 1) e = i + 1;
      expanded = e - i - 1;
      for (; i < e; i++) eff_ellipsis |= 1u << i;
      continue;
    }
    if (new_axis_mask >> (i - expanded) & 1) eff_new |= 1u << i;
    i++;
  }

  const int32_t *bd = tb->data, *ed = te->data, *sd = ts->data;
  sslice_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  int64_t in_stride[TL_MAX_DIMS], r = 1;
  for (int i = rank - 1; i >= 0; i--) in_stride[i] = r, r *= in->dims[i];
  int32_t odims[TL_MAX_DIMS];
  int ond = 0, added_ellipsis = 0, added_axes = 0;
  for (int i = 0; i < eff; i++) {
    int64_t start = 0, stop = 0, stride = 1, size, istr;
    int bm = 0, em = 0, shrink = 0;
    if (eff_ellipsis >> i & 1) {
      added_ellipsis = i - ellipsis_start > 0 ? i - ellipsis_start : 0;
      bm = em = 1;
    } else if (eff_new >> i & 1) {
      stop = 1;
    } else if (i >= nb + expanded) {
      bm = em = 1;
    } else {
      const int oi = i - added_ellipsis;
      if (oi < 0 || oi >= nb) return tl_kfail(ctx, node, "inconsistent masks");
      start = bd[oi];
      stop = ed[oi];
      stride = sd[oi];
      bm = begin_mask >> oi & 1;
      em = end_mask >> oi & 1;
      shrink = shrink_mask >> oi & 1;
    }
    if (eff_new >> i & 1) {
      size = 1;
      istr = 0;
      added_axes++;
    } else {
      const int di = i - added_axes;
      if (di < 0 || di >= rank) return tl_kfail(ctx, node, "inconsistent masks");
      size = in->dims[di];
      istr = in_stride[di];
    }
    if (stride == 0) return tl_kfail(ctx, node, "stride value has to be non-zero");
    /* StridedSliceStartForAxis */
    if (start < 0) start += size;
    start = stride > 0 ? clamp64(start, 0, size) : clamp64(start, -1, size - 1);
    if (bm) start = stride > 0 ? 0 : size - 1;
    /* StridedSliceEndForAxis */
    int64_t count;
    if (shrink) {
      if (start < 0 || start >= size) return tl_kfail(ctx, node, "shrunk index out of range on dim %d", i);
      count = 1;
    } else {
      if (offset) stop += start;
      if (stop < 0) stop += size;
      stop = stride > 0 ? clamp64(stop, 0, size) : clamp64(stop, -1, size - 1);
      if (em) stop = stride > 0 ? size : -1;
      count = ceil_div(stop - start, stride);
      if (count < 0) count = 0;
      /* With `offset` TFLite sizes the output from the raw end value; refuse where the clamped range
       * disagrees (TFLite would write outside or leave part of the output unwritten). */
      if (offset && !(eff_ellipsis >> i & 1) && !(eff_new >> i & 1) && i < nb + expanded) {
        int64_t want = ceil_div(ed[i - added_ellipsis], stride);
        if (want < 0) want = 0;
        if (want != count) return tl_kfail(ctx, node, "offset slice out of range on dim %d", i);
      }
      odims[ond++] = (int32_t)count;
    }
    p->count[i] = (int32_t)count;
    p->istride[i] = istr * stride;
    if (count > 0) p->offset += start * istr;
  }
  p->nd = eff;
  p->esize = kc_esize(in->type);
  if ((s = tl_kset_shape(ctx, node, out, ond, odims))) return s;
  node->state = p;
  node->eval = sslice_eval;
  return TL_OK;
}

/* SPDX-License-Identifier: Apache-2.0
 * EXPAND_DIMS: inserts a size-1 dim at the axis given by the 2nd input (int32 or int64 scalar or
 * 1-element tensor, known at prepare); axis may be negative: -1 appends. A byte copy, any dtype. */
#include "kcommon.h"


tl_status tl_prep_expand_dims(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0], *ax = node->in[1];
  tl_tensor *out = node->out[0];
  if ((s = tl_ref_check_same_type(ctx, node, in, out))) return s;
  if (!kc_is_index_type(ax->type)) return tl_kfail(ctx, node, "axis must be int32 or int64");
  if (tl_numel(ax) != 1) return tl_kfail(ctx, node, "axis must have exactly one element");
  if (!ax->known) return tl_kdefer(ctx, node, "axis not known at prepare (dynamic shape)");
  if (in->ndim + 1 > TL_MAX_DIMS) return tl_kfail(ctx, node, "rank %d too large", (int)in->ndim + 1);
  int a;
  if (!kc_axis(kc_ival(ax, 0), in->ndim + 1, &a))
    return tl_kfail(ctx, node, "axis %lld out of range", (long long)kc_ival(ax, 0));
  int32_t dims[TL_MAX_DIMS];
  for (int i = 0, j = 0; i <= in->ndim; i++) dims[i] = i == a ? 1 : in->dims[j++];
  if ((s = tl_kset_shape(ctx, node, out, in->ndim + 1, dims))) return s;
  node->eval = tl_ref_copy_eval;
  return TL_OK;
}

/* SPDX-License-Identifier: Apache-2.0
 * SQUEEZE: drops size-1 dims (all of them, or those listed in SqueezeOptions.squeeze_dims, which may
 * be negative; listing a dim that is not 1 is an error, as in TFLite). A byte copy, any dtype. */
#include "kcommon.h"


tl_status tl_prep_squeeze(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  if ((s = tl_ref_check_same_type(ctx, node, in, out))) return s;
  int drop[TL_MAX_DIMS] = {0};
  tl_fb_vec v;
  int r = tl_squeeze_squeeze_dims(kc_opts(node), &v);
  if (r < 0) return tl_kfail(ctx, node, "bad squeeze_dims vector");
  if (r == 1 && v.n > 0) {
    if (v.n > TL_MAX_DIMS) return tl_kfail(ctx, node, "%u squeeze dims", v.n);
    for (uint32_t i = 0; i < v.n; i++) {
      int a;
      if (!kc_axis(tl_fb_vec_i32(&v, i), in->ndim, &a))
        return tl_kfail(ctx, node, "squeeze dim %d out of range for rank %d", (int)tl_fb_vec_i32(&v, i), (int)in->ndim);
      if (in->dims[a] != 1) return tl_kfail(ctx, node, "cannot squeeze dim %d of size %d", a, (int)in->dims[a]);
      drop[a] = 1;
    }
  } else {
    for (int a = 0; a < in->ndim; a++) drop[a] = in->dims[a] == 1;
  }
  int32_t dims[TL_MAX_DIMS];
  int nd = 0;
  for (int a = 0; a < in->ndim; a++)
    if (!drop[a]) dims[nd++] = in->dims[a];
  if ((s = tl_kset_shape(ctx, node, out, nd, dims))) return s;
  node->eval = tl_ref_copy_eval;
  return TL_OK;
}

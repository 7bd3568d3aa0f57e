/* SPDX-License-Identifier: Apache-2.0
 * RESHAPE: same bytes, new shape. The shape comes from the 2nd input when it is a 1-D int32 tensor
 * (it must then be known at prepare), otherwise from ReshapeOptions.new_shape, as TFLite does. */
#include "kcommon.h"

/* Data-movement ops (RESHAPE, SQUEEZE, EXPAND_DIMS) share this eval: a byte copy, any dtype. */
tl_status tl_ref_copy_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  if (out->bytes && out->data != in->data) memmove(out->data, in->data, out->bytes);
  return TL_OK;
}

/* Shared check of SQUEEZE/RESHAPE/EXPAND_DIMS: same dtype, same quantization, fixed-size element. */
tl_status tl_ref_check_same_type(tl_kctx *ctx, tl_node *node, const tl_tensor *in, const tl_tensor *out) {
  if (in->type != out->type)
    return tl_kfail(ctx, node, "input type %s != output type %s", tl_type_name(in->type), tl_type_name(out->type));
  if (!kc_esize(in->type)) return tl_kunsupported(ctx, node, "type %s", tl_type_name(in->type));
  return TL_OK;
}

tl_status tl_prep_reshape(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 1, 2, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0], *shp = node->n_in == 2 ? node->in[1] : NULL;
  tl_tensor *out = node->out[0];
  if ((s = tl_ref_check_same_type(ctx, node, in, out))) return s;

  int32_t dims[TL_MAX_DIMS];
  int nd = 0;
  if (shp && shp->ndim == 1 && shp->type == TL_INT32) {
    /* TFLite's ShapeIsVector: a 1-D int32 shape tensor wins over the options. */
    if (!shp->known) return tl_kdefer(ctx, node, "shape tensor not known at prepare (dynamic shape)");
    if (shp->dims[0] > TL_MAX_DIMS) return tl_kfail(ctx, node, "new shape has %d dims", (int)shp->dims[0]);
    nd = shp->dims[0];
    for (int i = 0; i < nd; i++) dims[i] = (int32_t)kc_ival(shp, i);
  } else {
    /* Fallback to ReshapeOptions.new_shape; absent options mean a scalar (0 dims). */
    tl_fb_vec v;
    int r = tl_reshape_new_shape(kc_opts(node), &v);
    if (r < 0) return tl_kfail(ctx, node, "bad new_shape vector");
    if (r == 1) {
      if (v.n > TL_MAX_DIMS) return tl_kfail(ctx, node, "new_shape has %u dims", v.n);
      nd = (int)v.n;
      for (int i = 0; i < nd; i++) dims[i] = tl_fb_vec_i32(&v, (uint32_t)i);
      /* Legacy converters wrote [0] to mean a scalar. */
      if (nd == 1 && dims[0] == 0) nd = 0;
    }
  }

  /* One -1 may be inferred; counts must match exactly. */
  int64_t n_in = tl_numel(in), known_prod = 1;
  int stretch = -1;
  for (int i = 0; i < nd; i++) {
    if (dims[i] == -1) {
      if (stretch >= 0) return tl_kfail(ctx, node, "more than one -1 in the new shape");
      stretch = i;
    } else if (dims[i] < 0) {
      return tl_kfail(ctx, node, "negative dim %d in the new shape", (int)dims[i]);
    } else {
      known_prod *= dims[i];
      if (known_prod > n_in && n_in > 0) return tl_kfail(ctx, node, "new shape has more elements than the input");
    }
  }
  if (stretch >= 0) {
    if (known_prod == 0) return tl_kfail(ctx, node, "cannot infer -1 with a zero-sized new shape");
    int64_t d = n_in / known_prod;
    if (d > INT32_MAX) return tl_kfail(ctx, node, "inferred dim too large");
    dims[stretch] = (int32_t)d;
    known_prod *= d;
  }
  if (known_prod != n_in)
    return tl_kfail(ctx, node, "new shape has %lld elements, input has %lld", (long long)known_prod, (long long)n_in);
  if ((s = tl_kset_shape(ctx, node, out, nd, dims))) return s;
  node->eval = tl_ref_copy_eval;
  return TL_OK;
}

/* SPDX-License-Identifier: Apache-2.0
 * SHAPE: writes its input's dims as int32 or int64 (ShapeOptions.out_type / the output's type).
 * It reads only the input's SHAPE, never its data: the interpreter folds it at prepare (its
 * maybe_fold special-cases SHAPE), which makes Keras' SHAPE->STRIDED_SLICE->PACK->RESHAPE chains
 * constant. */
#include "kcommon.h"

static tl_status shape_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  for (int i = 0; i < in->ndim; i++) {
    if (out->type == TL_INT64) ((int64_t *)out->data)[i] = in->dims[i];
    else ((int32_t *)out->data)[i] = in->dims[i];
  }
  return TL_OK;
}

tl_status tl_prep_shape(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  tl_tensor *out = node->out[0];
  if (!kc_is_index_type(out->type)) return tl_kfail(ctx, node, "output must be int32 or int64");
  int32_t opt = tl_fb_i8(kc_opts(node), 0, (int8_t)out->type);
  if (opt != out->type) return tl_kfail(ctx, node, "out_type %d differs from the output's type", (int)opt);
  int32_t d = node->in[0]->ndim;
  if ((s = tl_kset_shape(ctx, node, out, 1, &d))) return s;
  node->eval = shape_eval;
  return TL_OK;
}

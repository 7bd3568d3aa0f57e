/* SPDX-License-Identifier: Apache-2.0
 * SHAPE: writes its input's dims as int32 or int64 (ShapeOptions.out_type / the output's type).
 * It reads only the input's SHAPE, never its data: the interpreter folds it at prepare (its
 * maybe_fold special-cases SHAPE), which makes Keras' SHAPE->STRIDED_SLICE->PACK->RESHAPE chains
 * constant. RANK (folded the same way) and BROADCAST_ARGS live here too. */
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
  /* TFLite types the output by ShapeOptions.out_type (absent: FLOAT32, refused) */
  const int want = tl_shape_out_type(kc_opts(node));
  if (want != out->type)
    return tl_kfail(ctx, node, "out_type %s differs from the output's type %s", tl_type_name(want), tl_type_name(out->type));
  int32_t d = node->in[0]->ndim;
  if ((s = tl_kset_shape(ctx, node, out, 1, &d))) return s;
  node->eval = shape_eval;
  return TL_OK;
}

/* RANK: the input's rank as an int32 scalar (RankOptions is empty). Folded at prepare like SHAPE. */
static tl_status rank_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  *(int32_t *)node->out[0]->data = node->in[0]->ndim;
  return TL_OK;
}

tl_status tl_prep_rank(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  if (node->out[0]->type != TL_INT32) return tl_kfail(ctx, node, "output must be int32");
  if ((s = tl_kset_shape(ctx, node, node->out[0], 0, NULL))) return s;
  node->eval = rank_eval;
  return TL_OK;
}

/* BROADCAST_ARGS: the numpy broadcast of two shape vectors (int32 or int64, the output's type);
 * dims must be equal or 1. Its inputs are usually SHAPE outputs, so it folds at prepare. */
static tl_status broadcast_args_eval(tl_kctx *ctx, tl_node *node) {
  const tl_tensor *a = node->in[0], *b = node->in[1];
  tl_tensor *out = node->out[0];
  const int64_t na = tl_numel(a), nb = tl_numel(b), n = tl_numel(out);
  for (int64_t i = 0; i < n; i++) {
    const int64_t ia = i - (n - na), ib = i - (n - nb);
    const int64_t x = ia >= 0 ? kc_ival(a, ia) : 1, y = ib >= 0 ? kc_ival(b, ib) : 1;
    if (x != y && x != 1 && y != 1)
      return tl_kruntime(ctx, node, "shapes do not broadcast: dim %lld is %lld and %lld", (long long)i, (long long)x, (long long)y);
    const int64_t r = x == 1 ? y : x;
    if (out->type == TL_INT64) ((int64_t *)out->data)[i] = r;
    else ((int32_t *)out->data)[i] = (int32_t)r;
  }
  return TL_OK;
}

tl_status tl_prep_broadcast_args(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *a = node->in[0], *b = node->in[1];
  tl_tensor *out = node->out[0];
  if (!kc_is_index_type(a->type) || a->type != b->type || out->type != a->type)
    return tl_kfail(ctx, node, "shapes and output must be one of int32 or int64");
  if (a->ndim != 1 || b->ndim != 1) return tl_kfail(ctx, node, "shapes must be vectors");
  const int32_t n = a->dims[0] > b->dims[0] ? a->dims[0] : b->dims[0];
  if ((s = tl_kset_shape(ctx, node, out, 1, &n))) return s;
  node->eval = broadcast_args_eval;
  return TL_OK;
}

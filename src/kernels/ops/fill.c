/* SPDX-License-Identifier: Apache-2.0
 * FILL: an output of shape `dims` (a 1-D int32/int64 tensor, which must be known at prepare: shapes
 * computed from values at run time are not planned yet) with every element equal to the scalar
 * `value`, of any fixed-size dtype (quantized values are copied as they are, as TFLite does). */
#include "kcommon.h"

static tl_status fill_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const tl_tensor *v = node->in[1];
  tl_tensor *out = node->out[0];
  const size_t es = kc_esize(out->type);
  const int64_t n = tl_numel(out);
  uint8_t *o = out->data;
  for (int64_t i = 0; i < n; i++) memcpy(o + (size_t)i * es, v->data, es);
  return TL_OK;
}

tl_status tl_prep_fill(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *dims = node->in[0], *v = node->in[1];
  tl_tensor *out = node->out[0];
  if (!kc_is_index_type(dims->type) || dims->ndim != 1)
    return tl_kfail(ctx, node, "dims must be a 1-D int32 or int64 tensor");
  if (tl_numel(v) != 1) return tl_kfail(ctx, node, "value must be a scalar, it has %lld elements", (long long)tl_numel(v));
  if (v->type != out->type)
    return tl_kfail(ctx, node, "value is %s but output is %s", tl_type_name(v->type), tl_type_name(out->type));
  if (!kc_esize(v->type)) return tl_kunsupported(ctx, node, "type %s", tl_type_name(v->type));
  if (!dims->known) return tl_kdefer(ctx, node, "dims not known at prepare (a run-time shape)");
  const int64_t nd = tl_numel(dims);
  if (nd > TL_MAX_DIMS) return tl_kfail(ctx, node, "%lld dims, at most %d", (long long)nd, TL_MAX_DIMS);
  int32_t d[TL_MAX_DIMS];
  for (int64_t i = 0; i < nd; i++) {
    const int64_t x = kc_ival(dims, i);
    if (x < 0 || x > INT32_MAX) return tl_kfail(ctx, node, "dims[%lld] = %lld", (long long)i, (long long)x);
    d[i] = (int32_t)x;
  }
  if ((s = tl_kset_shape(ctx, node, out, (int)nd, d))) return s;
  node->eval = fill_eval;
  return TL_OK;
}

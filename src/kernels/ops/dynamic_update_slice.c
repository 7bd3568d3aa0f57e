/* SPDX-License-Identifier: Apache-2.0
 * DYNAMIC_UPDATE_SLICE(operand, update, start_indices): the operand with `update` written at
 * start_indices, each start clamped to [0, dim - update dim] as XLA and TFLite do (so it never writes
 * outside). int32 start indices, known at prepare or at run time. Any fixed-size dtype. */
#include "kcommon.h"

static tl_status dus_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const tl_tensor *op = node->in[0], *up = node->in[1], *st = node->in[2];
  tl_tensor *out = node->out[0];
  const size_t es = kc_esize(op->type);
  const int nd = op->ndim;
  if (out->data != op->data) memcpy(out->data, op->data, op->bytes);
  int64_t start[TL_MAX_DIMS], ostride[TL_MAX_DIMS], r = 1;
  for (int i = nd - 1; i >= 0; i--) {
    int64_t v = ((const int32_t *)st->data)[i];
    const int64_t hi = (int64_t)op->dims[i] - up->dims[i];
    start[i] = v < 0 ? 0 : v > hi ? hi : v;
    ostride[i] = r, r *= op->dims[i];
  }
  const int64_t n = tl_numel(up);
  int64_t idx[TL_MAX_DIMS] = {0};
  for (int64_t k = 0; k < n; k++) {
    int64_t off = 0;
    for (int i = 0; i < nd; i++) off += (start[i] + idx[i]) * ostride[i];
    memcpy((uint8_t *)out->data + (size_t)off * es, (const uint8_t *)up->data + (size_t)k * es, es);
    for (int i = nd - 1; i >= 0; i--) {
      if (++idx[i] < up->dims[i]) break;
      idx[i] = 0;
    }
  }
  return TL_OK;
}

tl_status tl_prep_dynamic_update_slice(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 3, 3, 1);
  if (s) return s;
  const tl_tensor *op = node->in[0], *up = node->in[1], *st = node->in[2];
  if ((s = tl_ref_check_same_type(ctx, node, op, node->out[0]))) return s;
  if (up->type != op->type) return tl_kfail(ctx, node, "update type differs from the operand's");
  if (!kc_esize(op->type)) return tl_kunsupported(ctx, node, "type %s", tl_type_name(op->type));
  if (up->ndim != op->ndim) return tl_kfail(ctx, node, "update rank %d, operand rank %d", (int)up->ndim, (int)op->ndim);
  for (int i = 0; i < op->ndim; i++)
    if (up->dims[i] > op->dims[i]) return tl_kfail(ctx, node, "update dim %d (%d) exceeds the operand's (%d)", i, (int)up->dims[i], (int)op->dims[i]);
  if (st->type != TL_INT32 || st->ndim != 1 || st->dims[0] != op->ndim)
    return tl_kfail(ctx, node, "start_indices must be an int32 vector of %d", (int)op->ndim);
  if ((s = tl_kset_shape(ctx, node, node->out[0], op->ndim, op->dims))) return s;
  node->eval = dus_eval;
  return TL_OK;
}

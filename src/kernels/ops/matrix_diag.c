/* SPDX-License-Identifier: Apache-2.0
 * MATRIX_DIAG ([..., N] -> [..., N, N] with the vector on the diagonal, zeros elsewhere) and
 * MATRIX_SET_DIAG (a [..., M, N] batch of matrices with its main diagonal replaced by a [...,
 * min(M, N)] input). Any fixed-size dtype (zero is all-zero bytes). */
#include "kcommon.h"

static tl_status diag_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const tl_tensor *in = node->in[0];
  const size_t es = kc_esize(in->type);
  const int64_t n = in->dims[in->ndim - 1], batches = n ? tl_numel(in) / n : 0;
  uint8_t *o = node->out[0]->data;
  memset(o, 0, node->out[0]->bytes);
  for (int64_t b = 0; b < batches; b++)
    for (int64_t i = 0; i < n; i++)
      memcpy(o + (size_t)((b * n + i) * n + i) * es, (const uint8_t *)in->data + (size_t)(b * n + i) * es, es);
  return TL_OK;
}

tl_status tl_prep_matrix_diag(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  if ((s = tl_ref_check_same_type(ctx, node, in, node->out[0]))) return s;
  if (!kc_esize(in->type)) return tl_kunsupported(ctx, node, "type %s", tl_type_name(in->type));
  if (in->ndim < 1 || in->ndim + 1 > TL_MAX_DIMS) return tl_kfail(ctx, node, "input rank %d", (int)in->ndim);
  int32_t od[TL_MAX_DIMS];
  for (int i = 0; i < in->ndim; i++) od[i] = in->dims[i];
  od[in->ndim] = in->dims[in->ndim - 1];
  if ((s = tl_kset_shape(ctx, node, node->out[0], in->ndim + 1, od))) return s;
  node->eval = diag_eval;
  return TL_OK;
}

static tl_status set_diag_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const tl_tensor *in = node->in[0], *d = node->in[1];
  const size_t es = kc_esize(in->type);
  const int64_t m = in->dims[in->ndim - 2], n = in->dims[in->ndim - 1], k = m < n ? m : n;
  const int64_t batches = m > 0 && n > 0 ? tl_numel(in) / (m * n) : 0;
  uint8_t *o = node->out[0]->data;
  if (o != in->data) memcpy(o, in->data, in->bytes);
  for (int64_t b = 0; b < batches; b++)
    for (int64_t i = 0; i < k; i++)
      memcpy(o + (size_t)(b * m * n + i * n + i) * es, (const uint8_t *)d->data + (size_t)(b * k + i) * es, es);
  return TL_OK;
}

tl_status tl_prep_matrix_set_diag(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0], *d = node->in[1];
  if ((s = tl_ref_check_same_type(ctx, node, in, node->out[0]))) return s;
  if (d->type != in->type) return tl_kfail(ctx, node, "diagonal type differs from the input's");
  if (!kc_esize(in->type)) return tl_kunsupported(ctx, node, "type %s", tl_type_name(in->type));
  if (in->ndim < 2 || d->ndim != in->ndim - 1) return tl_kfail(ctx, node, "input must be [..., M, N] and diagonal [..., min(M, N)]");
  const int32_t m = in->dims[in->ndim - 2], n = in->dims[in->ndim - 1];
  int ok = d->dims[d->ndim - 1] == (m < n ? m : n);
  for (int i = 0; ok && i < in->ndim - 2; i++) ok = d->dims[i] == in->dims[i];
  if (!ok) return tl_kfail(ctx, node, "diagonal shape does not match the input's");
  if ((s = tl_kset_shape(ctx, node, node->out[0], in->ndim, in->dims))) return s;
  node->eval = set_diag_eval;
  return TL_OK;
}

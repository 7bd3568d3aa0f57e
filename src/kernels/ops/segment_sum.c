/* SPDX-License-Identifier: Apache-2.0
 * SEGMENT_SUM(data, segment_ids): out[s] = sum of the data rows (along dim 0) whose id is s, for s up
 * to the largest id; ids must be sorted, non-negative, one per row (TFLite's checks). float32 and
 * int32. The output's first dim is the largest id + 1: known at prepare for constant ids, else the
 * node is shaped at invoke. */
#include "kcommon.h"

static tl_status check_ids(tl_kctx *ctx, tl_node *node, const tl_tensor *ids, int32_t *segments) {
  const int32_t *v = ids->data;
  int32_t prev = 0;
  for (int64_t i = 0; i < tl_numel(ids); i++) {
    if (v[i] < 0 || (i > 0 && v[i] != prev && v[i] != prev + 1))
      return tl_kruntime(ctx, node, "segment ids must start non-negative and rise by 0 or 1 (id %d at %lld)", (int)v[i], (long long)i);
    prev = v[i];
  }
  *segments = tl_numel(ids) ? prev + 1 : 0;
  return TL_OK;
}

static tl_status segment_sum_eval(tl_kctx *ctx, tl_node *node) {
  const tl_tensor *data = node->in[0], *ids = node->in[1];
  int32_t segs;
  tl_status s = check_ids(ctx, node, ids, &segs);
  if (s) return s;
  const int64_t rows = data->dims[0], row = rows ? tl_numel(data) / rows : 0;
  memset(node->out[0]->data, 0, node->out[0]->bytes);
  for (int64_t r = 0; r < rows; r++) {
    const int64_t seg = ((const int32_t *)ids->data)[r];
    if (data->type == TL_FLOAT32) {
      float *o = (float *)node->out[0]->data + seg * row;
      const float *x = (const float *)data->data + r * row;
      for (int64_t j = 0; j < row; j++) o[j] += x[j];
    } else {
      int32_t *o = (int32_t *)node->out[0]->data + seg * row;
      const int32_t *x = (const int32_t *)data->data + r * row;
      for (int64_t j = 0; j < row; j++) o[j] = (int32_t)((uint32_t)o[j] + (uint32_t)x[j]);
    }
  }
  return TL_OK;
}

tl_status tl_prep_segment_sum(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *data = node->in[0], *ids = node->in[1];
  if ((s = tl_ref_check_same_type(ctx, node, data, node->out[0]))) return s;
  if (data->type != TL_FLOAT32 && data->type != TL_INT32) return tl_kunsupported(ctx, node, "type %s", tl_type_name(data->type));
  if (ids->type != TL_INT32 || ids->ndim != 1 || data->ndim < 1 || ids->dims[0] != data->dims[0])
    return tl_kfail(ctx, node, "segment ids must be an int32 vector, one per row of the data");
  if (!ids->known) return tl_kdefer(ctx, node, "segment ids not known at prepare");
  int32_t od[TL_MAX_DIMS];
  if ((s = check_ids(ctx, node, ids, &od[0]))) return s == TL_ERR_RUNTIME ? TL_ERR_MODEL : s;
  for (int i = 1; i < data->ndim; i++) od[i] = data->dims[i];
  if ((s = tl_kset_shape(ctx, node, node->out[0], data->ndim, od))) return s;
  node->eval = segment_sum_eval;
  return TL_OK;
}

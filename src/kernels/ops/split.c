/* SPDX-License-Identifier: Apache-2.0
 * SPLIT (inputs: axis, value; num_splits equal parts) and SPLIT_V (inputs: value, size_splits, axis;
 * one size may be -1, the rest of the axis): byte copies of consecutive slices along the axis, for
 * any fixed-size dtype. The axis and sizes must be known at prepare, as TFLite needs them to size
 * the outputs. SplitOptions / SplitVOptions: num_splits (0). */
#include "kcommon.h"

typedef struct {
  int64_t outer;  /* product of the dims before the axis */
  size_t inner;   /* bytes of one step along the axis */
  size_t in_row;  /* bytes of one outer row of the input */
} split_state;

static tl_status split_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const split_state *p = node->state;
  const tl_tensor *in = node->in[node->op == TL_BUILTIN_SPLIT ? 1 : 0];
  const uint8_t *src = in->data;
  size_t off = 0;
  for (int k = 0; k < node->n_out; k++) {
    tl_tensor *t = node->out[k];
    const size_t chunk = p->outer ? t->bytes / (size_t)p->outer : 0;
    uint8_t *dst = t->data;
    for (int64_t o = 0; o < p->outer && chunk; o++) memcpy(dst + (size_t)o * chunk, src + (size_t)o * p->in_row + off, chunk);
    off += chunk;
  }
  return TL_OK;
}

/* Common part: input `in`, the axis, and the sizes along it of the n outputs. */
static tl_status finish(tl_kctx *ctx, tl_node *node, const tl_tensor *in, int axis, const int64_t *sizes) {
  tl_status s;
  if (!kc_esize(in->type)) return tl_kunsupported(ctx, node, "type %s", tl_type_name(in->type));
  for (int k = 0; k < node->n_out; k++) {
    tl_tensor *t = node->out[k];
    if (t->type != in->type) return tl_kfail(ctx, node, "output %d is %s, the input %s", k, tl_type_name(t->type), tl_type_name(in->type));
    int32_t d[TL_MAX_DIMS];
    memcpy(d, in->dims, sizeof(int32_t) * (size_t)in->ndim);
    d[axis] = (int32_t)sizes[k];
    if ((s = tl_kset_shape(ctx, node, t, in->ndim, d))) return s;
  }
  split_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->outer = kc_prod(in->dims, 0, axis);
  p->inner = (size_t)kc_prod(in->dims, axis + 1, in->ndim) * kc_esize(in->type);
  p->in_row = p->inner * (size_t)in->dims[axis];
  node->state = p;
  node->eval = split_eval;
  return TL_OK;
}

static tl_status read_axis(tl_kctx *ctx, tl_node *node, const tl_tensor *ax, const tl_tensor *in, int *axis) {
  if (!kc_is_index_type(ax->type) || tl_numel(ax) != 1) return tl_kfail(ctx, node, "axis must be one int32 value");
  if (!ax->known) return tl_kdefer(ctx, node, "axis not known at prepare");
  const int64_t a = kc_ival(ax, 0);
  if (in->ndim < 1 || !kc_axis(a, in->ndim, axis))
    return tl_kfail(ctx, node, "axis %lld out of range for rank %d", (long long)a, (int)in->ndim);
  return TL_OK;
}

tl_status tl_prep_split(tl_kctx *ctx, tl_node *node) {
  if (node->n_out < 1) return tl_kfail(ctx, node, "needs at least one output");
  tl_status s = kc_io(ctx, node, 2, 2, node->n_out);
  if (s) return s;
  const tl_tensor *in = node->in[1];
  int axis;
  if ((s = read_axis(ctx, node, node->in[0], in, &axis))) return s;
  const int32_t num = tl_split_num_splits(kc_opts(node)) ? tl_split_num_splits(kc_opts(node)) : node->n_out;
  if (num != node->n_out) return tl_kfail(ctx, node, "num_splits %d but %d outputs", (int)num, (int)node->n_out);
  if (in->dims[axis] % num) return tl_kfail(ctx, node, "axis size %d is not divisible by %d", (int)in->dims[axis], (int)num);
  int64_t sizes[256];
  if (num > 256) return tl_kunsupported(ctx, node, "%d splits", (int)num);
  for (int k = 0; k < num; k++) sizes[k] = in->dims[axis] / num;
  return finish(ctx, node, in, axis, sizes);
}

tl_status tl_prep_split_v(tl_kctx *ctx, tl_node *node) {
  if (node->n_out < 1) return tl_kfail(ctx, node, "needs at least one output");
  tl_status s = kc_io(ctx, node, 3, 3, node->n_out);
  if (s) return s;
  const tl_tensor *in = node->in[0], *sz = node->in[1];
  int axis;
  if ((s = read_axis(ctx, node, node->in[2], in, &axis))) return s;
  if (!kc_is_index_type(sz->type) || sz->ndim != 1 || tl_numel(sz) != node->n_out)
    return tl_kfail(ctx, node, "size_splits must be a 1-D int32/int64 tensor of %d values", (int)node->n_out);
  if (!sz->known) return tl_kdefer(ctx, node, "size_splits not known at prepare");
  if (node->n_out > 256) return tl_kunsupported(ctx, node, "%d splits", (int)node->n_out);
  int64_t sizes[256], total = 0;
  int minus = -1;
  for (int k = 0; k < node->n_out; k++) {
    sizes[k] = kc_ival(sz, k);
    if (sizes[k] == -1 && minus < 0) minus = k;
    else if (sizes[k] < 0) return tl_kfail(ctx, node, "size_splits[%d] = %lld", k, (long long)sizes[k]);
    else total += sizes[k];
  }
  if (minus >= 0) {
    if (total > in->dims[axis]) return tl_kfail(ctx, node, "size_splits exceed the axis size %d", (int)in->dims[axis]);
    sizes[minus] = in->dims[axis] - total;
  } else if (total != in->dims[axis]) {
    return tl_kfail(ctx, node, "size_splits add up to %lld, the axis has %d", (long long)total, (int)in->dims[axis]);
  }
  return finish(ctx, node, in, axis, sizes);
}

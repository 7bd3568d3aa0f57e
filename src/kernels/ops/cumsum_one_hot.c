/* SPDX-License-Identifier: Apache-2.0
 * CUMSUM (input, axis: an int32 scalar known at prepare; CumsumOptions exclusive (0), reverse (1)):
 * running sums along the axis in element order, for float32, int32 and int64. ONE_HOT (indices,
 * depth, on_value, off_value; OneHotOptions axis (0), -1 = last): on where the index equals the
 * position along the new axis, off elsewhere (an index outside [0, depth) gives only off), for
 * indices int32/int64 and values of any fixed-size dtype. */
#include "kcommon.h"

typedef struct {
  int64_t outer, n, inner;
  int exclusive, reverse;
} cumsum_state;

#define CUMSUM_EVAL(name, T, UT)                                                                        \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                                                 \
    (void)ctx;                                                                                         \
    const cumsum_state *p = node->state;                                                               \
    const T *x = node->in[0]->data;                                                                    \
    T *o = node->out[0]->data;                                                                         \
    for (int64_t a = 0; a < p->outer; a++)                                                             \
      for (int64_t b = 0; b < p->inner; b++) {                                                         \
        T acc = 0;                                                                                     \
        for (int64_t k = 0; k < p->n; k++) {                                                           \
          const int64_t j = p->reverse ? p->n - 1 - k : k;                                             \
          const size_t at = (size_t)((a * p->n + j) * p->inner + b);                                   \
          const T v = x[at];                                                                           \
          if (p->exclusive) o[at] = acc;                                                               \
          acc = (T)((UT)acc + (UT)v); /* integers wrap, as TFLite's on every target */                  \
          if (!p->exclusive) o[at] = acc;                                                              \
        }                                                                                              \
      }                                                                                                \
    return TL_OK;                                                                                      \
  }
CUMSUM_EVAL(cumsum_f32, float, float)
CUMSUM_EVAL(cumsum_i32, int32_t, uint32_t)
CUMSUM_EVAL(cumsum_i64, int64_t, uint64_t)

tl_status tl_prep_cumsum(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0], *ax = node->in[1];
  tl_tensor *out = node->out[0];
  if (in->type != out->type) return tl_kfail(ctx, node, "input and output types differ");
  if (ax->type != TL_INT32 || tl_numel(ax) != 1) return tl_kfail(ctx, node, "axis must be one int32 value");
  if (!ax->known) return tl_kdefer(ctx, node, "axis not known at prepare");
  int axis;
  if (in->ndim < 1 || !kc_axis(kc_ival(ax, 0), in->ndim, &axis))
    return tl_kfail(ctx, node, "axis %lld out of range for rank %d", (long long)kc_ival(ax, 0), (int)in->ndim);
  if ((s = tl_kset_shape(ctx, node, out, in->ndim, in->dims))) return s;
  cumsum_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  const tl_fb_table *o = kc_opts(node);
  p->exclusive = tl_cumsum_exclusive(o), p->reverse = tl_cumsum_reverse(o);
  p->outer = kc_prod(in->dims, 0, axis), p->n = in->dims[axis], p->inner = kc_prod(in->dims, axis + 1, in->ndim);
  node->state = p;
  switch (in->type) {
    case TL_FLOAT32: node->eval = cumsum_f32; return TL_OK;
    case TL_INT32: node->eval = cumsum_i32; return TL_OK;
    case TL_INT64: node->eval = cumsum_i64; return TL_OK;
    default: return tl_kunsupported(ctx, node, "type %s (version %d)", tl_type_name(in->type), (int)node->version);
  }
}

typedef struct {
  int64_t outer, depth, inner;
  size_t es;
} one_hot_state;

static tl_status one_hot_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const one_hot_state *p = node->state;
  const tl_tensor *idx = node->in[0];
  const uint8_t *on = node->in[2]->data, *off = node->in[3]->data;
  uint8_t *o = node->out[0]->data;
  for (int64_t a = 0; a < p->outer; a++)
    for (int64_t d = 0; d < p->depth; d++)
      for (int64_t b = 0; b < p->inner; b++) {
        const int64_t v = kc_ival(idx, a * p->inner + b);
        memcpy(o + (size_t)((a * p->depth + d) * p->inner + b) * p->es, v == d ? on : off, p->es);
      }
  return TL_OK;
}

tl_status tl_prep_one_hot(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 4, 4, 1);
  if (s) return s;
  const tl_tensor *idx = node->in[0], *depth = node->in[1], *on = node->in[2], *off = node->in[3];
  tl_tensor *out = node->out[0];
  if (!kc_is_index_type(idx->type)) return tl_kfail(ctx, node, "indices must be int32 or int64");
  if (depth->type != TL_INT32 || tl_numel(depth) != 1) return tl_kfail(ctx, node, "depth must be one int32 value");
  if (!depth->known) return tl_kdefer(ctx, node, "depth not known at prepare (a run-time shape)");
  if (on->type != out->type || off->type != out->type || tl_numel(on) != 1 || tl_numel(off) != 1)
    return tl_kfail(ctx, node, "on_value and off_value must be scalars of the output's type");
  if (!kc_esize(out->type)) return tl_kunsupported(ctx, node, "type %s", tl_type_name(out->type));
  const int64_t dv = kc_ival(depth, 0);
  if (dv < 0 || dv > INT32_MAX) return tl_kfail(ctx, node, "depth %lld", (long long)dv);
  if (idx->ndim + 1 > TL_MAX_DIMS) return tl_kunsupported(ctx, node, "an output of %d dims", (int)idx->ndim + 1);
  int32_t axis = tl_one_hot_axis(kc_opts(node));
  if (axis == -1) axis = idx->ndim;
  if (axis < 0 || axis > idx->ndim) return tl_kfail(ctx, node, "axis %d out of range for %d-D indices", (int)axis, (int)idx->ndim);
  int32_t d[TL_MAX_DIMS];
  for (int i = 0, j = 0; i <= idx->ndim; i++) d[i] = i == axis ? (int32_t)dv : idx->dims[j++];
  if ((s = tl_kset_shape(ctx, node, out, idx->ndim + 1, d))) return s;
  one_hot_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->outer = kc_prod(idx->dims, 0, axis), p->depth = dv, p->inner = kc_prod(idx->dims, axis, idx->ndim);
  p->es = kc_esize(out->type);
  node->state = p;
  node->eval = one_hot_eval;
  return TL_OK;
}

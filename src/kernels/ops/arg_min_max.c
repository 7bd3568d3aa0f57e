/* SPDX-License-Identifier: Apache-2.0
 * ARG_MAX and ARG_MIN along one axis (inputs: value, axis as an int32/int64 scalar known at prepare),
 * the first index on ties, as TFLite: float32, int8, uint8, int32 and bool inputs (quantized values
 * are compared raw), an int32 or int64 output (ArgMaxOptions / ArgMinOptions output_type (0)). */
#include "kcommon.h"

typedef struct {
  int64_t outer, axis_n, inner;
  int is_max;
} arg_state;

#define ARG_EVAL(name, T)                                                                          \
  static void name(const arg_state *p, const void *in_, void *out_, int out64) {                   \
    const T *in = in_;                                                                             \
    for (int64_t o = 0; o < p->outer; o++)                                                         \
      for (int64_t i = 0; i < p->inner; i++) {                                                     \
        const T *x = in + (size_t)o * (size_t)(p->axis_n * p->inner) + (size_t)i;                  \
        int64_t best = 0;                                                                          \
        for (int64_t k = 1; k < p->axis_n; k++) {                                                  \
          const T v = x[(size_t)k * (size_t)p->inner], b = x[(size_t)best * (size_t)p->inner];     \
          if (p->is_max ? v > b : v < b) best = k;                                                 \
        }                                                                                          \
        const size_t at = (size_t)o * (size_t)p->inner + (size_t)i;                                \
        if (out64) ((int64_t *)out_)[at] = best;                                                   \
        else ((int32_t *)out_)[at] = (int32_t)best;                                                \
      }                                                                                            \
  }
ARG_EVAL(arg_f32, float)
ARG_EVAL(arg_s8, int8_t)
ARG_EVAL(arg_u8, uint8_t)
ARG_EVAL(arg_s32, int32_t)

static tl_status arg_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const arg_state *p = node->state;
  const tl_tensor *in = node->in[0];
  const int out64 = node->out[0]->type == TL_INT64;
  switch (in->type) {
    case TL_FLOAT32: arg_f32(p, in->data, node->out[0]->data, out64); break;
    case TL_INT8: arg_s8(p, in->data, node->out[0]->data, out64); break;
    case TL_INT32: arg_s32(p, in->data, node->out[0]->data, out64); break;
    default: arg_u8(p, in->data, node->out[0]->data, out64); break; /* uint8, bool */
  }
  return TL_OK;
}

static tl_status prep(tl_kctx *ctx, tl_node *node, int is_max) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0], *ax = node->in[1];
  tl_tensor *out = node->out[0];
  if (in->type != TL_FLOAT32 && in->type != TL_INT8 && in->type != TL_UINT8 && in->type != TL_INT32 && in->type != TL_BOOL)
    return tl_kunsupported(ctx, node, "type %s (version %d)", tl_type_name(in->type), (int)node->version);
  if (out->type != TL_INT32 && out->type != TL_INT64)
    return tl_kfail(ctx, node, "output is %s, not INT32 or INT64", tl_type_name(out->type));
  if (!kc_is_index_type(ax->type) || tl_numel(ax) != 1) return tl_kfail(ctx, node, "axis must be one int32/int64 value");
  if (!ax->known) return tl_kdefer(ctx, node, "axis not known at prepare");
  int axis;
  if (in->ndim < 1 || !kc_axis(kc_ival(ax, 0), in->ndim, &axis))
    return tl_kfail(ctx, node, "axis %lld out of range for rank %d", (long long)kc_ival(ax, 0), (int)in->ndim);
  if (in->dims[axis] < 1) return tl_kfail(ctx, node, "the axis has no elements");
  int32_t d[TL_MAX_DIMS];
  for (int i = 0, j = 0; i < in->ndim; i++)
    if (i != axis) d[j++] = in->dims[i];
  if ((s = tl_kset_shape(ctx, node, out, in->ndim - 1, d))) return s;
  arg_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->outer = kc_prod(in->dims, 0, axis);
  p->axis_n = in->dims[axis];
  p->inner = kc_prod(in->dims, axis + 1, in->ndim);
  p->is_max = is_max;
  node->state = p;
  node->eval = arg_eval;
  return TL_OK;
}

tl_status tl_prep_arg_max(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 1); }
tl_status tl_prep_arg_min(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 0); }

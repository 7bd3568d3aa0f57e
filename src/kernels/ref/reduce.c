/* SPDX-License-Identifier: Apache-2.0
 * MEAN, SUM and REDUCE_MAX over the axes in the 2nd input (int32/int64, known at prepare; negative and
 * repeated axes allowed), ReducerOptions.keep_dims. Float accumulates in input order into the output,
 * like TFLite's reference reduction, then MEAN divides by the float count. Integer MEAN/SUM
 * (mean_eval_s8 ...) go next to the float evals and can reuse reduce_state. */
#include <float.h>

#include "kcommon.h"

typedef struct {
  int nd;
  int32_t dims[TL_MAX_DIMS];
  int64_t ostride[TL_MAX_DIMS]; /* output stride of each input dim, 0 where reduced */
  int64_t count;                /* input elements per output element */
  int32_t q[8];                 /* room for the integer kernels' parameters */
} reduce_state;

/* Visits every input element in order; fn(out_index, in_index). */
#define REDUCE_WALK(p, BODY)                                                  \
  do {                                                                        \
    const int nd_ = (p)->nd;                                                  \
    int64_t idx_[TL_MAX_DIMS] = {0}, oo = 0, ii = 0;                          \
    int empty_ = 0;                                                           \
    for (int k_ = 0; k_ < nd_; k_++) empty_ |= (p)->dims[k_] <= 0;            \
    if (!empty_)                                                              \
      for (;;) {                                                              \
        BODY;                                                                 \
        ii++;                                                                 \
        int k_ = nd_ - 1;                                                     \
        for (; k_ >= 0; k_--) {                                               \
          oo += (p)->ostride[k_];                                             \
          if (++idx_[k_] < (p)->dims[k_]) break;                              \
          oo -= (p)->ostride[k_] * (p)->dims[k_];                             \
          idx_[k_] = 0;                                                       \
        }                                                                     \
        if (k_ < 0) break;                                                    \
      }                                                                       \
  } while (0)

static tl_status sum_eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const reduce_state *p = node->state;
  const float *in = node->in[0]->data;
  float *out = node->out[0]->data;
  const int64_t n = tl_numel(node->out[0]);
  for (int64_t i = 0; i < n; i++) out[i] = 0.f;
  REDUCE_WALK(p, out[oo] += in[ii]);
  return TL_OK;
}

static tl_status mean_eval_f32(tl_kctx *ctx, tl_node *node) {
  sum_eval_f32(ctx, node);
  const reduce_state *p = node->state;
  float *out = node->out[0]->data;
  const int64_t n = tl_numel(node->out[0]);
  const float cnt = (float)p->count;
  for (int64_t i = 0; i < n; i++) out[i] = out[i] / cnt;
  return TL_OK;
}

static tl_status max_eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const reduce_state *p = node->state;
  const float *in = node->in[0]->data;
  float *out = node->out[0]->data;
  const int64_t n = tl_numel(node->out[0]);
  for (int64_t i = 0; i < n; i++) out[i] = -FLT_MAX;
  REDUCE_WALK(p, out[oo] = in[ii] > out[oo] ? in[ii] : out[oo]);
  return TL_OK;
}

/* mean_eval_s8 / sum_eval_s8 / max_eval_s8: integer kernels go here. */

static tl_status prep(tl_kctx *ctx, tl_node *node, int op) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0], *ax = node->in[1];
  tl_tensor *out = node->out[0];
  if (in->type != out->type) return tl_kfail(ctx, node, "input and output types differ");
  if (!kc_is_index_type(ax->type)) return tl_kfail(ctx, node, "axes must be int32 or int64");
  if (ax->ndim > 1) return tl_kfail(ctx, node, "axes must be a scalar or a vector");
  if (!ax->known) return tl_kunsupported(ctx, node, "axes not known at prepare (dynamic shape)");
  const int rank = in->ndim;
  int red[TL_MAX_DIMS] = {0};
  const int64_t na = tl_numel(ax);
  for (int64_t i = 0; i < na; i++) {
    int a;
    if (!kc_axis(kc_ival(ax, i), rank, &a))
      return tl_kfail(ctx, node, "axis %lld out of range for rank %d", (long long)kc_ival(ax, i), rank);
    red[a] = 1;
  }
  const int keep = tl_fb_u8(kc_opts(node), TL_SCH_OPT_REDUCER_KEEP_DIMS, 0) != 0;
  reduce_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  int32_t od[TL_MAX_DIMS];
  int ond = 0;
  p->count = 1;
  for (int i = 0; i < rank; i++) {
    if (red[i]) {
      p->count *= in->dims[i];
      if (keep) od[ond++] = 1;
    } else {
      od[ond++] = in->dims[i];
    }
  }
  if ((s = tl_kset_shape(ctx, node, out, ond, od))) return s;
  int64_t r = 1;
  for (int i = rank - 1; i >= 0; i--) {
    p->dims[i] = in->dims[i];
    p->ostride[i] = red[i] ? 0 : r;
    if (!red[i]) r *= in->dims[i];
  }
  p->nd = rank;
  node->state = p;
  if (in->type != TL_FLOAT32) return tl_kunsupported(ctx, node, "type %s", tl_type_name(in->type));
  node->eval = op == 0 ? mean_eval_f32 : op == 1 ? sum_eval_f32 : max_eval_f32;
  return TL_OK;
}

tl_status tl_prep_mean(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 0); }
tl_status tl_prep_sum(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 1); }
tl_status tl_prep_reduce_max(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 2); }

/* SPDX-License-Identifier: Apache-2.0
 * RELU, RELU6 and RELU_N1_TO_1 as float clamps (NaN passes through, as with TFLite's min/max).
 * Integer kernels (relu_eval_s8 ...) go next to relu_eval_f32 and can reuse relu_state. */
#include "kcommon.h"

typedef struct {
  float lo, hi;
  int32_t q[8]; /* room for the integer kernels' parameters */
} relu_state;

static tl_status relu_eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const relu_state *p = node->state;
  const float *restrict in = node->in[0]->data;
  float *restrict out = node->out[0]->data;
  const float lo = p->lo, hi = p->hi;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) {
    const float v = in[i];
    out[i] = v < lo ? lo : (v > hi ? hi : v);
  }
  return TL_OK;
}

/* relu_eval_s8: integer kernels go here. */

static tl_status prep(tl_kctx *ctx, tl_node *node, int act) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  if (in->type != out->type) return tl_kfail(ctx, node, "input and output types differ");
  if ((s = tl_kset_shape(ctx, node, out, in->ndim, in->dims))) return s;
  relu_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  tl_act_range_f32(act, &p->lo, &p->hi);
  node->state = p;
  switch (in->type) {
    case TL_FLOAT32: node->eval = relu_eval_f32; return TL_OK;
    default: return tl_kunsupported(ctx, node, "type %s", tl_type_name(in->type));
  }
}

tl_status tl_prep_relu(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, TL_ACT_RELU); }
tl_status tl_prep_relu6(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, TL_ACT_RELU6); }
tl_status tl_prep_relu_n1_to_1(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, TL_ACT_RELU_N1_TO_1); }

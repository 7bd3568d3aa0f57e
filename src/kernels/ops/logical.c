/* SPDX-License-Identifier: Apache-2.0
 * LOGICAL_AND and LOGICAL_OR on BOOL tensors with numpy broadcasting, LOGICAL_NOT element-wise, as
 * TFLite (any non-zero byte counts as true; results are 0 or 1). */
#include "kcommon.h"

typedef struct {
  tl_bcast bc;
  int is_or;
} logic_state;

static void row(int64_t n, const void *a_, int64_t sa, const void *b_, int64_t sb, void *o_, const void *p_) {
  const uint8_t *a = a_, *b = b_;
  uint8_t *o = o_;
  const int is_or = ((const logic_state *)p_)->is_or;
  for (int64_t i = 0; i < n; i++) o[i] = (uint8_t)(is_or ? (a[i * sa] || b[i * sb]) : (a[i * sa] && b[i * sb]));
}

static tl_status binary_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const logic_state *p = node->state;
  tl_ref_bcast_run(&p->bc, 1, 1, node->in[0]->data, node->in[1]->data, node->out[0]->data, row, p);
  return TL_OK;
}

static tl_status prep_binary(tl_kctx *ctx, tl_node *node, int is_or) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *a = node->in[0], *b = node->in[1];
  tl_tensor *out = node->out[0];
  if (a->type != TL_BOOL || b->type != TL_BOOL || out->type != TL_BOOL)
    return tl_kfail(ctx, node, "inputs and output must be BOOL (%s, %s -> %s)", tl_type_name(a->type), tl_type_name(b->type),
                    tl_type_name(out->type));
  if (a->ndim > 6 || b->ndim > 6) return tl_kunsupported(ctx, node, "broadcasting beyond 6 dims");
  logic_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->is_or = is_or;
  if ((s = tl_ref_bcast_prepare(ctx, node, a, b, out, &p->bc))) return s;
  node->state = p;
  node->eval = binary_eval;
  return TL_OK;
}

static tl_status not_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const uint8_t *a = node->in[0]->data;
  uint8_t *o = node->out[0]->data;
  const int64_t n = tl_numel(node->in[0]);
  for (int64_t i = 0; i < n; i++) o[i] = (uint8_t)!a[i];
  return TL_OK;
}

tl_status tl_prep_logical_and(tl_kctx *ctx, tl_node *node) { return prep_binary(ctx, node, 0); }
tl_status tl_prep_logical_or(tl_kctx *ctx, tl_node *node) { return prep_binary(ctx, node, 1); }
tl_status tl_prep_logical_not(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *a = node->in[0];
  tl_tensor *out = node->out[0];
  if (a->type != TL_BOOL || out->type != TL_BOOL) return tl_kfail(ctx, node, "input and output must be BOOL");
  if ((s = tl_kset_shape(ctx, node, out, a->ndim, a->dims))) return s;
  node->eval = not_eval;
  return TL_OK;
}

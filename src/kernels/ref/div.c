/* SPDX-License-Identifier: Apache-2.0
 * DIV with numpy broadcasting (up to 6-D) and a fused clamp activation. Float only (x/0 gives inf or
 * NaN, as in TFLite); int32 division by zero is refused at run time. Integer kernels go next to
 * div_eval_f32. */
#include "binary.h"

TL_BINARY_ROW(div_row_f32, float, x / y, TL_CLAMP_F32)

static tl_status div_eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const tl_binary_state *p = node->state;
  tl_ref_bcast_run(&p->bc, 4, 4, node->in[0]->data, node->in[1]->data, node->out[0]->data, div_row_f32, p);
  return TL_OK;
}

/* TFLite's int32 DIV rounds toward zero (C division); a zero divisor is a run-time error here, and
 * INT32_MIN / -1 wraps instead of trapping. */
static void div_row_i32(int64_t n, const void *a_, int64_t sa, const void *b_, int64_t sb, void *o_, const void *p_) {
  (void)p_;
  const int32_t *a = a_, *b = b_;
  int32_t *o = o_;
  for (int64_t i = 0; i < n; i++) {
    int32_t x = a[i * sa], y = b[i * sb];
    o[i] = (y == -1) ? (int32_t)(0u - (uint32_t)x) : x / y;
  }
}

static tl_status div_eval_i32(tl_kctx *ctx, tl_node *node) {
  const tl_tensor *b = node->in[1];
  const int32_t *bd = b->data;
  const int64_t nb = tl_numel(b);
  for (int64_t i = 0; i < nb; i++)
    if (bd[i] == 0) return tl_kruntime(ctx, node, "integer division by zero");
  const tl_binary_state *p = node->state;
  tl_ref_bcast_run(&p->bc, 4, 4, node->in[0]->data, bd, node->out[0]->data, div_row_i32, p);
  return TL_OK;
}

/* div_eval_s8: integer kernels go here. */

tl_status tl_prep_div(tl_kctx *ctx, tl_node *node) {
  tl_binary_state *p;
  tl_status s = tl_ref_binary_prepare(ctx, node, 1, &p);
  if (s) return s;
  switch (node->in[0]->type) {
    case TL_FLOAT32: node->eval = div_eval_f32; return TL_OK;
    case TL_INT32:
      if (p->act != TL_ACT_NONE) return tl_kunsupported(ctx, node, "int32 with a fused activation");
      node->eval = div_eval_i32;
      return TL_OK;
    default: return tl_kunsupported(ctx, node, "type %s", tl_type_name(node->in[0]->type));
  }
}

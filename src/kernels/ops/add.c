/* SPDX-License-Identifier: Apache-2.0
 * ADD with numpy broadcasting (up to 6-D) and a fused clamp activation. Float here; the integer
 * kernels (add_eval_s8 / _u8 / _s16) go next to add_eval_f32 and reuse tl_ref_binary_prepare. */
#include "binary.h"

TL_BINARY_ROW(add_row_f32, float, x + y, TL_CLAMP_F32)

static tl_status add_eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const tl_binary_state *p = node->state;
  tl_ref_bcast_run(&p->bc, 4, 4, node->in[0]->data, node->in[1]->data, node->out[0]->data, add_row_f32, p);
  return TL_OK;
}


/* int8/uint8/int16 (TFLite's fixed-point arithmetic) are in binary_q.c, int32/int64 in binary_int.c. */

tl_status tl_prep_add(tl_kctx *ctx, tl_node *node) {
  tl_binary_state *p;
  tl_status s = tl_ref_binary_prepare(ctx, node, 1, &p);
  if (s) return s;
  switch (node->in[0]->type) {
    case TL_FLOAT32: node->eval = add_eval_f32; return TL_OK;
    case TL_INT8:
    case TL_UINT8:
    case TL_INT16: return tl_ref_binary_q_prepare(ctx, node, p, TL_BUILTIN_ADD);
    case TL_INT32:
    case TL_INT64: return tl_ref_binary_int_prepare(ctx, node, p, TL_BUILTIN_ADD);
    default: return tl_kunsupported(ctx, node, "type %s", tl_type_name(node->in[0]->type));
  }
}

/* SPDX-License-Identifier: Apache-2.0
 * ADD, SUB and MUL with numpy broadcasting (up to 6-D) and a fused clamp activation. The float
 * kernels are here; int8/uint8/int16 (TFLite's fixed-point arithmetic) are in binary_q.c, int32 and
 * int64 in binary_int.c, all behind the same tl_ref_binary_prepare. */
#include "binary.h"

#define TL_ARITH_OP(name, CODE, expr)                                                                          \
  TL_BINARY_ROW(name##_row_f32, float, expr, TL_CLAMP_F32)                                                     \
  static tl_status name##_eval_f32(tl_kctx *ctx, tl_node *node) {                                              \
    (void)ctx;                                                                                                 \
    const tl_binary_state *p = node->state;                                                                    \
    tl_ref_bcast_run(&p->bc, 4, 4, node->in[0]->data, node->in[1]->data, node->out[0]->data, name##_row_f32, p); \
    return TL_OK;                                                                                              \
  }                                                                                                            \
  tl_status tl_prep_##name(tl_kctx *ctx, tl_node *node) { return prepare(ctx, node, CODE, name##_eval_f32); }

static tl_status prepare(tl_kctx *ctx, tl_node *node, int op, tl_eval_fn eval_f32) {
  tl_binary_state *p;
  tl_status s = tl_ref_binary_prepare(ctx, node, 1, &p);
  if (s) return s;
  switch (node->in[0]->type) {
    case TL_FLOAT32: node->eval = eval_f32; return TL_OK;
    case TL_INT8:
    case TL_UINT8:
    case TL_INT16: return tl_ref_binary_q_prepare(ctx, node, p, op);
    case TL_INT32:
    case TL_INT64: return tl_ref_binary_int_prepare(ctx, node, p, op);
    default: return tl_kunsupported(ctx, node, "type %s", tl_type_name(node->in[0]->type));
  }
}

TL_ARITH_OP(add, TL_BUILTIN_ADD, x + y)
TL_ARITH_OP(sub, TL_BUILTIN_SUB, x - y)
TL_ARITH_OP(mul, TL_BUILTIN_MUL, x * y)

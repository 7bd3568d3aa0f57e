/* SPDX-License-Identifier: Apache-2.0
 * ADD, SUB and MUL on int32 and int64 (shape arithmetic, index math, counters): wrapping two's
 * complement arithmetic (TFLite's C++ overflow is undefined; tinylite's is defined), then the fused
 * activation as TFLite's CalculateActivationRange gives it for integers: RELU [0, max], RELU6 [0, 6],
 * RELU_N1_TO_1 [-1, 1]. */
#include "binary.h"

#define CLAMP_INT(r) (p->act == TL_TFL_ACT_NONE ? (r) : ((r) < p->q[0] ? p->q[0] : ((r) > p->q[1] && p->q[2] ? p->q[1] : (r))))
#define WRAP32(op) (int32_t)((uint32_t)x op (uint32_t)y)
#define WRAP64(op) (int64_t)((uint64_t)x op (uint64_t)y)
TL_BINARY_ROW(add_row_i32, int32_t, WRAP32(+), CLAMP_INT)
TL_BINARY_ROW(sub_row_i32, int32_t, WRAP32(-), CLAMP_INT)
TL_BINARY_ROW(mul_row_i32, int32_t, WRAP32(*), CLAMP_INT)
TL_BINARY_ROW(add_row_i64, int64_t, WRAP64(+), CLAMP_INT)
TL_BINARY_ROW(sub_row_i64, int64_t, WRAP64(-), CLAMP_INT)
TL_BINARY_ROW(mul_row_i64, int64_t, WRAP64(*), CLAMP_INT)

typedef struct {
  tl_binary_state b;
  tl_bcast_row_fn row;
  size_t es;
} int_state;

static tl_status int_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const int_state *s = node->state;
  tl_ref_bcast_run(&s->b.bc, s->es, s->es, node->in[0]->data, node->in[1]->data, node->out[0]->data, s->row, &s->b);
  return TL_OK;
}

tl_status tl_ref_binary_int_prepare(tl_kctx *ctx, tl_node *node, tl_binary_state *p, int op) {
  int_state *s = tl_kpersist(ctx, sizeof *s);
  if (!s) return TL_ERR_NOMEM;
  s->b = *p;
  /* q[0], q[1]: the activation's bounds; q[2]: whether it has an upper one */
  switch (p->act) {
    case TL_TFL_ACT_NONE: break;
    case TL_TFL_ACT_RELU: s->b.q[0] = 0, s->b.q[2] = 0; break;
    case TL_TFL_ACT_RELU6: s->b.q[0] = 0, s->b.q[1] = 6, s->b.q[2] = 1; break;
    case TL_TFL_ACT_RELU_N1_TO_1: s->b.q[0] = -1, s->b.q[1] = 1, s->b.q[2] = 1; break;
    default: return tl_kunsupported(ctx, node, "integer %s with fused activation %d", tl_op_name(op), p->act);
  }
  const int i64 = node->in[0]->type == TL_INT64;
  s->es = i64 ? 8 : 4;
  s->row = op == TL_BUILTIN_ADD ? (i64 ? add_row_i64 : add_row_i32)
           : op == TL_BUILTIN_SUB ? (i64 ? sub_row_i64 : sub_row_i32)
                                  : (i64 ? mul_row_i64 : mul_row_i32);
  node->state = s;
  node->eval = int_eval;
  return TL_OK;
}

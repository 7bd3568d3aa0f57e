/* SPDX-License-Identifier: Apache-2.0
 * Integer ADD, SUB and MUL (int8, uint8, int16) bit-identical to TFLite 2.9's builtin kernels: ADD/SUB
 * rescale both inputs to a common scale with 20 (8-bit) or 15 (16-bit) bits of headroom, MUL requantizes
 * the product; int16 ADD/SUB with power-of-two scales take TFLite's saturating shift-and-add path. */
#include <math.h>

#include "../quant_math.h"
#include "binary.h"

/* Layout of tl_binary_state.q for these kernels. */
enum {
  Q_OFF1 = 0, Q_OFF2, Q_OFFO, Q_LSHIFT, Q_M1, Q_S1, Q_M2, Q_S2, Q_MO, Q_SO, Q_LO, Q_HI,
  Q_POT_SHIFT1, Q_POT_SHIFT2
};

/* One output element of ADD/SUB (general scales): TFLite's AddElementwise / SubElementwise. */
static inline int32_t addsub_one(const int32_t *q, int32_t x, int32_t y, int sub) {
  const int32_t a = tl_shl_wrap(q[Q_OFF1] + x, q[Q_LSHIFT]);
  const int32_t b = tl_shl_wrap(q[Q_OFF2] + y, q[Q_LSHIFT]);
  const int32_t sa = tl_mbqm_lt1(a, q[Q_M1], q[Q_S1]);
  const int32_t sb = tl_mbqm_lt1(b, q[Q_M2], q[Q_S2]);
  const int32_t raw = sub ? (int32_t)((uint32_t)sa - (uint32_t)sb) : (int32_t)((uint32_t)sa + (uint32_t)sb);
  int32_t r = tl_mbqm_lt1(raw, q[Q_MO], q[Q_SO]) + q[Q_OFFO];
  return r < q[Q_LO] ? q[Q_LO] : (r > q[Q_HI] ? q[Q_HI] : r);
}

static inline int32_t mul_one(const int32_t *q, int32_t x, int32_t y) {
  const int32_t prod = (q[Q_OFF1] + x) * (q[Q_OFF2] + y); /* |.| <= 65535^2 / 4 < 2^31 for 16-bit */
  int32_t r = q[Q_OFFO] + tl_mbqm(prod, q[Q_MO], q[Q_SO]);
  return r < q[Q_LO] ? q[Q_LO] : (r > q[Q_HI] ? q[Q_HI] : r);
}

/* Row functions for the broadcast driver: stride 0 or 1 per input. */
#define QROW(name, T, EXPR)                                                                               \
  static void name(int64_t n, const void *a_, int64_t sa, const void *b_, int64_t sb, void *o_, const void *p_) { \
    const T *restrict a = (const T *)a_;                                                                  \
    const T *restrict b = (const T *)b_;                                                                  \
    T *restrict o = (T *)o_;                                                                              \
    const int32_t *q = ((const tl_binary_state *)p_)->q;                                                  \
    const int64_t ia = sa ? 1 : 0, ib = sb ? 1 : 0;                                                       \
    for (int64_t i = 0; i < n; i++) {                                                                     \
      const int32_t x = a[i * ia], y = b[i * ib];                                                         \
      o[i] = (T)(EXPR);                                                                                   \
    }                                                                                                     \
  }

QROW(add_row_s8, int8_t, addsub_one(q, x, y, 0))
QROW(add_row_u8, uint8_t, addsub_one(q, x, y, 0))
QROW(add_row_s16, int16_t, addsub_one(q, x, y, 0))
QROW(sub_row_s8, int8_t, addsub_one(q, x, y, 1))
QROW(sub_row_u8, uint8_t, addsub_one(q, x, y, 1))
QROW(sub_row_s16, int16_t, addsub_one(q, x, y, 1))
QROW(mul_row_s8, int8_t, mul_one(q, x, y))
QROW(mul_row_u8, uint8_t, mul_one(q, x, y))
QROW(mul_row_s16, int16_t, mul_one(q, x, y))

#define QEVAL(name, T, row)                                                                               \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                                                    \
    (void)ctx;                                                                                            \
    const tl_binary_state *p = node->state;                                                               \
    tl_ref_bcast_run(&p->bc, sizeof(T), sizeof(T), node->in[0]->data, node->in[1]->data, node->out[0]->data, \
                     row, p);                                                                             \
    return TL_OK;                                                                                         \
  }

QEVAL(add_eval_s8, int8_t, add_row_s8)
QEVAL(add_eval_u8, uint8_t, add_row_u8)
QEVAL(add_eval_s16, int16_t, add_row_s16)
QEVAL(sub_eval_s8, int8_t, sub_row_s8)
QEVAL(sub_eval_u8, uint8_t, sub_row_u8)
QEVAL(sub_eval_s16, int16_t, sub_row_s16)
QEVAL(mul_eval_s8, int8_t, mul_row_s8)
QEVAL(mul_eval_u8, uint8_t, mul_row_u8)
QEVAL(mul_eval_s16, int16_t, mul_row_s16)

/* int16 ADD/SUB with power-of-two scales and zero points 0 (TFLite's "POT" path, no broadcasting):
 * one input is rounding-shifted right to the other's scale, then a saturating int16 add/sub. */
static tl_status addsub_eval_s16_pot(tl_node *node, int sub) {
  const tl_binary_state *p = node->state;
  const int32_t *q = p->q;
  const int16_t *x = node->in[0]->data, *y = node->in[1]->data;
  int16_t *o = node->out[0]->data;
  const int64_t n = tl_numel(node->out[0]);
  const int s1 = q[Q_POT_SHIFT1], s2 = q[Q_POT_SHIFT2];
  for (int64_t i = 0; i < n; i++) {
    int32_t a = x[i], b = y[i];
    if (s1) a = tl_rdbpot(a, -s1);
    else b = tl_rdbpot(b, -s2);
    int32_t r = sub ? a - b : a + b;
    r = r < -32768 ? -32768 : (r > 32767 ? 32767 : r);
    r = r < q[Q_LO] ? q[Q_LO] : (r > q[Q_HI] ? q[Q_HI] : r);
    o[i] = (int16_t)r;
  }
  return TL_OK;
}
static tl_status add_eval_s16_pot(tl_kctx *ctx, tl_node *node) { (void)ctx; return addsub_eval_s16_pot(node, 0); }
static tl_status sub_eval_s16_pot(tl_kctx *ctx, tl_node *node) { (void)ctx; return addsub_eval_s16_pot(node, 1); }

static tl_status check_q(tl_kctx *ctx, tl_node *node, const tl_tensor *t) {
  char msg[200];
  if (t->qcount < 1) return tl_kfail(ctx, node, "tensor %d '%s' is %s without quantization parameters", (int)t->index,
                                     t->name ? t->name : "", tl_type_name(t->type));
  if (!tl_check_quant(t, msg, sizeof msg)) return tl_kfail(ctx, node, "%s", msg);
  if (t->qcount != 1) return tl_kunsupported(ctx, node, "per-axis quantized activation tensor %d", (int)t->index);
  return TL_OK;
}

tl_status tl_ref_binary_q_prepare(tl_kctx *ctx, tl_node *node, tl_binary_state *p, int op) {
  const tl_tensor *a = node->in[0], *b = node->in[1], *out = node->out[0];
  const int type = out->type;
  tl_status s;
  if ((s = check_q(ctx, node, a)) || (s = check_q(ctx, node, b)) || (s = check_q(ctx, node, out))) return s;
  int32_t qmin, qmax;
  tl_qrange(type, &qmin, &qmax);
  int32_t *q = p->q;
  tl_act_range_q(p->act, out->scale, out->zero_point, qmin, qmax, &q[Q_LO], &q[Q_HI]);
  q[Q_OFF1] = -a->zero_point;
  q[Q_OFF2] = -b->zero_point;
  q[Q_OFFO] = out->zero_point;
  if (type == TL_INT16 && (a->zero_point || b->zero_point || out->zero_point))
    return tl_kfail(ctx, node, "int16 tensors must have zero point 0");

  if (op == TL_BUILTIN_MUL) {
    /* mul.cc: the product of the float scales is formed in float, then widened. */
    const float real = a->scale * b->scale / out->scale;
    if (tl_quantize_multiplier((double)real, &q[Q_MO], &q[Q_SO]))
      return tl_kfail(ctx, node, "output multiplier %g cannot be represented", (double)real);
    const tl_eval_fn f[3] = {mul_eval_s8, mul_eval_u8, mul_eval_s16};
    node->eval = f[type == TL_INT8 ? 0 : type == TL_UINT8 ? 1 : 2];
    return TL_OK;
  }

  const int sub = op == TL_BUILTIN_SUB;
  if (type == TL_INT16) {
    /* add.cc / sub.cc: the POT path when pot_scale_int16 (default true) and all three scales are powers of
     * two; otherwise the general path with 15 bits of headroom. */
    const int pot_opt = tl_fb_u8(kc_opts(node), TL_SCH_OPT_ADD_POT_SCALE_INT16, 1) != 0;
    int l1, l2, lo;
    if (pot_opt && tl_checked_log2(a->scale, &l1) && tl_checked_log2(b->scale, &l2) &&
        tl_checked_log2(out->scale, &lo)) {
      q[Q_POT_SHIFT1] = l1 - lo;
      q[Q_POT_SHIFT2] = l2 - lo;
      if (!(q[Q_POT_SHIFT1] == 0 || q[Q_POT_SHIFT2] == 0) || q[Q_POT_SHIFT1] > 0 || q[Q_POT_SHIFT2] > 0)
        return tl_kfail(ctx, node, "int16 power-of-two scales: only one input may be shifted, and only right");
      if (q[Q_POT_SHIFT1] < -31 || q[Q_POT_SHIFT2] < -31) return tl_kfail(ctx, node, "int16 scale ratio too large");
      if (!tl_same_shape(a, b)) return tl_kunsupported(ctx, node, "broadcasting in the int16 power-of-two path");
      node->eval = sub ? sub_eval_s16_pot : add_eval_s16_pot;
      return TL_OK;
    }
  }
  q[Q_LSHIFT] = type == TL_INT16 ? 15 : 20;
  /* Mixed float/double exactly as TFLite: twice_max in float, then the ratios in double. */
  const float twice_max_f = 2 * (a->scale > b->scale ? a->scale : b->scale);
  const double twice_max = twice_max_f;
  const double r1 = a->scale / twice_max, r2 = b->scale / twice_max;
  const double ro = twice_max / (double)((float)(1 << q[Q_LSHIFT]) * out->scale);
  if (tl_quantize_multiplier_lt1(r1, &q[Q_M1], &q[Q_S1]) || tl_quantize_multiplier_lt1(r2, &q[Q_M2], &q[Q_S2]) ||
      tl_quantize_multiplier_lt1(ro, &q[Q_MO], &q[Q_SO]))
    return tl_kfail(ctx, node, "input/output scales give a rescale multiplier >= 1 (output scale too small)");
  if (sub) {
    const tl_eval_fn f[3] = {sub_eval_s8, sub_eval_u8, sub_eval_s16};
    node->eval = f[type == TL_INT8 ? 0 : type == TL_UINT8 ? 1 : 2];
  } else {
    const tl_eval_fn f[3] = {add_eval_s8, add_eval_u8, add_eval_s16};
    node->eval = f[type == TL_INT8 ? 0 : type == TL_UINT8 ? 1 : 2];
  }
  return TL_OK;
}

/* SPDX-License-Identifier: Apache-2.0
 * BATCH_MATMUL: out[..., m, n] = sum_k lhs[..., m, k] * rhs[..., k, n], with adj_x / adj_y
 * transposing the last two dims of an input and the batch dims (up to 3 of them) broadcast, as
 * TensorFlow Lite. float32 in float; int8 from per-tensor quantization: sum of (l - zp_l)(r - zp_r) in
 * int32, requantized by s_l*s_r/s_out as TFLite 2.9's x86 kernel does (its GEMM runs in ruy:
 * tl_mbqm_ruy), plus zp_out, clamped. BatchMatMulOptions: adj_x (0), adj_y (1),
 * asymmetric_quantize_inputs (2: hybrid, not supported). */
#include "../quant_math.h"
#include "conv_util.h"
#include "kcommon.h"

typedef struct {
  int adj_x, adj_y;
  int32_t m, k, n;
  int nb;                               /* output batch dims */
  int32_t bd[3];                        /* output batch dims' sizes */
  int64_t ls[3], rs[3];                 /* lhs/rhs batch strides (matrices), 0 where broadcast */
  int32_t zl, zr, zo, mult, qmin, qmax;
  int shift;
} bmm_state;

/* Calls body(lhs matrix index, rhs matrix index, out matrix index) for every output matrix. */
#define FOR_BATCH(p, ...)                                                               \
  do {                                                                                  \
    const int32_t b0 = (p)->nb > 0 ? (p)->bd[0] : 1, b1 = (p)->nb > 1 ? (p)->bd[1] : 1, \
                  b2 = (p)->nb > 2 ? (p)->bd[2] : 1;                                    \
    int64_t om = 0;                                                                     \
    for (int32_t i0 = 0; i0 < b0; i0++)                                                 \
      for (int32_t i1 = 0; i1 < b1; i1++)                                               \
        for (int32_t i2 = 0; i2 < b2; i2++, om++) {                                     \
          const int64_t lm = i0 * (p)->ls[0] + i1 * (p)->ls[1] + i2 * (p)->ls[2];       \
          const int64_t rm = i0 * (p)->rs[0] + i1 * (p)->rs[1] + i2 * (p)->rs[2];       \
          __VA_ARGS__;                                                                  \
        }                                                                               \
  } while (0)

/* One eval per type: ACC accumulates (l, r) pairs, STORE writes the sum; zl/zr are 0 for float. */
#define BMM_EVAL(name, T, ACC_T, STORE)                                                                  \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                                                  \
    (void)ctx;                                                                                          \
    const bmm_state *p = node->state;                                                                   \
    const T *L = node->in[0]->data, *R = node->in[1]->data;                                             \
    T *O = node->out[0]->data;                                                                          \
    const int32_t M = p->m, K = p->k, N = p->n;                                                         \
    FOR_BATCH(p, {                                                                                      \
      const T *l = L + (size_t)lm * M * K, *r = R + (size_t)rm * K * N;                                 \
      T *o = O + (size_t)om * M * N;                                                                    \
      for (int32_t i = 0; i < M; i++)                                                                   \
        for (int32_t j = 0; j < N; j++) {                                                               \
          ACC_T acc = 0;                                                                                \
          for (int32_t q = 0; q < K; q++)                                                               \
            acc += ((p->adj_x ? l[(size_t)q * M + i] : l[(size_t)i * K + q]) - p->zl) *                 \
                   ((p->adj_y ? r[(size_t)j * K + q] : r[(size_t)q * N + j]) - p->zr);                  \
          o[(size_t)i * N + j] = STORE(p, acc);                                                         \
        }                                                                                               \
    });                                                                                                 \
    return TL_OK;                                                                                       \
  }
#define STORE_F32(p, acc) (acc)
static inline int8_t store_s8(const bmm_state *p, int32_t acc) {
  const int32_t v = p->zo + tl_mbqm_ruy(acc, p->mult, p->shift);
  return (int8_t)(v < p->qmin ? p->qmin : v > p->qmax ? p->qmax : v);
}
BMM_EVAL(eval_f32, float, float, STORE_F32)
BMM_EVAL(eval_s8, int8_t, int32_t, store_s8)

tl_status tl_prep_batch_matmul(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *l = node->in[0], *r = node->in[1];
  tl_tensor *out = node->out[0];
  if (l->type != r->type || l->type != out->type)
    return tl_kunsupported(ctx, node, "types %s x %s -> %s", tl_type_name(l->type), tl_type_name(r->type), tl_type_name(out->type));
  if (l->ndim < 2 || r->ndim < 2 || l->ndim > 5 || r->ndim > 5) return tl_kfail(ctx, node, "inputs must have 2 to 5 dims");
  const tl_fb_table *o = kc_opts(node);
  bmm_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->adj_x = tl_batch_matmul_adj_x(o), p->adj_y = tl_batch_matmul_adj_y(o);
  const int32_t lr = l->dims[l->ndim - 2], lc = l->dims[l->ndim - 1], rr = r->dims[r->ndim - 2], rc = r->dims[r->ndim - 1];
  p->m = p->adj_x ? lc : lr, p->k = p->adj_x ? lr : lc;
  const int32_t rk = p->adj_y ? rc : rr;
  p->n = p->adj_y ? rr : rc;
  if (rk != p->k) return tl_kfail(ctx, node, "inner dimensions %d and %d differ", (int)p->k, (int)rk);
  /* batch dims, right-aligned and broadcast */
  const int lb = l->ndim - 2, rb = r->ndim - 2, nb = lb > rb ? lb : rb;
  int32_t od[5];
  int64_t lstride = 1, rstride = 1;
  p->nb = nb;
  for (int i = nb - 1; i >= 0; i--) {
    const int li = i - (nb - lb), ri = i - (nb - rb);
    const int32_t ld = li >= 0 ? l->dims[li] : 1, rd = ri >= 0 ? r->dims[ri] : 1;
    if (ld != rd && ld != 1 && rd != 1) return tl_kfail(ctx, node, "batch dims %d and %d cannot be broadcast", (int)ld, (int)rd);
    od[i] = ld > rd ? ld : rd;
    p->bd[i] = od[i];
    p->ls[i] = ld == 1 ? 0 : lstride, p->rs[i] = rd == 1 ? 0 : rstride;
    lstride *= ld, rstride *= rd;
  }
  od[nb] = p->m, od[nb + 1] = p->n;
  if ((s = tl_kset_shape(ctx, node, out, nb + 2, od))) return s;
  node->state = p;
  if (l->type == TL_FLOAT32) return node->eval = eval_f32, TL_OK;
  if (l->type != TL_INT8) return tl_kunsupported(ctx, node, "type %s (version %d)", tl_type_name(l->type), (int)node->version);
  if (l->qcount != 1 || r->qcount != 1 || out->qcount != 1)
    return tl_kfail(ctx, node, "int8 inputs and output need per-tensor quantization");
  if (tl_quantize_multiplier((double)l->scale * r->scale / out->scale, &p->mult, &p->shift))
    return tl_kfail(ctx, node, "rescale multiplier cannot be represented");
  p->zl = l->zero_point, p->zr = r->zero_point, p->zo = out->zero_point;
  tl_qrange(TL_INT8, &p->qmin, &p->qmax);
  node->eval = eval_s8;
  return TL_OK;
}

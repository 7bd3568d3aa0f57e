/* SPDX-License-Identifier: Apache-2.0
 * PRELU: x >= 0 ? x : x * alpha, alpha broadcast against x (numpy rules). float32 as TFLite; int8 and
 * uint8 as its BroadcastPrelu4DSlow: x - zp_x rescaled by s_x/s_out when >= 0, else multiplied by
 * alpha - zp_alpha and rescaled by s_x*s_alpha/s_out, then + zp_out and clamped. */
#include "../quant_math.h"
#include "kcommon.h"

typedef struct {
  tl_bcast bc;
  int32_t x_off, a_off, o_off, m1, m2, qmin, qmax;
  int s1, s2;
} prelu_state;

static void row_f32(int64_t n, const void *a_, int64_t sa, const void *b_, int64_t sb, void *o_, const void *p_) {
  (void)p_;
  const float *x = a_, *al = b_;
  float *o = o_;
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i * sa];
    o[i] = v >= 0.f ? v : v * al[i * sb];
  }
}

#define ROW_Q(name, T)                                                                              \
  static void name(int64_t n, const void *a_, int64_t sa, const void *b_, int64_t sb, void *o_,       \
                   const void *p_) {                                                                \
    const T *x = a_, *al = b_;                                                                      \
    T *o = o_;                                                                                      \
    const prelu_state *p = p_;                                                                      \
    for (int64_t i = 0; i < n; i++) {                                                               \
      const int32_t v = p->x_off + x[i * sa];                                                       \
      int32_t r = v >= 0 ? tl_mbqm(v, p->m1, p->s1) : tl_mbqm(v * (p->a_off + al[i * sb]), p->m2, p->s2); \
      r += p->o_off;                                                                                \
      o[i] = (T)(r < p->qmin ? p->qmin : (r > p->qmax ? p->qmax : r));                              \
    }                                                                                               \
  }
ROW_Q(row_s8, int8_t)
ROW_Q(row_u8, uint8_t)

static tl_status prelu_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const prelu_state *p = node->state;
  const int t = node->in[0]->type;
  tl_ref_bcast_run(&p->bc, kc_esize(t), kc_esize(t), node->in[0]->data, node->in[1]->data, node->out[0]->data,
                   t == TL_FLOAT32 ? row_f32 : t == TL_INT8 ? row_s8 : row_u8, p);
  return TL_OK;
}

tl_status tl_prep_prelu(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *x = node->in[0], *al = node->in[1];
  tl_tensor *out = node->out[0];
  if (x->type != al->type || x->type != out->type)
    return tl_kfail(ctx, node, "input %s, alpha %s and output %s must have one type", tl_type_name(x->type),
                    tl_type_name(al->type), tl_type_name(out->type));
  if (x->ndim > 6 || al->ndim > 6) return tl_kunsupported(ctx, node, "broadcasting beyond 6 dims");
  prelu_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  if (x->type == TL_INT8 || x->type == TL_UINT8) {
    if (x->qcount != 1 || al->qcount != 1 || out->qcount != 1)
      return tl_kfail(ctx, node, "quantized input, alpha and output need per-tensor quantization");
    if (!(x->scale > 0) || !(al->scale > 0) || !(out->scale > 0)) return tl_kfail(ctx, node, "scales must be positive");
    /* TFLite forms both ratios in double from the float scales */
    if (tl_quantize_multiplier((double)x->scale / out->scale, &p->m1, &p->s1) ||
        tl_quantize_multiplier((double)x->scale * al->scale / out->scale, &p->m2, &p->s2))
      return tl_kfail(ctx, node, "rescale multipliers cannot be represented");
    p->x_off = -x->zero_point, p->a_off = -al->zero_point, p->o_off = out->zero_point;
    tl_qrange(x->type, &p->qmin, &p->qmax);
  } else if (x->type != TL_FLOAT32) {
    return tl_kunsupported(ctx, node, "type %s (version %d)", tl_type_name(x->type), (int)node->version);
  }
  if ((s = tl_ref_bcast_prepare(ctx, node, x, al, out, &p->bc))) return s;
  node->state = p;
  node->eval = prelu_eval;
  return TL_OK;
}

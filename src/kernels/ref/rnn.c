/* SPDX-License-Identifier: Apache-2.0
 * RNN (one step) and UNIDIRECTIONAL_SEQUENCE_RNN, float and hybrid, as TFLite's RnnBatchStep:
 * h = act(bias + W x + R h) per batch row, h kept in the variable hidden-state tensor (input 4) and
 * written to the output. Hybrid (int8 weights with one scale each): x and h are quantized per row,
 * symmetric or as asymmetric_quantize_inputs says, and an all-zero vector skips its product. */
#include <math.h>

#include "conv_util.h"
#include "kcommon.h"

enum { X = 0, W = 1, R = 2, BIAS = 3, H = 4 };

typedef struct {
  int batch, time, n_in, units, time_major, act, hybrid, asym;
  float w_scale, r_scale;
  const int32_t *w_sums, *r_sums; /* asymmetric: row sums */
} rnn_state;

static float act(int a, float v) {
  switch (a) {
    case TL_ACT_RELU: return v < 0.f ? 0.f : v;
    case TL_ACT_RELU_N1_TO_1: return v < -1.f ? -1.f : v > 1.f ? 1.f : v;
    case TL_ACT_RELU6: return v < 0.f ? 0.f : v > 6.f ? 6.f : v;
    case TL_ACT_TANH: return tanhf(v);
    case 6: return 1.f / (1.f + expf(-v)); /* SIGMOID, as ApplyActivationToVector allows */
    default: return v;
  }
}

/* out[r] += dot(m[r], v): float, or the hybrid form on a quantized v (skipped when v is all zero). */
static void matvec(const rnn_state *p, const tl_tensor *m, float scale, const int32_t *sums, int rows, int cols,
                   const float *v, int8_t *q, float *out) {
  if (!p->hybrid) {
    const float *w = m->data;
    for (int r = 0; r < rows; r++) {
      float dot = 0.f;
      for (int k = 0; k < cols; k++) dot += w[(size_t)r * cols + k] * v[k];
      out[r] += dot;
    }
    return;
  }
  int zero = 1;
  for (int k = 0; k < cols && zero; k++) zero = v[k] == 0.f;
  if (zero) return;
  float sf;
  int32_t zp = 0;
  if (p->asym) tl_hybrid_quant_asym(v, cols, q, &sf, &zp);
  else tl_hybrid_quant_sym(v, cols, q, &sf);
  sf *= scale;
  const int8_t *w = m->data;
  for (int r = 0; r < rows; r++) {
    uint32_t dot = (uint32_t)tl_dot_q8(w + (size_t)r * cols, q, cols);
    if (p->asym) dot -= (uint32_t)sums[r] * (uint32_t)zp;
    out[r] += (float)(int32_t)dot * sf;
  }
}

static tl_status rnn_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const rnn_state *p = node->state;
  const float *x = node->in[X]->data, *bias = node->in[BIAS]->data;
  float *h = node->in[H]->data, *out = node->out[0]->data;
  int8_t *q = node->scratch;
  const int U = p->units;
  for (int t = 0; t < p->time; t++)
    for (int b = 0; b < p->batch; b++) {
      const size_t row = p->time_major ? (size_t)t * p->batch + b : (size_t)b * p->time + t;
      float *o = out + row * U, *hb = h + (size_t)b * U;
      for (int u = 0; u < U; u++) o[u] = bias[u];
      matvec(p, node->in[W], p->w_scale, p->w_sums, U, p->n_in, x + row * p->n_in, q, o);
      matvec(p, node->in[R], p->r_scale, p->r_sums, U, U, hb, q, o);
      for (int u = 0; u < U; u++) hb[u] = o[u] = act(p->act, o[u]);
    }
  return TL_OK;
}

static tl_status check_weight(tl_kctx *ctx, tl_node *node, rnn_state *p, int i, int rows, int cols, float *scale,
                              const int32_t **sums) {
  const tl_tensor *t = node->in[i];
  if (t->ndim != 2 || t->dims[0] != rows || t->dims[1] != cols)
    return tl_kfail(ctx, node, "weights %d must be [%d, %d]", i, rows, cols);
  if (!p->hybrid) return t->type == TL_FLOAT32 ? TL_OK : tl_kfail(ctx, node, "weights %d must be float32", i);
  if (t->type != TL_INT8 && t->type != TL_UINT8) return tl_kfail(ctx, node, "hybrid weights %d must be int8", i);
  tl_status s = tl_hybrid_check_scales(ctx, node, t, 0);
  if (s) return s;
  if (t->qcount != 1) return tl_kunsupported(ctx, node, "per-axis quantized weights %d", i);
  if (!t->known) return tl_kunsupported(ctx, node, "weights %d computed at run time", i);
  *scale = t->scale;
  if (p->asym) {
    int32_t *rs = tl_kpersist(ctx, sizeof(int32_t) * (size_t)rows);
    if (!rs) return TL_ERR_NOMEM;
    tl_row_sums_s8(t->data, rows, cols, rs);
    *sums = rs;
  }
  return TL_OK;
}

static tl_status prep(tl_kctx *ctx, tl_node *node, int sequence) {
  tl_status s = kc_io(ctx, node, 5, 5, 1);
  if (s) return s;
  const tl_tensor *x = node->in[X], *w = node->in[W], *bias = node->in[BIAS], *h = node->in[H];
  tl_tensor *out = node->out[0];
  if (x->type != TL_FLOAT32 || out->type != TL_FLOAT32 || bias->type != TL_FLOAT32 || h->type != TL_FLOAT32)
    return tl_kunsupported(ctx, node, "input type %s (float and hybrid RNNs only)", tl_type_name(x->type));
  if (x->ndim != (sequence ? 3 : 2)) return tl_kfail(ctx, node, "input must be %d-D", sequence ? 3 : 2);
  if (w->ndim != 2) return tl_kfail(ctx, node, "weights must be 2-D");
  rnn_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  const tl_fb_table *o = kc_opts(node);
  /* SequenceRNNOptions: time_major, activation, asymmetric; RNNOptions: activation, asymmetric */
  p->time_major = sequence && tl_fb_u8(o, 0, 0);
  p->act = tl_fb_i8(o, sequence ? 1 : 0, 0);
  p->hybrid = w->type != TL_FLOAT32;
  p->asym = p->hybrid && tl_fb_u8(o, sequence ? 2 : 1, 0);
  if (p->act < 0 || p->act > 6 || p->act == TL_ACT_SIGN_BIT) return tl_kunsupported(ctx, node, "activation %d", p->act);
  p->time = sequence ? x->dims[p->time_major ? 0 : 1] : 1;
  p->batch = x->dims[p->time_major ? 1 : 0];
  p->n_in = x->dims[x->ndim - 1];
  p->units = w->dims[0];
  if ((s = check_weight(ctx, node, p, W, p->units, p->n_in, &p->w_scale, &p->w_sums)) ||
      (s = check_weight(ctx, node, p, R, p->units, p->units, &p->r_scale, &p->r_sums)))
    return s;
  if (bias->ndim != 1 || bias->dims[0] != p->units) return tl_kfail(ctx, node, "bias must be [%d]", p->units);
  if (!h->is_variable || tl_numel(h) != (int64_t)p->batch * p->units)
    return tl_kfail(ctx, node, "hidden state must be a [%d, %d] variable", p->batch, p->units);
  const int32_t od[3] = {x->dims[0], sequence ? x->dims[1] : p->units, p->units};
  if ((s = tl_kset_shape(ctx, node, out, sequence ? 3 : 2, od))) return s;
  const int nq = p->n_in > p->units ? p->n_in : p->units;
  if ((s = tl_kscratch(ctx, node, p->hybrid ? (size_t)nq : 1))) return s;
  node->state = p;
  node->eval = rnn_eval;
  return TL_OK;
}

tl_status tl_prep_rnn(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 0); }
tl_status tl_prep_unidirectional_sequence_rnn(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 1); }

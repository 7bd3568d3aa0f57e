/* SPDX-License-Identifier: Apache-2.0
 * RNN (one step), UNIDIRECTIONAL_SEQUENCE_RNN and BIDIRECTIONAL_SEQUENCE_RNN, float and hybrid, as
 * TFLite's RnnBatchStep:
 * h = act(bias + W x + R h) per batch row, h kept in the variable hidden-state tensor (input 4) and
 * written to the output. Hybrid (int8 weights with one scale each): x and h are quantized per row,
 * symmetric or as asymmetric_quantize_inputs says, and an all-zero vector skips its product. */
#include <math.h>

#include "conv_util.h"
#include "kcommon.h"

enum { X = 0, W = 1, R = 2, BIAS = 3, H = 4 };

typedef struct {
  int batch, time, n_in, units, time_major, act, hybrid, asym;
  int off; /* added to the W, R, BIAS and H indices: 4 for a bidirectional op's backward cell */
  float w_scale, r_scale;
  const int32_t *w_sums, *r_sums; /* asymmetric: row sums */
} rnn_state;

static float act(int a, float v) {
  switch (a) {
    case TL_TFL_ACT_RELU: return v < 0.f ? 0.f : v;
    case TL_TFL_ACT_RELU_N1_TO_1: return v < -1.f ? -1.f : v > 1.f ? 1.f : v;
    case TL_TFL_ACT_RELU6: return v < 0.f ? 0.f : v > 6.f ? 6.f : v;
    case TL_TFL_ACT_TANH: return tanhf(v);
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

/* One cell over the sequence (backwards when reverse), h written at out_off of rows out_stride apart. */
static void run_cell(const rnn_state *p, const tl_node *node, float *out, int out_stride, int out_off, int reverse) {
  const float *x = node->in[X]->data, *bias = node->in[BIAS + p->off]->data;
  float *h = node->in[H + p->off]->data;
  int8_t *q = node->scratch;
  const int U = p->units;
  for (int k = 0; k < p->time; k++) {
    const int t = reverse ? p->time - 1 - k : k;
    for (int b = 0; b < p->batch; b++) {
      const size_t row = p->time_major ? (size_t)t * p->batch + b : (size_t)b * p->time + t;
      float *o = out + row * out_stride + out_off, *hb = h + (size_t)b * U;
      for (int u = 0; u < U; u++) o[u] = bias[u];
      matvec(p, node->in[W + p->off], p->w_scale, p->w_sums, U, p->n_in, x + row * p->n_in, q, o);
      matvec(p, node->in[R + p->off], p->r_scale, p->r_sums, U, U, hb, q, o);
      for (int u = 0; u < U; u++) hb[u] = o[u] = act(p->act, o[u]);
    }
  }
}

static tl_status rnn_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const rnn_state *p = node->state;
  run_cell(p, node, node->out[0]->data, p->units, 0, 0);
  return TL_OK;
}

static tl_status check_weight(tl_kctx *ctx, tl_node *node, rnn_state *p, int i, int rows, int cols, float *scale,
                              const int32_t **sums) {
  const tl_tensor *t = node->in[i + p->off];
  if (!t) return tl_kfail(ctx, node, "weights %d are missing", i + p->off);
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

/* One cell (weights at p->off): options act/asym fields given, the input's dims already in p. */
static tl_status prep_cell(tl_kctx *ctx, tl_node *node, rnn_state *p, int act_field, int asym_field) {
  const tl_fb_table *o = kc_opts(node);
  const tl_tensor *w = node->in[W + p->off], *bias = node->in[BIAS + p->off], *h = node->in[H + p->off];
  if (!w || !bias || !h) return tl_kfail(ctx, node, "weights, bias and hidden state are required");
  if (bias->type != TL_FLOAT32 || h->type != TL_FLOAT32) return tl_kfail(ctx, node, "bias and hidden state must be float32");
  if (w->ndim != 2) return tl_kfail(ctx, node, "weights must be 2-D");
  p->act = tl_fb_i8(o, act_field, 0);
  p->hybrid = w->type != TL_FLOAT32;
  p->asym = p->hybrid && tl_fb_u8(o, asym_field, 0); /* the options differ in field ids only */
  if (p->act < 0 || p->act > 6 || p->act == TL_TFL_ACT_SIGN_BIT) return tl_kunsupported(ctx, node, "activation %d", p->act);
  p->units = w->dims[0];
  tl_status s;
  if ((s = check_weight(ctx, node, p, W, p->units, p->n_in, &p->w_scale, &p->w_sums)) ||
      (s = check_weight(ctx, node, p, R, p->units, p->units, &p->r_scale, &p->r_sums)))
    return s;
  if (bias->ndim != 1 || bias->dims[0] != p->units) return tl_kfail(ctx, node, "bias must be [%d]", p->units);
  if (!h->is_variable || tl_numel(h) != (int64_t)p->batch * p->units)
    return tl_kfail(ctx, node, "hidden state must be a [%d, %d] variable", p->batch, p->units);
  return TL_OK;
}

static size_t cell_scratch(const rnn_state *p) {
  return p->hybrid ? (size_t)(p->n_in > p->units ? p->n_in : p->units) : 1;
}

static tl_status prep(tl_kctx *ctx, tl_node *node, int sequence) {
  tl_status s = kc_io(ctx, node, 5, 5, 1);
  if (s) return s;
  const tl_tensor *x = node->in[X];
  tl_tensor *out = node->out[0];
  if (x->type != TL_FLOAT32 || out->type != TL_FLOAT32)
    return tl_kunsupported(ctx, node, "input type %s (float and hybrid RNNs only)", tl_type_name(x->type));
  if (x->ndim != (sequence ? 3 : 2)) return tl_kfail(ctx, node, "input must be %d-D", sequence ? 3 : 2);
  rnn_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  /* SequenceRNNOptions: time_major, activation, asymmetric; RNNOptions: activation, asymmetric */
  p->time_major = sequence && tl_sequence_rnn_time_major(kc_opts(node));
  p->time = sequence ? x->dims[p->time_major ? 0 : 1] : 1;
  p->batch = x->dims[p->time_major ? 1 : 0];
  p->n_in = x->dims[x->ndim - 1];
  if ((s = prep_cell(ctx, node, p,
                     sequence ? TL_SCH_OPT_SEQUENCE_RNN_FUSED_ACTIVATION_FUNCTION : TL_SCH_OPT_RNN_FUSED_ACTIVATION_FUNCTION,
                     sequence ? TL_SCH_OPT_SEQUENCE_RNN_ASYMMETRIC_QUANTIZE_INPUTS : TL_SCH_OPT_RNN_ASYMMETRIC_QUANTIZE_INPUTS)))
    return s;
  const int32_t od[3] = {x->dims[0], sequence ? x->dims[1] : p->units, p->units};
  if ((s = tl_kset_shape(ctx, node, out, sequence ? 3 : 2, od))) return s;
  if ((s = tl_kscratch(ctx, node, cell_scratch(p)))) return s;
  node->state = p;
  node->eval = rnn_eval;
  return TL_OK;
}

tl_status tl_prep_rnn(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 0); }
tl_status tl_prep_unidirectional_sequence_rnn(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 1); }

/* ---- BIDIRECTIONAL_SEQUENCE_RNN: forward cell at inputs 1-4, backward at 5-8 run from the last step;
 * merge_outputs concatenates them, else outputs 0 and 1. Auxiliary inputs (9-11) are refused. */
typedef struct {
  rnn_state fw, bw;
  int merge;
} bidi_rnn_state;

static tl_status bidi_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const bidi_rnn_state *p = node->state;
  const int total = p->fw.units + p->bw.units;
  run_cell(&p->fw, node, node->out[0]->data, p->merge ? total : p->fw.units, 0, 0);
  run_cell(&p->bw, node, p->merge ? node->out[0]->data : node->out[1]->data, p->merge ? total : p->bw.units,
           p->merge ? p->fw.units : 0, 1);
  return TL_OK;
}

tl_status tl_prep_bidirectional_sequence_rnn(tl_kctx *ctx, tl_node *node) {
  if (node->n_in != 12) return tl_kfail(ctx, node, "expected 12 inputs, got %d", (int)node->n_in);
  const tl_tensor *x = node->in[X];
  if (!x || x->ndim != 3) return tl_kfail(ctx, node, "input must be 3-D");
  if (x->type != TL_FLOAT32) return tl_kunsupported(ctx, node, "type %s (float and hybrid only)", tl_type_name(x->type));
  for (int i = 9; i < 12; i++)
    if (node->in[i]) return tl_kunsupported(ctx, node, "auxiliary input %d", i);
  bidi_rnn_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  const tl_fb_table *o = kc_opts(node);
  p->merge = tl_bidi_sequence_rnn_merge_outputs(o);
  if (node->n_out != (p->merge ? 1 : 2)) return tl_kfail(ctx, node, "expected %d outputs", p->merge ? 1 : 2);
  const int time_major = tl_bidi_sequence_rnn_time_major(o);
  tl_status s;
  for (int d = 0; d < 2; d++) {
    rnn_state *c = d ? &p->bw : &p->fw;
    c->off = 4 * d;
    c->time_major = time_major;
    c->time = x->dims[time_major ? 0 : 1];
    c->batch = x->dims[time_major ? 1 : 0];
    c->n_in = x->dims[2];
    if ((s = prep_cell(ctx, node, c, TL_SCH_OPT_BIDI_SEQUENCE_RNN_FUSED_ACTIVATION_FUNCTION,
                       TL_SCH_OPT_BIDI_SEQUENCE_RNN_ASYMMETRIC_QUANTIZE_INPUTS)))
      return s;
  }
  for (int k = 0; k < node->n_out; k++) {
    if (node->out[k]->type != TL_FLOAT32) return tl_kfail(ctx, node, "outputs must be float32");
    const int32_t od[3] = {x->dims[0], x->dims[1], p->merge ? p->fw.units + p->bw.units : (k ? p->bw.units : p->fw.units)};
    if ((s = tl_kset_shape(ctx, node, node->out[k], 3, od))) return s;
  }
  const size_t a = cell_scratch(&p->fw), b = cell_scratch(&p->bw);
  if ((s = tl_kscratch(ctx, node, a > b ? a : b))) return s;
  node->state = p;
  node->eval = bidi_eval;
  return TL_OK;
}

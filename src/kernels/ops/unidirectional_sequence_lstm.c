/* SPDX-License-Identifier: Apache-2.0
 * UNIDIRECTIONAL_SEQUENCE_LSTM, LSTM (one step of it) and BIDIRECTIONAL_SEQUENCE_LSTM (two cells), float: TFLite's LstmStepFloat per time step, with optional CIFG
 * (no input gate), peepholes, layer normalisation, projection, cell/projection clipping, batch- or
 * time-major input. Gate pre-activations accumulate bias + Wx + Rh in that order (each dot product
 * summed on its own, as TFLite's MatrixBatchVectorMultiplyAccumulate). The states live in the
 * variable tensors (inputs 18 and 19) and persist across invokes. Hybrid (float input and states,
 * int8 weights with per-tensor scales, TFLite's LstmStepHybrid): each matmul's vector (input, output
 * state, output gate for the projection) is quantized per batch row, symmetric or as
 * asymmetric_quantize_inputs says, and skipped when all zero; an int8 peephole is dequantized once.
 * int8 models go to the integer 8x8_16 kernel in unidirectional_sequence_lstm_q.c. */
#include <math.h>

#include "conv_util.h"
#include "kcommon.h"
#include "lstm_q.h"

enum {
  IN_X = 0, W_I = 1, W_F, W_C, W_O, R_I = 5, R_F, R_C, R_O, P_I = 9, P_F, P_O, B_I = 12, B_F, B_C, B_O,
  PROJ_W = 16, PROJ_B = 17, H_STATE = 18, C_STATE = 19, LN_I = 20, LN_F, LN_C, LN_O
};

typedef struct {
  int n_batch, n_time, n_input, n_cell, n_output;
  int time_major, cifg, peephole, layer_norm, act;
  float cell_clip, proj_clip;
  int hybrid, asym;
  int off;                          /* added to weight/bias input indices: 17 for a backward cell */
  float wscale[PROJ_W + 1];         /* hybrid: each int8 weight's scale */
  const int32_t *rsum[PROJ_W + 1];  /* hybrid asymmetric: each int8 weight's row sums */
  const float *peep[3];             /* hybrid: dequantized peephole weights (I, F, O) */
} lstm_state;

/* A batch row quantized for the hybrid matmuls: its values, scale and zero point; zero = all 0. */
typedef struct {
  int8_t *q;
  float sf;
  int32_t zp;
  int zero;
} qvec;

static void quantize(const lstm_state *p, const float *v, int n, qvec *out) {
  out->zero = 1;
  for (int i = 0; i < n && out->zero; i++) out->zero = v[i] == 0.f;
  out->zp = 0;
  if (out->zero) return;
  if (p->asym) tl_hybrid_quant_asym(v, n, out->q, &out->sf, &out->zp);
  else tl_hybrid_quant_sym(v, n, out->q, &out->sf);
}

/* out[r] += (dot(w[r], q) - row_sum[r] * zp) * (sf * scale), MatrixBatchVectorMultiplyAccumulate's
 * hybrid form; nothing for an all-zero vector. */
static void matvec_acc_q(const lstm_state *p, const tl_node *n, int wi, int rows, int cols, const qvec *v,
                         float *restrict out) {
  if (v->zero) return;
  const int8_t *w = n->in[wi + p->off]->data;
  const float sf = v->sf * p->wscale[wi];
  for (int r = 0; r < rows; r++) {
    uint32_t dot = (uint32_t)tl_dot_q8(w + (size_t)r * cols, v->q, cols);
    if (p->asym) dot -= (uint32_t)p->rsum[wi][r] * (uint32_t)v->zp;
    out[r] += (float)(int32_t)dot * sf;
  }
}

static inline float sigmoidf(float x) { return 1.f / (1.f + expf(-x)); }

static inline float act_f(int act, float x) {
  switch (act) {
    case TL_TFL_ACT_RELU: return x < 0.f ? 0.f : x;
    case TL_TFL_ACT_RELU6: return x < 0.f ? 0.f : (x > 6.f ? 6.f : x);
    case TL_TFL_ACT_RELU_N1_TO_1: return x < -1.f ? -1.f : (x > 1.f ? 1.f : x);
    case TL_TFL_ACT_TANH: return tanhf(x);
    case 6 /* SIGMOID, as TFLite's ApplyActivationToVector allows */: return sigmoidf(x);
    default: return x;
  }
}

static int present(const tl_node *n, int i) { return i < n->n_in && n->in[i] != NULL; }

static const float *fdata(const tl_node *n, int i) {
  return (i < n->n_in && n->in[i]) ? (const float *)n->in[i]->data : NULL;
}

/* out[r] += sum_k m[r][k] * v[k] for r < rows. */
static void matvec_acc(const float *restrict m, int rows, int cols, const float *restrict v, float *restrict out) {
  for (int r = 0; r < rows; r++) {
    const float *restrict row = m + (size_t)r * cols;
    float dot = 0.f;
    for (int k = 0; k < cols; k++) dot += row[k] * v[k];
    out[r] += dot;
  }
}

/* TFLite's MeanStddevNormalization (epsilon 1e-8) then * coefficient + bias. */
static void layer_norm(float *g, int n, const float *coef, const float *bias) {
  float sum = 0.f, sq = 0.f;
  for (int i = 0; i < n; i++) sum += g[i], sq += g[i] * g[i];
  const float mean = sum / (float)n;
  const float var = sq / (float)n - mean * mean;
  const float inv = 1.f / sqrtf(var + 1e-8f);
  for (int i = 0; i < n; i++) g[i] = (g[i] - mean) * inv * coef[i] + bias[i];
}

/* Peephole weights: the float tensor, or its dequantized copy (k: 0 input, 1 forget, 2 output). */
static const float *peephole(const lstm_state *p, const tl_node *n, int k) {
  return p->hybrid ? p->peep[k] : fdata(n, P_I + k + p->off);
}

/* One time step for one batch row: x [n_input], h [n_output] and c [n_cell] updated in place, out
 * receives h. scratch: 4 * n_cell floats, then (hybrid) max(n_input, n_output, n_cell) int8. */
static void step(const lstm_state *p, const tl_node *n, const float *x, float *h, float *c, float *out,
                 float *scratch) {
  const int nc = p->n_cell, ni = p->n_input, no = p->n_output;
  float *gi = scratch, *gf = scratch + nc, *gc = scratch + 2 * nc, *go = scratch + 3 * nc;
  float *gates[4] = {gi, gf, gc, go};
  const int wi[4] = {W_I, W_F, W_C, W_O}, ri[4] = {R_I, R_F, R_C, R_O}, bi[4] = {B_I, B_F, B_C, B_O};
  qvec qv = {(int8_t *)(scratch + 4 * nc), 0.f, 0, 1};
  for (int g = p->cifg ? 1 : 0; g < 4; g++) {
    float *a = gates[g];
    const float *b = fdata(n, bi[g] + p->off);
    for (int i = 0; i < nc; i++) a[i] = p->layer_norm ? 0.f : b[i];
  }
  /* All gates' input products, then all recurrent ones: the hybrid kernel quantizes each vector once. */
  if (p->hybrid) quantize(p, x, ni, &qv);
  for (int g = p->cifg ? 1 : 0; g < 4; g++)
    if (p->hybrid) matvec_acc_q(p, n, wi[g], nc, ni, &qv, gates[g]);
    else matvec_acc(fdata(n, wi[g] + p->off), nc, ni, x, gates[g]);
  if (p->hybrid) quantize(p, h, no, &qv);
  for (int g = p->cifg ? 1 : 0; g < 4; g++)
    if (p->hybrid) matvec_acc_q(p, n, ri[g], nc, no, &qv, gates[g]);
    else matvec_acc(fdata(n, ri[g] + p->off), nc, no, h, gates[g]);
  /* Input and forget gates (peepholes see the old cell state). */
  if (!p->cifg) {
    if (p->peephole) {
      const float *w = peephole(p, n, 0);
      for (int i = 0; i < nc; i++) gi[i] += w[i] * c[i];
    }
    if (p->layer_norm) layer_norm(gi, nc, fdata(n, LN_I), fdata(n, B_I));
    for (int i = 0; i < nc; i++) gi[i] = sigmoidf(gi[i]);
  }
  if (p->peephole) {
    const float *w = peephole(p, n, 1);
    for (int i = 0; i < nc; i++) gf[i] += w[i] * c[i];
  }
  if (p->layer_norm) layer_norm(gf, nc, fdata(n, LN_F), fdata(n, B_F));
  for (int i = 0; i < nc; i++) gf[i] = sigmoidf(gf[i]);
  if (p->layer_norm) layer_norm(gc, nc, fdata(n, LN_C), fdata(n, B_C));
  for (int i = 0; i < nc; i++) gc[i] = act_f(p->act, gc[i]);
  /* New cell state: c = f*c + i*g (CIFG: i = 1 - f), then the optional clip. */
  for (int i = 0; i < nc; i++) {
    const float ig = p->cifg ? 1.f - gf[i] : gi[i];
    float v = gf[i] * c[i] + ig * gc[i];
    if (p->cell_clip > 0.f) v = v > p->cell_clip ? p->cell_clip : (v < -p->cell_clip ? -p->cell_clip : v);
    c[i] = v;
  }
  /* Output gate (peephole sees the new cell state), then h = o * act(c). */
  if (p->peephole) {
    const float *w = peephole(p, n, 2);
    for (int i = 0; i < nc; i++) go[i] += w[i] * c[i];
  }
  if (p->layer_norm) layer_norm(go, nc, fdata(n, LN_O), fdata(n, B_O));
  for (int i = 0; i < nc; i++) go[i] = sigmoidf(go[i]) * act_f(p->act, c[i]);
  if (present(n, PROJ_W + p->off)) {
    const float *pb = fdata(n, PROJ_B + p->off);
    for (int o = 0; o < no; o++) h[o] = pb ? pb[o] : 0.f;
    if (p->hybrid) {
      quantize(p, go, nc, &qv);
      matvec_acc_q(p, n, PROJ_W, no, nc, &qv, h);
    } else {
      matvec_acc(fdata(n, PROJ_W + p->off), no, nc, go, h);
    }
    if (p->proj_clip > 0.f)
      for (int o = 0; o < no; o++) h[o] = h[o] > p->proj_clip ? p->proj_clip : (h[o] < -p->proj_clip ? -p->proj_clip : h[o]);
  } else {
    for (int o = 0; o < no; o++) h[o] = go[o];
  }
  memcpy(out, h, sizeof(float) * (size_t)no);
}

/* Runs one cell over the sequence (backwards when reverse), writing h to out at out_off of rows
 * out_stride floats apart. */
static void run_cell(const lstm_state *p, const tl_node *n, const float *x, float *h, float *c, float *out,
                     int out_stride, int out_off, int reverse, float *scratch) {
  const int B = p->n_batch, T = p->n_time, ni = p->n_input, no = p->n_output, nc = p->n_cell;
  for (int k = 0; k < T; k++) {
    const int t = reverse ? T - 1 - k : k;
    for (int b = 0; b < B; b++) {
      const size_t row = p->time_major ? (size_t)t * B + b : (size_t)b * T + t;
      step(p, n, x + row * ni, h + (size_t)b * no, c + (size_t)b * nc, out + row * out_stride + out_off, scratch);
    }
  }
}

static tl_status lstm_eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const lstm_state *p = node->state;
  run_cell(p, node, node->in[IN_X]->data, node->in[H_STATE]->data, node->in[C_STATE]->data, node->out[0]->data,
           p->n_output, 0, 0, node->scratch);
  return TL_OK;
}

/* Checks that optional input rel (a unidirectional index, moved by the cell's offset up to PROJ_B) is
 * absent, or a tensor of the given shape: float32, or for the weights of a hybrid LSTM (weights,
 * peepholes, projection) int8 with one scale. */
static tl_status check_t(tl_kctx *ctx, tl_node *node, const lstm_state *p, int rel, int required, int d0, int d1) {
  const int i = rel <= PROJ_B ? rel + p->off : rel;
  const tl_tensor *t = i < node->n_in ? node->in[i] : NULL;
  if (!t) return required ? tl_kfail(ctx, node, "input %d is required", i) : TL_OK;
  const int weight = (rel >= W_I && rel <= P_O) || rel == PROJ_W;
  if (weight && p->hybrid && t->type == TL_INT8) {
    if (t->qcount != 1 || !(t->scale > 0.f) || !isfinite(t->scale))
      return tl_kfail(ctx, node, "hybrid weight %d needs one positive scale", i);
    if (!t->known) return tl_kunsupported(ctx, node, "hybrid weight %d computed at run time", i);
  } else if (t->type != TL_FLOAT32) {
    return tl_kunsupported(ctx, node, "input %d has type %s", i, tl_type_name(t->type));
  }
  const int nd = d1 < 0 ? 1 : 2;
  if (t->ndim != nd || t->dims[0] != d0 || (nd == 2 && t->dims[1] != d1))
    return tl_kfail(ctx, node, "input %d has the wrong shape", i);
  return TL_OK;
}

/* Hybrid: every weight matrix int8 (TFLite's hybrid kernel reads them all as int8), scales and row
 * sums kept, int8 peepholes dequantized (VectorScalarMultiply: scale * w). */
static tl_status prep_hybrid(tl_kctx *ctx, tl_node *node, lstm_state *p) {
  for (int i = W_I; i <= PROJ_W; i++) {
    if (!present(node, i + p->off) || (i >= B_I && i <= B_O)) continue;
    const tl_tensor *t = node->in[i + p->off];
    if (i < P_I || i == PROJ_W) {
      if (t->type != TL_INT8) return tl_kunsupported(ctx, node, "hybrid LSTM with %s weight %d", tl_type_name(t->type), i);
      p->wscale[i] = t->scale;
      if (p->asym) {
        int32_t *rs = tl_kpersist(ctx, sizeof(int32_t) * (size_t)t->dims[0]);
        if (!rs) return TL_ERR_NOMEM;
        tl_row_sums_s8(t->data, t->dims[0], t->dims[1], rs);
        p->rsum[i] = rs;
      }
    } else {
      float *w = tl_kpersist(ctx, sizeof(float) * (size_t)p->n_cell);
      if (!w) return TL_ERR_NOMEM;
      for (int k = 0; k < p->n_cell; k++)
        w[k] = t->type == TL_INT8 ? t->scale * (float)((const int8_t *)t->data)[k] : ((const float *)t->data)[k];
      p->peep[i - P_I] = w;
    }
  }
  return TL_OK;
}

/* One cell's tensors (weights at p->off, states h_i and c_i): shapes, types, variants, hybrid
 * constants. p already holds the options and the input's batch, time and size. */
static tl_status prep_cell(tl_kctx *ctx, tl_node *node, lstm_state *p, int h_i, int c_i, int allow_ln) {
  const int o = p->off;
  if (!present(node, W_O + o) || node->in[W_O + o]->ndim != 2) return tl_kfail(ctx, node, "input_to_output_weights missing or not 2-D");
  if (!present(node, R_O + o) || node->in[R_O + o]->ndim != 2) return tl_kfail(ctx, node, "recurrent_to_output_weights missing or not 2-D");
  p->n_cell = node->in[W_O + o]->dims[0];
  p->n_output = node->in[R_O + o]->dims[1];
  const int nc = p->n_cell, ni = p->n_input, no = p->n_output;
  if (nc < 1 || no < 1) return tl_kfail(ctx, node, "empty cell or output");
  p->cifg = !present(node, W_I + o);
  tl_status s;
  const int need_i = !p->cifg;
  if ((s = check_t(ctx, node, p, W_I, need_i, nc, ni)) || (s = check_t(ctx, node, p, W_F, 1, nc, ni)) ||
      (s = check_t(ctx, node, p, W_C, 1, nc, ni)) || (s = check_t(ctx, node, p, W_O, 1, nc, ni)) ||
      (s = check_t(ctx, node, p, R_I, need_i, nc, no)) || (s = check_t(ctx, node, p, R_F, 1, nc, no)) ||
      (s = check_t(ctx, node, p, R_C, 1, nc, no)) || (s = check_t(ctx, node, p, R_O, 1, nc, no)) ||
      (s = check_t(ctx, node, p, B_I, need_i, nc, -1)) || (s = check_t(ctx, node, p, B_F, 1, nc, -1)) ||
      (s = check_t(ctx, node, p, B_C, 1, nc, -1)) || (s = check_t(ctx, node, p, B_O, 1, nc, -1)))
    return s;
  if (p->cifg && (present(node, R_I + o) || present(node, B_I + o) || present(node, P_I + o)))
    return tl_kfail(ctx, node, "CIFG LSTM with input-gate tensors");
  p->peephole = present(node, P_F + o) || present(node, P_O + o) || present(node, P_I + o);
  if (p->peephole && ((s = check_t(ctx, node, p, P_I, need_i, nc, -1)) || (s = check_t(ctx, node, p, P_F, 1, nc, -1)) ||
                      (s = check_t(ctx, node, p, P_O, 1, nc, -1))))
    return s;
  if ((s = check_t(ctx, node, p, PROJ_W, 0, no, nc))) return s;
  if (present(node, PROJ_B + o)) {
    if (!present(node, PROJ_W + o)) return tl_kfail(ctx, node, "projection bias without projection weights");
    if ((s = check_t(ctx, node, p, PROJ_B, 1, no, -1))) return s;
  }
  if (!present(node, PROJ_W + o) && no != nc) return tl_kfail(ctx, node, "output size %d != cell size %d without projection", no, nc);
  p->layer_norm = allow_ln && node->n_in == 24 && (present(node, LN_F) || present(node, LN_C) || present(node, LN_O) || present(node, LN_I));
  if (p->layer_norm && ((s = check_t(ctx, node, p, LN_I, need_i, nc, -1)) || (s = check_t(ctx, node, p, LN_F, 1, nc, -1)) ||
                        (s = check_t(ctx, node, p, LN_C, 1, nc, -1)) || (s = check_t(ctx, node, p, LN_O, 1, nc, -1))))
    return s;
  const tl_tensor *hs = h_i < node->n_in ? node->in[h_i] : NULL, *cs = c_i < node->n_in ? node->in[c_i] : NULL;
  if (!hs || !cs) return tl_kfail(ctx, node, "state tensors are required");
  if (hs->type != TL_FLOAT32 || cs->type != TL_FLOAT32) return tl_kfail(ctx, node, "state tensors must be float32");
  if (!hs->is_variable || !cs->is_variable) return tl_kfail(ctx, node, "state tensors must be variables");
  if (tl_numel(hs) != (int64_t)p->n_batch * no || tl_numel(cs) != (int64_t)p->n_batch * nc)
    return tl_kfail(ctx, node, "state tensors have the wrong size");
  return p->hybrid ? prep_hybrid(ctx, node, p) : TL_OK;
}

/* Scratch of one cell's step: 4 gates, then (hybrid) one quantized vector. */
static size_t cell_scratch(const lstm_state *p) {
  const int ni = p->n_input, no = p->n_output, nc = p->n_cell;
  const int nq = ni > no ? (ni > nc ? ni : nc) : (no > nc ? no : nc);
  return sizeof(float) * 4 * (size_t)nc + (p->hybrid ? (size_t)nq : 0);
}

/* Options shared by the three ops: activation, clips, and a valid activation. */
static tl_status read_options(tl_kctx *ctx, tl_node *node, lstm_state *p, int asym_field) {
  const tl_fb_table *o = kc_opts(node);
  p->hybrid = present(node, W_O + p->off) && node->in[W_O + p->off]->type == TL_INT8;
  p->asym = p->hybrid && tl_fb_u8(o, asym_field, 0) != 0; /* asymmetric_quantize_inputs */
  /* the three options tables start alike: activation, cell_clip, proj_clip */
  p->act = tl_lstm_fused_activation_function(o);
  p->cell_clip = tl_lstm_cell_clip(o);
  p->proj_clip = tl_lstm_proj_clip(o);
  if (p->act < 0 || p->act > 6 || p->act == TL_TFL_ACT_SIGN_BIT) return tl_kunsupported(ctx, node, "activation %d", p->act);
  if (!(p->cell_clip >= 0.f) || !(p->proj_clip >= 0.f)) return tl_kfail(ctx, node, "negative or NaN clip");
  return TL_OK;
}

/* single_step: the LSTM op (one time step, input [batch, input], LSTMOptions whose field 3 is the
 * kernel type, only FULL); else UNIDIRECTIONAL_SEQUENCE_LSTM over [batch, time, input]. */
static tl_status prep_lstm(tl_kctx *ctx, tl_node *node, int single_step) {
  if (node->n_in != 20 && node->n_in != 24) return tl_kfail(ctx, node, "expected 20 or 24 inputs, got %d", (int)node->n_in);
  if (node->n_out != 1 || !node->out[0]) return tl_kfail(ctx, node, "expected 1 output");
  const tl_tensor *x = node->in[IN_X];
  tl_tensor *out = node->out[0];
  if (!x) return tl_kfail(ctx, node, "input is missing");
  if (single_step && tl_lstm_kernel_type(kc_opts(node)) != TL_TFL_LSTM_KERNEL_FULL)
    return tl_kunsupported(ctx, node, "the BASIC LSTM kernel type");
  if (single_step && x->type != TL_FLOAT32) return tl_kunsupported(ctx, node, "LSTM with %s input", tl_type_name(x->type));
  if (x->type == TL_INT8) return tl_lstm_q_prepare(ctx, node); /* integer kernel: unidirectional_sequence_lstm_q.c */
  if (x->type != TL_FLOAT32 || out->type != TL_FLOAT32)
    return tl_kunsupported(ctx, node, "type %s (only the float kernel is written)", tl_type_name(x->type));
  if (x->ndim != (single_step ? 2 : 3)) return tl_kfail(ctx, node, "input must be %d-D", single_step ? 2 : 3);
  const tl_fb_table *o = kc_opts(node);
  lstm_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  tl_status s;
  /* asymmetric_quantize_inputs is field 4 of LSTMOptions and UnidirectionalSequenceLSTMOptions alike */
  if ((s = read_options(ctx, node, p, TL_SCH_OPT_UNIDI_SEQUENCE_LSTM_ASYMMETRIC_QUANTIZE_INPUTS))) return s;
  p->time_major = !single_step && tl_unidi_sequence_lstm_time_major(o);
  if (!single_step && tl_unidi_sequence_lstm_diagonal_recurrent_tensors(o)) return tl_kunsupported(ctx, node, "diagonal recurrent tensors");
  p->n_time = single_step ? 1 : x->dims[p->time_major ? 0 : 1];
  p->n_batch = x->dims[p->time_major ? 1 : 0];
  p->n_input = x->dims[x->ndim - 1];
  if ((s = prep_cell(ctx, node, p, H_STATE, C_STATE, 1))) return s;
  const int no = p->n_output;
  int32_t od[3] = {x->dims[0], single_step ? no : x->dims[1], no};
  if ((s = tl_kset_shape(ctx, node, out, single_step ? 2 : 3, od))) return s;
  if ((s = tl_kscratch(ctx, node, cell_scratch(p)))) return s;
  node->state = p;
  node->eval = lstm_eval_f32;
  return TL_OK;
}

tl_status tl_prep_unidirectional_sequence_lstm(tl_kctx *ctx, tl_node *node) { return prep_lstm(ctx, node, 0); }
tl_status tl_prep_lstm(tl_kctx *ctx, tl_node *node) { return prep_lstm(ctx, node, 1); }

/* ---- BIDIRECTIONAL_SEQUENCE_LSTM: a forward cell (inputs 1-17, states 35-36) and a backward one
 * (18-34, states 37-38) over the same sequence, the backward from the last step to the first;
 * merge_outputs concatenates their outputs on the last dim, else they are outputs 0 and 1. Auxiliary
 * inputs (39-47) are refused for now. */
typedef struct {
  lstm_state fw, bw;
  int merge;
} bidi_state;

static tl_status bidi_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const bidi_state *p = node->state;
  const float *x = node->in[IN_X]->data;
  float *out_fw = node->out[0]->data, *out_bw = p->merge ? out_fw : node->out[1]->data;
  const int stride_fw = p->merge ? p->fw.n_output + p->bw.n_output : p->fw.n_output;
  const int stride_bw = p->merge ? stride_fw : p->bw.n_output;
  run_cell(&p->fw, node, x, node->in[35]->data, node->in[36]->data, out_fw, stride_fw, 0, 0, node->scratch);
  run_cell(&p->bw, node, x, node->in[37]->data, node->in[38]->data, out_bw, stride_bw, p->merge ? p->fw.n_output : 0, 1,
           node->scratch);
  return TL_OK;
}

tl_status tl_prep_bidirectional_sequence_lstm(tl_kctx *ctx, tl_node *node) {
  if (node->n_in != 48) return tl_kfail(ctx, node, "expected 48 inputs, got %d", (int)node->n_in);
  const tl_tensor *x = node->in[IN_X];
  if (!x || x->ndim != 3) return tl_kfail(ctx, node, "input must be 3-D");
  if (x->type != TL_FLOAT32) return tl_kunsupported(ctx, node, "type %s (float and hybrid only)", tl_type_name(x->type));
  for (int i = 39; i < 48; i++)
    if (present(node, i)) return tl_kunsupported(ctx, node, "auxiliary input %d", i);
  bidi_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  const tl_fb_table *o = kc_opts(node);
  p->merge = tl_bidi_sequence_lstm_merge_outputs(o);
  const int time_major = tl_bidi_sequence_lstm_time_major(o); /* the schema's default is time-major here */
  if (node->n_out != (p->merge ? 1 : 2)) return tl_kfail(ctx, node, "expected %d outputs", p->merge ? 1 : 2);
  tl_status s;
  for (int d = 0; d < 2; d++) {
    lstm_state *c = d ? &p->bw : &p->fw;
    c->off = d ? 17 : 0;
    if ((s = read_options(ctx, node, c, TL_SCH_OPT_BIDI_SEQUENCE_LSTM_ASYMMETRIC_QUANTIZE_INPUTS))) return s;
    c->time_major = time_major;
    c->n_time = x->dims[time_major ? 0 : 1];
    c->n_batch = x->dims[time_major ? 1 : 0];
    c->n_input = x->dims[2];
    if ((s = prep_cell(ctx, node, c, d ? 37 : 35, d ? 38 : 36, 0))) return s;
  }
  for (int k = 0; k < node->n_out; k++) {
    tl_tensor *out = node->out[k];
    if (out->type != TL_FLOAT32) return tl_kfail(ctx, node, "outputs must be float32");
    const int32_t od[3] = {x->dims[0], x->dims[1],
                           p->merge ? p->fw.n_output + p->bw.n_output : (k ? p->bw.n_output : p->fw.n_output)};
    if ((s = tl_kset_shape(ctx, node, out, 3, od))) return s;
  }
  const size_t a = cell_scratch(&p->fw), b = cell_scratch(&p->bw);
  if ((s = tl_kscratch(ctx, node, a > b ? a : b))) return s;
  node->state = p;
  node->eval = bidi_eval;
  return TL_OK;
}

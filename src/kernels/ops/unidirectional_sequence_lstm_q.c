/* SPDX-License-Identifier: Apache-2.0
 * Integer UNIDIRECTIONAL_SEQUENCE_LSTM (TFLite's "8x8_16" kernel: int8 input, weights and output state,
 * int16 cell state and gates), bit-identical to TFLite 2.9's EvalInteger8x8_16 with its portable tensor
 * utils: gates in Q3.12 from two requantized int8 matmuls (zero points folded into the biases at
 * prepare), gemmlowp fixed-point sigmoid/tanh, power-of-two cell state, optional CIFG, peephole,
 * projection and clipping. Layer-normalised integer LSTMs are refused for now. */
#include <math.h>
#include <string.h>

#include "../quant_math.h"
#include "lstm_q.h"

enum {
  IN_X = 0, W_I = 1, W_F, W_C, W_O, R_I = 5, R_F, R_C, R_O, P_I = 9, P_F, P_O, B_I = 12, B_F, B_C, B_O,
  PROJ_W = 16, PROJ_B = 17, H_STATE = 18, C_STATE = 19
};
enum { G_I = 0, G_F = 1, G_C = 2, G_O = 3 };

typedef struct {
  int n_batch, n_time, n_input, n_cell, n_output;
  int time_major, cifg, peephole, proj, cell_act;
  int cell_scale;               /* log2 of the cell state's scale (<= -9) */
  int16_t cell_clip;
  int8_t proj_clip;
  int32_t in_m[4], rec_m[4], peep_m[4], hid_m, proj_m;
  int in_s[4], rec_s[4], peep_s[4], hid_s, proj_s;
  int32_t hidden_zp, h_zp;
  int32_t *in_bias[4], *rec_bias[4], *proj_bias; /* zero points folded in (persistent) */
} qlstm;

static const int8_t *i8(const tl_node *n, int i) { return (i < n->n_in && n->in[i]) ? n->in[i]->data : NULL; }

/* gate[b][r] = clamp16(gate + MBQM(bias[r] + sum_c x[b][c] * w[r][c]) + zp): TFLite's
 * MatrixBatchVectorMultiplyAccumulate (int8 x int8 -> int16/int8 accumulate). The int32 sum wraps. */
static void mbvma16(const int8_t *x, const int32_t *bias, const int8_t *w, int32_t m, int s, int nb, int ncol,
                    int nrow, int16_t *gate) {
  for (int b = 0; b < nb; b++)
    for (int r = 0; r < nrow; r++) {
      const int8_t *restrict wr = w + (int64_t)r * ncol, *restrict xb = x + (int64_t)b * ncol;
      uint32_t acc = (uint32_t)bias[r];
      for (int c = 0; c < ncol; c++) acc += (uint32_t)((int32_t)xb[c] * wr[c]);
      int32_t v = tl_mbqm((int32_t)acc, m, s) + gate[(int64_t)b * nrow + r];
      gate[(int64_t)b * nrow + r] = (int16_t)(v > 32767 ? 32767 : (v < -32768 ? -32768 : v));
    }
}

static void mbvma8(const int8_t *x, const int32_t *bias, const int8_t *w, int32_t m, int s, int nb, int ncol,
                   int nrow, int32_t zp, int8_t *out) {
  for (int b = 0; b < nb; b++)
    for (int r = 0; r < nrow; r++) {
      const int8_t *restrict wr = w + (int64_t)r * ncol, *restrict xb = x + (int64_t)b * ncol;
      uint32_t acc = (uint32_t)bias[r];
      for (int c = 0; c < ncol; c++) acc += (uint32_t)((int32_t)xb[c] * wr[c]);
      int32_t v = tl_mbqm((int32_t)acc, m, s) + zp + out[(int64_t)b * nrow + r];
      out[(int64_t)b * nrow + r] = (int8_t)(v > 127 ? 127 : (v < -128 ? -128 : v));
    }
}

/* One gate: input and recurrent matmuls, optional peephole (VectorBatchVectorCwiseProductAccumulate),
 * then sigmoid (Q3.12 -> Q0.15) or, for the cell gate, the op's activation. */
static void gate(const qlstm *p, const tl_node *n, int g, const int8_t *x, const int8_t *h, const int16_t *c, int nb,
                 int act_sigmoid, int16_t *out) {
  const int nc = p->n_cell;
  memset(out, 0, (size_t)nb * nc * sizeof(int16_t));
  mbvma16(x, p->in_bias[g], i8(n, W_I + g), p->in_m[g], p->in_s[g], nb, p->n_input, nc, out);
  mbvma16(h, p->rec_bias[g], i8(n, R_I + g), p->rec_m[g], p->rec_s[g], nb, p->n_output, nc, out);
  if (c && p->peephole) {
    const int16_t *pw = n->in[g == G_I ? P_I : g == G_F ? P_F : P_O]->data;
    for (int b = 0; b < nb; b++)
      for (int k = 0; k < nc; k++) {
        int32_t v = tl_mbqm((int32_t)pw[k] * c[(int64_t)b * nc + k], p->peep_m[g], p->peep_s[g]) + out[(int64_t)b * nc + k];
        out[(int64_t)b * nc + k] = (int16_t)(v > 32767 ? 32767 : (v < -32768 ? -32768 : v));
      }
  }
  const int64_t total = (int64_t)nb * nc;
  if (act_sigmoid)
    for (int64_t k = 0; k < total; k++) out[k] = tl_fx16_logistic(out[k], 3);
  else
    for (int64_t k = 0; k < total; k++) out[k] = tl_fx16_tanh(out[k], 3);
}

/* TFLite's LstmStepInteger8x8_16 for nb batch rows sharing the state pointers h (int8) and c (int16). */
static void step(const qlstm *p, const tl_node *n, const int8_t *x, int8_t *h, int16_t *c, int8_t *out, int nb,
                 void *scratch) {
  const int nc = p->n_cell, no = p->n_output;
  const int64_t total = (int64_t)nb * nc;
  int16_t *ig = scratch, *fg = ig + total, *cg = fg + total, *og = cg + total, *t0 = og + total;
  int8_t *hid = (int8_t *)(t0 + total);
  gate(p, n, G_F, x, h, c, nb, 1, fg);
  gate(p, n, G_C, x, h, NULL, nb, p->cell_act == TL_TFL_ACT_TANH ? 0 : 1, cg);
  if (!p->cifg) gate(p, n, G_I, x, h, c, nb, 1, ig);
  /* UpdateLstmCellInteger: c = rdbpot(f*c, 15) + rdbpot(i*g, 30 + cell_scale) (i = 1 - f with CIFG),
   * saturating add, then the optional clip. */
  const int shift = 30 + p->cell_scale;
  for (int64_t k = 0; k < total; k++) {
    const int16_t cf = (int16_t)tl_rdbpot((int32_t)fg[k] * c[k], 15);
    const int16_t i_k = p->cifg ? (int16_t)(32767 - fg[k]) : ig[k];
    const int16_t add = (int16_t)tl_rdbpot((int32_t)i_k * cg[k], shift);
    int32_t v = (int32_t)cf + add;
    v = v > 32767 ? 32767 : (v < -32768 ? -32768 : v);
    if (p->cell_clip > 0) v = v > p->cell_clip ? p->cell_clip : (v < -p->cell_clip ? -p->cell_clip : v);
    c[k] = (int16_t)v;
  }
  gate(p, n, G_O, x, h, c, nb, 1, og);
  /* CalculateLstmOutputInteger8x8_16: tanh of the cell state (15 + cell_scale integer bits), times the
   * output gate, requantized to the hidden scale; TFLite *subtracts* the hidden zero point here. */
  for (int64_t k = 0; k < total; k++) {
    const int16_t t = tl_fx16_tanh(c[k], 15 + p->cell_scale);
    int32_t v = tl_mbqm((int32_t)og[k] * t, p->hid_m, p->hid_s) - p->hidden_zp;
    hid[k] = (int8_t)(v > 127 ? 127 : (v < -128 ? -128 : v));
  }
  if (p->proj) {
    memset(h, 0, (size_t)nb * no);
    mbvma8(hid, p->proj_bias, i8(n, PROJ_W), p->proj_m, p->proj_s, nb, nc, no, p->h_zp, h);
    if (p->proj_clip > 0)
      for (int64_t k = 0; k < (int64_t)nb * no; k++)
        h[k] = h[k] > p->proj_clip ? p->proj_clip : (h[k] < -p->proj_clip ? (int8_t)-p->proj_clip : h[k]);
  } else {
    memcpy(h, hid, (size_t)nb * no);
  }
  memcpy(out, h, (size_t)nb * no);
}

static tl_status lstm_eval_s8(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const qlstm *p = node->state;
  const int8_t *x = node->in[IN_X]->data;
  int8_t *h = node->in[H_STATE]->data, *out = node->out[0]->data;
  int16_t *c = node->in[C_STATE]->data;
  const int B = p->n_batch, T = p->n_time, ni = p->n_input, no = p->n_output, nc = p->n_cell;
  if (p->time_major) {
    for (int t = 0; t < T; t++)
      step(p, node, x + (int64_t)t * B * ni, h, c, out + (int64_t)t * B * no, B, node->scratch);
  } else {
    for (int b = 0; b < B; b++)
      for (int t = 0; t < T; t++) {
        const int64_t row = (int64_t)b * T + t;
        step(p, node, x + row * ni, h + (int64_t)b * no, c + (int64_t)b * nc, out + row * no, 1, node->scratch);
      }
  }
  return TL_OK;
}

/* ---- prepare ---- */

static int present(const tl_node *n, int i) { return i < n->n_in && n->in[i] != NULL; }

static tl_status check_q(tl_kctx *ctx, tl_node *node, int i, int type, int d0, int d1) {
  const tl_tensor *t = node->in[i];
  char msg[200];
  if (t->type != type)
    return tl_kfail(ctx, node, "input %d must be %s, got %s", i, tl_type_name(type), tl_type_name(t->type));
  const int nd = d1 < 0 ? 1 : 2;
  if (t->ndim != nd || t->dims[0] != d0 || (nd == 2 && t->dims[1] != d1))
    return tl_kfail(ctx, node, "input %d has the wrong shape", i);
  if (type != TL_INT32) {
    if (t->qcount < 1) return tl_kfail(ctx, node, "input %d is not quantized", i);
    if (!tl_check_quant(t, msg, sizeof msg)) return tl_kfail(ctx, node, "%s", msg);
    if (t->qcount != 1) return tl_kunsupported(ctx, node, "per-axis quantized input %d", i);
  }
  if (i != IN_X && i != H_STATE && i != C_STATE && !t->known)
    return tl_kunsupported(ctx, node, "input %d is not a constant", i);
  return TL_OK;
}

/* TFLite's PrecomputeZeroPointTimesWeightWithBias: bias[r] + zp * sum_c w[r][c] (int32, wrapping). */
static int32_t *fold_bias(tl_kctx *ctx, const tl_tensor *w, const tl_tensor *bias, int32_t zp) {
  const int rows = w->dims[0], cols = w->dims[1];
  int32_t *o = tl_kpersist(ctx, (size_t)rows * sizeof(int32_t));
  if (!o) return NULL;
  const int8_t *wd = w->data;
  for (int r = 0; r < rows; r++) {
    uint32_t v = bias ? (uint32_t)((const int32_t *)bias->data)[r] : 0;
    uint32_t rs = 0;
    for (int k = 0; k < cols; k++) rs += (uint32_t)(int32_t)wd[(int64_t)r * cols + k];
    v += rs * (uint32_t)zp;
    o[r] = (int32_t)v;
  }
  return o;
}

static int qm(double m, int32_t *mult, int *shift) { return tl_quantize_multiplier(m, mult, shift); }

tl_status tl_lstm_q_prepare(tl_kctx *ctx, tl_node *node) {
  const tl_tensor *x = node->in[IN_X];
  tl_tensor *out = node->out[0];
  if (node->n_in == 24)
    for (int i = 20; i < 24; i++)
      if (present(node, i)) return tl_kunsupported(ctx, node, "layer-normalised integer LSTM");
  qlstm *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  const tl_fb_table *o = kc_opts(node);
  p->cell_act = tl_unidi_sequence_lstm_fused_activation_function(o);
  const float cell_clip = tl_unidi_sequence_lstm_cell_clip(o), proj_clip = tl_unidi_sequence_lstm_proj_clip(o);
  p->time_major = tl_unidi_sequence_lstm_time_major(o);
  if (tl_unidi_sequence_lstm_diagonal_recurrent_tensors(o)) return tl_kunsupported(ctx, node, "diagonal recurrent tensors");
  if (p->cell_act != TL_TFL_ACT_TANH && p->cell_act != 6)
    return tl_kunsupported(ctx, node, "integer LSTM with activation %d (TFLite: tanh or sigmoid)", p->cell_act);
  if (!(cell_clip >= 0.f) || !(proj_clip >= 0.f) || !isfinite(cell_clip) || !isfinite(proj_clip))
    return tl_kfail(ctx, node, "negative or non-finite clip");
  if (x->ndim != 3) return tl_kfail(ctx, node, "input must be 3-D");
  p->n_time = x->dims[p->time_major ? 0 : 1];
  p->n_batch = x->dims[p->time_major ? 1 : 0];
  p->n_input = x->dims[2];
  if (!present(node, W_O) || node->in[W_O]->ndim != 2 || !present(node, R_O) || node->in[R_O]->ndim != 2)
    return tl_kfail(ctx, node, "output-gate weights missing or not 2-D");
  p->n_cell = node->in[W_O]->dims[0];
  p->n_output = node->in[R_O]->dims[1];
  const int nc = p->n_cell, ni = p->n_input, no = p->n_output;
  if (nc < 1 || no < 1 || ni < 1) return tl_kfail(ctx, node, "empty input, cell or output");
  p->cifg = !present(node, W_I);
  p->peephole = present(node, P_F) || present(node, P_O) || present(node, P_I);
  p->proj = present(node, PROJ_W);
  tl_status s;
  for (int g = 0; g < 4; g++) {
    if (g == G_I && p->cifg) {
      if (present(node, R_I) || present(node, B_I) || present(node, P_I))
        return tl_kfail(ctx, node, "CIFG LSTM with input-gate tensors");
      continue;
    }
    if (!present(node, W_I + g) || !present(node, R_I + g) || !present(node, B_I + g))
      return tl_kfail(ctx, node, "gate %d: weights or bias missing", g);
    if ((s = check_q(ctx, node, W_I + g, TL_INT8, nc, ni)) || (s = check_q(ctx, node, R_I + g, TL_INT8, nc, no)) ||
        (s = check_q(ctx, node, B_I + g, TL_INT32, nc, -1)))
      return s;
  }
  if (p->peephole) {
    if (p->proj || no != nc) return tl_kunsupported(ctx, node, "integer peephole LSTM with projection");
    if ((!p->cifg && !present(node, P_I)) || !present(node, P_F) || !present(node, P_O))
      return tl_kfail(ctx, node, "incomplete peephole weights");
    if ((!p->cifg && (s = check_q(ctx, node, P_I, TL_INT16, nc, -1))) || (s = check_q(ctx, node, P_F, TL_INT16, nc, -1)) ||
        (s = check_q(ctx, node, P_O, TL_INT16, nc, -1)))
      return s;
  }
  if (p->proj) {
    if ((s = check_q(ctx, node, PROJ_W, TL_INT8, no, nc))) return s;
    if (present(node, PROJ_B) && (s = check_q(ctx, node, PROJ_B, TL_INT32, no, -1))) return s;
  } else {
    if (present(node, PROJ_B)) return tl_kfail(ctx, node, "projection bias without projection weights");
    if (no != nc) return tl_kfail(ctx, node, "output size %d != cell size %d without projection", no, nc);
  }
  if (!present(node, H_STATE) || !present(node, C_STATE)) return tl_kfail(ctx, node, "state tensors are required");
  tl_tensor *hs = node->in[H_STATE], *cs = node->in[C_STATE];
  if (!hs->is_variable || !cs->is_variable) return tl_kfail(ctx, node, "state tensors must be variables");
  {
    char msg[200];
    const tl_tensor *chk[4] = {x, hs, cs, out};
    const int want[4] = {TL_INT8, TL_INT8, TL_INT16, TL_INT8};
    for (int k = 0; k < 4; k++) {
      if (chk[k]->type != want[k]) return tl_kfail(ctx, node, "tensor %d must be %s", (int)chk[k]->index, tl_type_name(want[k]));
      if (chk[k]->qcount != 1 || !tl_check_quant(chk[k], msg, sizeof msg))
        return tl_kfail(ctx, node, "tensor %d needs valid per-tensor quantization", (int)chk[k]->index);
    }
  }
  if (tl_numel(hs) != (int64_t)p->n_batch * no || tl_numel(cs) != (int64_t)p->n_batch * nc)
    return tl_kfail(ctx, node, "state tensors have the wrong size");
  if (cs->zero_point != 0) return tl_kfail(ctx, node, "cell state zero point must be 0");
  if (!tl_checked_log2(cs->scale, &p->cell_scale) || p->cell_scale > -9 || p->cell_scale < -15)
    return tl_kunsupported(ctx, node, "cell state scale %g (TFLite: a power of two <= 2^-9)", (double)cs->scale);
  if (node->n_interm < 5 || !node->interm || !node->interm[4])
    return tl_kfail(ctx, node, "integer LSTM needs 5 intermediate tensors");
  const tl_tensor *hid = node->interm[4];
  char msg[200];
  if (hid->qcount < 1 || !tl_check_quant(hid, msg, sizeof msg))
    return tl_kfail(ctx, node, "hidden intermediate needs valid quantization");
  p->hidden_zp = hid->zero_point;
  p->h_zp = hs->zero_point;

  /* PopulateQuantizedLstmParams8x8_16: gate intermediates are Q3.12 (2^-12) without layer norm; every
   * effective scale is a float expression, widened to double by QuantizeMultiplier. */
  const float gate_scale = 0x1p-12f, in_scale = x->scale, h_scale = hs->scale;
  for (int g = 0; g < 4; g++) {
    if (g == G_I && p->cifg) continue;
    const float ei = node->in[W_I + g]->scale * in_scale / gate_scale;
    const float er = node->in[R_I + g]->scale * h_scale / gate_scale;
    if (qm(ei, &p->in_m[g], &p->in_s[g]) || qm(er, &p->rec_m[g], &p->rec_s[g]))
      return tl_kfail(ctx, node, "gate %d: effective scales cannot be represented", g);
    if (p->peephole && g != G_C) {
      const float ep = (float)(ldexp(1.0, p->cell_scale) * node->in[g == G_I ? P_I : g == G_F ? P_F : P_O]->scale / gate_scale);
      if (qm(ep, &p->peep_m[g], &p->peep_s[g])) return tl_kfail(ctx, node, "peephole scale cannot be represented");
    }
    p->in_bias[g] = fold_bias(ctx, node->in[W_I + g], node->in[B_I + g], -x->zero_point);
    p->rec_bias[g] = fold_bias(ctx, node->in[R_I + g], NULL, -hs->zero_point);
    if (!p->in_bias[g] || !p->rec_bias[g]) return TL_ERR_NOMEM;
  }
  const float eh = (float)(ldexp(1.0, -15) / (double)hid->scale * ldexp(1.0, -15));
  if (qm(eh, &p->hid_m, &p->hid_s)) return tl_kfail(ctx, node, "hidden scale cannot be represented");
  if (p->proj) {
    const float ep = node->in[PROJ_W]->scale * hid->scale / h_scale;
    if (qm(ep, &p->proj_m, &p->proj_s)) return tl_kfail(ctx, node, "projection scale cannot be represented");
    p->proj_bias = fold_bias(ctx, node->in[PROJ_W], present(node, PROJ_B) ? node->in[PROJ_B] : NULL, p->hidden_zp);
    if (!p->proj_bias) return TL_ERR_NOMEM;
  }
  /* Clips quantized with the cell state's and the output's scales, truncated like TFLite's casts. */
  if (cell_clip > 0.f) {
    float v = cell_clip / cs->scale;
    v = v < -32768.f ? -32768.f : (v > 32767.f ? 32767.f : v);
    p->cell_clip = (int16_t)v;
  }
  if (proj_clip > 0.f) {
    float v = proj_clip / out->scale;
    v = v < -128.f ? -128.f : (v > 127.f ? 127.f : v);
    p->proj_clip = (int8_t)v;
  }
  int32_t od[3] = {x->dims[0], x->dims[1], no};
  if ((s = tl_kset_shape(ctx, node, out, 3, od))) return s;
  /* Scratch: 5 int16 vectors (4 gates + tanh of the cell) and one int8 vector, per step's batch rows. */
  const size_t rows = (size_t)(p->time_major ? p->n_batch : 1) * (size_t)nc;
  if ((s = tl_kscratch(ctx, node, rows * (5 * sizeof(int16_t) + 1)))) return s;
  node->state = p;
  node->eval = lstm_eval_s8;
  return TL_OK;
}

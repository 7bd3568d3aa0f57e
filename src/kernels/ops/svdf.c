/* SPDX-License-Identifier: Apache-2.0
 * SVDF (rank-factored time convolution with a variable state tensor) as TFLite 2.9's EvalFloatSVDF,
 * EvalHybridSVDF and EvalIntegerSVDF: shift the state by one step, write the new feature projections
 * in its last column, dot each filter's history with its time weights, sum `rank` filters per unit.
 * Float32; hybrid (float input and state, int8 or uint8 feature and time weights: the input is
 * quantized per batch, symmetric or as asymmetric_quantize_inputs says, the time weights are
 * dequantized once); full-integer int8 (int8 input/feature weights, int16 time weights and state,
 * int32 bias). */
#include <string.h>

#include "../quant_math.h"
#include "conv_util.h"
#include "kcommon.h"

typedef struct {
  int batch, input_size, filters, memory, rank, units, act;
  int32_t m1, m2; /* integer: input*feature -> state, state*time -> output */
  int s1, s2;
  int32_t in_zp, out_zp;
  int asym;                 /* hybrid: asymmetric per-batch input quantization */
  float wf_scale;           /* hybrid: feature weights' scale */
  const float *wt_f32;      /* hybrid: dequantized time weights */
  const int32_t *row_sums;  /* hybrid asymmetric: feature weight row sums */
} svdf_state;

/* matmul(state, weights_time), the rank reduction, bias and activation (ApplyTimeWeightsBiasAndActivation). */
static void svdf_time_f32(const svdf_state *p, const float *wt, const float *state, const float *bias,
                          float *scratch, float *out) {
  const int B = p->batch, F = p->filters, M = p->memory, U = p->units, R = p->rank;
  for (int b = 0; b < B; b++)
    for (int f = 0; f < F; f++) {
      const float *s = state + ((int64_t)b * F + f) * M, *w = wt + (int64_t)f * M;
      float acc = 0.f;
      for (int m = 0; m < M; m++) acc += w[m] * s[m];
      scratch[(int64_t)b * F + f] = acc;
    }
  for (int b = 0; b < B; b++)
    for (int u = 0; u < U; u++) {
      float acc = 0.f;
      for (int r = 0; r < R; r++) acc += scratch[(int64_t)b * F + (int64_t)u * R + r];
      if (bias) acc += bias[u];
      out[(int64_t)b * U + u] = tl_act_f32(p->act, acc);
    }
}

/* Inputs: 0 input [batch, input_size], 1 weights_feature [filters, input_size], 2 weights_time
 * [filters, memory], 3 bias [units] (optional), 4 state [batch, memory * filters] (variable). */
static tl_status svdf_eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const svdf_state *p = node->state;
  const float *in = node->in[0]->data, *wf = node->in[1]->data, *wt = node->in[2]->data;
  const float *bias = node->in[3] ? node->in[3]->data : NULL;
  float *state = node->in[4]->data, *out = node->out[0]->data;
  float *scratch = node->scratch; /* batch * filters */
  const int B = p->batch, F = p->filters, M = p->memory, I = p->input_size;
  const int64_t total = (int64_t)B * M * F;
  if (total > 1) memmove(state, state + 1, (size_t)(total - 1) * sizeof(float));
  for (int b = 0; b < B; b++)
    for (int f = 0; f < F; f++) {
      const float *w = wf + (int64_t)f * I, *x = in + (int64_t)b * I;
      float acc = 0.f;
      for (int i = 0; i < I; i++) acc += w[i] * x[i];
      state[((int64_t)b * F + f) * M + M - 1] = acc;
    }
  svdf_time_f32(p, wt, state, bias, scratch, out);
  return TL_OK;
}

static tl_status svdf_eval_hybrid(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const svdf_state *p = node->state;
  const float *in = node->in[0]->data;
  const int8_t *wf = node->in[1]->data;
  const float *bias = node->in[3] ? node->in[3]->data : NULL;
  float *state = node->in[4]->data, *out = node->out[0]->data;
  const int B = p->batch, F = p->filters, M = p->memory, I = p->input_size;
  float *proj = node->scratch; /* batch * filters */
  int8_t *q = (int8_t *)(proj + (size_t)B * F);
  const int64_t total = (int64_t)B * M * F;
  if (total > 1) memmove(state, state + 1, (size_t)(total - 1) * sizeof(float));
  int zero = 1;
  for (int64_t i = 0; i < (int64_t)B * I && zero; i++) zero = in[i] == 0.f;
  for (int b = 0; b < B; b++) {
    /* an all-zero input leaves the projections at 0, as TFLite skips the product */
    float sf = 1.f;
    int32_t zp = 0;
    if (!zero && p->asym) tl_hybrid_quant_asym(in + (int64_t)b * I, I, q, &sf, &zp);
    else if (!zero) tl_hybrid_quant_sym(in + (int64_t)b * I, I, q, &sf);
    sf *= p->wf_scale;
    for (int f = 0; f < F; f++) {
      float v = 0.f;
      if (!zero) {
        const int8_t *w = wf + (int64_t)f * I;
        uint32_t dot = 0; /* TFLite's int32 sum, wrapping instead of undefined */
        for (int i = 0; i < I; i++) dot += (uint32_t)((int32_t)w[i] * (int32_t)q[i]);
        if (p->asym) dot -= (uint32_t)p->row_sums[f] * (uint32_t)zp;
        v = 0.f + (float)(int32_t)dot * sf;
      }
      state[((int64_t)b * F + f) * M + M - 1] = v;
    }
  }
  svdf_time_f32(p, p->wt_f32, state, bias, proj, out);
  return TL_OK;
}

static tl_status svdf_eval_s8(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const svdf_state *p = node->state;
  const int8_t *in = node->in[0]->data, *wf = node->in[1]->data;
  const int16_t *wt = node->in[2]->data;
  const int32_t *bias = node->in[3] ? node->in[3]->data : NULL;
  int16_t *state = node->in[4]->data;
  int8_t *out = node->out[0]->data;
  int32_t *scratch = node->scratch; /* batch * filters */
  const int B = p->batch, F = p->filters, M = p->memory, I = p->input_size, U = p->units, R = p->rank;
  const int64_t total = (int64_t)B * M * F;
  if (total > 1) memmove(state, state + 1, (size_t)(total - 1) * sizeof(int16_t));
  /* Feature projection, requantized to the (symmetric) state scale and saturated to int16. */
  for (int b = 0; b < B; b++)
    for (int f = 0; f < F; f++) {
      const int8_t *w = wf + (int64_t)f * I, *x = in + (int64_t)b * I;
      uint32_t sum = 0; /* wraps like TFLite's int32 sum instead of being undefined */
      for (int i = 0; i < I; i++) sum += (uint32_t)((int32_t)w[i] * ((int32_t)x[i] - p->in_zp));
      int32_t acc = tl_mbqm((int32_t)sum, p->m1, p->s1);
      acc = acc < -32768 ? -32768 : (acc > 32767 ? 32767 : acc);
      state[((int64_t)b * F + f) * M + M - 1] = (int16_t)acc;
    }
  /* Time weights: int16 x int16 dot products in int32 (wrapping as TFLite's int32 sum would). */
  for (int b = 0; b < B; b++)
    for (int f = 0; f < F; f++) {
      const int16_t *s = state + ((int64_t)b * F + f) * M, *w = wt + (int64_t)f * M;
      uint32_t acc = 0;
      for (int m = 0; m < M; m++) acc += (uint32_t)((int32_t)w[m] * (int32_t)s[m]);
      scratch[(int64_t)b * F + f] = (int32_t)acc;
    }
  /* Bias, rank reduction, requantization to the output. TFLite applies no activation here: its
   * prepare demands RELU, which the output's quantized range already provides. */
  for (int b = 0; b < B; b++)
    for (int u = 0; u < U; u++) {
      uint32_t acc = bias ? (uint32_t)bias[u] : 0;
      for (int r = 0; r < R; r++) acc += (uint32_t)scratch[(int64_t)b * F + (int64_t)u * R + r];
      int32_t v = tl_mbqm((int32_t)acc, p->m2, p->s2) + p->out_zp;
      out[(int64_t)b * U + u] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
    }
  return TL_OK;
}

static tl_status need_q(tl_kctx *ctx, tl_node *node, const tl_tensor *t, int type, const char *what) {
  char msg[200];
  if (t->type != type) return tl_kfail(ctx, node, "%s must be %s, got %s", what, tl_type_name(type), tl_type_name(t->type));
  if (t->qcount < 1) return tl_kfail(ctx, node, "%s has no quantization parameters", what);
  if (!tl_check_quant(t, msg, sizeof msg)) return tl_kfail(ctx, node, "%s", msg);
  if (t->qcount != 1) return tl_kunsupported(ctx, node, "per-axis quantized %s", what);
  return TL_OK;
}

/* Hybrid: float input, state, bias and output; int8 (or uint8, read as int8 as TFLite does) feature
 * and time weights with per-tensor scales. */
static tl_status prep_hybrid(tl_kctx *ctx, tl_node *node, svdf_state *p) {
  const tl_tensor *wf = node->in[1], *wt = node->in[2], *bias = node->in[3], *state = node->in[4];
  if (wt->type != TL_INT8 && wt->type != TL_UINT8)
    return tl_kfail(ctx, node, "hybrid SVDF needs int8 time weights, not %s", tl_type_name(wt->type));
  if (state->type != TL_FLOAT32 || node->out[0]->type != TL_FLOAT32 || (bias && bias->type != TL_FLOAT32))
    return tl_kfail(ctx, node, "hybrid SVDF needs a float state, bias and output");
  tl_status s;
  if ((s = tl_hybrid_check_scales(ctx, node, wf, 0)) || (s = tl_hybrid_check_scales(ctx, node, wt, 0))) return s;
  if (wf->qcount != 1 || wt->qcount != 1) return tl_kunsupported(ctx, node, "per-axis quantized hybrid SVDF weights");
  if (!wt->known) return tl_kunsupported(ctx, node, "time weights computed at run time");
  p->asym = tl_svdf_asymmetric_quantize_inputs(kc_opts(node));
  p->wf_scale = wf->scale;
  const int64_t nt = (int64_t)p->filters * p->memory;
  float *wtf = tl_kpersist(ctx, (size_t)nt * sizeof(float));
  if (!wtf) return TL_ERR_NOMEM;
  for (int64_t i = 0; i < nt; i++) wtf[i] = (float)((const int8_t *)wt->data)[i] * wt->scale;
  p->wt_f32 = wtf;
  if (p->asym) {
    if (!wf->known) return tl_kunsupported(ctx, node, "feature weights computed at run time");
    int32_t *rs = tl_kpersist(ctx, (size_t)p->filters * sizeof(int32_t));
    if (!rs) return TL_ERR_NOMEM;
    tl_row_sums_s8(wf->data, p->filters, p->input_size, rs);
    p->row_sums = rs;
  }
  node->eval = svdf_eval_hybrid;
  return tl_kscratch(ctx, node, (size_t)p->batch * p->filters * 4 + (size_t)p->input_size);
}

tl_status tl_prep_svdf(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 3, 5, 1); /* the bias (input 3) is optional */
  if (s) return s;
  if (node->n_in != 5 || !node->in[4]) return tl_kfail(ctx, node, "expected 5 inputs with the state as input 4");
  const tl_tensor *in = node->in[0], *wf = node->in[1], *wt = node->in[2], *bias = node->in[3];
  tl_tensor *state = node->in[4], *out = node->out[0];
  svdf_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  node->state = p;
  const tl_fb_table *o = kc_opts(node);
  p->rank = tl_svdf_rank(o);
  p->act = tl_svdf_fused_activation_function(o);
  if (in->ndim != 2 || wf->ndim != 2 || wt->ndim != 2 || state->ndim != 2)
    return tl_kfail(ctx, node, "input, weights and state must be 2-D");
  p->batch = in->dims[0];
  p->input_size = in->dims[1];
  p->filters = wf->dims[0];
  p->memory = wt->dims[1];
  if (p->rank < 1) return tl_kfail(ctx, node, "rank %d must be >= 1", p->rank);
  if (wf->dims[1] != p->input_size) return tl_kfail(ctx, node, "weights_feature has %d columns, input %d", (int)wf->dims[1], p->input_size);
  if (wt->dims[0] != p->filters) return tl_kfail(ctx, node, "weights_time has %d rows, expected %d", (int)wt->dims[0], p->filters);
  if (p->filters < 1 || p->memory < 1 || p->filters % p->rank)
    return tl_kfail(ctx, node, "%d filters, memory %d, rank %d", p->filters, p->memory, p->rank);
  p->units = p->filters / p->rank;
  if (bias && (bias->ndim != 1 || bias->dims[0] != p->units)) return tl_kfail(ctx, node, "bias must be [%d]", p->units);
  if (!state->is_variable) return tl_kfail(ctx, node, "state must be a variable tensor");
  if (state->dims[0] != p->batch || (int64_t)state->dims[1] != (int64_t)p->memory * p->filters)
    return tl_kfail(ctx, node, "state must be [%d, %lld]", p->batch, (long long)p->memory * p->filters);
  int32_t od[2] = {p->batch, p->units};
  if ((s = tl_kset_shape(ctx, node, out, 2, od))) return s;
  if ((s = tl_kscratch(ctx, node, (size_t)p->batch * (size_t)p->filters * 4))) return s;
  if (!kc_act_is_clamp(p->act)) return tl_kunsupported(ctx, node, "fused activation %d", p->act);
  if (in->type == TL_FLOAT32 && (wf->type == TL_INT8 || wf->type == TL_UINT8)) return prep_hybrid(ctx, node, p);
  if (in->type == TL_FLOAT32) {
    if (wf->type != TL_FLOAT32 || wt->type != TL_FLOAT32 || state->type != TL_FLOAT32 || out->type != TL_FLOAT32 ||
        (bias && bias->type != TL_FLOAT32))
      return tl_kfail(ctx, node, "float SVDF needs float weights, bias, state and output");
    node->eval = svdf_eval_f32;
    return TL_OK;
  }
  if (in->type != TL_INT8) return tl_kunsupported(ctx, node, "input type %s", tl_type_name(in->type));
  if ((s = need_q(ctx, node, in, TL_INT8, "input")) || (s = need_q(ctx, node, wf, TL_INT8, "weights_feature")) ||
      (s = need_q(ctx, node, wt, TL_INT16, "weights_time")) || (s = need_q(ctx, node, state, TL_INT16, "state")) ||
      (s = need_q(ctx, node, out, TL_INT8, "output")))
    return s;
  if (bias && bias->type != TL_INT32) return tl_kfail(ctx, node, "bias must be int32");
  if (p->act != TL_TFL_ACT_RELU) return tl_kunsupported(ctx, node, "integer SVDF needs RELU (as TFLite)");
  /* svdf.cc: both effective scales are float products, widened to double. */
  const float e1 = in->scale * wf->scale / state->scale, e2 = state->scale * wt->scale / out->scale;
  if (tl_quantize_multiplier((double)e1, &p->m1, &p->s1) || tl_quantize_multiplier((double)e2, &p->m2, &p->s2))
    return tl_kfail(ctx, node, "effective scales %g / %g cannot be represented", (double)e1, (double)e2);
  p->in_zp = in->zero_point;
  p->out_zp = out->zero_point;
  node->eval = svdf_eval_s8;
  return TL_OK;
}

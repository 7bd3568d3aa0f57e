/* SPDX-License-Identifier: Apache-2.0
 * FULLY_CONNECTED: float (packed GEMM / GEMV), dynamic-range hybrid exactly as TFLite's EvalHybridDense
 * (per-row symmetric or asymmetric input quantization, exact int32 dot products - the int8 accumulator
 * microkernel when the weights are known - float rescale with the per-tensor or per-channel weight
 * scales, float bias, any fused activation), int8 (per-tensor or per-channel weights), legacy uint8 and
 * 16x8. Inputs of any rank: batch = numel / in_features.
 * int8/uint8 requantize as TFLite 2.9's optimized kernel does on x86 (ruy GEMM, tl_mbqm_ruy). */
#include <string.h>

#include "../gemm.h"
#include "../quant_math.h"
#include "../ukernels.h"
#include "conv_util.h"
#include "kcommon.h"

enum { K_F32, K_HYB, K_S8, K_U8, K_S16 };

typedef struct {
  int kind, act, units, asym, wpc, bias64;
  int64_t k, batch;
  float lo, hi;             /* clamp folded into the float GEMM */
  int post_act;             /* float: TANH / SIGN_BIT applied after the GEMM */
  const float *packed;      /* float: packed weights (NULL: packed into scratch at eval) */
  const int32_t *wsum;      /* hybrid asymmetric: weight row sums (NULL: computed at eval) */
  tl_requant rq;
  int by_rows;              /* parallel split: 1 = over batch rows, 0 = over output columns */
  int64_t jobs, job_size;
  size_t off_packed, off_wsum, off_q, off_sf, off_zp;
  /* Microkernel paths (known weights): float GEMV on the row-major weights for one row, float or
   * int8 indirect GEMM over packed weights otherwise. jobs cover (row tile, column chunk) pairs. */
  int uk_path;              /* 0 = reference loops, 1 = float GEMV, 2 = float igemm, 3 = int8 igemm */
  int mr;
  int64_t row_tiles, col_chunk, col_chunks;
  const void *ipacked;
  tl_f32_gemv_fn gemv;
  tl_f32_igemm_desc fk;
  tl_s8_igemm_desc qk;
  tl_f32_minmax fmm;
  tl_s8_minmax qmm;
  /* Hybrid with known weights: qk.acc over weights packed with in_zp 0 and no bias (its int32 sums
   * are TFLite's accumulators); job_size is then whole panels, and each thread has an MR x units
   * int32 buffer at off_acc. */
  const void *hpacked;
  size_t off_acc, acc_bytes;
} fc_state;

typedef struct {
  const fc_state *s;
  const void *in, *w, *bias;
  void *out;
  const float *packed;
  const int32_t *wsum;
  const int8_t *q;
  const float *sf, *wscales;
  const int32_t *zp;
  uint8_t *scratch;
} fc_args;

/* The rows [r0, r1) and columns [c0, c1) of job j. */
static void job_range(const fc_state *s, int64_t j, int64_t *r0, int64_t *r1, int64_t *c0, int64_t *c1) {
  if (s->by_rows) {
    *r0 = j * s->job_size, *r1 = *r0 + s->job_size < s->batch ? *r0 + s->job_size : s->batch;
    *c0 = 0, *c1 = s->units;
  } else {
    *c0 = j * s->job_size, *c1 = *c0 + s->job_size < s->units ? *c0 + s->job_size : s->units;
    *r0 = 0, *r1 = s->batch;
  }
}

/* ---- microkernel paths ---- */

static void fc_uk_task(void *arg, int64_t begin, int64_t end, int thread) {
  (void)thread;
  const fc_args *a = arg;
  const fc_state *s = a->s;
  for (int64_t j = begin; j < end; j++) {
    const int64_t c0 = (j % s->col_chunks) * s->col_chunk;
    const int64_t nc = s->units - c0 < s->col_chunk ? s->units - c0 : s->col_chunk;
    if (s->uk_path == 1) {
      const float *bias = a->bias ? (const float *)a->bias + c0 : NULL;
      s->gemv((size_t)nc, (size_t)s->k, a->in, (const float *)a->w + (size_t)c0 * s->k, (size_t)s->k, bias,
              (float *)a->out + c0, &s->fmm);
      continue;
    }
    const int64_t r0 = (j / s->col_chunks) * s->mr;
    const int mr = (int)(s->batch - r0 < s->mr ? s->batch - r0 : s->mr);
    const int one = s->batch == 1;
    const void *rows[8];
    const size_t es = s->uk_path == 2 ? 4 : 1;
    for (int i = 0; i < s->mr; i++) rows[i] = (const uint8_t *)a->in + (size_t)(r0 + (i < mr ? i : mr - 1)) * s->k * es;
    const size_t off = (size_t)r0 * s->units + (size_t)c0;
    if (s->uk_path == 2) {
      const float *w = (const float *)s->ipacked + (size_t)(c0 / s->fk.nr) * s->fk.nr * ((size_t)s->k + 1);
      (one ? s->fk.fn1 : s->fk.fn)((size_t)mr, (size_t)nc, (size_t)s->k, 1, (const float *const *)rows, w,
                                   (float *)a->out + off, (size_t)s->units, &s->fmm);
    } else {
      const uint8_t *w = (const uint8_t *)s->ipacked + (size_t)(c0 / s->qk.nr) * tl_s8_igemm_panel_bytes(s->qk.nr, 1, (size_t)s->k);
      (one ? s->qk.fn1 : s->qk.fn)((size_t)mr, (size_t)nc, (size_t)s->k, 1, (const int8_t *const *)rows, w,
                                   (int8_t *)a->out + off, (size_t)s->units, &s->qmm);
    }
  }
}

/* Batch-1 float FULLY_CONNECTED in TensorFlow Lite's order (its Eigen GEMV on x86, measured): per
 * output, 4 lane sums over k by lane (a multiply, then an add), reduced as (l0 + l2) + (l1 + l3), then
 * the k % 4 tail one by one; the bias added last, then the clamp. */
static void gemv_tflite_order(size_t n, size_t k, const float *x, const float *w, size_t ldw, const float *bias,
                              float *y, const tl_f32_minmax *p) {
  const size_t k4 = k / 4 * 4;
  for (size_t r = 0; r < n; r++) {
    const float *row = w + r * ldw;
    float l[4] = {0.f, 0.f, 0.f, 0.f};
    for (size_t j = 0; j < k4; j += 4)
      for (int q = 0; q < 4; q++) l[q] = l[q] + row[j + q] * x[j + q];
    float acc = (l[0] + l[2]) + (l[1] + l[3]);
    for (size_t j = k4; j < k; j++) acc += row[j] * x[j];
    float v = bias ? acc + bias[r] : acc;
    v = v < p->lo ? p->lo : v;
    y[r] = v > p->hi ? p->hi : v;
  }
}

static tl_status fc_eval_uk(tl_kctx *ctx, tl_node *n) {
  const fc_state *s = n->state;
  const tl_tensor *bias = n->n_in > 2 ? n->in[2] : NULL;
  fc_args a = {s, n->in[0]->data, n->in[1]->data, bias ? bias->data : NULL, n->out[0]->data, NULL, NULL, NULL, NULL,
               NULL, NULL, NULL};
  tl_kparallel(ctx, s->row_tiles * s->col_chunks, fc_uk_task, &a);
  if (s->post_act) {
    float *o = n->out[0]->data;
    for (int64_t i = 0; i < s->batch * s->units; i++) o[i] = tl_act_f32(s->act, o[i]);
  }
  return TL_OK;
}

/* Chooses a microkernel path for known weights and packs them once; leaves uk_path 0 otherwise. */
static tl_status fc_uk_prepare(tl_kctx *ctx, tl_node *n, fc_state *s, const tl_tensor *w, const tl_tensor *bias) {
  const tl_ukernels *uk = tl_kukernels(ctx);
  const tl_ukernels *uk_s8 = uk;
  const int threads = tl_kthreads(ctx);
  if (!w->known || (bias && !bias->known) || s->k > INT32_MAX / 16) return TL_OK;
  if (s->kind == K_F32 && s->batch == 1) {
    /* GEMV reads TFLite's weights in place: nothing to pack. Split columns over threads when the
     * weights are big enough to be worth it (whole groups of 4 rows). */
    s->uk_path = 1;
    s->gemv = tl_kexact_float(ctx) ? gemv_tflite_order : uk->f32_gemv;
    s->mr = 1, s->row_tiles = 1;
    int64_t chunk = s->units;
    if (threads > 1 && s->units * s->k >= 16384) chunk = (s->units + threads - 1) / threads;
    s->col_chunk = (chunk + 3) / 4 * 4;
  } else if (s->kind == K_F32 || (s->kind == K_S8 && s->rq.w_zp == 0)) {
    const int f32 = s->kind == K_F32;
    if (f32 && tl_kexact_float(ctx)) uk = tl_ukernels_by_name("scalar"); /* TFLite's order (conv2d.c) */
    const size_t nr = f32 ? uk->f32_igemm.nr : uk->s8_igemm.nr;
    const int mr = f32 ? uk->f32_igemm.mr : uk->s8_igemm.mr;
    if (mr > 8) return TL_OK;
    const size_t bytes = f32 ? tl_f32_igemm_packed_size(nr, (size_t)s->units, 1, (size_t)s->k) * sizeof(float)
                             : tl_s8_igemm_packed_size(nr, (size_t)s->units, 1, (size_t)s->k);
    if (!bytes || (f32 && bytes / sizeof(float) > SIZE_MAX / 8)) return tl_kfail(ctx, n, "weights too large");
    void *p = tl_kpersist(ctx, bytes);
    if (!p) return tl_kfail(ctx, n, "out of memory packing %zu bytes of weights", bytes);
    if (f32)
      tl_f32_igemm_pack(nr, (size_t)s->units, 1, (size_t)s->k, w->data, (size_t)s->k, bias ? bias->data : NULL, p);
    else
      tl_s8_igemm_pack(nr, (size_t)s->units, 1, (size_t)s->k, w->data, (size_t)s->k, bias ? bias->data : NULL,
                       s->rq.in_zp, s->rq.mult, s->rq.shift, s->wpc, p);
    s->uk_path = f32 ? 2 : 3;
    s->ipacked = p;
    s->fk = uk->f32_igemm, s->qk = uk_s8->s8_igemm;
    s->mr = mr;
    s->row_tiles = (s->batch + mr - 1) / mr;
    /* few row tiles (small batch): also split the columns, in whole panels */
    int64_t chunks = s->row_tiles >= 2 * threads ? 1 : 2 * threads;
    int64_t chunk = (s->units + chunks - 1) / chunks;
    chunk = (chunk + (int64_t)nr - 1) / (int64_t)nr * (int64_t)nr;
    s->col_chunk = chunk;
  } else {
    return TL_OK;
  }
  s->col_chunks = (s->units + s->col_chunk - 1) / s->col_chunk;
  s->fmm = (tl_f32_minmax){s->lo, s->hi};
  s->qmm = (tl_s8_minmax){s->rq.out_zp, s->rq.act_min, s->rq.act_max};
  n->state = s;
  n->eval = fc_eval_uk;
  return TL_OK;
}

static void fc_f32_task(void *arg, int64_t begin, int64_t end, int thread) {
  (void)thread;
  const fc_args *a = arg;
  const fc_state *s = a->s;
  for (int64_t j = begin; j < end; j++) {
    int64_t r0, r1, c0, c1;
    job_range(s, j, &r0, &r1, &c0, &c1);
    const float *bias = a->bias ? (const float *)a->bias + c0 : NULL;
    float *out = (float *)a->out + (size_t)r0 * s->units + c0;
    tl_f32_gemm((int)(r1 - r0), (int)(c1 - c0), (int)s->k, (const float *)a->in + (size_t)r0 * s->k, (size_t)s->k,
                a->packed + tl_f32_gemm_panel_offset((int)c0, (int)s->k), bias, s->lo, s->hi, out, (size_t)s->units);
    if (s->post_act)
      for (int64_t r = r0; r < r1; r++)
        for (int64_t c = c0; c < c1; c++) {
          float *v = (float *)a->out + (size_t)r * s->units + c;
          *v = tl_act_f32(s->act, *v);
        }
  }
}

static tl_status fc_eval_f32(tl_kctx *ctx, tl_node *n) {
  const fc_state *s = n->state;
  const tl_tensor *w = n->in[1], *bias = n->n_in > 2 ? n->in[2] : NULL;
  const float *packed = s->packed;
  if (!packed) {
    float *p = (float *)((uint8_t *)n->scratch + s->off_packed);
    tl_f32_gemm_pack_b(s->units, (int)s->k, w->data, (size_t)s->k, p);
    packed = p;
  }
  fc_args a = {s, n->in[0]->data, w->data, bias ? bias->data : NULL, n->out[0]->data, packed, NULL, NULL, NULL, NULL,
               NULL, NULL};
  tl_kparallel(ctx, s->jobs, fc_f32_task, &a);
  return TL_OK;
}

/* Float outputs [c0, c0 + n) of row r from their int32 accumulators. */
static void fc_hybrid_out(const fc_args *a, const fc_state *s, const int32_t *acc, int64_t r, int64_t c0, int64_t n) {
  const float *bias = a->bias;
  float *out = (float *)a->out + (size_t)r * s->units;
  for (int64_t j = 0; j < n; j++) {
    const int64_t c = c0 + j;
    int32_t v0 = acc[j];
    /* MatrixBatchVectorMultiplyAccumulate: dot - row_sum * input_offset, times the batch's scaling
     * factor (already multiplied by the weight scale when per-tensor) times the channel's scale,
     * accumulated onto the bias. */
    if (s->asym) v0 = (int32_t)((uint32_t)v0 - (uint32_t)a->wsum[c] * (uint32_t)a->zp[r]);
    float scale = a->sf[r];
    if (s->wpc) scale *= a->wscales[c];
    const float v = (bias ? bias[c] : 0.f) + (float)v0 * scale;
    out[c] = tl_act_f32(s->act, v);
  }
}

static void fc_hybrid_task(void *arg, int64_t begin, int64_t end, int thread) {
  const fc_args *a = arg;
  const fc_state *s = a->s;
  const int8_t *w = a->w;
  for (int64_t j = begin; j < end; j++) {
    int64_t r0, r1, c0, c1;
    job_range(s, j, &r0, &r1, &c0, &c1);
    if (s->hpacked) {
      int32_t *acc = (int32_t *)(void *)(a->scratch + s->off_acc + (size_t)thread * s->acc_bytes);
      const int MR = s->mr;
      const uint8_t *wp =
          (const uint8_t *)s->hpacked + (size_t)(c0 / s->qk.nr) * tl_s8_igemm_panel_bytes(s->qk.nr, 1, (size_t)s->k);
      for (int64_t rb = r0; rb < r1; rb += MR) {
        const int mr = (int)(r1 - rb < MR ? r1 - rb : MR);
        const int8_t *rows[8];
        for (int i = 0; i < MR; i++) rows[i] = a->q + (size_t)(rb + (i < mr ? i : mr - 1)) * s->k;
        s->qk.acc((size_t)mr, (size_t)(c1 - c0), (size_t)s->k, 1, rows, wp, acc, (size_t)(c1 - c0));
        for (int i = 0; i < mr; i++) fc_hybrid_out(a, s, acc + (size_t)i * (size_t)(c1 - c0), rb + i, c0, c1 - c0);
      }
      continue;
    }
    for (int64_t r = r0; r < r1; r++) {
      const int8_t *x = a->q + (size_t)r * s->k;
      for (int64_t c = c0; c < c1; c++) {
        const int32_t acc = tl_dot_q8(x, w + (size_t)c * s->k, s->k);
        fc_hybrid_out(a, s, &acc, r, c, 1);
      }
    }
  }
}

static tl_status fc_eval_hybrid(tl_kctx *ctx, tl_node *n) {
  const fc_state *s = n->state;
  const tl_tensor *in = n->in[0], *w = n->in[1], *bias = n->n_in > 2 ? n->in[2] : NULL;
  uint8_t *sc = n->scratch;
  int8_t *q = (int8_t *)(sc + s->off_q);
  float *sf = (float *)(sc + s->off_sf);
  int32_t *zp = (int32_t *)(sc + s->off_zp);
  for (int64_t b = 0; b < s->batch; b++) {
    const float *x = (const float *)in->data + (size_t)b * s->k;
    if (s->asym) {
      tl_hybrid_quant_asym(x, s->k, q + (size_t)b * s->k, &sf[b], &zp[b]);
    } else {
      tl_hybrid_quant_sym(x, s->k, q + (size_t)b * s->k, &sf[b]);
      zp[b] = 0;
    }
    if (!s->wpc) sf[b] *= w->scale;
  }
  const int32_t *wsum = s->wsum;
  if (s->asym && !wsum) {
    int32_t *ws = (int32_t *)(sc + s->off_wsum);
    tl_row_sums_s8(w->data, s->units, s->k, ws);
    wsum = ws;
  }
  fc_args a = {s, in->data, w->data, bias ? bias->data : NULL, n->out[0]->data, NULL, wsum, q, sf, w->scales, zp, sc};
  tl_kparallel(ctx, s->jobs, fc_hybrid_task, &a);
  return TL_OK;
}

static void fc_quant_task(void *arg, int64_t begin, int64_t end, int thread) {
  (void)thread;
  const fc_args *a = arg;
  const fc_state *s = a->s;
  const tl_requant *rq = &s->rq;
  const int pc = rq->mult && s->wpc;
  for (int64_t j = begin; j < end; j++) {
    int64_t r0, r1, c0, c1;
    job_range(s, j, &r0, &r1, &c0, &c1);
    for (int64_t r = r0; r < r1; r++) {
      for (int64_t c = c0; c < c1; c++) {
        const int ch = pc ? (int)c : 0;
        int32_t acc;
        if (s->kind == K_S16) {
          const int16_t *x = (const int16_t *)a->in + (size_t)r * s->k;
          const int8_t *w = (const int8_t *)a->w + (size_t)c * s->k;
          int64_t acc64 = 0;
          const int32_t woff = -rq->w_zp;
          for (int64_t i = 0; i < s->k; i++) acc64 += ((int32_t)w[i] + woff) * (int32_t)x[i];
          if (s->bias64) {
            if (a->bias) acc64 += ((const int64_t *)a->bias)[c];
            acc = tl_mbqm64(acc64, rq->mult[ch], rq->shift[ch]);
          } else {
            uint32_t a32 = (uint32_t)acc64;
            if (a->bias) a32 += (uint32_t)((const int32_t *)a->bias)[c];
            acc = tl_mbqm((int32_t)a32, rq->mult[ch], rq->shift[ch]);
          }
          acc += rq->out_zp;
        } else {
          if (s->kind == K_S8) {
            const int8_t *x = (const int8_t *)a->in + (size_t)r * s->k;
            const int8_t *w = (const int8_t *)a->w + (size_t)c * s->k;
            if (rq->w_zp == 0) {
              acc = tl_dot_s8(x, w, s->k, -rq->in_zp);
            } else { /* per-tensor int8 weights with a zero point: TFLite still applies it */
              uint32_t u = 0;
              for (int64_t i = 0; i < s->k; i++) u += (uint32_t)(((int32_t)x[i] - rq->in_zp) * ((int32_t)w[i] - rq->w_zp));
              acc = (int32_t)u;
            }
          } else {
            acc = tl_dot_u8((const uint8_t *)a->in + (size_t)r * s->k, (const uint8_t *)a->w + (size_t)c * s->k, s->k,
                            -rq->in_zp, -rq->w_zp);
          }
          if (a->bias) acc = (int32_t)((uint32_t)acc + (uint32_t)((const int32_t *)a->bias)[c]);
          acc = tl_mbqm_ruy(acc, rq->mult[ch], rq->shift[ch]) + rq->out_zp;
        }
        acc = acc < rq->act_min ? rq->act_min : (acc > rq->act_max ? rq->act_max : acc);
        const size_t o = (size_t)r * s->units + (size_t)c;
        if (s->kind == K_S8) ((int8_t *)a->out)[o] = (int8_t)acc;
        else if (s->kind == K_U8) ((uint8_t *)a->out)[o] = (uint8_t)acc;
        else ((int16_t *)a->out)[o] = (int16_t)acc;
      }
    }
  }
}

static tl_status fc_eval_quant(tl_kctx *ctx, tl_node *n) {
  const fc_state *s = n->state;
  const tl_tensor *bias = n->n_in > 2 ? n->in[2] : NULL;
  fc_args a = {s, n->in[0]->data, n->in[1]->data, bias ? bias->data : NULL, n->out[0]->data, NULL, NULL, NULL, NULL,
               NULL, NULL, NULL};
  tl_kparallel(ctx, s->jobs, fc_quant_task, &a);
  return TL_OK;
}

tl_status tl_prep_fully_connected(tl_kctx *ctx, tl_node *n) {
  tl_status st = kc_io(ctx, n, 2, 3, 1);
  if (st) return st;
  const tl_tensor *in = n->in[0], *w = n->in[1], *bias = n->n_in > 2 ? n->in[2] : NULL;
  tl_tensor *out = n->out[0];
  if (n->m && n->m->options.ok && n->m->options_type != 8)
    return tl_kfail(ctx, n, "options are of union type %d, not FullyConnectedOptions", n->m->options_type);
  const tl_fb_table *o = kc_opts(n);
  fc_state *s = tl_kpersist(ctx, sizeof *s);
  if (!s) return tl_kfail(ctx, n, "out of memory");
  s->act = tl_fully_connected_fused_activation_function(o);
  const int wfmt = tl_fully_connected_weights_format(o);
  const int keep = tl_fully_connected_keep_num_dims(o);
  s->asym = tl_fully_connected_asymmetric_quantize_inputs(o);
  if (wfmt != 0) return tl_kunsupported(ctx, n, "weights_format %d (only DEFAULT is supported)", wfmt);
  if (s->act < TL_TFL_ACT_NONE || s->act > TL_TFL_ACT_SIGN_BIT) return tl_kfail(ctx, n, "unknown fused activation %d", s->act);
  if (w->ndim != 2) return tl_kfail(ctx, n, "weights must have rank 2 ([units, in_features]), not %d", (int)w->ndim);
  if (w->m && w->m->has_sparsity && !w->known)
    return tl_kunsupported(ctx, n, "sparse weights must be densified first");
  s->units = w->dims[0];
  s->k = w->dims[1];
  if (s->units < 1 || s->k < 1)
    return tl_kfail(ctx, n, "weights shape [%d, %d] has a dimension < 1", (int)w->dims[0], (int)w->dims[1]);
  if (in->ndim < 1) return tl_kfail(ctx, n, "input must have rank >= 1");
  const int64_t total = tl_numel(in);
  if (total % s->k)
    return tl_kfail(ctx, n, "input of %lld values is not a whole number of rows of %lld features", (long long)total,
                    (long long)s->k);
  s->batch = total / s->k;
  if (bias && tl_numel(bias) != s->units)
    return tl_kfail(ctx, n, "bias has %lld values for %d units", (long long)tl_numel(bias), s->units);
  int32_t odims[TL_MAX_DIMS];
  int ond;
  if (keep) {
    if (in->dims[in->ndim - 1] != s->k)
      return tl_kfail(ctx, n, "keep_num_dims needs the last input dimension (%d) to equal in_features (%lld)",
                      (int)in->dims[in->ndim - 1], (long long)s->k);
    ond = in->ndim;
    for (int i = 0; i < ond; i++) odims[i] = in->dims[i];
    odims[ond - 1] = s->units;
  } else {
    if (s->batch > INT32_MAX) return tl_kfail(ctx, n, "batch too large");
    ond = 2, odims[0] = (int32_t)s->batch, odims[1] = s->units;
  }

  if (in->type == TL_FLOAT32 && w->type == TL_FLOAT32) {
    s->kind = K_F32;
    if (out->type != TL_FLOAT32) return tl_kfail(ctx, n, "float FC needs a float32 output");
    if (bias && bias->type != TL_FLOAT32) return tl_kfail(ctx, n, "float FC needs a float32 bias");
  } else if (in->type == TL_FLOAT32 && (w->type == TL_INT8 || w->type == TL_UINT8)) {
    s->kind = K_HYB;
    if (out->type != TL_FLOAT32) return tl_kfail(ctx, n, "hybrid FC needs a float32 output");
    if (bias && bias->type != TL_FLOAT32) return tl_kfail(ctx, n, "hybrid FC needs a float32 bias");
    st = tl_hybrid_check_scales(ctx, n, w, 0);
    if (st) return st;
    s->wpc = w->qcount > 1;
  } else if (in->type == TL_INT8 || in->type == TL_UINT8 || in->type == TL_INT16) {
    const int want_w = in->type == TL_UINT8 ? TL_UINT8 : TL_INT8;
    if (w->type != want_w)
      return tl_kfail(ctx, n, "%s FC needs %s weights, not %s", tl_type_name(in->type), tl_type_name(want_w),
                      tl_type_name(w->type));
    if (out->type != in->type)
      return tl_kunsupported(ctx, n, "%s input with %s output is not supported", tl_type_name(in->type),
                             tl_type_name(out->type));
    if (!kc_act_is_clamp(s->act))
      return tl_kfail(ctx, n, "quantized FC supports NONE/RELU/RELU_N1_TO_1/RELU6, not activation %d", s->act);
    if (in->type == TL_INT16) {
      if ((st = tl_s16_bias_check(ctx, n, "FC", in, out, bias, tl_fully_connected_quantized_bias_type(o), &s->bias64)))
        return st;
      s->kind = K_S16;
    } else {
      if (bias && bias->type != TL_INT32)
        return tl_kfail(ctx, n, "%s FC needs an int32 bias, not %s", tl_type_name(in->type), tl_type_name(bias->type));
      s->kind = in->type == TL_INT8 ? K_S8 : K_U8;
    }
    s->wpc = w->qcount > 1;
    /* Per-tensor: GetQuantizedConvolutionMultipler (float product); per-channel: double product. */
    st = tl_requant_init(ctx, n, in, w, bias, out, s->act, s->wpc ? s->units : 1, 0, !s->wpc, &s->rq);
    if (st) return st;
  } else {
    return tl_kunsupported(ctx, n, "input %s with weights %s is not supported", tl_type_name(in->type),
                           tl_type_name(w->type));
  }
  st = tl_kset_shape(ctx, n, out, ond, odims);
  if (st) return st;

  if (s->kind == K_F32) {
    tl_conv_act_range(s->act, &s->lo, &s->hi);
    /* TFLite refuses TANH/SIGN_BIT on a float FC; tinylite applies them (as its hybrid kernel does). */
    s->post_act = s->act == TL_TFL_ACT_TANH || s->act == TL_TFL_ACT_SIGN_BIT;
  }

  /* Parallel split: by rows when there are enough, else by groups of output columns (GEMV). */
  const int threads = tl_kthreads(ctx);
  if (s->batch >= 4 * threads || s->batch >= 64) {
    s->by_rows = 1;
    s->job_size = s->batch / threads / 2;
    s->job_size = s->job_size < 4 ? 4 : (s->job_size > 64 ? 64 : s->job_size);
    s->jobs = (s->batch + s->job_size - 1) / s->job_size;
  } else {
    s->by_rows = 0;
    int64_t work = s->batch * s->k; /* per column */
    int64_t cols = (1 << 15) / (work > 0 ? work : 1);
    if (cols < 1) cols = 1; /* a wide batch: one panel group per job (0 would divide by zero below) */
    /* whole groups of four panels: the GEMV kernel's widest case */
    cols = (cols + 4 * TL_GEMM_NR - 1) / (4 * TL_GEMM_NR) * (4 * TL_GEMM_NR);
    s->job_size = cols;
    s->jobs = (s->units + s->job_size - 1) / s->job_size;
  }

  st = fc_uk_prepare(ctx, n, s, w, bias);
  if (st || s->uk_path) return st;

  size_t off = 0;
  if (s->kind == K_F32) {
    const size_t pk = tl_f32_gemm_packed_size(s->units, s->k);
    if (!pk || pk > SIZE_MAX / 4) return tl_kfail(ctx, n, "weights too large");
    if (w->known) {
      float *p = tl_kpersist(ctx, pk * sizeof(float));
      if (!p) return tl_kfail(ctx, n, "out of memory packing weights");
      tl_f32_gemm_pack_b(s->units, (int)s->k, w->data, (size_t)s->k, p);
      s->packed = p;
    } else {
      s->off_packed = off, off += tl_align16(pk * sizeof(float));
    }
  } else if (s->kind == K_HYB) {
    if (s->asym) {
      if (w->known) {
        int32_t *ws = tl_kpersist(ctx, sizeof(int32_t) * (size_t)s->units);
        if (!ws) return tl_kfail(ctx, n, "out of memory");
        tl_row_sums_s8(w->data, s->units, s->k, ws);
        s->wsum = ws;
      } else {
        s->off_wsum = off, off += tl_align16(sizeof(int32_t) * (size_t)s->units);
      }
    }
    const tl_s8_igemm_desc qk = tl_kukernels(ctx)->s8_igemm;
    const size_t pk = tl_s8_igemm_packed_size(qk.nr, (size_t)s->units, 1, (size_t)s->k);
    if (w->known && qk.acc && qk.mr <= 8 && pk && s->k <= INT32_MAX / 16) {
      void *p = tl_kpersist(ctx, pk);
      if (!p) return tl_kfail(ctx, n, "out of memory packing %zu bytes of weights", pk);
      /* in_zp 0, no bias: the accumulators are sum(q * w) (the requantization rows are unused) */
      const int32_t one = 1 << 30;
      const int zero = 0;
      tl_s8_igemm_pack(qk.nr, (size_t)s->units, 1, (size_t)s->k, w->data, (size_t)s->k, NULL, 0, &one, &zero, 0, p);
      s->hpacked = p;
      s->qk = qk;
      s->mr = qk.mr;
      if (!s->by_rows) { /* column jobs start on a panel */
        s->job_size = (s->job_size + qk.nr - 1) / qk.nr * qk.nr;
        s->jobs = (s->units + s->job_size - 1) / s->job_size;
      }
      s->acc_bytes = tl_align16(sizeof(int32_t) * (size_t)qk.mr * (size_t)s->units);
    }
    s->off_q = off, off += tl_align16((size_t)total);
    s->off_sf = off, off += tl_align16(sizeof(float) * (size_t)s->batch);
    s->off_zp = off, off += tl_align16(sizeof(int32_t) * (size_t)s->batch);
    s->off_acc = off;
    if (s->acc_bytes && (size_t)threads > (SIZE_MAX - off) / s->acc_bytes) return tl_kfail(ctx, n, "scratch too large");
    off += (size_t)threads * s->acc_bytes;
  }
  if (off) {
    st = tl_kscratch(ctx, n, off);
    if (st) return st;
  }
  n->state = s;
  n->eval = s->kind == K_F32 ? fc_eval_f32 : s->kind == K_HYB ? fc_eval_hybrid : fc_eval_quant;
  return TL_OK;
}

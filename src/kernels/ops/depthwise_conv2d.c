/* SPDX-License-Identifier: Apache-2.0
 * DEPTHWISE_CONV_2D: float, hybrid (TFLite's DepthwiseConvHybridPerChannel: asymmetric per-batch input
 * quantization), int8 per-channel, legacy uint8 and 16x8. Output channel oc = ic * M + m reads input
 * channel ic; the depth multiplier M comes from the shapes, as TFLite computes it. Inner loops run
 * over contiguous channels so they vectorize; work is split over output rows. */
#include <string.h>

#include "../quant_math.h"
#include "conv_util.h"
#include "kcommon.h"

enum { K_F32, K_HYB, K_S8, K_U8, K_S16 };

typedef struct {
  tl_conv_geom g;
  int kind, oc, mult, act, wpc;
  float lo, hi;
  tl_requant rq;
  size_t off_qin, off_qpar, off_acc, acc_bytes;
} dw_state;

typedef struct {
  const dw_state *s;
  const void *in, *w, *bias;
  void *out;
  uint8_t *scratch;
  const int8_t *qin;
  const float *qscale, *wscales;
  const int32_t *qzp;
} dw_args;

/* The valid filter taps of output row oy / column ox: [k0, k1) in each direction. */
static void tap_range(int o, int stride, int pad, int dil, int k, int size, int *k0, int *k1) {
  const int origin = o * stride - pad;
  int a = 0, b = k;
  while (a < b && origin + a * dil < 0) a++;
  while (b > a && origin + (b - 1) * dil >= size) b--;
  *k0 = a, *k1 = b;
}

static void dw_task(void *arg, int64_t begin, int64_t end, int thread) {
  const dw_args *a = arg;
  const dw_state *s = a->s;
  const tl_conv_geom *g = &s->g;
  const int C = g->c, OC = s->oc, M = s->mult;
  void *accbuf = a->scratch ? a->scratch + s->off_acc + (size_t)thread * s->acc_bytes : NULL;
  const tl_requant *rq = &s->rq;
  for (int64_t r = begin; r < end; r++) {
    const int b = (int)(r / g->oh), oy = (int)(r % g->oh);
    int ky0, ky1;
    tap_range(oy, g->sh, g->ph, g->dh, g->kh, g->h, &ky0, &ky1);
    for (int ox = 0; ox < g->ow; ox++) {
      int kx0, kx1;
      tap_range(ox, g->sw, g->pw, g->dw, g->kw, g->w, &kx0, &kx1);
      const size_t opix = (((size_t)b * g->oh + oy) * g->ow + ox) * OC;
      if (s->kind == K_F32) {
        float *restrict acc = (float *)a->out + opix;
        const float *bias = a->bias;
        for (int c = 0; c < OC; c++) acc[c] = bias ? bias[c] : 0.f;
        for (int ky = ky0; ky < ky1; ky++)
          for (int kx = kx0; kx < kx1; kx++) {
            const int iy = oy * g->sh - g->ph + ky * g->dh, ix = ox * g->sw - g->pw + kx * g->dw;
            const float *restrict x = (const float *)a->in + (((size_t)b * g->h + iy) * g->w + ix) * C;
            const float *restrict w = (const float *)a->w + ((size_t)ky * g->kw + kx) * OC;
            if (M == 1) {
              for (int c = 0; c < C; c++) acc[c] += x[c] * w[c];
            } else {
              for (int c = 0; c < C; c++)
                for (int m = 0; m < M; m++) acc[c * M + m] += x[c] * w[c * M + m];
            }
          }
        for (int c = 0; c < OC; c++) {
          float v = acc[c];
          v = v < s->lo ? s->lo : v;
          acc[c] = v > s->hi ? s->hi : v;
        }
      } else if (s->kind == K_S16) {
        int64_t *restrict acc = accbuf;
        for (int c = 0; c < OC; c++) acc[c] = 0;
        for (int ky = ky0; ky < ky1; ky++)
          for (int kx = kx0; kx < kx1; kx++) {
            const int iy = oy * g->sh - g->ph + ky * g->dh, ix = ox * g->sw - g->pw + kx * g->dw;
            const int16_t *restrict x = (const int16_t *)a->in + (((size_t)b * g->h + iy) * g->w + ix) * C;
            const int8_t *restrict w = (const int8_t *)a->w + ((size_t)ky * g->kw + kx) * OC;
            for (int c = 0; c < C; c++)
              for (int m = 0; m < M; m++) acc[c * M + m] += (int32_t)x[c] * (int32_t)w[c * M + m];
          }
        int16_t *o = (int16_t *)a->out + opix;
        for (int c = 0; c < OC; c++) {
          int64_t v = acc[c] + (a->bias ? ((const int64_t *)a->bias)[c] : 0);
          int32_t q = tl_mbqm64(v, rq->mult[c], rq->shift[c]);
          q = q < rq->act_min ? rq->act_min : (q > rq->act_max ? rq->act_max : q);
          o[c] = (int16_t)q;
        }
      } else {
        /* int8, uint8 and hybrid share an int32 accumulator (wrapping, as TFLite's on hardware). */
        uint32_t *restrict acc = accbuf;
        for (int c = 0; c < OC; c++) acc[c] = 0;
        const int32_t xoff = s->kind == K_HYB ? -a->qzp[b] : -rq->in_zp;
        const int32_t woff = s->kind == K_U8 ? -rq->w_zp : 0;
        for (int ky = ky0; ky < ky1; ky++)
          for (int kx = kx0; kx < kx1; kx++) {
            const int iy = oy * g->sh - g->ph + ky * g->dh, ix = ox * g->sw - g->pw + kx * g->dw;
            const size_t ipix = (((size_t)b * g->h + iy) * g->w + ix) * C;
            const size_t wk = ((size_t)ky * g->kw + kx) * OC;
            if (s->kind == K_U8) {
              const uint8_t *restrict x = (const uint8_t *)a->in + ipix;
              const uint8_t *restrict w = (const uint8_t *)a->w + wk;
              for (int c = 0; c < C; c++)
                for (int m = 0; m < M; m++)
                  acc[c * M + m] += (uint32_t)(((int32_t)x[c] + xoff) * ((int32_t)w[c * M + m] + woff));
            } else {
              const int8_t *restrict x = s->kind == K_HYB ? a->qin + ipix : (const int8_t *)a->in + ipix;
              const int8_t *restrict w = (const int8_t *)a->w + wk;
              if (M == 1) {
                for (int c = 0; c < C; c++) acc[c] += (uint32_t)(((int32_t)x[c] + xoff) * (int32_t)w[c]);
              } else {
                for (int c = 0; c < C; c++)
                  for (int m = 0; m < M; m++) acc[c * M + m] += (uint32_t)(((int32_t)x[c] + xoff) * (int32_t)w[c * M + m]);
              }
            }
          }
        if (s->kind == K_HYB) {
          /* reference DepthwiseConvHybridPerChannel: float(acc) * (scale[c] * input_scale) + bias */
          float *o = (float *)a->out + opix;
          const float *bias = a->bias;
          const float sf = a->qscale[b];
          for (int c = 0; c < OC; c++) {
            float v = (float)(int32_t)acc[c];
            v *= a->wscales[s->wpc ? c : 0] * sf;
            if (bias) v += bias[c];
            v = v < s->lo ? s->lo : v;
            o[c] = v > s->hi ? s->hi : v;
          }
        } else {
          const int32_t *bias = a->bias;
          for (int c = 0; c < OC; c++) {
            int32_t v = (int32_t)(acc[c] + (bias ? (uint32_t)bias[c] : 0u));
            v = tl_mbqm(v, rq->mult[c], rq->shift[c]) + rq->out_zp;
            v = v < rq->act_min ? rq->act_min : (v > rq->act_max ? rq->act_max : v);
            if (s->kind == K_S8) ((int8_t *)a->out)[opix + c] = (int8_t)v;
            else ((uint8_t *)a->out)[opix + c] = (uint8_t)v;
          }
        }
      }
    }
  }
}

static tl_status dw_eval(tl_kctx *ctx, tl_node *n) {
  const dw_state *s = n->state;
  const tl_tensor *bias = n->n_in > 2 ? n->in[2] : NULL;
  dw_args a = {s, n->in[0]->data, n->in[1]->data, bias ? bias->data : NULL, n->out[0]->data, n->scratch,
               NULL, NULL, NULL, NULL};
  tl_kparallel(ctx, (int64_t)s->g.b * s->g.oh, dw_task, &a);
  return TL_OK;
}

static tl_status dw_eval_hybrid(tl_kctx *ctx, tl_node *n) {
  const dw_state *s = n->state;
  const tl_tensor *in = n->in[0], *bias = n->n_in > 2 ? n->in[2] : NULL;
  uint8_t *sc = n->scratch;
  int8_t *qin = (int8_t *)(sc + s->off_qin);
  float *qscale = (float *)(sc + s->off_qpar);
  int32_t *qzp = (int32_t *)(sc + s->off_qpar + tl_align16(sizeof(float) * (size_t)s->g.b));
  const int64_t per = (int64_t)s->g.h * s->g.w * s->g.c;
  for (int b = 0; b < s->g.b; b++)
    tl_hybrid_quant_asym((const float *)in->data + (size_t)b * per, per, qin + (size_t)b * per, &qscale[b], &qzp[b]);
  dw_args a = {s, in->data, n->in[1]->data, bias ? bias->data : NULL, n->out[0]->data, sc, qin, qscale,
               n->in[1]->scales, qzp};
  tl_kparallel(ctx, (int64_t)s->g.b * s->g.oh, dw_task, &a);
  return TL_OK;
}

tl_status tl_prep_depthwise_conv2d(tl_kctx *ctx, tl_node *n) {
  tl_status st = kc_io(ctx, n, 2, 3, 1);
  if (st) return st;
  const tl_tensor *in = n->in[0], *w = n->in[1], *bias = n->n_in > 2 ? n->in[2] : NULL;
  tl_tensor *out = n->out[0];
  if (n->m && n->m->options.ok && n->m->options_type != 2)
    return tl_kfail(ctx, n, "options are of union type %d, not DepthwiseConv2DOptions", n->m->options_type);
  if (in->ndim != 4) return tl_kfail(ctx, n, "input must have rank 4 (NHWC), not %d", (int)in->ndim);
  if (w->ndim != 4 || w->dims[0] != 1)
    return tl_kfail(ctx, n, "filter must have shape [1, H, W, C*M] (rank %d, first dim %d)", (int)w->ndim,
                    w->ndim > 0 ? (int)w->dims[0] : 0);
  const tl_fb_table *o = kc_opts(n);
  dw_state *s = tl_kpersist(ctx, sizeof *s);
  if (!s) return tl_kfail(ctx, n, "out of memory");
  s->g.b = in->dims[0], s->g.h = in->dims[1], s->g.w = in->dims[2], s->g.c = in->dims[3];
  s->g.kh = w->dims[1], s->g.kw = w->dims[2];
  s->oc = w->dims[3];
  if (s->oc < 1) return tl_kfail(ctx, n, "filter has %d channels; must be >= 1", s->oc);
  st = tl_conv_geom_init(ctx, n, &s->g, tl_depthwise_conv2d_padding(o), tl_depthwise_conv2d_stride_h(o),
                         tl_depthwise_conv2d_stride_w(o), tl_depthwise_conv2d_dilation_h_factor(o),
                         tl_depthwise_conv2d_dilation_w_factor(o));
  if (st) return st;
  if (s->oc % s->g.c)
    return tl_kfail(ctx, n, "filter channels %d are not a multiple of input channels %d", s->oc, s->g.c);
  s->mult = s->oc / s->g.c;
  /* depth_multiplier in the options is informative only: TFLite derives it from the shapes too. */
  s->act = tl_depthwise_conv2d_fused_activation_function(o);
  tl_conv_act_range(s->act, &s->lo, &s->hi);
  if (bias && tl_numel(bias) != s->oc)
    return tl_kfail(ctx, n, "bias has %lld values for %d output channels", (long long)tl_numel(bias), s->oc);
  if (out->type != in->type)
    return tl_kfail(ctx, n, "output type %s differs from input type %s", tl_type_name(out->type), tl_type_name(in->type));
  int32_t odims[4] = {s->g.b, s->g.oh, s->g.ow, s->oc};
  st = tl_kset_shape(ctx, n, out, 4, odims);
  if (st) return st;

  size_t acc_es = 0;
  if (in->type == TL_FLOAT32 && w->type == TL_FLOAT32) {
    s->kind = K_F32;
    if (bias && bias->type != TL_FLOAT32) return tl_kfail(ctx, n, "float depthwise conv needs a float32 bias");
  } else if (in->type == TL_FLOAT32 && w->type == TL_INT8) {
    st = tl_hybrid_check_scales(ctx, n, w, 3);
    if (st) return st;
    if (bias && bias->type != TL_FLOAT32) return tl_kfail(ctx, n, "hybrid depthwise conv needs a float32 bias");
    s->kind = K_HYB, s->wpc = w->qcount > 1, acc_es = 4;
  } else if (in->type == TL_INT8 || in->type == TL_UINT8 || in->type == TL_INT16) {
    const int want_w = in->type == TL_UINT8 ? TL_UINT8 : TL_INT8;
    if (w->type != want_w)
      return tl_kfail(ctx, n, "%s depthwise conv needs %s weights, not %s", tl_type_name(in->type),
                      tl_type_name(want_w), tl_type_name(w->type));
    const int want_b = in->type == TL_INT16 ? TL_INT64 : TL_INT32;
    if (bias && bias->type != want_b)
      return tl_kfail(ctx, n, "%s depthwise conv needs a %s bias, not %s", tl_type_name(in->type), tl_type_name(want_b),
                      tl_type_name(bias->type));
    if (bias && bias->qcount && bias->zero_point != 0) return tl_kfail(ctx, n, "bias zero point must be 0");
    if (in->type == TL_INT16 && (in->zero_point != 0 || out->zero_point != 0))
      return tl_kfail(ctx, n, "16x8 depthwise conv needs zero points of 0");
    s->kind = in->type == TL_INT8 ? K_S8 : in->type == TL_UINT8 ? K_U8 : K_S16;
    acc_es = s->kind == K_S16 ? 8 : 4;
    st = tl_requant_init(ctx, n, in, w, bias, out, s->act, s->oc, 3, s->kind == K_U8, &s->rq);
    if (st) return st;
  } else {
    return tl_kunsupported(ctx, n, "input %s with filter %s is not supported", tl_type_name(in->type),
                           tl_type_name(w->type));
  }
  size_t off = 0;
  if (s->kind == K_HYB) {
    s->off_qin = off, off += tl_align16((size_t)tl_numel(in));
    s->off_qpar = off, off += 2 * tl_align16(sizeof(float) * (size_t)(s->g.b > 0 ? s->g.b : 1));
  }
  s->acc_bytes = tl_align16(acc_es * (size_t)s->oc);
  s->off_acc = off;
  off += (size_t)tl_kthreads(ctx) * s->acc_bytes;
  if (off) {
    st = tl_kscratch(ctx, n, off);
    if (st) return st;
  }
  n->state = s;
  n->eval = s->kind == K_HYB ? dw_eval_hybrid : dw_eval;
  return TL_OK;
}

/* SPDX-License-Identifier: Apache-2.0
 * TRANSPOSE_CONV (inputs: output_shape, weights OHWI, input, optional bias): float, hybrid (asymmetric
 * per-batch input quantization as TFLite's HybridTransposeConv), int8 per-channel, legacy uint8 and
 * 16x8. Written as a gather over output pixels (each output row independent, so rows run in parallel)
 * instead of TFLite's scatter; integer results are identical, float ones differ only in summation order.
 * When output_shape is not a constant, the shape declared in the file is planned and checked at eval. */
#include <string.h>

#include "../quant_math.h"
#include "conv_util.h"
#include "kcommon.h"

enum { K_F32, K_HYB, K_S8, K_U8, K_S16 };

typedef struct {
  int kind, act, wpc, bias64, check_shape;
  int b, h, w, ic, oh, ow, oc, kh, kw, sh, sw, ph, pw;
  float lo, hi;
  tl_requant rq;
  size_t off_qin, off_qpar, off_acc, acc_bytes;
} tc_state;

typedef struct {
  const tc_state *s;
  const void *in, *w, *bias;
  void *out;
  uint8_t *scratch;
  const int8_t *qin;
  const float *qscale, *wscales;
  const int32_t *qzp;
} tc_args;

static void tc_task(void *arg, int64_t begin, int64_t end, int thread) {
  const tc_args *a = arg;
  const tc_state *s = a->s;
  const tl_requant *rq = &s->rq;
  void *accbuf = a->scratch ? a->scratch + s->off_acc + (size_t)thread * s->acc_bytes : NULL;
  const size_t wk = (size_t)s->kh * s->kw * s->ic; /* one output channel's filter */
  for (int64_t r = begin; r < end; r++) {
    const int b = (int)(r / s->oh), oy = (int)(r % s->oh);
    for (int ox = 0; ox < s->ow; ox++) {
      const size_t opix = (((size_t)b * s->oh + oy) * s->ow + ox) * s->oc;
      float *facc = s->kind == K_F32 ? (float *)a->out + opix : accbuf;
      int64_t *iacc = accbuf;
      for (int c = 0; c < s->oc; c++) {
        if (s->kind == K_F32 || s->kind == K_HYB) facc[c] = 0.f;
        else iacc[c] = 0;
      }
      /* Input pixel (iy, ix) reaches output (oy, ox) through tap (ky, kx) when
       * iy * sh - ph + ky == oy. */
      for (int ky = 0; ky < s->kh; ky++) {
        const int ty = oy + s->ph - ky;
        if (ty < 0 || ty % s->sh) continue;
        const int iy = ty / s->sh;
        if (iy >= s->h) continue;
        for (int kx = 0; kx < s->kw; kx++) {
          const int tx = ox + s->pw - kx;
          if (tx < 0 || tx % s->sw) continue;
          const int ix = tx / s->sw;
          if (ix >= s->w) continue;
          const size_t ipix = (((size_t)b * s->h + iy) * s->w + ix) * s->ic;
          const size_t wtap = ((size_t)ky * s->kw + kx) * s->ic;
          for (int c = 0; c < s->oc; c++) {
            const size_t wo = (size_t)c * wk + wtap;
            switch (s->kind) {
              case K_F32: {
                const float *x = (const float *)a->in + ipix, *w = (const float *)a->w + wo;
                float d = 0.f;
                for (int i = 0; i < s->ic; i++) d += x[i] * w[i];
                facc[c] += d;
                break;
              }
              case K_HYB: {
                const int32_t d = tl_dot_s8(a->qin + ipix, (const int8_t *)a->w + wo, s->ic, -a->qzp[b]);
                facc[c] += (float)d * a->wscales[s->wpc ? c : 0] * a->qscale[b];
                break;
              }
              case K_S8:
                iacc[c] += tl_dot_s8((const int8_t *)a->in + ipix, (const int8_t *)a->w + wo, s->ic, -rq->in_zp);
                break;
              case K_U8:
                iacc[c] += tl_dot_u8((const uint8_t *)a->in + ipix, (const uint8_t *)a->w + wo, s->ic, -rq->in_zp,
                                     -rq->w_zp);
                break;
              default:
                iacc[c] += tl_dot_s16s8((const int16_t *)a->in + ipix, (const int8_t *)a->w + wo, s->ic);
                break;
            }
          }
        }
      }
      for (int c = 0; c < s->oc; c++) {
        if (s->kind == K_F32 || s->kind == K_HYB) {
          float v = facc[c];
          if (a->bias) v += ((const float *)a->bias)[c];
          v = v < s->lo ? s->lo : v;
          ((float *)a->out)[opix + c] = v > s->hi ? s->hi : v;
          continue;
        }
        int32_t q;
        if (s->kind == K_S16 && s->bias64) {
          int64_t v = iacc[c] + (a->bias ? ((const int64_t *)a->bias)[c] : 0);
          q = tl_mbqm64(v, rq->mult[c], rq->shift[c]);
        } else {
          /* int32 accumulator (TFLite's scratch buffer): wraps modulo 2^32 */
          uint32_t v = (uint32_t)iacc[c] + (a->bias ? (uint32_t)((const int32_t *)a->bias)[c] : 0u);
          q = tl_mbqm((int32_t)v, rq->mult[c], rq->shift[c]);
        }
        q += rq->out_zp;
        q = q < rq->act_min ? rq->act_min : (q > rq->act_max ? rq->act_max : q);
        if (s->kind == K_S8) ((int8_t *)a->out)[opix + c] = (int8_t)q;
        else if (s->kind == K_U8) ((uint8_t *)a->out)[opix + c] = (uint8_t)q;
        else ((int16_t *)a->out)[opix + c] = (int16_t)q;
      }
    }
  }
}

static tl_status tc_eval(tl_kctx *ctx, tl_node *n) {
  const tc_state *s = n->state;
  if (s->check_shape) {
    const tl_tensor *os = n->in[0];
    const int32_t want[4] = {s->b, s->oh, s->ow, s->oc};
    for (int i = 0; i < 4; i++) {
      int32_t v;
      memcpy(&v, (const uint8_t *)os->data + 4 * i, 4);
      if (v != want[i])
        return tl_kruntime(ctx, n, "output_shape[%d] = %d differs from the planned output shape (%d)", i, v, want[i]);
    }
  }
  const tl_tensor *in = n->in[2], *bias = n->n_in > 3 ? n->in[3] : NULL;
  uint8_t *sc = n->scratch;
  tc_args a = {s, in->data, n->in[1]->data, bias ? bias->data : NULL, n->out[0]->data, sc, NULL, NULL,
               n->in[1]->scales, NULL};
  if (s->kind == K_HYB) {
    int8_t *qin = (int8_t *)(sc + s->off_qin);
    float *qscale = (float *)(sc + s->off_qpar);
    int32_t *qzp = (int32_t *)(sc + s->off_qpar + tl_align16(sizeof(float) * (size_t)s->b));
    const int64_t per = (int64_t)s->h * s->w * s->ic;
    for (int b = 0; b < s->b; b++)
      tl_hybrid_quant_asym((const float *)in->data + (size_t)b * per, per, qin + (size_t)b * per, &qscale[b], &qzp[b]);
    a.qin = qin, a.qscale = qscale, a.qzp = qzp;
  }
  tl_kparallel(ctx, (int64_t)s->b * s->oh, tc_task, &a);
  return TL_OK;
}

tl_status tl_prep_transpose_conv(tl_kctx *ctx, tl_node *n) {
  tl_status st = kc_io(ctx, n, 3, 4, 1);
  if (st) return st;
  const tl_tensor *os = n->in[0], *w = n->in[1], *in = n->in[2], *bias = n->n_in > 3 ? n->in[3] : NULL;
  tl_tensor *out = n->out[0];
  if (n->m && n->m->options.ok && n->m->options_type != 49)
    return tl_kfail(ctx, n, "options are of union type %d, not TransposeConvOptions", n->m->options_type);
  const tl_fb_table *o = kc_opts(n);
  tc_state *s = tl_kpersist(ctx, sizeof *s);
  if (!s) return tl_kfail(ctx, n, "out of memory");
  if (in->ndim != 4) return tl_kfail(ctx, n, "input must have rank 4 (NHWC), not %d", (int)in->ndim);
  if (w->ndim != 4) return tl_kfail(ctx, n, "weights must have rank 4 (OHWI), not %d", (int)w->ndim);
  if (os->type != TL_INT32 || os->ndim != 1 || os->dims[0] != 4)
    return tl_kfail(ctx, n, "output_shape must be an int32 vector of 4 values");
  s->b = in->dims[0], s->h = in->dims[1], s->w = in->dims[2], s->ic = in->dims[3];
  s->oc = w->dims[0], s->kh = w->dims[1], s->kw = w->dims[2];
  if (s->h < 1 || s->w < 1 || s->ic < 1 || s->oc < 1 || s->kh < 1 || s->kw < 1)
    return tl_kfail(ctx, n, "input [%d,%d,%d,%d] / weights [%d,%d,%d,%d] have a dimension < 1", s->b, s->h, s->w, s->ic,
                    s->oc, s->kh, s->kw, (int)w->dims[3]);
  if (w->dims[3] != s->ic)
    return tl_kfail(ctx, n, "weights have %d input channels, input has %d", (int)w->dims[3], s->ic);
  int32_t od[4];
  if (os->known) {
    for (int i = 0; i < 4; i++) memcpy(&od[i], (const uint8_t *)os->data + 4 * i, 4);
  } else {
    /* The shape operand is only known at run time: plan the shape the file declares, check at eval. */
    const tl_mtensor *mt = out->m;
    if (!mt || mt->ndim != 4) return tl_kunsupported(ctx, n, "output_shape is not constant and the output has no static shape");
    for (int i = 0; i < 4; i++) od[i] = mt->dims[i];
    s->check_shape = 1;
  }
  if (od[0] != s->b || od[3] != s->oc || od[1] < 1 || od[2] < 1)
    return tl_kfail(ctx, n, "output shape [%d,%d,%d,%d] does not match batch %d and %d output channels", od[0], od[1],
                    od[2], od[3], s->b, s->oc);
  s->oh = od[1], s->ow = od[2];
  const int padding = tl_transpose_conv_padding(o);
  s->sw = tl_transpose_conv_stride_w(o), s->sh = tl_transpose_conv_stride_h(o);
  if (s->sh < 1 || s->sw < 1) return tl_kfail(ctx, n, "strides must be >= 1 (got h=%d w=%d)", s->sh, s->sw);
  if (padding != TL_TFL_PAD_SAME && padding != TL_TFL_PAD_VALID) return tl_kfail(ctx, n, "unknown padding %d", padding);
  int ch, cw, off_unused;
  if (!tl_conv_out_size(padding, s->oh, s->kh, s->sh, 1, &ch, &s->ph, &off_unused) ||
      !tl_conv_out_size(padding, s->ow, s->kw, s->sw, 1, &cw, &s->pw, &off_unused) || ch != s->h || cw != s->w)
    return tl_kfail(ctx, n, "output %dx%d with a %dx%d filter and strides %dx%d does not give the input size %dx%d",
                    s->oh, s->ow, s->kh, s->kw, s->sh, s->sw, s->h, s->w);
  /* Keep output coordinates plus padding and filter taps well inside int range. */
  if ((int64_t)s->oh + s->kh + s->ph + (int64_t)s->h * s->sh > INT32_MAX / 2 ||
      (int64_t)s->ow + s->kw + s->pw + (int64_t)s->w * s->sw > INT32_MAX / 2)
    return tl_kfail(ctx, n, "output, filter and strides are too large");
  s->act = tl_transpose_conv_fused_activation_function(o);
  tl_conv_act_range(s->act, &s->lo, &s->hi);
  if (bias && tl_numel(bias) != s->oc)
    return tl_kfail(ctx, n, "bias has %lld values for %d output channels", (long long)tl_numel(bias), s->oc);
  if (out->type != in->type)
    return tl_kfail(ctx, n, "output type %s differs from input type %s", tl_type_name(out->type), tl_type_name(in->type));
  st = tl_kset_shape(ctx, n, out, 4, od);
  if (st) return st;

  size_t acc_es = 0;
  if (in->type == TL_FLOAT32 && w->type == TL_FLOAT32) {
    s->kind = K_F32;
    if (bias && bias->type != TL_FLOAT32) return tl_kfail(ctx, n, "float transpose conv needs a float32 bias");
  } else if (in->type == TL_FLOAT32 && w->type == TL_INT8) {
    st = tl_hybrid_check_scales(ctx, n, w, 0);
    if (st) return st;
    if (bias && bias->type != TL_FLOAT32) return tl_kfail(ctx, n, "hybrid transpose conv needs a float32 bias");
    s->kind = K_HYB, s->wpc = w->qcount > 1, acc_es = 4;
  } else if (in->type == TL_INT8 || in->type == TL_UINT8 || in->type == TL_INT16) {
    const int want_w = in->type == TL_UINT8 ? TL_UINT8 : TL_INT8;
    if (w->type != want_w)
      return tl_kfail(ctx, n, "%s transpose conv needs %s weights, not %s", tl_type_name(in->type),
                      tl_type_name(want_w), tl_type_name(w->type));
    if (in->type == TL_INT16) {
      if ((st = tl_s16_bias_check(ctx, n, "transpose conv", in, out, bias, tl_transpose_conv_quantized_bias_type(o),
                                  &s->bias64)))
        return st;
      s->kind = K_S16;
    } else {
      if (bias && bias->type != TL_INT32)
        return tl_kfail(ctx, n, "%s transpose conv needs an int32 bias, not %s", tl_type_name(in->type),
                        tl_type_name(bias->type));
      if (in->type == TL_INT8 && bias && bias->qcount && bias->zero_point != 0)
        return tl_kfail(ctx, n, "bias zero point must be 0");
      s->kind = in->type == TL_INT8 ? K_S8 : K_U8;
    }
    acc_es = 8;
    st = tl_requant_init(ctx, n, in, w, bias, out, s->act, s->oc, 0, s->kind == K_U8, &s->rq);
    if (st) return st;
  } else {
    return tl_kunsupported(ctx, n, "input %s with weights %s is not supported", tl_type_name(in->type),
                           tl_type_name(w->type));
  }
  size_t off = 0;
  if (s->kind == K_HYB) {
    s->off_qin = off, off += tl_align16((size_t)tl_numel(in));
    s->off_qpar = off, off += 2 * tl_align16(sizeof(float) * (size_t)(s->b > 0 ? s->b : 1));
  }
  s->acc_bytes = tl_align16(acc_es * (size_t)s->oc);
  s->off_acc = off;
  off += (size_t)tl_kthreads(ctx) * s->acc_bytes;
  if (off) {
    st = tl_kscratch(ctx, n, off);
    if (st) return st;
  }
  n->state = s;
  n->eval = tc_eval;
  return TL_OK;
}

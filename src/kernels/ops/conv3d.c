/* SPDX-License-Identifier: Apache-2.0
 * CONV_3D and CONV_3D_TRANSPOSE, float32 as TFLite 2.9 (its only type for them). CONV_3D: input
 * [N, D, H, W, Cin], filter [KD, KH, KW, Cin, Cout] (DHWIO), optional bias [Cout], SAME/VALID
 * padding, strides and dilations per axis, a fused clamp. CONV_3D_TRANSPOSE: inputs output_shape
 * (int32 [5]), filter [KD, KH, KW, Cout, Cin], input [N, D, H, W, Cin], optional bias; dilation as
 * TFLite. Each output sums over (kd, kh, kw, cin) in order, then adds the bias and clamps (TFLite's
 * reference order; its optimized GEMM may round the last bit differently). */
#include <string.h>

#include "kcommon.h"

typedef struct {
  int32_t n, id, ih, iw, ic, od, oh, ow, oc, kd, kh, kw;
  int32_t sd, sh, sw, dd, dh, dw, pd, ph, pw;
  float lo, hi;
} conv3d_state;

static tl_status conv3d_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const conv3d_state *s = node->state;
  const float *in = node->in[0]->data, *w = node->in[1]->data;
  const float *bias = node->n_in > 2 && node->in[2] ? node->in[2]->data : NULL;
  float *out = node->out[0]->data, *acc = node->scratch;
  for (int b = 0; b < s->n; b++)
    for (int z = 0; z < s->od; z++)
      for (int y = 0; y < s->oh; y++)
        for (int x = 0; x < s->ow; x++, out += s->oc) {
          memset(acc, 0, (size_t)s->oc * sizeof *acc);
          for (int fz = 0; fz < s->kd; fz++) {
            const int iz = z * s->sd - s->pd + fz * s->dd;
            if (iz < 0 || iz >= s->id) continue;
            for (int fy = 0; fy < s->kh; fy++) {
              const int iy = y * s->sh - s->ph + fy * s->dh;
              if (iy < 0 || iy >= s->ih) continue;
              for (int fx = 0; fx < s->kw; fx++) {
                const int ix = x * s->sw - s->pw + fx * s->dw;
                if (ix < 0 || ix >= s->iw) continue;
                const float *px = in + ((((int64_t)b * s->id + iz) * s->ih + iy) * s->iw + ix) * s->ic;
                const float *wf = w + (((int64_t)fz * s->kh + fy) * s->kw + fx) * s->ic * s->oc;
                for (int c = 0; c < s->ic; c++, wf += s->oc)
                  for (int o = 0; o < s->oc; o++) acc[o] += px[c] * wf[o];
              }
            }
          }
          for (int o = 0; o < s->oc; o++) {
            const float v = acc[o] + (bias ? bias[o] : 0.f);
            out[o] = v < s->lo ? s->lo : v > s->hi ? s->hi : v;
          }
        }
  return TL_OK;
}

/* Scatter form: each input pixel adds its weighted values to the outputs it reaches. */
static tl_status conv3d_transpose_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const conv3d_state *s = node->state;
  const float *w = node->in[1]->data, *in = node->in[2]->data;
  const float *bias = node->n_in > 3 && node->in[3] ? node->in[3]->data : NULL;
  float *out = node->out[0]->data;
  const int64_t total = (int64_t)s->n * s->od * s->oh * s->ow * s->oc;
  memset(out, 0, (size_t)total * sizeof *out);
  for (int b = 0; b < s->n; b++)
    for (int z = 0; z < s->id; z++)
      for (int y = 0; y < s->ih; y++)
        for (int x = 0; x < s->iw; x++) {
          const float *px = in + ((((int64_t)b * s->id + z) * s->ih + y) * s->iw + x) * s->ic;
          for (int fz = 0; fz < s->kd; fz++) {
            const int oz = z * s->sd - s->pd + fz * s->dd;
            if (oz < 0 || oz >= s->od) continue;
            for (int fy = 0; fy < s->kh; fy++) {
              const int oy = y * s->sh - s->ph + fy * s->dh;
              if (oy < 0 || oy >= s->oh) continue;
              for (int fx = 0; fx < s->kw; fx++) {
                const int ox = x * s->sw - s->pw + fx * s->dw;
                if (ox < 0 || ox >= s->ow) continue;
                float *po = out + ((((int64_t)b * s->od + oz) * s->oh + oy) * s->ow + ox) * s->oc;
                const float *wf = w + (((int64_t)fz * s->kh + fy) * s->kw + fx) * s->oc * s->ic;
                for (int o = 0; o < s->oc; o++)
                  for (int c = 0; c < s->ic; c++) po[o] += px[c] * wf[o * s->ic + c];
              }
            }
          }
        }
  for (int64_t i = 0; i < total; i++) {
    const float v = out[i] + (bias ? bias[i % s->oc] : 0.f);
    out[i] = v < s->lo ? s->lo : v > s->hi ? s->hi : v;
  }
  return TL_OK;
}

/* Options, geometry and the checks both ops share; x is the data input, f the filter, fin/fout the
 * filter's input and output channel axes. */
static tl_status prepare(tl_kctx *ctx, tl_node *node, int transpose) {
  const int xi = transpose ? 2 : 0, bi = transpose ? 3 : 2;
  tl_status st = kc_io(ctx, node, transpose ? 3 : 2, transpose ? 4 : 3, 1);
  if (st) return st;
  const tl_tensor *x = node->in[xi], *f = node->in[1], *bias = node->n_in > bi ? node->in[bi] : NULL;
  tl_tensor *out = node->out[0];
  if (!x || !f) return tl_kfail(ctx, node, "input and filter are required");
  if (x->type != TL_FLOAT32 || f->type != TL_FLOAT32 || out->type != TL_FLOAT32 || (bias && bias->type != TL_FLOAT32))
    return tl_kunsupported(ctx, node, "type %s (TFLite runs float32 only)", tl_type_name(x->type));
  if (x->ndim != 5 || f->ndim != 5) return tl_kfail(ctx, node, "input and filter must be 5-D");
  const tl_fb_table *o = kc_opts(node);
  const int act = tl_conv3d_fused_activation_function(o);
  if (!kc_act_is_clamp(act)) return tl_kunsupported(ctx, node, "fused activation %d", act);
  conv3d_state *s = tl_kpersist(ctx, sizeof *s);
  if (!s) return TL_ERR_NOMEM;
  const int cin = transpose ? 4 : 3, cout = transpose ? 3 : 4;
  *s = (conv3d_state){.n = x->dims[0], .id = x->dims[1], .ih = x->dims[2], .iw = x->dims[3], .ic = x->dims[4],
                      .oc = f->dims[cout], .kd = f->dims[0], .kh = f->dims[1], .kw = f->dims[2],
                      .sd = tl_conv3d_stride_d(o), .sh = tl_conv3d_stride_h(o), .sw = tl_conv3d_stride_w(o),
                      .dd = tl_conv3d_dilation_d_factor(o), .dh = tl_conv3d_dilation_h_factor(o),
                      .dw = tl_conv3d_dilation_w_factor(o)};
  tl_act_range_f32(act, &s->lo, &s->hi);
  if (f->dims[cin] != s->ic) return tl_kfail(ctx, node, "filter takes %d channels, input has %d", (int)f->dims[cin], (int)s->ic);
  if (bias && (bias->ndim != 1 || bias->dims[0] != s->oc))
    return tl_kfail(ctx, node, "bias must be [%d], it is %s", (int)s->oc, tl_shape_str(bias).s);
  /* TFLite 2.9's CONV_3D_TRANSPOSE checks the bias against the filter's input channels (its axis 4)
   * while adding it per output channel: only a bias whose size is both runs there */
  if (transpose && bias && f->dims[4] != s->oc)
    return tl_kunsupported(ctx, node, "a bias with %d input and %d output channels (TFLite needs them equal)",
                           (int)f->dims[4], (int)s->oc);
  const int pad = tl_conv3d_padding(o);
  if (!transpose) {
    if (!tl_conv_out_size(pad, s->id, s->kd, s->sd, s->dd, &s->od, &s->pd, NULL) ||
        !tl_conv_out_size(pad, s->ih, s->kh, s->sh, s->dh, &s->oh, &s->ph, NULL) ||
        !tl_conv_out_size(pad, s->iw, s->kw, s->sw, s->dw, &s->ow, &s->pw, NULL))
      return tl_kfail(ctx, node, "invalid padding, strides, dilations or sizes");
    const int32_t dims[5] = {s->n, s->od, s->oh, s->ow, s->oc};
    if ((st = tl_kset_shape(ctx, node, out, 5, dims)) || (st = tl_kscratch(ctx, node, (size_t)s->oc * sizeof(float))))
      return st;
    node->state = s;
    node->eval = conv3d_eval;
    return TL_OK;
  }
  /* CONV_3D_TRANSPOSE: the output shape is an input (known at prepare, or the node is deferred) */
  const tl_tensor *shape = node->in[0];
  if (!shape || shape->type != TL_INT32 || shape->ndim != 1 || shape->dims[0] != 5)
    return tl_kfail(ctx, node, "output_shape must be an int32 [5]");
  if (!shape->known) return tl_kdefer(ctx, node, "output_shape");
  const int32_t *os = shape->data;
  for (int i = 0; i < 5; i++)
    if (os[i] < 1) return tl_kfail(ctx, node, "output_shape[%d] is %d", i, (int)os[i]);
  if (os[0] != s->n || os[4] != s->oc) return tl_kfail(ctx, node, "output_shape's batch or channels disagree");
  s->od = os[1], s->oh = os[2], s->ow = os[3];
  /* the input must be what CONV_3D of this output gives, which also fixes the padding */
  int ed, eh, ew;
  if (!tl_conv_out_size(pad, s->od, s->kd, s->sd, s->dd, &ed, &s->pd, NULL) ||
      !tl_conv_out_size(pad, s->oh, s->kh, s->sh, s->dh, &eh, &s->ph, NULL) ||
      !tl_conv_out_size(pad, s->ow, s->kw, s->sw, s->dw, &ew, &s->pw, NULL) || ed != s->id || eh != s->ih || ew != s->iw)
    return tl_kfail(ctx, node, "input %s does not match output_shape with these strides and padding", tl_shape_str(x).s);
  if ((st = tl_kset_shape(ctx, node, out, 5, os))) return st;
  node->state = s;
  node->eval = conv3d_transpose_eval;
  return TL_OK;
}

tl_status tl_prep_conv3d(tl_kctx *ctx, tl_node *node) { return prepare(ctx, node, 0); }
tl_status tl_prep_conv3d_transpose(tl_kctx *ctx, tl_node *node) { return prepare(ctx, node, 1); }

/* SPDX-License-Identifier: Apache-2.0
 * Shared pieces of the conv-family kernels: geometry checks, TFLite's requantization parameters, the
 * hybrid kernels' input quantization (tensor_utils Symmetric/AsymmetricQuantizeFloats) and im2col. */
#include "conv_util.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "../quant_math.h"

tl_status tl_conv_geom_init(tl_kctx *ctx, tl_node *n, tl_conv_geom *g, int padding, int sh, int sw, int dh, int dw) {
  if (padding != TL_PAD_SAME && padding != TL_PAD_VALID) return tl_kfail(ctx, n, "unknown padding %d", padding);
  if (sh < 1 || sw < 1) return tl_kfail(ctx, n, "strides must be >= 1 (got h=%d w=%d)", sh, sw);
  if (dh < 1 || dw < 1) return tl_kfail(ctx, n, "dilations must be >= 1 (got h=%d w=%d)", dh, dw);
  if (g->b < 0 || g->h < 1 || g->w < 1 || g->c < 1)
    return tl_kfail(ctx, n, "input shape [%d,%d,%d,%d] has a dimension < 1", g->b, g->h, g->w, g->c);
  if (g->kh < 1 || g->kw < 1) return tl_kfail(ctx, n, "filter size %dx%d has a dimension < 1", g->kh, g->kw);
  int off;
  if (!tl_conv_out_size(padding, g->h, g->kh, sh, dh, &g->oh, &g->ph, &off) ||
      !tl_conv_out_size(padding, g->w, g->kw, sw, dw, &g->ow, &g->pw, &off))
    return tl_kfail(ctx, n, "filter %dx%d (dilation %dx%d) does not fit input %dx%d with VALID padding", g->kh, g->kw,
                    dh, dw, g->h, g->w);
  /* Bound every window coordinate (o * stride - pad + k * dilation) so int arithmetic cannot overflow
   * in the kernels, whatever strides and dilations a hostile model carries. */
  const int64_t eh = (int64_t)(g->kh - 1) * dh + 1, ew = (int64_t)(g->kw - 1) * dw + 1;
  if ((int64_t)(g->oh - 1) * sh + eh + g->h > INT32_MAX / 2 || (int64_t)(g->ow - 1) * sw + ew + g->w > INT32_MAX / 2)
    return tl_kfail(ctx, n, "filter window %lldx%lld with strides %dx%d is too large", (long long)eh, (long long)ew, sh,
                    sw);
  g->sh = sh, g->sw = sw, g->dh = dh, g->dw = dw;
  return TL_OK;
}

tl_status tl_requant_init(tl_kctx *ctx, tl_node *n, const tl_tensor *in, const tl_tensor *w, const tl_tensor *bias,
                          const tl_tensor *out, int act, int channels, int w_axis, int float_product, tl_requant *rq) {
  char msg[200];
  const tl_tensor *ts[4] = {in, w, bias, out};
  for (int i = 0; i < 4; i++)
    if (ts[i] && !tl_check_quant(ts[i], msg, sizeof msg)) return tl_kfail(ctx, n, "%s", msg);
  if (!in->qcount || !w->qcount || !out->qcount)
    return tl_kfail(ctx, n, "quantized %s needs quantization parameters on input, weights and output",
                    tl_type_name(in->type));
  if (w->qcount > 1) {
    if (w->qcount != channels || w->qaxis != w_axis)
      return tl_kfail(ctx, n, "per-channel weights need %d scales on dimension %d (got %d on dimension %d)", channels,
                      w_axis, (int)w->qcount, (int)w->qaxis);
    if (in->type != TL_INT8 && in->type != TL_INT16)
      return tl_kfail(ctx, n, "per-channel weights need int8 or int16 activations, not %s", tl_type_name(in->type));
    for (int c = 0; c < channels; c++)
      if (w->zero_points && w->zero_points[c] != 0)
        return tl_kfail(ctx, n, "per-channel weights must be symmetric (zero point[%d] = %lld)", c,
                        (long long)w->zero_points[c]);
  }
  if (float_product && bias && bias->qcount) {
    /* GetQuantizedConvolutionMultipler: bias_scale must match in_scale * w_scale within 2% of an
     * output step, or TFLite refuses the model. */
    const double ip = (double)in->scale * (double)w->scale;
    if (fabs(ip - (double)bias->scale) / (double)out->scale > 0.02)
      return tl_kfail(ctx, n, "bias scale %g does not match input scale * weight scale %g", (double)bias->scale, ip);
  }
  rq->mult = tl_kpersist(ctx, sizeof(int32_t) * (size_t)channels);
  rq->shift = tl_kpersist(ctx, sizeof(int) * (size_t)channels);
  if (!rq->mult || !rq->shift) return tl_kfail(ctx, n, "out of memory for %d requantization multipliers", channels);
  for (int c = 0; c < channels; c++) {
    double m;
    if (float_product)
      m = (double)(in->scale * tl_wscale(w, c)) / (double)out->scale;
    else
      m = (double)in->scale * (double)tl_wscale(w, c) / (double)out->scale;
    if (tl_quantize_multiplier(m, &rq->mult[c], &rq->shift[c]) != 0)
      return tl_kfail(ctx, n, "requantization multiplier %g of channel %d is out of range", m, c);
  }
  int32_t qmin, qmax;
  tl_qrange(out->type, &qmin, &qmax);
  tl_act_range_q(act, out->scale, out->zero_point, qmin, qmax, &rq->act_min, &rq->act_max);
  rq->in_zp = in->zero_point;
  rq->w_zp = w->qcount == 1 ? w->zero_point : 0;
  rq->out_zp = out->zero_point;
  return TL_OK;
}

tl_status tl_hybrid_check_scales(tl_kctx *ctx, tl_node *n, const tl_tensor *w, int w_axis) {
  if (!w->qcount) return tl_kfail(ctx, n, "int8 weights of a float op need a quantization scale");
  char msg[200];
  if (!tl_check_quant(w, msg, sizeof msg)) return tl_kfail(ctx, n, "%s", msg);
  if (w->qcount > 1 && w->qaxis != w_axis)
    return tl_kfail(ctx, n, "per-channel weight scales must be on dimension %d, not %d", w_axis, (int)w->qaxis);
  return TL_OK;
}

void tl_hybrid_quant_sym(const float *x, int64_t n, int8_t *q, float *scale) {
  float lo = 0.f, hi = 0.f;
  if (n > 0) lo = hi = x[0];
  for (int64_t i = 1; i < n; i++) {
    lo = x[i] < lo ? x[i] : lo;
    hi = x[i] > hi ? x[i] : hi;
  }
  const float range = fabsf(lo) > fabsf(hi) ? fabsf(lo) : fabsf(hi);
  if (range == 0.f) {
    memset(q, 0, (size_t)n);
    *scale = 1.f;
    return;
  }
  *scale = range / 127.f;
  const float inv = 127.f / range;
  for (int64_t i = 0; i < n; i++) {
    /* TfLiteRound then static_cast<int32_t>; a NaN input gives the x86 conversion result. */
    int32_t v = tl_f2i32(roundf(x[i] * inv));
    q[i] = (int8_t)(v < -127 ? -127 : (v > 127 ? 127 : v));
  }
}

void tl_hybrid_quant_asym(const float *x, int64_t n, int8_t *q, float *scale, int32_t *zp) {
  float lo = 0.f, hi = 0.f;
  if (n > 0) lo = hi = x[0];
  for (int64_t i = 1; i < n; i++) {
    lo = x[i] < lo ? x[i] : lo;
    hi = x[i] > hi ? x[i] : hi;
  }
  const double rmin = (double)(lo < 0.f ? lo : 0.f);
  const double rmax = (double)(hi > 0.f ? hi : 0.f);
  if (rmin == rmax) {
    memset(q, 0, (size_t)n);
    *scale = 1.f;
    *zp = 0;
    return;
  }
  /* The nudged zero point of TFLite's asymmetric quantization: taken from whichever end of the range
   * loses less precision, then rounded into [-128, 127]. */
  const double qmin = -128.0, qmax = 127.0;
  const double s = (rmax - rmin) / (qmax - qmin);
  const double zp_from_min = qmin - rmin / s, zp_from_max = qmax - rmax / s;
  const double err_min = fabs(qmin) + fabs(rmin / s), err_max = fabs(qmax) + fabs(rmax / s);
  const double zpd = err_min < err_max ? zp_from_min : zp_from_max;
  int32_t z;
  if (zpd <= qmin) z = -128;
  else if (zpd >= qmax) z = 127;
  else z = (int32_t)round(zpd);
  *scale = (float)s;
  *zp = z;
  const float inv = 1.0f / *scale;
  for (int64_t i = 0; i < n; i++) {
    int32_t v = tl_f2i32(roundf((float)z + x[i] * inv));
    q[i] = (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
  }
}

/* One im2col implementation per element type: the window position loop is shared, the copy is a
 * contiguous run of cg channels (memcpy) and padding is a fill. */
#define IM2COL_BODY(T, FILL)                                                                         \
  const int64_t per_img = (int64_t)g->oh * g->ow;                                                  \
  const size_t run = (size_t)cg * sizeof(T);                                                       \
  for (int64_t m = m0; m < m1; m++) {                                                              \
    const int b = (int)(m / per_img);                                                              \
    const int rem = (int)(m % per_img);                                                            \
    const int oy = rem / g->ow, ox = rem % g->ow;                                                  \
    const T *img = in + (size_t)b * g->h * g->w * g->c + c0;                                       \
    const T fillv = (FILL);                                                                        \
    T *row = dst + (size_t)(m - m0) * g->kh * g->kw * cg;                                          \
    for (int ky = 0; ky < g->kh; ky++) {                                                           \
      const int iy = oy * g->sh - g->ph + ky * g->dh;                                              \
      for (int kx = 0; kx < g->kw; kx++, row += cg) {                                              \
        const int ix = ox * g->sw - g->pw + kx * g->dw;                                            \
        if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w) {                                        \
          for (int c = 0; c < cg; c++) row[c] = fillv;                                             \
        } else {                                                                                   \
          memcpy(row, img + ((size_t)iy * g->w + ix) * g->c, run);                                 \
        }                                                                                          \
      }                                                                                            \
    }                                                                                              \
  }

void tl_im2col_f32(const tl_conv_geom *g, const float *in, int c0, int cg, int64_t m0, int64_t m1, float *dst) {
  IM2COL_BODY(float, 0.f)
}

void tl_im2col_i8(const tl_conv_geom *g, const int8_t *in, int c0, int cg, int64_t m0, int64_t m1, int8_t fill,
                  const int32_t *fill_per_batch, int8_t *dst) {
  IM2COL_BODY(int8_t, fill_per_batch ? (int8_t)fill_per_batch[b] : fill)
}

void tl_im2col_i16(const tl_conv_geom *g, const int16_t *in, int c0, int cg, int64_t m0, int64_t m1, int16_t *dst) {
  IM2COL_BODY(int16_t, 0)
}

void tl_row_sums_s8(const int8_t *w, int64_t rows, int64_t cols, int32_t *sums) {
  for (int64_t r = 0; r < rows; r++) {
    int32_t s = 0;
    for (int64_t c = 0; c < cols; c++) s += w[r * cols + c];
    sums[r] = s;
  }
}

void tl_conv_act_range(int act, float *lo, float *hi) {
  /* CalculateActivationRange<float>: numeric_limits lowest/max, so an infinite result is clamped to
   * +-FLT_MAX exactly as TFLite's kernels do. */
  *lo = -FLT_MAX, *hi = FLT_MAX;
  if (act == TL_ACT_RELU) *lo = 0.f;
  else if (act == TL_ACT_RELU6) *lo = 0.f, *hi = 6.f;
  else if (act == TL_ACT_RELU_N1_TO_1) *lo = -1.f, *hi = 1.f;
}

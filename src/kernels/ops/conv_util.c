/* SPDX-License-Identifier: Apache-2.0
 * Shared pieces of the conv-family kernels: geometry checks, TFLite's requantization parameters, the
 * hybrid kernels' input quantization (tensor_utils Symmetric/AsymmetricQuantizeFloats) and im2col. */
#include "conv_util.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "../quant_math.h"

tl_status tl_conv_geom_init(tl_kctx *ctx, tl_node *n, tl_conv_geom *g, int padding, int sh, int sw, int dh, int dw) {
  if (padding != TL_TFL_PAD_SAME && padding != TL_TFL_PAD_VALID) return tl_kfail(ctx, n, "unknown padding %d", padding);
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

/* The hybrid quantizers run on every input of every hybrid op, so their two passes are written for
 * speed; results are bit-identical to the plain loops (tested against roundf).
 *
 * roundf(y) as an int for |y| < 2^22 without a libm call (glibc's roundf is not inlined without
 * SSE4.1 and dominated the hybrid kernels): truncate, then step away from zero when the exact
 * fraction y - trunc(y) reaches one half. Clears *ok when |y| is out of that range (NaN, infinities):
 * the caller then redoes the whole input with roundf. */
static inline int32_t round_small(float y, int *ok) {
  const int in = fabsf(y) < 4194304.f;
  *ok &= in;
  const float ys = in ? y : 0.f;
  const int32_t t = (int32_t)ys;
  const float frac = ys - (float)t;
  return t + (frac >= 0.5f) - (frac <= -0.5f);
}

#if defined(__GNUC__)
/* GCC/Clang generic vectors (SSE2, NEON, simd128 or plain registers): the compilers do not vectorize
 * these loops themselves (a float min reduction is order-dependent for NaN; the rounding has a
 * data-dependent fallback). */
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));
static inline v4f ld4f(const float *p) {
  v4f v;
  memcpy(&v, p, sizeof v);
  return v;
}
static inline v4f sel4f(v4i m, v4f a, v4f b) { return (v4f)((m & (v4i)a) | (~m & (v4i)b)); }
typedef uint32_t v4u __attribute__((vector_size(16)));
#define SELI(m, a, b) (((m) & (a)) | (~(m) & (b)))
#if defined(__has_builtin) && defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
#if __has_builtin(__builtin_shufflevector) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HAVE_SHUFFLE 1
#endif
#endif
#ifndef HAVE_SHUFFLE
#define HAVE_SHUFFLE 0
#endif
#endif

/* lo = min, hi = max of x[0..n) by the loop "lo = x[i] < lo ? x[i] : lo" from x[0]: NaNs after x[0] are
 * skipped, a NaN x[0] sticks. Lanes keep the same rule and are merged by it, so the result is the
 * same up to the sign of a zero, which the callers never see (they take |lo|, |hi| or compare with 0). */
static void min_max(const float *x, int64_t n, float *plo, float *phi) {
  float lo = 0.f, hi = 0.f;
  if (n > 0) lo = hi = x[0];
  int64_t i = 1;
#if defined(__GNUC__)
  if (n >= 9) {
    v4f lo0 = {lo, lo, lo, lo}, hi0 = lo0, lo1 = lo0, hi1 = lo0;
    for (; i + 8 <= n; i += 8) {
      const v4f a = ld4f(x + i), b = ld4f(x + i + 4);
      lo0 = sel4f(a < lo0, a, lo0), hi0 = sel4f(a > hi0, a, hi0);
      lo1 = sel4f(b < lo1, b, lo1), hi1 = sel4f(b > hi1, b, hi1);
    }
    for (int l = 0; l < 4; l++) {
      lo = lo0[l] < lo ? lo0[l] : lo, lo = lo1[l] < lo ? lo1[l] : lo;
      hi = hi0[l] > hi ? hi0[l] : hi, hi = hi1[l] > hi ? hi1[l] : hi;
    }
  }
#endif
  for (; i < n; i++) {
    lo = x[i] < lo ? x[i] : lo;
    hi = x[i] > hi ? x[i] : hi;
  }
  *plo = lo, *phi = hi;
}

/* q[i] = clamp(roundf(zf + x[i] * inv) (or roundf(x[i] * inv) when !add), qlo, 127); returns 0 when
 * some value needed roundf's full range (q is then incomplete). */
static int quant_fast(const float *x, int64_t n, float inv, int add, float zf, int32_t qlo, int8_t *q) {
  int ok = 1;
  int64_t i = 0;
#if defined(__GNUC__)
  const v4f vinv = {inv, inv, inv, inv}, vz = {zf, zf, zf, zf}, half = {.5f, .5f, .5f, .5f},
            big = {4194304.f, 4194304.f, 4194304.f, 4194304.f};
  const v4i vqlo = {qlo, qlo, qlo, qlo}, vqhi = {127, 127, 127, 127}, absm = {INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX};
  v4i okv = {-1, -1, -1, -1};
#define QUANT4(v, t)                                                  \
  {                                                                   \
    const v4f y = add ? vz + (v) * vinv : (v) * vinv;                 \
    const v4i in = (v4f)((v4i)y & absm) < big;                        \
    okv &= in;                                                        \
    const v4f ys = (v4f)(in & (v4i)y);                                \
    t = __builtin_convertvector(ys, v4i);                             \
    const v4f frac = ys - __builtin_convertvector(t, v4f);            \
    t = t - (frac >= half) + (frac <= -half); /* masks are -1 */      \
    t = SELI(t < vqlo, vqlo, t);                                      \
    t = SELI(t > vqhi, vqhi, t);                                      \
  }
#if HAVE_SHUFFLE
  /* 16 at a time, transposed first (c_k[l] = x[i + 4l + k]) so that lane l of the four results packs
   * into the 4 bytes of q[i + 4l ..] with shifts (little-endian) instead of 16 lane extractions. */
  for (; i + 16 <= n; i += 16) {
    const v4f a0 = ld4f(x + i), a1 = ld4f(x + i + 4), a2 = ld4f(x + i + 8), a3 = ld4f(x + i + 12);
    const v4f l01 = __builtin_shufflevector(a0, a1, 0, 4, 1, 5), h01 = __builtin_shufflevector(a0, a1, 2, 6, 3, 7);
    const v4f l23 = __builtin_shufflevector(a2, a3, 0, 4, 1, 5), h23 = __builtin_shufflevector(a2, a3, 2, 6, 3, 7);
    v4i t0, t1, t2, t3;
    QUANT4(__builtin_shufflevector(l01, l23, 0, 1, 4, 5), t0)
    QUANT4(__builtin_shufflevector(l01, l23, 2, 3, 6, 7), t1)
    QUANT4(__builtin_shufflevector(h01, h23, 0, 1, 4, 5), t2)
    QUANT4(__builtin_shufflevector(h01, h23, 2, 3, 6, 7), t3)
    const v4u m8 = {255, 255, 255, 255};
    const v4u packed = ((v4u)t0 & m8) | (((v4u)t1 & m8) << 8) | (((v4u)t2 & m8) << 16) | ((v4u)t3 << 24);
    memcpy(q + i, &packed, sizeof packed);
  }
#endif
  for (; i + 4 <= n; i += 4) {
    v4i t;
    QUANT4(ld4f(x + i), t)
    q[i] = (int8_t)t[0], q[i + 1] = (int8_t)t[1], q[i + 2] = (int8_t)t[2], q[i + 3] = (int8_t)t[3];
  }
#undef QUANT4
  ok = (okv[0] & okv[1] & okv[2] & okv[3]) != 0;
#endif
  for (; i < n; i++) {
    const int32_t v = round_small(add ? zf + x[i] * inv : x[i] * inv, &ok);
    q[i] = (int8_t)(v < qlo ? qlo : (v > 127 ? 127 : v));
  }
  return ok;
}

void tl_hybrid_quant_sym(const float *x, int64_t n, int8_t *q, float *scale) {
  float lo, hi;
  min_max(x, n, &lo, &hi);
  const float range = fabsf(lo) > fabsf(hi) ? fabsf(lo) : fabsf(hi);
  if (range == 0.f) {
    memset(q, 0, (size_t)n);
    *scale = 1.f;
    return;
  }
  *scale = range / 127.f;
  const float inv = 127.f / range;
  if (quant_fast(x, n, inv, 0, 0.f, -127, q)) return;
  for (int64_t i = 0; i < n; i++) {
    /* TfLiteRound then static_cast<int32_t>; a NaN input gives the x86 conversion result. */
    int32_t v = tl_f2i32(roundf(x[i] * inv));
    q[i] = (int8_t)(v < -127 ? -127 : (v > 127 ? 127 : v));
  }
}

void tl_hybrid_quant_asym(const float *x, int64_t n, int8_t *q, float *scale, int32_t *zp) {
  float lo, hi;
  min_max(x, n, &lo, &hi);
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
  if (quant_fast(x, n, inv, 1, (float)z, -128, q)) return;
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
  if (act == TL_TFL_ACT_RELU) *lo = 0.f;
  else if (act == TL_TFL_ACT_RELU6) *lo = 0.f, *hi = 6.f;
  else if (act == TL_TFL_ACT_RELU_N1_TO_1) *lo = -1.f, *hi = 1.f;
}

tl_status tl_s16_bias_check(tl_kctx *ctx, tl_node *n, const char *what, const tl_tensor *in, const tl_tensor *out,
                            const tl_tensor *bias, int qbt, int *bias64) {
  if (bias && bias->type != TL_INT64 && bias->type != TL_INT32)
    return tl_kfail(ctx, n, "16x8 %s needs an int64 or int32 bias, not %s", what, tl_type_name(bias->type));
  if (qbt != 0 && qbt != TL_INT32 && qbt != TL_INT64)
    return tl_kfail(ctx, n, "quantized_bias_type must be INT32 or INT64, not %d", qbt);
  if (qbt && bias && bias->type != qbt) return tl_kfail(ctx, n, "bias type differs from quantized_bias_type");
  if (in->zero_point != 0 || out->zero_point != 0)
    return tl_kfail(ctx, n, "16x8 %s needs zero points of 0 (input %d, output %d)", what, (int)in->zero_point,
                    (int)out->zero_point);
  *bias64 = bias ? bias->type == TL_INT64 : qbt != TL_INT32;
  return TL_OK;
}

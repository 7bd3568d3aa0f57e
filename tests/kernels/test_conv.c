/* SPDX-License-Identifier: Apache-2.0
 * CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV against plain reference loops on random shapes:
 * SAME/VALID (odd padding included), strides, dilations, groups, depth multipliers, 1x1 filters,
 * fused activations, missing bias, weights known or not; float, hybrid, int8, uint8 and 16x8. Also
 * checks that prepare refuses zero strides, dilations and channels with a clear message. */
#include <string.h>

#include "../../src/kernels/quant_math.h"
#include "../../src/kernels/ops/conv_util.h"
#include "../test.h"
#include "conv_testutil.h"

/* TFLite's padding rule, written out independently of the library's. */
static int ref_out(int pad, int in, int k, int s, int d, int *before) {
  const int eff = (k - 1) * d + 1;
  const int out = pad == 0 ? (in + s - 1) / s : (in - eff + s) / s;
  int total = (out - 1) * s + eff - in;
  if (total < 0) total = 0;
  *before = total / 2;
  return out;
}

typedef struct {
  int b, h, w, c, o, kh, kw, sh, sw, dh, dw, pad, act, groups, bias;
} conv_case;

static void random_case(conv_case *k) {
  for (;;) {
    k->b = ct_int(1, 2), k->h = ct_int(1, 9), k->w = ct_int(1, 9);
    k->groups = ct_int(0, 4) == 0 ? ct_int(2, 3) : 1;
    k->c = k->groups * ct_int(1, 5);
    k->o = k->groups * ct_int(1, 6);
    k->kh = ct_int(1, 4), k->kw = ct_int(1, 4);
    if (ct_int(0, 5) == 0) k->kh = k->kw = 1;
    k->sh = ct_int(1, 3), k->sw = ct_int(1, 3), k->dh = ct_int(1, 2), k->dw = ct_int(1, 2);
    k->pad = ct_int(0, 1), k->act = ct_int(0, 4), k->bias = ct_int(0, 4) != 0;
    if (k->pad == 1 && ((k->kh - 1) * k->dh + 1 > k->h || (k->kw - 1) * k->dw + 1 > k->w)) continue;
    return;
  }
}

static uint32_t conv_opts(kh_fb *fb, const conv_case *k) {
  kh_fb_init(fb);
  uint32_t t = kh_fb_table(fb, 6);
  kh_fb_u8(fb, t, 0, (uint8_t)k->pad);
  kh_fb_i32(fb, t, 1, k->sw);
  kh_fb_i32(fb, t, 2, k->sh);
  kh_fb_u8(fb, t, 3, (uint8_t)k->act);
  kh_fb_i32(fb, t, 4, k->dw);
  kh_fb_i32(fb, t, 5, k->dh);
  return t;
}

/* Reference conv over any element kind: real-valued inputs given as doubles (already dequantized or
 * centred), accumulation in double (exact for the integer cases, whose sums stay below 2^53). */
static void ref_conv(const conv_case *k, const double *x, const double *w, double *acc, int *oh, int *ow) {
  int ph, pw;
  *oh = ref_out(k->pad, k->h, k->kh, k->sh, k->dh, &ph);
  *ow = ref_out(k->pad, k->w, k->kw, k->sw, k->dw, &pw);
  const int cg = k->c / k->groups, og = k->o / k->groups;
  for (int b = 0; b < k->b; b++)
    for (int oy = 0; oy < *oh; oy++)
      for (int ox = 0; ox < *ow; ox++)
        for (int oc = 0; oc < k->o; oc++) {
          const int g = oc / og;
          double s = 0;
          for (int ky = 0; ky < k->kh; ky++)
            for (int kx = 0; kx < k->kw; kx++) {
              const int iy = oy * k->sh - ph + ky * k->dh, ix = ox * k->sw - pw + kx * k->dw;
              if (iy < 0 || iy >= k->h || ix < 0 || ix >= k->w) continue;
              for (int ic = 0; ic < cg; ic++)
                s += x[((b * k->h + iy) * k->w + ix) * k->c + g * cg + ic] *
                     w[((oc * k->kh + ky) * k->kw + kx) * cg + ic];
            }
          acc[((b * *oh + oy) * *ow + ox) * k->o + oc] = s;
        }
}

static tl_node *conv_node(const conv_case *k, tl_tensor *in, tl_tensor *w, tl_tensor *bias, tl_tensor *out, kh_fb *fb) {
  conv_opts(fb, k);
  tl_tensor *ins[3] = {in, w, bias};
  return kh_node(TL_BUILTIN_CONV_2D, k->bias ? 3 : 2, ins, 1, &out, fb, 1);
}

static int conv_float_case(const conv_case *k, int weights_known) {
  const int cg = k->c / k->groups;
  const int32_t idims[4] = {k->b, k->h, k->w, k->c}, wdims[4] = {k->o, k->kh, k->kw, cg}, bdims[1] = {k->o};
  const int64_t ni = (int64_t)k->b * k->h * k->w * k->c, nw = (int64_t)k->o * k->kh * k->kw * cg;
  float *x = ct_rand_f32(ni, -1, 1), *wv = ct_rand_f32(nw, -1, 1), *bv = ct_rand_f32(k->o, -1, 1);
  tl_tensor *in = kh_tensor(TL_FLOAT32, 4, idims, x, 0);
  tl_tensor *w = kh_tensor(TL_FLOAT32, 4, wdims, wv, weights_known);
  tl_tensor *bias = k->bias ? kh_tensor(TL_FLOAT32, 1, bdims, bv, 1) : NULL;
  tl_tensor *out = kh_tensor(TL_FLOAT32, -1, NULL, NULL, 0);
  kh_fb fb;
  tl_node *n = conv_node(k, in, w, bias, out, &fb);
  int ok = kh_run(n) == TL_OK;
  if (!ok) fprintf(stderr, "  conv float: %s\n", kh_err());
  double *xd = malloc(sizeof(double) * ni), *wd = malloc(sizeof(double) * nw);
  for (int64_t i = 0; i < ni; i++) xd[i] = x[i];
  for (int64_t i = 0; i < nw; i++) wd[i] = wv[i];
  int oh, ow;
  double *acc = malloc(sizeof(double) * (size_t)k->b * k->h * k->w * k->o + 8);
  ref_conv(k, xd, wd, acc, &oh, &ow);
  if (ok && (out->dims[0] != k->b || out->dims[1] != oh || out->dims[2] != ow || out->dims[3] != k->o)) ok = 0;
  for (int64_t i = 0; ok && i < (int64_t)k->b * oh * ow * k->o; i++) {
    float ref = ct_conv_act(k->act, (float)(acc[i] + (k->bias ? bv[i % k->o] : 0)));
    if (!ct_close(kh_f32(out)[i], ref)) {
      fprintf(stderr, "  element %lld: %g vs %g\n", (long long)i, kh_f32(out)[i], ref);
      ok = 0;
    }
  }
  if (!ok)
    fprintf(stderr, "  case b%d h%d w%d c%d o%d k%dx%d s%dx%d d%dx%d pad%d act%d g%d bias%d\n", k->b, k->h, k->w, k->c,
            k->o, k->kh, k->kw, k->sh, k->sw, k->dh, k->dw, k->pad, k->act, k->groups, k->bias);
  free(x), free(wv), free(bv), free(xd), free(wd), free(acc);
  kh_reset();
  return ok;
}

TEST(conv_float_random) {
  ct_seed(1);
  for (int it = 0; it < 150; it++) {
    conv_case k;
    random_case(&k);
    EXPECT(conv_float_case(&k, it % 3 != 0));
  }
}

TEST(conv_float_large_k_and_tiles) {
  /* K = 3*3*40 = 360 spans two K blocks of the GEMM; 300 output rows span several tiles. */
  conv_case k = {1, 20, 15, 40, 19, 3, 3, 1, 1, 1, 1, 0, 3, 1, 1};
  ct_seed(2);
  EXPECT(conv_float_case(&k, 1));
  conv_case k2 = {2, 17, 17, 24, 33, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1}; /* 1x1: no im2col */
  EXPECT(conv_float_case(&k2, 1));
  conv_case k3 = {1, 8, 8, 6, 4, 2, 2, 2, 2, 1, 1, 0, 1, 2, 0}; /* SAME with even filter: odd padding */
  EXPECT(conv_float_case(&k3, 0));
}

/* Quantized conv (int8 per-channel, uint8 per-tensor, int16 with int64 bias). */
static int conv_quant_case(const conv_case *k, int type) {
  const int cg = k->c / k->groups;
  const int32_t idims[4] = {k->b, k->h, k->w, k->c}, wdims[4] = {k->o, k->kh, k->kw, cg}, bdims[1] = {k->o};
  const int64_t ni = (int64_t)k->b * k->h * k->w * k->c, nw = (int64_t)k->o * k->kh * k->kw * cg;
  const int wtype = type == TL_UINT8 ? TL_UINT8 : TL_INT8;
  const int btype = type == TL_INT16 ? TL_INT64 : TL_INT32;
  int32_t qmin, qmax;
  tl_qrange(type, &qmin, &qmax);
  void *x = ct_rand_int(type, ni, type == TL_INT16 ? -3000 : qmin, type == TL_INT16 ? 3000 : qmax);
  void *wv = ct_rand_int(wtype, nw, wtype == TL_UINT8 ? 0 : -127, wtype == TL_UINT8 ? 255 : 127);
  void *bv = ct_rand_int(btype, k->o, -2000, 2000);
  const float in_s = 0.02f, out_s = type == TL_INT16 ? 0.004f : 0.09f;
  const int32_t in_zp = type == TL_INT16 ? 0 : ct_int(-20, 20) + (type == TL_UINT8 ? 128 : 0);
  const int32_t out_zp = type == TL_INT16 ? 0 : ct_int(-10, 10) + (type == TL_UINT8 ? 128 : 0);
  const int32_t w_zp = type == TL_UINT8 ? ct_int(100, 150) : 0;
  float ws[64];
  for (int c = 0; c < k->o; c++) ws[c] = type == TL_UINT8 ? 0.011f : ct_float(0.002f, 0.02f);
  tl_tensor *in = kh_tensor(type, 4, idims, x, 0);
  tl_tensor *w = kh_tensor(wtype, 4, wdims, wv, 1);
  tl_tensor *bias = k->bias ? kh_tensor(btype, 1, bdims, bv, 1) : NULL;
  tl_tensor *out = kh_tensor(type, -1, NULL, NULL, 0);
  kh_quant(in, in_s, in_zp);
  kh_quant(out, out_s, out_zp);
  if (type == TL_UINT8) {
    kh_quant(w, ws[0], w_zp);
    if (bias) kh_quant(bias, in_s * ws[0], 0);
  } else {
    ct_quant_axis(w, ws, k->o, 0);
  }
  kh_fb fb;
  tl_node *n = conv_node(k, in, w, bias, out, &fb);
  int ok = kh_run(n) == TL_OK;
  if (!ok) fprintf(stderr, "  conv %s: %s\n", tl_type_name(type), kh_err());
  double *xd = malloc(sizeof(double) * ni), *wd = malloc(sizeof(double) * nw);
  for (int64_t i = 0; i < ni; i++) xd[i] = (double)(ct_ival(x, type, i) - in_zp);
  for (int64_t i = 0; i < nw; i++) wd[i] = (double)(ct_ival(wv, wtype, i) - w_zp);
  int oh, ow;
  double *acc = malloc(sizeof(double) * (size_t)k->b * k->h * k->w * k->o + 8);
  ref_conv(k, xd, wd, acc, &oh, &ow);
  int32_t lo, hi;
  ct_qact(k->act, out_s, out_zp, qmin, qmax, &lo, &hi);
  for (int64_t i = 0; ok && i < (int64_t)k->b * oh * ow * k->o; i++) {
    const int oc = (int)(i % k->o);
    int64_t a = (int64_t)acc[i] + (k->bias ? ct_ival(bv, btype, oc) : 0);
    int32_t m;
    int sh;
    const double real = type == TL_UINT8 ? (double)(in_s * ws[0]) / out_s : (double)in_s * ws[oc] / out_s;
    tl_quantize_multiplier(real, &m, &sh);
    int32_t q = type == TL_INT16 ? tl_mbqm64(a, m, sh) : tl_mbqm_ruy((int32_t)a, m, sh) + out_zp;
    q = q < lo ? lo : (q > hi ? hi : q);
    if (ct_ival(out->data, type, i) != q) {
      fprintf(stderr, "  element %lld: %lld vs %d\n", (long long)i, (long long)ct_ival(out->data, type, i), q);
      ok = 0;
    }
  }
  if (!ok)
    fprintf(stderr, "  case b%d h%d w%d c%d o%d k%dx%d s%dx%d d%dx%d pad%d act%d g%d bias%d\n", k->b, k->h, k->w, k->c,
            k->o, k->kh, k->kw, k->sh, k->sw, k->dh, k->dw, k->pad, k->act, k->groups, k->bias);
  free(x), free(wv), free(bv), free(xd), free(wd), free(acc);
  kh_reset();
  return ok;
}

TEST(conv_int8_uint8_int16_random) {
  ct_seed(3);
  for (int it = 0; it < 120; it++) {
    conv_case k;
    random_case(&k);
    const int type = it % 3 == 0 ? TL_INT8 : it % 3 == 1 ? TL_UINT8 : TL_INT16;
    if (type == TL_UINT8) k.groups = 1;
    EXPECT(conv_quant_case(&k, type));
  }
}

/* Hybrid: the oracle quantizes the input with the same TFLite routines, then convolves directly. */
static int conv_hybrid_case(const conv_case *k, int per_channel, int weights_known) {
  const int cg = k->c / k->groups;
  const int32_t idims[4] = {k->b, k->h, k->w, k->c}, wdims[4] = {k->o, k->kh, k->kw, cg}, bdims[1] = {k->o};
  const int64_t ni = (int64_t)k->b * k->h * k->w * k->c, nw = (int64_t)k->o * k->kh * k->kw * cg;
  float *x = ct_rand_f32(ni, -1, 2), *bv = ct_rand_f32(k->o, -1, 1);
  int8_t *wv = ct_rand_int(TL_INT8, nw, -127, 127);
  float ws[64];
  for (int c = 0; c < k->o; c++) ws[c] = per_channel ? ct_float(0.001f, 0.02f) : 0.01f;
  tl_tensor *in = kh_tensor(TL_FLOAT32, 4, idims, x, 0);
  tl_tensor *w = kh_tensor(TL_INT8, 4, wdims, wv, weights_known);
  tl_tensor *bias = k->bias ? kh_tensor(TL_FLOAT32, 1, bdims, bv, 1) : NULL;
  tl_tensor *out = kh_tensor(TL_FLOAT32, -1, NULL, NULL, 0);
  if (per_channel) ct_quant_axis(w, ws, k->o, 0);
  else kh_quant(w, ws[0], 0);
  kh_fb fb;
  tl_node *n = conv_node(k, in, w, bias, out, &fb);
  int ok = kh_run(n) == TL_OK;
  if (!ok) fprintf(stderr, "  conv hybrid: %s\n", kh_err());
  /* TFLite: per-channel (distinct scales) or grouped -> asymmetric per-batch; else symmetric. */
  const int asym = (per_channel && k->o > 1) || k->groups > 1;
  const int64_t per = ni / k->b;
  int8_t *q = malloc((size_t)ni);
  float sf[2];
  int32_t zp[2] = {0, 0};
  for (int b = 0; b < k->b; b++) {
    if (asym) tl_hybrid_quant_asym(x + b * per, per, q + b * per, &sf[b], &zp[b]);
    else tl_hybrid_quant_sym(x + b * per, per, q + b * per, &sf[b]);
  }
  double *xd = malloc(sizeof(double) * ni), *wd = malloc(sizeof(double) * nw);
  for (int64_t i = 0; i < ni; i++) xd[i] = q[i] - zp[i / per];
  for (int64_t i = 0; i < nw; i++) wd[i] = wv[i];
  int oh, ow;
  double *acc = malloc(sizeof(double) * (size_t)k->b * k->h * k->w * k->o + 8);
  ref_conv(k, xd, wd, acc, &oh, &ow);
  const int64_t per_out = (int64_t)oh * ow * k->o;
  for (int64_t i = 0; ok && i < (int64_t)k->b * per_out; i++) {
    const int oc = (int)(i % k->o), b = (int)(i / per_out);
    float v = (float)acc[i] * (asym ? ws[oc] * sf[b] : sf[b] * ws[0]);
    if (k->bias) v += bv[oc];
    v = ct_conv_act(k->act, v);
    if (!ct_close(kh_f32(out)[i], v)) {
      fprintf(stderr, "  element %lld: %g vs %g\n", (long long)i, kh_f32(out)[i], v);
      ok = 0;
    }
  }
  free(x), free(wv), free(bv), free(xd), free(wd), free(acc), free(q);
  kh_reset();
  return ok;
}

TEST(conv_hybrid_random) {
  ct_seed(4);
  for (int it = 0; it < 80; it++) {
    conv_case k;
    random_case(&k);
    EXPECT(conv_hybrid_case(&k, it % 2, it % 5 != 0));
  }
}

static tl_status conv_prepare_with(int stride, int dil, int filter_c, const char **msg) {
  conv_case k = {1, 5, 5, 3, 2, 3, 3, stride, 1, dil, 1, 0, 0, 1, 0};
  const int32_t idims[4] = {1, 5, 5, 3}, wdims[4] = {2, 3, 3, filter_c};
  tl_tensor *in = kh_tensor(TL_FLOAT32, 4, idims, NULL, 0);
  tl_tensor *w = kh_tensor(TL_FLOAT32, 4, wdims, NULL, 1);
  tl_tensor *out = kh_tensor(TL_FLOAT32, -1, NULL, NULL, 0);
  kh_fb fb;
  tl_node *n = conv_node(&k, in, w, NULL, out, &fb);
  tl_status st = kh_prepare(n);
  *msg = kh_err();
  return st;
}

TEST(conv_prepare_rejects_bad_params) {
  const char *msg;
  EXPECT_EQ(conv_prepare_with(0, 1, 3, &msg), TL_ERR_MODEL);
  EXPECT_STR_CONTAINS(msg, "strides");
  kh_reset();
  EXPECT_EQ(conv_prepare_with(1, 0, 3, &msg), TL_ERR_MODEL);
  EXPECT_STR_CONTAINS(msg, "dilations");
  kh_reset();
  EXPECT_EQ(conv_prepare_with(1, 1, 0, &msg), TL_ERR_MODEL);
  EXPECT_STR_CONTAINS(msg, "channels");
  kh_reset();
  EXPECT_EQ(conv_prepare_with(1, 1, 2, &msg), TL_ERR_MODEL); /* 3 input channels, filter 2 */
  EXPECT_STR_CONTAINS(msg, "multiple");
  kh_reset();
  EXPECT_EQ(conv_prepare_with(-2, 1, 3, &msg), TL_ERR_MODEL);
  kh_reset();
  EXPECT_EQ(conv_prepare_with(1, 1 << 30, 3, &msg), TL_ERR_MODEL); /* window coordinates would overflow int */
  EXPECT_STR_CONTAINS(msg, "too large");
  kh_reset();
  EXPECT_EQ(conv_prepare_with(1, 1, 3, &msg), TL_OK);
  kh_reset();
}

/* ---- DEPTHWISE_CONV_2D ---- */

static uint32_t dw_opts(kh_fb *fb, const conv_case *k, int mult) {
  kh_fb_init(fb);
  uint32_t t = kh_fb_table(fb, 7);
  kh_fb_u8(fb, t, 0, (uint8_t)k->pad);
  kh_fb_i32(fb, t, 1, k->sw);
  kh_fb_i32(fb, t, 2, k->sh);
  kh_fb_i32(fb, t, 3, mult);
  kh_fb_u8(fb, t, 4, (uint8_t)k->act);
  kh_fb_i32(fb, t, 5, k->dw);
  kh_fb_i32(fb, t, 6, k->dh);
  return t;
}

/* Reference depthwise: acc[oc] over taps of input channel oc / mult. */
static void ref_dw(const conv_case *k, int mult, const double *x, const double *w, double *acc, int *oh, int *ow) {
  int ph, pw;
  *oh = ref_out(k->pad, k->h, k->kh, k->sh, k->dh, &ph);
  *ow = ref_out(k->pad, k->w, k->kw, k->sw, k->dw, &pw);
  const int oc_n = k->c * mult;
  for (int b = 0; b < k->b; b++)
    for (int oy = 0; oy < *oh; oy++)
      for (int ox = 0; ox < *ow; ox++)
        for (int oc = 0; oc < oc_n; oc++) {
          double s = 0;
          for (int ky = 0; ky < k->kh; ky++)
            for (int kx = 0; kx < k->kw; kx++) {
              const int iy = oy * k->sh - ph + ky * k->dh, ix = ox * k->sw - pw + kx * k->dw;
              if (iy < 0 || iy >= k->h || ix < 0 || ix >= k->w) continue;
              s += x[((b * k->h + iy) * k->w + ix) * k->c + oc / mult] * w[(ky * k->kw + kx) * oc_n + oc];
            }
          acc[((b * *oh + oy) * *ow + ox) * oc_n + oc] = s;
        }
}

/* type: TL_FLOAT32, TL_INT8, TL_UINT8, TL_INT16, or -1 for hybrid (float input, int8 weights). */
static int dw_case(const conv_case *k, int mult, int type) {
  const int oc_n = k->c * mult;
  const int32_t idims[4] = {k->b, k->h, k->w, k->c}, wdims[4] = {1, k->kh, k->kw, oc_n}, bdims[1] = {oc_n};
  const int64_t ni = (int64_t)k->b * k->h * k->w * k->c, nw = (int64_t)k->kh * k->kw * oc_n;
  const int hyb = type < 0, flt = type == TL_FLOAT32;
  const int itype = hyb || flt ? TL_FLOAT32 : type;
  const int wtype = flt ? TL_FLOAT32 : type == TL_UINT8 ? TL_UINT8 : TL_INT8;
  const int btype = hyb || flt ? TL_FLOAT32 : type == TL_INT16 ? TL_INT64 : TL_INT32;
  int32_t qmin = 0, qmax = 0;
  tl_qrange(itype, &qmin, &qmax);
  void *x = itype == TL_FLOAT32 ? (void *)ct_rand_f32(ni, -1, 1)
                                : ct_rand_int(itype, ni, itype == TL_INT16 ? -3000 : qmin, itype == TL_INT16 ? 3000 : qmax);
  void *wv = wtype == TL_FLOAT32 ? (void *)ct_rand_f32(nw, -1, 1)
                                 : ct_rand_int(wtype, nw, wtype == TL_UINT8 ? 0 : -127, wtype == TL_UINT8 ? 255 : 127);
  void *bv = btype == TL_FLOAT32 ? (void *)ct_rand_f32(oc_n, -1, 1) : ct_rand_int(btype, oc_n, -3000, 3000);
  const float in_s = 0.03f, out_s = type == TL_INT16 ? 0.003f : 0.07f;
  const int32_t in_zp = type == TL_INT8 ? ct_int(-5, 5) : type == TL_UINT8 ? ct_int(120, 135) : 0;
  const int32_t out_zp = type == TL_INT8 ? ct_int(-5, 5) : type == TL_UINT8 ? ct_int(120, 135) : 0;
  const int32_t w_zp = type == TL_UINT8 ? ct_int(120, 135) : 0;
  float ws[64];
  for (int c = 0; c < oc_n; c++) ws[c] = type == TL_UINT8 ? 0.013f : ct_float(0.002f, 0.02f);
  tl_tensor *in = kh_tensor(itype, 4, idims, x, 0);
  tl_tensor *w = kh_tensor(wtype, 4, wdims, wv, 1);
  tl_tensor *bias = k->bias ? kh_tensor(btype, 1, bdims, bv, 1) : NULL;
  tl_tensor *out = kh_tensor(itype, -1, NULL, NULL, 0);
  if (!flt) {
    if (type == TL_UINT8) kh_quant(w, ws[0], w_zp);
    else ct_quant_axis(w, ws, oc_n, 3);
    if (!hyb) {
      kh_quant(in, in_s, in_zp);
      kh_quant(out, out_s, out_zp);
      if (bias && type == TL_UINT8) kh_quant(bias, in_s * ws[0], 0);
    }
  }
  kh_fb fb;
  dw_opts(&fb, k, mult);
  tl_tensor *ins[3] = {in, w, bias};
  tl_node *n = kh_node(TL_BUILTIN_DEPTHWISE_CONV_2D, k->bias ? 3 : 2, ins, 1, &out, &fb, 2);
  int ok = kh_run(n) == TL_OK;
  if (!ok) fprintf(stderr, "  dw type %d: %s\n", type, kh_err());
  double *xd = malloc(sizeof(double) * ni), *wd = malloc(sizeof(double) * nw);
  int8_t *q = NULL;
  float sf[2] = {1, 1};
  int32_t zp[2] = {0, 0};
  const int64_t per = ni / k->b;
  if (hyb) {
    q = malloc((size_t)ni);
    for (int b = 0; b < k->b; b++) tl_hybrid_quant_asym((float *)x + b * per, per, q + b * per, &sf[b], &zp[b]);
  }
  for (int64_t i = 0; i < ni; i++)
    xd[i] = flt ? ((float *)x)[i] : hyb ? q[i] - zp[i / per] : (double)(ct_ival(x, itype, i) - in_zp);
  for (int64_t i = 0; i < nw; i++) wd[i] = flt ? ((float *)wv)[i] : (double)(ct_ival(wv, wtype, i) - w_zp);
  int oh, ow;
  double *acc = malloc(sizeof(double) * (size_t)k->b * k->h * k->w * oc_n + 8);
  ref_dw(k, mult, xd, wd, acc, &oh, &ow);
  int32_t lo = 0, hi = 0;
  if (!flt && !hyb) ct_qact(k->act, out_s, out_zp, qmin, qmax, &lo, &hi);
  const int64_t per_out = (int64_t)oh * ow * oc_n;
  if (ok && (out->dims[1] != oh || out->dims[2] != ow || out->dims[3] != oc_n)) ok = 0;
  for (int64_t i = 0; ok && i < (int64_t)k->b * per_out; i++) {
    const int oc = (int)(i % oc_n), b = (int)(i / per_out);
    if (flt || hyb) {
      float v = hyb ? (float)acc[i] * (ws[oc] * sf[b]) : (float)acc[i];
      if (k->bias) v += ((float *)bv)[oc];
      v = ct_conv_act(k->act, v);
      if (!ct_close(kh_f32(out)[i], v)) {
        fprintf(stderr, "  element %lld: %g vs %g\n", (long long)i, kh_f32(out)[i], v);
        ok = 0;
      }
    } else {
      int64_t a = (int64_t)acc[i] + (k->bias ? ct_ival(bv, btype, oc) : 0);
      int32_t m;
      int sh;
      const double real = type == TL_UINT8 ? (double)(in_s * ws[0]) / out_s : (double)in_s * ws[oc] / out_s;
      tl_quantize_multiplier(real, &m, &sh);
      int32_t r = type == TL_INT16 ? tl_mbqm64(a, m, sh) : tl_mbqm((int32_t)a, m, sh) + out_zp;
      r = r < lo ? lo : (r > hi ? hi : r);
      if (ct_ival(out->data, type, i) != r) {
        fprintf(stderr, "  element %lld: %lld vs %d\n", (long long)i, (long long)ct_ival(out->data, type, i), r);
        ok = 0;
      }
    }
  }
  if (!ok)
    fprintf(stderr, "  dw case b%d h%d w%d c%d m%d k%dx%d s%dx%d d%dx%d pad%d act%d bias%d type %d\n", k->b, k->h, k->w,
            k->c, mult, k->kh, k->kw, k->sh, k->sw, k->dh, k->dw, k->pad, k->act, k->bias, type);
  free(x), free(wv), free(bv), free(xd), free(wd), free(acc), free(q);
  kh_reset();
  return ok;
}

TEST(depthwise_random_all_types) {
  ct_seed(5);
  const int types[5] = {TL_FLOAT32, TL_INT8, TL_UINT8, TL_INT16, -1};
  for (int it = 0; it < 200; it++) {
    conv_case k;
    random_case(&k);
    const int mult = ct_int(0, 2) == 0 ? ct_int(2, 3) : 1;
    EXPECT(dw_case(&k, mult, types[it % 5]));
  }
}

TEST(depthwise_prepare_rejects_bad_params) {
  const int32_t idims[4] = {1, 5, 5, 3};
  const int32_t wdims_bad[4] = {1, 3, 3, 4}; /* 4 not a multiple of 3 */
  const int32_t wdims[4] = {1, 3, 3, 6};
  conv_case k = {1, 5, 5, 3, 6, 3, 3, 1, 0, 1, 1, 0, 0, 1, 0};
  for (int variant = 0; variant < 3; variant++) {
    tl_tensor *in = kh_tensor(TL_FLOAT32, 4, idims, NULL, 0);
    tl_tensor *w = kh_tensor(TL_FLOAT32, 4, variant == 2 ? wdims_bad : wdims, NULL, 1);
    tl_tensor *out = kh_tensor(TL_FLOAT32, -1, NULL, NULL, 0);
    conv_case kk = k;
    if (variant == 1) kk.sw = 1, kk.dh = 0;
    if (variant == 2) kk.sw = 1;
    kh_fb fb;
    dw_opts(&fb, &kk, 2);
    tl_tensor *ins[2] = {in, w};
    tl_node *n = kh_node(TL_BUILTIN_DEPTHWISE_CONV_2D, 2, ins, 1, &out, &fb, 2);
    EXPECT_EQ(kh_prepare(n), TL_ERR_MODEL);
    EXPECT_STR_CONTAINS(kh_err(), variant == 0 ? "strides" : variant == 1 ? "dilations" : "multiple");
    kh_reset();
  }
}

/* ---- TRANSPOSE_CONV ---- */

static int tconv_case(int b, int h, int w, int ic, int oc, int kh, int kw, int sh, int sw, int pad, int type,
                      int with_bias, int shape_known) {
  /* Output size the converter would write: SAME -> in * stride, VALID -> (in - 1) * stride + k. */
  const int oh = pad == 0 ? h * sh : (h - 1) * sh + kh, ow = pad == 0 ? w * sw : (w - 1) * sw + kw;
  const int32_t od[4] = {b, oh, ow, oc}, sdims[1] = {4};
  const int32_t idims[4] = {b, h, w, ic}, wdims[4] = {oc, kh, kw, ic}, bdims[1] = {oc};
  const int64_t ni = (int64_t)b * h * w * ic, nw = (int64_t)oc * kh * kw * ic, no = (int64_t)b * oh * ow * oc;
  const int flt = type == TL_FLOAT32;
  const int wtype = flt ? TL_FLOAT32 : TL_INT8, btype = flt ? TL_FLOAT32 : type == TL_INT16 ? TL_INT64 : TL_INT32;
  int32_t qmin = 0, qmax = 0;
  tl_qrange(type, &qmin, &qmax);
  void *x = flt ? (void *)ct_rand_f32(ni, -1, 1) : ct_rand_int(type, ni, type == TL_INT16 ? -4000 : -128, type == TL_INT16 ? 4000 : 127);
  void *wv = flt ? (void *)ct_rand_f32(nw, -1, 1) : ct_rand_int(TL_INT8, nw, -127, 127);
  void *bv = flt ? (void *)ct_rand_f32(oc, -1, 1) : ct_rand_int(btype, oc, -3000, 3000);
  const float in_s = 0.02f, out_s = type == TL_INT16 ? 0.002f : 0.06f;
  const int32_t in_zp = type == TL_INT8 ? 3 : 0, out_zp = type == TL_INT8 ? -4 : 0;
  float ws[64];
  for (int c = 0; c < oc; c++) ws[c] = ct_float(0.002f, 0.02f);
  tl_tensor *os = kh_tensor(TL_INT32, 1, sdims, od, shape_known);
  tl_tensor *in = kh_tensor(type, 4, idims, x, 0);
  tl_tensor *wt = kh_tensor(wtype, 4, wdims, wv, 1);
  tl_tensor *bias = with_bias ? kh_tensor(btype, 1, bdims, bv, 1) : NULL;
  tl_tensor *out = kh_tensor(type, -1, NULL, NULL, 0);
  tl_mtensor mt;
  memset(&mt, 0, sizeof mt);
  int32_t mdims[4] = {b, oh, ow, oc};
  mt.ndim = 4, mt.dims = mdims;
  out->m = &mt; /* the shape the file declares, used when output_shape is not constant */
  if (!flt) {
    ct_quant_axis(wt, ws, oc, 0);
    kh_quant(in, in_s, in_zp);
    kh_quant(out, out_s, out_zp);
  }
  kh_fb fb;
  kh_fb_init(&fb);
  uint32_t t = kh_fb_table(&fb, 3);
  kh_fb_u8(&fb, t, 0, (uint8_t)pad);
  kh_fb_i32(&fb, t, 1, sw);
  kh_fb_i32(&fb, t, 2, sh);
  tl_tensor *ins[4] = {os, wt, in, bias};
  tl_node *n = kh_node(TL_BUILTIN_TRANSPOSE_CONV, with_bias ? 4 : 3, ins, 1, &out, &fb, 49);
  int ok = kh_run(n) == TL_OK;
  if (!ok) fprintf(stderr, "  transpose conv: %s\n", kh_err());
  /* Reference: TFLite's scatter formulation. */
  int ph, pw;
  ref_out(pad, oh, kh, sh, 1, &ph);
  ref_out(pad, ow, kw, sw, 1, &pw);
  double *acc = calloc((size_t)no, sizeof(double));
  for (int bb = 0; bb < b; bb++)
    for (int iy = 0; iy < h; iy++)
      for (int ix = 0; ix < w; ix++)
        for (int c = 0; c < ic; c++)
          for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++)
              for (int o = 0; o < oc; o++) {
                const int oy = iy * sh - ph + ky, ox = ix * sw - pw + kx;
                if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
                const int64_t xi = ((bb * h + iy) * w + ix) * ic + c;
                const double xv = flt ? ((float *)x)[xi] : (double)(ct_ival(x, type, xi) - in_zp);
                const int64_t wi = ((o * kh + ky) * kw + kx) * ic + c;
                const double wvv = flt ? ((float *)wv)[wi] : (double)((int8_t *)wv)[wi];
                acc[((bb * oh + oy) * ow + ox) * oc + o] += xv * wvv;
              }
  for (int64_t i = 0; ok && i < no; i++) {
    const int o = (int)(i % oc);
    if (flt) {
      float v = (float)acc[i] + (with_bias ? ((float *)bv)[o] : 0.f);
      if (!ct_close(kh_f32(out)[i], v)) ok = 0;
    } else {
      int64_t a = (int64_t)acc[i] + (with_bias ? ct_ival(bv, btype, o) : 0);
      int32_t m;
      int s;
      tl_quantize_multiplier((double)in_s * ws[o] / out_s, &m, &s);
      int32_t r = type == TL_INT16 ? tl_mbqm64(a, m, s) : tl_mbqm((int32_t)a, m, s) + out_zp;
      r = r < qmin ? qmin : (r > qmax ? qmax : r);
      if (ct_ival(out->data, type, i) != r) ok = 0;
    }
    if (!ok) fprintf(stderr, "  element %lld differs\n", (long long)i);
  }
  if (!ok)
    fprintf(stderr, "  tconv b%d h%d w%d ic%d oc%d k%dx%d s%dx%d pad%d type %d\n", b, h, w, ic, oc, kh, kw, sh, sw, pad,
            type);
  free(x), free(wv), free(bv), free(acc);
  kh_reset();
  return ok;
}

TEST(transpose_conv_random) {
  ct_seed(6);
  const int types[3] = {TL_FLOAT32, TL_INT8, TL_INT16};
  for (int it = 0; it < 60; it++)
    EXPECT(tconv_case(ct_int(1, 2), ct_int(1, 6), ct_int(1, 6), ct_int(1, 5), ct_int(1, 5), ct_int(1, 4), ct_int(1, 4),
                      ct_int(1, 3), ct_int(1, 3), ct_int(0, 1), types[it % 3], ct_int(0, 3) != 0, it % 4 != 0));
}

TEST(transpose_conv_rejects_mismatched_output_shape) {
  const int32_t od[4] = {1, 9, 9, 2}, sdims[1] = {4}, idims[4] = {1, 4, 4, 3}, wdims[4] = {2, 3, 3, 3};
  tl_tensor *os = kh_tensor(TL_INT32, 1, sdims, od, 1);
  tl_tensor *in = kh_tensor(TL_FLOAT32, 4, idims, NULL, 0);
  tl_tensor *w = kh_tensor(TL_FLOAT32, 4, wdims, NULL, 1);
  tl_tensor *out = kh_tensor(TL_FLOAT32, -1, NULL, NULL, 0);
  kh_fb fb;
  kh_fb_init(&fb);
  uint32_t t = kh_fb_table(&fb, 3);
  kh_fb_u8(&fb, t, 0, 0);
  kh_fb_i32(&fb, t, 1, 2);
  kh_fb_i32(&fb, t, 2, 2);
  tl_tensor *ins[3] = {os, w, in};
  tl_node *n = kh_node(TL_BUILTIN_TRANSPOSE_CONV, 3, ins, 1, &out, &fb, 49);
  EXPECT_EQ(kh_prepare(n), TL_ERR_MODEL); /* SAME, stride 2: 9x9 output needs a 5x5 input, not 4x4 */
  EXPECT_STR_CONTAINS(kh_err(), "input size");
  kh_reset();
}

/* The hybrid input quantizers on hand-checked values. */
TEST(hybrid_quantizers_match_tflite) {
  const float x[5] = {-1.0f, 0.5f, 0.25f, 2.0f, 0.0f};
  int8_t q[5];
  float s;
  tl_hybrid_quant_sym(x, 5, q, &s);
  EXPECT_NEAR(s, 2.0f / 127.f, 1e-9);
  EXPECT_EQ(q[0], -64); /* -63.5 rounds away from zero */
  EXPECT_EQ(q[1], 32);  /* 31.75 */
  EXPECT_EQ(q[3], 127);
  EXPECT_EQ(q[4], 0);
  int32_t zp;
  tl_hybrid_quant_asym(x, 5, q, &s, &zp);
  EXPECT_NEAR(s, 3.0 / 255.0, 1e-7);
  EXPECT_EQ(zp, -43); /* -128 + 1/(3/255) = -43 */
  EXPECT_EQ(q[0], -128);
  EXPECT_EQ(q[3], 127);
  EXPECT_EQ(q[4], -43);
  const float z[3] = {0, 0, 0};
  tl_hybrid_quant_asym(z, 3, q, &s, &zp);
  EXPECT_EQ(zp, 0);
  EXPECT_NEAR(s, 1.0, 0);
  /* all-positive input: the range is widened to include 0, so the zero point is -128 */
  const float p[2] = {1.0f, 3.0f};
  tl_hybrid_quant_asym(p, 2, q, &s, &zp);
  EXPECT_EQ(zp, -128);
  EXPECT_EQ(q[1], 127);
}

/* The quantizers' fast rounding (no libm call) against TfLiteRound + static_cast on every kind of
 * value: exact ties of both signs, neighbours of ties, random data, and NaN / infinity (the slow path).
 * Ranges of 127 (symmetric) and 255 (asymmetric, [-128, 127]) make the scale exactly 1, so x itself is
 * the value rounded. */
TEST(hybrid_quantizers_round_exactly_like_roundf) {
  enum { N = 4096 };
  float *x = malloc(sizeof(float) * N);
  int8_t *q = malloc(N);
  uint32_t r = 12345u;
  for (int trial = 0; trial < 12; trial++) {
    for (int i = 0; i < N; i++) {
      r = r * 1664525u + 1013904223u;
      const float base = (float)((int)(r >> 8) % 255 - 127);
      switch (trial % 4) {
      case 0: x[i] = base + 0.5f; break;                                    /* ties */
      case 1: x[i] = nextafterf(base + 0.5f, (r & 1) ? 1e9f : -1e9f); break;  /* next to ties */
      default: x[i] = (float)((int)(r >> 4) % 2000001 - 1000000) * 1e-4f; break;
      }
      if (x[i] > 127.f) x[i] = 127.f;
      if (x[i] < -127.f) x[i] = -127.f;
    }
    x[0] = 127.f, x[1] = -127.f; /* symmetric range 127: scale 1 */
    if (trial >= 8) x[7] = trial == 8 ? NAN : trial == 9 ? INFINITY : -INFINITY;
    float s;
    const int nn = N - trial % 7; /* tails of every length below the vector widths */
    tl_hybrid_quant_sym(x, nn, q, &s);
    float range = 0.f;
    for (int i = 0; i < nn; i++) range = fabsf(x[i]) > range ? fabsf(x[i]) : range;
    if (trial < 8) EXPECT_EQ(s, 1.f);
    int bad = 0;
    for (int i = 0; i < nn && !bad; i++) {
      const float inv = 127.f / range;
      int32_t v = tl_f2i32(roundf(x[i] * inv));
      v = v < -127 ? -127 : v > 127 ? 127 : v;
      if (trial < 8 && q[i] != v) printf("  sym x=%.9g q=%d want %d\n", (double)x[i], q[i], v), bad = 1;
    }
    EXPECT(!bad);
    x[0] = 127.f, x[1] = -128.f; /* asymmetric range 255: scale 1, zero point 0 */
    int32_t zp;
    tl_hybrid_quant_asym(x, nn, q, &s, &zp);
    if (trial < 8) {
      EXPECT_EQ(s, 1.f);
      EXPECT_EQ(zp, 0);
      for (int i = 0; i < nn && !bad; i++) {
        int32_t v = tl_f2i32(roundf((float)zp + x[i] * (1.0f / s)));
        v = v < -128 ? -128 : v > 127 ? 127 : v;
        if (q[i] != v) printf("  asym x=%.9g q=%d want %d\n", (double)x[i], q[i], v), bad = 1;
      }
    } else {
      /* non-finite data: the slow path, as TFLite (a NaN maps like the x86 conversion) */
      const float inv = 1.0f / s;
      for (int i = 0; i < nn && !bad; i++) {
        int32_t v = tl_f2i32(roundf((float)zp + x[i] * inv));
        v = v < -128 ? -128 : v > 127 ? 127 : v;
        if (q[i] != v) printf("  asym(non-finite) i=%d q=%d want %d\n", i, q[i], v), bad = 1;
      }
    }
    EXPECT(!bad);
  }
  free(x), free(q);
}

/* ruy's x86 requantization vs the reference one: they differ only on negative ties. */
TEST(ruy_requant_rounds_ties_upward) {
  /* multiplier 0.5 (2^30, shift 0) then shift -1: x * 0.25 */
  EXPECT_EQ(tl_mbqm_ruy(6, 1 << 30, -1), 2);    /* 1.5 -> 2 */
  EXPECT_EQ(tl_mbqm_ruy(-6, 1 << 30, -1), -1);  /* -1.5 -> -1 (ties upward) */
  EXPECT_EQ(tl_mbqm(-6, 1 << 30, -1), -2);      /* reference: away from zero */
  /* -7 * 0.25 = -1.75, but both roundings are double: the high multiply gives -3.5 -> -3, then the
   * shift -1.5 -> -1 (ruy) or -2 (reference). */
  EXPECT_EQ(tl_mbqm_ruy(-7, 1 << 30, -1), -1);
  EXPECT_EQ(tl_mbqm(-7, 1 << 30, -1), -2);
  EXPECT_EQ(tl_mbqm_ruy(-9, 1 << 30, -1), -2);  /* -4.5 -> -4, -2 */
  EXPECT_EQ(tl_mbqm_ruy(100, 1 << 30, 0), 50);
  EXPECT_EQ(tl_mbqm_ruy(-3, 1 << 30, 0), -1);   /* -1.5 -> -1 at the high multiply */
  EXPECT_EQ(tl_mbqm_ruy(INT32_MAX, INT32_MAX, 0), INT32_MAX - 1);
  EXPECT_EQ(tl_mbqm_ruy(5, 1 << 30, 2), 10);    /* left shift */
}

TEST_MAIN(T(conv_float_random), T(conv_float_large_k_and_tiles), T(conv_int8_uint8_int16_random), T(conv_hybrid_random),
          T(conv_prepare_rejects_bad_params), T(depthwise_random_all_types), T(depthwise_prepare_rejects_bad_params),
          T(transpose_conv_random), T(transpose_conv_rejects_mismatched_output_shape), T(hybrid_quantizers_match_tflite),
          T(hybrid_quantizers_round_exactly_like_roundf),
          T(ruy_requant_rounds_ties_upward))

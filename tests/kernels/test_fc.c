/* SPDX-License-Identifier: Apache-2.0
 * FULLY_CONNECTED against plain reference loops: inputs of any rank, keep_num_dims, missing bias,
 * every fused activation, weights known or not, GEMV and GEMM splits; hybrid (symmetric/asymmetric
 * input quantization, per-tensor/per-channel weights), int8 per-tensor/per-channel, uint8 and 16x8;
 * and the shapes and options prepare must refuse. */
#include <string.h>

#include "../../src/kernels/quant_math.h"
#include "../../src/kernels/ops/conv_util.h"
#include "../test.h"
#include "conv_testutil.h"

static kh_fb *fc_opts(int act, int keep, int asym, int wfmt) {
  static kh_fb fb;
  kh_fb_init(&fb);
  uint32_t t = kh_fb_table(&fb, 4);
  kh_fb_u8(&fb, t, 0, (uint8_t)act);
  kh_fb_u8(&fb, t, 1, (uint8_t)wfmt);
  kh_fb_u8(&fb, t, 2, (uint8_t)keep);
  kh_fb_u8(&fb, t, 3, (uint8_t)asym);
  return &fb;
}

/* Random input shape whose element count is batch * k. */
static int random_input_shape(int64_t batch, int k, int keep, int32_t *dims) {
  if (keep || ct_int(0, 2) == 0) {
    /* [..., k] with the batch split over up to 3 leading dims */
    int nd = ct_int(1, 3);
    int64_t rest = batch;
    for (int i = 0; i < nd - 1; i++) {
      int d = (rest % 2 == 0 && ct_int(0, 1)) ? 2 : 1;
      dims[i] = d;
      rest /= d;
    }
    dims[nd - 1] = (int32_t)rest;
    dims[nd] = k;
    return nd + 1;
  }
  /* flattened: [batch * k] or [batch, k / 2, 2] style reshapes that keep the count */
  if (k % 2 == 0 && ct_int(0, 1)) {
    dims[0] = (int32_t)batch, dims[1] = k / 2, dims[2] = 2;
    return 3;
  }
  dims[0] = (int32_t)(batch * k);
  return 1;
}

static int fc_float_case(int64_t batch, int k, int units, int act, int keep, int bias_on, int known) {
  int32_t idims[8];
  const int nd = random_input_shape(batch, k, keep, idims);
  const int32_t wdims[2] = {units, k}, bdims[1] = {units};
  float *x = ct_rand_f32(batch * k, -1, 1), *wv = ct_rand_f32((int64_t)units * k, -1, 1), *bv = ct_rand_f32(units, -1, 1);
  tl_tensor *in = kh_tensor(TL_FLOAT32, nd, idims, x, 0);
  tl_tensor *w = kh_tensor(TL_FLOAT32, 2, wdims, wv, known);
  tl_tensor *bias = bias_on ? kh_tensor(TL_FLOAT32, 1, bdims, bv, 1) : NULL;
  tl_tensor *out = kh_tensor(TL_FLOAT32, -1, NULL, NULL, 0);
  tl_tensor *ins[3] = {in, w, bias};
  tl_node *n = kh_node(TL_BUILTIN_FULLY_CONNECTED, 3, ins, 1, &out, fc_opts(act, keep, 0, 0), 8);
  int ok = kh_run(n) == TL_OK;
  if (!ok) fprintf(stderr, "  fc float: %s\n", kh_err());
  if (ok) {
    if (keep) {
      ok = out->ndim == nd && out->dims[nd - 1] == units;
      for (int i = 0; i < nd - 1; i++) ok = ok && out->dims[i] == idims[i];
    } else {
      ok = out->ndim == 2 && out->dims[0] == batch && out->dims[1] == units;
    }
    if (!ok) fprintf(stderr, "  wrong output shape (rank %d)\n", (int)out->ndim);
  }
  for (int64_t b = 0; ok && b < batch; b++)
    for (int u = 0; ok && u < units; u++) {
      double s = bias_on ? bv[u] : 0;
      for (int i = 0; i < k; i++) s += (double)x[b * k + i] * wv[(int64_t)u * k + i];
      float ref = act == 4 || act == 5 ? tl_act_f32(act, (float)s) : ct_conv_act(act, (float)s);
      if (!ct_close(kh_f32(out)[b * units + u], ref)) {
        fprintf(stderr, "  [%lld,%d]: %g vs %g\n", (long long)b, u, kh_f32(out)[b * units + u], ref);
        ok = 0;
      }
    }
  if (!ok) fprintf(stderr, "  case batch %lld k %d units %d act %d keep %d bias %d\n", (long long)batch, k, units, act, keep, bias_on);
  free(x), free(wv), free(bv);
  kh_reset();
  return ok;
}

TEST(fc_float_random) {
  ct_seed(11);
  for (int it = 0; it < 120; it++) {
    const int64_t batch = it % 10 == 0 ? ct_int(65, 150) : ct_int(1, 6);
    EXPECT(fc_float_case(batch, ct_int(1, 300), ct_int(1, 40), ct_int(0, 5), ct_int(0, 1), ct_int(0, 3) != 0,
                         it % 4 != 0));
  }
  EXPECT(fc_float_case(1, 784, 128, 1, 0, 1, 1)); /* MNIST MLP layer: GEMV */
}

static int fc_hybrid_case(int64_t batch, int k, int units, int act, int asym, int per_channel, int known) {
  const int32_t idims[2] = {(int32_t)batch, k}, wdims[2] = {units, k}, bdims[1] = {units};
  float *x = ct_rand_f32(batch * k, -2, 1), *bv = ct_rand_f32(units, -1, 1);
  if (batch > 1) memset(x, 0, sizeof(float) * (size_t)k); /* an all-zero row: TFLite's shortcut */
  int8_t *wv = ct_rand_int(TL_INT8, (int64_t)units * k, -127, 127);
  float ws[64];
  for (int u = 0; u < units; u++) ws[u] = per_channel ? ct_float(0.001f, 0.03f) : 0.02f;
  tl_tensor *in = kh_tensor(TL_FLOAT32, 2, idims, x, 0);
  tl_tensor *w = kh_tensor(TL_INT8, 2, wdims, wv, known);
  tl_tensor *bias = kh_tensor(TL_FLOAT32, 1, bdims, bv, 1);
  tl_tensor *out = kh_tensor(TL_FLOAT32, -1, NULL, NULL, 0);
  if (per_channel) ct_quant_axis(w, ws, units, 0);
  else kh_quant(w, ws[0], 0);
  tl_tensor *ins[3] = {in, w, bias};
  tl_node *n = kh_node(TL_BUILTIN_FULLY_CONNECTED, 3, ins, 1, &out, fc_opts(act, 0, asym, 0), 8);
  int ok = kh_run(n) == TL_OK;
  if (!ok) fprintf(stderr, "  fc hybrid: %s\n", kh_err());
  int8_t *q = malloc((size_t)k);
  for (int64_t b = 0; ok && b < batch; b++) {
    float sf;
    int32_t zp = 0;
    if (asym) tl_hybrid_quant_asym(x + b * k, k, q, &sf, &zp);
    else tl_hybrid_quant_sym(x + b * k, k, q, &sf);
    for (int u = 0; ok && u < units; u++) {
      int64_t acc = 0;
      for (int i = 0; i < k; i++) acc += (int64_t)(q[i] - zp) * wv[(int64_t)u * k + i];
      const float scale = per_channel ? sf * ws[u] : sf * ws[0];
      const float ref = tl_act_f32(act, bv[u] + (float)acc * scale);
      if (!ct_close(kh_f32(out)[b * units + u], ref)) {
        fprintf(stderr, "  [%lld,%d]: %g vs %g\n", (long long)b, u, kh_f32(out)[b * units + u], ref);
        ok = 0;
      }
    }
  }
  free(x), free(wv), free(bv), free(q);
  kh_reset();
  return ok;
}

TEST(fc_hybrid_random) {
  ct_seed(12);
  for (int it = 0; it < 80; it++)
    EXPECT(fc_hybrid_case(ct_int(1, 5), ct_int(1, 200), ct_int(1, 40), ct_int(0, 5), it % 2, (it / 2) % 2, it % 3 != 0));
}

static int fc_quant_case(int64_t batch, int k, int units, int act, int type, int per_channel, int bias_on) {
  const int32_t idims[2] = {(int32_t)batch, k}, wdims[2] = {units, k}, bdims[1] = {units};
  const int wtype = type == TL_UINT8 ? TL_UINT8 : TL_INT8, btype = type == TL_INT16 ? TL_INT64 : TL_INT32;
  int32_t qmin, qmax;
  tl_qrange(type, &qmin, &qmax);
  void *x = ct_rand_int(type, batch * k, type == TL_INT16 ? -5000 : qmin, type == TL_INT16 ? 5000 : qmax);
  void *wv = ct_rand_int(wtype, (int64_t)units * k, wtype == TL_UINT8 ? 0 : -127, wtype == TL_UINT8 ? 255 : 127);
  void *bv = ct_rand_int(btype, units, -5000, 5000);
  const float in_s = 0.015f, out_s = type == TL_INT16 ? 0.01f : 0.2f;
  const int32_t in_zp = type == TL_INT16 ? 0 : ct_int(-10, 10) + (type == TL_UINT8 ? 128 : 0);
  const int32_t out_zp = type == TL_INT16 ? 0 : ct_int(-10, 10) + (type == TL_UINT8 ? 128 : 0);
  const int32_t w_zp = type == TL_UINT8 ? ct_int(110, 140) : 0;
  float ws[64];
  for (int u = 0; u < units; u++) ws[u] = per_channel ? ct_float(0.002f, 0.02f) : 0.01f;
  tl_tensor *in = kh_tensor(type, 2, idims, x, 0);
  tl_tensor *w = kh_tensor(wtype, 2, wdims, wv, 1);
  tl_tensor *bias = bias_on ? kh_tensor(btype, 1, bdims, bv, 1) : NULL;
  tl_tensor *out = kh_tensor(type, -1, NULL, NULL, 0);
  kh_quant(in, in_s, in_zp);
  kh_quant(out, out_s, out_zp);
  if (per_channel) ct_quant_axis(w, ws, units, 0);
  else kh_quant(w, ws[0], w_zp);
  if (bias && !per_channel) kh_quant(bias, in_s * ws[0], 0);
  tl_tensor *ins[3] = {in, w, bias};
  tl_node *n = kh_node(TL_BUILTIN_FULLY_CONNECTED, 3, ins, 1, &out, fc_opts(act, 0, 0, 0), 8);
  int ok = kh_run(n) == TL_OK;
  if (!ok) fprintf(stderr, "  fc %s: %s\n", tl_type_name(type), kh_err());
  int32_t lo, hi;
  ct_qact(act, out_s, out_zp, qmin, qmax, &lo, &hi);
  for (int64_t b = 0; ok && b < batch; b++)
    for (int u = 0; ok && u < units; u++) {
      int64_t acc = bias_on ? ct_ival(bv, btype, u) : 0;
      for (int i = 0; i < k; i++)
        acc += (ct_ival(x, type, b * k + i) - in_zp) * (ct_ival(wv, wtype, (int64_t)u * k + i) - w_zp);
      int32_t m;
      int sh;
      /* per-tensor: TFLite rounds in_scale * w_scale to float first */
      const double real = per_channel ? (double)in_s * ws[u] / out_s : (double)(in_s * ws[0]) / out_s;
      tl_quantize_multiplier(real, &m, &sh);
      int32_t r = type == TL_INT16 ? tl_mbqm64(acc, m, sh) : tl_mbqm_ruy((int32_t)acc, m, sh) + out_zp;
      r = r < lo ? lo : (r > hi ? hi : r);
      if (ct_ival(out->data, type, b * units + u) != r) {
        fprintf(stderr, "  [%lld,%d]: %lld vs %d\n", (long long)b, u, (long long)ct_ival(out->data, type, b * units + u), r);
        ok = 0;
      }
    }
  free(x), free(wv), free(bv);
  kh_reset();
  return ok;
}

TEST(fc_int8_uint8_int16_random) {
  ct_seed(13);
  for (int it = 0; it < 90; it++) {
    const int type = it % 3 == 0 ? TL_INT8 : it % 3 == 1 ? TL_UINT8 : TL_INT16;
    const int pc = type != TL_UINT8 && (it / 3) % 2;
    EXPECT(fc_quant_case(ct_int(1, 4), ct_int(1, 200), ct_int(1, 40), ct_int(0, 3), type, pc, ct_int(0, 3) != 0));
  }
}

static tl_status fc_prepare(int nd, const int32_t *idims, int wnd, const int32_t *wdims, int wfmt, int keep) {
  tl_tensor *in = kh_tensor(TL_FLOAT32, nd, idims, NULL, 0);
  tl_tensor *w = kh_tensor(TL_FLOAT32, wnd, wdims, NULL, 1);
  tl_tensor *out = kh_tensor(TL_FLOAT32, -1, NULL, NULL, 0);
  tl_tensor *ins[3] = {in, w, NULL};
  tl_node *n = kh_node(TL_BUILTIN_FULLY_CONNECTED, 3, ins, 1, &out, fc_opts(0, keep, 0, wfmt), 8);
  return kh_prepare(n);
}

TEST(fc_prepare_rejects_bad_shapes_and_options) {
  const int32_t in7[2] = {1, 7}, w3[2] = {4, 3}, w0[2] = {4, 0}, u0[2] = {0, 7}, w7[2] = {4, 7}, w3d[3] = {4, 7, 1};
  const int32_t in2x7[2] = {2, 7}, in14[1] = {14};
  EXPECT_EQ(fc_prepare(2, in7, 2, w3, 0, 0), TL_ERR_MODEL); /* 7 values are not rows of 3 */
  EXPECT_STR_CONTAINS(kh_err(), "whole number");
  kh_reset();
  EXPECT_EQ(fc_prepare(2, in7, 2, w0, 0, 0), TL_ERR_MODEL); /* zero input features */
  EXPECT_STR_CONTAINS(kh_err(), "< 1");
  kh_reset();
  EXPECT_EQ(fc_prepare(2, in7, 2, u0, 0, 0), TL_ERR_MODEL); /* zero units */
  kh_reset();
  EXPECT_EQ(fc_prepare(2, in7, 3, w3d, 0, 0), TL_ERR_MODEL);
  EXPECT_STR_CONTAINS(kh_err(), "rank 2");
  kh_reset();
  EXPECT_EQ(fc_prepare(2, in7, 2, w7, 1, 0), TL_ERR_UNSUPPORTED); /* SHUFFLED4x16INT8 */
  EXPECT_STR_CONTAINS(kh_err(), "weights_format");
  kh_reset();
  EXPECT_EQ(fc_prepare(1, in14, 2, w7, 0, 1), TL_ERR_MODEL); /* keep_num_dims needs last dim == 7 */
  kh_reset();
  EXPECT_EQ(fc_prepare(2, in2x7, 2, w7, 0, 1), TL_OK);
  kh_reset();
  EXPECT_EQ(fc_prepare(1, in14, 2, w7, 0, 0), TL_OK); /* flattened: batch 2 */
  kh_reset();
}

TEST_MAIN(T(fc_float_random), T(fc_hybrid_random), T(fc_int8_uint8_int16_random),
          T(fc_prepare_rejects_bad_shapes_and_options))

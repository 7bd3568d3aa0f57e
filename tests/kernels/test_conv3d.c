/* SPDX-License-Identifier: Apache-2.0
 * CONV_3D and CONV_3D_TRANSPOSE (src/kernels/ops/conv3d.c) against the real TensorFlow Lite's
 * builtin kernels on single-op models: SAME and VALID padding, strides and dilations per axis, a
 * fused RELU or RELU6, with and without bias, batch 2. TFLite's CONV_3D sums through an im2col GEMM,
 * so outputs must agree within 1e-6 of their range; malformed filters are refused. TFLite 2.9's
 * transpose checks a bias against the filter's input channels, so it takes one only when the input
 * and output channels agree. */
#include <stdint.h>
#include <stdio.h>

#include "format/schema.h"
#include "test.h"
#include "tflite_oracle.h"

static float g_x[4096], g_w[4096], g_b[64];

static void fill(float *v, int n, uint32_t s) {
  for (int i = 0; i < n; i++) s = s * 1664525u + 1013904223u, v[i] = (float)((s >> 9) & 0x3fff) / 8192.f - 1.f;
}

typedef struct {
  int32_t n, d, h, w, ic, kd, kh, kw, oc;
  int pad, sd, sh, sw, dd, dh, dw, act, bias;
} c3case;

static tl_tfl_options opts(const c3case *c) {
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_CONV3D);
  tl_tfl_opts_set_int(&o, TL_SCH_OPT_CONV3D_PADDING, TL_TFL_F_I8, c->pad);
  tl_tfl_opts_set_int(&o, TL_SCH_OPT_CONV3D_STRIDE_D, TL_TFL_F_I32, c->sd);
  tl_tfl_opts_set_int(&o, TL_SCH_OPT_CONV3D_STRIDE_W, TL_TFL_F_I32, c->sw);
  tl_tfl_opts_set_int(&o, TL_SCH_OPT_CONV3D_STRIDE_H, TL_TFL_F_I32, c->sh);
  tl_tfl_opts_set_int(&o, TL_SCH_OPT_CONV3D_FUSED_ACTIVATION_FUNCTION, TL_TFL_F_I8, c->act);
  tl_tfl_opts_set_int(&o, TL_SCH_OPT_CONV3D_DILATION_D_FACTOR, TL_TFL_F_I32, c->dd);
  tl_tfl_opts_set_int(&o, TL_SCH_OPT_CONV3D_DILATION_W_FACTOR, TL_TFL_F_I32, c->dw);
  tl_tfl_opts_set_int(&o, TL_SCH_OPT_CONV3D_DILATION_H_FACTOR, TL_TFL_F_I32, c->dh);
  return o;
}

static int out_size(int pad, int in, int k, int s, int d) {
  const int eff = (k - 1) * d + 1;
  return pad == TL_TFL_PAD_SAME ? (in + s - 1) / s : (in - eff + s) / s;
}

static const c3case k_cases[] = {
  {1, 4, 5, 6, 3, 2, 3, 3, 4, TL_TFL_PAD_SAME, 1, 1, 1, 1, 1, 1, TL_TFL_ACT_NONE, 1},
  {2, 5, 6, 5, 2, 3, 2, 2, 5, TL_TFL_PAD_VALID, 1, 2, 1, 1, 1, 1, TL_TFL_ACT_RELU, 1},
  {1, 6, 6, 6, 4, 3, 3, 3, 3, TL_TFL_PAD_SAME, 2, 2, 2, 1, 1, 1, TL_TFL_ACT_RELU6, 0},
  {1, 7, 7, 7, 2, 2, 2, 2, 6, TL_TFL_PAD_VALID, 1, 1, 1, 2, 3, 2, TL_TFL_ACT_NONE, 1},
  {1, 3, 8, 8, 1, 1, 3, 3, 8, TL_TFL_PAD_SAME, 1, 2, 2, 1, 2, 2, TL_TFL_ACT_RELU, 1},
  {2, 4, 6, 6, 3, 2, 3, 3, 3, TL_TFL_PAD_SAME, 2, 2, 1, 1, 1, 1, TL_TFL_ACT_RELU6, 1}, /* transposed with a bias */
};

TEST(conv3d_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  fill(g_x, 4096, 1), fill(g_w, 4096, 2), fill(g_b, 64, 3);
  int ok = 0, n = 0;
  for (size_t k = 0; k < sizeof k_cases / sizeof k_cases[0]; k++) {
    const c3case *c = &k_cases[k];
    const int32_t xd[5] = {c->n, c->d, c->h, c->w, c->ic}, wd[5] = {c->kd, c->kh, c->kw, c->ic, c->oc}, bd[1] = {c->oc};
    const int32_t od[5] = {c->n, out_size(c->pad, c->d, c->kd, c->sd, c->dd), out_size(c->pad, c->h, c->kh, c->sh, c->dh),
                           out_size(c->pad, c->w, c->kw, c->sw, c->dw), c->oc};
    tl_om m;
    tl_om_init(&m);
    m.rel = 1e-6f;
    tl_om_input(&m, TL_TFL_FLOAT32, 5, xd, NULL, g_x);
    tl_om_const(&m, TL_TFL_FLOAT32, 5, wd, g_w, NULL);
    if (c->bias) tl_om_const(&m, TL_TFL_FLOAT32, 1, bd, g_b, NULL);
    tl_om_output(&m, TL_TFL_FLOAT32, 5, od, NULL);
    tl_tfl_options o = opts(c);
    char what[48];
    snprintf(what, sizeof what, "CONV_3D case %zu", k);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_CONV_3D, 1, &o, what, NULL);
  }
  for (size_t k = 0; k < sizeof k_cases / sizeof k_cases[0]; k++) {
    /* the transpose of case k: its output is case k's input */
    const c3case *c = &k_cases[k];
    const int32_t yd[5] = {c->n, c->d, c->h, c->w, c->oc}, wd[5] = {c->kd, c->kh, c->kw, c->oc, c->ic}, bd[1] = {c->oc},
                  sd[1] = {5};
    const int32_t xd[5] = {c->n, out_size(c->pad, c->d, c->kd, c->sd, c->dd), out_size(c->pad, c->h, c->kh, c->sh, c->dh),
                           out_size(c->pad, c->w, c->kw, c->sw, c->dw), c->ic};
    if (c->dd != 1 || c->dh != 1 || c->dw != 1) continue; /* TFLite 2.9's transpose takes no dilation */
    tl_om m;
    tl_om_init(&m);
    m.rel = 1e-6f;
    tl_om_const(&m, TL_TFL_INT32, 1, sd, yd, NULL);
    tl_om_const(&m, TL_TFL_FLOAT32, 5, wd, g_w, NULL);
    tl_om_input(&m, TL_TFL_FLOAT32, 5, xd, NULL, g_x);
    if (c->bias && c->ic == c->oc) tl_om_const(&m, TL_TFL_FLOAT32, 1, bd, g_b, NULL);
    tl_om_output(&m, TL_TFL_FLOAT32, 5, yd, NULL);
    tl_tfl_options o = opts(c);
    char what[48];
    snprintf(what, sizeof what, "CONV_3D_TRANSPOSE case %zu", k);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_CONV_3D_TRANSPOSE, 1, &o, what, NULL);
  }
  { /* a filter whose input channels disagree with the input's is refused */
    const c3case *c = &k_cases[0];
    const int32_t xd[5] = {1, 4, 5, 6, 3}, wd[5] = {2, 3, 3, 2, 4}, od[5] = {1, 4, 5, 6, 4};
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_FLOAT32, 5, xd, NULL, g_x);
    tl_om_const(&m, TL_TFL_FLOAT32, 5, wd, g_w, NULL);
    tl_om_output(&m, TL_TFL_FLOAT32, 5, od, NULL);
    tl_tfl_options o = opts(c);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_CONV_3D, 1, &o, "CONV_3D, wrong filter", "channels");
  }
  printf("  CONV_3D and CONV_3D_TRANSPOSE: %d/%d cases as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST_MAIN(T(conv3d_matches_tflite))

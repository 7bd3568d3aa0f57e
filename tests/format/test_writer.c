/* SPDX-License-Identifier: Apache-2.0
 * Tests of the .tflite writer: FlatBuffers layout (alignment, identifier, vtables), round trips
 * through tinylite's reader, and small graphs run by the real TensorFlow Lite runtime
 * (../shared/tools/tflite-ref, TFLITE_REF) compared with a naive C computation of the same graph. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/flatbuf.h"
#include "format/model.h"
#include "format/tflite_writer.h"
#include "model_copy.h"
#include "test.h"
#include "tinylite.h"
#include "writer_util.h"

TEST(fc_layout_and_reader) {
  float w[12], bias[3];
  tl_tfl_builder *b = build_fc(w, bias);
  EXPECT_STR_CONTAINS(tl_tfl_builder_errmsg(b), "");
  EXPECT_EQ(tl_tfl_builder_errmsg(b)[0], 0);
  size_t n = 0;
  uint8_t *buf = finish_and_check(b, "fc.tflite", &n);
  if (!buf) {
    tl_tfl_builder_free(b);
    return;
  }
  tl_model *m = NULL;
  char err[256] = "";
  tl_status st = tl_model_from_memory(buf, n, &m, err, sizeof err);
  EXPECT_EQ(st, TL_OK);
  if (st != TL_OK) fprintf(stderr, "  reader: %s\n", err);
  if (m) {
    tl_model_info info;
    tl_model_get_info(m, &info);
    EXPECT_EQ(info.version, 3);
    EXPECT_EQ(info.num_buffers, 3);
    EXPECT_EQ(info.num_opcodes, 1);
    EXPECT(!strcmp(info.description, "tinylite"));
    tl_tensor_info ti;
    EXPECT_EQ(tl_model_tensor(m, 0, 1, &ti), TL_OK);
    EXPECT(!strcmp(ti.name, "w"));
    EXPECT_EQ(ti.ndim, 2);
    EXPECT_EQ(ti.dims[0], 3);
    EXPECT_EQ(ti.buffer, 1);
    const uint8_t *d;
    size_t dn;
    EXPECT_EQ(tl_model_buffer(m, 1, &d, &dn), TL_OK);
    EXPECT(dn == sizeof w && !memcmp(d, w, sizeof w));
    EXPECT_EQ((uintptr_t)d % 16, 0);
    int bc, ver, nin, nout;
    const int32_t *ins, *outs;
    EXPECT_EQ(tl_model_op(m, 0, 0, &bc, &ver, &ins, &nin, &outs, &nout), TL_OK);
    EXPECT_EQ(bc, TL_BUILTIN_FULLY_CONNECTED);
    EXPECT_EQ(nin, 3);
    EXPECT_EQ(ins[2], 2);
    tl_model_close(m);
  }
  tl_tfl_builder_free(b);
  free(buf);
}

TEST(fc_real_tflite) {
  float w[12], bias[3];
  tl_tfl_builder *b = build_fc(w, bias);
  char err[256];
  const char *path = tmp_path("fc.tflite");
  EXPECT_EQ(tl_tfl_write_file(b, path, err, sizeof err), 0);
  tl_tfl_builder_free(b);
  REQUIRE_TFLITE_REF(ref);
  float x[4] = {0.5f, -1.25f, 2.0f, 0.75f}, y[3], want[3];
  for (int o = 0; o < 3; o++) {
    double acc = bias[o];
    for (int i = 0; i < 4; i++) acc += (double)x[i] * w[o * 4 + i];
    want[o] = (float)acc;
  }
  EXPECT_EQ(ref_loads(ref, path, "--no-xnnpack"), 1);
  if (ref_invoke(ref, path, x, sizeof x, y, sizeof y, "--no-xnnpack")) {
    tl_test_failed_now = 1;
    return;
  }
  double md = 0;
  for (int o = 0; o < 3; o++) md = fmax(md, fabs(y[o] - want[o]));
  fprintf(stderr, "  fc: max |tflite - naive| = %.3g\n", md);
  EXPECT(md < 1e-5);
}

static void cnn_naive(const cnn_w *W, const float *x, float *y) {
  static float c1[26 * 26 * C1], c2[24 * 24 * C2], p[12 * 12 * C2];
  for (int h = 0; h < 26; h++)
    for (int w = 0; w < 26; w++)
      for (int c = 0; c < C1; c++) {
        double a = W->b1[c];
        for (int kh = 0; kh < 3; kh++)
          for (int kw = 0; kw < 3; kw++) a += (double)x[(h + kh) * 28 + w + kw] * W->w1[c * 9 + kh * 3 + kw];
        c1[(h * 26 + w) * C1 + c] = a > 0 ? (float)a : 0.0f;
      }
  for (int h = 0; h < 24; h++)
    for (int w = 0; w < 24; w++)
      for (int c = 0; c < C2; c++) {
        double a = W->b2[c];
        for (int kh = 0; kh < 3; kh++)
          for (int kw = 0; kw < 3; kw++)
            for (int ci = 0; ci < C1; ci++)
              a += (double)c1[((h + kh) * 26 + w + kw) * C1 + ci] * W->w2[((c * 3 + kh) * 3 + kw) * C1 + ci];
        c2[(h * 24 + w) * C2 + c] = a > 0 ? (float)a : 0.0f;
      }
  for (int h = 0; h < 12; h++)
    for (int w = 0; w < 12; w++)
      for (int c = 0; c < C2; c++) {
        float m = -INFINITY;
        for (int kh = 0; kh < 2; kh++)
          for (int kw = 0; kw < 2; kw++) m = fmaxf(m, c2[((2 * h + kh) * 24 + 2 * w + kw) * C2 + c]);
        p[(h * 12 + w) * C2 + c] = m;
      }
  double logits[10], mx = -1e300, sum = 0;
  for (int o = 0; o < 10; o++) {
    double a = W->bf[o];
    for (int i = 0; i < 12 * 12 * C2; i++) a += (double)p[i] * W->wf[o * 12 * 12 * C2 + i];
    logits[o] = a;
    mx = fmax(mx, a);
  }
  for (int o = 0; o < 10; o++) sum += exp(logits[o] - mx);
  for (int o = 0; o < 10; o++) y[o] = (float)(exp(logits[o] - mx) / sum);
}

static cnn_w cnnw;

TEST(cnn_reader_roundtrip) {
  tl_tfl_builder *b = build_cnn(&cnnw);
  EXPECT_EQ(tl_tfl_num_ops(b, 0), 7);
  size_t n = 0;
  uint8_t *buf = finish_and_check(b, "cnn.tflite", &n);
  tl_tfl_builder_free(b);
  if (!buf) return;
  tl_model *m = NULL;
  char err[256] = "";
  tl_status st = tl_model_from_memory(buf, n, &m, err, sizeof err);
  EXPECT_EQ(st, TL_OK);
  if (st != TL_OK) fprintf(stderr, "  reader: %s\n", err);
  if (m) {
    tl_model_info info;
    tl_model_get_info(m, &info);
    EXPECT_EQ(info.num_opcodes, 5); /* CONV_2D used twice, shares one code */
    EXPECT_EQ(info.num_signatures, 1);
    EXPECT_EQ(info.num_metadata, 1);
    const char *key, *nm;
    int sgi, ni, no, t;
    EXPECT_EQ(tl_model_signature(m, 0, &key, &sgi, &ni, &no), TL_OK);
    EXPECT(!strcmp(key, "serving_default"));
    EXPECT_EQ(tl_model_signature_io(m, 0, 1, 0, &nm, &t), TL_OK);
    EXPECT(!strcmp(nm, "output_0"));
    EXPECT_EQ(t, 15);
    const uint8_t *md;
    size_t mdn;
    EXPECT_EQ(tl_model_metadata(m, 0, &nm, &md, &mdn), TL_OK);
    EXPECT(!strcmp(nm, "min_runtime_version") && mdn == 16 && !strcmp((const char *)md, "1.14.0"));
    tl_tensor_info ti;
    EXPECT_EQ(tl_model_tensor(m, 0, 0, &ti), TL_OK);
    EXPECT(ti.shape_signature && ti.shape_signature[0] == -1);
    /* options as the reader sees them */
    const tl_mop *ops = m->subgraphs[0].ops;
    EXPECT_EQ(ops[1].options_type, TL_TFL_OPT_CONV2D);
    EXPECT_EQ(tl_fb_i8(&ops[1].options, TL_SCH_OPT_CONV2D_PADDING, 0), TL_TFL_PAD_VALID);
    EXPECT_EQ(tl_fb_i32(&ops[1].options, TL_SCH_OPT_CONV2D_STRIDE_W, 0), 1);
    EXPECT_EQ(tl_fb_i8(&ops[1].options, TL_SCH_OPT_CONV2D_FUSED_ACTIVATION_FUNCTION, 0), TL_TFL_ACT_RELU);
    EXPECT_EQ(tl_fb_i32(&ops[1].options, TL_SCH_OPT_CONV2D_DILATION_W_FACTOR, 1), 1);
    EXPECT_EQ(tl_fb_i32(&ops[3].options, TL_SCH_OPT_POOL2D_FILTER_HEIGHT, 0), 2);
    tl_fb_vec ns;
    EXPECT_EQ(tl_fb_vector(&ops[4].options, TL_SCH_OPT_RESHAPE_NEW_SHAPE, 4, &ns), 1);
    EXPECT(ns.n == 2 && tl_fb_vec_i32(&ns, 1) == 12 * 12 * C2);
    EXPECT_NEAR(tl_fb_f32(&ops[6].options, TL_SCH_OPT_SOFTMAX_BETA, 0), 1.0, 0);
    tl_model_close(m);
  }
  free(buf);
}

TEST(cnn_real_tflite) {
  tl_tfl_builder *b = build_cnn(&cnnw);
  char err[256];
  const char *path = tmp_path("cnn.tflite");
  EXPECT_EQ(tl_tfl_write_file(b, path, err, sizeof err), 0);
  tl_tfl_builder_free(b);
  REQUIRE_TFLITE_REF(ref);
  static float x[28 * 28];
  float y[10], want[10];
  for (int i = 0; i < 28 * 28; i++) x[i] = 0.5f * (frand() + 1.0f);
  cnn_naive(&cnnw, x, want);
  const char *flags[] = {"--no-xnnpack", "--runtime litert"};
  for (int r = 0; r < 2; r++) {
    EXPECT_EQ(ref_loads(ref, path, flags[r]), 1);
    if (ref_invoke(ref, path, x, sizeof x, y, sizeof y, flags[r])) {
      tl_test_failed_now = 1;
      continue;
    }
    double md = 0;
    for (int o = 0; o < 10; o++) md = fmax(md, fabs(y[o] - want[o]));
    fprintf(stderr, "  cnn (%s): max |tflite - naive| = %.3g\n", flags[r], md);
    EXPECT(md < 1e-5);
  }
}

/* ---- model C: int8 CONV_2D with per-channel weights ---------------------------------------------- */

#define QH 6
#define QW 6
#define QCI 2
#define QCO 3
typedef struct {
  int8_t x[QH * QW * QCI], w[QCO * 9 * QCI];
  int32_t bias[QCO];
  float in_s, w_s[QCO], out_s;
  int64_t in_zp, out_zp;
} qconv;

static tl_tfl_builder *build_qconv(qconv *q) {
  q->in_s = 0.05f;
  q->in_zp = -3;
  q->out_s = 0.08f;
  q->out_zp = 2;
  for (int c = 0; c < QCO; c++) q->w_s[c] = 0.01f * (float)(c + 1);
  for (int i = 0; i < QCO * 9 * QCI; i++) q->w[i] = (int8_t)(frand() * 127.0f);
  for (int c = 0; c < QCO; c++) q->bias[c] = (int32_t)(frand() * 500.0f);
  for (int i = 0; i < QH * QW * QCI; i++) q->x[i] = (int8_t)(frand() * 100.0f);
  tl_tfl_builder *b = tl_tfl_builder_new();
  int bw = tl_tfl_add_buffer(b, q->w, sizeof q->w), bb = tl_tfl_add_buffer(b, q->bias, sizeof q->bias);
  int32_t d_x[] = {1, QH, QW, QCI}, d_w[] = {QCO, 3, 3, QCI}, d_b[] = {QCO}, d_y[] = {1, QH - 2, QW - 2, QCO};
  float bs[QCO];
  int64_t zeros[QCO] = {0};
  for (int c = 0; c < QCO; c++) bs[c] = q->in_s * q->w_s[c];
  float mn = -1.0f, mx = 1.0f;
  tl_tfl_quant qx = {1, &q->in_s, &q->in_zp, 0, 1, &mn, &mx}, qy = {1, &q->out_s, &q->out_zp, 0, 0, NULL, NULL};
  tl_tfl_quant qw = {QCO, q->w_s, zeros, 0, 0, NULL, NULL}, qb = {QCO, bs, NULL, 0, 0, NULL, NULL};
  int tx = tl_tfl_add_tensor(b, 0, "x", TL_TFL_INT8, 4, d_x, NULL, 0, &qx, 0);
  int tw = tl_tfl_add_tensor(b, 0, "w", TL_TFL_INT8, 4, d_w, NULL, bw, &qw, 0);
  int tb = tl_tfl_add_tensor(b, 0, "bias", TL_TFL_INT32, 1, d_b, NULL, bb, &qb, 0);
  int ty = tl_tfl_add_tensor(b, 0, "y", TL_TFL_INT8, 4, d_y, NULL, 0, &qy, 0);
  int32_t in[] = {tx, tw, tb};
  tl_tfl_options o = tl_tfl_opts_conv2d(TL_TFL_PAD_VALID, 1, 1, TL_TFL_ACT_NONE, 1, 1);
  tl_tfl_add_op(b, 0, TL_BUILTIN_CONV_2D, 3, in, 3, &ty, 1, &o);
  tl_tfl_set_io(b, 0, &tx, 1, &ty, 1);
  return b;
}

TEST(qconv_per_channel) {
  static qconv q;
  tl_tfl_builder *b = build_qconv(&q);
  size_t n = 0;
  uint8_t *buf = finish_and_check(b, "qconv.tflite", &n);
  tl_tfl_builder_free(b);
  if (!buf) return;
  tl_model *m = NULL;
  char err[256] = "";
  EXPECT_EQ(tl_model_from_memory(buf, n, &m, err, sizeof err), TL_OK);
  if (m) {
    tl_tensor_info ti;
    EXPECT_EQ(tl_model_tensor(m, 0, 1, &ti), TL_OK);
    EXPECT_EQ(ti.quant_count, QCO);
    EXPECT_EQ(ti.quant_axis, 0);
    if (ti.quant_count == QCO) EXPECT_NEAR(ti.scales[2], q.w_s[2], 0);
    EXPECT_EQ(tl_model_tensor(m, 0, 0, &ti), TL_OK);
    EXPECT_EQ(ti.quant_count, 1);
    if (ti.quant_count == 1) EXPECT_EQ(ti.zero_points[0], -3);
    tl_model_close(m);
  } else {
    fprintf(stderr, "  reader: %s\n", err);
  }
  free(buf);
  REQUIRE_TFLITE_REF(ref);
  const char *path = tmp_path("qconv.tflite");
  int8_t y[(QH - 2) * (QW - 2) * QCO];
  if (ref_invoke(ref, path, q.x, sizeof q.x, y, sizeof y, "--no-xnnpack")) {
    tl_test_failed_now = 1;
    return;
  }
  int maxd = 0, exact = 0;
  for (int h = 0; h < QH - 2; h++)
    for (int w = 0; w < QW - 2; w++)
      for (int c = 0; c < QCO; c++) {
        int64_t acc = q.bias[c];
        for (int kh = 0; kh < 3; kh++)
          for (int kw = 0; kw < 3; kw++)
            for (int ci = 0; ci < QCI; ci++)
              acc += (int64_t)(q.x[((h + kh) * QW + w + kw) * QCI + ci] - q.in_zp) *
                     q.w[((c * 3 + kh) * 3 + kw) * QCI + ci];
        double real = (double)acc * q.in_s * q.w_s[c];
        long v = lround(real / q.out_s) + (long)q.out_zp;
        v = v < -128 ? -128 : v > 127 ? 127 : v;
        int d = abs((int)v - y[(h * (QW - 2) + w) * QCO + c]);
        if (d > maxd) maxd = d;
        exact += d == 0;
      }
  fprintf(stderr, "  qconv: max |tflite - naive| = %d LSB, %d/%d exact\n", maxd, exact, (QH - 2) * (QW - 2) * QCO);
  EXPECT(maxd <= 1);
}

/* ---- model D: float16 weights through DEQUANTIZE ----------------------------------------------------- */

TEST(fp16_dequantize_fc) {
  uint16_t wh[12];
  float wf[12], bias[3];
  for (int i = 0; i < 12; i++) {
    wh[i] = f2h(frand());
    wf[i] = h2f(wh[i]);
  }
  for (int i = 0; i < 3; i++) bias[i] = frand();
  tl_tfl_builder *b = tl_tfl_builder_new();
  int bw = tl_tfl_add_buffer(b, wh, sizeof wh), bb = tl_tfl_add_buffer(b, bias, sizeof bias);
  int32_t sx[] = {1, 4}, sw[] = {3, 4}, sb[] = {3}, sy[] = {1, 3};
  int x = tl_tfl_add_tensor(b, 0, "x", TL_TFL_FLOAT32, 2, sx, NULL, 0, NULL, 0);
  int th = tl_tfl_add_tensor(b, 0, "w_fp16", TL_TFL_FLOAT16, 2, sw, NULL, bw, NULL, 0);
  int tw = tl_tfl_add_tensor(b, 0, "w", TL_TFL_FLOAT32, 2, sw, NULL, 0, NULL, 0);
  int tb = tl_tfl_add_tensor(b, 0, "b", TL_TFL_FLOAT32, 1, sb, NULL, bb, NULL, 0);
  int y = tl_tfl_add_tensor(b, 0, "y", TL_TFL_FLOAT32, 2, sy, NULL, 0, NULL, 0);
  tl_tfl_options dq = tl_tfl_opts_dequantize();
  tl_tfl_add_op(b, 0, TL_BUILTIN_DEQUANTIZE, 3, &th, 1, &tw, 1, &dq);
  int32_t in[] = {x, tw, tb};
  tl_tfl_options o = tl_tfl_opts_fully_connected(TL_TFL_ACT_RELU, 0, 0, 0);
  tl_tfl_add_op(b, 0, TL_BUILTIN_FULLY_CONNECTED, 1, in, 3, &y, 1, &o);
  tl_tfl_set_io(b, 0, &x, 1, &y, 1);
  size_t n = 0;
  uint8_t *buf = finish_and_check(b, "fp16.tflite", &n);
  tl_tfl_builder_free(b);
  if (!buf) return;
  tl_model *m = NULL;
  char err[256] = "";
  EXPECT_EQ(tl_model_from_memory(buf, n, &m, err, sizeof err), TL_OK);
  if (m) {
    int bc, ver, nin, nout;
    const int32_t *ins, *outs;
    EXPECT_EQ(tl_model_op(m, 0, 0, &bc, &ver, &ins, &nin, &outs, &nout), TL_OK);
    EXPECT_EQ(bc, TL_BUILTIN_DEQUANTIZE);
    EXPECT_EQ(ver, 3);
    tl_model_close(m);
  } else {
    fprintf(stderr, "  reader: %s\n", err);
  }
  free(buf);
  REQUIRE_TFLITE_REF(ref);
  const char *path = tmp_path("fp16.tflite");
  float xin[4] = {1.5f, -0.5f, 0.25f, 2.0f}, yo[3];
  if (ref_invoke(ref, path, xin, sizeof xin, yo, sizeof yo, "--no-xnnpack")) {
    tl_test_failed_now = 1;
    return;
  }
  double md = 0;
  for (int o2 = 0; o2 < 3; o2++) {
    double a = bias[o2];
    for (int i = 0; i < 4; i++) a += (double)xin[i] * wf[o2 * 4 + i];
    md = fmax(md, fabs(yo[o2] - (a > 0 ? a : 0)));
  }
  fprintf(stderr, "  fp16: max |tflite - naive| = %.3g\n", md);
  EXPECT(md < 1e-5);
}

/* ---- builder error handling, options escape hatch ------------------------------------------------- */

TEST_MAIN(T(fc_layout_and_reader), T(fc_real_tflite), T(cnn_reader_roundtrip), T(cnn_real_tflite), T(qconv_per_channel), T(fp16_dequantize_fc))

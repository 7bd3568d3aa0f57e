/* SPDX-License-Identifier: Apache-2.0
 * Models that are valid FlatBuffers but semantically broken — the defects behind TensorFlow Lite's
 * model-parsing CVEs, which its verifier let through — and nonsensical quantization parameters.
 * Each must be refused at load or allocate with a message naming the problem. Models are built with
 * the writer in unchecked mode. */
#include <math.h>

#include "format/tflite_writer.h"
#include "test.h"
#include "tinylite.h"

typedef struct {
  tl_tfl_builder *b;
  int x, w, bias, y; /* tensors of the base graph: y = FULLY_CONNECTED(x, w, bias) */
} fc_graph;

static fc_graph base_fc(void) {
  fc_graph g;
  g.b = tl_tfl_builder_new();
  tl_tfl_builder_set_unchecked(g.b, 1);
  static const float wdata[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, bdata[3] = {0.5f, 0, -0.5f};
  int wb = tl_tfl_add_buffer(g.b, wdata, sizeof wdata), bb = tl_tfl_add_buffer(g.b, bdata, sizeof bdata);
  g.x = tl_tfl_add_tensor(g.b, 0, "x", TL_TFL_FLOAT32, 2, (int32_t[]){1, 4}, NULL, 0, NULL, 0);
  g.w = tl_tfl_add_tensor(g.b, 0, "w", TL_TFL_FLOAT32, 2, (int32_t[]){3, 4}, NULL, wb, NULL, 0);
  g.bias = tl_tfl_add_tensor(g.b, 0, "bias", TL_TFL_FLOAT32, 1, (int32_t[]){3}, NULL, bb, NULL, 0);
  g.y = tl_tfl_add_tensor(g.b, 0, "y", TL_TFL_FLOAT32, 2, (int32_t[]){1, 3}, NULL, 0, NULL, 0);
  return g;
}

static void add_fc(fc_graph *g, int32_t in0, int32_t in1, int32_t in2, int32_t out) {
  tl_tfl_options o = tl_tfl_opts_fully_connected(TL_TFL_ACT_NONE, 0, 0, 0);
  tl_tfl_add_op(g->b, 0, TL_BUILTIN_FULLY_CONNECTED, 1, (int32_t[]){in0, in1, in2}, 3, (int32_t[]){out}, 1, &o);
}

/* Serializes, loads and allocates; expects failure whose message contains `want`. Returns the stage
 * that refused it (1 = load, 2 = allocate, 0 = accepted). */
static int expect_refused(tl_tfl_builder *b, const char *want) {
  uint8_t *bytes;
  size_t n;
  char err[512] = "";
  if (tl_tfl_finish(b, &bytes, &n, err, sizeof err)) {
    fprintf(stderr, "  writer: %s\n", err);
    tl_test_failed_now = 1;
    tl_tfl_builder_free(b);
    return 0;
  }
  tl_tfl_builder_free(b);
  tl_model *m;
  int stage = 0;
  const char *msg = err;
  tl_interp *ip = NULL;
  if (tl_model_from_memory(bytes, n, &m, err, sizeof err) != TL_OK) {
    stage = 1;
  } else {
    tl_interp_new(m, NULL, &ip);
    if (tl_interp_allocate(ip) != TL_OK) stage = 2, msg = tl_interp_errmsg(ip);
  }
  if (!stage) {
    fprintf(stderr, "  accepted a model that should be refused (%s)\n", want);
    tl_test_failed_now = 1;
  } else {
    printf("    refused at %s: %s\n", stage == 1 ? "load" : "allocate", msg);
    EXPECT_STR_CONTAINS(msg, want);
  }
  if (stage != 1) {
    tl_interp_free(ip);
    tl_model_close(m);
  }
  free(bytes);
  return stage;
}

static void finish_io(fc_graph *g) { tl_tfl_set_io(g->b, 0, (int32_t[]){g->x}, 1, (int32_t[]){g->y}, 1); }

TEST(base_model_is_fine) {
  fc_graph g = base_fc();
  add_fc(&g, g.x, g.w, g.bias, g.y);
  finish_io(&g);
  uint8_t *bytes;
  size_t n;
  char err[256];
  EXPECT(tl_tfl_finish(g.b, &bytes, &n, err, sizeof err) == 0);
  tl_tfl_builder_free(g.b);
  tl_model *m;
  EXPECT(tl_model_from_memory(bytes, n, &m, err, sizeof err) == TL_OK);
  tl_interp *ip;
  tl_interp_new(m, NULL, &ip);
  EXPECT(tl_interp_allocate(ip) == TL_OK);
  float x[4] = {1, 0, 0, 1}, y[3];
  tl_tensor_copy_from(tl_interp_input(ip, 0), x, sizeof x);
  EXPECT(tl_interp_invoke(ip) == TL_OK);
  tl_tensor_copy_to(tl_interp_output(ip, 0), y, sizeof y);
  EXPECT_NEAR(y[0], 5.5, 1e-6);
  EXPECT_NEAR(y[2], 20.5, 1e-6);
  tl_interp_free(ip);
  tl_model_close(m);
  free(bytes);
}

/* CVE-2020-15211: -1 ("optional") used for an output, and indices out of range. */
TEST(minus_one_or_out_of_range_tensor_indices) {
  fc_graph g = base_fc();
  add_fc(&g, g.x, g.w, g.bias, -1);
  finish_io(&g);
  expect_refused(g.b, "op output 0 refers to tensor -1");
  g = base_fc();
  add_fc(&g, g.x, 99, g.bias, g.y);
  finish_io(&g);
  expect_refused(g.b, "refers to tensor 99, out of range");
  g = base_fc();
  add_fc(&g, -1, g.w, g.bias, g.y); /* a required input given as "omitted" */
  finish_io(&g);
  expect_refused(g.b, "FULLY_CONNECTED");
  g = base_fc();
  add_fc(&g, g.x, g.w, g.bias, g.y);
  tl_tfl_set_io(g.b, 0, (int32_t[]){g.x}, 1, (int32_t[]){-7}, 1);
  expect_refused(g.b, "graph output 0 refers to tensor -7");
}

/* CVE-2020-15210: one tensor both input and output of an op. */
TEST(tensor_both_input_and_output) {
  fc_graph g = base_fc();
  add_fc(&g, g.x, g.w, g.bias, g.x);
  tl_tfl_set_io(g.b, 0, (int32_t[]){g.x}, 1, (int32_t[]){g.x}, 1);
  expect_refused(g.b, "both input 0 and output 0");
}

/* CVE-2020-15209: a constant whose buffer index was edited away becomes an activation no one writes. */
TEST(constant_without_buffer) {
  fc_graph g = base_fc();
  int w2 = tl_tfl_add_tensor(g.b, 0, "w_lost", TL_TFL_FLOAT32, 2, (int32_t[]){3, 4}, NULL, 0, NULL, 0);
  add_fc(&g, g.x, w2, g.bias, g.y);
  finish_io(&g);
  expect_refused(g.b, "written by no earlier op");
  g = base_fc();
  int w3 = tl_tfl_add_tensor(g.b, 0, "w_bad_buffer", TL_TFL_FLOAT32, 2, (int32_t[]){3, 4}, NULL, 77, NULL, 0);
  add_fc(&g, g.x, w3, g.bias, g.y);
  finish_io(&g);
  expect_refused(g.b, "buffer index 77 out of range");
}

TEST(zero_negative_and_absurd_dimensions) {
  fc_graph g = base_fc();
  int neg = tl_tfl_add_tensor(g.b, 0, "neg", TL_TFL_FLOAT32, 2, (int32_t[]){1, -3}, NULL, 0, NULL, 0);
  add_fc(&g, g.x, g.w, g.bias, neg);
  tl_tfl_set_io(g.b, 0, (int32_t[]){g.x}, 1, (int32_t[]){neg}, 1);
  expect_refused(g.b, "negative dimension");
  g = base_fc();
  int huge = tl_tfl_add_tensor(g.b, 0, "huge", TL_TFL_FLOAT32, 3, (int32_t[]){65536, 65536, 1024}, NULL, 0, NULL, 0);
  add_fc(&g, g.x, g.w, g.bias, huge);
  tl_tfl_set_io(g.b, 0, (int32_t[]){g.x}, 1, (int32_t[]){huge}, 1);
  expect_refused(g.b, "absurd size");
  g = base_fc(); /* weights with zero input features: FC must refuse, not divide by zero */
  int wz = tl_tfl_add_tensor(g.b, 0, "w0", TL_TFL_FLOAT32, 2, (int32_t[]){3, 0}, NULL, 0, NULL, 0);
  int xz = tl_tfl_add_tensor(g.b, 0, "x0", TL_TFL_FLOAT32, 2, (int32_t[]){1, 0}, NULL, 0, NULL, 0);
  add_fc(&g, xz, wz, g.bias, g.y);
  tl_tfl_set_io(g.b, 0, (int32_t[]){xz, wz}, 2, (int32_t[]){g.y}, 1);
  expect_refused(g.b, "FULLY_CONNECTED");
}

/* A 1x5x5x2 input convolved by a 4x3x3xC filter with the given options. */
static void conv_case(int op, int stride, int dilation, int filter_in_channels, int depth_mult, const char *want) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  tl_tfl_builder_set_unchecked(b, 1);
  /* For depthwise, filter_in_channels is the filter's last dimension (input channels x multiplier). */
  int cin = 2, cout = op == TL_BUILTIN_CONV_2D ? 4 : filter_in_channels;
  float wdata[4 * 3 * 3 * 4] = {0}, bdata[4] = {0};
  int32_t wdims[4] = {op == TL_BUILTIN_CONV_2D ? 4 : 1, 3, 3, op == TL_BUILTIN_CONV_2D ? filter_in_channels : cout};
  size_t wcount = (size_t)wdims[0] * 9 * wdims[3];
  int wb = tl_tfl_add_buffer(b, wdata, wcount * sizeof(float)), bb = tl_tfl_add_buffer(b, bdata, cout * sizeof(float));
  int x = tl_tfl_add_tensor(b, 0, "x", TL_TFL_FLOAT32, 4, (int32_t[]){1, 5, 5, cin}, NULL, 0, NULL, 0);
  int w = tl_tfl_add_tensor(b, 0, "w", TL_TFL_FLOAT32, 4, wdims, NULL, wcount ? wb : 0, NULL, 0);
  int bias = tl_tfl_add_tensor(b, 0, "b", TL_TFL_FLOAT32, 1, (int32_t[]){cout}, NULL, bb, NULL, 0);
  int y = tl_tfl_add_tensor(b, 0, "y", TL_TFL_FLOAT32, 4, (int32_t[]){1, 3, 3, cout}, NULL, 0, NULL, 0);
  tl_tfl_options o = op == TL_BUILTIN_CONV_2D
                         ? tl_tfl_opts_conv2d(TL_TFL_PAD_VALID, stride, stride, TL_TFL_ACT_NONE, dilation, dilation)
                         : tl_tfl_opts_depthwise_conv2d(TL_TFL_PAD_SAME, stride, stride, depth_mult, TL_TFL_ACT_NONE,
                                                        dilation, dilation);
  tl_tfl_add_op(b, 0, op, 1, (int32_t[]){x, w, bias}, 3, (int32_t[]){y}, 1, &o);
  tl_tfl_set_io(b, 0, (int32_t[]){x, wcount ? x : w}, wcount ? 1 : 2, (int32_t[]){y}, 1);
  expect_refused(b, want);
}

/* CVE-2022-21741 (depthwise), CVE-2023-27579 (filter input channels < 1) and friends. */
TEST(zero_strides_dilations_and_channels) {
  conv_case(TL_BUILTIN_CONV_2D, 0, 1, 2, 1, "stride");
  conv_case(TL_BUILTIN_CONV_2D, 1, 0, 2, 1, "dilation");
  conv_case(TL_BUILTIN_CONV_2D, 1, 1, 0, 1, "channel");
  conv_case(TL_BUILTIN_DEPTHWISE_CONV_2D, 0, 1, 2, 1, "stride");
  conv_case(TL_BUILTIN_DEPTHWISE_CONV_2D, 1, 1, 3, 1, "DEPTHWISE_CONV_2D"); /* 3 channels from 2 inputs */
  conv_case(TL_BUILTIN_DEPTHWISE_CONV_2D, 1, 1, 0, 1, "DEPTHWISE_CONV_2D"); /* zero output channels */
}

/* CVE-2021-29591: subgraphs that call themselves, directly or through another. */
TEST(subgraph_cycles) {
  for (int variant = 0; variant < 3; variant++) {
    fc_graph g = base_fc();
    add_fc(&g, g.x, g.w, g.bias, g.y);
    finish_io(&g);
    int s1 = tl_tfl_add_subgraph(g.b, "init"), s2 = tl_tfl_add_subgraph(g.b, "again");
    tl_tfl_options call = tl_tfl_opts_empty(TL_TFL_OPT_CALL_ONCE);
    tl_tfl_opts_set_int(&call, 0, TL_TFL_F_I32, variant == 0 ? 0 : s1);
    tl_tfl_add_op(g.b, 0, TL_BUILTIN_CALL_ONCE, 1, NULL, 0, NULL, 0, &call);
    tl_tfl_options c1 = tl_tfl_opts_empty(TL_TFL_OPT_CALL_ONCE);
    tl_tfl_opts_set_int(&c1, 0, TL_TFL_F_I32, variant == 1 ? s1 : s2);
    tl_tfl_add_op(g.b, s1, TL_BUILTIN_CALL_ONCE, 1, NULL, 0, NULL, 0, &c1);
    tl_tfl_options c2 = tl_tfl_opts_empty(TL_TFL_OPT_CALL_ONCE);
    tl_tfl_opts_set_int(&c2, 0, TL_TFL_F_I32, s1);
    tl_tfl_add_op(g.b, s2, TL_BUILTIN_CALL_ONCE, 1, NULL, 0, NULL, 0, &c2);
    expect_refused(g.b, "cycle");
  }
  fc_graph g = base_fc();
  add_fc(&g, g.x, g.w, g.bias, g.y);
  finish_io(&g);
  tl_tfl_options call = tl_tfl_opts_empty(TL_TFL_OPT_CALL_ONCE);
  tl_tfl_opts_set_int(&call, 0, TL_TFL_F_I32, 12345);
  tl_tfl_add_op(g.b, 0, TL_BUILTIN_CALL_ONCE, 1, NULL, 0, NULL, 0, &call);
  expect_refused(g.b, "subgraph index 12345 out of range");
}

/* CVE-2021-37687: GATHER with a negative index. */
TEST(gather_negative_index) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  static const int32_t idx[2] = {1, -5};
  int ib = tl_tfl_add_buffer(b, idx, sizeof idx);
  int x = tl_tfl_add_tensor(b, 0, "x", TL_TFL_FLOAT32, 2, (int32_t[]){4, 3}, NULL, 0, NULL, 0);
  int i = tl_tfl_add_tensor(b, 0, "i", TL_TFL_INT32, 1, (int32_t[]){2}, NULL, ib, NULL, 0);
  int y = tl_tfl_add_tensor(b, 0, "y", TL_TFL_FLOAT32, 2, (int32_t[]){2, 3}, NULL, 0, NULL, 0);
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_GATHER);
  tl_tfl_add_op(b, 0, TL_BUILTIN_GATHER, 1, (int32_t[]){x, i}, 2, (int32_t[]){y}, 1, &o);
  tl_tfl_set_io(b, 0, (int32_t[]){x}, 1, (int32_t[]){y}, 1);
  expect_refused(b, "-5");
}

/* Issue 3: scale <= 0 or not finite, zero point out of range, per-axis count != dimension. */
static void quant_case(int type, float scale, int64_t zp, int per_axis_n, const char *want) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  tl_tfl_builder_set_unchecked(b, 1);
  float scales[5] = {scale, scale, scale, scale, scale};
  int64_t zps[5] = {zp, zp, zp, zp, zp};
  tl_tfl_quant q = {(size_t)(per_axis_n ? per_axis_n : 1), scales, zps, 0, 0, NULL, NULL};
  int x = tl_tfl_add_tensor(b, 0, "x", type, 2, (int32_t[]){4, 3}, NULL, 0, &q, 0);
  int y = tl_tfl_add_tensor(b, 0, "y", TL_TFL_FLOAT32, 2, (int32_t[]){4, 3}, NULL, 0, NULL, 0);
  tl_tfl_options o = tl_tfl_opts_dequantize();
  tl_tfl_add_op(b, 0, 6 /* DEQUANTIZE */, 1, (int32_t[]){x}, 1, (int32_t[]){y}, 1, &o);
  tl_tfl_set_io(b, 0, (int32_t[]){x}, 1, (int32_t[]){y}, 1);
  EXPECT_EQ(expect_refused(b, want), 1);
}

TEST(nonsense_quantization_refused_at_load) {
  quant_case(TL_TFL_INT8, 0.f, 0, 0, "must be positive");
  quant_case(TL_TFL_INT8, -0.5f, 0, 0, "must be positive");
  quant_case(TL_TFL_INT8, NAN, 0, 0, "must be positive");
  quant_case(TL_TFL_INT8, INFINITY, 0, 0, "must be positive");
  quant_case(TL_TFL_INT8, 0.1f, 200, 0, "zero point 200 outside");
  quant_case(3 /* UINT8 */, 0.1f, -1, 0, "zero point -1 outside");
  quant_case(TL_TFL_INT8, 0.1f, 0, 5, "5 per-axis scales but dimension 0 has size 4");
}

TEST_MAIN(T(base_model_is_fine), T(minus_one_or_out_of_range_tensor_indices), T(tensor_both_input_and_output),
          T(constant_without_buffer), T(zero_negative_and_absurd_dimensions), T(zero_strides_dilations_and_channels),
          T(subgraph_cycles), T(gather_negative_index), T(nonsense_quantization_refused_at_load))

/* SPDX-License-Identifier: Apache-2.0
 * RNN, UNIDIRECTIONAL_SEQUENCE_RNN and BIDIRECTIONAL_SEQUENCE_RNN (src/kernels/ops/rnn.c), float and hybrid, against the real
 * TensorFlow Lite's builtin kernels: tanh, relu and no activation, batch- and time-major sequences,
 * symmetric and asymmetric input quantization, an all-zero step; three chained RNN steps share one
 * hidden state. Outputs must be within 1e-6 of their range (libm's tanhf and TFLite's agree to the
 * last bit or one ulp). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "format/schema.h"
#include "format/tflite_writer.h"
#include "test.h"
#include "tflite_oracle.h"

enum { B = 2, T = 4, NI = 5, NU = 6 };

typedef struct {
  int sequence, hybrid, asym, act, time_major;
} rnn_case;

static uint32_t g_seed = 777;
static float frand(void) {
  g_seed = g_seed * 1664525u + 1013904223u;
  return (float)((g_seed >> 8) & 0xffff) / 32768.f - 1.f;
}

static int weight(tl_tfl_builder *b, int q, int d0, int d1) {
  const int32_t d[2] = {d0, d1};
  float f[NU * NU];
  int8_t i8[NU * NU];
  for (int i = 0; i < d0 * d1; i++) f[i] = frand() * 0.7f, i8[i] = (int8_t)(frand() * 127);
  static const float scale = 0.7f / 127;
  static const int64_t zero = 0;
  const tl_tfl_quant qq = {1, &scale, &zero, 0, 0, NULL, NULL};
  return q ? tl_tfl_add_const_tensor(b, 0, NULL, TL_TFL_INT8, 2, d, i8, (size_t)(d0 * d1), &qq)
           : tl_tfl_add_const_tensor(b, 0, NULL, TL_TFL_FLOAT32, 2, d, f, (size_t)(d0 * d1) * 4, NULL);
}

/* A sequence op over [B, T, NI] (or time-major), or three RNN steps on inputs [B, NI]. */
static int write_rnn(const char *path, const rnn_case *c) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  const int32_t bd[1] = {NU}, hd[2] = {B, NU}, xs[3] = {c->time_major ? T : B, c->time_major ? B : T, NI},
                ys[3] = {xs[0], xs[1], NU}, x1[2] = {B, NI};
  float bias[NU];
  for (int i = 0; i < NU; i++) bias[i] = frand() * 0.2f;
  const int w = weight(b, c->hybrid, NU, NI), r = weight(b, c->hybrid, NU, NU);
  const int bi = tl_tfl_add_const_tensor(b, 0, NULL, TL_TFL_FLOAT32, 1, bd, bias, sizeof bias, NULL);
  const int h = tl_tfl_add_tensor(b, 0, "h", TL_TFL_FLOAT32, 2, hd, NULL, 0, NULL, 1);
  int ins[3], outs[3], n = c->sequence ? 1 : 3;
  tl_tfl_options o = tl_tfl_opts_empty(c->sequence ? TL_TFL_OPT_SEQUENCE_RNN : TL_TFL_OPT_RNN);
  if (c->sequence) {
    tl_tfl_opts_set_int(&o, 0, TL_TFL_F_BOOL, c->time_major);
    tl_tfl_opts_set_int(&o, 1, TL_TFL_F_I8, c->act);
    tl_tfl_opts_set_int(&o, 2, TL_TFL_F_BOOL, c->asym);
  } else {
    tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I8, c->act);
    tl_tfl_opts_set_int(&o, 1, TL_TFL_F_BOOL, c->asym);
  }
  for (int k = 0; k < n; k++) {
    ins[k] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_FLOAT32, c->sequence ? 3 : 2, c->sequence ? xs : x1, NULL, 0, NULL, 0);
    outs[k] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_FLOAT32, c->sequence ? 3 : 2, c->sequence ? ys : hd, NULL, 0, NULL, 0);
    const int op_in[5] = {ins[k], w, r, bi, h};
    tl_tfl_add_op(b, 0, c->sequence ? TL_BUILTIN_UNIDIRECTIONAL_SEQUENCE_RNN : TL_BUILTIN_RNN, c->hybrid ? 2 : 1, op_in, 5,
                  &outs[k], 1, &o);
  }
  tl_tfl_set_io(b, 0, ins, n, outs, n);
  char err[256];
  const int rc = tl_tfl_write_file(b, path, err, sizeof err);
  if (rc) fprintf(stderr, "  writer: %s\n", err);
  tl_tfl_builder_free(b);
  return rc;
}

TEST(rnn_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const rnn_case cases[] = {{1, 0, 0, TL_TFL_ACT_TANH, 0}, {1, 0, 0, TL_TFL_ACT_RELU, 1}, {1, 1, 0, TL_TFL_ACT_TANH, 0},
                                   {1, 1, 1, TL_TFL_ACT_TANH, 1}, {1, 1, 1, TL_TFL_ACT_NONE, 0}, {0, 0, 0, TL_TFL_ACT_TANH, 0},
                                   {0, 1, 0, TL_TFL_ACT_RELU, 0}, {0, 1, 1, TL_TFL_ACT_TANH, 0}};
  char path[256];
  snprintf(path, sizeof path, "/tmp/tl_rnn_%ld.tflite", (long)getpid());
  int ok = 0;
  const int n = (int)(sizeof cases / sizeof cases[0]);
  for (int k = 0; k < n; k++) {
    const rnn_case *c = &cases[k];
    if (write_rnn(path, c)) continue;
    float x[B * T * NI];
    for (int i = 0; i < B * T * NI; i++) x[i] = i / NI == 1 ? 0.f : frand() * 1.5f;
    const int n_io = c->sequence ? 1 : 3;
    const size_t xb = c->sequence ? sizeof x : (size_t)B * NI * 4, yb = c->sequence ? (size_t)B * T * NU * 4 : (size_t)B * NU * 4;
    const void *ins[3] = {x, x + B * NI, x + 2 * B * NI};
    const size_t inb[3] = {xb, xb, xb}, outb[3] = {yb, yb, yb};
    char what[32];
    snprintf(what, sizeof what, "case %d", k);
    ok += tl_oracle_close(ref, path, n_io, ins, inb, n_io, outb, 1e-6f, what, NULL);
  }
  printf("  RNN and UNIDIRECTIONAL_SEQUENCE_RNN: %d/%d float and hybrid variants as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
  unlink(path);
}

/* BIDIRECTIONAL_SEQUENCE_RNN: cells at inputs 1-4 and 5-8, merged or two outputs. */
static int write_bidi(const char *path, const rnn_case *c, int merge) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  const int32_t bd[1] = {NU}, hd[2] = {B, NU}, xs[3] = {c->time_major ? T : B, c->time_major ? B : T, NI},
                ys[3] = {xs[0], xs[1], merge ? 2 * NU : NU};
  int in[12];
  for (int i = 0; i < 12; i++) in[i] = -1;
  in[0] = tl_tfl_add_tensor(b, 0, "x", TL_TFL_FLOAT32, 3, xs, NULL, 0, NULL, 0);
  for (int d = 0; d < 2; d++) {
    float bias[NU];
    for (int i = 0; i < NU; i++) bias[i] = frand() * 0.2f;
    in[1 + 4 * d] = weight(b, c->hybrid, NU, NI);
    in[2 + 4 * d] = weight(b, c->hybrid, NU, NU);
    in[3 + 4 * d] = tl_tfl_add_const_tensor(b, 0, NULL, TL_TFL_FLOAT32, 1, bd, bias, sizeof bias, NULL);
    in[4 + 4 * d] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_FLOAT32, 2, hd, NULL, 0, NULL, 1);
  }
  int outs[2];
  for (int k = 0; k < (merge ? 1 : 2); k++) outs[k] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_FLOAT32, 3, ys, NULL, 0, NULL, 0);
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_BIDI_SEQUENCE_RNN);
  tl_tfl_opts_set_int(&o, 0, TL_TFL_F_BOOL, c->time_major);
  tl_tfl_opts_set_int(&o, 1, TL_TFL_F_I8, c->act);
  tl_tfl_opts_set_int(&o, 2, TL_TFL_F_BOOL, merge);
  tl_tfl_opts_set_int(&o, 3, TL_TFL_F_BOOL, c->asym);
  tl_tfl_add_op(b, 0, TL_BUILTIN_BIDIRECTIONAL_SEQUENCE_RNN, c->hybrid ? 2 : 1, in, 12, outs, merge ? 1 : 2, &o);
  tl_tfl_set_io(b, 0, in, 1, outs, merge ? 1 : 2);
  char err[256];
  const int rc = tl_tfl_write_file(b, path, err, sizeof err);
  if (rc) fprintf(stderr, "  writer: %s\n", err);
  tl_tfl_builder_free(b);
  return rc;
}

TEST(bidirectional_rnn_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  /* Hybrid cells are batch-major here: TFLite 2.9's hybrid time-major bidirectional RNN crashes with
   * merged outputs, and with split outputs disagrees with tinylite while TFLite's float time-major and
   * hybrid batch-major paths agree; that combination is left out as no oracle. */
  static const rnn_case cases[] = {{1, 0, 0, TL_TFL_ACT_TANH, 0}, {1, 0, 0, TL_TFL_ACT_RELU, 1}, {1, 1, 0, TL_TFL_ACT_TANH, 0},
                                   {1, 1, 1, TL_TFL_ACT_TANH, 0}};
  char path[256];
  snprintf(path, sizeof path, "/tmp/tl_bidi_rnn_%ld.tflite", (long)getpid());
  int ok = 0, n = 0;
  for (int k = 0; k < 4; k++)
    for (int merge = 0; merge <= 1; merge++) {
      const rnn_case *c = &cases[k];
      n++;
      if (write_bidi(path, c, merge)) continue;
      static float x[B * T * NI];
      for (int i = 0; i < B * T * NI; i++) x[i] = i / NI == 1 ? 0.f : frand() * 1.5f;
      const size_t xb = sizeof x, yb = (size_t)B * T * (merge ? 2 * NU : NU) * 4, outb[2] = {yb, yb};
      const void *ins[1] = {x};
      char what[48];
      snprintf(what, sizeof what, "bidi case %d merge %d", k, merge);
      ok += tl_oracle_close(ref, path, 1, ins, &xb, merge ? 1 : 2, outb, 1e-6f, what, NULL);
    }
  printf("  BIDIRECTIONAL_SEQUENCE_RNN: %d/%d float and hybrid variants, merged and split, as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
  unlink(path);
}

TEST_MAIN(T(rnn_matches_tflite), T(bidirectional_rnn_matches_tflite))

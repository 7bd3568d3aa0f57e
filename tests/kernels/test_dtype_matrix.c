/* SPDX-License-Identifier: Apache-2.0
 * Every element-wise op, every reduction (with and without keep_dims) and every CAST pair against the real
 * TensorFlow Lite in every dtype: float32, int8, uint8, int16
 * (quantized, the output on other parameters than the input), int32 and int64. A single-op model per
 * (op, dtype) goes to TFLite 2.9's builtin kernels first; where TFLite runs it, tinylite must run it
 * too and give the same bytes. Where TFLite refuses it, tinylite may do either. Three float kernels
 * that TFLite evaluates with Eigen's exp (LOGISTIC, SOFTMAX, LOG_SOFTMAX) are held to 4 ulp instead.
 * The cells tinylite does not have yet (int8 LOG_SOFTMAX, int8/int16 REDUCE_PROD: TFLite's fixed-point
 * paths) must be refused as unsupported, so the list stays true. The count of cells TFLite runs is pinned, so a
 * broken harness cannot pass by running nothing. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/schema.h"
#include "test.h"
#include "tflite_oracle.h"

typedef struct {
  int type;
  float s_in, s_out;
  int64_t z_in, z_out;
  const char *name;
} dtype;

static const dtype DTYPES[] = {{TL_TFL_FLOAT32, 0, 0, 0, 0, "float32"}, {TL_TFL_INT8, 0.05f, 0.03f, 3, -5, "int8"},
                               {TL_TFL_UINT8, 0.05f, 0.03f, 128, 120, "uint8"}, {TL_TFL_INT16, 0.002f, 0.001f, 0, 0, "int16"},
                               {TL_TFL_INT32, 0, 0, 0, 0, "int32"},           {TL_TFL_INT64, 0, 0, 0, 0, "int64"}};
enum { N = 36 };

typedef struct {
  int code;
  const char *name;
  int n_in, bool_out, positive, loose;
} op_case;

static const op_case OPS[] = {
    {TL_BUILTIN_ABS, "ABS", 1, 0, 0, 0}, {TL_BUILTIN_RSQRT, "RSQRT", 1, 0, 1, 0}, {TL_BUILTIN_SQRT, "SQRT", 1, 0, 1, 0},
    {TL_BUILTIN_LOG, "LOG", 1, 0, 1, 0}, {TL_BUILTIN_EXP, "EXP", 1, 0, 0, 0}, {TL_BUILTIN_SIN, "SIN", 1, 0, 0, 0},
    {TL_BUILTIN_COS, "COS", 1, 0, 0, 0}, {TL_BUILTIN_SQUARE, "SQUARE", 1, 0, 0, 0}, {TL_BUILTIN_NEG, "NEG", 1, 0, 0, 0},
    {TL_BUILTIN_FLOOR, "FLOOR", 1, 0, 0, 0}, {TL_BUILTIN_CEIL, "CEIL", 1, 0, 0, 0}, {TL_BUILTIN_ROUND, "ROUND", 1, 0, 0, 0},
    {TL_BUILTIN_ELU, "ELU", 1, 0, 0, 0}, {TL_BUILTIN_GELU, "GELU", 1, 0, 0, 0}, {TL_BUILTIN_HARD_SWISH, "HARD_SWISH", 1, 0, 0, 0},
    {TL_BUILTIN_LOGISTIC, "LOGISTIC", 1, 0, 0, 1}, {TL_BUILTIN_TANH, "TANH", 1, 0, 0, 0}, {TL_BUILTIN_RELU, "RELU", 1, 0, 0, 0},
    {TL_BUILTIN_RELU6, "RELU6", 1, 0, 0, 0}, {TL_BUILTIN_RELU_N1_TO_1, "RELU_N1_TO_1", 1, 0, 0, 0},
    {TL_BUILTIN_LEAKY_RELU, "LEAKY_RELU", 1, 0, 0, 0}, {TL_BUILTIN_SOFTMAX, "SOFTMAX", 1, 0, 0, 1},
    {TL_BUILTIN_LOG_SOFTMAX, "LOG_SOFTMAX", 1, 0, 0, 1}, {TL_BUILTIN_L2_NORMALIZATION, "L2_NORMALIZATION", 1, 0, 0, 0},
    {TL_BUILTIN_ZEROS_LIKE, "ZEROS_LIKE", 1, 0, 0, 0}, {TL_BUILTIN_ADD, "ADD", 2, 0, 0, 0}, {TL_BUILTIN_SUB, "SUB", 2, 0, 0, 0},
    {TL_BUILTIN_MUL, "MUL", 2, 0, 0, 0}, {TL_BUILTIN_DIV, "DIV", 2, 0, 1, 0}, {TL_BUILTIN_MAXIMUM, "MAXIMUM", 2, 0, 0, 0},
    {TL_BUILTIN_MINIMUM, "MINIMUM", 2, 0, 0, 0}, {TL_BUILTIN_SQUARED_DIFFERENCE, "SQUARED_DIFFERENCE", 2, 0, 0, 0},
    {TL_BUILTIN_POW, "POW", 2, 0, 1, 0}, {TL_BUILTIN_FLOOR_DIV, "FLOOR_DIV", 2, 0, 1, 0},
    {TL_BUILTIN_FLOOR_MOD, "FLOOR_MOD", 2, 0, 1, 0}, {TL_BUILTIN_ADD_N, "ADD_N", 2, 0, 0, 0},
    {TL_BUILTIN_LESS, "LESS", 2, 1, 0, 0}, {TL_BUILTIN_EQUAL, "EQUAL", 2, 1, 0, 0},
    {TL_BUILTIN_GREATER_EQUAL, "GREATER_EQUAL", 2, 1, 0, 0}};

/* Inputs k = 0, 1: spread over the type's range; "positive" ops get values above the zero point
 * (and, for divisors, no zeros). */
static void fill(const dtype *d, int positive, int k, uint8_t *buf) {
  for (int i = 0; i < N; i++) {
    const int v = (i * 7 + k * 5) % 13 - 6, pv = 1 + (i * 5 + k * 3) % 11;
    switch (d->type) {
      case TL_TFL_FLOAT32: ((float *)(void *)buf)[i] = positive ? (float)pv / 4.f : (float)((i * 7 + k * 3) % 19) / 4.f - 2.f + 0.1f * (float)k; break;
      case TL_TFL_INT32: ((int32_t *)(void *)buf)[i] = positive ? pv : v; break;
      case TL_TFL_INT64: ((int64_t *)(void *)buf)[i] = positive ? pv : v; break;
      case TL_TFL_INT16: ((int16_t *)(void *)buf)[i] = (int16_t)(positive ? pv * 700 : (i * 1237 + k * 311) % 4001 - 2000); break;
      default: buf[i] = (uint8_t)(positive ? (uint8_t)(d->type == TL_TFL_INT8 ? 3 + pv * 9 : 128 + pv * 9) : (uint8_t)(i * 37 + k * 11 + 5));
    }
  }
}

static int close_f32(const float *a, const float *b) {
  for (int i = 0; i < N; i++) {
    const float tol = 4 * 1.2e-7f * (fabsf(b[i]) > 1.f ? fabsf(b[i]) : 1.f);
    if (!(fabsf(a[i] - b[i]) <= tol) && !(isnan(a[i]) && isnan(b[i]))) return 0;
  }
  return 1;
}

/* 1 match, 0 mismatch or tinylite refusal, -1 TFLite refuses the model (not in its op set). */
static int run_cell(const char *ref, const op_case *op, const dtype *d, const char *path) {
  const int32_t dims[2] = {4, 9};
  tl_tfl_quant qi = {0}, qo = {0};
  float s_out = d->s_out;
  int64_t z_out = d->z_out;
  if (op->code == TL_BUILTIN_LOG_SOFTMAX && d->type == TL_TFL_UINT8) s_out = 16.f / 256, z_out = 255;
  if (op->code == TL_BUILTIN_LOG_SOFTMAX && d->type == TL_TFL_INT8) s_out = 16.f / 256, z_out = 127;
  if (d->s_in > 0) {
    qi.n = 1, qi.scale = &d->s_in, qi.zero_point = &d->z_in;
    qo.n = 1, qo.scale = &s_out, qo.zero_point = &z_out;
  }
  static uint8_t in[2][N * 8], theirs[N * 8], ours[N * 8];
  tl_om m;
  tl_om_init(&m);
  for (int k = 0; k < op->n_in; k++) {
    fill(d, op->positive, k, in[k]);
    tl_om_input(&m, d->type, 2, dims, d->s_in > 0 ? &qi : NULL, in[k]);
  }
  tl_om_output(&m, op->bool_out ? TL_TFL_BOOL : d->type, 2, dims, (!op->bool_out && d->s_in > 0) ? &qo : NULL);
  tl_tfl_options o, *opts = NULL;
  if (op->code == TL_BUILTIN_SOFTMAX) o = tl_tfl_opts_softmax(1.0f), opts = &o;
  if (op->code == TL_BUILTIN_LEAKY_RELU) {
    o = tl_tfl_opts_empty(TL_TFL_OPT_LEAKY_RELU), opts = &o;
    tl_tfl_opts_set_float(&o, 0, TL_TFL_F_F32, 0.2);
  }
  if (op->code == TL_BUILTIN_ADD) o = tl_tfl_opts_add(TL_TFL_ACT_NONE), opts = &o;
  if (op->code == TL_BUILTIN_SUB) o = tl_tfl_opts_sub(TL_TFL_ACT_NONE), opts = &o;
  if (op->code == TL_BUILTIN_MUL) o = tl_tfl_opts_mul(TL_TFL_ACT_NONE), opts = &o;
  tl_tfl_add_op(m.b, 0, op->code, 1, m.ins, m.n_ins, m.outs, m.n_outs, opts);
  tl_tfl_set_io(m.b, 0, m.act, m.n_act, m.outs, m.n_outs);
  char err[1024];
  const int wrote = tl_tfl_write_file(m.b, path, err, sizeof err) == 0;
  tl_tfl_builder_free(m.b);
  if (!wrote) return fprintf(stderr, "  %s %s: writer: %s\n", op->name, d->name, err), 0;
  const void *ins[2] = {in[0], in[1]};
  void *o1[1] = {theirs}, *o2[1] = {ours};
  const size_t ob = m.out_bytes[0];
  if (tl_oracle_tflite(ref, NULL, path, op->n_in, ins, m.act_bytes, 1, o1, &ob, err, sizeof err)) return -1;
  const int listed_gap = op->code == TL_BUILTIN_LOG_SOFTMAX && d->type == TL_TFL_INT8;
  const int refused = tl_oracle_tinylite(path, op->n_in, ins, m.act_bytes, 1, o2, &ob, err, sizeof err) != 0;
  if (listed_gap) {
    if (refused && strstr(err, "type INT8")) return 1;
    return fprintf(stderr, "  %s %s: listed as unsupported, but %s\n", op->name, d->name, refused ? err : "it runs"), 0;
  }
  if (refused) return fprintf(stderr, "  %s %s: TensorFlow Lite runs it, tinylite: %s\n", op->name, d->name, err), 0;
  if (!memcmp(theirs, ours, ob)) return 1;
  if (op->loose && d->type == TL_TFL_FLOAT32 && close_f32((const float *)(void *)ours, (const float *)(void *)theirs)) return 1;
  return fprintf(stderr, "  %s %s: outputs differ\n", op->name, d->name), 0;
}

TEST(elementwise_dtypes_match_tflite) {
  REQUIRE_TFLITE_REF(ref);
  char path[256];
  snprintf(path, sizeof path, "/tmp/tl_dtypes_%ld.tflite", (long)getpid());
  int ran = 0, ok = 0;
  for (size_t o = 0; o < sizeof OPS / sizeof OPS[0]; o++)
    for (size_t d = 0; d < sizeof DTYPES / sizeof DTYPES[0]; d++) {
      const int r = run_cell(ref, &OPS[o], &DTYPES[d], path);
      if (r < 0) continue;
      ran++, ok += r;
    }
  printf("  %d of the %d (op, dtype) cells TensorFlow Lite runs match in tinylite\n", ok, ran);
  EXPECT_EQ(ok, ran);
  EXPECT_EQ(ran, 113); /* what TFLite 2.9's builtin kernels accept of this grid */
  unlink(path);
}

/* A reduction over axis 1 (keep_dims 0) or 2 (keep_dims 1) of a [4, 6, 5] tensor; int8 also with the
 * output on the input's parameters, where TFLite takes other paths. */
static int run_reduce_cell(const char *ref, int code, const char *name, const dtype *d, int same_q, int keep,
                           const char *path) {
  const int32_t dims[3] = {4, 6, 5}, one[1] = {1}, axis = keep ? 2 : 1;
  int32_t od[3];
  int ond = 0;
  for (int i = 0; i < 3; i++)
    if (i != axis) od[ond++] = dims[i];
    else if (keep) od[ond++] = 1;
  const float s_out = same_q ? d->s_in : d->s_out;
  const int64_t z_out = same_q ? d->z_in : d->z_out;
  tl_tfl_quant qi = {0}, qo = {0};
  if (d->s_in > 0) qi.n = 1, qi.scale = &d->s_in, qi.zero_point = &d->z_in, qo.n = 1, qo.scale = &s_out, qo.zero_point = &z_out;
  static uint8_t in[120 * 8], theirs[120 * 8], ours[120 * 8];
  for (int i = 0; i < 120; i++) {
    const int v = (i * 7) % 13 - 6;
    switch (d->type) {
      case TL_TFL_FLOAT32: ((float *)(void *)in)[i] = (float)((i * 7) % 19) / 4.f - 2.f; break;
      case TL_TFL_INT32: ((int32_t *)(void *)in)[i] = v; break;
      case TL_TFL_INT64: ((int64_t *)(void *)in)[i] = v; break;
      case TL_TFL_INT16: ((int16_t *)(void *)in)[i] = (int16_t)((i * 1237) % 4001 - 2000); break;
      case TL_TFL_BOOL: in[i] = (i * 7) % 3 == 0; break;
      default: in[i] = (uint8_t)(i * 37 + 5);
    }
  }
  tl_om m;
  tl_om_init(&m);
  tl_om_input(&m, d->type, 3, dims, d->s_in > 0 ? &qi : NULL, in);
  tl_om_const(&m, TL_TFL_INT32, 1, one, &axis, NULL);
  tl_om_output(&m, d->type, ond, od, d->s_in > 0 ? &qo : NULL);
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_REDUCER);
  tl_tfl_opts_set_int(&o, 0, TL_TFL_F_BOOL, keep);
  tl_tfl_add_op(m.b, 0, code, 1, m.ins, m.n_ins, m.outs, m.n_outs, &o);
  tl_tfl_set_io(m.b, 0, m.act, m.n_act, m.outs, m.n_outs);
  char err[1024];
  const int wrote = tl_tfl_write_file(m.b, path, err, sizeof err) == 0;
  tl_tfl_builder_free(m.b);
  if (!wrote) return fprintf(stderr, "  %s %s: writer: %s\n", name, d->name, err), 0;
  const void *ins[1] = {in};
  void *o1[1] = {theirs}, *o2[1] = {ours};
  const size_t ob = m.out_bytes[0];
  if (tl_oracle_tflite(ref, NULL, path, 1, ins, m.act_bytes, 1, o1, &ob, err, sizeof err)) return -1;
  const int listed_gap = code == TL_BUILTIN_REDUCE_PROD && (d->type == TL_TFL_INT8 || d->type == TL_TFL_INT16);
  const int refused = tl_oracle_tinylite(path, 1, ins, m.act_bytes, 1, o2, &ob, err, sizeof err) != 0;
  if (listed_gap) return refused && strstr(err, "type INT") ? 1 : (fprintf(stderr, "  %s %s: listed as unsupported\n", name, d->name), 0);
  if (refused) return fprintf(stderr, "  %s %s keep_dims %d: TensorFlow Lite runs it, tinylite: %s\n", name, d->name, keep, err), 0;
  if (memcmp(theirs, ours, ob)) return fprintf(stderr, "  %s %s keep_dims %d: outputs differ\n", name, d->name, keep), 0;
  return 1;
}

TEST(reduction_dtypes_match_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const struct {
    int code;
    const char *name;
  } ops[] = {{TL_BUILTIN_MEAN, "MEAN"}, {TL_BUILTIN_SUM, "SUM"}, {TL_BUILTIN_REDUCE_MAX, "REDUCE_MAX"},
             {TL_BUILTIN_REDUCE_MIN, "REDUCE_MIN"}, {TL_BUILTIN_REDUCE_PROD, "REDUCE_PROD"}, {TL_BUILTIN_REDUCE_ANY, "REDUCE_ANY"}};
  static const dtype with_bool[] = {{TL_TFL_BOOL, 0, 0, 0, 0, "bool"}};
  char path[256];
  snprintf(path, sizeof path, "/tmp/tl_reduce_%ld.tflite", (long)getpid());
  int ran = 0, ok = 0;
  for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++)
    for (int keep = 0; keep <= 1; keep++)
      for (size_t d = 0; d <= sizeof DTYPES / sizeof DTYPES[0]; d++) {
        const dtype *dt = d < sizeof DTYPES / sizeof DTYPES[0] ? &DTYPES[d] : with_bool;
        for (int same_q = 0; same_q <= (dt->type == TL_TFL_INT8); same_q++) {
          const int r = run_reduce_cell(ref, ops[o].code, ops[o].name, dt, same_q, keep, path);
          if (r < 0) continue;
          ran++, ok += r;
        }
      }
  printf("  %d of the %d reduction cells TensorFlow Lite runs match in tinylite\n", ok, ran);
  EXPECT_EQ(ok, ran);
  EXPECT_EQ(ran, 56); /* what TFLite 2.9 accepts of this grid */
  unlink(path);
}

/* CAST between every pair of 12 types. */
TEST(cast_pairs_match_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const int types[] = {TL_TFL_FLOAT32, TL_TFL_FLOAT16, TL_TFL_FLOAT64, TL_TFL_INT32, TL_TFL_INT64, TL_TFL_UINT8,
                              TL_TFL_INT8,    TL_TFL_INT16,   TL_TFL_UINT16,  TL_TFL_UINT32, TL_TFL_BOOL, TL_TFL_COMPLEX64};
  static const size_t sizes[] = {4, 2, 8, 4, 8, 1, 1, 2, 2, 4, 1, 8};
  char path[256], err[1024];
  snprintf(path, sizeof path, "/tmp/tl_cast_%ld.tflite", (long)getpid());
  int ran = 0, ok = 0;
  for (int a = 0; a < 12; a++)
    for (int b = 0; b < 12; b++) {
      const int32_t dims[1] = {24};
      static uint8_t in[24 * 8], theirs[24 * 8], ours[24 * 8];
      for (int i = 0; i < 24 * 8; i++) in[i] = (uint8_t)(i * 29 + 7);
      for (int i = 0; i < 24; i++) {
        if (types[a] == TL_TFL_FLOAT32) ((float *)(void *)in)[i] = (float)(i - 12) * 3.7f;
        if (types[a] == TL_TFL_FLOAT64) ((double *)(void *)in)[i] = (double)(i - 12) * 3.7;
        if (types[a] == TL_TFL_COMPLEX64) ((float *)(void *)in)[2 * i] = (float)(i - 12) * 1.3f;
        if (types[a] == TL_TFL_BOOL) in[i] = i % 3 == 0;
      }
      tl_om m;
      tl_om_init(&m);
      tl_om_input(&m, types[a], 1, dims, NULL, in);
      tl_om_output(&m, types[b], 1, dims, NULL);
      tl_tfl_add_op(m.b, 0, TL_BUILTIN_CAST, 1, m.ins, m.n_ins, m.outs, m.n_outs, NULL);
      tl_tfl_set_io(m.b, 0, m.act, m.n_act, m.outs, m.n_outs);
      const int wrote = tl_tfl_write_file(m.b, path, err, sizeof err) == 0;
      tl_tfl_builder_free(m.b);
      EXPECT(wrote);
      const void *ins[1] = {in};
      const size_t inb[1] = {24 * sizes[a]}, ob = 24 * sizes[b];
      void *o1[1] = {theirs}, *o2[1] = {ours};
      if (!wrote || tl_oracle_tflite(ref, NULL, path, 1, ins, inb, 1, o1, &ob, err, sizeof err)) continue;
      ran++;
      if (tl_oracle_tinylite(path, 1, ins, inb, 1, o2, &ob, err, sizeof err))
        fprintf(stderr, "  CAST %d -> %d: TensorFlow Lite runs it, tinylite: %s\n", types[a], types[b], err);
      else if (memcmp(theirs, ours, ob))
        fprintf(stderr, "  CAST %d -> %d: outputs differ\n", types[a], types[b]);
      else
        ok++;
    }
  printf("  %d of the %d CAST pairs TensorFlow Lite runs match in tinylite\n", ok, ran);
  EXPECT_EQ(ok, ran);
  EXPECT_EQ(ran, 81); /* 9 source x 9 destination types in TFLite 2.9 */
  unlink(path);
}

TEST_MAIN(T(elementwise_dtypes_match_tflite), T(reduction_dtypes_match_tflite), T(cast_pairs_match_tflite))

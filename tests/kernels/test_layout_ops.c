/* SPDX-License-Identifier: Apache-2.0
 * FILL, SPLIT, SPLIT_V, DEPTH_TO_SPACE and SPACE_TO_DEPTH (src/kernels/ref/fill.c, split.c,
 * depth_to_space.c) against the real TensorFlow Lite's builtin kernels on single-op models with
 * constant shape/axis/size operands, several dtypes, axes (negative too) and block sizes: every output
 * byte of every output must agree. The malformed-parameter classes of TFLite's CVEs (block size 0,
 * sizes that do not add up, axes out of range, outputs that disagree with num_splits) are refused
 * with a message. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "format/schema_ids.h"
#include "format/tflite_writer.h"
#include "test.h"
#include "tflite_oracle.h"
#include "tinylite.h"

enum { MAXO = 4 };

static uint32_t g_rs = 4242;
static uint32_t rnd(void) {
  g_rs ^= g_rs << 13, g_rs ^= g_rs >> 17, g_rs ^= g_rs << 5;
  return g_rs;
}
static size_t esize(int type) { return type == TL_TFL_INT64 ? 8 : type == TL_TFL_FLOAT32 || type == TL_TFL_INT32 ? 4 : 1; }
static size_t count(int nd, const int32_t *d) {
  size_t n = 1;
  for (int i = 0; i < nd; i++) n *= (size_t)d[i];
  return n;
}

/* A model under construction: its one op's inputs (activations or constants) and outputs. */
typedef struct {
  tl_tfl_builder *b;
  int ins[3], n_ins, act_ins[3], n_act, outs[MAXO], n_outs;
  size_t act_bytes[3], out_bytes[MAXO];
} model;

static void act_in(model *m, int type, int nd, const int32_t *d) {
  const int t = tl_tfl_add_tensor(m->b, 0, NULL, type, nd, d, NULL, 0, NULL, 0);
  m->ins[m->n_ins++] = t;
  m->act_bytes[m->n_act] = count(nd, d) * esize(type);
  m->act_ins[m->n_act++] = t;
}
static void const_in(model *m, int nd, const int32_t *d, const int32_t *v) {
  m->ins[m->n_ins++] = tl_tfl_add_const_tensor(m->b, 0, NULL, TL_TFL_INT32, nd, d, v, sizeof(int32_t) * count(nd, d), NULL);
}
static void out(model *m, int type, int nd, const int32_t *d) {
  m->out_bytes[m->n_outs] = count(nd, d) * esize(type);
  m->outs[m->n_outs++] = tl_tfl_add_tensor(m->b, 0, NULL, type, nd, d, NULL, 0, NULL, 0);
}

/* Writes the model with op `code` (options o), runs both runtimes on random inputs, compares. In
 * `refuse` mode only tinylite runs and must refuse with `msg`. Returns 1 when the check holds. */
static int run(const char *ref, model *m, int code, const tl_tfl_options *o, const char *what, const char *msg) {
  tl_tfl_add_op(m->b, 0, code, 1, m->ins, m->n_ins, m->outs, m->n_outs, o);
  tl_tfl_set_io(m->b, 0, m->act_ins, m->n_act, m->outs, m->n_outs);
  char path[256], err[1024];
  snprintf(path, sizeof path, "/tmp/tl_layout_%ld.tflite", (long)getpid());
  const int wrote = tl_tfl_write_file(m->b, path, err, sizeof err) == 0;
  tl_tfl_builder_free(m->b);
  if (!wrote) return fprintf(stderr, "  %s: writer: %s\n", what, err), 0;
  static uint8_t in_d[3][4096], ours[MAXO][4096], theirs[MAXO][4096];
  const void *ins[3];
  void *o1[MAXO], *o2[MAXO];
  for (int i = 0; i < m->n_act; i++) {
    for (size_t k = 0; k < m->act_bytes[i]; k++) in_d[i][k] = (uint8_t)rnd();
    ins[i] = in_d[i];
  }
  for (int j = 0; j < m->n_outs; j++) o1[j] = ours[j], o2[j] = theirs[j];
  int ok = 0;
  const int r = tl_oracle_tinylite(path, m->n_act, ins, m->act_bytes, m->n_outs, o1, m->out_bytes, err, sizeof err);
  if (msg) {
    ok = r != 0 && strstr(err, msg) != NULL;
    if (!ok) fprintf(stderr, "  %s: expected a refusal with \"%s\", got %s\n", what, msg, r ? err : "success");
  } else if (r) {
    fprintf(stderr, "  %s: tinylite: %s\n", what, err);
  } else if (tl_oracle_tflite(ref, NULL, path, m->n_act, ins, m->act_bytes, m->n_outs, o2, m->out_bytes, err, sizeof err)) {
    fprintf(stderr, "  %s: TensorFlow Lite: %s\n", what, err);
  } else {
    ok = 1;
    for (int j = 0; j < m->n_outs; j++)
      if (memcmp(ours[j], theirs[j], m->out_bytes[j])) ok = 0, fprintf(stderr, "  %s: output %d differs\n", what, j);
  }
  unlink(path);
  return ok;
}

static model fresh(void) {
  model m;
  memset(&m, 0, sizeof m);
  m.b = tl_tfl_builder_new();
  return m;
}

TEST(fill_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const int types[] = {TL_TFL_FLOAT32, TL_TFL_INT32, TL_TFL_INT64, TL_TFL_BOOL}; /* TFLite 2.9's FILL dtypes */
  int ok = 0, n = 0;
  for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
    model m = fresh();
    const int32_t dd[1] = {3}, shape[3] = {2, 3, 5}, one[1] = {1};
    const_in(&m, 1, dd, shape);
    act_in(&m, types[t], 0, one);
    out(&m, types[t], 3, shape);
    n++, ok += run(ref, &m, 94, NULL, "FILL", NULL);
  }
  printf("  FILL: %d/%d dtypes as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(split_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  int ok = 0, n = 0;
  for (int axis = -3; axis < 3; axis++) {
    const int a = axis < 0 ? axis + 3 : axis;
    int32_t d[3] = {2, 3, 4}, od[3];
    d[a] = 6; /* divisible by 1, 2, 3 */
    for (int parts = 1; parts <= 3; parts++) {
      model m = fresh();
      const int32_t scalar[1] = {1}, axv[1] = {axis};
      m.ins[m.n_ins++] = tl_tfl_add_const_tensor(m.b, 0, NULL, TL_TFL_INT32, 0, scalar, axv, 4, NULL);
      act_in(&m, parts == 2 ? TL_TFL_INT8 : TL_TFL_FLOAT32, 3, d);
      memcpy(od, d, sizeof od);
      od[a] = 6 / parts;
      for (int k = 0; k < parts; k++) out(&m, parts == 2 ? TL_TFL_INT8 : TL_TFL_FLOAT32, 3, od);
      tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_SPLIT);
      tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I32, parts);
      n++, ok += run(ref, &m, 49, &o, "SPLIT", NULL);
    }
  }
  printf("  SPLIT: %d/%d axis/part cases as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(split_v_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const int32_t sizes[][3] = {{1, 2, 4}, {-1, 3, 1}, {7, 0, 0}, {2, -1, 2}};
  int ok = 0, n = 0;
  for (size_t c = 0; c < sizeof sizes / sizeof sizes[0]; c++)
    for (int axis = 0; axis < 2; axis++) {
      int32_t d[2] = {3, 3};
      d[axis] = 7;
      model m = fresh();
      act_in(&m, TL_TFL_FLOAT32, 2, d);
      const int32_t three[1] = {3}, scalar[1] = {1}, axv[1] = {axis};
      const_in(&m, 1, three, sizes[c]);
      m.ins[m.n_ins++] = tl_tfl_add_const_tensor(m.b, 0, NULL, TL_TFL_INT32, 0, scalar, axv, 4, NULL);
      int known = 0;
      for (int k = 0; k < 3; k++) known += sizes[c][k] > 0 ? sizes[c][k] : 0;
      for (int k = 0; k < 3; k++) {
        int32_t od[2] = {d[0], d[1]};
        od[axis] = sizes[c][k] < 0 ? 7 - known : sizes[c][k];
        out(&m, TL_TFL_FLOAT32, 2, od);
      }
      tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_SPLIT_V);
      tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I32, 3);
      n++, ok += run(ref, &m, 102, &o, "SPLIT_V", NULL);
    }
  printf("  SPLIT_V: %d/%d size/axis cases as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(depth_space_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  int ok = 0, n = 0;
  for (int bs = 1; bs <= 3; bs++)
    for (int to_space = 0; to_space < 2; to_space++) {
      const int type = bs == 2 ? TL_TFL_INT8 : TL_TFL_FLOAT32;
      const int32_t deep[4] = {2, 2, 3, 2 * bs * bs}, wide[4] = {2, 2 * bs, 3 * bs, 2};
      model m = fresh();
      act_in(&m, type, 4, to_space ? deep : wide);
      out(&m, type, 4, to_space ? wide : deep);
      tl_tfl_options o = tl_tfl_opts_empty(to_space ? TL_TFL_OPT_DEPTH_TO_SPACE : TL_TFL_OPT_SPACE_TO_DEPTH);
      tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I32, bs);
      n++, ok += run(ref, &m, to_space ? 5 : 26, &o, to_space ? "DEPTH_TO_SPACE" : "SPACE_TO_DEPTH", NULL);
    }
  printf("  DEPTH_TO_SPACE, SPACE_TO_DEPTH: %d/%d block-size cases as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(layout_ops_refuse_malformed_models) {
  int ok = 0, n = 0;
  { /* block size 0 */
    model m = fresh();
    const int32_t d[4] = {1, 2, 2, 4};
    act_in(&m, TL_TFL_FLOAT32, 4, d);
    out(&m, TL_TFL_FLOAT32, 4, d);
    tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_DEPTH_TO_SPACE);
    tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I32, 0);
    n++, ok += run(NULL, &m, 5, &o, "DEPTH_TO_SPACE block 0", "block_size 0");
  }
  { /* SPLIT_V sizes that do not add up */
    model m = fresh();
    const int32_t d[1] = {5}, two[1] = {2}, sz[2] = {2, 2}, scalar[1] = {1}, axv[1] = {0}, o2[1] = {2};
    act_in(&m, TL_TFL_FLOAT32, 1, d);
    const_in(&m, 1, two, sz);
    m.ins[m.n_ins++] = tl_tfl_add_const_tensor(m.b, 0, NULL, TL_TFL_INT32, 0, scalar, axv, 4, NULL);
    out(&m, TL_TFL_FLOAT32, 1, o2);
    out(&m, TL_TFL_FLOAT32, 1, o2);
    tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_SPLIT_V);
    tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I32, 2);
    n++, ok += run(NULL, &m, 102, &o, "SPLIT_V sizes", "add up to 4");
  }
  { /* SPLIT axis out of range, and num_splits against the outputs */
    for (int c = 0; c < 2; c++) {
      model m = fresh();
      const int32_t d[2] = {4, 4}, scalar[1] = {1}, axv[1] = {c ? 0 : 2}, od[2] = {2, 4};
      m.ins[m.n_ins++] = tl_tfl_add_const_tensor(m.b, 0, NULL, TL_TFL_INT32, 0, scalar, axv, 4, NULL);
      act_in(&m, TL_TFL_FLOAT32, 2, d);
      out(&m, TL_TFL_FLOAT32, 2, od);
      out(&m, TL_TFL_FLOAT32, 2, od);
      tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_SPLIT);
      tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I32, c ? 3 : 2);
      n++, ok += run(NULL, &m, 49, &o, c ? "SPLIT num_splits" : "SPLIT axis", c ? "num_splits 3 but 2 outputs" : "out of range");
    }
  }
  { /* FILL with a negative dim */
    model m = fresh();
    const int32_t dd[1] = {2}, shape[2] = {2, -3}, one[1] = {1}, od[2] = {2, 3};
    const_in(&m, 1, dd, shape);
    act_in(&m, TL_TFL_FLOAT32, 0, one);
    out(&m, TL_TFL_FLOAT32, 2, od);
    n++, ok += run(NULL, &m, 94, NULL, "FILL negative dim", "dims[1] = -3");
  }
  EXPECT_EQ(ok, n);
}

TEST_MAIN(T(fill_matches_tflite), T(split_matches_tflite), T(split_v_matches_tflite), T(depth_space_matches_tflite),
          T(layout_ops_refuse_malformed_models))

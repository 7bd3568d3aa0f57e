/* SPDX-License-Identifier: Apache-2.0
 * `tinylite convert` on every float model of the corpus (dynamic, int8, float16), each file run by
 * tinylite and the real TensorFlow Lite (tflite-ref: TFLite 2.9 builtin kernels, else LiteRT); a graph
 * reaching every int8 path; the tutorial model's targets; `tinylite eval`'s formats. Slow: minutes. */
#include <math.h>

#include "../json_lite.h"
#include "format/tflite_writer.h"
#include "model_copy.h"
#include "qtest.h"

/* ---- running both runtimes ------------------------------------------------------------------------ */

/* 1 when output 0 is integer data: int8/uint8, or float from a DEQUANTIZE (the int8 path's output). */
static int integer_output(const char *model) {
  tl_model *m;
  char err[256];
  if (tl_model_open(model, &m, err, sizeof err)) return 0;
  int t = tl_model_io(m, 0, 1, 0), yes = 0;
  tl_tensor_info ti;
  if (t >= 0 && !tl_model_tensor(m, 0, t, &ti)) yes = ti.type == TL_INT8 || ti.type == TL_UINT8;
  const char *name;
  int nt, nops, ni, no;
  tl_model_subgraph(m, 0, &name, &nt, &nops, &ni, &no);
  for (int j = 0; j < nops && !yes; j++) {
    int b, v, nin, nout;
    const int32_t *in, *out;
    if (!tl_model_op(m, 0, j, &b, &v, &in, &nin, &out, &nout) && nout && out[0] == t)
      yes = !strcmp(tl_op_name(b), "DEQUANTIZE");
  }
  tl_model_close(m);
  return yes;
}

static int output_type(const char *model) {
  tl_model *m;
  char err[256];
  if (tl_model_open(model, &m, err, sizeof err)) return -1;
  tl_tensor_info ti;
  int t = tl_model_io(m, 0, 1, 0), type = -1;
  if (t >= 0 && !tl_model_tensor(m, 0, t, &ti)) type = ti.type;
  tl_model_close(m);
  return type;
}

typedef struct {
  const char *mnist, *gdir; /* MNIST models: the first `rows` test images; others: golden in0_<k>.bin */
  int is_mnist, rows;
} inputs;

typedef struct {
  uint8_t *d;
  size_t n;
} blob;

static void blob_free(blob *x) {
  free(x->d);
  x->d = NULL, x->n = 0;
}

/* Appends file f to x; 0 on success. */
static int blob_add(blob *x, const char *f) {
  size_t n;
  uint8_t *d = qt_read(f, &n);
  if (!d) return -1;
  uint8_t *grown = realloc(x->d, x->n + n + 1);
  if (!grown) return free(d), -1;
  memcpy(grown + x->n, d, n);
  x->d = grown, x->n += n;
  free(d);
  return 0;
}

/* Output 0 of tinylite on every input, concatenated; `env` prefixes the command (e.g. TL_ISA=scalar). */
static int tl_outputs(const inputs *in, const char *model, const char *env, blob *out) {
  char cmd[8192], src[4096], *log;
  const char *f = qt_tmp("out_tinylite.bin");
  for (int k = 0; k < (in->is_mnist ? 1 : in->rows); k++) {
    if (in->is_mnist)
      qt_fmt(cmd, sizeof cmd, "%s '%s' eval '%s' --data '%s' --n %d --dump '%s'", env, qt_tool(), model, in->mnist,
             in->rows, f);
    else {
      qt_fmt(src, sizeof src, "%s/in0_%d.bin", in->gdir, k);
      qt_fmt(cmd, sizeof cmd, "%s '%s' run '%s' --input '%s' --output '%s'", env, qt_tool(), model, src, f);
    }
    int rc = qt_run(cmd, &log);
    if (rc || blob_add(out, f)) {
      fprintf(stderr, "  tinylite: %s", log);
      free(log);
      return -1;
    }
    free(log);
  }
  return 0;
}

/* Output 0 of TFLite 2.9's builtin kernels on every input; 0 on success. */
static int ref_outputs(const char *ref, const inputs *in, const char *model, blob *out) {
  char cmd[8192], src[4096], *log = NULL;
  const char *f = qt_tmp("out_ref.bin");
  for (int k = 0; k < (in->is_mnist ? 1 : in->rows); k++) {
    qt_fmt(src, sizeof src, "%s/in0_%d.bin", in->gdir, k);
    if (in->is_mnist)
      qt_fmt(cmd, sizeof cmd, "'%s' mnist-eval '%s' '%s' --n %d --dump '%s' --no-xnnpack", ref, model, in->mnist,
             in->rows, f);
    else
      qt_fmt(cmd, sizeof cmd, "'%s' invoke '%s' '%s' '%s' --no-xnnpack", ref, model, src, f);
    if (qt_run(cmd, &log) || blob_add(out, f)) {
      fprintf(stderr, "  TFLite 2.9 builtin: %s", log);
      free(log);
      return -1;
    }
    free(log);
  }
  return 0;
}

static double elem(int type, const uint8_t *d, size_t e) {
  if (type == TL_FLOAT32) {
    float v;
    memcpy(&v, d + 4 * e, 4);
    return v;
  }
  return type == TL_INT8 ? (double)(int8_t)d[e] : (double)d[e];
}

static size_t elem_size(int type) { return type == TL_FLOAT32 ? 4 : 1; }

/* max |a - b| over all values (infinity when the sizes differ). */
static double max_diff(int type, const blob *a, const blob *b) {
  if (a->n != b->n) return INFINITY;
  double m = 0;
  for (size_t i = 0; i < a->n / elem_size(type); i++) {
    double d = fabs(elem(type, a->d, i) - elem(type, b->d, i));
    if (d > m) m = d;
  }
  return m;
}

/* 1 when row r of ours is within atol + rtol*|ref| of the reference everywhere. */
static int row_within(int type, const blob *ours, const blob *ref, size_t per, int r, double atol, double rtol) {
  for (size_t i = (size_t)r * per; i < (size_t)(r + 1) * per; i++) {
    double x = elem(type, ours->d, i), y = elem(type, ref->d, i);
    if (!(fabs(x - y) <= atol + rtol * fabs(y))) return 0;
  }
  return 1;
}

static size_t row_argmax(int type, const blob *x, size_t per, int r) {
  size_t best = 0;
  for (size_t i = 1; i < per; i++)
    if (elem(type, x->d, (size_t)r * per + i) > elem(type, x->d, (size_t)r * per + best)) best = i;
  return best;
}

/* The rules, against TFLite's builtin kernels. Integer results: every byte. Float results (dynamic
 * range, float16, ops left in float): every value within the goldens' float bound 1e-5 + 1e-4*|ref|
 * and the same argmax on every row. (Hybrid models hold to this because their float convolutions sum
 * in TFLite's order, tl_kexact_float: a last-bit difference there once moved an on-the-fly quantized
 * input by a step.) Prints one line; 1 when the rule holds. */
static int compare(const char *what, const char *runtime, int type, const inputs *in, const blob *ours, const blob *ref,
                   int exact) {
  const size_t per = ours->n / elem_size(type) / (size_t)in->rows;
  const int identical = ours->n == ref->n && !memcmp(ours->d, ref->d, ours->n);
  int ok = identical;
  if (!identical && !exact && ours->n == ref->n) {
    ok = 1;
    for (int r = 0; r < in->rows && ok; r++)
      ok = row_argmax(type, ours, per, r) == row_argmax(type, ref, per, r) && row_within(type, ours, ref, per, r, 1e-5, 1e-4);
  }
  fprintf(stderr, "  %-62s %-20s %s (max |diff| %.3g)\n", what, runtime,
          identical ? "bit-identical" : ok ? "agree" : "DISAGREE", max_diff(type, ours, ref));
  return ok;
}

/* ---- every float model of the corpus ---------------------------------------------------------- */

TEST(corpus_conversions_agree_with_tflite) {
  REQUIRE_SHARED(corpus, CORPUS_VAR, CORPUS_DEF);
  REQUIRE_SHARED(mnist, MNIST_VAR, MNIST_DEF);
  REQUIRE_TFLITE_REF(ref);
  char path[4096], err[512], cmd[16384], *log;
  qt_fmt(path, sizeof path, "%s/MANIFEST.json", corpus);
  jnode *man = json_load_file(path, err, sizeof err);
  EXPECT(man != NULL);
  if (!man) return;
  /* Variants: the converter's defaults (TF 2.21's per-channel FULLY_CONNECTED, which TFLite 2.9 cannot
   * run: compared through the file's 1x1-conv twin, the same arithmetic) and --per-tensor-fc, which
   * TFLite 2.9's builtin kernels run as written. allow-float keeps the LSTM and resource-variable ops
   * float in int8 files. */
  static const struct {
    const char *name, *args;
  } variants[] = {
      {"dynamic", "--quantize dynamic"},
      {"dynamic-pt", "--quantize dynamic --per-tensor-fc"},
      {"float16", "--quantize float16"},
      {"int8", "--quantize int8 --allow-float"},
      {"int8-pt", "--quantize int8 --allow-float --per-tensor-fc"},
      {"int8-pt io=int8", "--quantize int8 --io int8 --per-tensor-fc"},
      {"int8-pt io=uint8", "--quantize int8 --io uint8 --per-tensor-fc"},
  };
  /* int8/uint8 model inputs and outputs on a few networks: a CNN, the tutorial's, an MLP, a DW-CNN. */
  static const char *io_models = ",mnist-cnn-float-jhonatan-goncalves-pereira,mnist-cnn-float-u8in-alankrantas,"
                                 "mnist-mlp-float-pandu98-pkh,mnist-dwcnn-float-incredible-devman,";
  int models = 0, checked = 0, failed = 0, twins = 0;
  for (const jnode *e = json_get(man, "models")->child; e; e = e->next) {
    if (strcmp(json_str(json_get(e, "quantization_kind"), ""), "float32")) continue;
    const char *file = json_str(json_get(e, "file"), "");
    int is_mnist = !strcmp(json_str(json_get(e, "task"), ""), "mnist");
    char stem[256], src[4096], gdir[4096], caldir[4096], key[300];
    qt_fmt(stem, sizeof stem, "%s", strrchr(file, '/') + 1);
    *strrchr(stem, '.') = 0;
    qt_fmt(key, sizeof key, ",%s,", stem);
    qt_fmt(src, sizeof src, "%s/%s", corpus, file);
    qt_fmt(gdir, sizeof gdir, "%s/golden/%s", corpus, stem);
    const inputs in = {mnist, gdir, is_mnist, is_mnist ? 64 : 3};
    /* Calibration: MNIST training images, or the corpus' golden inputs for other tasks. */
    qt_fmt(caldir, sizeof caldir, "%s", qt_tmp("calib"));
    qt_fmt(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s' && cp '%s'/in0_*.bin '%s'/", caldir, caldir, gdir, caldir);
    if (!is_mnist && system(cmd) != 0) fprintf(stderr, "  %s: no golden inputs\n", stem);
    models++;
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
      if (strstr(variants[v].name, "io=") && !strstr(io_models, key)) continue;
      char what[400], calib[4400] = "", out[700], twin[800];
      qt_fmt(out, sizeof out, "%s", qt_tmp("converted.tflite"));
      qt_fmt(twin, sizeof twin, "%s", qt_tmp("conv-twin.tflite"));
      qt_fmt(what, sizeof what, "%s %s", stem, variants[v].name);
      if (strstr(variants[v].args, "int8")) {
        if (is_mnist) qt_fmt(calib, sizeof calib, "--calibrate mnist --data '%s'", mnist);
        else qt_fmt(calib, sizeof calib, "--calibrate '%s'", caldir);
      }
      qt_fmt(cmd, sizeof cmd, "'%s' convert '%s' -o '%s' %s %s -q", qt_tool(), src, out, variants[v].args, calib);
      if (qt_run(cmd, &log)) {
        fprintf(stderr, "  %s: convert failed: %s", what, log);
        free(log);
        failed++;
        continue;
      }
      free(log);
      /* What the builtin kernels run: the file, or its 1x1-conv twin where it has per-channel
       * FULLY_CONNECTED weights (or an op version TFLite 2.9 does not know). */
      const int rewritten = tl_test_fc_conv_twin(out, twin, err, sizeof err);
      if (rewritten < 0) {
        fprintf(stderr, "  %s: no 1x1-conv twin: %s\n", what, err);
        failed++;
        continue;
      }
      twins += rewritten > 0;
      blob ours = {0}, theirs = {0};
      if (ref_outputs(ref, &in, rewritten ? twin : out, &theirs) || tl_outputs(&in, out, "", &ours)) {
        fprintf(stderr, "  %s: run failed\n", what);
        failed++;
      } else {
        const int type = output_type(out);
        failed += !compare(what, rewritten ? "builtin, conv twin" : "builtin", type, &in, &ours, &theirs,
                           integer_output(out));
        checked++;
      }
      blob_free(&ours), blob_free(&theirs);
    }
  }
  fprintf(stderr, "  %d float models, %d conversions compared with TFLite's builtin kernels (%d through the 1x1-conv twin), %d failed\n",
          models, checked, twins, failed);
  EXPECT_EQ(models, 29);
  EXPECT_EQ(failed, 0);
  json_free(man);
}

/* ---- a graph with every int8 path the corpus' float models do not reach ------------------------- */

static uint32_t lcg = 2024;
static float frand(void) { /* uniform in [-1, 1) */
  lcg = lcg * 1664525u + 1013904223u;
  return (float)((lcg >> 8) & 0xffffff) / 8388608.0f - 1.0f;
}

/* conv (RELU6) and depthwise -> ADD -> RELU -> CONCATENATION with the conv output -> AVERAGE_POOL ->
 * PAD -> MEAN -> FULLY_CONNECTED -> TANH and LOGISTIC (fixed, different parameters) -> MUL (second
 * output) and CONCATENATION (the two pinned ranges disagree: requantization) -> RESHAPE -> SOFTMAX. */
static int build_synthetic(const char *path) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  float w1[4 * 3 * 3 * 3], b1[4], w2[1 * 3 * 3 * 4], b2[4], w3[6 * 8], b3[6];
  for (size_t i = 0; i < sizeof w1 / 4; i++) w1[i] = 0.4f * frand();
  for (size_t i = 0; i < sizeof w2 / 4; i++) w2[i] = 0.4f * frand();
  for (size_t i = 0; i < sizeof w3 / 4; i++) w3[i] = frand();
  for (int i = 0; i < 4; i++) b1[i] = 0.1f * frand(), b2[i] = 0.1f * frand();
  for (int i = 0; i < 6; i++) b3[i] = 0.1f * frand();
  int32_t d_in[] = {1, 8, 8, 3}, d_w1[] = {4, 3, 3, 3}, d4[] = {4}, d_w2[] = {1, 3, 3, 4}, d_a[] = {1, 8, 8, 4},
          d_cat[] = {1, 8, 8, 8}, d_p[] = {1, 4, 4, 8}, d_pads[] = {4, 2}, d_pd[] = {1, 6, 6, 8}, d_ax[] = {2},
          d_m[] = {1, 8}, d_w3[] = {6, 8}, d6[] = {6}, d_f[] = {1, 6}, d_cc[] = {1, 12}, d2[] = {2};
  int32_t pads[] = {0, 0, 1, 1, 1, 1, 0, 0}, axes[] = {1, 2}, shape[] = {1, 12};
  int in = tl_tfl_add_tensor(b, 0, "input", TL_TFL_FLOAT32, 4, d_in, NULL, 0, NULL, 0);
  int W1 = tl_tfl_add_const_tensor(b, 0, "w1", TL_TFL_FLOAT32, 4, d_w1, w1, sizeof w1, NULL);
  int B1 = tl_tfl_add_const_tensor(b, 0, "b1", TL_TFL_FLOAT32, 1, d4, b1, sizeof b1, NULL);
  int W2 = tl_tfl_add_const_tensor(b, 0, "w2", TL_TFL_FLOAT32, 4, d_w2, w2, sizeof w2, NULL);
  int B2 = tl_tfl_add_const_tensor(b, 0, "b2", TL_TFL_FLOAT32, 1, d4, b2, sizeof b2, NULL);
  int W3 = tl_tfl_add_const_tensor(b, 0, "w3", TL_TFL_FLOAT32, 2, d_w3, w3, sizeof w3, NULL);
  int B3 = tl_tfl_add_const_tensor(b, 0, "b3", TL_TFL_FLOAT32, 1, d6, b3, sizeof b3, NULL);
  int PADS = tl_tfl_add_const_tensor(b, 0, "pads", TL_TFL_INT32, 2, d_pads, pads, sizeof pads, NULL);
  int AX = tl_tfl_add_const_tensor(b, 0, "axes", TL_TFL_INT32, 1, d_ax, axes, sizeof axes, NULL);
  int SH = tl_tfl_add_const_tensor(b, 0, "shape", TL_TFL_INT32, 1, d2, shape, sizeof shape, NULL);
  int c1 = tl_tfl_add_tensor(b, 0, "conv", TL_TFL_FLOAT32, 4, d_a, NULL, 0, NULL, 0);
  int dw = tl_tfl_add_tensor(b, 0, "dw", TL_TFL_FLOAT32, 4, d_a, NULL, 0, NULL, 0);
  int ad = tl_tfl_add_tensor(b, 0, "add", TL_TFL_FLOAT32, 4, d_a, NULL, 0, NULL, 0);
  int rl = tl_tfl_add_tensor(b, 0, "relu", TL_TFL_FLOAT32, 4, d_a, NULL, 0, NULL, 0);
  int ct = tl_tfl_add_tensor(b, 0, "concat", TL_TFL_FLOAT32, 4, d_cat, NULL, 0, NULL, 0);
  int pl = tl_tfl_add_tensor(b, 0, "pool", TL_TFL_FLOAT32, 4, d_p, NULL, 0, NULL, 0);
  int pd = tl_tfl_add_tensor(b, 0, "pad", TL_TFL_FLOAT32, 4, d_pd, NULL, 0, NULL, 0);
  int mn = tl_tfl_add_tensor(b, 0, "mean", TL_TFL_FLOAT32, 2, d_m, NULL, 0, NULL, 0);
  int fc = tl_tfl_add_tensor(b, 0, "fc", TL_TFL_FLOAT32, 2, d_f, NULL, 0, NULL, 0);
  int th = tl_tfl_add_tensor(b, 0, "tanh", TL_TFL_FLOAT32, 2, d_f, NULL, 0, NULL, 0);
  int lg = tl_tfl_add_tensor(b, 0, "logistic", TL_TFL_FLOAT32, 2, d_f, NULL, 0, NULL, 0);
  int mu = tl_tfl_add_tensor(b, 0, "mul", TL_TFL_FLOAT32, 2, d_f, NULL, 0, NULL, 0);
  int cc = tl_tfl_add_tensor(b, 0, "concat2", TL_TFL_FLOAT32, 2, d_cc, NULL, 0, NULL, 0);
  int rs = tl_tfl_add_tensor(b, 0, "reshape", TL_TFL_FLOAT32, 2, d_cc, NULL, 0, NULL, 0);
  int sm = tl_tfl_add_tensor(b, 0, "softmax", TL_TFL_FLOAT32, 2, d_cc, NULL, 0, NULL, 0);
  tl_tfl_options o;
  o = tl_tfl_opts_conv2d(TL_TFL_PAD_SAME, 1, 1, TL_TFL_ACT_RELU6, 1, 1);
  tl_tfl_add_op(b, 0, TL_BUILTIN_CONV_2D, 1, (int32_t[]){in, W1, B1}, 3, (int32_t[]){c1}, 1, &o);
  o = tl_tfl_opts_depthwise_conv2d(TL_TFL_PAD_SAME, 1, 1, 1, TL_TFL_ACT_NONE, 1, 1);
  tl_tfl_add_op(b, 0, TL_BUILTIN_DEPTHWISE_CONV_2D, 1, (int32_t[]){c1, W2, B2}, 3, (int32_t[]){dw}, 1, &o);
  o = tl_tfl_opts_add(TL_TFL_ACT_NONE);
  tl_tfl_add_op(b, 0, TL_BUILTIN_ADD, 1, (int32_t[]){c1, dw}, 2, (int32_t[]){ad}, 1, &o);
  tl_tfl_add_op(b, 0, TL_BUILTIN_RELU, 1, (int32_t[]){ad}, 1, (int32_t[]){rl}, 1, NULL);
  o = tl_tfl_opts_concatenation(3, TL_TFL_ACT_NONE);
  tl_tfl_add_op(b, 0, TL_BUILTIN_CONCATENATION, 1, (int32_t[]){rl, c1}, 2, (int32_t[]){ct}, 1, &o);
  o = tl_tfl_opts_pool2d(TL_TFL_PAD_VALID, 2, 2, 2, 2, TL_TFL_ACT_NONE);
  tl_tfl_add_op(b, 0, TL_BUILTIN_AVERAGE_POOL_2D, 1, (int32_t[]){ct}, 1, (int32_t[]){pl}, 1, &o);
  o = tl_tfl_opts_empty(TL_TFL_OPT_PAD);
  tl_tfl_add_op(b, 0, TL_BUILTIN_PAD, 1, (int32_t[]){pl, PADS}, 2, (int32_t[]){pd}, 1, &o);
  o = tl_tfl_opts_empty(TL_TFL_OPT_REDUCER);
  tl_tfl_add_op(b, 0, TL_BUILTIN_MEAN, 1, (int32_t[]){pd, AX}, 2, (int32_t[]){mn}, 1, &o);
  o = tl_tfl_opts_fully_connected(TL_TFL_ACT_NONE, 0, 0, 0);
  tl_tfl_add_op(b, 0, TL_BUILTIN_FULLY_CONNECTED, 1, (int32_t[]){mn, W3, B3}, 3, (int32_t[]){fc}, 1, &o);
  tl_tfl_add_op(b, 0, TL_BUILTIN_TANH, 1, (int32_t[]){fc}, 1, (int32_t[]){th}, 1, NULL);
  tl_tfl_add_op(b, 0, TL_BUILTIN_LOGISTIC, 1, (int32_t[]){fc}, 1, (int32_t[]){lg}, 1, NULL);
  o = tl_tfl_opts_mul(TL_TFL_ACT_NONE);
  tl_tfl_add_op(b, 0, TL_BUILTIN_MUL, 1, (int32_t[]){th, lg}, 2, (int32_t[]){mu}, 1, &o);
  o = tl_tfl_opts_concatenation(1, TL_TFL_ACT_NONE);
  tl_tfl_add_op(b, 0, TL_BUILTIN_CONCATENATION, 1, (int32_t[]){th, lg}, 2, (int32_t[]){cc}, 1, &o);
  o = tl_tfl_opts_reshape(shape, 2);
  tl_tfl_add_op(b, 0, TL_BUILTIN_RESHAPE, 1, (int32_t[]){cc, SH}, 2, (int32_t[]){rs}, 1, &o);
  o = tl_tfl_opts_softmax(1.0f);
  tl_tfl_add_op(b, 0, TL_BUILTIN_SOFTMAX, 1, (int32_t[]){rs}, 1, (int32_t[]){sm}, 1, &o);
  tl_tfl_set_io(b, 0, (int32_t[]){in}, 1, (int32_t[]){sm, mu}, 2);
  char err[256];
  int rc = tl_tfl_write_file(b, path, err, sizeof err);
  if (rc) fprintf(stderr, "  writer: %s\n", err);
  tl_tfl_builder_free(b);
  return rc;
}

TEST(synthetic_graph_all_int8_paths) {
  REQUIRE_TFLITE_REF(ref);
  const char *fpath = qt_tmp("synthetic_float.tflite"), *calib = qt_tmp("synthetic_calib");
  EXPECT_EQ(build_synthetic(fpath), 0);
  mkdir(calib, 0777);
  char p[800], cmd[8192], *log;
  float x[8 * 8 * 3];
  for (int k = 0; k < 12; k++) { /* calibration samples, then one test input */
    for (int i = 0; i < 8 * 8 * 3; i++) x[i] = frand();
    qt_fmt(p, sizeof p, "%s/s%02d.bin", calib, k);
    qt_write(p, x, sizeof x);
  }
  const char *test_in = qt_tmp("synthetic_in.bin");
  for (int i = 0; i < 8 * 8 * 3; i++) x[i] = 1.2f * frand();
  qt_write(test_in, x, sizeof x);
  static const char *modes[] = {"--quantize int8 --per-tensor-fc", "--quantize int8 --io int8 --per-tensor-fc",
                                "--quantize int8 --io uint8 --per-tensor-fc", "--quantize dynamic --min-elements 16 --per-tensor-fc",
                                "--quantize float16"};
  for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
    const char *q = qt_tmp("synthetic_q.tflite"), *a = qt_tmp("syn_a.bin"), *b = qt_tmp("syn_b.bin");
    qt_fmt(cmd, sizeof cmd, "'%s' convert '%s' -o '%s' %s %s%s%s", qt_tool(), fpath, q, modes[m],
           strstr(modes[m], "int8") ? "--calibrate '" : "", strstr(modes[m], "int8") ? calib : "",
           strstr(modes[m], "int8") ? "'" : "");
    int rc = qt_run(cmd, &log);
    EXPECT_EQ(rc, 0);
    if (rc) fprintf(stderr, "%s", log);
    free(log);
    if (rc) continue;
    /* int8 inputs: the test input quantized as TFLite's QUANTIZE would, through the model itself */
    const char *input = test_in;
    if (strstr(modes[m], "--io")) {
      tl_model *mq;
      char err[256];
      tl_tensor_info ti;
      if (tl_model_open(q, &mq, err, sizeof err) || tl_model_tensor(mq, 0, tl_model_io(mq, 0, 0, 0), &ti)) {
        tl_test_failed_now = 1;
        continue;
      }
      uint8_t qx[8 * 8 * 3];
      for (int i = 0; i < 8 * 8 * 3; i++) {
        double v = round(x[i] / ti.scales[0]) + (double)ti.zero_points[0];
        double lo = ti.type == TL_INT8 ? -128 : 0, hi = ti.type == TL_INT8 ? 127 : 255;
        v = v < lo ? lo : v > hi ? hi : v;
        qx[i] = ti.type == TL_INT8 ? (uint8_t)(int8_t)v : (uint8_t)v;
      }
      tl_model_close(mq);
      input = qt_tmp("synthetic_qin.bin");
      qt_write(input, qx, sizeof qx);
    }
    qt_fmt(cmd, sizeof cmd, "'%s' run '%s' --input '%s' --output '%s'", qt_tool(), q, input, a);
    EXPECT(qt_run(cmd, &log) == 0);
    free(log);
    qt_fmt(cmd, sizeof cmd, "'%s' invoke '%s' '%s' '%s' --all --no-xnnpack", ref, q, input, b);
    rc = qt_run(cmd, &log);
    EXPECT(rc == 0);
    if (rc) fprintf(stderr, "%s", log);
    free(log);
    for (int k = 0; k < 2 && !rc; k++) { /* both outputs */
      char pa[800], pb[800];
      qt_fmt(pa, sizeof pa, k ? "%s.1" : "%s", a);
      qt_fmt(pb, sizeof pb, k ? "%s.1" : "%s", b);
      size_t na, nb;
      uint8_t *ya = qt_read(pa, &na), *yb = qt_read(pb, &nb);
      int same = ya && yb && na == nb && !memcmp(ya, yb, na);
      double maxd = 0;
      if (!same && ya && yb && na == nb && strstr(modes[m], "int8") == NULL)
        for (size_t i = 0; i < na / 4; i++) {
          float u, v;
          memcpy(&u, ya + 4 * i, 4), memcpy(&v, yb + 4 * i, 4);
          if (fabs(u - v) > maxd) maxd = fabs(u - v);
        }
      int ok = same || (strstr(modes[m], "int8") == NULL && na == nb && maxd <= 1e-4);
      fprintf(stderr, "  synthetic %-44s output %d: %s (max diff %.3g)\n", modes[m], k,
              same ? "bit-identical" : ok ? "agrees" : "DIFFERS", maxd);
      EXPECT(ok);
      free(ya), free(yb);
    }
  }
  /* The structure: CONCATENATION of TANH (1/128, 0) and LOGISTIC (1/256, -128) needed a requantize. */
  const char *q = qt_tmp("synthetic_q2.tflite");
  qt_fmt(cmd, sizeof cmd, "'%s' convert '%s' -o '%s' --quantize int8 --calibrate '%s'", qt_tool(), fpath, q, calib);
  EXPECT(qt_run(cmd, &log) == 0);
  EXPECT_STR_CONTAINS(log, "15 ops on integers, 0 in float, 4 QUANTIZE/DEQUANTIZE");
  free(log);
  tl_model *mq;
  char err[256];
  if (!tl_model_open(q, &mq, err, sizeof err)) {
    int requant = 0;
    const tl_msubgraph *g = &mq->subgraphs[0];
    for (int k = 0; k < g->n_ops; k++)
      if (g->ops[k].builtin == 114 && g->tensors[g->ops[k].in[0]].type == TL_INT8) requant++;
    EXPECT_EQ(requant, 1);
    tl_model_close(mq);
  }
}

/* ---- the tutorial's numbers --------------------------------------------------------------------- */

/* Accuracy of `model` on the 10k test set through `tinylite eval --json`. */
static double accuracy(const char *model, const char *mnist, long *size) {
  char cmd[8192], *out;
  qt_fmt(cmd, sizeof cmd, "'%s' eval '%s' --data '%s' --json", qt_tool(), model, mnist);
  int rc = qt_run(cmd, &out);
  const char *c = strstr(out, "\"correct\":"), *im = strstr(out, "\"images\":");
  double acc = rc == 0 && c && im ? atof(c + 10) / atof(im + 9) : -1;
  if (acc < 0) fprintf(stderr, "  eval failed: %s", out);
  free(out);
  *size = qt_size(model);
  return acc;
}

TEST(tutorial_model_targets) {
  REQUIRE_SHARED(corpus, CORPUS_VAR, CORPUS_DEF);
  REQUIRE_SHARED(mnist, MNIST_VAR, MNIST_DEF);
  /* The tutorial network: the project's trained model when it exists, else the corpus' copy of it. */
  char src[4096];
  qt_fmt(src, sizeof src, "models/mnist_cnn_float.tflite");
  if (!qt_exists(src)) qt_fmt(src, sizeof src, "%s/models/mnist-cnn-float-u8in-alankrantas.tflite", corpus);
  fprintf(stderr, "  float model: %s\n", src);
  char cmd[8192], *log;
  const char *dyn = qt_tmp("tutorial_dynamic.tflite"), *i8 = qt_tmp("tutorial_int8.tflite");
  qt_fmt(cmd, sizeof cmd, "'%s' convert '%s' -o '%s' --quantize dynamic", qt_tool(), src, dyn);
  EXPECT(qt_run(cmd, &log) == 0);
  fprintf(stderr, "%s", log);
  free(log);
  qt_fmt(cmd, sizeof cmd, "'%s' convert '%s' -o '%s' --quantize int8 --calibrate mnist --data '%s'", qt_tool(), src, i8,
           mnist);
  EXPECT(qt_run(cmd, &log) == 0);
  fprintf(stderr, "%s", log);
  free(log);
  long fs, ds, is;
  double fa = accuracy(src, mnist, &fs), da = accuracy(dyn, mnist, &ds), ia = accuracy(i8, mnist, &is);
  fprintf(stderr, "  float %ld bytes, accuracy %.4f\n", fs, fa);
  fprintf(stderr, "  dynamic %ld bytes (%.2f%%), accuracy %.4f, drop %.2f pp\n", ds, 100.0 * ds / fs, da, 100 * (fa - da));
  fprintf(stderr, "  int8 %ld bytes (%.2f%%), accuracy %.4f, drop %.2f pp\n", is, 100.0 * is / fs, ia, 100 * (fa - ia));
  EXPECT(fa > 0.9 && da > 0 && ia > 0);
  EXPECT(ds * 100 <= fs * 26);
  EXPECT(is * 100 <= fs * 27);
  EXPECT(100 * (fa - da) <= 0.05 + 1e-9);
  EXPECT(100 * (fa - ia) <= 0.05 + 1e-9);
}

/* ---- tinylite eval's outputs -------------------------------------------------------------------- */

TEST(eval_cli) {
  REQUIRE_SHARED(corpus, CORPUS_VAR, CORPUS_DEF);
  REQUIRE_SHARED(mnist, MNIST_VAR, MNIST_DEF);
  char f[4096], q[4096], cmd[16384], *out;
  qt_fmt(f, sizeof f, "%s/models/mnist-cnn-float-jhonatan-goncalves-pereira.tflite", corpus);
  qt_fmt(q, sizeof q, "%s", qt_tmp("eval_int8.tflite"));
  qt_fmt(cmd, sizeof cmd, "'%s' convert '%s' -o '%s' --quantize int8 --calibrate mnist --data '%s' --calibrate-count 20",
           qt_tool(), f, q, mnist);
  EXPECT(qt_run(cmd, &out) == 0);
  EXPECT_STR_CONTAINS(out, "Float model size = 96 KB");
  EXPECT_STR_CONTAINS(out, "Quantized model size = ");
  EXPECT_STR_CONTAINS(out, "% of the float model size");
  free(out);
  /* human: table, confusion matrices, the tutorial's three lines */
  const char *plots = qt_tmp("plots");
  qt_fmt(cmd, sizeof cmd, "'%s' eval '%s' '%s' --data '%s' --n 300 --plot '%s'", qt_tool(), f, q, mnist, plots);
  EXPECT(qt_run(cmd, &out) == 0);
  EXPECT_STR_CONTAINS(out, "drop (pp)");
  EXPECT_STR_CONTAINS(out, "confusion matrix of");
  EXPECT_STR_CONTAINS(out, "Float model accuracy = 0.");
  EXPECT_STR_CONTAINS(out, "Quantized model accuracy = 0.");
  EXPECT_STR_CONTAINS(out, "Accuracy drop = ");
  free(out);
  char p[4200];
  for (int i = 0; i < 3; i++) {
    if (i < 2) qt_fmt(p, sizeof p, "%s/confusion_%d.svg", plots, i);
    else qt_fmt(p, sizeof p, "%s/comparison.svg", plots);
    size_t n;
    uint8_t *svg = qt_read(p, &n);
    EXPECT(svg && n > 100 && !memcmp(svg, "<svg", 4) && strstr((char *)svg, "</svg>"));
    free(svg);
  }
  /* json: one object per model, the first one's drop 0 */
  qt_fmt(cmd, sizeof cmd, "'%s' eval '%s' '%s' --data '%s' --n 200 --format json", qt_tool(), f, q, mnist);
  EXPECT(qt_run(cmd, &out) == 0);
  char *nl = strchr(out, '\n');
  EXPECT(nl && strstr(nl + 1, "\"correct\":") && strstr(out, "\"accuracy_drop\":0.000000"));
  EXPECT_STR_CONTAINS(out, "\"confusion\":[[");
  free(out);
  /* csv: a header and two rows */
  qt_fmt(cmd, sizeof cmd, "'%s' eval '%s' '%s' --data '%s' --n 100 --format csv", qt_tool(), f, q, mnist);
  EXPECT(qt_run(cmd, &out) == 0);
  EXPECT(!strncmp(out, "model,size_bytes,images,correct,accuracy,accuracy_drop,ms_per_image,cm_0_0", 74));
  int lines = 0;
  for (char *c = out; *c; c++) lines += *c == '\n';
  EXPECT_EQ(lines, 3);
  free(out);
  /* the original single-model --json line */
  qt_fmt(cmd, sizeof cmd, "'%s' eval '%s' --data '%s' --n 100 --json", qt_tool(), f, mnist);
  EXPECT(qt_run(cmd, &out) == 0);
  EXPECT(!strncmp(out, "{\"model\":", 9) && strstr(out, "\"correct\":") && strstr(out, "\"ms_per_image\":"));
  free(out);
  /* per layer: every compute op of the int8 model, worst SNR first */
  qt_fmt(cmd, sizeof cmd, "'%s' eval --per-layer '%s' '%s' --data '%s' --n 20", qt_tool(), f, q, mnist);
  EXPECT(qt_run(cmd, &out) == 0);
  EXPECT_STR_CONTAINS(out, "SNR dB");
  EXPECT_STR_CONTAINS(out, "CONV_2D");
  EXPECT_STR_CONTAINS(out, "FULLY_CONNECTED");
  EXPECT_STR_CONTAINS(out, "SOFTMAX");
  free(out);
  qt_fmt(cmd, sizeof cmd, "'%s' eval --per-layer '%s' '%s' --data '%s' --n 20 --format json", qt_tool(), f, q, mnist);
  EXPECT(qt_run(cmd, &out) == 0);
  int ops = 0;
  double prev = -1e9, snr;
  int sorted = 1;
  for (char *c = strstr(out, "\"snr_db\":"); c; c = strstr(c + 1, "\"snr_db\":")) {
    ops++;
    snr = atof(c + 9);
    sorted &= snr >= prev;
    prev = snr;
  }
  EXPECT_EQ(ops, 8); /* 2 conv, 2 pool, mean, 2 FC, softmax */
  EXPECT(sorted);
  free(out);
  /* bad use */
  qt_fmt(cmd, sizeof cmd, "'%s' eval --per-layer '%s' --data '%s'", qt_tool(), f, mnist);
  EXPECT(qt_run(cmd, &out) != 0);
  EXPECT_STR_CONTAINS(out, "--per-layer compares two models");
  free(out);
  qt_fmt(cmd, sizeof cmd, "'%s' eval '%s' --data '%s' --format xml", qt_tool(), f, mnist);
  EXPECT(qt_run(cmd, &out) != 0);
  EXPECT_STR_CONTAINS(out, "bad --format");
  free(out);
}

TEST_MAIN(T(eval_cli), T(synthetic_graph_all_int8_paths), T(corpus_conversions_agree_with_tflite), T(tutorial_model_targets))

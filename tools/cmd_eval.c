/* SPDX-License-Identifier: Apache-2.0
 * tinylite eval: accuracy of one or more models on the MNIST test set (size, accuracy, drop against the
 * first, latency, confusion matrix) as a table with the tutorial's lines, JSON lines or CSV, SVG plots;
 * `--per-layer` compares a float model with its quantized version op by op (eval_layers.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/mnist.h"
#include "eval.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: tinylite eval MODEL... [--data DIR] [--n N] [--norm unit|raw|signed] [--threads N]\n"
          "                     [--format human|json|csv] [--json] [--plot DIR] [--dump FILE]\n"
          "       tinylite eval --per-layer FLOAT.tflite QUANT.tflite [--data DIR] [--n N] [--format ...]\n"
          "  DIR holds the MNIST idx files (t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]);\n"
          "  default $MNIST_DIR. Float inputs get pixel/255 (--norm raw: 0..255, signed: -1..1).\n"
          "  For each model: file size, accuracy, drop against the first model, ms per image (invoke only,\n"
          "  one thread unless --threads) and the confusion matrix (rows: true digit, columns: predicted).\n"
          "  --json       same as --format json: one JSON object per model and line\n"
          "  --plot DIR   writes confusion_<k>.svg per model and comparison.svg (size, accuracy, latency)\n"
          "  --dump FILE  raw bytes of output 0 for every image (one model only), for comparisons\n"
          "  --per-layer  runs both models on the same images (--n, default 100) and reports every op's\n"
          "               output in the quantized model against the float one: SNR (dB), cosine\n"
          "               similarity and max abs error, worst first\n");
}

/* Runs one model over the first n test images; fills r. Returns 0 or 1 (error printed). */
static int eval_model(const char *path, const tl_mnist *test, int n, cli_norm norm, int threads, const char *dump,
                      eval_result *r) {
  char err[1024];
  memset(r, 0, sizeof *r);
  r->path = path;
  struct stat st;
  r->size = stat(path, &st) ? 0 : (long)st.st_size;
  tl_model *m;
  tl_interp *ip;
  if (cli_load("eval", path, threads, &m, &ip)) return 1;
  int pixels = test->rows * test->cols, rc = 0;
  tl_tensor *in = tl_interp_input(ip, 0), *out = tl_interp_output(ip, 0);
  int per = in ? cli_images_per_input(in, pixels) : 0;
  FILE *df = NULL;
  if (!per || !out) {
    rc = cli_error("eval", "%s: input %s cannot take %dx%d images", path, in ? tl_tensor_name(in) : "(none)", test->rows,
                   test->cols);
  } else if (dump && !(df = fopen(dump, "wb"))) {
    rc = cli_error("eval", "%s: %s", dump, strerror(errno));
  }
  double t_invoke = 0;
  for (int i = 0; i < n && !rc; i += per) {
    int count = n - i < per ? n - i : per;
    if (cli_fill_images(in, test->images + (size_t)i * pixels, count, pixels, norm, err, sizeof err)) {
      rc = cli_error("eval", "%s", err);
      break;
    }
    /* No reset between images: TensorFlow Lite keeps variable state (LSTM) across invokes. */
    double t0 = cli_now();
    if (tl_interp_invoke(ip)) {
      rc = cli_error("eval", "%s: image %d: %s", path, i, tl_interp_errmsg(ip));
      break;
    }
    t_invoke += cli_now() - t0;
    for (int b = 0; b < count; b++) {
      float s[1024];
      int k = cli_scores(out, b, s, 1024), best = 0;
      if (k == 0) {
        rc = cli_error("eval", "output '%s' has type %s: cannot read scores", tl_tensor_name(out),
                       tl_type_name(tl_tensor_type(out)));
        break;
      }
      for (int c = 1; c < k; c++)
        if (s[c] > s[best]) best = c;
      int label = test->labels[i + b];
      r->correct += best == label;
      if (label < EVAL_CLASSES && best < EVAL_CLASSES) r->confusion[label][best]++;
      if (k > r->classes) r->classes = k < EVAL_CLASSES ? k : EVAL_CLASSES;
    }
    if (df) { /* output 0 rows of the real images only (the batch may be padded) */
      size_t row = tl_tensor_bytes(out) / (size_t)per;
      if (fwrite(tl_tensor_data(out), 1, row * (size_t)count, df) != row * (size_t)count) {
        rc = cli_error("eval", "%s: write failed", dump);
        break;
      }
    }
  }
  if (df && fclose(df) && !rc) rc = cli_error("eval", "%s: write failed", dump);
  r->images = n;
  r->accuracy = n ? (double)r->correct / n : 0;
  r->ms = n ? 1e3 * t_invoke / n : 0;
  tl_interp_free(ip);
  tl_model_close(m);
  return rc;
}

static void print_confusion(const eval_result *r) {
  int k = r->classes ? r->classes : EVAL_CLASSES;
  printf("confusion matrix of %s (rows: true digit, columns: predicted)\n      ", r->path);
  for (int c = 0; c < k; c++) printf("%6d", c);
  printf("\n");
  for (int t = 0; t < k; t++) {
    printf("  %2d: ", t);
    for (int c = 0; c < k; c++) printf("%6d", r->confusion[t][c]);
    printf("\n");
  }
}

static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
    else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
    else fputc(*p, f);
  }
  fputc('"', f);
}

static void print_results(const eval_result *r, int nm, int format) {
  if (format == EVAL_JSON) {
    for (int i = 0; i < nm; i++) {
      printf("{\"model\":");
      json_string(stdout, r[i].path);
      printf(",\"images\":%d,\"correct\":%d,\"accuracy\":%.6f,\"ms_per_image\":%.5f,\"size_bytes\":%ld,"
             "\"accuracy_drop\":%.6f,\"confusion\":[",
             r[i].images, r[i].correct, r[i].accuracy, r[i].ms, r[i].size, r[0].accuracy - r[i].accuracy);
      for (int t = 0; t < EVAL_CLASSES; t++) {
        printf("%s[", t ? "," : "");
        for (int c = 0; c < EVAL_CLASSES; c++) printf("%s%d", c ? "," : "", r[i].confusion[t][c]);
        printf("]");
      }
      printf("]}\n");
    }
    return;
  }
  if (format == EVAL_CSV) {
    printf("model,size_bytes,images,correct,accuracy,accuracy_drop,ms_per_image");
    for (int t = 0; t < EVAL_CLASSES; t++)
      for (int c = 0; c < EVAL_CLASSES; c++) printf(",cm_%d_%d", t, c);
    printf("\n");
    for (int i = 0; i < nm; i++) {
      printf("\"%s\",%ld,%d,%d,%.6f,%.6f,%.5f", r[i].path, r[i].size, r[i].images, r[i].correct, r[i].accuracy,
             r[0].accuracy - r[i].accuracy, r[i].ms);
      for (int t = 0; t < EVAL_CLASSES; t++)
        for (int c = 0; c < EVAL_CLASSES; c++) printf(",%d", r[i].confusion[t][c]);
      printf("\n");
    }
    return;
  }
  if (nm == 1) { /* the original one-line form, then the confusion matrix */
    printf("%s: %d/%d correct, accuracy %.4f (%.2f%%), %.4f ms/image\n", r[0].path, r[0].correct, r[0].images,
           r[0].accuracy, 100 * r[0].accuracy, r[0].ms);
    print_confusion(&r[0]);
    return;
  }
  int w = 5;
  for (int i = 0; i < nm; i++)
    if ((int)strlen(r[i].path) > w) w = (int)strlen(r[i].path);
  printf("%-*s  %10s  %7s  %8s  %9s  %9s\n", w, "model", "size", "size %", "accuracy", "drop (pp)", "ms/image");
  for (int i = 0; i < nm; i++) {
    char drop[32];
    if (i == 0) snprintf(drop, sizeof drop, "-");
    else snprintf(drop, sizeof drop, "%.2f", 100.0 * (r[0].accuracy - r[i].accuracy));
    printf("%-*s  %7.1f KB  %6.1f%%  %8.4f  %9s  %9.4f\n", w, r[i].path, r[i].size / 1024.0,
           r[0].size ? 100.0 * r[i].size / r[0].size : 0.0, r[i].accuracy, drop, r[i].ms);
  }
  printf("(%d test images; drop in percentage points against %s)\n\n", r[0].images, r[0].path);
  for (int i = 0; i < nm; i++) {
    print_confusion(&r[i]);
    printf("\n");
  }
  /* The tutorial's comparison of the float model with its quantized version. */
  for (int i = 1; i < nm; i++) {
    if (nm > 2) printf("# %s against %s\n", r[i].path, r[0].path);
    printf("Float model accuracy = %.4f\n", r[0].accuracy);
    printf("Quantized model accuracy = %.4f\n", r[i].accuracy);
    printf("Accuracy drop = %.4f\n", r[0].accuracy - r[i].accuracy);
  }
}

int cmd_eval(int argc, char **argv) {
  const char *dir = NULL, *plot = NULL, *dump = NULL;
  const char **paths = calloc((size_t)argc + 1, sizeof *paths);
  int nm = 0, threads = 1, limit = 0, format = EVAL_HUMAN, per_layer = 0, rc = 0;
  cli_norm norm = NORM_UNIT;
  if (!paths) return cli_error("eval", "out of memory");
  for (int i = 1; i < argc && !rc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      free(paths);
      return 0;
    } else if (!strcmp(a, "--data") && v) dir = v, i++;
    else if (!strcmp(a, "--json")) format = EVAL_JSON;
    else if (!strcmp(a, "--per-layer")) per_layer = 1;
    else if (!strcmp(a, "--plot") && v) plot = v, i++;
    else if (!strcmp(a, "--dump") && v) dump = v, i++;
    else if (!strcmp(a, "--format") && v) {
      if (!strcmp(v, "human") || !strcmp(v, "table")) format = EVAL_HUMAN;
      else if (!strcmp(v, "json")) format = EVAL_JSON;
      else if (!strcmp(v, "csv")) format = EVAL_CSV;
      else rc = cli_error("eval", "bad --format '%s' (human, json or csv)", v);
      i++;
    } else if (!strcmp(a, "--threads") && v) {
      if (cli_int(v, &threads)) rc = cli_error("eval", "bad --threads '%s'", v);
      i++;
    } else if (!strcmp(a, "--n") && v) {
      if (cli_int(v, &limit)) rc = cli_error("eval", "bad --n '%s'", v);
      i++;
    } else if (!strcmp(a, "--norm") && v) {
      if (!strcmp(v, "unit")) norm = NORM_UNIT;
      else if (!strcmp(v, "raw")) norm = NORM_RAW;
      else if (!strcmp(v, "signed")) norm = NORM_SIGNED;
      else rc = cli_error("eval", "bad --norm '%s' (unit, raw or signed)", v);
      i++;
    } else if (a[0] == '-') rc = cli_error("eval", "unknown or incomplete option '%s'", a);
    else paths[nm++] = a;
  }
  if (!rc && !nm) rc = cli_error("eval", "no model given (usage: tinylite eval MODEL... --data DIR)");
  if (!rc && per_layer && nm != 2)
    rc = cli_error("eval", "--per-layer compares two models: FLOAT.tflite QUANT.tflite (%d given)", nm);
  if (!rc && dump && nm != 1) rc = cli_error("eval", "--dump takes one model (%d given)", nm);
  if (rc) {
    free(paths);
    return rc;
  }
  char err[1024];
  tl_mnist test;
  if (tl_mnist_load(dir, "t10k", &test, err, sizeof err)) {
    free(paths);
    return cli_error("eval", "%s", err);
  }
  if (per_layer) {
    rc = eval_per_layer(paths[0], paths[1], &test, limit ? limit : 100, norm, threads, format);
  } else {
    int n = limit && limit < test.count ? limit : test.count;
    eval_result *res = calloc((size_t)nm, sizeof *res);
    if (!res) rc = cli_error("eval", "out of memory");
    for (int i = 0; i < nm && !rc; i++) rc = eval_model(paths[i], &test, n, norm, threads, dump, &res[i]);
    if (!rc) print_results(res, nm, format);
    if (!rc && plot) rc = eval_plot(plot, res, nm);
    free(res);
  }
  tl_mnist_free(&test);
  free(paths);
  return rc;
}

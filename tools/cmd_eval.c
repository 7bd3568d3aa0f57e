/* SPDX-License-Identifier: Apache-2.0
 * tinylite eval: accuracy of a model on the MNIST test set, with the input encoding the model
 * needs (float p/255, or quantized with the input's scale and zero point). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/data/mnist.h"
#include "cli.h"

int cmd_eval(int argc, char **argv) {
  const char *path = NULL, *dir = NULL;
  int json = 0, threads = 1, limit = 0;
  cli_norm norm = NORM_UNIT;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help")) {
      printf("usage: tinylite eval MODEL [--data DIR] [--n N] [--norm unit|raw|signed] [--threads N] [--json]\n"
             "  DIR holds the MNIST idx files (t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]);\n"
             "  default $MNIST_DIR. Float inputs get pixel/255 (--norm raw: 0..255, signed: -1..1).\n");
      return 0;
    } else if (!strcmp(a, "--data") && i + 1 < argc) dir = argv[++i];
    else if (!strcmp(a, "--json")) json = 1;
    else if (!strcmp(a, "--threads") && i + 1 < argc) {
      if (cli_int(argv[++i], &threads)) return cli_error("eval", "bad --threads '%s'", argv[i]);
    } else if (!strcmp(a, "--n") && i + 1 < argc) {
      if (cli_int(argv[++i], &limit)) return cli_error("eval", "bad --n '%s'", argv[i]);
    } else if (!strcmp(a, "--norm") && i + 1 < argc) {
      const char *v = argv[++i];
      if (!strcmp(v, "unit")) norm = NORM_UNIT;
      else if (!strcmp(v, "raw")) norm = NORM_RAW;
      else if (!strcmp(v, "signed")) norm = NORM_SIGNED;
      else return cli_error("eval", "bad --norm '%s' (unit, raw or signed)", v);
    } else if (a[0] == '-') return cli_error("eval", "unknown or incomplete option '%s'", a);
    else if (!path) path = a;
    else return cli_error("eval", "unexpected argument '%s'", a);
  }
  if (!path) return cli_error("eval", "no model given (usage: tinylite eval MODEL --data DIR)");
  char err[1024];
  tl_mnist test;
  if (tl_mnist_load(dir, "t10k", &test, err, sizeof err)) return cli_error("eval", "%s", err);
  tl_model *m;
  tl_interp *ip;
  if (cli_load("eval", path, threads, &m, &ip)) {
    tl_mnist_free(&test);
    return 1;
  }
  int pixels = test.rows * test.cols, rc = 0;
  tl_tensor *in = tl_interp_input(ip, 0), *out = tl_interp_output(ip, 0);
  int per = in ? cli_images_per_input(in, pixels) : 0;
  int n = limit && limit < test.count ? limit : test.count, correct = 0;
  double t_invoke = 0;
  if (!per || !out) {
    rc = cli_error("eval", "%s: input %s cannot take %dx%d images", path, in ? tl_tensor_name(in) : "(none)",
                   test.rows, test.cols);
  }
  for (int i = 0; i < n && !rc; i += per) {
    int count = n - i < per ? n - i : per;
    if (cli_fill_images(in, test.images + (size_t)i * pixels, count, pixels, norm, err, sizeof err)) {
      rc = cli_error("eval", "%s", err);
      break;
    }
    /* No reset between images: TensorFlow Lite keeps variable state (LSTM) across invokes. */
    double t0 = cli_now();
    if (tl_interp_invoke(ip)) {
      rc = cli_error("eval", "image %d: %s", i, tl_interp_errmsg(ip));
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
      correct += best == test.labels[i + b];
    }
  }
  if (!rc) {
    double acc = (double)correct / n, ms = 1e3 * t_invoke / n;
    if (json)
      printf("{\"model\":\"%s\",\"images\":%d,\"correct\":%d,\"accuracy\":%.6f,\"ms_per_image\":%.5f}\n", path, n,
             correct, acc, ms);
    else
      printf("%s: %d/%d correct, accuracy %.4f (%.2f%%), %.4f ms/image\n", path, correct, n, acc, 100 * acc, ms);
  }
  tl_interp_free(ip);
  tl_model_close(m);
  tl_mnist_free(&test);
  return rc;
}

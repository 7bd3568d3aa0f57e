/* SPDX-License-Identifier: Apache-2.0
 * tinylite convert: shrinks a float .tflite model the way TensorFlow's converter does (dynamic range,
 * full int8 from a representative dataset, float16) through src/quant, and prints the sizes as the
 * tutorial does. The calibration data (MNIST, images, raw tensors) is read and encoded here. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"
#include "data/mnist.h"
#include "image_io.h"
#include "quant/quant.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: tinylite convert IN.tflite -o OUT.tflite --quantize none|dynamic|int8|float16 [options]\n"
          "  --quantize none      copy the model (rewritten by tinylite's writer)\n"
          "             dynamic   int8 weights, float activations (TF's Optimize.DEFAULT without data)\n"
          "             int8      full integer quantization from a representative dataset\n"
          "             float16   float16 weights, dequantized at run time\n"
          "int8 options:\n"
          "  --calibrate mnist|DIR  representative data: MNIST training images (from --data DIR or\n"
          "                         $MNIST_DIR), or a directory of PNG/PGM images the size of the model's\n"
          "                         input, or of raw tensors (any other file: exactly the input's bytes)\n"
          "  --calibrate-count N    samples to use (default 100, as TF's tutorial)\n"
          "  --data DIR             MNIST directory for --calibrate mnist\n"
          "  --norm unit|raw|signed float inputs from 8-bit images: p/255 (default), p, p/127.5-1\n"
          "  --io float|int8|uint8  type of the model's float inputs/outputs (default float: QUANTIZE and\n"
          "                         DEQUANTIZE ops at the edges)\n"
          "  --allow-float          keep ops the int8 path cannot quantize in float (TF's default fallback)\n"
          "                         instead of failing\n"
          "common options:\n"
          "  --per-tensor           no per-channel weights\n"
          "  --per-tensor-fc        per-tensor FULLY_CONNECTED weights (TF's\n"
          "                         disable_per_channel_quantization_for_dense_layers; runs on TFLite < 2.15)\n"
          "  --min-elements N       dynamic: weights with fewer elements stay float (default 1024)\n"
          "  --threads N            threads for calibration\n"
          "  -q, --quiet            print nothing but errors\n");
}

static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) ? -1 : (long)st.st_size;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int has_ext(const char *name, const char *ext) {
  size_t n = strlen(name), e = strlen(ext);
  return n > e && !strcasecmp(name + n - e, ext);
}

/* Feeds `count` MNIST training images to the calibrator. */
static int calibrate_mnist(tl_qcalib *c, const char *dir, int count, cli_norm norm) {
  char err[1024];
  tl_mnist tr;
  if (tl_mnist_load(dir, "train", &tr, err, sizeof err)) return cli_error("convert", "calibration data: %s", err);
  tl_interp *ip = tl_qcalib_interp(c);
  tl_tensor *in = tl_interp_input(ip, 0);
  int pixels = tr.rows * tr.cols, rc = 0;
  int per = in ? cli_images_per_input(in, pixels) : 0;
  if (tl_interp_input_count(ip) != 1 || !per) {
    rc = cli_error("convert", "calibration set of the wrong shape: the model's input%s %s cannot take %dx%d MNIST images",
                   tl_interp_input_count(ip) != 1 ? "s" : "", in ? tl_tensor_name(in) : "(none)", tr.rows, tr.cols);
  }
  if (count > tr.count) count = tr.count;
  for (int i = 0; i < count && !rc; i += per) {
    int n = count - i < per ? count - i : per;
    if (cli_fill_images(in, tr.images + (size_t)i * pixels, n, pixels, norm, err, sizeof err) ||
        tl_qcalib_run(c, err, sizeof err))
      rc = cli_error("convert", "calibration: %s", err);
  }
  tl_mnist_free(&tr);
  return rc;
}

/* Feeds up to `count` files of dir (sorted by name): PNG/PGM images or raw input tensors. */
static int calibrate_dir(tl_qcalib *c, const char *dir, int count, cli_norm norm) {
  DIR *d = opendir(dir);
  if (!d) return cli_error("convert", "calibration directory %s cannot be opened", dir);
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      char **nn = realloc(names, cap * sizeof *nn);
      if (!nn) break;
      names = nn;
    }
    names[n] = strdup(e->d_name);
    if (names[n]) n++;
  }
  closedir(d);
  if (n) qsort(names, n, sizeof *names, cmp_str);
  tl_interp *ip = tl_qcalib_interp(c);
  tl_tensor *in = tl_interp_input(ip, 0);
  int rc = 0, used = 0;
  char err[1024], path[4096];
  if (tl_interp_input_count(ip) != 1)
    rc = cli_error("convert", "calibration from a directory supports models with one input (this one has %d)",
                   tl_interp_input_count(ip));
  for (size_t i = 0; i < n && used < count && !rc; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    struct stat st;
    if (stat(path, &st) || !S_ISREG(st.st_mode)) continue;
    if (has_ext(names[i], ".png") || has_ext(names[i], ".pgm")) {
      int w, h;
      uint8_t *px = tl_image_load(path, &w, &h, err, sizeof err);
      if (!px) {
        rc = cli_error("convert", "calibration image %s", err);
        break;
      }
      int per = cli_images_per_input(in, w * h);
      if (per != 1) {
        rc = cli_error("convert", "calibration set of the wrong shape: %s is %dx%d, the input %s has %zu elements", path,
                       w, h, tl_tensor_name(in), tl_tensor_count(in));
      } else if (cli_fill_images(in, px, 1, w * h, norm, err, sizeof err)) {
        rc = cli_error("convert", "%s: %s", path, err);
      }
      free(px);
    } else {
      size_t sz;
      uint8_t *raw = cli_read_file(path, &sz, err, sizeof err);
      if (!raw) {
        rc = cli_error("convert", "%s", err);
        break;
      }
      if (sz != tl_tensor_bytes(in))
        rc = cli_error("convert", "calibration set of the wrong shape: %s has %zu bytes, the input %s (%s, %zu elements) needs %zu",
                       path, sz, tl_tensor_name(in), tl_type_name(tl_tensor_type(in)), tl_tensor_count(in),
                       tl_tensor_bytes(in));
      else tl_tensor_copy_from(in, raw, sz);
      free(raw);
    }
    if (!rc && tl_qcalib_run(c, err, sizeof err)) rc = cli_error("convert", "calibration: %s", err);
    used++;
  }
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  return rc;
}

int cmd_convert(int argc, char **argv) {
  const char *in_path = NULL, *out_path = NULL, *calib = NULL, *data = NULL, *mode_s = NULL;
  int count = 100, threads = 1, quiet = 0;
  cli_norm norm = NORM_UNIT;
  tl_qoptions o;
  memset(&o, 0, sizeof o);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      return 0;
    } else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && v) out_path = v, i++;
    else if (!strcmp(a, "--quantize") && v) mode_s = v, i++;
    else if (!strcmp(a, "--calibrate") && v) calib = v, i++;
    else if (!strcmp(a, "--data") && v) data = v, i++;
    else if (!strcmp(a, "--calibrate-count") && v) {
      if (cli_int(v, &count)) return cli_error("convert", "bad --calibrate-count '%s'", v);
      i++;
    } else if (!strcmp(a, "--threads") && v) {
      if (cli_int(v, &threads)) return cli_error("convert", "bad --threads '%s'", v);
      i++;
    } else if (!strcmp(a, "--min-elements") && v) {
      if (cli_int(v, &o.min_elements)) return cli_error("convert", "bad --min-elements '%s'", v);
      i++;
    } else if (!strcmp(a, "--io") && v) {
      if (!strcmp(v, "float") || !strcmp(v, "float32")) o.io_type = TL_FLOAT32;
      else if (!strcmp(v, "int8")) o.io_type = TL_INT8;
      else if (!strcmp(v, "uint8")) o.io_type = TL_UINT8;
      else return cli_error("convert", "bad --io '%s' (float, int8 or uint8)", v);
      i++;
    } else if (!strcmp(a, "--norm") && v) {
      if (!strcmp(v, "unit")) norm = NORM_UNIT;
      else if (!strcmp(v, "raw")) norm = NORM_RAW;
      else if (!strcmp(v, "signed")) norm = NORM_SIGNED;
      else return cli_error("convert", "bad --norm '%s' (unit, raw or signed)", v);
      i++;
    } else if (!strcmp(a, "--allow-float")) o.allow_float = 1;
    else if (!strcmp(a, "--per-tensor")) o.per_tensor = 1;
    else if (!strcmp(a, "--per-tensor-fc")) o.per_tensor_fc = 1;
    else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) quiet = 1;
    else if (a[0] == '-') return cli_error("convert", "unknown or incomplete option '%s' (see --help)", a);
    else if (!in_path) in_path = a;
    else return cli_error("convert", "unexpected argument '%s'", a);
  }
  if (!in_path || !out_path || !mode_s)
    return cli_error("convert", "usage: tinylite convert IN.tflite -o OUT.tflite --quantize none|dynamic|int8|float16");
  if (!strcmp(mode_s, "none")) o.mode = TL_QMODE_NONE;
  else if (!strcmp(mode_s, "dynamic")) o.mode = TL_QMODE_DYNAMIC;
  else if (!strcmp(mode_s, "int8")) o.mode = TL_QMODE_INT8;
  else if (!strcmp(mode_s, "float16")) o.mode = TL_QMODE_FLOAT16;
  else return cli_error("convert", "bad --quantize '%s' (none, dynamic, int8 or float16)", mode_s);
  if (o.mode == TL_QMODE_INT8 && !calib)
    return cli_error("convert", "--quantize int8 needs a representative dataset: --calibrate mnist or --calibrate DIR");
  if (o.mode != TL_QMODE_INT8 && (calib || o.io_type || o.allow_float))
    return cli_error("convert", "--calibrate, --io and --allow-float apply to --quantize int8 only");

  char err[1024];
  tl_model *m = NULL;
  if (tl_model_open(in_path, &m, err, sizeof err)) return cli_error("convert", "%s", err);
  if (o.mode != TL_QMODE_NONE && tl_quant_is_quantized(m, err, sizeof err)) {
    int rc = cli_error("convert", "%s is already quantized (%s): convert its float original", in_path, err);
    tl_model_close(m);
    return rc;
  }
  tl_qcalib *cal = NULL;
  int rc = 0;
  if (o.mode == TL_QMODE_INT8) {
    if (tl_qcalib_new(m, threads, &cal, err, sizeof err)) {
      rc = cli_error("convert", "%s: cannot run the float model for calibration: %s", in_path, err);
    } else if (count <= 0) {
      rc = cli_error("convert", "the calibration set is empty (--calibrate-count 0)");
    } else {
      rc = !strcmp(calib, "mnist") ? calibrate_mnist(cal, data, count, norm) : calibrate_dir(cal, calib, count, norm);
      if (!rc && tl_qcalib_ranges(cal)->samples == 0)
        rc = cli_error("convert", "the calibration set is empty: no images or raw tensors in %s", calib);
    }
  }
  uint8_t *buf = NULL;
  size_t n = 0;
  tl_qreport rep;
  if (!rc) {
    tl_status st = tl_quantize(m, &o, cal ? tl_qcalib_ranges(cal) : NULL, &rep, &buf, &n, err, sizeof err);
    if (st == TL_ERR_UNSUPPORTED && o.mode == TL_QMODE_INT8 && !o.allow_float)
      rc = cli_error("convert", "%s (--allow-float keeps such ops in float)", err);
    else if (st)
      rc = cli_error("convert", "%s", err);
  }
  if (!rc && cli_write_file(out_path, buf, n, err, sizeof err)) rc = cli_error("convert", "%s", err);
  if (!rc && !quiet) {
    long fs = file_size(in_path);
    double fkb = fs / 1024.0, qkb = (double)n / 1024.0;
    if (o.mode == TL_QMODE_NONE) {
      printf("Model size = %.0f KB, copy = %.0f KB\n", fkb, qkb);
    } else {
      printf("Float model size = %.0f KB\n", fkb);
      printf("Quantized model size = %.0f KB, which is about %.0f%% of the float model size\n", qkb,
             fs > 0 ? 100.0 * (double)n / (double)fs : 0.0);
      printf("%s: %d constant tensors rewritten", mode_s, rep.weights_quantized);
      if (o.mode == TL_QMODE_INT8)
        printf(", %d ops on integers, %d in float, %d QUANTIZE/DEQUANTIZE added (calibrated on %d samples)",
               rep.ops_quantized, rep.ops_float, rep.ops_inserted, tl_qcalib_ranges(cal)->samples);
      else if (rep.ops_inserted)
        printf(", %d DEQUANTIZE ops added", rep.ops_inserted);
      printf("\n");
      if (rep.notes[0]) {
        for (char *line = strtok(rep.notes, "\n"); line; line = strtok(NULL, "\n")) printf("  note: %s\n", line);
      }
    }
    printf("wrote %s (%zu bytes)\n", out_path, n);
  }
  free(buf);
  tl_qcalib_free(cal);
  tl_model_close(m);
  return rc;
}

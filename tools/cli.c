/* SPDX-License-Identifier: Apache-2.0
 * Shared helpers for the tinylite command-line tool: errors, files, model loading, input encoding. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int cli_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "tinylite %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return 1;
}

uint8_t *cli_read_file(const char *path, size_t *size, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return NULL;
  }
  size_t cap = 1 << 16, n = 0;
  uint8_t *buf = malloc(cap);
  while (buf) {
    size_t r = fread(buf + n, 1, cap - n, f);
    n += r;
    if (r == 0) break;
    if (n == cap) {
      uint8_t *nb = realloc(buf, cap * 2);
      if (!nb) free(buf);
      buf = nb;
      cap *= 2;
    }
  }
  int bad = ferror(f);
  fclose(f);
  if (!buf || bad) {
    free(buf);
    snprintf(err, errlen, "%s: %s", path, bad ? "read error" : "out of memory");
    return NULL;
  }
  *size = n;
  return buf;
}

int cli_write_file(const char *path, const void *data, size_t n, char *err, size_t errlen) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  FILE *f = fopen(tmp, "wb");
  if (!f) {
    snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
    return 1;
  }
  int ok = fwrite(data, 1, n, f) == n;
  ok &= fflush(f) == 0;
  ok &= fsync(fileno(f)) == 0;
  ok &= fclose(f) == 0;
  if (!ok || rename(tmp, path) != 0) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    remove(tmp);
    return 1;
  }
  return 0;
}

int cli_load(const char *cmd, const char *path, int threads, tl_model **m, tl_interp **ip) {
  char err[512];
  *ip = NULL;
  tl_status st = tl_model_open(path, m, err, sizeof err);
  if (st) return cli_error(cmd, "%s", err);
  /* Inputs kept intact through invoke, as TensorFlow Lite users expect (run --repeat, classify). */
  tl_interp_options o = {.num_threads = threads, .preserve_inputs = 1};
  st = tl_interp_new(*m, &o, ip);
  if (st) {
    tl_model_close(*m);
    return cli_error(cmd, "%s: %s", path, tl_status_str(st));
  }
  st = tl_interp_allocate(*ip);
  if (st) {
    cli_error(cmd, "%s: %s", path, tl_interp_errmsg(*ip));
    tl_interp_free(*ip);
    tl_model_close(*m);
    *ip = NULL;
    return 1;
  }
  return 0;
}

double cli_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int cli_int(const char *s, int *out) {
  if (!s || !*s) return 1;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (*end || errno || v < 0 || v > 1000000000) return 1;
  *out = (int)v;
  return 0;
}

int cli_images_per_input(const tl_tensor *t, int pixels) {
  size_t n = tl_tensor_count(t);
  int ch = tl_tensor_ndim(t) == 4 ? tl_tensor_dim(t, 3) : 1;
  if (ch == 3 && tl_tensor_dim(t, 1) * tl_tensor_dim(t, 2) == pixels) return (int)(n / (3 * (size_t)pixels));
  if (n == 0 || n % (size_t)pixels) return 0;
  return (int)(n / (size_t)pixels);
}

static int32_t clampi(long v, long lo, long hi) { return (int32_t)(v < lo ? lo : (v > hi ? hi : v)); }

int cli_fill_images(tl_tensor *t, const uint8_t *images, int count, int pixels, cli_norm norm, char *err,
                    size_t errlen) {
  int per = cli_images_per_input(t, pixels);
  if (per == 0) {
    snprintf(err, errlen, "input '%s' (%zu elements) cannot hold %d-pixel images", tl_tensor_name(t),
             tl_tensor_count(t), pixels);
    return 1;
  }
  size_t n = tl_tensor_count(t);
  int reps = (int)(n / ((size_t)per * pixels)); /* 3 for RGB inputs: gray repeated per channel */
  void *d = tl_tensor_data(t);
  float scale = tl_tensor_scale(t);
  int32_t zp = tl_tensor_zero_point(t);
  int type = tl_tensor_type(t);
  for (size_t i = 0; i < n; i++) {
    size_t img = i / ((size_t)pixels * reps), px = (i / reps) % pixels;
    uint8_t p = (int)img < count ? images[img * pixels + px] : 0;
    /* Float64 then one rounding to float32, as the reference encodings do. */
    double real = norm == NORM_RAW ? p : (norm == NORM_SIGNED ? p / 127.5 - 1.0 : p / 255.0);
    switch (type) {
      case TL_FLOAT32: ((float *)d)[i] = (float)real; break;
      case TL_INT8:
      case TL_UINT8:
      case TL_INT16: {
        long q;
        if (scale > 0.f) {
          /* A scale >= 0.5 means the model's real input range is the raw pixel range. */
          double r = scale >= 0.5f ? (double)p : real;
          q = lround(r / scale) + zp;
        } else {
          q = type == TL_INT8 ? (long)p - 128 : p;
        }
        if (type == TL_INT8) ((int8_t *)d)[i] = (int8_t)clampi(q, -128, 127);
        else if (type == TL_UINT8) ((uint8_t *)d)[i] = (uint8_t)clampi(q, 0, 255);
        else ((int16_t *)d)[i] = (int16_t)clampi(q, -32768, 32767);
        break;
      }
      default:
        snprintf(err, errlen, "input '%s' has type %s: no image encoding for it", tl_tensor_name(t),
                 tl_type_name(type));
        return 1;
    }
  }
  return 0;
}

int cli_scores(const tl_tensor *t, int row, float *out, int max) {
  int nd = tl_tensor_ndim(t);
  int classes = nd ? tl_tensor_dim(t, nd - 1) : 1;
  if (classes > max) classes = max;
  size_t base = (size_t)row * (size_t)(nd ? tl_tensor_dim(t, nd - 1) : 1);
  const void *d = tl_tensor_data((tl_tensor *)t);
  float s = tl_tensor_scale(t);
  int32_t zp = tl_tensor_zero_point(t);
  for (int c = 0; c < classes; c++) {
    switch (tl_tensor_type(t)) {
      case TL_FLOAT32: out[c] = ((const float *)d)[base + c]; break;
      case TL_INT8: out[c] = (((const int8_t *)d)[base + c] - zp) * (s > 0 ? s : 1.f); break;
      case TL_UINT8: out[c] = (((const uint8_t *)d)[base + c] - zp) * (s > 0 ? s : 1.f); break;
      case TL_INT16: out[c] = (((const int16_t *)d)[base + c] - zp) * (s > 0 ? s : 1.f); break;
      default: return 0;
    }
  }
  return classes;
}

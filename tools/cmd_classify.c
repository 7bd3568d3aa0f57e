/* SPDX-License-Identifier: Apache-2.0
 * tinylite classify: the digit in 28x28 grayscale PGM images (white digit on black, as MNIST). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Parses a binary (P5) or ASCII (P2) PGM with maxval <= 255 into w*h bytes. */
static uint8_t *read_pgm(const char *path, int *w, int *h, char *err, size_t errlen) {
  size_t n;
  uint8_t *buf = cli_read_file(path, &n, err, errlen), *img = NULL;
  if (!buf) return NULL;
  size_t p = 2;
  long v[3];
  if (n < 3 || buf[0] != 'P' || (buf[1] != '5' && buf[1] != '2')) {
    snprintf(err, errlen, "%s: not a PGM image (P5/P2 header missing)", path);
    goto done;
  }
  for (int k = 0; k < 3; k++) {
    while (p < n && (isspace(buf[p]) || buf[p] == '#')) {
      if (buf[p] == '#')
        while (p < n && buf[p] != '\n') p++;
      else
        p++;
    }
    if (p >= n || !isdigit(buf[p])) {
      snprintf(err, errlen, "%s: corrupt PGM header", path);
      goto done;
    }
    v[k] = 0;
    while (p < n && isdigit(buf[p]) && v[k] < 100000) v[k] = v[k] * 10 + (buf[p++] - '0');
  }
  if (v[0] < 1 || v[1] < 1 || v[0] > 16384 || v[1] > 16384 || v[2] < 1 || v[2] > 255) {
    snprintf(err, errlen, "%s: unsupported PGM size %ldx%ld or maxval %ld", path, v[0], v[1], v[2]);
    goto done;
  }
  size_t count = (size_t)v[0] * (size_t)v[1];
  img = malloc(count);
  if (!img) goto done;
  if (buf[1] == '5') {
    p++; /* the single whitespace byte after maxval */
    if (p > n || n - p < count) {
      snprintf(err, errlen, "%s: truncated PGM data (%zu of %zu bytes)", path, p > n ? 0 : n - p, count);
      free(img), img = NULL;
      goto done;
    }
    for (size_t i = 0; i < count; i++) img[i] = (uint8_t)(buf[p + i] * 255 / v[2]);
  } else {
    for (size_t i = 0; i < count; i++) {
      while (p < n && isspace(buf[p])) p++;
      long x = 0;
      if (p >= n || !isdigit(buf[p])) {
        snprintf(err, errlen, "%s: truncated PGM data", path);
        free(img), img = NULL;
        goto done;
      }
      while (p < n && isdigit(buf[p]) && x <= 255) x = x * 10 + (buf[p++] - '0');
      if (x > v[2]) x = v[2];
      img[i] = (uint8_t)(x * 255 / v[2]);
    }
  }
  *w = (int)v[0];
  *h = (int)v[1];
done:
  free(buf);
  return img;
}

int cmd_classify(int argc, char **argv) {
  const char *path = NULL;
  int first = 0, json = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help")) {
      printf("usage: tinylite classify MODEL IMAGE.pgm... [--json]\n");
      return 0;
    } else if (!strcmp(argv[i], "--json")) json = 1;
    else if (argv[i][0] == '-') return cli_error("classify", "unknown option '%s'", argv[i]);
    else if (!path) path = argv[i];
    else if (!first) first = i;
  }
  if (!path || !first) return cli_error("classify", "usage: tinylite classify MODEL IMAGE...");
  tl_model *m;
  tl_interp *ip;
  if (cli_load("classify", path, 1, &m, &ip)) return 1;
  int rc = 0;
  tl_tensor *in = tl_interp_input(ip, 0), *out = tl_interp_output(ip, 0);
  for (int i = first; i < argc; i++) {
    if (argv[i][0] == '-') continue;
    char err[600];
    int w, h;
    uint8_t *img = read_pgm(argv[i], &w, &h, err, sizeof err);
    if (!img) {
      rc = cli_error("classify", "%s", err);
      continue;
    }
    if (w != 28 || h != 28) {
      rc = cli_error("classify", "%s: image is %dx%d; a 28x28 digit is expected", argv[i], w, h);
      free(img);
      continue;
    }
    if (cli_fill_images(in, img, 1, 28 * 28, NORM_UNIT, err, sizeof err) || tl_interp_invoke(ip)) {
      rc = cli_error("classify", "%s: %s", argv[i], err[0] ? err : tl_interp_errmsg(ip));
      free(img);
      continue;
    }
    free(img);
    float s[1024];
    int k = cli_scores(out, 0, s, 1024), best = 0;
    for (int c = 1; c < k; c++)
      if (s[c] > s[best]) best = c;
    if (json) printf("{\"file\":\"%s\",\"digit\":%d,\"confidence\":%.6f}\n", argv[i], best, (double)s[best]);
    else printf("%s: %d (confidence %.4f)\n", argv[i], best, (double)s[best]);
  }
  tl_interp_free(ip);
  tl_model_close(m);
  return rc;
}

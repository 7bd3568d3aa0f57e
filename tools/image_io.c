/* SPDX-License-Identifier: Apache-2.0
 * PNG (libpng) and PGM decoding for `tinylite classify`: whole file in memory, every size checked
 * before allocating, libpng errors turned into messages via setjmp rather than aborts. */
#include "image_io.h"

#include <ctype.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "preprocess/digit.h"

/* ---- PGM ---------------------------------------------------------------------------------------- */

/* Binary (P5) or ASCII (P2) PGM with maxval <= 65535 (16-bit samples are big-endian, as Netpbm says). */
static uint8_t *decode_pgm(const uint8_t *buf, size_t n, const char *name, int *w, int *h, char *err, size_t errlen) {
  size_t p = 2;
  long v[3];
  for (int k = 0; k < 3; k++) {
    while (p < n && (isspace(buf[p]) || buf[p] == '#')) {
      if (buf[p] == '#')
        while (p < n && buf[p] != '\n') p++;
      else
        p++;
    }
    if (p >= n || !isdigit(buf[p])) {
      snprintf(err, errlen, "%s: corrupt or truncated PGM header", name);
      return NULL;
    }
    v[k] = 0;
    while (p < n && isdigit(buf[p]) && v[k] < 1000000) v[k] = v[k] * 10 + (buf[p++] - '0');
  }
  if (v[0] < 1 || v[1] < 1 || v[0] > TL_IMAGE_MAX_SIDE || v[1] > TL_IMAGE_MAX_SIDE ||
      (unsigned long)v[0] * (unsigned long)v[1] > TL_IMAGE_MAX_PIXELS || v[2] < 1 || v[2] > 65535) {
    snprintf(err, errlen, "%s: unsupported PGM size %ldx%ld or maxval %ld", name, v[0], v[1], v[2]);
    return NULL;
  }
  size_t count = (size_t)v[0] * (size_t)v[1], bps = v[2] > 255 ? 2 : 1;
  uint8_t *img = malloc(count);
  if (!img) {
    snprintf(err, errlen, "%s: out of memory", name);
    return NULL;
  }
  if (buf[1] == '5') {
    p++; /* the single whitespace byte after maxval */
    if (p > n || (n - p) / bps < count) {
      snprintf(err, errlen, "%s: truncated PGM data (%zu of %zu bytes)", name, p > n ? 0 : n - p, count * bps);
      free(img);
      return NULL;
    }
    for (size_t i = 0; i < count; i++) {
      long x = bps == 2 ? (long)buf[p + 2 * i] << 8 | buf[p + 2 * i + 1] : buf[p + i];
      if (x > v[2]) x = v[2];
      img[i] = (uint8_t)((x * 255 + v[2] / 2) / v[2]);
    }
  } else {
    for (size_t i = 0; i < count; i++) {
      while (p < n && isspace(buf[p])) p++;
      long x = 0;
      if (p >= n || !isdigit(buf[p])) {
        snprintf(err, errlen, "%s: truncated or corrupt PGM data (pixel %zu of %zu)", name, i, count);
        free(img);
        return NULL;
      }
      while (p < n && isdigit(buf[p]) && x <= 65535) x = x * 10 + (buf[p++] - '0');
      if (x > v[2]) x = v[2];
      img[i] = (uint8_t)((x * 255 + v[2] / 2) / v[2]);
    }
  }
  *w = (int)v[0];
  *h = (int)v[1];
  return img;
}

/* ---- PNG ---------------------------------------------------------------------------------------- */

typedef struct {
  const uint8_t *data;
  size_t n, pos;
  char msg[200];
} png_src;

static void png_read_mem(png_structp png, png_bytep out, size_t len) {
  png_src *s = png_get_io_ptr(png);
  if (len > s->n - s->pos) png_error(png, "truncated file (data ends early)");
  memcpy(out, s->data + s->pos, len);
  s->pos += len;
}

static void png_err(png_structp png, png_const_charp msg) {
  png_src *s = png_get_error_ptr(png);
  snprintf(s->msg, sizeof s->msg, "%s", msg);
  png_longjmp(png, 1);
}

static void png_warn(png_structp png, png_const_charp msg) {
  (void)png, (void)msg; /* warnings (e.g. a bad ancillary chunk) don't stop decoding */
}

static uint8_t *decode_png(const uint8_t *buf, size_t n, const char *name, int *w, int *h, char *err, size_t errlen) {
  png_src src = {buf, n, 0, ""};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, png_err, png_warn);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!info) {
    png_destroy_read_struct(&png, NULL, NULL);
    snprintf(err, errlen, "%s: out of memory", name);
    return NULL;
  }
  /* Set after setjmp, read in its error branch: volatile so longjmp can't leave stale copies. */
  uint8_t *volatile rgba = NULL;
  png_bytep *volatile rows = NULL;
  if (setjmp(png_jmpbuf(png))) {
    snprintf(err, errlen, "%s: corrupt PNG: %s", name, src.msg[0] ? src.msg : "decoding failed");
    free(rgba);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    return NULL;
  }
  png_set_user_limits(png, TL_IMAGE_MAX_SIDE, TL_IMAGE_MAX_SIDE);
  png_set_read_fn(png, &src, png_read_mem);
  png_read_info(png, info);
  png_uint_32 pw = png_get_image_width(png, info), ph = png_get_image_height(png, info);
  int color = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
  if ((uint64_t)pw * ph > TL_IMAGE_MAX_PIXELS) png_error(png, "image too large");
  /* Everything to 8-bit RGBA, as a canvas's getImageData gives. */
  if (depth == 16) png_set_strip_16(png);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
  if (!(color & PNG_COLOR_MASK_ALPHA) && !png_get_valid(png, info, PNG_INFO_tRNS))
    png_set_filler(png, 0xff, PNG_FILLER_AFTER);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  size_t rowbytes = png_get_rowbytes(png, info);
  if (rowbytes != (size_t)pw * 4) png_error(png, "unexpected row layout after conversion");
  rgba = malloc(rowbytes * ph);
  rows = malloc(sizeof(png_bytep) * ph);
  if (!rgba || !rows) png_error(png, "out of memory");
  for (png_uint_32 y = 0; y < ph; y++) rows[y] = rgba + rowbytes * y;
  png_read_image(png, rows);
  png_read_end(png, NULL);
  png_destroy_read_struct(&png, &info, NULL);
  free(rows);
  uint8_t *out = rgba;
  tl_digit_rgba_to_gray(out, (int)pw, (int)ph, rowbytes, out); /* in place: gray shrinks the buffer */
  *w = (int)pw;
  *h = (int)ph;
  return out;
}

uint8_t *tl_image_decode(const uint8_t *data, size_t n, const char *name, int *width, int *height, char *err,
                         size_t errlen) {
  static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (n >= 8 && !memcmp(data, png_sig, 8)) return decode_png(data, n, name, width, height, err, errlen);
  if (n >= 2 && data[0] == 'P' && (data[1] == '5' || data[1] == '2'))
    return decode_pgm(data, n, name, width, height, err, errlen);
  if (n == 0) snprintf(err, errlen, "%s: empty file", name);
  else snprintf(err, errlen, "%s: not a PNG or PGM image", name);
  return NULL;
}

uint8_t *tl_image_load(const char *path, int *width, int *height, char *err, size_t errlen) {
  size_t n;
  uint8_t *buf = cli_read_file(path, &n, err, errlen);
  if (!buf) return NULL;
  uint8_t *img = tl_image_decode(buf, n, path, width, height, err, errlen);
  free(buf);
  return img;
}

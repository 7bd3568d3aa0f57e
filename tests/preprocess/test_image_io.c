/* SPDX-License-Identifier: Apache-2.0
 * Tests of the CLI's image decoding (tools/image_io.c): PNG in every colour type and bit depth,
 * PGM P5/P2, and corrupt or truncated files, which must give an error message and never crash. */
#include <png.h>
#include <stdint.h>

#include "../../tools/image_io.h"
#include "preprocess/digit.h"
#include "test.h"

/* Encodes w x h pixels in libpng's simplified `format` to a malloc'ed PNG; *n gets its size. */
static uint8_t *encode_png(const void *pixels, int w, int h, png_uint_32 format, size_t *n) {
  png_image im;
  memset(&im, 0, sizeof im);
  im.version = PNG_IMAGE_VERSION;
  im.width = (png_uint_32)w;
  im.height = (png_uint_32)h;
  im.format = format;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&im, NULL, &size, 0, pixels, 0, NULL)) return NULL;
  uint8_t *buf = malloc(size);
  if (buf && !png_image_write_to_memory(&im, buf, &size, 0, pixels, 0, NULL)) {
    free(buf);
    return NULL;
  }
  *n = size;
  return buf;
}

/* A 40 x 30 gray test picture: a dark bar on white. */
static void picture(uint8_t *g) {
  for (int y = 0; y < 30; y++)
    for (int x = 0; x < 40; x++) g[y * 40 + x] = (x >= 10 && x < 14 && y >= 5 && y < 25) ? 20 : 250;
}

TEST(png_gray_rgb_rgba_same_gray) {
  uint8_t g[1200], rgb[3600], rgba[4800];
  picture(g);
  for (int i = 0; i < 1200; i++) {
    rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = g[i];
    rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = g[i];
    rgba[4 * i + 3] = 255;
  }
  const void *src[3] = {g, rgb, rgba};
  png_uint_32 fmt[3] = {PNG_FORMAT_GRAY, PNG_FORMAT_RGB, PNG_FORMAT_RGBA};
  for (int k = 0; k < 3; k++) {
    size_t n = 0;
    uint8_t *png = encode_png(src[k], 40, 30, fmt[k], &n), *out;
    EXPECT(png != NULL);
    if (!png) continue;
    int w = 0, h = 0;
    char err[256] = "";
    out = tl_image_decode(png, n, "t.png", &w, &h, err, sizeof err);
    EXPECT(out != NULL);
    if (out) {
      EXPECT_EQ(w, 40);
      EXPECT_EQ(h, 30);
      EXPECT(memcmp(out, g, sizeof g) == 0);
    }
    free(out);
    free(png);
  }
}

TEST(png_alpha_composited_over_white) {
  uint8_t ga[2 * 4] = {0, 0, 0, 255, 200, 128, 90, 255};
  size_t n;
  uint8_t *png = encode_png(ga, 4, 1, PNG_FORMAT_GA, &n);
  int w, h;
  char err[256];
  uint8_t *out = png ? tl_image_decode(png, n, "ga.png", &w, &h, err, sizeof err) : NULL;
  EXPECT(out != NULL);
  if (out) {
    EXPECT_EQ(out[0], 255); /* fully transparent: paper */
    EXPECT_EQ(out[1], 0);
    EXPECT_EQ(out[2], (200 * 128 + 255 * 127 + 127) / 255);
    EXPECT_EQ(out[3], 90);
  }
  free(out);
  free(png);
}

TEST(png_truncated_and_corrupt) {
  uint8_t g[1200];
  picture(g);
  size_t n;
  uint8_t *png = encode_png(g, 40, 30, PNG_FORMAT_GRAY, &n);
  EXPECT(png != NULL);
  if (!png) return;
  /* Every truncation point: an error with a message, never a crash or a silent success. */
  int errors = 0;
  for (size_t cut = 0; cut < n; cut++) {
    int w, h;
    char err[256] = "";
    uint8_t *out = tl_image_decode(png, cut, "cut.png", &w, &h, err, sizeof err);
    if (!out && err[0]) errors++;
    else if (out && cut + 12 < n) fprintf(stderr, "  truncated at %zu of %zu decoded\n", cut, n);
    free(out);
  }
  /* Only a cut inside the final IEND chunk may still decode (all image data is there). */
  EXPECT(errors >= (int)n - 12);
  int w, h;
  char err[256] = "";
  uint8_t *out = tl_image_decode(png, n / 2, "half.png", &w, &h, err, sizeof err);
  EXPECT(out == NULL);
  EXPECT_STR_CONTAINS(err, "half.png");
  EXPECT_STR_CONTAINS(err, "PNG");
  /* Flipped bytes (CRC or zlib damage) everywhere after the signature. */
  uint8_t *bad = malloc(n);
  for (size_t i = 8; i < n; i += 3) {
    memcpy(bad, png, n);
    bad[i] ^= 0x5a;
    out = tl_image_decode(bad, n, "bad.png", &w, &h, err, sizeof err);
    free(out); /* either decodes something or fails cleanly; both fine, no crash */
  }
  /* A huge declared size is refused before allocating. */
  memcpy(bad, png, n);
  bad[16] = 0x7f; /* IHDR width's top byte */
  out = tl_image_decode(bad, n, "huge.png", &w, &h, err, sizeof err);
  EXPECT(out == NULL);
  free(bad);
  free(png);
}

TEST(pgm_binary_ascii_16bit) {
  const char *p5 = "P5\n# comment\n3 2\n255\n";
  uint8_t buf[64];
  size_t hl = strlen(p5);
  memcpy(buf, p5, hl);
  uint8_t px[6] = {0, 50, 100, 150, 200, 255};
  memcpy(buf + hl, px, 6);
  int w, h;
  char err[256];
  uint8_t *out = tl_image_decode(buf, hl + 6, "a.pgm", &w, &h, err, sizeof err);
  EXPECT(out != NULL);
  if (out) {
    EXPECT_EQ(w, 3);
    EXPECT_EQ(h, 2);
    EXPECT(memcmp(out, px, 6) == 0);
  }
  free(out);
  out = tl_image_decode(buf, hl + 5, "short.pgm", &w, &h, err, sizeof err);
  EXPECT(out == NULL);
  EXPECT_STR_CONTAINS(err, "truncated");
  const char *p2 = "P2 2 2 15\n0 15\n7 15\n";
  out = tl_image_decode((const uint8_t *)p2, strlen(p2), "b.pgm", &w, &h, err, sizeof err);
  EXPECT(out != NULL);
  if (out) {
    EXPECT_EQ(out[0], 0);
    EXPECT_EQ(out[1], 255);
    EXPECT_EQ(out[2], 119);
  }
  free(out);
  out = tl_image_decode((const uint8_t *)"P2 2 2 15\n0 15\n7", 16, "c.pgm", &w, &h, err, sizeof err);
  EXPECT(out == NULL);
  const uint8_t p16[] = "P5 1 1 65535\n\xff\xff";
  out = tl_image_decode(p16, sizeof p16 - 1, "d.pgm", &w, &h, err, sizeof err);
  EXPECT(out != NULL);
  if (out) EXPECT_EQ(out[0], 255);
  free(out);
  const char *huge = "P5 100000 100000 255\n";
  out = tl_image_decode((const uint8_t *)huge, strlen(huge), "e.pgm", &w, &h, err, sizeof err);
  EXPECT(out == NULL);
  EXPECT_STR_CONTAINS(err, "unsupported");
}

TEST(not_an_image) {
  int w, h;
  char err[256];
  EXPECT(tl_image_decode((const uint8_t *)"GIF89a", 6, "x.gif", &w, &h, err, sizeof err) == NULL);
  EXPECT_STR_CONTAINS(err, "not a PNG or PGM");
  EXPECT(tl_image_decode((const uint8_t *)"", 0, "e", &w, &h, err, sizeof err) == NULL);
  EXPECT_STR_CONTAINS(err, "empty");
  EXPECT(tl_image_load("/nonexistent/x.png", &w, &h, err, sizeof err) == NULL);
  EXPECT_STR_CONTAINS(err, "/nonexistent/x.png");
}

TEST_MAIN(T(png_gray_rgb_rgba_same_gray), T(png_alpha_composited_over_white), T(png_truncated_and_corrupt),
          T(pgm_binary_ascii_16bit), T(not_an_image))

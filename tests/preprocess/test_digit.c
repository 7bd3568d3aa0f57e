/* SPDX-License-Identifier: Apache-2.0
 * Tests of the digit preprocessing (src/preprocess/digit.c) and the digit <-> tensor encoding
 * (digit_model.c): polarity, empty detection, aspect ratio, anti-aliasing, centring, bad input. */
#include <stdint.h>

#include "format/tflite_writer.h"
#include "preprocess/digit.h"
#include "preprocess/digit_model.h"
#include "test.h"

/* A canvas of w x h bytes filled with `bg`. */
static uint8_t *canvas(int w, int h, uint8_t bg) {
  uint8_t *c = malloc((size_t)w * (size_t)h);
  if (c) memset(c, bg, (size_t)w * (size_t)h);
  return c;
}

/* Draws a thick anti-aliased segment (round caps) of colour `ink`: coverage from the distance of each
 * pixel centre to the segment, with a one-pixel linear ramp at the edge. */
static void line(uint8_t *c, int w, int h, double x0, double y0, double x1, double y1, double r, uint8_t ink) {
  double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
  int xa = (int)floor(fmin(x0, x1) - r - 1), xb = (int)ceil(fmax(x0, x1) + r + 1);
  int ya = (int)floor(fmin(y0, y1) - r - 1), yb = (int)ceil(fmax(y0, y1) + r + 1);
  for (int y = ya < 0 ? 0 : ya; y <= yb && y < h; y++)
    for (int x = xa < 0 ? 0 : xa; x <= xb && x < w; x++) {
      double px = x + 0.5, py = y + 0.5, t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0;
      t = t < 0 ? 0 : (t > 1 ? 1 : t);
      double ex = x0 + t * dx - px, ey = y0 + t * dy - py, d = sqrt(ex * ex + ey * ey);
      double cov = r + 0.5 - d;
      cov = cov < 0 ? 0 : (cov > 1 ? 1 : cov);
      uint8_t *p = &c[(size_t)y * w + x];
      *p = (uint8_t)lround(*p + (ink - *p) * cov);
    }
}

/* A "7" in a box at (x, y) of size s, stroke radius r. */
static void seven(uint8_t *c, int w, int h, double x, double y, double s, double r, uint8_t ink) {
  line(c, w, h, x, y, x + s * 0.6, y, r, ink);
  line(c, w, h, x + s * 0.6, y, x + s * 0.2, y + s, r, ink);
}

static void stats(const float *img, double *mass, double *cx, double *cy, int box[4]) {
  double m = 0, sx = 0, sy = 0;
  box[0] = box[1] = 28, box[2] = box[3] = -1;
  for (int y = 0; y < 28; y++)
    for (int x = 0; x < 28; x++) {
      double v = img[y * 28 + x];
      m += v, sx += v * x, sy += v * y;
      if (v > 0) {
        if (x < box[0]) box[0] = x;
        if (y < box[1]) box[1] = y;
        if (x > box[2]) box[2] = x;
        if (y > box[3]) box[3] = y;
      }
    }
  *mass = m, *cx = m > 0 ? sx / m : 0, *cy = m > 0 ? sy / m : 0;
}

static double mean_abs_diff(const float *a, const float *b) {
  double s = 0;
  for (int i = 0; i < 784; i++) s += fabs(a[i] - b[i]);
  return s / 784;
}

TEST(defaults) {
  tl_digit_options o;
  tl_digit_options_default(&o);
  EXPECT_EQ(o.polarity, TL_DIGIT_POLARITY_AUTO);
  EXPECT_EQ(o.box, 20);
  EXPECT_EQ(o.normalize, 1);
  EXPECT(o.min_mass > 0 && o.min_extent > 0 && o.noise > 0);
}

TEST(bad_arguments) {
  uint8_t img[16] = {0}, u8[784];
  float out[784];
  memset(u8, 7, sizeof u8);
  EXPECT_EQ(tl_digit_prepare(NULL, 4, 4, 4, NULL, out, u8, NULL), TL_DIGIT_BAD_ARG);
  EXPECT_EQ(u8[100], 0); /* outputs are cleared even on errors */
  EXPECT_EQ(tl_digit_prepare(img, 0, 4, 4, NULL, out, u8, NULL), TL_DIGIT_BAD_ARG);
  EXPECT_EQ(tl_digit_prepare(img, 4, -1, 4, NULL, out, u8, NULL), TL_DIGIT_BAD_ARG);
  EXPECT_EQ(tl_digit_prepare(img, 4, 4, 3, NULL, out, u8, NULL), TL_DIGIT_BAD_ARG);
  EXPECT_EQ(tl_digit_prepare(img, 40000, 1, 40000, NULL, out, u8, NULL), TL_DIGIT_BAD_ARG);
  tl_digit_options o;
  tl_digit_options_default(&o);
  o.box = 0;
  EXPECT_EQ(tl_digit_prepare(img, 4, 4, 4, &o, out, u8, NULL), TL_DIGIT_BAD_ARG);
  o.box = 29;
  EXPECT_EQ(tl_digit_prepare(img, 4, 4, 4, &o, out, u8, NULL), TL_DIGIT_BAD_ARG);
  tl_digit_options_default(&o);
  o.noise = NAN;
  EXPECT_EQ(tl_digit_prepare(img, 4, 4, 4, &o, out, u8, NULL), TL_DIGIT_BAD_ARG);
  tl_digit_options_default(&o);
  o.polarity = (tl_digit_polarity)7;
  EXPECT_EQ(tl_digit_prepare(img, 4, 4, 4, &o, out, u8, NULL), TL_DIGIT_BAD_ARG);
  /* Both outputs may be NULL: only the verdict is wanted. */
  EXPECT_EQ(tl_digit_prepare(img, 4, 4, 4, NULL, NULL, NULL, NULL), TL_DIGIT_EMPTY);
}

TEST(empty_canvases) {
  float out[784];
  tl_digit_info info;
  uint8_t *c = canvas(280, 280, 255);
  EXPECT_EQ(tl_digit_prepare(c, 280, 280, 280, NULL, out, NULL, &info), TL_DIGIT_EMPTY);
  EXPECT_EQ(info.dark_ink, 1);
  EXPECT_EQ(info.background, 255);
  memset(c, 0, 280 * 280);
  EXPECT_EQ(tl_digit_prepare(c, 280, 280, 280, NULL, out, NULL, &info), TL_DIGIT_EMPTY);
  EXPECT_EQ(info.dark_ink, 0);
  memset(c, 128, 280 * 280);
  EXPECT_EQ(tl_digit_prepare(c, 280, 280, 280, NULL, out, NULL, NULL), TL_DIGIT_EMPTY);
  /* A faint smudge (contrast < 1/16) is still blank paper. */
  memset(c, 250, 280 * 280);
  line(c, 280, 280, 50, 50, 200, 200, 10, 240);
  EXPECT_EQ(tl_digit_prepare(c, 280, 280, 280, NULL, out, NULL, NULL), TL_DIGIT_EMPTY);
  /* A tap: a dot of diameter 14 px on a 280 px canvas (5% < 8% extent). */
  memset(c, 255, 280 * 280);
  line(c, 280, 280, 140, 140, 140, 140, 7, 0);
  EXPECT_EQ(tl_digit_prepare(c, 280, 280, 280, NULL, out, NULL, &info), TL_DIGIT_EMPTY);
  EXPECT(info.ink_mass > 0);
  double m = 0;
  for (int i = 0; i < 784; i++) m += out[i];
  EXPECT_EQ(m, 0);
  /* A real stroke is not empty. */
  line(c, 280, 280, 140, 60, 140, 220, 8, 0);
  EXPECT_EQ(tl_digit_prepare(c, 280, 280, 280, NULL, out, NULL, NULL), TL_DIGIT_OK);
  free(c);
}

TEST(polarity_either_way) {
  uint8_t *a = canvas(200, 300, 255), *b = canvas(200, 300, 0);
  seven(a, 200, 300, 40, 60, 150, 9, 0);
  seven(b, 200, 300, 40, 60, 150, 9, 255);
  float fa[784], fb[784];
  tl_digit_info ia, ib;
  EXPECT_EQ(tl_digit_prepare(a, 200, 300, 200, NULL, fa, NULL, &ia), TL_DIGIT_OK);
  EXPECT_EQ(tl_digit_prepare(b, 200, 300, 200, NULL, fb, NULL, &ib), TL_DIGIT_OK);
  EXPECT_EQ(ia.dark_ink, 1);
  EXPECT_EQ(ib.dark_ink, 0);
  EXPECT(mean_abs_diff(fa, fb) < 1e-6);
  /* Forcing the wrong polarity on a white canvas sees no ink at all. */
  tl_digit_options o;
  tl_digit_options_default(&o);
  o.polarity = TL_DIGIT_LIGHT_INK;
  EXPECT_EQ(tl_digit_prepare(a, 200, 300, 200, &o, fa, NULL, NULL), TL_DIGIT_EMPTY);
  /* Gray paper and gray ink (a photo of a page): same digit after level normalisation. */
  uint8_t *g = canvas(200, 300, 200);
  seven(g, 200, 300, 40, 60, 150, 9, 60);
  EXPECT_EQ(tl_digit_prepare(g, 200, 300, 200, NULL, fa, NULL, &ia), TL_DIGIT_OK);
  EXPECT_EQ(ia.background, 200);
  EXPECT(mean_abs_diff(fa, fb) < 0.02);
  free(a), free(b), free(g);
}

TEST(digit_touching_the_border) {
  /* The ink runs off two edges; the border median still finds the white paper. */
  uint8_t *c = canvas(100, 100, 255);
  line(c, 100, 100, 0, 0, 99, 99, 6, 0);
  line(c, 100, 100, 0, 99, 50, 50, 6, 0);
  tl_digit_info info;
  float out[784];
  EXPECT_EQ(tl_digit_prepare(c, 100, 100, 100, NULL, out, NULL, &info), TL_DIGIT_OK);
  EXPECT_EQ(info.dark_ink, 1);
  EXPECT_EQ(info.background, 255);
  EXPECT_EQ(info.box_x, 0);
  EXPECT_EQ(info.box_w, 100);
  free(c);
}

TEST(keeps_aspect_ratio) {
  /* A tall thin bar 20 x 200 becomes 2 x 20; a wide one 200 x 50 becomes 20 x 5. */
  uint8_t *c = canvas(300, 300, 255);
  for (int y = 50; y < 250; y++) memset(c + y * 300 + 140, 0, 20);
  float out[784];
  tl_digit_info info;
  double m, cx, cy;
  int box[4];
  EXPECT_EQ(tl_digit_prepare(c, 300, 300, 300, NULL, out, NULL, &info), TL_DIGIT_OK);
  EXPECT_EQ(info.box_w, 20);
  EXPECT_EQ(info.box_h, 200);
  EXPECT_EQ(info.fit_w, 2);
  EXPECT_EQ(info.fit_h, 20);
  stats(out, &m, &cx, &cy, box);
  EXPECT_EQ(box[2] - box[0] + 1, 2);
  EXPECT_EQ(box[3] - box[1] + 1, 20);
  EXPECT_NEAR(m, 40, 1e-3); /* exactly covered cells: 40 pixels of 1.0 */
  memset(c, 255, 300 * 300);
  for (int y = 100; y < 150; y++) memset(c + y * 300 + 30, 0, 200);
  EXPECT_EQ(tl_digit_prepare(c, 300, 300, 300, NULL, out, NULL, &info), TL_DIGIT_OK);
  EXPECT_EQ(info.fit_w, 20);
  EXPECT_EQ(info.fit_h, 5);
  free(c);
}

TEST(area_averaging_anti_aliases) {
  /* A fine checkerboard shrunk 10x averages to 0.5 everywhere (no aliasing to 0 or 1). */
  uint8_t *c = canvas(240, 240, 0);
  for (int y = 20; y < 220; y++)
    for (int x = 20; x < 220; x++) c[y * 240 + x] = ((x + y) & 1) ? 255 : 0;
  tl_digit_options o;
  tl_digit_options_default(&o);
  o.normalize = 0;
  o.polarity = TL_DIGIT_LIGHT_INK;
  float out[784];
  uint8_t u8[784];
  EXPECT_EQ(tl_digit_prepare(c, 240, 240, 240, &o, out, u8, NULL), TL_DIGIT_OK);
  int inside = 0;
  for (int i = 0; i < 784; i++) {
    if (out[i] > 0) {
      inside++;
      EXPECT_NEAR(out[i], 0.5, 0.03);
    }
    EXPECT_EQ(u8[i], (int)(out[i] * 255.f + 0.5f));
  }
  EXPECT_EQ(inside, 400);
  /* With normalisation the brightest pixel becomes 1. */
  o.normalize = 1;
  EXPECT_EQ(tl_digit_prepare(c, 240, 240, 240, &o, out, NULL, NULL), TL_DIGIT_OK);
  float mx = 0;
  for (int i = 0; i < 784; i++) mx = out[i] > mx ? out[i] : mx;
  EXPECT_NEAR(mx, 1.0, 1e-6);
  free(c);
}

TEST(enlarges_small_drawings) {
  /* A 10 x 10 square in a 28 x 28 image (a small digit) is enlarged to 20 x 20. */
  uint8_t c[28 * 28] = {0};
  for (int y = 3; y < 13; y++) memset(c + y * 28 + 2, 255, 10);
  float out[784];
  tl_digit_info info;
  EXPECT_EQ(tl_digit_prepare(c, 28, 28, 28, NULL, out, NULL, &info), TL_DIGIT_OK);
  EXPECT_EQ(info.fit_w, 20);
  double m, cx, cy;
  int box[4];
  stats(out, &m, &cx, &cy, box);
  EXPECT_NEAR(m, 400, 1e-3);
  /* Centred box: rows/columns 4..23, centre of mass 13.5, moved to MNIST's 14.0: 5..24. */
  EXPECT_EQ(box[0], 5);
  EXPECT_EQ(box[1], 5);
}

TEST(centre_of_mass_centred) {
  /* Same "7" at different places, sizes and stroke widths on different canvases: centred at
   * MNIST's mean centre of mass (14, 14) within half a pixel, and nearly the same image. */
  float ref[784], out[784];
  uint8_t *c = canvas(400, 300, 255);
  seven(c, 400, 300, 20, 20, 100, 6, 0);
  EXPECT_EQ(tl_digit_prepare(c, 400, 300, 400, NULL, ref, NULL, NULL), TL_DIGIT_OK);
  double m, cx, cy;
  int box[4];
  stats(ref, &m, &cx, &cy, box);
  EXPECT_NEAR(cx, 14.0, 0.5);
  EXPECT_NEAR(cy, 14.0, 0.5);
  free(c);
  c = canvas(1000, 700, 255);
  seven(c, 1000, 700, 700, 400, 250, 15, 0);
  EXPECT_EQ(tl_digit_prepare(c, 1000, 700, 1000, NULL, out, NULL, NULL), TL_DIGIT_OK);
  stats(out, &m, &cx, &cy, box);
  EXPECT_NEAR(cx, 14.0, 0.5);
  EXPECT_NEAR(cy, 14.0, 0.5);
  EXPECT(mean_abs_diff(ref, out) < 0.03);
  free(c);
}

TEST(shift_is_clamped) {
  /* An "L" with almost all its mass in the bottom bar: the centre of mass wants to move the box
   * up by ~7 px, but the box (20 tall, rows 4..23) may move up 4 px at most. */
  uint8_t *c = canvas(200, 200, 0);
  for (int y = 10; y < 190; y++) c[y * 200 + 10] = 255;
  for (int y = 170; y < 190; y++) memset(c + y * 200 + 10, 255, 180);
  float out[784];
  tl_digit_info info;
  EXPECT_EQ(tl_digit_prepare(c, 200, 200, 200, NULL, out, NULL, &info), TL_DIGIT_OK);
  EXPECT_EQ(info.shift_y, -4);
  double m, cx, cy;
  int box[4];
  stats(out, &m, &cx, &cy, box);
  EXPECT_EQ(box[1], 0);
  EXPECT_EQ(box[3], 19); /* nothing cut off: still 20 rows */
  free(c);
}

TEST(mnist_style_input_is_stable) {
  /* A digit already in MNIST's format (20 px box, centred) comes back nearly unchanged. */
  uint8_t src[784] = {0};
  seven(src, 28, 28, 6, 4, 20, 1.2, 255);
  float first[784], second[784];
  uint8_t u8[784];
  EXPECT_EQ(tl_digit_prepare(src, 28, 28, 28, NULL, first, u8, NULL), TL_DIGIT_OK);
  EXPECT_EQ(tl_digit_prepare(u8, 28, 28, 28, NULL, second, NULL, NULL), TL_DIGIT_OK);
  EXPECT(mean_abs_diff(first, second) < 0.01);
}

TEST(stride_and_rgba) {
  /* RGBA with padding between rows, converted in place, gives the same digit as packed gray. */
  int w = 90, h = 70;
  size_t stride = (size_t)w * 4 + 12;
  uint8_t *gray = canvas(w, h, 255), *rgba = malloc(stride * h);
  seven(gray, w, h, 20, 10, 50, 3, 0);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      uint8_t *p = rgba + y * stride + 4 * x, g = gray[y * w + x];
      p[0] = p[1] = p[2] = g, p[3] = 255;
    }
  tl_digit_rgba_to_gray(rgba, w, h, stride, rgba);
  EXPECT(memcmp(rgba, gray, (size_t)w * h) == 0);
  /* Transparent reads as white paper; opaque colours by luma. */
  uint8_t px[16] = {0, 0, 0, 0, 0, 0, 0, 255, 255, 0, 0, 255, 0, 0, 0, 128};
  uint8_t g4[4];
  tl_digit_rgba_to_gray(px, 4, 1, 16, g4);
  EXPECT_EQ(g4[0], 255);
  EXPECT_EQ(g4[1], 0);
  EXPECT_EQ(g4[2], 77);
  EXPECT_EQ(g4[3], 127);
  /* Stride larger than the row: only the first width bytes of each row are read. */
  uint8_t *padded = canvas(w + 7, h, 255);
  for (int y = 0; y < h; y++) memcpy(padded + y * (w + 7), gray + y * w, w);
  float a[784], b[784];
  EXPECT_EQ(tl_digit_prepare(gray, w, h, w, NULL, a, NULL, NULL), TL_DIGIT_OK);
  EXPECT_EQ(tl_digit_prepare(padded, w, h, w + 7, NULL, b, NULL, NULL), TL_DIGIT_OK);
  EXPECT(mean_abs_diff(a, b) == 0);
  free(gray), free(rgba), free(padded);
}

TEST(degenerate_shapes_and_noise) {
  /* 1 x N, N x 1 and random images of random sizes: no crash, outputs in [0, 1]. */
  uint32_t seed = 12345;
  float out[784];
  uint8_t u8[784];
  for (int iter = 0; iter < 300; iter++) {
    seed = seed * 1664525u + 1013904223u;
    int w = 1 + (int)(seed >> 8) % 97;
    seed = seed * 1664525u + 1013904223u;
    int h = 1 + (int)(seed >> 8) % 97;
    if (iter % 10 == 0) w = 1;
    if (iter % 10 == 1) h = 1;
    uint8_t *c = malloc((size_t)w * h);
    for (int i = 0; i < w * h; i++) {
      seed = seed * 1664525u + 1013904223u;
      c[i] = (iter & 1) ? (uint8_t)(seed >> 24) : ((seed >> 24) < 20 ? 255 : 0);
    }
    tl_digit_result r = tl_digit_prepare(c, w, h, w, NULL, out, u8, NULL);
    EXPECT(r == TL_DIGIT_OK || r == TL_DIGIT_EMPTY);
    for (int i = 0; i < 784; i++) EXPECT(out[i] >= 0.f && out[i] <= 1.f);
    free(c);
  }
}

/* ---- digit_model.c, on tiny models made with the .tflite writer (RESHAPE only) ---------------- */

/* A model input [1,28,28,1] (of `type`, quantized when scale > 0) -> RESHAPE -> output [1,784]. */
static tl_model *reshape_model(int type, int ndim, const int32_t *dims, float scale, int64_t zp, uint8_t **bytes) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  tl_tfl_quant q = {1, &scale, &zp, 0, 0, NULL, NULL};
  int32_t flat[2] = {1, 1};
  for (int i = 0; i < ndim; i++) flat[1] *= dims[i];
  int32_t shape_buf = tl_tfl_add_buffer(b, flat, sizeof flat);
  int32_t shape_dims[1] = {2};
  int32_t in = tl_tfl_add_tensor(b, 0, "in", type, ndim, dims, NULL, 0, scale > 0 ? &q : NULL, 0);
  int32_t shp = tl_tfl_add_tensor(b, 0, "shape", TL_TFL_INT32, 1, shape_dims, NULL, shape_buf, NULL, 0);
  int32_t out = tl_tfl_add_tensor(b, 0, "out", type, 2, flat, NULL, 0, scale > 0 ? &q : NULL, 0);
  int32_t ins[2] = {in, shp};
  tl_tfl_options o = tl_tfl_opts_reshape(flat, 2);
  tl_tfl_add_op(b, 0, TL_BUILTIN_RESHAPE, 1, ins, 2, &out, 1, &o);
  tl_tfl_set_io(b, 0, &in, 1, &out, 1);
  size_t n;
  char err[256];
  tl_model *m = NULL;
  *bytes = NULL;
  if (tl_tfl_finish(b, bytes, &n, err, sizeof err) == 0) tl_model_from_memory(*bytes, n, &m, err, sizeof err);
  if (!m) fprintf(stderr, "  model: %s\n", err);
  tl_tfl_builder_free(b);
  return m;
}

static tl_interp *interp_for(tl_model *m) {
  tl_interp *ip = NULL;
  if (!m || tl_interp_new(m, NULL, &ip) || tl_interp_allocate(ip)) {
    if (ip) fprintf(stderr, "  allocate: %s\n", tl_interp_errmsg(ip));
    tl_interp_free(ip);
    return NULL;
  }
  return ip;
}

TEST(set_input_float_and_quantized) {
  float img[784];
  for (int i = 0; i < 784; i++) img[i] = (float)(i % 256) / 255.f;
  int32_t d4[4] = {1, 28, 28, 1};
  uint8_t *bytes;
  tl_model *m = reshape_model(TL_TFL_FLOAT32, 4, d4, 0, 0, &bytes);
  tl_interp *ip = interp_for(m);
  EXPECT(ip != NULL);
  if (ip) {
    char err[128];
    tl_tensor *t = tl_interp_input(ip, 0);
    EXPECT_EQ(tl_digit_set_input(t, img, TL_DIGIT_NORM_UNIT, err, sizeof err), TL_OK);
    const float *d = tl_tensor_data(t);
    EXPECT_NEAR(d[300], img[300], 0);
    EXPECT_EQ(tl_digit_set_input(t, img, TL_DIGIT_NORM_RAW, err, sizeof err), TL_OK);
    EXPECT_NEAR(d[255], 255.0, 1e-4);
    EXPECT_EQ(tl_digit_set_input(t, img, TL_DIGIT_NORM_SIGNED, err, sizeof err), TL_OK);
    EXPECT_NEAR(d[0], -1.0, 1e-6);
    EXPECT_EQ(tl_digit_set_input(t, NULL, TL_DIGIT_NORM_UNIT, err, sizeof err), TL_ERR_ARG);
  }
  tl_interp_free(ip);
  tl_model_close(m);
  free(bytes);
  /* int8 with the usual MNIST quantization (scale 1/255, zero point -128). */
  m = reshape_model(TL_TFL_INT8, 4, d4, 1.f / 255.f, -128, &bytes);
  ip = interp_for(m);
  EXPECT(ip != NULL);
  if (ip) {
    tl_tensor *t = tl_interp_input(ip, 0);
    EXPECT_EQ(tl_digit_set_input(t, img, TL_DIGIT_NORM_UNIT, NULL, 0), TL_OK);
    const int8_t *d = tl_tensor_data(t);
    EXPECT_EQ(d[0], -128);
    EXPECT_EQ(d[255], 127);
    EXPECT_EQ(d[128], 0);
  }
  tl_interp_free(ip);
  tl_model_close(m);
  free(bytes);
  /* An input that can't hold 784 pixels is refused with a message. */
  int32_t d2[2] = {1, 100};
  m = reshape_model(TL_TFL_FLOAT32, 2, d2, 0, 0, &bytes);
  ip = interp_for(m);
  if (ip) {
    char err[128];
    EXPECT_EQ(tl_digit_set_input(tl_interp_input(ip, 0), img, TL_DIGIT_NORM_UNIT, err, sizeof err), TL_ERR_ARG);
    EXPECT_STR_CONTAINS(err, "cannot hold");
  }
  tl_interp_free(ip);
  tl_model_close(m);
  free(bytes);
}

TEST(probabilities_from_logits_and_quantized) {
  int32_t d2[2] = {1, 10};
  uint8_t *bytes;
  tl_model *m = reshape_model(TL_TFL_FLOAT32, 2, d2, 0, 0, &bytes);
  tl_interp *ip = interp_for(m);
  EXPECT(ip != NULL);
  if (ip) {
    tl_tensor *t = tl_interp_input(ip, 0);
    float *d = tl_tensor_data(t), p[10];
    /* Already a distribution: kept. */
    for (int i = 0; i < 10; i++) d[i] = i == 3 ? 0.91f : 0.01f;
    EXPECT_EQ(tl_digit_probabilities(t, p), 3);
    EXPECT_NEAR(p[3], 0.91, 1e-6);
    /* Logits: softmax. */
    for (int i = 0; i < 10; i++) d[i] = (float)i;
    EXPECT_EQ(tl_digit_probabilities(t, p), 9);
    double s = 0;
    for (int i = 0; i < 10; i++) s += p[i];
    EXPECT_NEAR(s, 1.0, 1e-6);
    EXPECT_NEAR(p[9] / p[8], exp(1.0), 1e-4);
    /* Huge logits don't overflow. */
    d[2] = 1e30f;
    EXPECT_EQ(tl_digit_probabilities(t, p), 2);
    EXPECT_NEAR(p[2], 1.0, 1e-6);
    d[2] = NAN;
    EXPECT_EQ(tl_digit_probabilities(t, p), -1);
    int order[10];
    float probs[10] = {0.1f, 0.3f, 0.05f, 0.3f, 0.05f, 0.2f, 0, 0, 0, 0};
    tl_digit_top(probs, 3, order);
    EXPECT_EQ(order[0], 1);
    EXPECT_EQ(order[1], 3);
    EXPECT_EQ(order[2], 5);
  }
  tl_interp_free(ip);
  tl_model_close(m);
  free(bytes);
  /* int8 softmax output (scale 1/256, zero point -128). */
  m = reshape_model(TL_TFL_INT8, 2, d2, 1.f / 256.f, -128, &bytes);
  ip = interp_for(m);
  if (ip) {
    tl_tensor *t = tl_interp_input(ip, 0);
    int8_t *d = tl_tensor_data(t);
    float p[10];
    for (int i = 0; i < 10; i++) d[i] = -128 + (i == 7 ? 230 : 2);
    EXPECT_EQ(tl_digit_probabilities(t, p), 7);
    EXPECT_NEAR(p[7], 230.0 / 248.0, 1e-5);
  }
  tl_interp_free(ip);
  tl_model_close(m);
  free(bytes);
  /* Not a 10-class tensor. */
  int32_t d3[2] = {1, 12};
  m = reshape_model(TL_TFL_FLOAT32, 2, d3, 0, 0, &bytes);
  ip = interp_for(m);
  if (ip) {
    float p[10];
    EXPECT_EQ(tl_digit_probabilities(tl_interp_input(ip, 0), p), -1);
  }
  tl_interp_free(ip);
  tl_model_close(m);
  free(bytes);
}

TEST_MAIN(T(defaults), T(bad_arguments), T(empty_canvases), T(polarity_either_way), T(digit_touching_the_border),
          T(keeps_aspect_ratio), T(area_averaging_anti_aliases), T(enlarges_small_drawings),
          T(centre_of_mass_centred), T(shift_is_clamped), T(mnist_style_input_is_stable), T(stride_and_rgba),
          T(degenerate_shapes_and_noise), T(set_input_float_and_quantized),
          T(probabilities_from_logits_and_quantized))

/* SPDX-License-Identifier: Apache-2.0
 * Digit preprocessing (see digit.h): polarity from the border, crop to the ink, area-averaged fit into
 * 20x20, centring by centre of mass as MNIST did. No heap; one pass to measure, one to resample. */
#include "digit.h"

#include <math.h>
#include <string.h>

#define SIDE TL_DIGIT_SIDE
#define MAX_DIM 32768

void tl_digit_options_default(tl_digit_options *o) {
  o->polarity = TL_DIGIT_POLARITY_AUTO;
  o->min_mass = 0.001f;
  o->min_extent = 0.08f;
  o->noise = 0.1f;
  o->box = 20;
  o->normalize = 1;
}

void tl_digit_rgba_to_gray(const uint8_t *rgba, int width, int height, size_t stride, uint8_t *gray) {
  if (!rgba || !gray || width < 1 || height < 1 || stride < (size_t)width * 4) return;
  for (int y = 0; y < height; y++) {
    const uint8_t *row = rgba + (size_t)y * stride;
    uint8_t *g = gray + (size_t)y * (size_t)width;
    for (int x = 0; x < width; x++) {
      const uint8_t *p = row + 4 * (size_t)x;
      unsigned luma = (77u * p[0] + 150u * p[1] + 29u * p[2] + 128u) >> 8, a = p[3];
      /* Integer compositing over white, rounded: exact for a = 0 (255) and a = 255 (luma). */
      g[x] = (uint8_t)((luma * a + 255u * (255u - a) + 127u) / 255u);
    }
  }
}

/* Maps a source byte to ink 0..1 (0 = background) for the found polarity, background and contrast. */
typedef struct {
  int dark_ink, bg, contrast;
  float noise;
} ink_map;

static float ink_of(const ink_map *m, uint8_t p) {
  int v = m->dark_ink ? 255 - p : p;
  float f = (float)(v - m->bg) / (float)m->contrast;
  if (f < m->noise) return 0.f;
  return f > 1.f ? 1.f : f;
}

/* Background = median gray of the border pixels (robust to a digit that touches the edge). */
static int border_median(const uint8_t *gray, int w, int h, size_t stride) {
  uint32_t hist[256] = {0};
  uint64_t n = 0;
  for (int x = 0; x < w; x++) {
    hist[gray[x]]++;
    if (h > 1) hist[gray[(size_t)(h - 1) * stride + x]]++;
    n += h > 1 ? 2 : 1;
  }
  for (int y = 1; y < h - 1; y++) {
    hist[gray[(size_t)y * stride]]++;
    if (w > 1) hist[gray[(size_t)y * stride + (size_t)w - 1]]++;
    n += w > 1 ? 2 : 1;
  }
  uint64_t acc = 0;
  for (int v = 0; v < 256; v++) {
    acc += hist[v];
    if (2 * acc >= n) return v;
  }
  return 255;
}

/* Source span of output cell i when `len` source pixels starting at `start` fill `cells` cells:
 * [lo, hi) in continuous coordinates, with pixel k covering [k, k + 1). */
typedef struct {
  int first, last;         /* source pixels touched */
  double w_first, w_last;  /* coverage of the first and last pixel (interior pixels: 1) */
} span;

static span span_of(int start, int len, int cells, int i) {
  span s;
  double lo = start + (double)len * i / cells, hi = start + (double)len * (i + 1) / cells;
  s.first = (int)floor(lo);
  s.last = (int)ceil(hi) - 1;
  if (s.last < s.first) s.last = s.first;
  if (s.first == s.last) {
    s.w_first = s.w_last = hi - lo;
  } else {
    s.w_first = (s.first + 1) - lo;
    s.w_last = hi - s.last;
  }
  return s;
}

static double span_weight(const span *s, int k) {
  if (k == s->first) return s->w_first;
  if (k == s->last) return s->w_last;
  return 1.0;
}

tl_digit_result tl_digit_prepare(const uint8_t *gray, int width, int height, size_t stride,
                                 const tl_digit_options *opts, float *out, uint8_t *out_u8,
                                 tl_digit_info *info) {
  tl_digit_options def;
  tl_digit_info local;
  if (!opts) {
    tl_digit_options_default(&def);
    opts = &def;
  }
  if (!info) info = &local;
  memset(info, 0, sizeof *info);
  if (out) memset(out, 0, sizeof(float) * TL_DIGIT_PIXELS);
  if (out_u8) memset(out_u8, 0, TL_DIGIT_PIXELS);
  if (!gray || width < 1 || height < 1 || width > MAX_DIM || height > MAX_DIM || stride < (size_t)width)
    return TL_DIGIT_BAD_ARG;
  if (opts->box < 1 || opts->box > SIDE || (int)opts->polarity < 0 || (int)opts->polarity > 2 ||
      !(opts->noise >= 0.f && opts->noise < 1.f) || !(opts->min_mass >= 0.f) || !(opts->min_extent >= 0.f))
    return TL_DIGIT_BAD_ARG;

  /* 1. Polarity and levels. */
  int bg = border_median(gray, width, height, stride);
  ink_map m;
  m.dark_ink = opts->polarity == TL_DIGIT_DARK_INK || (opts->polarity == TL_DIGIT_POLARITY_AUTO && bg >= 128);
  m.bg = m.dark_ink ? 255 - bg : bg;
  m.noise = opts->noise;
  int hi = 0;
  for (int y = 0; y < height; y++) {
    const uint8_t *row = gray + (size_t)y * stride;
    for (int x = 0; x < width; x++) {
      int v = m.dark_ink ? 255 - row[x] : row[x];
      if (v > hi) hi = v;
    }
  }
  info->dark_ink = m.dark_ink;
  info->background = bg;
  info->contrast = hi > m.bg ? hi - m.bg : 0;
  /* Less than 1/16 of the full range between ink and paper: a blank (or uniformly gray) image. */
  if (info->contrast < 16) return TL_DIGIT_EMPTY;
  m.contrast = info->contrast;

  /* 2. Ink mass and bounding box. */
  int x0 = width, y0 = height, x1 = -1, y1 = -1;
  double mass = 0;
  for (int y = 0; y < height; y++) {
    const uint8_t *row = gray + (size_t)y * stride;
    double rmass = 0;
    for (int x = 0; x < width; x++) {
      float f = ink_of(&m, row[x]);
      if (f > 0.f) {
        rmass += f;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
      }
    }
    if (rmass > 0) {
      if (y < y0) y0 = y;
      y1 = y;
      mass += rmass;
    }
  }
  info->ink_mass = mass;
  if (x1 < 0) return TL_DIGIT_EMPTY;
  int bw = x1 - x0 + 1, bh = y1 - y0 + 1, longer = bw > bh ? bw : bh;
  info->box_x = x0, info->box_y = y0, info->box_w = bw, info->box_h = bh;
  double s = width < height ? width : height;
  if (mass < (double)opts->min_mass * s * s || longer < (double)opts->min_extent * s) return TL_DIGIT_EMPTY;

  /* 3. Fit the box into box x box keeping the aspect ratio; each output cell is the mean of the
   * source area it covers (fractional coverage at its edges), which anti-aliases when shrinking
   * and is a box filter when enlarging. */
  int fw = (int)floor((double)bw * opts->box / longer + 0.5), fh = (int)floor((double)bh * opts->box / longer + 0.5);
  if (fw < 1) fw = 1;
  if (fh < 1) fh = 1;
  int ox = (SIDE - fw) / 2, oy = (SIDE - fh) / 2;
  float img[TL_DIGIT_PIXELS] = {0};
  span sx[SIDE];
  for (int i = 0; i < fw; i++) sx[i] = span_of(x0, bw, fw, i);
  double area = ((double)bw / fw) * ((double)bh / fh);
  float peak = 0.f;
  for (int j = 0; j < fh; j++) {
    span sy = span_of(y0, bh, fh, j);
    for (int i = 0; i < fw; i++) {
      double acc = 0;
      for (int r = sy.first; r <= sy.last; r++) {
        const uint8_t *row = gray + (size_t)r * stride;
        double racc = 0;
        for (int c = sx[i].first; c <= sx[i].last; c++) racc += span_weight(&sx[i], c) * ink_of(&m, row[c]);
        acc += span_weight(&sy, r) * racc;
      }
      float v = (float)(acc / area);
      if (v > 1.f) v = 1.f;
      img[(oy + j) * SIDE + ox + i] = v;
      if (v > peak) peak = v;
    }
  }
  info->fit_w = fw, info->fit_h = fh;
  if (peak <= 0.f) return TL_DIGIT_EMPTY;
  if (opts->normalize && peak < 1.f)
    for (int k = 0; k < TL_DIGIT_PIXELS; k++) img[k] /= peak;

  /* 4. Centre of mass to MNIST's mean position (pixel index 14.0 on both axes, measured on MNIST's
   * test set), by a whole-pixel shift clamped so the fitted box stays inside the 28x28 frame. */
  double tm = 0, cx = 0, cy = 0;
  for (int y = 0; y < SIDE; y++)
    for (int x = 0; x < SIDE; x++) {
      double v = img[y * SIDE + x];
      tm += v, cx += v * x, cy += v * y;
    }
  int dx = (int)floor(14.0 - cx / tm + 0.5), dy = (int)floor(14.0 - cy / tm + 0.5);
  if (dx < -ox) dx = -ox;
  if (dx > SIDE - fw - ox) dx = SIDE - fw - ox;
  if (dy < -oy) dy = -oy;
  if (dy > SIDE - fh - oy) dy = SIDE - fh - oy;
  info->shift_x = dx, info->shift_y = dy;
  for (int y = 0; y < SIDE; y++)
    for (int x = 0; x < SIDE; x++) {
      int sxi = x - dx, syi = y - dy;
      float v = (sxi >= 0 && sxi < SIDE && syi >= 0 && syi < SIDE) ? img[syi * SIDE + sxi] : 0.f;
      if (out) out[y * SIDE + x] = v;
      if (out_u8) out_u8[y * SIDE + x] = (uint8_t)(v * 255.f + 0.5f);
    }
  return TL_DIGIT_OK;
}

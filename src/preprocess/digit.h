/* SPDX-License-Identifier: Apache-2.0
 * Digit preprocessing shared by the web app and the CLI: any grayscale drawing, either polarity, to
 * MNIST's convention (ink cropped, fitted to 20x20 with area averaging, centred by mass in 28x28). */
#ifndef TL_PREPROCESS_DIGIT_H
#define TL_PREPROCESS_DIGIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TL_DIGIT_SIDE 28
#define TL_DIGIT_PIXELS (TL_DIGIT_SIDE * TL_DIGIT_SIDE)

typedef enum {
  TL_DIGIT_OK = 0,
  TL_DIGIT_EMPTY = 1,   /* no ink, or too little to be a digit: say "draw a digit", don't guess */
  TL_DIGIT_BAD_ARG = 2  /* NULL pointers, sizes < 1 or > 32768, stride < width, bad options */
} tl_digit_result;

typedef enum {
  TL_DIGIT_POLARITY_AUTO = 0,  /* background = median of the border pixels; light background -> dark ink */
  TL_DIGIT_DARK_INK = 1,       /* dark ink on a light background (paper, a white canvas) */
  TL_DIGIT_LIGHT_INK = 2       /* light ink on a dark background (MNIST itself) */
} tl_digit_polarity;

typedef struct {
  tl_digit_polarity polarity;
  /* "Nearly empty" thresholds, relative to the smaller side S of the input: the drawing is empty when
   * its ink mass (sum of per-pixel ink 0..1) is below min_mass * S * S, or when the ink's bounding box
   * is smaller than min_extent * S on its longer side (a tap or a speck). */
  float min_mass;
  float min_extent;
  /* Ink below this level (0..1 of the image's contrast) is background: scanner noise, paper texture. */
  float noise;
  /* Side of the box the digit is fitted into (MNIST: 20), 1..28. */
  int box;
  /* 1 (default): scale the result so its brightest pixel is 1, as in MNIST where strokes saturate. */
  int normalize;
} tl_digit_options;

/* What the preprocessing found, for display and debugging. Coordinates are in input pixels. */
typedef struct {
  int dark_ink;           /* 1 when the input was dark ink on a light background (it was inverted) */
  int background;         /* background gray level 0..255 as found on the border */
  int contrast;           /* ink level minus background level (after inversion), 0..255 */
  int box_x, box_y, box_w, box_h;  /* the ink's bounding box (all 0 when there is no ink) */
  double ink_mass;        /* sum of ink 0..1 over the input */
  int fit_w, fit_h;       /* size of the scaled digit inside the 28x28 image */
  int shift_x, shift_y;   /* centre-of-mass shift applied after centring the box (already clamped) */
} tl_digit_info;

/* Fills *o with the defaults: auto polarity, min_mass 0.001, min_extent 0.08, noise 0.1, box 20,
 * normalize 1. */
void tl_digit_options_default(tl_digit_options *o);

/* Turns a grayscale image (width x height bytes, rows `stride` bytes apart) into a 28x28 MNIST-style
 * digit: white (1.0) ink on black (0.0), row-major. out (784 floats) and/or out_u8 (784 bytes, 0..255,
 * the floats rounded) may be NULL; info may be NULL; opts NULL means the defaults.
 * Uses no heap and only a few KB of stack; cost is O(width * height). Never reads outside the image.
 * Returns TL_DIGIT_EMPTY (outputs all zero) when there is no digit to classify. */
tl_digit_result tl_digit_prepare(const uint8_t *gray, int width, int height, size_t stride,
                                 const tl_digit_options *opts, float *out, uint8_t *out_u8,
                                 tl_digit_info *info);

/* Converts RGBA pixels (4 bytes each, not premultiplied, as from a canvas or a PNG decoder) to gray,
 * composited over white so transparent areas read as paper: g = luma * a + 255 * (1 - a), with luma
 * = (77 R + 150 G + 29 B + 128) >> 8. gray has width * height bytes (rows packed). rgba and gray must
 * not overlap unless gray == rgba (in place is fine: byte i is written after bytes 4i..4i+3 are read). */
void tl_digit_rgba_to_gray(const uint8_t *rgba, int width, int height, size_t stride, uint8_t *gray);

#ifdef __cplusplus
}
#endif
#endif

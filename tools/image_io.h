/* SPDX-License-Identifier: Apache-2.0
 * Image files for the CLI: PNG (through Debian's libpng) and PGM (P5/P2), any size, decoded to 8-bit
 * gray the same way the web app reads its canvas, with clear errors for corrupt or truncated files. */
#ifndef TL_TOOLS_IMAGE_IO_H
#define TL_TOOLS_IMAGE_IO_H

#include <stddef.h>
#include <stdint.h>

/* Largest accepted image: 16384 on a side and 64 Mpixels in all (refused before any allocation). */
#define TL_IMAGE_MAX_SIDE 16384
#define TL_IMAGE_MAX_PIXELS (64u * 1024u * 1024u)

/* Decodes a PNG or PGM held in memory (format from its signature) into malloc'ed width*height gray
 * bytes (rows packed). PNG colour, palette, 16-bit and alpha are converted to RGBA and then to gray
 * composited over white (tl_digit_rgba_to_gray), exactly as the app converts its canvas. Returns NULL
 * with a message in err naming `name` when the data is not a PNG/PGM, is corrupt or truncated, or is
 * too large. The caller frees the result. */
uint8_t *tl_image_decode(const uint8_t *data, size_t n, const char *name, int *width, int *height, char *err,
                         size_t errlen);

/* Reads a file and decodes it as tl_image_decode does. */
uint8_t *tl_image_load(const char *path, int *width, int *height, char *err, size_t errlen);

#endif

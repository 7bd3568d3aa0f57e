/* SPDX-License-Identifier: Apache-2.0
 * Light data augmentation for digit images: a random rotation about the centre plus a random
 * sub-pixel shift, resampled bilinearly with zero fill. The randomness comes from a 64-bit key
 * (seed, epoch, sample position), so augmented batches are reproducible and resumable. */
#include <math.h>

#include "rng.h"
#include "train.h"

void tl_augment_image(const float *src, float *dst, int h, int w, float shift, float rot, uint64_t key) {
  tl_rng r;
  tl_rng_seed(&r, key);
  float a = (2.0f * tl_u01f(tl_rng_next(&r)) - 1.0f) * rot * (3.14159265f / 180.0f);
  float tx = (2.0f * tl_u01f(tl_rng_next(&r)) - 1.0f) * shift;
  float ty = (2.0f * tl_u01f(tl_rng_next(&r)) - 1.0f) * shift;
  float ca = cosf(a), sa = sinf(a);
  float cx = 0.5f * (float)(w - 1), cy = 0.5f * (float)(h - 1);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      /* inverse map: source = R^-1 (dst - centre - t) + centre */
      float dx = (float)x - cx - tx, dy = (float)y - cy - ty;
      float sx = ca * dx + sa * dy + cx, sy = -sa * dx + ca * dy + cy;
      float fx = floorf(sx), fy = floorf(sy);
      int x0 = (int)fx, y0 = (int)fy;
      float wx = sx - fx, wy = sy - fy, v = 0.0f;
      for (int j = 0; j < 2; j++)
        for (int i = 0; i < 2; i++) {
          int xx = x0 + i, yy = y0 + j;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          v += src[yy * w + xx] * (i ? wx : 1.0f - wx) * (j ? wy : 1.0f - wy);
        }
      dst[y * w + x] = v;
    }
}

/* SPDX-License-Identifier: Apache-2.0
 * RESIZE_BILINEAR on NHWC tensors, in the arithmetic of TensorFlow Lite's builtin kernels: float32 as
 * its optimized kernel (an exact 2x upscale without align_corners / half_pixel_centers averages
 * neighbours; otherwise the four corner weights are formed first and accumulated from zero in the
 * order (y0,x0), (y0,x1), (y1,x0), (y1,x1)), uint8 the same in float plus 0.5 and a truncating cast,
 * int8 and int16 in 10-bit fixed point (ResizeBilinearInteger). Quantized tensors are resized in
 * their raw values, as TFLite does. Inputs: image, size (int32 [2], known at prepare).
 * ResizeBilinearOptions: align_corners (2), half_pixel_centers (3). */
#include <math.h>

#include "kcommon.h"

typedef struct {
  int align, half;
  float hs, ws;       /* float scales */
  int32_t hs10, ws10; /* 10-bit fixed-point scales */
} rb_state;

/* ComputeInterpolationValues: the source coordinate of output position v and its two neighbours. */
static void interp(int32_t v, float scale, int half, int32_t size, float *src, int32_t *lo, int32_t *hi) {
  *src = half ? ((float)v + 0.5f) * scale - 0.5f : (float)v * scale;
  const int32_t f = (int32_t)floorf(*src), c = (int32_t)ceilf(*src);
  *lo = f > 0 ? f : 0;
  *hi = c < size - 1 ? c : size - 1;
}

/* ComputeInterpolationValuesInteger (C's truncating division, as TFLite). */
static void interp10(int32_t v, int32_t scale10, int half, int32_t size, int32_t *src, int32_t *lo, int32_t *hi) {
  *src = half ? v * scale10 + scale10 / 2 - (1 << 9) : v * scale10;
  const int32_t l = *src / (1 << 10), h = (*src + (1 << 10) - 1) / (1 << 10);
  *lo = l > 0 ? l : 0;
  *hi = h < size - 1 ? h : size - 1;
}

#define DIMS                                                                                    \
  const tl_tensor *in = node->in[0], *out = node->out[0];                                       \
  const int32_t B = in->dims[0], IH = in->dims[1], IW = in->dims[2], C = in->dims[3];            \
  const int32_t OH = out->dims[1], OW = out->dims[2];                                           \
  (void)B, (void)IH, (void)IW, (void)C, (void)OH, (void)OW

/* optimized_ops::ResizeBilinear2x2 */
static void up2x_f32(tl_node *node) {
  DIMS;
  const float *x = in->data;
  float *o = out->data;
  const size_t dx = (size_t)C, dy = (size_t)C * IW, ox = (size_t)C, oy = (size_t)C * OW;
  for (int32_t b = 0; b < B; b++)
    for (int32_t y0 = 0; y0 < IH; y0++)
      for (int32_t x0 = 0; x0 < IW; x0++) {
        const size_t xs = x0 + 1 < IW ? dx : 0, ys = y0 + 1 < IH ? dy : 0;
        const float *p = x + (((size_t)b * IH + y0) * IW + x0) * C;
        float *q = o + (((size_t)b * OH + 2 * y0) * OW + 2 * x0) * C;
        for (int32_t c = 0; c < C; c++) {
          q[c] = p[c];
          q[c + ox] = (p[c] + p[c + xs]) / 2;
          const float bl = (p[c] + p[c + ys]) / 2;
          q[c + oy] = bl;
          q[c + ox + oy] = (bl + ((p[c + xs] + p[c + xs + ys]) / 2)) / 2;
        }
      }
}

/* The four source corners of output pixel (b, y, x) as element offsets (times C), and their weights
 * formed as TFLite does: (y0,x0), (y0,x1), (y1,x0), (y1,x1). */
static void corners(const rb_state *p, const tl_node *node, int32_t b, int32_t y, int32_t xx, size_t off[4], float s[4]) {
  DIMS;
  float sy, sx;
  int32_t y0, y1, x0, x1;
  interp(y, p->hs, p->half, IH, &sy, &y0, &y1);
  interp(xx, p->ws, p->half, IW, &sx, &x0, &x1);
  s[0] = (1 - (sy - y0)) * (1 - (sx - x0)), s[1] = (1 - (sy - y0)) * (sx - x0);
  s[2] = (sy - y0) * (1 - (sx - x0)), s[3] = (sy - y0) * (sx - x0);
  off[0] = (((size_t)b * IH + y0) * IW + x0) * C, off[1] = (((size_t)b * IH + y0) * IW + x1) * C;
  off[2] = (((size_t)b * IH + y1) * IW + x0) * C, off[3] = (((size_t)b * IH + y1) * IW + x1) * C;
}

static tl_status eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const rb_state *p = node->state;
  DIMS;
  if (!p->align && !p->half && OH == 2 * IH && OW == 2 * IW) return up2x_f32(node), TL_OK;
  const float *x = in->data;
  float *o = out->data;
  for (int32_t b = 0; b < B; b++)
    for (int32_t y = 0; y < OH; y++)
      for (int32_t xx = 0; xx < OW; xx++) {
        size_t off[4];
        float s[4];
        corners(p, node, b, y, xx, off, s);
        float *q = o + (((size_t)b * OH + y) * OW + xx) * C;
        for (int32_t c = 0; c < C; c++) { /* accumulated from zero, corner by corner */
          float v = 0.f;
          for (int k = 0; k < 4; k++) v += x[off[k] + (size_t)c] * s[k];
          q[c] = v;
        }
      }
  return TL_OK;
}

/* ResizeBilinearGenericSmallChannel<uint8>: the corners' sum in float, + 0.5, truncated. */
static tl_status eval_u8(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const rb_state *p = node->state;
  DIMS;
  const uint8_t *x = in->data;
  uint8_t *o = out->data;
  for (int32_t b = 0; b < B; b++)
    for (int32_t y = 0; y < OH; y++)
      for (int32_t xx = 0; xx < OW; xx++) {
        size_t off[4];
        float s[4];
        corners(p, node, b, y, xx, off, s);
        uint8_t *q = o + (((size_t)b * OH + y) * OW + xx) * C;
        for (int32_t c = 0; c < C; c++)
          q[c] = (uint8_t)(x[off[0] + (size_t)c] * s[0] + x[off[1] + (size_t)c] * s[1] + x[off[2] + (size_t)c] * s[2] +
                           x[off[3] + (size_t)c] * s[3] + 0.5f);
      }
  return TL_OK;
}

/* ResizeBilinearInteger: weights in 1/1024, the sum in 1/2^20, rounded half away from zero. */
#define EVAL_INT(name, T)                                                                                      \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                                                        \
    (void)ctx;                                                                                                \
    const rb_state *p = node->state;                                                                          \
    DIMS;                                                                                                     \
    const T *x = in->data;                                                                                    \
    T *o = out->data;                                                                                         \
    for (int32_t b = 0; b < B; b++)                                                                           \
      for (int32_t y = 0; y < OH; y++) {                                                                      \
        int32_t sy, y0, y1;                                                                                   \
        interp10(y, p->hs10, p->half, IH, &sy, &y0, &y1);                                                     \
        for (int32_t xx = 0; xx < OW; xx++) {                                                                 \
          int32_t sx, x0, x1;                                                                                 \
          interp10(xx, p->ws10, p->half, IW, &sx, &x0, &x1);                                                  \
          const int64_t wy1 = sy - (1 << 10) * y0, wy0 = (1 << 10) - wy1, wx1 = sx - (1 << 10) * x0,          \
                        wx0 = (1 << 10) - wx1;                                                                \
          const T *a = x + (((size_t)b * IH + y0) * IW + x0) * C, *bb = x + (((size_t)b * IH + y1) * IW + x0) * C; \
          const T *cc = x + (((size_t)b * IH + y0) * IW + x1) * C, *d = x + (((size_t)b * IH + y1) * IW + x1) * C; \
          T *q = o + (((size_t)b * OH + y) * OW + xx) * C;                                                    \
          for (int32_t c = 0; c < C; c++) {                                                                   \
            const int64_t v = (int64_t)a[c] * wy0 * wx0 + (int64_t)bb[c] * wy1 * wx0 + (int64_t)cc[c] * wy0 * wx1 + \
                              (int64_t)d[c] * wy1 * wx1;                                                      \
            q[c] = (T)((v + (v > 0 ? (1 << 19) : -(1 << 19))) / (1 << 20));                                   \
          }                                                                                                   \
        }                                                                                                     \
      }                                                                                                       \
    return TL_OK;                                                                                             \
  }
EVAL_INT(eval_s8, int8_t)
EVAL_INT(eval_s16, int16_t)

tl_status tl_prep_resize_bilinear(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0], *size = node->in[1];
  tl_tensor *out = node->out[0];
  if (in->ndim != 4) return tl_kfail(ctx, node, "input must be 4-D NHWC, it has %d dims", (int)in->ndim);
  if (in->type != out->type) return tl_kfail(ctx, node, "input and output types differ");
  if (size->type != TL_INT32 || tl_numel(size) != 2) return tl_kfail(ctx, node, "size must be two int32 values");
  if (!size->known) return tl_kdefer(ctx, node, "size not known at prepare (a run-time shape)");
  const int32_t oh = (int32_t)kc_ival(size, 0), ow = (int32_t)kc_ival(size, 1);
  if (oh < 1 || ow < 1) return tl_kfail(ctx, node, "size %d x %d: both must be at least 1", (int)oh, (int)ow);
  if (in->dims[1] < 1 || in->dims[2] < 1) return tl_kfail(ctx, node, "input height and width must be at least 1");
  if ((int64_t)oh * ow > (int64_t)1 << 30) return tl_kfail(ctx, node, "size %d x %d too large", (int)oh, (int)ow);
  const tl_fb_table *o = kc_opts(node);
  rb_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->align = tl_resize_bilinear_align_corners(o);
  p->half = tl_resize_bilinear_half_pixel_centers(o);
  if (p->align && p->half) return tl_kfail(ctx, node, "align_corners and half_pixel_centers cannot both be set");
  const int32_t ih = in->dims[1], iw = in->dims[2];
  p->hs = p->align && oh > 1 ? (float)(ih - 1) / (float)(oh - 1) : (float)ih / (float)oh;
  p->ws = p->align && ow > 1 ? (float)(iw - 1) / (float)(ow - 1) : (float)iw / (float)ow;
  p->hs10 = p->align && oh > 1 ? ((1 << 10) * (ih - 1) + (oh - 1) / 2) / (oh - 1) : ((1 << 10) * ih + oh / 2) / oh;
  p->ws10 = p->align && ow > 1 ? ((1 << 10) * (iw - 1) + (ow - 1) / 2) / (ow - 1) : ((1 << 10) * iw + ow / 2) / ow;
  if (ih > (1 << 20) || iw > (1 << 20)) return tl_kunsupported(ctx, node, "input larger than 2^20 pixels a side");
  const int32_t d[4] = {in->dims[0], oh, ow, in->dims[3]};
  if ((s = tl_kset_shape(ctx, node, out, 4, d))) return s;
  node->state = p;
  switch (in->type) {
    case TL_FLOAT32: node->eval = eval_f32; return TL_OK;
    case TL_UINT8: node->eval = eval_u8; return TL_OK;
    case TL_INT8: node->eval = eval_s8; return TL_OK;
    case TL_INT16: node->eval = eval_s16; return TL_OK;
    default: return tl_kunsupported(ctx, node, "type %s (version %d)", tl_type_name(in->type), (int)node->version);
  }
}

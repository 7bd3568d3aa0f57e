/* SPDX-License-Identifier: Apache-2.0
 * RESIZE_NEAREST_NEIGHBOR on NHWC to the size in the 2nd input (int32 [new_h, new_w], known at
 * prepare), with align_corners (option 0) and half_pixel_centers (option 1) mapped as TFLite's
 * GetNearestNeighbor does (float scale, round or floor, clamped). Any fixed-size dtype (row copies). */
#include <math.h>

#include "kcommon.h"

typedef struct {
  int32_t n, ih, iw, oh, ow;
  size_t pix;        /* bytes per pixel (C * esize) */
  int32_t *ymap, *xmap;
} rnn_state;

static int32_t nearest(int32_t v, int32_t in_size, int32_t out_size, int align, int half) {
  const float scale = (align && out_size > 1) ? (float)(in_size - 1) / (float)(out_size - 1)
                                              : (float)in_size / (float)out_size;
  const float off = half ? 0.5f : 0.f;
  const float f = ((float)v + off) * scale;
  int32_t r = align ? (int32_t)roundf(f) : (int32_t)floorf(f);
  if (r > in_size - 1) r = in_size - 1;
  if (r < 0) r = 0;
  return r;
}

static tl_status rnn_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const rnn_state *p = node->state;
  const uint8_t *in = node->in[0]->data;
  uint8_t *out = node->out[0]->data;
  if (!node->out[0]->bytes) return TL_OK;
  for (int b = 0; b < p->n; b++)
    for (int y = 0; y < p->oh; y++) {
      const uint8_t *row = in + ((size_t)b * p->ih + (size_t)p->ymap[y]) * p->iw * p->pix;
      for (int x = 0; x < p->ow; x++, out += p->pix) memcpy(out, row + (size_t)p->xmap[x] * p->pix, p->pix);
    }
  return TL_OK;
}

tl_status tl_prep_resize_nearest_neighbor(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0], *sz = node->in[1];
  tl_tensor *out = node->out[0];
  if ((s = tl_ref_check_same_type(ctx, node, in, out))) return s;
  if (in->ndim != 4) return tl_kfail(ctx, node, "input must be 4-D NHWC");
  if (sz->type != TL_INT32 || sz->ndim != 1 || sz->dims[0] != 2) return tl_kfail(ctx, node, "size must be int32 [2]");
  if (!sz->known) return tl_kdefer(ctx, node, "size not known at prepare (dynamic shape)");
  const int32_t oh = ((const int32_t *)sz->data)[0], ow = ((const int32_t *)sz->data)[1];
  if (oh < 1 || ow < 1) return tl_kfail(ctx, node, "output size %dx%d must be positive", (int)oh, (int)ow);
  const tl_fb_table *o = kc_opts(node);
  const int align = tl_resize_nearest_neighbor_align_corners(o), half = tl_resize_nearest_neighbor_half_pixel_centers(o);
  int32_t od[4] = {in->dims[0], oh, ow, in->dims[3]};
  if ((s = tl_kset_shape(ctx, node, out, 4, od))) return s;
  rnn_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->ymap = tl_kpersist(ctx, sizeof(int32_t) * (size_t)oh);
  p->xmap = tl_kpersist(ctx, sizeof(int32_t) * (size_t)ow);
  if (!p->ymap || !p->xmap) return TL_ERR_NOMEM;
  p->n = in->dims[0];
  p->ih = in->dims[1];
  p->iw = in->dims[2];
  p->oh = oh;
  p->ow = ow;
  p->pix = (size_t)in->dims[3] * kc_esize(in->type);
  if (p->ih > 0 && p->iw > 0) {
    for (int y = 0; y < oh; y++) p->ymap[y] = nearest(y, p->ih, oh, align, half);
    for (int x = 0; x < ow; x++) p->xmap[x] = nearest(x, p->iw, ow, align, half);
  } else if (p->n > 0 && p->pix > 0) {
    return tl_kfail(ctx, node, "cannot resize an empty image");
  }
  node->state = p;
  node->eval = rnn_eval;
  return TL_OK;
}

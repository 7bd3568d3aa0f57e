/* SPDX-License-Identifier: Apache-2.0
 * DEPTH_TO_SPACE and SPACE_TO_DEPTH on NHWC tensors, as TFLite's reference kernels lay them out:
 * out[b, h*bs + dy, w*bs + dx, c] = in[b, h, w, (dy*bs + dx)*C_out + c] and its inverse. Byte moves
 * for any fixed-size dtype; quantized tensors must keep their scale and zero point (TFLite checks).
 * Options: block_size (0), which must be >= 1 and divide the dims it splits. */
#include "kcommon.h"

typedef struct {
  int32_t bs;
  size_t es;
  int to_space;
} d2s_state;

static tl_status d2s_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const d2s_state *p = node->state;
  const tl_tensor *in = node->in[0], *out = node->out[0];
  /* the depth side (few positions, many channels) and the space side */
  const tl_tensor *deep = p->to_space ? in : out, *wide = p->to_space ? out : in;
  const int32_t B = deep->dims[0], H = deep->dims[1], W = deep->dims[2], C = wide->dims[3], bs = p->bs;
  const size_t es = p->es, run = (size_t)C * es;
  const uint8_t *src = in->data;
  uint8_t *dst = out->data;
  for (int32_t b = 0; b < B; b++)
    for (int32_t h = 0; h < H; h++)
      for (int32_t w = 0; w < W; w++)
        for (int32_t dy = 0; dy < bs; dy++)
          for (int32_t dx = 0; dx < bs; dx++) {
            const size_t d_off = ((((size_t)b * H + h) * W + w) * (size_t)bs * bs + (size_t)dy * bs + dx) * run;
            const size_t w_off = ((((size_t)b * H * bs + (size_t)h * bs + dy) * W * bs) + (size_t)w * bs + dx) * run;
            if (p->to_space) memcpy(dst + w_off, src + d_off, run);
            else memcpy(dst + d_off, src + w_off, run);
          }
  return TL_OK;
}

static tl_status prep(tl_kctx *ctx, tl_node *node, int to_space) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  if (in->ndim != 4) return tl_kfail(ctx, node, "input must be 4-D NHWC, it has %d dims", (int)in->ndim);
  if (in->type != out->type) return tl_kfail(ctx, node, "input and output types differ");
  if (!kc_esize(in->type)) return tl_kunsupported(ctx, node, "type %s", tl_type_name(in->type));
  if (in->qcount && (in->scale != out->scale || in->zero_point != out->zero_point))
    return tl_kfail(ctx, node, "quantized input and output must share scale and zero point");
  const int32_t bs = tl_depth_to_space_block_size(kc_opts(node)); /* SpaceToDepthOptions: the same field */
  if (bs < 1 || bs > 65535) return tl_kfail(ctx, node, "block_size %d must be at least 1", (int)bs);
  int32_t d[4] = {in->dims[0], 0, 0, 0};
  if (to_space) {
    const int64_t bb = (int64_t)bs * bs;
    if (in->dims[3] % bb)
      return tl_kfail(ctx, node, "depth %d is not divisible by block_size^2 = %lld", (int)in->dims[3], (long long)bb);
    if ((int64_t)in->dims[1] * bs > INT32_MAX || (int64_t)in->dims[2] * bs > INT32_MAX) return tl_kfail(ctx, node, "output too large");
    d[1] = in->dims[1] * bs, d[2] = in->dims[2] * bs, d[3] = (int32_t)(in->dims[3] / bb);
  } else {
    if (in->dims[1] % bs || in->dims[2] % bs)
      return tl_kfail(ctx, node, "height %d and width %d must be divisible by block_size %d", (int)in->dims[1],
                      (int)in->dims[2], (int)bs);
    if ((int64_t)in->dims[3] * bs * bs > INT32_MAX) return tl_kfail(ctx, node, "output too large");
    d[1] = in->dims[1] / bs, d[2] = in->dims[2] / bs, d[3] = in->dims[3] * bs * bs;
  }
  if ((s = tl_kset_shape(ctx, node, out, 4, d))) return s;
  d2s_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->bs = bs, p->es = kc_esize(in->type), p->to_space = to_space;
  node->state = p;
  node->eval = d2s_eval;
  return TL_OK;
}

tl_status tl_prep_depth_to_space(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 1); }
tl_status tl_prep_space_to_depth(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 0); }

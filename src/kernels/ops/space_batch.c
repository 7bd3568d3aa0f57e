/* SPDX-License-Identifier: Apache-2.0
 * SPACE_TO_BATCH_ND (inputs: value, block_shape, paddings) and BATCH_TO_SPACE_ND (value, block_shape,
 * crops) on 4-D NHWC tensors, or 3-D NHC ones (one spatial block dimension), as TensorFlow Lite's
 * reference kernels: byte moves for any fixed-size dtype, padding filled with the output's zero
 * point (0 for unquantized tensors). block_shape and paddings/crops must be known at prepare; block
 * sizes below 1, negative paddings or crops, and sizes that do not divide are refused. */
#include "kcommon.h"

typedef struct {
  int32_t bh, bw, pt, pl; /* block sizes; leading padding (or crop) */
  int to_batch;
  size_t es;
  uint8_t pad;
} sb_state;

/* dims as [B, H, W, C] (W = 1 for a 3-D tensor). */
static void dims4(const tl_tensor *t, int32_t *d) {
  d[0] = t->dims[0], d[1] = t->dims[1];
  d[2] = t->ndim == 4 ? t->dims[2] : 1;
  d[3] = t->dims[t->ndim - 1];
}

static tl_status sb_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const sb_state *p = node->state;
  int32_t di[4], dout[4];
  dims4(node->in[0], di);
  dims4(node->out[0], dout);
  const uint8_t *in = node->in[0]->data;
  uint8_t *out = node->out[0]->data;
  const size_t run = (size_t)di[3] * p->es;
#define AT(base, d, b, h, w) ((base) + ((((size_t)(b) * (d)[1] + (size_t)(h)) * (d)[2] + (size_t)(w)) * run))
  if (p->to_batch) {
    for (int32_t ob = 0; ob < dout[0]; ob++) {
      const int32_t ib = ob % di[0], sw = (ob / di[0]) % p->bw, sh = (ob / di[0]) / p->bw;
      for (int32_t oh = 0; oh < dout[1]; oh++)
        for (int32_t ow = 0; ow < dout[2]; ow++) {
          const int32_t h = oh * p->bh + sh - p->pt, w = ow * p->bw + sw - p->pl;
          uint8_t *o = AT(out, dout, ob, oh, ow);
          if (h < 0 || h >= di[1] || w < 0 || w >= di[2]) memset(o, p->pad, run);
          else memcpy(o, AT(in, di, ib, h, w), run);
        }
    }
  } else {
    for (int32_t ib = 0; ib < di[0]; ib++) {
      const int32_t ob = ib % dout[0], off = ib / dout[0];
      for (int32_t ih = 0; ih < di[1]; ih++) {
        const int32_t oh = ih * p->bh + off / p->bw - p->pt;
        if (oh < 0 || oh >= dout[1]) continue;
        for (int32_t iw = 0; iw < di[2]; iw++) {
          const int32_t ow = iw * p->bw + off % p->bw - p->pl;
          if (ow >= 0 && ow < dout[2]) memcpy(AT(out, dout, ob, oh, ow), AT(in, di, ib, ih, iw), run);
        }
      }
    }
  }
#undef AT
  return TL_OK;
}

static tl_status prep(tl_kctx *ctx, tl_node *node, int to_batch) {
  tl_status s = kc_io(ctx, node, 3, 3, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0], *bs = node->in[1], *pc = node->in[2];
  tl_tensor *out = node->out[0];
  if (in->ndim != 3 && in->ndim != 4) return tl_kunsupported(ctx, node, "a %d-D input (3-D and 4-D are supported)", (int)in->ndim);
  if (in->type != out->type) return tl_kfail(ctx, node, "input and output types differ");
  if (!kc_esize(in->type)) return tl_kunsupported(ctx, node, "type %s", tl_type_name(in->type));
  const int sp = in->ndim - 2; /* spatial dims */
  if (bs->type != TL_INT32 || tl_numel(bs) != sp) return tl_kfail(ctx, node, "block_shape must be %d int32 values", sp);
  if (pc->type != TL_INT32 || tl_numel(pc) != 2 * sp)
    return tl_kfail(ctx, node, "%s must be %d x 2 int32 values", to_batch ? "paddings" : "crops", sp);
  if (!bs->known || !pc->known) return tl_kdefer(ctx, node, "block_shape and paddings/crops not known at prepare");
  int32_t b[2] = {(int32_t)kc_ival(bs, 0), sp > 1 ? (int32_t)kc_ival(bs, 1) : 1};
  int32_t pads[4] = {(int32_t)kc_ival(pc, 0), (int32_t)kc_ival(pc, 1), sp > 1 ? (int32_t)kc_ival(pc, 2) : 0,
                     sp > 1 ? (int32_t)kc_ival(pc, 3) : 0};
  for (int i = 0; i < 2; i++)
    if (b[i] < 1 || b[i] > 65535) return tl_kfail(ctx, node, "block_shape[%d] = %d must be at least 1", i, (int)b[i]);
  for (int i = 0; i < 4; i++)
    if (pads[i] < 0) return tl_kfail(ctx, node, "%s must not be negative", to_batch ? "paddings" : "crops");
  int32_t di[4], od[4];
  dims4(in, di);
  od[3] = di[3];
  if (to_batch) {
    const int64_t h = (int64_t)di[1] + pads[0] + pads[1], w = (int64_t)di[2] + pads[2] + pads[3];
    if (h % b[0] || w % b[1]) return tl_kfail(ctx, node, "padded size %lld x %lld is not divisible by the block", (long long)h, (long long)w);
    if ((int64_t)di[0] * b[0] * b[1] > INT32_MAX) return tl_kfail(ctx, node, "output batch too large");
    od[0] = di[0] * b[0] * b[1], od[1] = (int32_t)(h / b[0]), od[2] = (int32_t)(w / b[1]);
  } else {
    const int64_t bb = (int64_t)b[0] * b[1];
    if (di[0] % bb) return tl_kfail(ctx, node, "batch %d is not divisible by the block size %lld", (int)di[0], (long long)bb);
    const int64_t h = (int64_t)di[1] * b[0] - pads[0] - pads[1], w = (int64_t)di[2] * b[1] - pads[2] - pads[3];
    if (h < 0 || w < 0 || h > INT32_MAX || w > INT32_MAX) return tl_kfail(ctx, node, "crops larger than the output");
    od[0] = (int32_t)(di[0] / bb), od[1] = (int32_t)h, od[2] = (int32_t)w;
  }
  const int32_t d3[3] = {od[0], od[1], od[3]};
  if ((s = tl_kset_shape(ctx, node, out, in->ndim, in->ndim == 4 ? od : d3))) return s;
  sb_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->bh = b[0], p->bw = b[1], p->pt = pads[0], p->pl = pads[2], p->to_batch = to_batch;
  p->es = kc_esize(in->type);
  p->pad = (uint8_t)(out->qcount ? out->zero_point : 0);
  node->state = p;
  node->eval = sb_eval;
  return TL_OK;
}

tl_status tl_prep_space_to_batch_nd(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 1); }
tl_status tl_prep_batch_to_space_nd(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 0); }

/* SPDX-License-Identifier: Apache-2.0
 * TILE (input, multiples) and BROADCAST_TO (input, shape): the output repeats the input along each
 * dimension, by `multiples` or by numpy broadcasting to `shape` (known at prepare, as TFLite needs
 * it to size the output). MIRROR_PAD (input, paddings; MirrorPadOptions mode (0): REFLECT 0,
 * SYMMETRIC 1) pads each dimension with its mirror image. REVERSE_V2 (input, axes) reverses the
 * given axes. All are index maps, so one byte-moving eval serves every fixed-size dtype; quantized
 * tensors keep their quantization. */
#include "kcommon.h"

typedef struct {
  int nd;
  int32_t in_dims[TL_MAX_DIMS], out_dims[TL_MAX_DIMS];
  int32_t lo[TL_MAX_DIMS];  /* MIRROR_PAD: leading padding */
  int mode;                 /* 0 tile/broadcast (index mod input size), 1 reflect, 2 symmetric, 3 reverse */
  uint8_t rev[TL_MAX_DIMS]; /* REVERSE_V2: reversed axes */
  size_t es;
} map_state;

/* Source coordinate of output coordinate o along dim d. */
static int64_t src_coord(const map_state *p, int d, int64_t o) {
  const int64_t n = p->in_dims[d];
  switch (p->mode) {
    case 0: return n == 1 ? 0 : o % n;
    case 3: return p->rev[d] ? n - 1 - o : o;
    default: {
      int64_t i = o - p->lo[d];
      const int64_t edge = p->mode == 1 ? 0 : 1; /* REFLECT excludes the border, SYMMETRIC repeats it */
      if (i < 0) i = -i - edge;
      if (i >= n) i = 2 * n - 1 - i - (1 - edge);
      return i;
    }
  }
}

static tl_status map_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const map_state *p = node->state;
  const uint8_t *in = node->in[0]->data;
  uint8_t *out = node->out[0]->data;
  const int64_t n = tl_numel(node->out[0]);
  int64_t stride[TL_MAX_DIMS], r = 1;
  for (int d = p->nd - 1; d >= 0; d--) stride[d] = r, r *= p->in_dims[d];
  int64_t idx[TL_MAX_DIMS] = {0};
  for (int64_t i = 0; i < n; i++) {
    int64_t src = 0;
    for (int d = 0; d < p->nd; d++) src += src_coord(p, d, idx[d]) * stride[d];
    memcpy(out + (size_t)i * p->es, in + (size_t)src * p->es, p->es);
    for (int d = p->nd - 1; d >= 0; d--) {
      if (++idx[d] < p->out_dims[d]) break;
      idx[d] = 0;
    }
  }
  return TL_OK;
}

static tl_status finish(tl_kctx *ctx, tl_node *node, map_state *p, const tl_tensor *in) {
  tl_status s;
  tl_tensor *out = node->out[0];
  if (in->type != out->type) return tl_kfail(ctx, node, "input and output types differ");
  if (!kc_esize(in->type)) return tl_kunsupported(ctx, node, "type %s", tl_type_name(in->type));
  if ((s = tl_kset_shape(ctx, node, out, p->nd, p->out_dims))) return s;
  p->es = kc_esize(in->type);
  node->state = p;
  node->eval = map_eval;
  return TL_OK;
}

/* A known 1-D int32/int64 operand of n values (n < 0: any count), into v. */
static tl_status operand(tl_kctx *ctx, tl_node *node, const tl_tensor *t, const char *what, int n, int64_t *v, int *count) {
  if (!kc_is_index_type(t->type) || t->ndim > 2) return tl_kfail(ctx, node, "%s must be int32 or int64", what);
  if (!t->known) return tl_kdefer(ctx, node, "%s not known at prepare (a run-time shape)", what);
  const int64_t c = tl_numel(t);
  if ((n >= 0 && c != n) || c > 2 * TL_MAX_DIMS) return tl_kfail(ctx, node, "%s has %lld values", what, (long long)c);
  for (int64_t i = 0; i < c; i++) v[i] = kc_ival(t, i);
  if (count) *count = (int)c;
  return TL_OK;
}

tl_status tl_prep_tile(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  int64_t m[2 * TL_MAX_DIMS];
  if ((s = operand(ctx, node, node->in[1], "multiples", in->ndim, m, NULL))) return s;
  map_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->nd = in->ndim;
  for (int d = 0; d < in->ndim; d++) {
    if (m[d] < 0) return tl_kfail(ctx, node, "multiples[%d] = %lld is negative", d, (long long)m[d]);
    if ((int64_t)in->dims[d] * m[d] > INT32_MAX) return tl_kfail(ctx, node, "tiled dim %d too large", d);
    p->in_dims[d] = in->dims[d], p->out_dims[d] = (int32_t)(in->dims[d] * m[d]);
  }
  return finish(ctx, node, p, in);
}

tl_status tl_prep_broadcast_to(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  int64_t sh[2 * TL_MAX_DIMS];
  int nd;
  if ((s = operand(ctx, node, node->in[1], "shape", -1, sh, &nd))) return s;
  if (nd > TL_MAX_DIMS || nd < in->ndim) return tl_kfail(ctx, node, "shape of %d dims for a %d-D input", nd, (int)in->ndim);
  map_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->nd = nd;
  for (int d = 0; d < nd; d++) {
    const int j = d - (nd - in->ndim);
    const int32_t id = j >= 0 ? in->dims[j] : 1;
    if (sh[d] < 0 || sh[d] > INT32_MAX || (id != 1 && id != sh[d]))
      return tl_kfail(ctx, node, "cannot broadcast dim %d of size %d to %lld", d, (int)id, (long long)sh[d]);
    p->in_dims[d] = id, p->out_dims[d] = (int32_t)sh[d];
  }
  return finish(ctx, node, p, in);
}

tl_status tl_prep_mirror_pad(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  int64_t pads[2 * TL_MAX_DIMS];
  if ((s = operand(ctx, node, node->in[1], "paddings", 2 * in->ndim, pads, NULL))) return s;
  map_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  const int mode = tl_mirror_pad_mode(kc_opts(node));
  if (mode != 0 && mode != 1) return tl_kfail(ctx, node, "mode %d is neither REFLECT nor SYMMETRIC", mode);
  p->mode = 1 + mode;
  p->nd = in->ndim;
  for (int d = 0; d < in->ndim; d++) {
    const int64_t a = pads[2 * d], b = pads[2 * d + 1], lim = mode == 0 ? in->dims[d] - 1 : in->dims[d];
    if (a < 0 || b < 0 || a > lim || b > lim)
      return tl_kfail(ctx, node, "paddings %lld, %lld of dim %d (size %d) exceed what %s allows", (long long)a, (long long)b, d,
                      (int)in->dims[d], mode == 0 ? "REFLECT" : "SYMMETRIC");
    if (in->dims[d] + a + b > INT32_MAX) return tl_kfail(ctx, node, "padded dim %d too large", d);
    p->in_dims[d] = in->dims[d], p->lo[d] = (int32_t)a, p->out_dims[d] = (int32_t)(in->dims[d] + a + b);
  }
  return finish(ctx, node, p, in);
}

tl_status tl_prep_reverse_v2(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  int64_t ax[2 * TL_MAX_DIMS];
  int na;
  if ((s = operand(ctx, node, node->in[1], "axes", -1, ax, &na))) return s;
  map_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->mode = 3;
  p->nd = in->ndim;
  for (int d = 0; d < in->ndim; d++) p->in_dims[d] = p->out_dims[d] = in->dims[d];
  for (int i = 0; i < na; i++) {
    int a;
    if (!kc_axis(ax[i], in->ndim, &a)) return tl_kfail(ctx, node, "axis %lld out of range for rank %d", (long long)ax[i], (int)in->ndim);
    p->rev[a] = 1;
  }
  return finish(ctx, node, p, in);
}

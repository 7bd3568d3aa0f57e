/* SPDX-License-Identifier: Apache-2.0
 * PAD and PADV2: constant padding given by a [rank, 2] paddings tensor (int32 or int64, known at
 * prepare, entries >= 0). The pad value is 0 for float, the output zero point for quantized types
 * (PAD), or PADV2's scalar constant input. Any fixed-size dtype: fill, then copy the interior. */
#include "kcommon.h"

typedef struct {
  int nd;
  int32_t idims[TL_MAX_DIMS];
  int64_t ostride[TL_MAX_DIMS];
  int64_t offset;          /* output element where the input starts */
  size_t esize;
  uint8_t pad[8];          /* pad value's bytes (PAD); PADV2 reads its input at eval */
  int pad_from_input;
} pad_state;

/* Interior copy: walks the input densely and scatters rows into the output. */
static void copy_in(const pad_state *p, const uint8_t *src, uint8_t *dst) {
  const int nd = p->nd;
  for (int k = 0; k < nd; k++)
    if (p->idims[k] <= 0) return;
  if (nd == 0) {
    memcpy(dst, src, p->esize);
    return;
  }
  const size_t row = (size_t)p->idims[nd - 1] * p->esize;
  int64_t idx[TL_MAX_DIMS] = {0};
  int64_t o = p->offset;
  for (;;) {
    memcpy(dst + (size_t)o * p->esize, src, row);
    src += row;
    int k = nd - 2;
    for (; k >= 0; k--) {
      o += p->ostride[k];
      if (++idx[k] < p->idims[k]) break;
      o -= p->ostride[k] * p->idims[k];
      idx[k] = 0;
    }
    if (k < 0) return;
  }
}

static tl_status pad_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const pad_state *p = node->state;
  tl_tensor *out = node->out[0];
  const uint8_t *v = p->pad_from_input ? (const uint8_t *)node->in[2]->data : p->pad;
  const size_t n = out->bytes / p->esize;
  uint8_t *d = out->data;
  if (!out->bytes) return TL_OK;
  int zero = 1;
  for (size_t i = 0; i < p->esize; i++) zero &= v[i] == 0;
  if (zero) {
    memset(d, 0, out->bytes);
  } else {
    switch (p->esize) {
      case 1: memset(d, v[0], n); break;
      case 2: { uint16_t x; memcpy(&x, v, 2); for (size_t i = 0; i < n; i++) ((uint16_t *)d)[i] = x; } break;
      case 4: { uint32_t x; memcpy(&x, v, 4); for (size_t i = 0; i < n; i++) ((uint32_t *)d)[i] = x; } break;
      default: { uint64_t x; memcpy(&x, v, 8); for (size_t i = 0; i < n; i++) ((uint64_t *)d)[i] = x; } break;
    }
  }
  copy_in(p, node->in[0]->data, d);
  return TL_OK;
}

static tl_status prep(tl_kctx *ctx, tl_node *node, int v2) {
  tl_status s = kc_io(ctx, node, 2, v2 ? 3 : 2, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0], *pd = node->in[1];
  const tl_tensor *cv = node->n_in == 3 ? node->in[2] : NULL;
  tl_tensor *out = node->out[0];
  if ((s = tl_ref_check_same_type(ctx, node, in, out))) return s;
  const int rank = in->ndim;
  if (rank > 5) return tl_kunsupported(ctx, node, "rank %d > 5", rank);
  if (!kc_is_index_type(pd->type)) return tl_kfail(ctx, node, "paddings must be int32 or int64");
  if (pd->ndim != 2 || pd->dims[0] != rank || pd->dims[1] != 2)
    return tl_kfail(ctx, node, "paddings must have shape [%d, 2]", rank);
  if (!pd->known) return tl_kdefer(ctx, node, "paddings not known at prepare (dynamic shape)");
  const int quant = in->type == TL_INT8 || in->type == TL_UINT8 || in->type == TL_INT16;
  if (quant && (in->scale != out->scale || in->zero_point != out->zero_point))
    return tl_kfail(ctx, node, "input and output must share scale and zero point");
  pad_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->esize = kc_esize(in->type);
  if (cv) {
    if (cv->type != in->type) return tl_kfail(ctx, node, "constant value type differs from the input");
    if (tl_numel(cv) != 1) return tl_kfail(ctx, node, "constant value must have one element");
    p->pad_from_input = 1;
  } else if (quant) {
    int32_t zp = out->zero_point;
    if (in->type == TL_INT8) { int8_t z = (int8_t)zp; memcpy(p->pad, &z, 1); }
    else if (in->type == TL_UINT8) { uint8_t z = (uint8_t)zp; memcpy(p->pad, &z, 1); }
    else { int16_t z = (int16_t)zp; memcpy(p->pad, &z, 2); }
  }
  int32_t od[TL_MAX_DIMS];
  int64_t before[TL_MAX_DIMS];
  for (int i = 0; i < rank; i++) {
    int64_t b = kc_ival(pd, 2 * i), a = kc_ival(pd, 2 * i + 1);
    if (b < 0 || a < 0) return tl_kfail(ctx, node, "negative padding on dim %d", i);
    int64_t d = (int64_t)in->dims[i] + b + a;
    if (d > INT32_MAX) return tl_kfail(ctx, node, "padded dim %d too large", i);
    od[i] = (int32_t)d;
    before[i] = b;
    p->idims[i] = in->dims[i];
  }
  if ((s = tl_kset_shape(ctx, node, out, rank, od))) return s;
  int64_t r = 1;
  for (int i = rank - 1; i >= 0; i--) {
    p->ostride[i] = r;
    p->offset += before[i] * r;
    r *= od[i];
  }
  p->nd = rank;
  node->state = p;
  node->eval = pad_eval;
  return TL_OK;
}

tl_status tl_prep_pad(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 0); }
tl_status tl_prep_padv2(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 1); }

/* SPDX-License-Identifier: Apache-2.0
 * TOPK_V2: the k largest values of each last-dimension row, largest first, ties in index order (as
 * TFLite's TopContainer), and their int32 indices. Inputs: value (float32, uint8, int8, int32, int64;
 * quantized values compare raw), k (one int32, known at prepare, 0 <= k <= the row length). */
#include "kcommon.h"

typedef struct {
  int64_t rows;
  int32_t n, k;
} topk_state;

/* Insertion into the sorted top list: strictly greater goes first, equal values keep index order. */
#define TOPK_EVAL(name, T)                                                                     \
  static void name(const topk_state *p, const T *in, T *vals, int32_t *idx) {                  \
    for (int64_t r = 0; r < p->rows; r++) {                                                    \
      const T *x = in + (size_t)r * (size_t)p->n;                                              \
      T *v = vals + (size_t)r * (size_t)p->k;                                                  \
      int32_t *ix = idx + (size_t)r * (size_t)p->k, have = 0;                                  \
      for (int32_t i = 0; i < p->n; i++) {                                                     \
        if (have == p->k && !(x[i] > v[have - 1])) continue;                                  \
        int32_t j = have < p->k ? have++ : p->k - 1;                                           \
        while (j > 0 && x[i] > v[j - 1]) v[j] = v[j - 1], ix[j] = ix[j - 1], j--;              \
        v[j] = x[i], ix[j] = i;                                                                \
      }                                                                                        \
    }                                                                                          \
  }
TOPK_EVAL(topk_f32, float)
TOPK_EVAL(topk_u8, uint8_t)
TOPK_EVAL(topk_s8, int8_t)
TOPK_EVAL(topk_s32, int32_t)
TOPK_EVAL(topk_s64, int64_t)

static tl_status topk_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const topk_state *p = node->state;
  if (!p->k) return TL_OK;
  const void *in = node->in[0]->data;
  void *v = node->out[0]->data;
  int32_t *ix = node->out[1]->data;
  switch (node->in[0]->type) {
    case TL_FLOAT32: topk_f32(p, in, v, ix); break;
    case TL_UINT8: topk_u8(p, in, v, ix); break;
    case TL_INT8: topk_s8(p, in, v, ix); break;
    case TL_INT32: topk_s32(p, in, v, ix); break;
    default: topk_s64(p, in, v, ix); break;
  }
  return TL_OK;
}

tl_status tl_prep_topk_v2(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 2);
  if (s) return s;
  const tl_tensor *in = node->in[0], *k = node->in[1];
  tl_tensor *vals = node->out[0], *idx = node->out[1];
  const int t = in->type;
  if (t != TL_FLOAT32 && t != TL_UINT8 && t != TL_INT8 && t != TL_INT32 && t != TL_INT64)
    return tl_kunsupported(ctx, node, "type %s (version %d)", tl_type_name(t), (int)node->version);
  if (vals->type != t) return tl_kfail(ctx, node, "values output is %s, the input %s", tl_type_name(vals->type), tl_type_name(t));
  if (idx->type != TL_INT32) return tl_kfail(ctx, node, "indices output is %s, not INT32", tl_type_name(idx->type));
  if (k->type != TL_INT32 || tl_numel(k) != 1) return tl_kfail(ctx, node, "k must be one int32 value");
  if (!k->known) return tl_kdefer(ctx, node, "k not known at prepare");
  if (in->ndim < 1) return tl_kfail(ctx, node, "the input needs at least one dimension");
  const int64_t kv = kc_ival(k, 0);
  const int32_t n = in->dims[in->ndim - 1];
  if (kv < 0 || kv > n) return tl_kfail(ctx, node, "k = %lld outside [0, %d]", (long long)kv, (int)n);
  int32_t d[TL_MAX_DIMS];
  memcpy(d, in->dims, sizeof(int32_t) * (size_t)in->ndim);
  d[in->ndim - 1] = (int32_t)kv;
  if ((s = tl_kset_shape(ctx, node, vals, in->ndim, d)) || (s = tl_kset_shape(ctx, node, idx, in->ndim, d))) return s;
  topk_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->n = n, p->k = (int32_t)kv, p->rows = n ? tl_numel(in) / n : 0;
  node->state = p;
  node->eval = topk_eval;
  return TL_OK;
}

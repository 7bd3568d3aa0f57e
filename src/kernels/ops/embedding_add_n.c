/* SPDX-License-Identifier: Apache-2.0
 * EMBEDDING_LOOKUP (lookup: int32 [N]; value: [rows, ...]) copies the rows named by lookup, for any
 * fixed-size dtype; with int8 or uint8 value and a float32 output it is TFLite's hybrid form: the
 * bytes read as int8 (TFLite does so for uint8 too) times the row's scale (per-row when quantized
 * per axis 0), zero points ignored. A row index out of range is a run-time error. ADD_N: the
 * element-wise sum of its inputs, in input order (float32, int32), all of one shape. */
#include "kcommon.h"

typedef struct {
  int64_t n, rows;
  size_t row_elems, es;
  int hybrid;
} emb_state;

static tl_status emb_eval(tl_kctx *ctx, tl_node *node) {
  const emb_state *p = node->state;
  const tl_tensor *lk = node->in[0], *v = node->in[1];
  const int32_t *ix = lk->data;
  uint8_t *out = node->out[0]->data;
  for (int64_t i = 0; i < p->n; i++) {
    const int32_t r = ix[i];
    if (r < 0 || r >= p->rows) return tl_kruntime(ctx, node, "lookup %d out of range (%lld rows)", (int)r, (long long)p->rows);
    if (!p->hybrid) {
      memcpy(out + (size_t)i * p->row_elems * p->es, (const uint8_t *)v->data + (size_t)r * p->row_elems * p->es, p->row_elems * p->es);
      continue;
    }
    const float s = v->qcount > 1 ? v->scales[r] : v->scale;
    const int8_t *src = (const int8_t *)v->data + (size_t)r * p->row_elems;
    float *o = (float *)(void *)out + (size_t)i * p->row_elems;
    for (size_t k = 0; k < p->row_elems; k++) o[k] = (float)src[k] * s;
  }
  return TL_OK;
}

tl_status tl_prep_embedding_lookup(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *lk = node->in[0], *v = node->in[1];
  tl_tensor *out = node->out[0];
  if (lk->type != TL_INT32 || lk->ndim != 1) return tl_kfail(ctx, node, "lookup must be a 1-D int32 tensor");
  if (v->ndim < 1) return tl_kfail(ctx, node, "value needs at least one dimension");
  const int hybrid = out->type == TL_FLOAT32 && (v->type == TL_INT8 || v->type == TL_UINT8);
  if (!hybrid && v->type != out->type) return tl_kfail(ctx, node, "value is %s, output %s", tl_type_name(v->type), tl_type_name(out->type));
  if (!kc_esize(v->type)) return tl_kunsupported(ctx, node, "type %s", tl_type_name(v->type));
  if (hybrid && (v->qcount < 1 || (v->qcount > 1 && (v->qaxis != 0 || v->qcount != v->dims[0]))))
    return tl_kfail(ctx, node, "hybrid value needs a scale per tensor or per row");
  int32_t d[TL_MAX_DIMS];
  d[0] = lk->dims[0];
  for (int i = 1; i < v->ndim; i++) d[i] = v->dims[i];
  if ((s = tl_kset_shape(ctx, node, out, v->ndim, d))) return s;
  emb_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->n = lk->dims[0], p->rows = v->dims[0], p->row_elems = (size_t)kc_prod(v->dims, 1, v->ndim);
  p->es = kc_esize(v->type), p->hybrid = hybrid;
  node->state = p;
  node->eval = emb_eval;
  return TL_OK;
}

#define ADD_N_EVAL(name, T, UT)                                                         \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                                  \
    (void)ctx;                                                                          \
    T *o = node->out[0]->data;                                                          \
    const int64_t n = tl_numel(node->out[0]);                                           \
    memcpy(o, node->in[0]->data, (size_t)n * sizeof(T));                                \
    for (int k = 1; k < node->n_in; k++) {                                              \
      const T *x = node->in[k]->data;                                                   \
      for (int64_t i = 0; i < n; i++) o[i] = (T)((UT)o[i] + (UT)x[i]);                  \
    }                                                                                   \
    return TL_OK;                                                                       \
  }
ADD_N_EVAL(add_n_f32, float, float)
ADD_N_EVAL(add_n_i32, int32_t, uint32_t)

tl_status tl_prep_add_n(tl_kctx *ctx, tl_node *node) {
  if (node->n_in < 1) return tl_kfail(ctx, node, "needs at least one input");
  tl_status s = kc_io(ctx, node, node->n_in, node->n_in, 1);
  if (s) return s;
  const tl_tensor *a = node->in[0];
  tl_tensor *out = node->out[0];
  for (int k = 0; k < node->n_in; k++)
    if (node->in[k]->type != a->type || !tl_same_shape(node->in[k], a))
      return tl_kfail(ctx, node, "input %d's type or shape differs from input 0's", k);
  if (out->type != a->type) return tl_kfail(ctx, node, "output type differs from the inputs'");
  if (a->type != TL_FLOAT32 && a->type != TL_INT32) return tl_kunsupported(ctx, node, "type %s (version %d)", tl_type_name(a->type), (int)node->version);
  if ((s = tl_kset_shape(ctx, node, out, a->ndim, a->dims))) return s;
  node->eval = a->type == TL_FLOAT32 ? add_n_f32 : add_n_i32;
  return TL_OK;
}

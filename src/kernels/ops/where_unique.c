/* SPDX-License-Identifier: Apache-2.0
 * Ops whose output size is the data's: WHERE (the int64 coordinates [count, rank] of the non-zero
 * elements of a bool or numeric tensor, in row-major order) and UNIQUE (a vector's distinct values
 * in order of first appearance, and for each element the index of its value, int32 or int64 as
 * UniqueOptions.idx_out_type says). Unless the input is a constant, prepare defers them: they are
 * shaped at every invoke from the values (the interpreter's dynamic region). */
#include <math.h>
#include <stdlib.h>

#include "kcommon.h"

static int nonzero(const tl_tensor *t, int64_t i) {
  const uint8_t *p = (const uint8_t *)t->data + (size_t)i * kc_esize(t->type);
  switch (t->type) {
    case TL_FLOAT32: { float v; memcpy(&v, p, 4); return v != 0.f; }
    case TL_INT32: case TL_UINT32: { int32_t v; memcpy(&v, p, 4); return v != 0; }
    case TL_INT64: { int64_t v; memcpy(&v, p, 8); return v != 0; }
    default: return p[0] != 0; /* bool, int8, uint8 */
  }
}

static tl_status where_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const tl_tensor *c = node->in[0];
  int64_t *out = node->out[0]->data, k = 0;
  const int64_t n = tl_numel(c);
  for (int64_t i = 0; i < n; i++) {
    if (!nonzero(c, i)) continue;
    int64_t r = i;
    for (int d = c->ndim - 1; d >= 0; d--) out[k * c->ndim + d] = r % c->dims[d], r /= c->dims[d];
    k++;
  }
  return TL_OK;
}

tl_status tl_prep_where(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *c = node->in[0];
  const int t = c->type;
  if (t != TL_BOOL && t != TL_FLOAT32 && t != TL_INT32 && t != TL_INT64 && t != TL_INT8 && t != TL_UINT8 && t != TL_UINT32)
    return tl_kunsupported(ctx, node, "condition type %s", tl_type_name(t));
  if (node->out[0]->type != TL_INT64) return tl_kfail(ctx, node, "output must be int64");
  if (!c->known) return tl_kdefer(ctx, node, "the count of true elements is known only at run time");
  int64_t count = 0;
  for (int64_t i = 0; i < tl_numel(c); i++) count += nonzero(c, i);
  const int32_t od[2] = {(int32_t)count, c->ndim};
  if ((s = tl_kset_shape(ctx, node, node->out[0], 2, od))) return s;
  node->eval = where_eval;
  return TL_OK;
}

/* ---- UNIQUE ---- */

/* An element's value as a sortable key; floats compare as TFLite's std::map does (-0 == 0). */
typedef struct {
  double v;
  int64_t i; /* position in the input */
} ukey;

static int by_value_then_pos(const void *a, const void *b) {
  const ukey *x = a, *y = b;
  const int nx = isnan(x->v), ny = isnan(y->v); /* NaNs last, a total order for qsort */
  if (nx != ny) return nx - ny;
  if (!nx && x->v != y->v) return x->v < y->v ? -1 : 1;
  return (x->i > y->i) - (x->i < y->i);
}

static double value_at(const tl_tensor *t, int64_t i) {
  const uint8_t *p = (const uint8_t *)t->data + (size_t)i * kc_esize(t->type);
  switch (t->type) {
    case TL_FLOAT32: { float v; memcpy(&v, p, 4); return v == 0.f ? 0.0 : v; }
    case TL_INT8: return (int8_t)p[0];
    case TL_UINT8: return p[0];
    case TL_INT16: { int16_t v; memcpy(&v, p, 2); return v; }
    case TL_INT32: { int32_t v; memcpy(&v, p, 4); return v; }
    default: { int64_t v; memcpy(&v, p, 8); return (double)v; }
  }
}

/* Distinct values of the input in order of first appearance into vals (when not NULL), each element's
 * value index into idx (when not NULL, int32 or int64); returns the count. O(n log n): the elements
 * sorted by value, then each run of equal values numbered by where it first appears. int64 values
 * beyond 2^53 compare through double; NaNs each count as distinct. work: n ukeys + n int64. */
static int64_t unique_run(const tl_tensor *in, uint8_t *vals, void *idx, int idx64, void *work) {
  const int64_t n = tl_numel(in);
  const size_t es = kc_esize(in->type);
  ukey *k = work;
  int64_t *first = (int64_t *)(k + n); /* per element: the first position of its value */
  for (int64_t i = 0; i < n; i++) k[i].v = value_at(in, i), k[i].i = i;
  qsort(k, (size_t)n, sizeof *k, by_value_then_pos);
  for (int64_t r = 0; r < n; r++) first[k[r].i] = (r > 0 && k[r].v == k[r - 1].v) ? first[k[r - 1].i] : k[r].i;
  /* number the values in input order: a value's id is assigned at its first position */
  int64_t count = 0;
  for (int64_t i = 0; i < n; i++) {
    if (first[i] == i) {
      if (vals) memcpy(vals + (size_t)count * es, (const uint8_t *)in->data + (size_t)i * es, es);
      k[i].i = count++; /* reuse: k[i].i now holds the id of the value first seen at i */
    }
  }
  for (int64_t i = 0; i < n && idx; i++) {
    const int64_t id = k[first[i]].i;
    if (idx64) ((int64_t *)idx)[i] = id;
    else ((int32_t *)idx)[i] = (int32_t)id;
  }
  return count;
}

static tl_status unique_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  unique_run(node->in[0], node->out[0]->data, node->out[1]->data, node->out[1]->type == TL_INT64, node->scratch);
  return TL_OK;
}

tl_status tl_prep_unique(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 1, 1, 2);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  tl_tensor *vals = node->out[0], *idx = node->out[1];
  const int t = in->type;
  if (t != TL_FLOAT32 && t != TL_INT8 && t != TL_UINT8 && t != TL_INT16 && t != TL_INT32 && t != TL_INT64)
    return tl_kunsupported(ctx, node, "type %s", tl_type_name(t));
  if (in->ndim != 1) return tl_kfail(ctx, node, "input must be a vector");
  if (vals->type != t) return tl_kfail(ctx, node, "the values output must have the input's type");
  const int want = tl_unique_idx_out_type(kc_opts(node));
  if (!kc_is_index_type(idx->type) || idx->type != want) return tl_kfail(ctx, node, "index output must be %s", tl_type_name(want));
  if ((s = tl_kset_shape(ctx, node, idx, 1, in->dims))) return s;
  if (!in->known) return tl_kdefer(ctx, node, "the count of distinct values is known only at run time");
  const size_t work = (size_t)tl_numel(in) * (sizeof(ukey) + sizeof(int64_t)) + 1;
  void *tmp = tl_kpersist(ctx, work);
  if (!tmp) return TL_ERR_NOMEM;
  const int32_t count = (int32_t)unique_run(in, NULL, NULL, 0, tmp);
  if ((s = tl_kset_shape(ctx, node, vals, 1, &count))) return s;
  if ((s = tl_kscratch(ctx, node, work))) return s;
  node->eval = unique_eval;
  return TL_OK;
}

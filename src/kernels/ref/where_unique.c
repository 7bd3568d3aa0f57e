/* SPDX-License-Identifier: Apache-2.0
 * Ops whose output size is the data's: WHERE (the int64 coordinates [count, rank] of the non-zero
 * elements of a bool or numeric tensor, in row-major order) and UNIQUE (a vector's distinct values
 * in order of first appearance, and for each element the index of its value, int32 or int64 as
 * UniqueOptions.idx_out_type says). Unless the input is a constant, prepare defers them: they are
 * shaped at every invoke from the values (the interpreter's dynamic region). */
#include <math.h>

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

static int same_value(const uint8_t *a, const uint8_t *b, size_t es, int is_float) {
  if (is_float) { /* TFLite compares with ==, so NaNs stay distinct and -0 equals 0 */
    float x, y;
    memcpy(&x, a, 4), memcpy(&y, b, 4);
    return x == y;
  }
  return !memcmp(a, b, es);
}

/* Distinct values of the input into vals (when not NULL), index of each element into idx (when not
 * NULL, int32 or int64); returns the count. Quadratic, like TFLite's map-free reference loop over
 * the seen values. */
static int64_t unique_run(const tl_tensor *in, uint8_t *vals, void *idx, int idx64, uint8_t *seen) {
  const size_t es = kc_esize(in->type);
  const uint8_t *x = in->data;
  const int64_t n = tl_numel(in);
  int64_t count = 0;
  for (int64_t i = 0; i < n; i++) {
    int64_t j = 0;
    for (; j < count; j++)
      if (same_value(seen + (size_t)j * es, x + (size_t)i * es, es, in->type == TL_FLOAT32)) break;
    if (j == count) memcpy(seen + (size_t)count++ * es, x + (size_t)i * es, es);
    if (idx && idx64) ((int64_t *)idx)[i] = j;
    else if (idx) ((int32_t *)idx)[i] = (int32_t)j;
  }
  if (vals) memcpy(vals, seen, (size_t)count * es);
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
  const int want = tl_fb_i8(kc_opts(node), 0, TL_INT32); /* UniqueOptions.idx_out_type */
  if (!kc_is_index_type(idx->type) || idx->type != want) return tl_kfail(ctx, node, "index output must be %s", tl_type_name(want));
  if ((s = tl_kset_shape(ctx, node, idx, 1, in->dims))) return s;
  if (!in->known) return tl_kdefer(ctx, node, "the count of distinct values is known only at run time");
  uint8_t *seen = tl_kpersist(ctx, (size_t)tl_numel(in) * kc_esize(t) + 1);
  if (!seen) return TL_ERR_NOMEM;
  const int32_t count = (int32_t)unique_run(in, NULL, NULL, 0, seen);
  if ((s = tl_kset_shape(ctx, node, vals, 1, &count))) return s;
  if ((s = tl_kscratch(ctx, node, (size_t)tl_numel(in) * kc_esize(t) + 1))) return s;
  node->eval = unique_eval;
  return TL_OK;
}

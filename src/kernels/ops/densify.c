/* SPDX-License-Identifier: Apache-2.0
 * DENSIFY: expands a constant sparse tensor (TFLite's SparsityParameters: traversal_order, block_map,
 * per-level DENSE or SPARSE_CSR metadata with int32/uint16/uint8 index vectors) into its dense shape,
 * walking the levels as TFLite's FormatConverter::Populate does. The metadata comes from the file, so
 * prepare checks every piece (permutation, block sizes, segment monotonicity, index ranges, value
 * count) and the walk bounds-checks again: no sparse tensor can make it read or write out of bounds. */
#include "kcommon.h"

enum { DIM_DENSE = 0, DIM_SPARSE_CSR = 1 };

typedef struct {
  const uint8_t *data;
  uint32_t n;
  uint32_t esize; /* 1, 2 or 4 */
} ivec;

typedef struct {
  int fmt;
  int32_t extent;     /* size of this level (dense_size, or the dim/block extent for sparse) */
  ivec seg, idx;      /* SPARSE_CSR arrays */
} level;

typedef struct {
  int rank, total;                 /* dense rank, levels (rank + block dims) */
  int32_t shape[TL_MAX_DIMS];
  int32_t order[2 * TL_MAX_DIMS];  /* traversal_order */
  int32_t block_map[TL_MAX_DIMS];
  int32_t block_size[TL_MAX_DIMS];
  level lv[2 * TL_MAX_DIMS];
  size_t esize;
  int64_t nvalues;
} densify_state;

static uint32_t ivec_at(const ivec *v, uint32_t i) {
  const uint8_t *p = v->data + (size_t)i * v->esize;
  if (v->esize == 1) return p[0];
  if (v->esize == 2) { uint16_t x; memcpy(&x, p, 2); return x; }
  int32_t x;
  memcpy(&x, p, 4);
  return x < 0 ? UINT32_MAX : (uint32_t)x; /* negative int32 indices are invalid: map out of range */
}

typedef struct {
  const densify_state *p;
  const uint8_t *src;
  uint8_t *dst;        /* NULL: count only */
  int64_t next;        /* next source value */
  int32_t coord[2 * TL_MAX_DIMS];
  int bad;
} walk;

static void leaf(walk *w) {
  const densify_state *p = w->p;
  if (w->next >= p->nvalues) {
    w->bad = 1;
    return;
  }
  int64_t orig[TL_MAX_DIMS];
  for (int i = 0; i < p->rank; i++) orig[p->order[i]] = w->coord[i];
  for (int i = p->rank; i < p->total; i++) {
    const int b = p->order[i] - p->rank;
    const int d = p->block_map[b];
    orig[d] = orig[d] * p->block_size[b] + w->coord[i];
  }
  int64_t flat = 0;
  for (int d = 0; d < p->rank; d++) {
    if (orig[d] < 0 || orig[d] >= p->shape[d]) {
      w->bad = 1;
      return;
    }
    flat = flat * p->shape[d] + orig[d];
  }
  if (w->dst) memcpy(w->dst + (size_t)flat * p->esize, w->src + (size_t)w->next * p->esize, p->esize);
  w->next++;
}

/* Level l, reached through position prev of the previous level. */
static void visit(walk *w, int l, int64_t prev) {
  const densify_state *p = w->p;
  if (w->bad) return;
  if (l == p->total) {
    leaf(w);
    return;
  }
  const level *v = &p->lv[l];
  if (v->fmt == DIM_DENSE) {
    for (int32_t i = 0; i < v->extent && !w->bad; i++) {
      w->coord[l] = i;
      visit(w, l + 1, prev * v->extent + i);
    }
  } else if (prev + 1 < (int64_t)v->seg.n) {
    const uint32_t a = ivec_at(&v->seg, (uint32_t)prev), b = ivec_at(&v->seg, (uint32_t)prev + 1);
    for (uint32_t i = a; i < b && !w->bad; i++) {
      if (i >= v->idx.n) {
        w->bad = 1;
        return;
      }
      const uint32_t c = ivec_at(&v->idx, i);
      if (c >= (uint32_t)v->extent) {
        w->bad = 1;
        return;
      }
      w->coord[l] = (int32_t)c;
      visit(w, l + 1, i);
    }
  }
}

static tl_status densify_eval(tl_kctx *ctx, tl_node *node) {
  const densify_state *p = node->state;
  tl_tensor *out = node->out[0];
  if (!out->bytes) return TL_OK;
  memset(out->data, 0, out->bytes); /* zero is all-zero bytes for float32/float16/int8 */
  walk w;
  memset(&w, 0, sizeof w);
  w.p = p;
  w.src = node->in[0]->data;
  w.dst = out->data;
  visit(&w, 0, 0);
  if (w.bad) return tl_kruntime(ctx, node, "sparse tensor metadata out of range");
  return TL_OK;
}

/* Reads a SparseIndexVector union (type field tid, value field tid + 1) into v. */
static int read_ivec(const tl_fb_table *dm, int tid, ivec *v) {
  const uint8_t ty = tl_fb_u8(dm, tid, 0);
  tl_fb_table t;
  if (tl_fb_subtable(dm, tid + 1, &t) != 1) return 0;
  const uint32_t es = ty == 1 ? 4 : ty == 2 ? 2 : ty == 3 ? 1 : 0;
  if (!es) return 0;
  tl_fb_vec vec;
  if (tl_fb_vector(&t, 0, es, &vec) != 1) return 0;
  v->data = vec.data;
  v->n = vec.n;
  v->esize = es;
  return 1;
}

tl_status tl_prep_densify(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  if (!in->m || !in->m->has_sparsity) return tl_kfail(ctx, node, "input has no sparsity parameters");
  if (!in->known || !in->data) return tl_kfail(ctx, node, "input must be a constant");
  if (in->type != out->type) return tl_kfail(ctx, node, "input and output types differ");
  if (in->type != TL_FLOAT32 && in->type != TL_FLOAT16 && in->type != TL_INT8)
    return tl_kunsupported(ctx, node, "type %s", tl_type_name(in->type));
  densify_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->rank = in->ndim;
  p->esize = kc_esize(in->type);
  p->nvalues = (int64_t)(in->bytes / p->esize);
  for (int d = 0; d < p->rank; d++) p->shape[d] = in->dims[d];

  const tl_fb_table *sp = &in->m->sparsity;
  tl_fb_vec to, bm, dm;
  if (tl_fb_vector(sp, 0, 4, &to) != 1) return tl_kfail(ctx, node, "missing traversal_order");
  int r = tl_fb_vector(sp, 1, 4, &bm);
  if (r < 0) return tl_kfail(ctx, node, "bad block_map");
  const uint32_t nblock = r == 1 ? bm.n : 0;
  if (tl_fb_vector(sp, 2, 4, &dm) != 1) return tl_kfail(ctx, node, "missing dim_metadata");
  if (nblock > (uint32_t)p->rank) return tl_kfail(ctx, node, "more block dims than dims");
  p->total = p->rank + (int)nblock;
  if (to.n != (uint32_t)p->total || dm.n != (uint32_t)p->total)
    return tl_kfail(ctx, node, "traversal_order/dim_metadata must have %d entries", p->total);

  /* traversal_order: a permutation with the dense dims first and the block dims after them. */
  int seen[2 * TL_MAX_DIMS] = {0};
  for (int i = 0; i < p->total; i++) {
    int32_t v = tl_fb_vec_i32(&to, (uint32_t)i);
    if (v < 0 || v >= p->total || seen[v]++) return tl_kfail(ctx, node, "traversal_order is not a permutation");
    if ((i < p->rank) != (v < p->rank)) return tl_kfail(ctx, node, "block dims must come last in traversal_order");
    p->order[i] = v;
  }
  for (uint32_t b = 0; b < nblock; b++) {
    int32_t v = tl_fb_vec_i32(&bm, b);
    if (v < 0 || v >= p->rank || (b > 0 && v <= p->block_map[b - 1]))
      return tl_kfail(ctx, node, "block_map must list increasing dims");
    p->block_map[b] = v;
  }
  /* Per-level metadata. */
  int32_t dense_size[2 * TL_MAX_DIMS];
  for (int l = 0; l < p->total; l++) {
    tl_fb_table t;
    if (tl_fb_vec_table(sp, &dm, (uint32_t)l, &t) != 1) return tl_kfail(ctx, node, "bad dim_metadata %d", l);
    level *v = &p->lv[l];
    v->fmt = tl_fb_i8(&t, 0, DIM_DENSE);
    dense_size[l] = tl_fb_i32(&t, 1, 0);
    if (v->fmt == DIM_SPARSE_CSR) {
      if (!read_ivec(&t, 2, &v->seg) || !read_ivec(&t, 4, &v->idx))
        return tl_kfail(ctx, node, "level %d: bad array_segments/array_indices", l);
    } else if (v->fmt != DIM_DENSE) {
      return tl_kfail(ctx, node, "level %d: unknown format %d", l, v->fmt);
    }
  }
  /* Block sizes the way TFLite derives them, then each level's extent. */
  for (uint32_t b = 0; b < nblock; b++) {
    const int lvl = p->order[p->rank + (int)b];
    const int32_t bs = dense_size[lvl];
    const int d = p->block_map[b];
    if (bs < 1 || p->shape[d] % bs) return tl_kfail(ctx, node, "block size %d does not divide dim %d", (int)bs, d);
    if (p->lv[p->rank + (int)b].fmt != DIM_DENSE) return tl_kunsupported(ctx, node, "sparse block dims");
    p->block_size[b] = bs;
  }
  for (int l = 0; l < p->total; l++) {
    const int d = p->order[l];
    int32_t ext;
    if (d < p->rank) {
      ext = p->shape[d];
      for (uint32_t b = 0; b < nblock; b++)
        if (p->block_map[b] == d) ext /= p->block_size[b];
    } else {
      ext = p->block_size[d - p->rank];
    }
    level *v = &p->lv[l];
    if (v->fmt == DIM_DENSE && dense_size[l] != ext)
      return tl_kfail(ctx, node, "level %d: dense_size %d, expected %d", l, (int)dense_size[l], (int)ext);
    v->extent = ext;
    if (v->fmt == DIM_SPARSE_CSR) {
      if (v->seg.n < 1) return tl_kfail(ctx, node, "level %d: empty array_segments", l);
      for (uint32_t i = 0; i < v->seg.n; i++) {
        uint32_t a = ivec_at(&v->seg, i);
        if (a > v->idx.n || (i > 0 && a < ivec_at(&v->seg, i - 1)))
          return tl_kfail(ctx, node, "level %d: array_segments not increasing within the indices", l);
      }
      for (uint32_t i = 0; i < v->idx.n; i++)
        if (ivec_at(&v->idx, i) >= (uint32_t)ext) return tl_kfail(ctx, node, "level %d: index out of range", l);
    }
  }
  if ((s = tl_kset_shape(ctx, node, out, in->ndim, in->dims))) return s;
  /* Dry run: every leaf must land inside the output and consume an existing value. */
  walk w;
  memset(&w, 0, sizeof w);
  w.p = p;
  visit(&w, 0, 0);
  if (w.bad) return tl_kfail(ctx, node, "sparse metadata reads past the %lld stored values", (long long)p->nvalues);
  node->state = p;
  node->eval = densify_eval;
  return TL_OK;
}

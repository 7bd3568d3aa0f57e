/* SPDX-License-Identifier: Apache-2.0
 * Arena planner: every activation tensor (and each op's scratch) lives from the op that first
 * touches it to the op that last reads it. Buffers are placed largest first, each at the lowest
 * offset that does not overlap a placed buffer with an intersecting lifetime (TFLM's greedy plan). */
#include <stdlib.h>

#include "interp_impl.h"

#define ALIGN16(x) (((x) + 15) & ~(size_t)15)

typedef struct {
  size_t size, offset;
  int32_t first, last;
  tl_tensor *tensor;  /* NULL for a node's scratch */
  tl_node *node;
} buf;

static int by_size_desc(const void *a, const void *b) {
  const buf *x = a, *y = b;
  if (x->size != y->size) return x->size < y->size ? 1 : -1;
  return x->first - y->first; /* stable, deterministic order */
}

static int by_offset(const void *a, const void *b) {
  const buf *x = *(const buf *const *)a, *y = *(const buf *const *)b;
  return x->offset < y->offset ? -1 : x->offset > y->offset;
}

tl_status tl_plan_subgraph(tl_interp *ip, tl_isub *sub) {
  int32_t nt = sub->n_tensors, nn = sub->n_nodes;
  int32_t *first = malloc(((size_t)nt + 1) * sizeof *first), *last = malloc(((size_t)nt + 1) * sizeof *last);
  buf *bufs = malloc(((size_t)nt + nn + 1) * sizeof *bufs);
  buf **live = malloc(((size_t)nt + nn + 1) * sizeof *live);
  if (!first || !last || !bufs || !live) {
    free(first), free(last), free(bufs), free(live);
    tl_interp_seterr(ip, "out of memory planning the arena");
    return TL_ERR_NOMEM;
  }
  for (int i = 0; i < nt; i++) first[i] = INT32_MAX, last[i] = -1;
  const tl_msubgraph *g = sub->g;
  for (int i = 0; i < g->n_in; i++) first[g->in[i]] = -1, last[g->in[i]] = last[g->in[i]] < 0 ? 0 : last[g->in[i]];
  for (int i = 0; i < nn; i++) {
    tl_node *n = &sub->nodes[i];
    if (n->folded) continue;
    for (int k = 0; k < n->n_in + n->n_out; k++) {
      tl_tensor *t = k < n->n_in ? n->in[k] : n->out[k - n->n_in];
      if (!t) continue;
      if (i < first[t->index]) first[t->index] = i;
      if (i > last[t->index]) last[t->index] = i;
    }
  }
  for (int i = 0; i < g->n_out; i++) {
    int32_t t = g->out[i];
    last[t] = nn;
    if (first[t] == INT32_MAX) first[t] = -1;
  }
  if (ip->opt.preserve_inputs)
    for (int i = 0; i < g->n_in; i++) last[g->in[i]] = nn;
  if (ip->opt.preserve_all_tensors) /* every used tensor lives through the whole run: no sharing */
    for (int i = 0; i < nt; i++)
      if (last[i] >= 0 && first[i] != INT32_MAX) first[i] = -1, last[i] = nn;
  int nb = 0;
  for (int i = 0; i < nt; i++) {
    tl_tensor *t = &sub->tensors[i];
    if (t->mem != TL_MEM_NONE || last[i] < 0 || first[i] == INT32_MAX) continue;
    bufs[nb++] = (buf){ALIGN16(t->bytes ? t->bytes : 1), 0, first[i], last[i], t, NULL};
  }
  for (int i = 0; i < nn; i++) {
    tl_node *n = &sub->nodes[i];
    if (!n->folded && n->scratch_size) bufs[nb++] = (buf){ALIGN16(n->scratch_size), 0, i, i, NULL, n};
  }
  qsort(bufs, (size_t)nb, sizeof *bufs, by_size_desc);
  size_t total = 0;
  for (int b = 0; b < nb; b++) {
    int nl = 0;
    for (int p = 0; p < b; p++)
      if (bufs[p].first <= bufs[b].last && bufs[b].first <= bufs[p].last) live[nl++] = &bufs[p];
    qsort(live, (size_t)nl, sizeof *live, by_offset);
    size_t off = 0;
    for (int p = 0; p < nl; p++) {
      if (live[p]->offset >= off + bufs[b].size) break; /* fits in the gap before it */
      size_t end = live[p]->offset + live[p]->size;
      if (end > off) off = end;
    }
    bufs[b].offset = off;
    if (off + bufs[b].size > total) total = off + bufs[b].size;
  }
  for (int b = 0; b < nb; b++) {
    if (bufs[b].tensor) {
      bufs[b].tensor->mem = TL_MEM_ARENA;
      bufs[b].tensor->data = (void *)(uintptr_t)bufs[b].offset;
    } else {
      bufs[b].node->scratch = (void *)(uintptr_t)bufs[b].offset;
    }
  }
  sub->act_size = total;
  free(first), free(last), free(bufs), free(live);
  return TL_OK;
}

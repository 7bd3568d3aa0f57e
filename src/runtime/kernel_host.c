/* SPDX-License-Identifier: Apache-2.0
 * The interpreter as kernels' host: the services of kernel.h's tl_khost (errors, memory, threads,
 * subgraphs for control flow, resource variables) and the contexts the interpreter hands to nodes. */
#include <stdlib.h>
#include <string.h>

#include "interp_impl.h"

#define ALIGN16(x) (((x) + 15) & ~(size_t)15)

void *tl_dyn_alloc(tl_interp *ip, size_t bytes) {
  bytes = ALIGN16(bytes ? bytes : 1);
  if (bytes > ip->dyn_size - ip->dyn_top) {
    tl_interp_seterr(ip, "the dynamic region is too small: run-time shaped tensors need more than %zu bytes (%zu "
                     "given; raise tl_interp_options.dynamic_size or the arena)", ip->dyn_top + bytes, ip->dyn_size);
    return NULL;
  }
  void *p = ip->dyn + ip->dyn_top;
  ip->dyn_top += bytes;
  if (ip->dyn_top > ip->dyn_peak) ip->dyn_peak = ip->dyn_top;
  return p;
}

static void set_error(void *host, const char *msg) { tl_interp_seterr(host, "%s", msg); }
static void *persist(void *host, size_t bytes) { return tl_interp_persist(host, bytes); }
static void *dynamic(void *host, size_t bytes) { return tl_dyn_alloc(host, bytes); }
static size_t dynamic_mark(void *host) { return tl_dyn_mark(host); }
static void dynamic_release(void *host, size_t mark) { tl_dyn_release(host, mark); }

static void parallel(void *host, int64_t n, tl_task_fn fn, void *arg) {
  tl_interp *ip = host;
  if (ip->pool) tl_threadpool_run(ip->pool, n, fn, arg);
  else fn(arg, 0, n, 0);
}

static int subgraph(void *host, int sg, tl_ksubgraph *v) {
  tl_interp *ip = host;
  if (sg < 0 || sg >= ip->n_subs) return 0;
  const tl_isub *s = &ip->subs[sg];
  *v = (tl_ksubgraph){s->index, s->g->n_in, s->g->n_out, s->g->in, s->g->out, s->tensors, s->prepared, s->in_progress};
  return 1;
}

static tl_status prepare_subgraph(void *host, int sg) {
  tl_interp *ip = host;
  return tl_prepare_subgraph(ip, &ip->subs[sg]);
}

static tl_status invoke_subgraph(void *host, int sg) {
  tl_interp *ip = host;
  return tl_invoke_subgraph(ip, &ip->subs[sg]);
}

static int resource_id(void *host, const char *container, const char *shared_name) {
  tl_interp *ip = host;
  for (int i = 0; i < ip->n_resources; i++)
    if (!strcmp(ip->resources[i].container, container) && !strcmp(ip->resources[i].shared_name, shared_name)) return i;
  tl_kresource *r = realloc(ip->resources, ((size_t)ip->n_resources + 1) * sizeof *r);
  if (!r) return -1;
  ip->resources = r;
  r += ip->n_resources;
  memset(r, 0, sizeof *r);
  r->container = container;
  r->shared_name = shared_name;
  return ip->n_resources++;
}

static tl_kresource *resource(void *host, int id) {
  tl_interp *ip = host;
  return id >= 0 && id < ip->n_resources ? &ip->resources[id] : NULL;
}

const tl_khost tl_interp_host = {set_error, persist, dynamic, dynamic_mark, dynamic_release, parallel, subgraph,
                                 prepare_subgraph, invoke_subgraph, resource_id, resource};

tl_kctx tl_interp_kctx(tl_interp *ip, const tl_isub *sub, int preparing, int at_invoke) {
  return (tl_kctx){&tl_interp_host, ip, sub->index, ip->pool ? tl_threadpool_size(ip->pool) : 1, ip->uk,
                   ip->exact_float, (uint8_t)preparing, (uint8_t)at_invoke};
}

/* Re-runs every CALL_ONCE initialisation of the main subgraph (tl_interp_reset_variables); the
 * kernel keeps its init subgraph's index as its state. */
tl_status tl_rerun_call_once(tl_interp *ip) {
  tl_isub *sub = ip->main;
  for (int i = 0; i < sub->n_nodes; i++) {
    tl_node *n = &sub->nodes[i];
    if (n->op != TL_BUILTIN_CALL_ONCE || !n->state) continue;
    tl_status st = tl_invoke_subgraph(ip, &ip->subs[*(int32_t *)n->state]);
    if (st) return st;
  }
  return TL_OK;
}

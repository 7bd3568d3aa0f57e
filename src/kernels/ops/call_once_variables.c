/* SPDX-License-Identifier: Apache-2.0
 * Ops that act on the interpreter itself rather than on tensors: CALL_ONCE (runs an initialisation
 * subgraph) and resource variables (VAR_HANDLE, ASSIGN_VARIABLE, READ_VARIABLE). The initialisation
 * subgraph runs at prepare time, so variables have their shapes before the ops that read them are
 * prepared, and invoke stays allocation-free. */
#include <string.h>

#include "../kernel.h"

static tl_status noop(tl_kctx *ctx, tl_node *n) {
  (void)ctx, (void)n;
  return TL_OK;
}

tl_status tl_prep_call_once(tl_kctx *ctx, tl_node *n) {
  int32_t sg = tl_call_once_init_subgraph_index(&n->m->options);
  if (n->n_in || n->n_out) return tl_kfail(ctx, n, "CALL_ONCE takes no inputs or outputs");
  tl_ksubgraph view;
  if (sg <= 0 || !ctx->svc->subgraph(ctx->host, sg, &view)) return tl_kfail(ctx, n, "init subgraph index %d out of range", sg);
  int32_t *state = tl_kpersist(ctx, sizeof *state);
  if (!state) return tl_kfail(ctx, n, "out of memory");
  *state = sg;
  n->state = state;
  n->eval = noop;
  return tl_kinvoke_subgraph(ctx, n, sg);
}

static tl_kresource *resource_of(tl_kctx *ctx, tl_node *n, const tl_tensor *h) {
  if (!h || h->type != TL_RESOURCE || !h->known || !h->data) {
    tl_kfail(ctx, n, "input 0 must be a resource handle made by VAR_HANDLE");
    return NULL;
  }
  const int32_t id = *(const int32_t *)h->data;
  tl_kresource *r = ctx->svc->resource(ctx->host, id);
  if (!r) tl_kfail(ctx, n, "resource id %d out of range", id);
  return r;
}

tl_status tl_prep_var_handle(tl_kctx *ctx, tl_node *n) {
  if (n->n_out != 1 || n->out[0]->type != TL_RESOURCE) return tl_kfail(ctx, n, "expects one RESOURCE output");
  const char *container = "", *shared = "";
  tl_var_handle_container(&n->m->options, &container, NULL);
  tl_var_handle_shared_name(&n->m->options, &shared, NULL);
  const int32_t id = ctx->svc->resource_id(ctx->host, container, shared);
  if (id < 0) return tl_kfail(ctx, n, "out of memory");
  tl_tensor *t = n->out[0];
  t->ndim = 0;
  t->bytes = sizeof(int32_t);
  t->data = tl_kpersist(ctx, sizeof(int32_t));
  if (!t->data) return tl_kfail(ctx, n, "out of memory");
  *(int32_t *)t->data = id;
  t->mem = TL_MEM_PERSIST;
  t->known = 1;
  n->eval = noop;
  n->folded = 1;
  return TL_OK;
}

static tl_status assign_eval(tl_kctx *ctx, tl_node *n) {
  tl_kresource *r = ctx->svc->resource(ctx->host, *(const int32_t *)n->in[0]->data);
  memcpy(r->value.data, n->in[1]->data, r->value.bytes);
  return TL_OK;
}

tl_status tl_prep_assign_variable(tl_kctx *ctx, tl_node *n) {
  if (n->n_in != 2 || !n->in[1]) return tl_kfail(ctx, n, "expects a resource and a value");
  tl_kresource *r = resource_of(ctx, n, n->in[0]);
  if (!r) return TL_ERR_MODEL;
  const tl_tensor *v = n->in[1];
  if (!r->assigned) {
    r->value = *v;
    r->value.data = tl_kpersist(ctx, v->bytes);
    if (!r->value.data) return tl_kfail(ctx, n, "out of memory");
    r->value.mem = TL_MEM_PERSIST;
    r->assigned = 1;
  } else if (r->value.type != v->type || !tl_same_shape(&r->value, v)) {
    return tl_kunsupported(ctx, n, "variable '%s' changes its shape or type", r->shared_name);
  }
  n->eval = assign_eval;
  return TL_OK;
}

static tl_status read_eval(tl_kctx *ctx, tl_node *n) {
  tl_kresource *r = ctx->svc->resource(ctx->host, *(const int32_t *)n->in[0]->data);
  memcpy(n->out[0]->data, r->value.data, r->value.bytes);
  return TL_OK;
}

tl_status tl_prep_read_variable(tl_kctx *ctx, tl_node *n) {
  if (n->n_in != 1 || n->n_out != 1) return tl_kfail(ctx, n, "expects one resource input and one output");
  tl_kresource *r = resource_of(ctx, n, n->in[0]);
  if (!r) return TL_ERR_MODEL;
  if (!r->assigned) return tl_kfail(ctx, n, "variable '%s' is read before it is assigned", r->shared_name);
  if (n->out[0]->type != r->value.type)
    return tl_kfail(ctx, n, "output type %s differs from the variable's %s", tl_type_name(n->out[0]->type),
                    tl_type_name(r->value.type));
  tl_status st = tl_kset_shape(ctx, n, n->out[0], r->value.ndim, r->value.dims);
  n->eval = read_eval;
  return st;
}

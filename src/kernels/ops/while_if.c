/* SPDX-License-Identifier: Apache-2.0
 * WHILE and IF: ops that run other subgraphs of the model, as TensorFlow Lite does. Each called
 * subgraph has its own tensors and its own region of the activation area (tl_interp_allocate), so it
 * runs while the caller's tensors stay live. Values cross by copy: WHILE copies its inputs to its
 * outputs, then repeatedly copies them into the condition subgraph (WhileOptions
 * cond_subgraph_index, 0) and, while its one boolean output is true, into the body (1), whose outputs
 * become the new values. IF runs then_subgraph (0) or else_subgraph (1) on inputs 1.. as the boolean
 * input 0 says. The values' shapes are fixed at prepare; inside a body, tensors may still take
 * run-time shapes (a slice sized by the loop counter), which live in the dynamic region until the
 * body's outputs are copied out. A body whose output has a new shape each iteration is refused when
 * that happens. */
#include <string.h>

#include "../kernel.h"

/* Gives subgraph sg's inputs the shapes and types of vals[0..n) and prepares it; checks counts. */
static tl_status prepare_callee(tl_kctx *ctx, tl_node *n, int sg, tl_tensor *const *vals, int n_vals, int n_out,
                                tl_ksubgraph *sub) {
  if (sg <= 0 || !ctx->svc->subgraph(ctx->host, sg, sub)) return tl_kfail(ctx, n, "subgraph index %d out of range", sg);
  if (sub->n_in != n_vals || sub->n_out != n_out)
    return tl_kfail(ctx, n, "subgraph %d has %d inputs and %d outputs, the op needs %d and %d", sg, (int)sub->n_in,
                    (int)sub->n_out, n_vals, n_out);
  if (sub->in_progress) return tl_kfail(ctx, n, "subgraph %d calls itself", sg);
  for (int i = 0; i < n_vals; i++) {
    tl_tensor *t = &sub->tensors[sub->in[i]];
    if (!vals[i] || t->type != vals[i]->type)
      return tl_kfail(ctx, n, "value %d is %s, subgraph %d's input %d is %s", i, vals[i] ? tl_type_name(vals[i]->type) : "missing",
                      sg, i, tl_type_name(t->type));
    if (sub->prepared && !tl_same_shape(t, vals[i]))
      return tl_kunsupported(ctx, n, "subgraph %d is called with two different shapes", sg);
    t->ndim = vals[i]->ndim;
    memcpy(t->dims, vals[i]->dims, sizeof t->dims);
    t->bytes = vals[i]->bytes;
  }
  return ctx->svc->prepare_subgraph(ctx->host, sg);
}

static void copy_in(const tl_ksubgraph *sub, tl_tensor *const *vals, int n) {
  for (int i = 0; i < n; i++) {
    tl_tensor *t = &sub->tensors[sub->in[i]];
    if (t->data != vals[i]->data) memmove(t->data, vals[i]->data, vals[i]->bytes);
  }
}

/* Copies the callee's outputs into vals; an output shaped at run time must have the value's shape. */
static tl_status copy_out(tl_kctx *ctx, tl_node *n, const tl_ksubgraph *sub, tl_tensor *const *vals, int nv) {
  for (int i = 0; i < nv; i++) {
    const tl_tensor *t = &sub->tensors[sub->out[i]];
    if (t->mem == TL_MEM_DYNAMIC && !tl_same_shape(t, vals[i]))
      return tl_kruntime(ctx, n, "subgraph %d's output %d has shape %s at run time, not %s (values that change "
                         "shape are not supported)", sub->index, i, tl_shape_str(t).s, tl_shape_str(vals[i]).s);
    if (t->data != vals[i]->data) memmove(vals[i]->data, t->data, vals[i]->bytes);
  }
  return TL_OK;
}

/* Runs a callee; its run-time shaped tensors are released once its outputs are copied. */
static tl_status run_callee(tl_kctx *ctx, tl_node *n, const tl_ksubgraph *sub, tl_tensor *const *outs, int n_out) {
  const size_t mark = ctx->svc->dynamic_mark(ctx->host);
  tl_status st = ctx->svc->invoke_subgraph(ctx->host, sub->index);
  if (!st && outs) st = copy_out(ctx, n, sub, outs, n_out);
  ctx->svc->dynamic_release(ctx->host, mark);
  return st;
}

typedef struct {
  tl_ksubgraph cond, body, then_, else_;
} callees;

static tl_status while_eval(tl_kctx *ctx, tl_node *n) {
  const callees *c = n->state;
  for (int i = 0; i < n->n_out; i++)
    if (n->out[i]->data != n->in[i]->data) memmove(n->out[i]->data, n->in[i]->data, n->in[i]->bytes);
  for (;;) {
    copy_in(&c->cond, n->out, n->n_out);
    uint8_t go = 0;
    tl_tensor flag = {.type = TL_BOOL, .data = &go, .bytes = 1};
    tl_tensor *flagp = &flag;
    tl_status st = run_callee(ctx, n, &c->cond, &flagp, 1);
    if (st) return st;
    if (!go) return TL_OK;
    copy_in(&c->body, n->out, n->n_out);
    if ((st = run_callee(ctx, n, &c->body, n->out, n->n_out))) return st;
  }
}

tl_status tl_prep_while(tl_kctx *ctx, tl_node *n) {
  if (n->n_in != n->n_out || n->n_in < 1) return tl_kfail(ctx, n, "needs as many outputs as inputs (%d, %d)", (int)n->n_in, (int)n->n_out);
  for (int i = 0; i < n->n_in; i++)
    if (!n->in[i]) return tl_kfail(ctx, n, "input %d is missing", i);
  callees *c = tl_kpersist(ctx, sizeof *c);
  if (!c) return TL_ERR_NOMEM;
  const int32_t cond = tl_while_cond_subgraph_index(&n->m->options), body = tl_while_body_subgraph_index(&n->m->options);
  tl_status st = prepare_callee(ctx, n, cond, n->in, n->n_in, 1, &c->cond);
  if (!st) st = prepare_callee(ctx, n, body, n->in, n->n_in, n->n_in, &c->body);
  if (st) return st;
  const tl_tensor *flag = &c->cond.tensors[c->cond.out[0]];
  if (flag->type != TL_BOOL || tl_numel(flag) != 1)
    return tl_kfail(ctx, n, "the condition subgraph's output must be one BOOL, it is %s", tl_type_name(flag->type));
  for (int i = 0; i < n->n_in; i++) {
    const tl_tensor *o = &c->body.tensors[c->body.out[i]];
    if (o->type != n->in[i]->type || (o->mem != TL_MEM_DYNAMIC && !tl_same_shape(o, n->in[i])))
      return tl_kunsupported(ctx, n, "the body changes value %d's shape or type (run-time shapes are not supported yet)", i);
    if (n->out[i]->type != n->in[i]->type) return tl_kfail(ctx, n, "output %d's type differs from input %d's", i, i);
    if ((st = tl_kset_shape(ctx, n, n->out[i], n->in[i]->ndim, n->in[i]->dims))) return st;
  }
  n->state = c;
  n->eval = while_eval;
  return TL_OK;
}

static tl_status if_eval(tl_kctx *ctx, tl_node *n) {
  const callees *c = n->state;
  const tl_ksubgraph *sub = *(const uint8_t *)n->in[0]->data ? &c->then_ : &c->else_;
  copy_in(sub, n->in + 1, n->n_in - 1);
  return run_callee(ctx, n, sub, n->out, n->n_out);
}

tl_status tl_prep_if(tl_kctx *ctx, tl_node *n) {
  if (n->n_in < 1 || !n->in[0]) return tl_kfail(ctx, n, "needs a condition input");
  const tl_tensor *cond = n->in[0];
  if (cond->type != TL_BOOL || tl_numel(cond) != 1) return tl_kfail(ctx, n, "the condition must be one BOOL");
  for (int i = 1; i < n->n_in; i++)
    if (!n->in[i]) return tl_kfail(ctx, n, "input %d is missing", i);
  callees *c = tl_kpersist(ctx, sizeof *c);
  if (!c) return TL_ERR_NOMEM;
  const int32_t then_sg = tl_if_then_subgraph_index(&n->m->options), else_sg = tl_if_else_subgraph_index(&n->m->options);
  tl_status st = prepare_callee(ctx, n, then_sg, n->in + 1, n->n_in - 1, n->n_out, &c->then_);
  if (!st) st = prepare_callee(ctx, n, else_sg, n->in + 1, n->n_in - 1, n->n_out, &c->else_);
  if (st) return st;
  for (int i = 0; i < n->n_out; i++) {
    const tl_tensor *a = &c->then_.tensors[c->then_.out[i]], *b = &c->else_.tensors[c->else_.out[i]];
    if (a->type != n->out[i]->type || b->type != n->out[i]->type) return tl_kfail(ctx, n, "output %d's types differ", i);
    if (a->mem == TL_MEM_DYNAMIC || b->mem == TL_MEM_DYNAMIC) {
      /* a branch shapes it at run time: the value must come out with the other branch's static shape */
      if (a->mem == TL_MEM_DYNAMIC && b->mem == TL_MEM_DYNAMIC)
        return tl_kunsupported(ctx, n, "both branches shape output %d at run time", i);
      if (a->mem == TL_MEM_DYNAMIC) a = b;
    } else if (!tl_same_shape(a, b)) {
      return tl_kunsupported(ctx, n, "the branches give output %d different shapes", i);
    }
    if ((st = tl_kset_shape(ctx, n, n->out[i], a->ndim, a->dims))) return st;
  }
  n->state = c;
  n->eval = if_eval;
  return TL_OK;
}

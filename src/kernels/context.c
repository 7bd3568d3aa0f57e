/* SPDX-License-Identifier: Apache-2.0
 * The kernel helpers of kernel.h, on top of the services a runtime puts in the context: kernels call
 * these, never the interpreter, so the kernels link (and can be tested) without it. */
#include <stdio.h>
#include <string.h>

#include "kernel.h"
#include "ukernels.h"

static tl_status kmsg(tl_kctx *ctx, const tl_node *n, tl_status st, const char *fmt, va_list ap) {
  char msg[400], line[512];
  vsnprintf(msg, sizeof msg, fmt, ap);
  /* what tinylite lacks always names the subgraph too, so a reader can find the node */
  if (ctx->subgraph == 0 && st != TL_ERR_UNSUPPORTED)
    snprintf(line, sizeof line, "op %d (%s): %s", n ? n->index : -1, n ? tl_op_name(n->op) : "?", msg);
  else
    snprintf(line, sizeof line, "subgraph %d op %d (%s): %s", ctx->subgraph, n ? n->index : -1,
             n ? tl_op_name(n->op) : "?", msg);
  ctx->svc->set_error(ctx->host, line);
  return st;
}

#define KMSG(st)               \
  va_list ap;                  \
  va_start(ap, fmt);           \
  tl_status r = kmsg(ctx, n, st, fmt, ap); \
  va_end(ap);                  \
  return r

tl_status tl_kfail(tl_kctx *ctx, const tl_node *n, const char *fmt, ...) { KMSG(TL_ERR_MODEL); }
tl_status tl_kunsupported(tl_kctx *ctx, const tl_node *n, const char *fmt, ...) { KMSG(TL_ERR_UNSUPPORTED); }
tl_status tl_kruntime(tl_kctx *ctx, const tl_node *n, const char *fmt, ...) { KMSG(TL_ERR_RUNTIME); }

tl_status tl_kdefer(tl_kctx *ctx, const tl_node *n, const char *fmt, ...) {
  /* at invoke every input is known: a kernel that still cannot shape its outputs has a bug */
  if (!ctx->at_invoke) return TL_KDEFER;
  KMSG(TL_ERR_RUNTIME);
}

const struct tl_ukernels *tl_kukernels(const tl_kctx *ctx) { return ctx->uk ? ctx->uk : tl_ukernels_best(); }
int tl_kexact_float(const tl_kctx *ctx) { return ctx->exact_float; }
int tl_kthreads(const tl_kctx *ctx) { return ctx->threads > 1 ? ctx->threads : 1; }

void *tl_kpersist(tl_kctx *ctx, size_t bytes) {
  if (!ctx->preparing) return NULL;
  if (!ctx->at_invoke) return ctx->svc->persist(ctx->host, bytes);
  void *p = ctx->svc->dynamic(ctx->host, bytes);
  if (p) memset(p, 0, bytes);
  return p;
}

tl_status tl_kscratch(tl_kctx *ctx, tl_node *n, size_t bytes) {
  if (!ctx->preparing) return tl_kfail(ctx, n, "scratch requested outside prepare");
  n->scratch_size = bytes;
  return TL_OK;
}

tl_status tl_kset_shape(tl_kctx *ctx, tl_node *n, tl_tensor *t, int ndim, const int32_t *dims) {
  if (ndim < 0 || ndim > TL_MAX_DIMS) return tl_kfail(ctx, n, "output rank %d outside [0, %d]", ndim, TL_MAX_DIMS);
  uint64_t count = 1;
  for (int i = 0; i < ndim; i++) {
    if (dims[i] < 0) return tl_kfail(ctx, n, "output dimension %d is negative (%d)", i, dims[i]);
    count *= (uint64_t)dims[i];
    if (count > ((uint64_t)1 << 31)) return tl_kfail(ctx, n, "output tensor '%s' is absurdly large", t->name);
  }
  size_t es = tl_type_size(t->type);
  if (!es) return tl_kunsupported(ctx, n, "tensor '%s' has type %s, which has no fixed size", t->name,
                                  tl_type_name(t->type));
  if (t->known && t->mem == TL_MEM_CONST) return tl_kfail(ctx, n, "output tensor '%s' is a constant", t->name);
  t->ndim = ndim;
  for (int i = 0; i < ndim; i++) t->dims[i] = dims[i];
  t->bytes = (size_t)count * es;
  return TL_OK;
}

void tl_kparallel(tl_kctx *ctx, int64_t n, tl_task_fn fn, void *arg) {
  if (n <= 0) return;
  if (!ctx->svc->parallel || ctx->threads <= 1 || n == 1) fn(arg, 0, n, 0);
  else ctx->svc->parallel(ctx->host, n, fn, arg);
}

tl_status tl_kinvoke_subgraph(tl_kctx *ctx, tl_node *n, int sg) {
  tl_ksubgraph view;
  if (!ctx->svc->subgraph || !ctx->svc->subgraph(ctx->host, sg, &view)) return tl_kfail(ctx, n, "subgraph %d out of range", sg);
  if (ctx->preparing) {
    tl_status st = ctx->svc->prepare_subgraph(ctx->host, sg);
    if (st) return st;
  } else if (!view.prepared) {
    return tl_kfail(ctx, n, "subgraph %d was not prepared", sg);
  }
  return ctx->svc->invoke_subgraph(ctx->host, sg);
}

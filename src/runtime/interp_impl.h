/* SPDX-License-Identifier: Apache-2.0
 * Interpreter internals shared by the runtime's files (interpreter, planner, threads, resources). */
#ifndef TL_INTERP_IMPL_H
#define TL_INTERP_IMPL_H

#include "../kernels/kernel.h"

typedef struct tl_threadpool tl_threadpool;

typedef struct {
  int32_t index;
  const tl_msubgraph *g;
  int32_t n_tensors, n_nodes;
  tl_tensor *tensors;
  tl_node *nodes;
  tl_tensor **ptrs;       /* storage behind every node's in/out/interm arrays */
  size_t act_base;        /* this subgraph's region in the activation area */
  size_t act_size;
  uint8_t prepared;
  uint8_t in_progress;    /* guards recursion through control-flow ops */
} tl_isub;

typedef struct tl_persist_block {
  struct tl_persist_block *next;
} tl_persist_block;

struct tl_interp {
  const tl_model *m;
  tl_interp_options opt;
  int32_t n_subs;
  tl_isub *subs;
  tl_isub *main;           /* the subgraph invoke runs (opt.subgraph) */
  int32_t *input_dims;     /* overrides from tl_interp_resize_input: per input, [ndim, dims...], ndim -1 = none */
  uint8_t allocated;
  /* Memory: persistent data first (kernel state, folded values, variables), then activations. */
  uint8_t *arena;          /* caller's arena, or NULL */
  size_t arena_size;
  size_t persist_used;     /* bytes used in the caller's arena (or in malloc'ed blocks) */
  tl_persist_block *blocks;/* malloc'ed persistent blocks when no caller arena */
  uint8_t *act;            /* activation area */
  uint8_t *act_owned;
  size_t act_size;
  /* Dynamic region: deferred nodes' outputs, state and scratch, bump-allocated during invoke. */
  uint8_t *dyn;
  size_t dyn_size, dyn_top, dyn_peak;
  int32_t n_deferred;      /* deferred nodes over all prepared subgraphs */
  int32_t n_resources;
  tl_kresource *resources; /* grown during prepare only */
  tl_threadpool *pool;
  const struct tl_ukernels *uk; /* microkernels for this CPU (tl_ukernels_best at creation) */
  uint8_t exact_float;     /* the model has hybrid ops: float kernels sum in TFLite's order */
  char err[512];
};

void tl_interp_seterr(tl_interp *ip, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void *tl_interp_persist(tl_interp *ip, size_t bytes);
/* Plans the activation tensors and scratch of one prepared subgraph; sets sub->act_size and each
 * tensor's planned offset (stored temporarily in tensor->data as an offset). */
tl_status tl_plan_subgraph(tl_interp *ip, tl_isub *sub);
tl_status tl_prepare_subgraph(tl_interp *ip, tl_isub *sub);
tl_status tl_invoke_subgraph(tl_interp *ip, tl_isub *sub);

tl_status tl_rerun_call_once(tl_interp *ip);

/* The interpreter's services to kernels (kernel_host.c), and a context for one subgraph's nodes. */
extern const tl_khost tl_interp_host;
tl_kctx tl_interp_kctx(tl_interp *ip, const tl_isub *sub, int preparing, int at_invoke);

/* Dynamic-region memory (16-aligned, NULL when full; the error is set) and scoped release: a called
 * subgraph's run-time tensors die once its caller has copied its outputs out. */
void *tl_dyn_alloc(tl_interp *ip, size_t bytes);
static inline size_t tl_dyn_mark(const tl_interp *ip) { return ip->dyn_top; }
static inline void tl_dyn_release(tl_interp *ip, size_t mark) { ip->dyn_top = mark; }

tl_threadpool *tl_threadpool_new(int threads);
void tl_threadpool_free(tl_threadpool *p);
int tl_threadpool_size(const tl_threadpool *p);
void tl_threadpool_run(tl_threadpool *p, int64_t n, tl_task_fn fn, void *arg);

#endif

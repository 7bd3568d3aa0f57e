/* SPDX-License-Identifier: Apache-2.0
 * The interpreter: builds tensors and nodes from a verified model, prepares every op (shape and
 * type checks, constant folding), plans one arena, and runs the ops in order. All allocation happens
 * in tl_interp_new / tl_interp_allocate; tl_interp_invoke allocates nothing. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "../kernels/ukernels.h"
#include "interp_impl.h"

#define ALIGN16(x) (((x) + 15) & ~(size_t)15)

void tl_interp_seterr(tl_interp *ip, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ip->err, sizeof ip->err, fmt, ap);
  va_end(ap);
}

/* ---- persistent memory ---- */

void *tl_interp_persist(tl_interp *ip, size_t bytes) {
  bytes = ALIGN16(bytes ? bytes : 1);
  if (ip->arena) {
    if (bytes > ip->arena_size - ip->persist_used) return NULL;
    void *p = ip->arena + ip->persist_used;
    ip->persist_used += bytes;
    memset(p, 0, bytes);
    return p;
  }
  size_t head = ALIGN16(sizeof(tl_persist_block));
  if (bytes > SIZE_MAX - head) return NULL;
  tl_persist_block *b = calloc(1, head + bytes);
  if (!b) return NULL;
  b->next = ip->blocks;
  ip->blocks = b;
  ip->persist_used += bytes;
  return (uint8_t *)b + head;
}

static void release_memory(tl_interp *ip) {
  while (ip->blocks) {
    tl_persist_block *n = ip->blocks->next;
    free(ip->blocks);
    ip->blocks = n;
  }
  free(ip->act_owned);
  ip->act_owned = NULL;
  ip->act = NULL;
  ip->act_size = 0;
  ip->dyn = NULL;
  ip->dyn_size = ip->dyn_top = ip->dyn_peak = 0;
  ip->n_deferred = 0;
  ip->persist_used = 0;
  ip->allocated = 0;
}

/* A hybrid op: float activations in, int8/uint8 constant weights (DEQUANTIZE and QUANTIZE aside). */
static int has_hybrid_ops(const tl_model *m) {
  for (int s = 0; s < m->n_subgraphs; s++) {
    const tl_msubgraph *g = &m->subgraphs[s];
    for (int i = 0; i < g->n_ops; i++) {
      const tl_mop *op = &g->ops[i];
      if (op->builtin == TL_BUILTIN_DEQUANTIZE || op->builtin == TL_BUILTIN_QUANTIZE || op->n_in < 2 || op->in[0] < 0 ||
          g->tensors[op->in[0]].type != TL_FLOAT32)
        continue;
      for (int k = 1; k < op->n_in; k++) {
        const tl_mtensor *t = op->in[k] >= 0 ? &g->tensors[op->in[k]] : NULL;
        if (t && t->data && (t->type == TL_INT8 || t->type == TL_UINT8)) return 1;
      }
    }
  }
  return 0;
}

/* ---- building tensors and nodes ---- */

static void init_tensor(tl_interp *ip, tl_isub *sub, int i) {
  (void)ip;
  const tl_mtensor *mt = &sub->g->tensors[i];
  tl_tensor *t = &sub->tensors[i];
  memset(t, 0, sizeof *t);
  t->index = i;
  t->type = mt->type;
  t->ndim = mt->ndim;
  for (int d = 0; d < mt->ndim; d++) t->dims[d] = mt->dims[d];
  t->name = mt->name;
  t->m = mt;
  t->is_variable = mt->is_variable;
  if (mt->q.n) {
    t->qcount = mt->q.n;
    t->scales = mt->q.scales;
    t->zero_points = mt->q.zero_points;
    t->qaxis = mt->q.axis;
    t->scale = mt->q.scales[0];
    t->zero_point = (int32_t)mt->q.zero_points[0];
  }
  t->bytes = (size_t)tl_numel(t) * tl_type_size(t->type);
}

/* Gives constants their (aligned) data and variables their persistent, initialised storage. */
static tl_status place_static(tl_interp *ip, tl_isub *sub) {
  for (int i = 0; i < sub->n_tensors; i++) {
    tl_tensor *t = &sub->tensors[i];
    const tl_mtensor *mt = t->m;
    if (mt->data && !mt->is_variable) {
      size_t es = tl_type_size(t->type);
      const void *p = mt->data;
      if (es > 1 && ((uintptr_t)p % (es > 8 ? 8 : es)) != 0) {
        /* Kernels read typed pointers: a misaligned constant gets an aligned copy. */
        void *c = tl_interp_persist(ip, mt->data_size);
        if (!c) goto oom;
        memcpy(c, p, mt->data_size);
        p = c;
      }
      t->data = (void *)p;
      if (mt->has_sparsity) t->bytes = mt->data_size;
      t->mem = TL_MEM_CONST;
      t->known = 1;
    } else if (mt->is_variable) {
      t->data = tl_interp_persist(ip, t->bytes);
      if (!t->data) goto oom;
      t->mem = TL_MEM_PERSIST;
    }
  }
  return TL_OK;
oom:
  tl_interp_seterr(ip, "out of memory placing constants and variables (arena of %zu bytes)", ip->arena_size);
  return TL_ERR_NOMEM;
}

static void reset_variables(tl_isub *sub) {
  for (int i = 0; i < sub->n_tensors; i++) {
    tl_tensor *t = &sub->tensors[i];
    if (!t->is_variable || !t->data) continue;
    if (t->m->data && t->m->data_size == t->bytes) {
      memcpy(t->data, t->m->data, t->bytes);
    } else {
      /* TFLite resets int8 state to its zero point, everything else to 0. */
      int v = t->type == TL_INT8 ? t->zero_point : 0;
      memset(t->data, v, t->bytes);
    }
  }
}

static tl_status build_sub(tl_interp *ip, int s) {
  tl_isub *sub = &ip->subs[s];
  const tl_msubgraph *g = &ip->m->subgraphs[s];
  sub->index = s;
  sub->g = g;
  sub->n_tensors = g->n_tensors;
  sub->n_nodes = g->n_ops;
  sub->tensors = calloc((size_t)g->n_tensors + 1, sizeof *sub->tensors);
  sub->nodes = calloc((size_t)g->n_ops + 1, sizeof *sub->nodes);
  size_t nptr = 0;
  for (int i = 0; i < g->n_ops; i++) nptr += (size_t)g->ops[i].n_in + g->ops[i].n_out + g->ops[i].n_interm;
  sub->ptrs = calloc(nptr + 1, sizeof *sub->ptrs);
  if (!sub->tensors || !sub->nodes || !sub->ptrs) return TL_ERR_NOMEM;
  tl_tensor **p = sub->ptrs;
  for (int i = 0; i < g->n_ops; i++) {
    const tl_mop *op = &g->ops[i];
    tl_node *n = &sub->nodes[i];
    n->index = i;
    n->op = op->builtin;
    n->version = op->version;
    n->m = op;
    n->n_in = op->n_in;
    n->n_out = op->n_out;
    n->n_interm = op->n_interm;
    n->in = p, p += op->n_in;
    n->out = p, p += op->n_out;
    n->interm = p, p += op->n_interm;
    for (int k = 0; k < op->n_in; k++) n->in[k] = op->in[k] >= 0 ? &sub->tensors[op->in[k]] : NULL;
    for (int k = 0; k < op->n_out; k++) n->out[k] = &sub->tensors[op->out[k]];
    for (int k = 0; k < op->n_interm; k++) n->interm[k] = &sub->tensors[op->interm[k]];
  }
  return TL_OK;
}

tl_status tl_interp_new(const tl_model *m, const tl_interp_options *opts, tl_interp **out) {
  if (!out) return TL_ERR_ARG;
  *out = NULL;
  if (!m) return TL_ERR_ARG;
  tl_interp *ip = calloc(1, sizeof *ip);
  if (!ip) return TL_ERR_NOMEM;
  ip->m = m;
  ip->uk = tl_ukernels_best();
  /* TL_FLOAT_ORDER=tflite: TFLite's float summation order in every model (A/B checks, like TL_ISA) */
  const char *order = getenv("TL_FLOAT_ORDER");
  ip->exact_float = (uint8_t)(has_hybrid_ops(m) || (order && !strcmp(order, "tflite")));
  if (opts) ip->opt = *opts;
  if (ip->opt.arena) {
    /* Align the caller's arena start to 16 bytes. */
    uintptr_t a = (uintptr_t)ip->opt.arena, al = (a + 15) & ~(uintptr_t)15;
    if (ip->opt.arena_size < al - a) {
      free(ip);
      return TL_ERR_ARG;
    }
    ip->arena = (uint8_t *)al;
    ip->arena_size = ip->opt.arena_size - (al - a);
  }
  ip->n_subs = m->n_subgraphs;
  if (ip->opt.subgraph < 0 || ip->opt.subgraph >= ip->n_subs) {
    free(ip);
    return TL_ERR_ARG;
  }
  ip->subs = calloc((size_t)ip->n_subs, sizeof *ip->subs);
  const tl_msubgraph *g0 = &m->subgraphs[ip->opt.subgraph];
  ip->input_dims = malloc(((size_t)g0->n_in + 1) * (TL_MAX_DIMS + 1) * sizeof(int32_t));
  if (!ip->subs || !ip->input_dims) goto oom;
  for (int i = 0; i < g0->n_in; i++) ip->input_dims[i * (TL_MAX_DIMS + 1)] = -1;
  for (int s = 0; s < ip->n_subs; s++)
    if (build_sub(ip, s) != TL_OK) goto oom;
  ip->main = &ip->subs[ip->opt.subgraph];
  for (int s = 0; s < ip->n_subs; s++)
    for (int i = 0; i < ip->subs[s].n_tensors; i++) init_tensor(ip, &ip->subs[s], i);
  *out = ip;
  return TL_OK;
oom:
  tl_interp_free(ip);
  return TL_ERR_NOMEM;
}

void tl_interp_free(tl_interp *ip) {
  if (!ip) return;
  release_memory(ip);
  if (ip->pool) tl_threadpool_free(ip->pool);
  for (int s = 0; ip->subs && s < ip->n_subs; s++) {
    free(ip->subs[s].tensors);
    free(ip->subs[s].nodes);
    free(ip->subs[s].ptrs);
  }
  free(ip->subs);
  free(ip->resources);
  free(ip->input_dims);
  free(ip);
}

const char *tl_interp_errmsg(const tl_interp *ip) { return ip ? ip->err : "no interpreter"; }

tl_status tl_interp_resize_input(tl_interp *ip, int i, int ndim, const int32_t *dims) {
  if (!ip) return TL_ERR_ARG;
  const tl_msubgraph *g = ip->main->g;
  if (i < 0 || i >= g->n_in) {
    tl_interp_seterr(ip, "input %d out of range (%d inputs)", i, g->n_in);
    return TL_ERR_ARG;
  }
  if (ndim < 0 || ndim > TL_MAX_DIMS || (ndim && !dims)) {
    tl_interp_seterr(ip, "input %d: rank %d outside [0, %d]", i, ndim, TL_MAX_DIMS);
    return TL_ERR_ARG;
  }
  const tl_mtensor *mt = &g->tensors[g->in[i]];
  for (int d = 0; d < ndim; d++) {
    if (dims[d] < 1) {
      tl_interp_seterr(ip, "input %d: dimension %d must be positive (got %d)", i, d, dims[d]);
      return TL_ERR_ARG;
    }
    /* Only dims the file marks dynamic (-1 in shape_signature) may change, as in TFLite's
     * ResizeInputTensorStrict; without a signature any shape is accepted and checked by prepare. */
    if (mt->dims_sig && ndim == mt->ndim && mt->dims_sig[d] != -1 && mt->dims_sig[d] != dims[d]) {
      tl_interp_seterr(ip, "input %d: dimension %d is fixed at %d in the model", i, d, mt->dims_sig[d]);
      return TL_ERR_ARG;
    }
  }
  int32_t *slot = &ip->input_dims[i * (TL_MAX_DIMS + 1)];
  slot[0] = ndim;
  for (int d = 0; d < ndim; d++) slot[1 + d] = dims[d];
  ip->allocated = 0;
  return TL_OK;
}

/* Ops whose results depend on more than their inputs, or that act on state: never folded. */
static int has_side_effects(int op) {
  switch (op) {
    case TL_BUILTIN_VAR_HANDLE: case TL_BUILTIN_READ_VARIABLE: case TL_BUILTIN_ASSIGN_VARIABLE:
    case TL_BUILTIN_CALL_ONCE: case TL_BUILTIN_IF: case TL_BUILTIN_WHILE: case TL_BUILTIN_CALL:
    case TL_BUILTIN_CUSTOM: case TL_BUILTIN_RANDOM_STANDARD_NORMAL: case TL_BUILTIN_RANDOM_UNIFORM:
    case TL_BUILTIN_MULTINOMIAL:
      return 1;
    default: return 0;
  }
}

/* Runs a node at prepare time when all its inputs are known (constants, folded values), storing
 * its outputs in persistent memory: shape computations (SHAPE -> STRIDED_SLICE -> PACK) and weight
 * decompression (DEQUANTIZE of float16, DENSIFY) then cost nothing per invoke. */
static tl_status maybe_fold(tl_interp *ip, tl_kctx *ctx, tl_node *n) {
  if (has_side_effects(n->op) || n->n_out == 0) return TL_OK;
  int inputs = 0;
  if (n->op != TL_BUILTIN_SHAPE && n->op != TL_BUILTIN_RANK) { /* these read only the input's shape */
    for (int i = 0; i < n->n_in; i++) {
      if (!n->in[i]) continue;
      if (!n->in[i]->known) return TL_OK;
      inputs++;
    }
    if (!inputs) return TL_OK;
  }
  for (int i = 0; i < n->n_out; i++)
    if (n->out[i]->is_variable) return TL_OK;
  for (int i = 0; i < n->n_out; i++) {
    tl_tensor *t = n->out[i];
    t->data = tl_interp_persist(ip, t->bytes);
    if (!t->data) {
      tl_interp_seterr(ip, "out of memory folding op %d (%s)", n->index, tl_op_name(n->op));
      return TL_ERR_NOMEM;
    }
    t->mem = TL_MEM_PERSIST;
  }
  if (n->scratch_size) {
    n->scratch = tl_interp_persist(ip, n->scratch_size);
    if (!n->scratch) return TL_ERR_NOMEM;
  }
  tl_status st = n->eval(ctx, n);
  if (st) return st;
  for (int i = 0; i < n->n_out; i++) n->out[i]->known = 1;
  n->folded = 1;
  return TL_OK;
}

/* Ops that call subgraphs or hold state: their prepare cannot be repeated at every invoke. */
static int defer_refused(int op) {
  return op == TL_BUILTIN_CALL_ONCE || op == TL_BUILTIN_VAR_HANDLE || op == TL_BUILTIN_WHILE || op == TL_BUILTIN_IF ||
         op == TL_BUILTIN_CALL;
}

/* Marks a node whose output shapes wait for run-time values: its outputs go to the dynamic region. */
static tl_status defer(tl_interp *ip, tl_kctx *ctx, tl_node *n) {
  if (defer_refused(n->op))
    return tl_kunsupported(ctx, n, "an input's shape is known only at run time (a shape-changing value)");
  for (int i = 0; i < n->n_out; i++) {
    tl_tensor *t = n->out[i];
    if (t->is_variable || t->mem != TL_MEM_NONE)
      return tl_kfail(ctx, n, "output '%s' is a variable or constant, but its shape is known only at run time", t->name);
    t->mem = TL_MEM_DYNAMIC;
    t->data = NULL;
    t->bytes = 0;
  }
  n->eval = NULL;
  n->state = NULL;
  n->scratch_size = 0;
  n->deferred = 1;
  ip->n_deferred++;
  return TL_OK;
}

/* Prepares a deferred node with its inputs' values now known, places its outputs and runs it. */
static tl_status run_deferred(tl_interp *ip, tl_kctx *ctx, tl_node *n) {
  tl_kctx rc = *ctx;
  rc.preparing = rc.at_invoke = 1;
  for (int k = 0; k < n->n_in; k++)
    if (n->in[k] && !n->in[k]->known) n->in[k]->known = 2; /* 2: known for this invoke only */
  n->state = NULL;
  n->scratch_size = 0;
  n->eval = NULL;
  tl_status st = n->prepare(&rc, n);
  for (int k = 0; k < n->n_in; k++)
    if (n->in[k] && n->in[k]->known == 2) n->in[k]->known = 0;
  if (st == TL_ERR_MODEL) st = TL_ERR_RUNTIME; /* the values, not the file, are at fault */
  if (!st && !n->eval) st = tl_kfail(&rc, n, "internal error: prepare chose no eval function");
  for (int i = 0; i < n->n_out && !st; i++) {
    n->out[i]->data = tl_dyn_alloc(ip, n->out[i]->bytes);
    if (!n->out[i]->data) st = TL_ERR_NOMEM;
  }
  if (!st && n->scratch_size && !(n->scratch = tl_dyn_alloc(ip, n->scratch_size))) st = TL_ERR_NOMEM;
  if (!st) st = n->eval(ctx, n);
  return st;
}

tl_status tl_prepare_subgraph(tl_interp *ip, tl_isub *sub) {
  if (sub->prepared) return TL_OK;
  if (sub->in_progress) {
    tl_interp_seterr(ip, "subgraph %d is called recursively", sub->index);
    return TL_ERR_MODEL;
  }
  sub->in_progress = 1;
  tl_kctx ctx = tl_interp_kctx(ip, sub, 1, 0);
  tl_status st = place_static(ip, sub);
  for (int i = 0; i < sub->n_nodes && !st; i++) {
    tl_node *n = &sub->nodes[i];
    n->eval = NULL;
    n->state = NULL;
    n->scratch = NULL;
    n->scratch_size = 0;
    n->folded = 0;
    n->deferred = 0;
    tl_prepare_fn fn = tl_kernel_lookup(n->op);
    if (!fn && n->op == TL_BUILTIN_CUSTOM) fn = tl_custom_lookup(ip->m->opcodes[n->m->opcode].custom);
    n->prepare = fn;
    if (!fn) {
      /* one line with what a reader needs to find the op: code, version and dtypes */
      char types[160] = "";
      for (int k = 0, len = 0; k < n->n_in && len < (int)sizeof types - 16; k++)
        len += snprintf(types + len, sizeof types - (size_t)len, "%s%s", k ? ", " : "",
                        n->in[k] ? tl_type_name(n->in[k]->type) : "none");
      if (n->op == TL_BUILTIN_CUSTOM)
        st = tl_kunsupported(&ctx, n, "custom op '%s' (version %d; inputs %s) is not supported",
                             ip->m->opcodes[n->m->opcode].custom, n->version, types);
      else
        st = tl_kunsupported(&ctx, n, "not supported by tinylite (builtin code %d, version %d; inputs %s)", n->op,
                             n->version, types);
      break;
    }
    int dyn_in = 0;
    for (int k = 0; k < n->n_in; k++) dyn_in |= n->in[k] && n->in[k]->mem == TL_MEM_DYNAMIC;
    st = dyn_in ? TL_KDEFER : fn(&ctx, n);
    if (st == TL_KDEFER) {
      st = defer(ip, &ctx, n);
      continue;
    }
    if (!st && !n->eval) st = tl_kfail(&ctx, n, "internal error: prepare chose no eval function");
    if (!st) st = maybe_fold(ip, &ctx, n);
  }
  sub->in_progress = 0;
  if (!st) sub->prepared = 1;
  return st;
}

tl_status tl_interp_allocate(tl_interp *ip) {
  if (!ip) return TL_ERR_ARG;
  release_memory(ip);
  ip->err[0] = 0;
  for (int s = 0; s < ip->n_subs; s++) {
    tl_isub *sub = &ip->subs[s];
    sub->prepared = 0;
    sub->act_size = 0;
    for (int i = 0; i < sub->n_tensors; i++) init_tensor(ip, sub, i);
  }
  free(ip->resources);
  ip->resources = NULL;
  ip->n_resources = 0;
  tl_isub *main = ip->main;
  for (int i = 0; i < main->g->n_in; i++) {
    const int32_t *slot = &ip->input_dims[i * (TL_MAX_DIMS + 1)];
    if (slot[0] < 0) continue;
    tl_tensor *t = &main->tensors[main->g->in[i]];
    t->ndim = slot[0];
    for (int d = 0; d < slot[0]; d++) t->dims[d] = slot[1 + d];
    t->bytes = (size_t)tl_numel(t) * tl_type_size(t->type);
  }
  if (ip->opt.num_threads > 1 && !ip->pool) {
    ip->pool = tl_threadpool_new(ip->opt.num_threads);
    if (!ip->pool) {
      tl_interp_seterr(ip, "could not start %d threads", ip->opt.num_threads);
      return TL_ERR_NOMEM;
    }
  }
  tl_status st = tl_prepare_subgraph(ip, main);
  /* Plan every prepared subgraph into its own region of the activation area: a called subgraph
   * runs while its caller's tensors are live. */
  size_t total = 0;
  for (int s = 0; s < ip->n_subs && !st; s++) {
    tl_isub *sub = &ip->subs[s];
    if (!sub->prepared) continue;
    st = tl_plan_subgraph(ip, sub);
    sub->act_base = total;
    total += ALIGN16(sub->act_size);
  }
  if (st) {
    release_memory(ip);
    return st;
  }
  if (ip->arena) {
    size_t start = ALIGN16(ip->persist_used);
    if (start > ip->arena_size || total > ip->arena_size - start) {
      tl_interp_seterr(ip, "arena too small: %zu bytes needed (%zu persistent + %zu activations), %zu given",
                       start + total, ip->persist_used, total, ip->arena_size);
      release_memory(ip);
      return TL_ERR_NOMEM;
    }
    ip->act = ip->arena + start;
    memset(ip->act, 0, total);
    if (ip->n_deferred) ip->dyn = ip->act + total, ip->dyn_size = ip->arena_size - start - total;
  } else if (total || ip->n_deferred) {
    size_t dyn = 0;
    if (ip->n_deferred) {
      dyn = ip->opt.dynamic_size ? ALIGN16(ip->opt.dynamic_size) : ((size_t)1 << 20) + 2 * total;
      if (dyn < total) dyn = SIZE_MAX; /* overflow: refused below */
    }
    if (dyn > SIZE_MAX - total - 16 || !(ip->act_owned = aligned_alloc(16, ALIGN16(total + dyn)))) {
      tl_interp_seterr(ip, "out of memory: %zu bytes of activations and %zu of dynamic region", total, dyn);
      release_memory(ip);
      return TL_ERR_NOMEM;
    }
    memset(ip->act_owned, 0, ALIGN16(total));
    ip->act = ip->act_owned;
    ip->dyn = ip->act + total;
    ip->dyn_size = dyn;
  }
  ip->act_size = total;
  /* The planner left offsets in data/scratch; turn them into pointers. */
  for (int s = 0; s < ip->n_subs; s++) {
    tl_isub *sub = &ip->subs[s];
    if (!sub->prepared) continue;
    uint8_t *base = ip->act + sub->act_base;
    for (int i = 0; i < sub->n_tensors; i++) {
      tl_tensor *t = &sub->tensors[i];
      if (t->mem == TL_MEM_ARENA) t->data = base + (uintptr_t)t->data;
    }
    for (int i = 0; i < sub->n_nodes; i++) {
      tl_node *n = &sub->nodes[i];
      if (!n->folded && n->scratch_size) n->scratch = base + (uintptr_t)n->scratch;
    }
    reset_variables(sub);
  }
  ip->allocated = 1;
  return TL_OK;
}

tl_status tl_invoke_subgraph(tl_interp *ip, tl_isub *sub) {
  tl_kctx ctx = tl_interp_kctx(ip, sub, 0, 0);
  for (int i = 0; i < sub->n_nodes; i++) {
    tl_node *n = &sub->nodes[i];
    if (n->folded) continue;
    tl_status st = n->deferred ? run_deferred(ip, &ctx, n) : n->eval(&ctx, n);
    if (st) return st;
  }
  return TL_OK;
}

tl_status tl_interp_invoke(tl_interp *ip) {
  if (!ip) return TL_ERR_ARG;
  if (!ip->allocated) {
    tl_interp_seterr(ip, "tl_interp_invoke called before tl_interp_allocate");
    return TL_ERR_STATE;
  }
  ip->dyn_top = 0;
  return tl_invoke_subgraph(ip, ip->main);
}

tl_status tl_interp_reset_variables(tl_interp *ip) {
  if (!ip) return TL_ERR_ARG;
  if (!ip->allocated) {
    tl_interp_seterr(ip, "reset_variables called before tl_interp_allocate");
    return TL_ERR_STATE;
  }
  for (int s = 0; s < ip->n_subs; s++)
    if (ip->subs[s].prepared) reset_variables(&ip->subs[s]);
  tl_status st = tl_rerun_call_once(ip);
  if (st) return st;
  return TL_OK;
}

/* ---- accessors ---- */

int tl_interp_input_count(const tl_interp *ip) { return ip ? ip->main->g->n_in : 0; }
int tl_interp_output_count(const tl_interp *ip) { return ip ? ip->main->g->n_out : 0; }

tl_tensor *tl_interp_input(tl_interp *ip, int i) {
  if (!ip || i < 0 || i >= ip->main->g->n_in) return NULL;
  return &ip->main->tensors[ip->main->g->in[i]];
}

tl_tensor *tl_interp_output(tl_interp *ip, int i) {
  if (!ip || i < 0 || i >= ip->main->g->n_out) return NULL;
  return &ip->main->tensors[ip->main->g->out[i]];
}

static tl_tensor *by_name(tl_interp *ip, const char *name, int output) {
  if (!ip || !name) return NULL;
  const tl_msubgraph *g = ip->main->g;
  int n = output ? g->n_out : g->n_in;
  const int32_t *idx = output ? g->out : g->in;
  for (int i = 0; i < n; i++)
    if (!strcmp(g->tensors[idx[i]].name, name)) return &ip->main->tensors[idx[i]];
  for (int s = 0; s < ip->m->n_signatures; s++) {
    const tl_msignature *sig = &ip->m->signatures[s];
    if (sig->subgraph != ip->main->index) continue;
    int k = output ? sig->n_out : sig->n_in;
    const tl_mtensormap *e = output ? sig->out : sig->in;
    for (int i = 0; i < k; i++)
      if (!strcmp(e[i].name, name)) return &ip->main->tensors[e[i].tensor];
  }
  return NULL;
}

tl_tensor *tl_interp_input_by_name(tl_interp *ip, const char *name) { return by_name(ip, name, 0); }
tl_tensor *tl_interp_output_by_name(tl_interp *ip, const char *name) { return by_name(ip, name, 1); }
int tl_interp_tensor_count(const tl_interp *ip) { return ip ? ip->main->n_tensors : 0; }

tl_tensor *tl_interp_tensor(tl_interp *ip, int index) {
  if (!ip || index < 0 || index >= ip->main->n_tensors) return NULL;
  return &ip->main->tensors[index];
}

size_t tl_interp_arena_used(const tl_interp *ip) { return ip ? ALIGN16(ip->persist_used) + ip->act_size : 0; }
size_t tl_interp_arena_activations(const tl_interp *ip) { return ip ? ip->act_size : 0; }

int tl_tensor_type(const tl_tensor *t) { return t ? t->type : -1; }
int tl_tensor_ndim(const tl_tensor *t) { return t ? t->ndim : 0; }
int32_t tl_tensor_dim(const tl_tensor *t, int i) { return (t && i >= 0 && i < t->ndim) ? t->dims[i] : 0; }
size_t tl_tensor_bytes(const tl_tensor *t) { return t ? t->bytes : 0; }
size_t tl_tensor_count(const tl_tensor *t) { return t ? (size_t)tl_numel(t) : 0; }
void *tl_tensor_data(tl_tensor *t) { return t ? t->data : NULL; }
const char *tl_tensor_name(const tl_tensor *t) { return t ? t->name : ""; }
float tl_tensor_scale(const tl_tensor *t) { return t ? t->scale : 0.f; }
int32_t tl_tensor_zero_point(const tl_tensor *t) { return t ? t->zero_point : 0; }

int tl_tensor_quant(const tl_tensor *t, const float **scales, const int64_t **zero_points, int *axis) {
  if (!t) return 0;
  if (scales) *scales = t->scales;
  if (zero_points) *zero_points = t->zero_points;
  if (axis) *axis = t->qaxis;
  return t->qcount;
}

tl_status tl_tensor_copy_from(tl_tensor *t, const void *src, size_t n) {
  if (!t || (!src && n) || n != t->bytes || !t->data || t->mem == TL_MEM_CONST) return TL_ERR_ARG;
  memcpy(t->data, src, n);
  return TL_OK;
}

tl_status tl_tensor_copy_to(const tl_tensor *t, void *dst, size_t n) {
  if (!t || (!dst && n) || n != t->bytes || !t->data) return TL_ERR_ARG;
  memcpy(dst, t->data, n);
  return TL_OK;
}

/* SPDX-License-Identifier: Apache-2.0
 * Full-integer post-training quantization of subgraph 0 by TensorFlow Lite's int8 spec and converter:
 * calibrated asymmetric activations, symmetric per-channel weights, int32 biases, fixed and shared
 * output scales, QUANTIZE/DEQUANTIZE at float edges (and around ops kept float with allow_float). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/schema.h"
#include "qgraph.h"
#include "qmath.h"
#include "qpass.h"

enum { R_NONE = 0, R_WEIGHTS, R_OWN, R_SAME, R_FIXED };

typedef struct {
  int role;
  int weight, axis, bias, act; /* R_WEIGHTS: operands and the weights' channel axis */
  double fscale;               /* R_FIXED output parameters */
  int32_t fzp;
} opspec;

static int spec_of(const tl_qop *op, const tl_qoptions *o, opspec *sp) {
  memset(sp, 0, sizeof *sp);
  sp->weight = sp->bias = sp->act = -1;
  switch (op->builtin) {
    case TL_BUILTIN_CONV_2D: *sp = (opspec){R_WEIGHTS, 1, 0, 2, 0, 0, 0}; break;
    case TL_BUILTIN_DEPTHWISE_CONV_2D: *sp = (opspec){R_WEIGHTS, 1, 3, 2, 0, 0, 0}; break;
    case TL_BUILTIN_FULLY_CONNECTED: *sp = (opspec){R_WEIGHTS, 1, o->per_tensor_fc ? -1 : 0, 2, 0, 0, 0}; break;
    case TL_BUILTIN_TRANSPOSE_CONV: *sp = (opspec){R_WEIGHTS, 1, 0, 3, 2, 0, 0}; break;
    case TL_BUILTIN_ADD:
    case TL_BUILTIN_SUB:
    case TL_BUILTIN_MUL:
    case TL_BUILTIN_MEAN:
    case TL_BUILTIN_RELU:
    case TL_BUILTIN_RELU6:
    case TL_BUILTIN_RELU_N1_TO_1:
    case TL_BUILTIN_LEAKY_RELU: sp->role = R_OWN; break;
    case TL_BUILTIN_MAX_POOL_2D:
    case TL_BUILTIN_AVERAGE_POOL_2D:
    case TL_BUILTIN_RESHAPE:
    case TL_BUILTIN_SQUEEZE:
    case TL_BUILTIN_EXPAND_DIMS:
    case TL_BUILTIN_TRANSPOSE:
    case TL_BUILTIN_STRIDED_SLICE:
    case TL_BUILTIN_SLICE:
    case TL_BUILTIN_GATHER:
    case TL_BUILTIN_PACK:
    case TL_BUILTIN_UNPACK:
    case TL_BUILTIN_RESIZE_NEAREST_NEIGHBOR:
    case TL_BUILTIN_PAD:
    case TL_BUILTIN_PADV2:
    case TL_BUILTIN_CONCATENATION:
    case TL_BUILTIN_MAXIMUM:
    case TL_BUILTIN_MINIMUM: sp->role = R_SAME; break;
    case TL_BUILTIN_SOFTMAX:
    case TL_BUILTIN_LOGISTIC: sp->role = R_FIXED, sp->fscale = 1.0 / 256, sp->fzp = -128; break;
    case TL_BUILTIN_TANH: sp->role = R_FIXED, sp->fscale = 1.0 / 128, sp->fzp = 0; break;
    default: return 0;
  }
  if (o->per_tensor && sp->role == R_WEIGHTS) sp->axis = -1;
  return 1;
}

enum { KF = 0, KQ = 1, KU = 2 }; /* float32, int8, uint8 versions of a tensor */

typedef struct {
  int32_t v[3];        /* tensor index of each version, -1 = none */
  uint8_t need[3];     /* read by an op in that version */
  uint8_t need_out[3]; /* needed as a graph output */
  int8_t produced;     /* version written by the producer (or the graph input) */
  int8_t home;         /* version that keeps the original index */
  int32_t parent;      /* union-find over tensors sharing one scale */
  int8_t pinned;
  double pscale;
  int32_t pzp;
  double mn, mx;       /* range of the group (valid at roots when has_range) */
  uint8_t has_range;
} tinfo;

typedef struct {
  tl_qgraph *g;
  tl_qsub *s;
  const tl_qoptions *o;
  const tl_qranges *r;
  tl_qreport *rep;
  int32_t nt0, nops0;
  tinfo *ti;
  uint8_t *qop;        /* per original op: 1 quantized, 0 float, 2 untouched (no float tensors / SHAPE) */
  int32_t *prod;       /* producing op of each original tensor, -1 = none */
  char *err;
  size_t errlen;
} ctx;

static int is_const(const tl_qt *t) { return t->data != NULL && !t->is_variable; }
static int is_float_act(const tl_qt *t) { return t->type == TL_FLOAT32 && !is_const(t); }

static int has_stats(const ctx *c, int t) { return t < c->r->n_tensors && c->r->seen[t]; }

/* Why op (of subgraph 0) cannot be quantized, or NULL. */
static const char *why_not(const ctx *c, const tl_qop *op, const opspec *sp, char *buf, size_t n) {
  const tl_qsub *s = c->s;
  if (!sp->role) return "tinylite's int8 kernels do not cover it";
  for (int j = 0; j < op->n_in; j++) {
    int t = op->in[j];
    if (t < 0) continue;
    const tl_qt *x = &s->t[t];
    if (x->type != TL_FLOAT32) continue;
    if (x->is_variable) return "it reads a variable tensor";
    if (is_const(x)) {
      if ((size_t)tl_qg_numel(x) * 4 != x->size || (x->src && x->src->has_sparsity)) return "a constant input is sparse";
      continue;
    }
    if (sp->role == R_WEIGHTS && (j == sp->weight || j == sp->bias)) {
      snprintf(buf, n, "its %s (tensor %d) is not a constant", j == sp->weight ? "weights" : "bias", t);
      return buf;
    }
    if (!has_stats(c, t)) {
      snprintf(buf, n, "no calibration range for its input tensor %d '%s'", t, x->name);
      return buf;
    }
  }
  for (int j = 0; j < op->n_out; j++) {
    const tl_qt *x = &s->t[op->out[j]];
    if (x->type != TL_FLOAT32) return "it has a non-float output";
    if (!has_stats(c, op->out[j]) && sp->role != R_FIXED) {
      snprintf(buf, n, "no calibration range for its output tensor %d '%s'", op->out[j], x->name);
      return buf;
    }
  }
  if (sp->role == R_WEIGHTS) {
    if (sp->weight >= op->n_in || op->in[sp->weight] < 0 || sp->act >= op->n_in || op->in[sp->act] < 0)
      return "it has no weights";
    const tl_qt *w = &s->t[op->in[sp->weight]];
    if (w->type != TL_FLOAT32 || !is_const(w)) return "its weights are not float32 constants";
    if (!is_float_act(&s->t[op->in[sp->act]])) return "its input is not a float32 activation";
    if (sp->axis >= w->ndim) return "its weights have too few dimensions";
    if (op->builtin == TL_BUILTIN_FULLY_CONNECTED && (w->ndim != 2 || tl_q_opt_byte(op, TL_SCH_OPT_FULLY_CONNECTED_WEIGHTS_FORMAT, 0)))
      return "its weights are not a plain 2-D matrix";
    if (sp->bias < op->n_in && op->in[sp->bias] >= 0) {
      const tl_qt *b = &s->t[op->in[sp->bias]];
      int64_t nch = sp->axis >= 0 ? w->dims[sp->axis] : 0;
      if (b->type != TL_FLOAT32 || !is_const(b)) return "its bias is not a float32 constant";
      if (nch && tl_qg_numel(b) != nch) return "its bias does not have one value per output channel";
    }
  }
  return NULL;
}

/* 1 when op reads or writes a float32 tensor (what the int8 path is about). */
static int touches_float(const tl_qsub *s, const tl_qop *op) {
  for (int j = 0; j < op->n_in; j++)
    if (op->in[j] >= 0 && s->t[op->in[j]].type == TL_FLOAT32) return 1;
  for (int j = 0; j < op->n_out; j++)
    if (op->out[j] >= 0 && s->t[op->out[j]].type == TL_FLOAT32) return 1;
  return 0;
}

static int only_nonfloat_inputs(const tl_qsub *s, const tl_qop *op) {
  for (int j = 0; j < op->n_in; j++)
    if (op->in[j] >= 0 && s->t[op->in[j]].type == TL_FLOAT32) return 0;
  return 1;
}

static int find(tinfo *ti, int t) {
  while (ti[t].parent != t) t = ti[t].parent = ti[ti[t].parent].parent;
  return t;
}

/* Joins the scale groups of a and b; 0 when their fixed parameters disagree (nothing joined). */
static int unite(tinfo *ti, int a, int b) {
  a = find(ti, a), b = find(ti, b);
  if (a == b) return 1;
  if (ti[a].pinned && ti[b].pinned && (ti[a].pscale != ti[b].pscale || ti[a].pzp != ti[b].pzp)) return 0;
  if (ti[b].pinned && !ti[a].pinned) ti[a].pinned = 1, ti[a].pscale = ti[b].pscale, ti[a].pzp = ti[b].pzp;
  if (ti[b].has_range) {
    if (!ti[a].has_range) ti[a].mn = ti[b].mn, ti[a].mx = ti[b].mx, ti[a].has_range = 1;
    if (ti[b].mn < ti[a].mn) ti[a].mn = ti[b].mn;
    if (ti[b].mx > ti[a].mx) ti[a].mx = ti[b].mx;
  }
  ti[b].parent = a;
  return 1;
}

static void add_range(tinfo *ti, int t, double mn, double mx) {
  t = find(ti, t);
  if (!ti[t].has_range) ti[t].mn = mn, ti[t].mx = mx, ti[t].has_range = 1;
  if (mn < ti[t].mn) ti[t].mn = mn;
  if (mx > ti[t].mx) ti[t].mx = mx;
}

static void group_params(tinfo *ti, int t, double *scale, int32_t *zp) {
  t = find(ti, t);
  if (ti[t].pinned) {
    *scale = ti[t].pscale, *zp = ti[t].pzp;
  } else {
    tl_q_activation_params(ti[t].has_range ? ti[t].mn : 0, ti[t].has_range ? ti[t].mx : 0, scale, zp);
  }
}

/* Constant caches: a float constant may feed several ops that need it quantized differently. */
typedef struct {
  int32_t src, kind, aux; /* kind 0 weights (aux = axis), 1 bias (aux = weights tensor), 2 own, 3 group */
  double key;             /* bias: input scale; group: scale */
  int32_t zkey;
  int32_t q;
} ccache;

typedef struct {
  ccache *v;
  int n, cap;
} ccaches;

static ccache *cache_find(ccaches *cc, int src, int kind, int aux, double key, int32_t zkey) {
  for (int i = 0; i < cc->n; i++) {
    ccache *e = &cc->v[i];
    if (e->src == src && e->kind == kind && e->aux == aux && e->key == key && e->zkey == zkey) return e;
  }
  if (cc->n == cc->cap) {
    int nc = cc->cap ? cc->cap * 2 : 16;
    ccache *nv = realloc(cc->v, (size_t)nc * sizeof *nv);
    if (!nv) return NULL;
    cc->v = nv, cc->cap = nc;
  }
  ccache *e = &cc->v[cc->n++];
  *e = (ccache){src, kind, aux, key, zkey, -1};
  return e;
}

/* Quantized copy of weights tensor src along axis (symmetric int8). */
static int quant_weights(ctx *c, ccaches *cc, int src, int axis) {
  ccache *e = cache_find(cc, src, 0, axis, 0, 0);
  if (!e) return -1;
  if (e->q >= 0) return e->q;
  tl_qsub *s = c->s;
  int q = tl_qg_add_like(s, src, NULL, TL_INT8);
  if (q < 0) return -1;
  const tl_qt *w = &s->t[src];
  int64_t n = tl_qg_numel(w);
  int nch = axis >= 0 ? w->dims[axis] : 1;
  int8_t *qv = malloc((size_t)n + 1);
  double *sc = malloc(((size_t)nch + 1) * sizeof *sc);
  if (!qv || !sc || (tl_q_weights_symmetric((const float *)w->data, w->ndim, w->dims, axis, sc, qv), 0) ||
      tl_qg_set_quant(&s->t[q], nch, sc, NULL, axis)) {
    free(qv), free(sc);
    return -1;
  }
  free(sc);
  tl_qg_set_data(&s->t[q], (uint8_t *)qv, (size_t)n);
  if (c->rep) c->rep->weights_quantized++;
  return e->q = q;
}

/* int32 bias for weights wq (quantized) and input scale in_scale: scale in_scale * w_scale[c]. */
static int quant_bias(ctx *c, ccaches *cc, int src, int wq, double in_scale) {
  ccache *e = cache_find(cc, src, 1, wq, in_scale, 0);
  if (!e) return -1;
  if (e->q >= 0) return e->q;
  tl_qsub *s = c->s;
  int q = tl_qg_add_like(s, src, NULL, TL_INT32);
  if (q < 0) return -1;
  const tl_qt *w = &s->t[wq], *b = &s->t[src];
  int64_t n = tl_qg_numel(b);
  int nsc = w->qn > 1 ? w->qn : 1;
  int32_t *qv = malloc((size_t)n * 4 + 4);
  double *sc = malloc(((size_t)nsc + 1) * sizeof *sc);
  if (!qv || !sc) {
    free(qv), free(sc);
    return -1;
  }
  /* GetUniformQuantizedTypeForBias: the product in double, rounded to float32 (legacy_float_scale). */
  for (int i = 0; i < nsc; i++) sc[i] = (double)(float)(in_scale * (double)w->scales[i]);
  tl_q_bias((const float *)b->data, n, sc, nsc == (int)n ? nsc : 1, qv);
  int bad = tl_qg_set_quant(&s->t[q], nsc, sc, NULL, 0);
  free(sc);
  if (bad) {
    free(qv);
    return -1;
  }
  tl_qg_set_data(&s->t[q], (uint8_t *)qv, (size_t)n * 4);
  if (c->rep) c->rep->weights_quantized++;
  return e->q = q;
}

/* Asymmetric int8 copy of a non-weight constant: own range (kind 2) or given parameters (kind 3). */
static int quant_const(ctx *c, ccaches *cc, int src, int own, double scale, int32_t zp) {
  ccache *e = cache_find(cc, src, own ? 2 : 3, 0, own ? 0 : scale, own ? 0 : zp);
  if (!e) return -1;
  if (e->q >= 0) return e->q;
  tl_qsub *s = c->s;
  int q = tl_qg_add_like(s, src, NULL, TL_INT8);
  if (q < 0) return -1;
  const tl_qt *t = &s->t[src];
  int64_t n = tl_qg_numel(t);
  int8_t *qv = malloc((size_t)n + 1);
  if (!qv) return -1;
  const float *f = (const float *)t->data;
  if (own) tl_q_asym_params(f, n, &scale, &zp);
  for (int64_t i = 0; i < n; i++) qv[i] = (int8_t)tl_q_quantize_value(f[i], scale, zp, -128, 127);
  if (tl_qg_set_quant1(&s->t[q], scale, zp)) {
    free(qv);
    return -1;
  }
  tl_qg_set_data(&s->t[q], (uint8_t *)qv, (size_t)n);
  if (c->rep) c->rep->weights_quantized++;
  return e->q = q;
}

static const char *suffix[3] = {"_float", "_int8", "_uint8"};
static const int vtype[3] = {TL_FLOAT32, TL_INT8, TL_UINT8};

/* Version k of original tensor t (created on first use). */
static int version(ctx *c, int t, int k) {
  tinfo *x = &c->ti[t];
  if (x->v[k] >= 0) return x->v[k];
  int i = tl_qg_add_like(c->s, t, suffix[k], vtype[k]);
  if (i < 0) return -1;
  return x->v[k] = i;
}

/* Appends the op converting version `from` of t into version `to`. */
static int convert(ctx *c, int t, int from, int to) {
  int a = version(c, t, from), b = version(c, t, to);
  if (a < 0 || b < 0) return -1;
  int code = to == KF ? TL_BUILTIN_DEQUANTIZE : TL_BUILTIN_QUANTIZE;
  int32_t in = a, out = b;
  if (tl_qg_push_op(&c->s->ops, &c->s->nops, &c->s->cops, code, 1, &in, 1, &out, 1) < 0) return -1;
  if (c->rep) c->rep->ops_inserted++;
  return 0;
}

/* Conversions of t right after it is produced: to every version an op reads (early = 1), or to the
 * versions only graph outputs need (early = 0, at the end of the graph, where TF puts them). */
static int emit_conversions(ctx *c, int t, int early) {
  tinfo *x = &c->ti[t];
  for (int k = 0; k < 3; k++) {
    if (k == x->produced) continue;
    int want = early ? x->need[k] : (x->need_out[k] && !x->need[k]);
    if (want && convert(c, t, x->produced, k)) return -1;
  }
  return 0;
}

static tl_status fail(ctx *c, tl_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static tl_status fail(ctx *c, tl_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->err, c->errlen, fmt, ap);
  va_end(ap);
  return st;
}

/* Activations: asymmetric int8 from the calibrated ranges. Weights: symmetric in [-127, 127] per
 * channel. Biases: int32 with scale input_scale * weight_scale[c]. SOFTMAX/LOGISTIC output (1/256,
 * -128), TANH (1/128, 0). Ops that move data without rescaling (pooling, reshapes, concatenation...)
 * use one scale for their inputs and output. Float inputs and outputs get QUANTIZE/DEQUANTIZE ops
 * (or become int8/uint8 with io_type); with allow_float the ops the int8 path cannot run stay float
 * between DEQUANTIZE and QUANTIZE. */
tl_status tl_q_pass_int8(tl_qgraph *g, const tl_qoptions *o, const tl_qranges *r, tl_qreport *rep, char *err,
                         size_t errlen) {
  ctx C, *c = &C;
  memset(c, 0, sizeof *c);
  c->g = g, c->s = &g->subs[0], c->o = o, c->r = r, c->rep = rep, c->err = err, c->errlen = errlen;
  tl_qsub *s = c->s;
  c->nt0 = s->nt;
  c->nops0 = s->nops;
  int io = o->io_type == TL_INT8 ? KQ : o->io_type == TL_UINT8 ? KU : KF;
  tl_status st = TL_OK;
  ccaches cc = {NULL, 0, 0};
  tl_qop *old = NULL;
  int32_t nold = 0;
  uint8_t *requant = NULL; /* per (op, input) of same-scale ops: input needs its own requantization */
  uint8_t *isf = NULL;     /* original tensor is a float32 activation (the tensors this pass rewrites) */
  int32_t *rq_off = NULL;
  c->ti = calloc((size_t)c->nt0 + 1, sizeof *c->ti);
  c->qop = calloc((size_t)c->nops0 + 1, 1);
  c->prod = malloc(((size_t)c->nt0 + 1) * sizeof *c->prod);
  rq_off = calloc((size_t)c->nops0 + 2, sizeof *rq_off);
  isf = calloc((size_t)c->nt0 + 1, 1);
  if (!c->ti || !c->qop || !c->prod || !rq_off || !isf) goto oom;
  for (int t = 0; t < c->nt0; t++) isf[t] = (uint8_t)is_float_act(&s->t[t]);
  if (r->n_tensors < c->nt0) {
    st = fail(c, TL_ERR_ARG, "calibration ranges cover %d tensors, the model has %d", r->n_tensors, (int)c->nt0);
    goto done;
  }
  if (r->samples <= 0) {
    st = fail(c, TL_ERR_ARG, "the calibration set is empty: int8 quantization needs at least one sample");
    goto done;
  }
  /* Ops of other subgraphs (control flow bodies, variable initializers) are not calibrated. */
  for (int si = 1; si < g->nsub; si++)
    for (int k = 0; k < g->subs[si].nops; k++)
      if (touches_float(&g->subs[si], &g->subs[si].ops[k]) && !o->allow_float) {
        st = fail(c, TL_ERR_UNSUPPORTED, "subgraph %d op %d (%s) cannot be quantized to int8: only subgraph 0 is calibrated",
                  si, k, tl_op_name(g->subs[si].ops[k].builtin));
        goto done;
      }
  for (int t = 0; t < c->nt0; t++) {
    c->prod[t] = -1;
    tinfo *x = &c->ti[t];
    x->v[0] = x->v[1] = x->v[2] = -1;
    x->parent = t;
  }
  /* 1. Which ops run on integers. */
  for (int k = 0; k < c->nops0; k++) {
    const tl_qop *op = &s->ops[k];
    for (int j = 0; j < op->n_out; j++)
      if (op->out[j] >= 0) c->prod[op->out[j]] = k;
    if (!touches_float(s, op) || op->builtin == TL_BUILTIN_SHAPE) {
      c->qop[k] = 2; /* integer bookkeeping (shapes), or reads only a shape */
      continue;
    }
    opspec sp;
    spec_of(op, o, &sp);
    char buf[256];
    const char *why = why_not(c, op, &sp, buf, sizeof buf);
    if (!why) {
      c->qop[k] = 1;
      if (rep) rep->ops_quantized++;
      continue;
    }
    /* A CAST from integer input data (e.g. raw uint8 pixels) only feeds the graph: kept as it is. */
    int edge = op->builtin == TL_BUILTIN_CAST && only_nonfloat_inputs(s, op);
    if (!o->allow_float && !edge) {
      st = fail(c, TL_ERR_UNSUPPORTED, "op %d (%s) cannot be quantized to int8: %s", k, tl_op_name(op->builtin), why);
      goto done;
    }
    if (!edge) {
      if (rep) rep->ops_float++;
      tl_q_note(rep, "op %d %s stays float: %s", k, tl_op_name(op->builtin), why);
    }
  }
  /* With float ops kept, an op that only moves or rescales data between float ops (a TRANSPOSE of a
   * variable's value, a SOFTMAX after a float FULLY_CONNECTED) would just gain QUANTIZE/DEQUANTIZE
   * and lose precision: such islands stay float too. Ops with weights always run on integers. */
  for (int changed = o->allow_float; changed;) {
    changed = 0;
    for (int k = 0; k < c->nops0; k++) {
      if (c->qop[k] != 1) continue;
      const tl_qop *op = &s->ops[k];
      opspec sp;
      spec_of(op, o, &sp);
      if (sp.role == R_WEIGHTS) continue;
      int island = 1;
      for (int j = 0; j < op->n_in && island; j++) {
        int t = op->in[j];
        if (t < 0 || !isf[t]) continue;
        if (c->prod[t] >= 0 ? c->qop[c->prod[t]] == 1 : (tl_qg_is_input(s, t) && io != KF)) island = 0;
      }
      for (int j = 0; j < op->n_out && island; j++) {
        int t = op->out[j];
        if (tl_qg_is_output(s, t) && io != KF) island = 0;
        for (int k2 = k + 1; k2 < c->nops0 && island; k2++)
          for (int j2 = 0; j2 < s->ops[k2].n_in; j2++)
            if (s->ops[k2].in[j2] == t && c->qop[k2] == 1) island = 0;
      }
      if (island) {
        c->qop[k] = 0, changed = 1;
        if (rep) rep->ops_quantized--, rep->ops_float++;
        tl_q_note(rep, "op %d %s stays float: its neighbours are float", k, tl_op_name(op->builtin));
      }
    }
  }
  /* 2. Versions each float32 activation needs, and which one keeps its index. */
  for (int t = 0; t < c->nt0; t++) {
    tinfo *x = &c->ti[t];
    if (!isf[t]) continue;
    int is_in = tl_qg_is_input(s, t), is_out = tl_qg_is_output(s, t);
    if (is_in) x->produced = (int8_t)io;
    else if (c->prod[t] >= 0 && c->qop[c->prod[t]] == 1) x->produced = KQ;
    else x->produced = KF;
    for (int k = 0; k < c->nops0; k++) {
      const tl_qop *op = &s->ops[k];
      for (int j = 0; j < op->n_in; j++)
        if (op->in[j] == t) {
          if (c->qop[k] == 1) x->need[KQ] = 1;
          else if (c->qop[k] == 0) x->need[KF] = 1;
        }
    }
    if (is_out) x->need_out[io] = 1;
    x->home = (int8_t)(is_in || is_out ? io : x->produced);
    x->v[x->home] = t;
    if ((x->need[KQ] || x->need_out[KQ] || x->produced == KQ || x->need[KU] || x->need_out[KU] || x->produced == KU) &&
        has_stats(c, t))
      add_range(c->ti, t, r->min[t], r->max[t]);
  }
  /* 3. Scale groups: fixed outputs pin theirs; same-scale ops join their inputs and outputs. */
  for (int k = 0; k < c->nops0; k++) {
    if (c->qop[k] != 1) continue;
    const tl_qop *op = &s->ops[k];
    opspec sp;
    spec_of(op, o, &sp);
    if (sp.role == R_FIXED) {
      tinfo *x = &c->ti[find(c->ti, op->out[0])];
      x->pinned = 1, x->pscale = sp.fscale, x->pzp = sp.fzp;
    }
  }
  for (int k = 0; k <= c->nops0; k++) rq_off[k + 1] = rq_off[k] + (k < c->nops0 ? s->ops[k].n_in : 0);
  requant = calloc((size_t)rq_off[c->nops0] + 1, 1);
  if (!requant) goto oom;
  for (int k = 0; k < c->nops0; k++) {
    if (c->qop[k] != 1) continue;
    const tl_qop *op = &s->ops[k];
    opspec sp;
    spec_of(op, o, &sp);
    if (sp.role != R_SAME) continue;
    int o0 = op->out[0];
    for (int j = 1; j < op->n_out; j++) unite(c->ti, o0, op->out[j]);
    for (int j = 0; j < op->n_in; j++) {
      int t = op->in[j];
      if (t < 0 || s->t[t].type != TL_FLOAT32) continue;
      if (is_const(&s->t[t])) {
        double mn = 0, mx = 0;
        const float *f = (const float *)s->t[t].data;
        for (int64_t i = 0; i < tl_qg_numel(&s->t[t]); i++) mn = f[i] < mn ? f[i] : mn, mx = f[i] > mx ? f[i] : mx;
        add_range(c->ti, o0, mn, mx);
      } else if (!unite(c->ti, o0, t)) {
        requant[rq_off[k] + j] = 1;
      }
    }
  }
  /* 4. Parameters of every int8/uint8 version; the original index takes its home version's type. */
  for (int t = 0; t < c->nt0; t++) {
    tinfo *x = &c->ti[t];
    if (!isf[t]) continue;
    double sc;
    int32_t zp;
    group_params(c->ti, t, &sc, &zp);
    if (x->need[KQ] || x->need_out[KQ] || x->produced == KQ) {
      int v = version(c, t, KQ);
      if (v < 0 || tl_qg_set_quant1(&s->t[v], sc, zp)) goto oom;
    }
    if (x->need[KU] || x->need_out[KU] || x->produced == KU) {
      int v = version(c, t, KU);
      if (v < 0 || tl_qg_set_quant1(&s->t[v], sc, zp + 128)) goto oom;
    }
    if ((x->need[KF] || x->need_out[KF] || x->produced == KF) && version(c, t, KF) < 0) goto oom;
    s->t[t].type = vtype[(int)x->home];
  }
  /* 5. The new op list: conversions of graph inputs (and other unproduced tensors) first, then each
   * op followed by the conversions of what it produced, then those only graph outputs need. */
  old = s->ops;
  nold = s->nops;
  s->ops = NULL;
  s->nops = s->cops = 0;
  for (int t = 0; t < c->nt0; t++)
    if (isf[t] && c->prod[t] < 0 && emit_conversions(c, t, 1)) goto oom;
  for (int k = 0; k < nold; k++) {
    tl_qop *op = &old[k];
    int32_t nout = op->n_out, outs[256];
    for (int j = 0; j < nout && j < 256; j++) outs[j] = op->out[j];
    if (c->qop[k] == 1) {
      opspec sp;
      spec_of(op, o, &sp);
      int wq = -1;
      if (sp.role == R_WEIGHTS) {
        wq = quant_weights(c, &cc, op->in[sp.weight], sp.axis);
        if (wq < 0) goto oom;
      }
      double osc = 0;
      int32_t ozp = 0;
      group_params(c->ti, op->out[0], &osc, &ozp);
      int act = sp.role == R_WEIGHTS ? op->in[sp.act] : -1; /* before the inputs are rewritten */
      for (int j = 0; j < op->n_in; j++) {
        int t = op->in[j];
        if (t < 0 || t >= c->nt0) continue;
        if (!isf[t]) {
          if (s->t[t].type != TL_FLOAT32) continue; /* int32 shapes, axes, indices */
          int q; /* a float constant */
          if (sp.role == R_WEIGHTS && j == sp.weight) q = wq;
          else if (sp.role == R_WEIGHTS && j == sp.bias) {
            double isc;
            int32_t izp;
            group_params(c->ti, act, &isc, &izp);
            q = quant_bias(c, &cc, t, wq, isc);
          } else if (sp.role == R_SAME) q = quant_const(c, &cc, t, 0, osc, ozp);
          else q = quant_const(c, &cc, t, 1, 0, 0);
          if (q < 0) goto oom;
          op->in[j] = q;
          continue;
        }
        int v = c->ti[t].v[KQ];
        if (requant[rq_off[k] + j]) { /* fixed parameters elsewhere disagree: requantize into this group */
          int rq = tl_qg_add_like(s, t, "_requantized", TL_INT8);
          if (rq < 0 || tl_qg_set_quant1(&s->t[rq], osc, ozp)) goto oom;
          int32_t a = v, b = rq;
          if (tl_qg_push_op(&s->ops, &s->nops, &s->cops, TL_BUILTIN_QUANTIZE, 1, &a, 1, &b, 1) < 0) goto oom;
          if (rep) rep->ops_inserted++;
          v = rq;
        }
        op->in[j] = v;
      }
      for (int j = 0; j < op->n_out; j++)
        if (op->out[j] >= 0 && op->out[j] < c->nt0 && isf[op->out[j]]) op->out[j] = c->ti[op->out[j]].v[KQ];
    } else if (c->qop[k] == 0) {
      for (int j = 0; j < op->n_in; j++)
        if (op->in[j] >= 0 && op->in[j] < c->nt0 && isf[op->in[j]]) op->in[j] = c->ti[op->in[j]].v[KF];
      for (int j = 0; j < op->n_out; j++)
        if (op->out[j] >= 0 && op->out[j] < c->nt0 && isf[op->out[j]]) op->out[j] = c->ti[op->out[j]].v[KF];
    }
    if (tl_qg_move_op(&s->ops, &s->nops, &s->cops, op) < 0) goto oom;
    for (int j = 0; j < nout && j < 256; j++)
      if (outs[j] >= 0 && outs[j] < c->nt0 && isf[outs[j]] && emit_conversions(c, outs[j], 1)) goto oom;
  }
  for (int i = 0; i < s->n_out; i++) {
    int t = s->out[i];
    if (t >= 0 && t < c->nt0 && isf[t] && emit_conversions(c, t, 0)) goto oom;
  }
  goto done;
oom:
  st = fail(c, TL_ERR_NOMEM, "out of memory quantizing the model");
done:
  for (int k = 0; old && k < nold; k++) free(old[k].in), free(old[k].out), free(old[k].interm);
  free(old);
  free(isf);
  free(cc.v);
  free(requant);
  free(rq_off);
  free(c->ti);
  free(c->qop);
  free(c->prod);
  return st;
}

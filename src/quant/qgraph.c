/* SPDX-License-Identifier: Apache-2.0
 * The converter's editable model: built from a verified tl_model, rewritten by the passes, written
 * back through the .tflite writer. Also TFLite's op-version and minimum-runtime-version rules for
 * the ops and types the converter produces (tensorflow/lite/tools/versioning). */
#define _POSIX_C_SOURCE 200809L

#include "qgraph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/schema.h"
#include "format/flatbuf.h"
#include "qpass.h"

static char *dup_name(const char *a, const char *b) {
  size_t la = a ? strlen(a) : 0, lb = b ? strlen(b) : 0;
  char *s = malloc(la + lb + 1);
  if (!s) return NULL;
  if (la) memcpy(s, a, la);
  if (lb) memcpy(s + la, b, lb);
  s[la + lb] = 0;
  return s;
}

static int32_t *dup_ints(const int32_t *v, int n) {
  int32_t *d = malloc(((size_t)n + 1) * sizeof *d);
  if (d && n) memcpy(d, v, (size_t)n * sizeof *d);
  return d;
}

static int grow(void **p, int32_t *cap, int32_t need, size_t elem) {
  if (need <= *cap) return 0;
  int32_t nc = *cap ? *cap * 2 : 16;
  while (nc < need) nc *= 2;
  void *q = realloc(*p, (size_t)nc * elem);
  if (!q) return -1;
  memset((uint8_t *)q + (size_t)*cap * elem, 0, (size_t)(nc - *cap) * elem);
  *p = q;
  *cap = nc;
  return 0;
}

int64_t tl_qg_numel(const tl_qt *t) {
  int64_t n = 1;
  for (int d = 0; d < t->ndim; d++) n *= t->dims[d];
  return n;
}

int tl_qg_add_tensor(tl_qsub *s, const char *name, int type, int ndim, const int32_t *dims) {
  if (grow((void **)&s->t, &s->ct, s->nt + 1, sizeof *s->t)) return -1;
  tl_qt *t = &s->t[s->nt];
  memset(t, 0, sizeof *t);
  t->name = dup_name(name, NULL);
  if (!t->name) return -1;
  t->type = type;
  t->ndim = ndim;
  for (int d = 0; d < ndim && d < TL_MAX_DIMS; d++) t->dims[d] = dims[d];
  return s->nt++;
}

int tl_qg_add_like(tl_qsub *s, int like, const char *suffix, int type) {
  char *nm = dup_name(s->t[like].name, suffix);
  if (!nm) return -1;
  int32_t dims[TL_MAX_DIMS];
  int ndim = s->t[like].ndim;
  memcpy(dims, s->t[like].dims, sizeof dims);
  int has_sig = s->t[like].has_sig;
  int32_t sig[TL_MAX_DIMS];
  memcpy(sig, s->t[like].sig, sizeof sig);
  int i = tl_qg_add_tensor(s, nm, type, ndim, dims);
  free(nm);
  if (i >= 0 && has_sig) {
    s->t[i].has_sig = 1;
    memcpy(s->t[i].sig, sig, sizeof sig);
  }
  return i;
}

void tl_qg_set_data(tl_qt *t, uint8_t *data, size_t size) {
  free(t->owned);
  t->owned = data;
  t->data = data;
  t->size = size;
}

int tl_qg_set_quant(tl_qt *t, int n, const double *scales, const int64_t *zps, int axis) {
  free(t->scales);
  free(t->zps);
  t->scales = NULL;
  t->zps = NULL;
  t->qn = 0;
  if (n <= 0) return 0;
  t->scales = malloc((size_t)n * sizeof *t->scales);
  t->zps = calloc((size_t)n, sizeof *t->zps);
  if (!t->scales || !t->zps) return -1;
  for (int i = 0; i < n; i++) {
    t->scales[i] = (float)scales[i];
    if (zps) t->zps[i] = zps[i];
  }
  t->qn = n;
  t->qaxis = axis < 0 ? 0 : axis;
  return 0;
}

int tl_qg_set_quant1(tl_qt *t, double scale, int64_t zp) { return tl_qg_set_quant(t, 1, &scale, &zp, 0); }

int tl_qg_push_op(tl_qop **ops, int32_t *n, int32_t *cap, int builtin, int version, const int32_t *in, int n_in,
                  const int32_t *out, int n_out) {
  if (grow((void **)ops, cap, *n + 1, sizeof **ops)) return -1;
  tl_qop *op = &(*ops)[*n];
  memset(op, 0, sizeof *op);
  op->builtin = builtin;
  op->version = version;
  op->n_in = n_in;
  op->n_out = n_out;
  op->in = dup_ints(in, n_in);
  op->out = dup_ints(out, n_out);
  if (!op->in || !op->out) return -1;
  return (*n)++;
}

int tl_qg_move_op(tl_qop **ops, int32_t *n, int32_t *cap, tl_qop *op) {
  if (grow((void **)ops, cap, *n + 1, sizeof **ops)) return -1;
  (*ops)[*n] = *op;
  memset(op, 0, sizeof *op);
  return (*n)++;
}

int tl_qg_uses(const tl_qsub *s, int t) {
  int n = 0;
  for (int k = 0; k < s->nops; k++)
    for (int i = 0; i < s->ops[k].n_in; i++) n += s->ops[k].in[i] == t;
  return n;
}

int tl_qg_is_output(const tl_qsub *s, int t) {
  for (int i = 0; i < s->n_out; i++)
    if (s->out[i] == t) return 1;
  return 0;
}

int tl_qg_is_input(const tl_qsub *s, int t) {
  for (int i = 0; i < s->n_in; i++)
    if (s->in[i] == t) return 1;
  return 0;
}

tl_status tl_qg_from_model(tl_qgraph *g, const tl_model *m, char *err, size_t errlen) {
  g->m = m;
  g->nsub = m->n_subgraphs;
  g->subs = calloc((size_t)g->nsub, sizeof *g->subs);
  if (!g->subs) goto oom;
  for (int si = 0; si < g->nsub; si++) {
    const tl_msubgraph *ms = &m->subgraphs[si];
    tl_qsub *s = &g->subs[si];
    s->name = ms->name;
    for (int ti = 0; ti < ms->n_tensors; ti++) {
      const tl_mtensor *mt = &ms->tensors[ti];
      int k = tl_qg_add_tensor(s, mt->name ? mt->name : "", mt->type, mt->ndim, mt->dims);
      if (k < 0) goto oom;
      tl_qt *t = &s->t[k];
      if (mt->dims_sig) {
        t->has_sig = 1;
        for (int d = 0; d < mt->ndim && d < TL_MAX_DIMS; d++) t->sig[d] = mt->dims_sig[d];
      }
      t->is_variable = mt->is_variable;
      t->data = mt->data;
      t->size = mt->data ? mt->data_size : 0;
      t->src = mt;
      if (mt->q.n) {
        t->scales = malloc((size_t)mt->q.n * sizeof *t->scales);
        t->zps = malloc((size_t)mt->q.n * sizeof *t->zps);
        if (!t->scales || !t->zps) goto oom;
        memcpy(t->scales, mt->q.scales, (size_t)mt->q.n * sizeof *t->scales);
        memcpy(t->zps, mt->q.zero_points, (size_t)mt->q.n * sizeof *t->zps);
        t->qn = mt->q.n;
        t->qaxis = mt->q.axis;
      }
    }
    for (int k = 0; k < ms->n_ops; k++) {
      const tl_mop *mo = &ms->ops[k];
      if (tl_qg_push_op(&s->ops, &s->nops, &s->cops, mo->builtin, mo->version, mo->in, mo->n_in, mo->out,
                        mo->n_out) < 0)
        goto oom;
      tl_qop *op = &s->ops[k];
      op->src = mo;
      op->custom = m->opcodes[mo->opcode].custom;
      if (mo->n_interm) {
        op->interm = dup_ints(mo->interm, mo->n_interm);
        if (!op->interm) goto oom;
        op->n_interm = mo->n_interm;
      }
    }
    s->in = dup_ints(ms->in, ms->n_in);
    s->out = dup_ints(ms->out, ms->n_out);
    if (!s->in || !s->out) goto oom;
    s->n_in = ms->n_in;
    s->n_out = ms->n_out;
  }
  return TL_OK;
oom:
  snprintf(err, errlen, "out of memory copying the model");
  return TL_ERR_NOMEM;
}

void tl_qg_free(tl_qgraph *g) {
  if (!g || !g->subs) return;
  for (int si = 0; si < g->nsub; si++) {
    tl_qsub *s = &g->subs[si];
    for (int i = 0; i < s->nt; i++) {
      free(s->t[i].name);
      free(s->t[i].owned);
      free(s->t[i].scales);
      free(s->t[i].zps);
    }
    for (int k = 0; k < s->nops; k++) {
      free(s->ops[k].in);
      free(s->ops[k].out);
      free(s->ops[k].interm);
    }
    free(s->t);
    free(s->ops);
    free(s->in);
    free(s->out);
  }
  free(g->subs);
  g->subs = NULL;
}

/* ---- options ----------------------------------------------------------------------------------- */

/* Byte-wide field `id` of op's options table (activation enums, bools), def when absent. */
int tl_q_opt_byte(const tl_qop *op, int id, int def) {
  if (op->opts_set) {
    for (int i = 0; i < op->opts.n_fields; i++)
      if (op->opts.fields[i].id == id) return (int)op->opts.fields[i].i;
    return def;
  }
  if (!op->src || !op->src->options.ok) return def;
  return (int)tl_fb_i8(&op->src->options, id, (int8_t)def);
}

static int opt_type(const tl_qop *op) {
  if (op->opts_set) return op->opts.type;
  return op->src ? op->src->options_type : 0;
}

int tl_q_fused_activation(const tl_qop *op) {
  int t = opt_type(op);
  switch (op->builtin) {
    case TL_BUILTIN_CONV_2D: return t == TL_TFL_OPT_CONV2D ? tl_q_opt_byte(op, TL_SCH_OPT_CONV2D_FUSED_ACTIVATION_FUNCTION, 0) : 0;
    case TL_BUILTIN_DEPTHWISE_CONV_2D:
      return t == TL_TFL_OPT_DEPTHWISE_CONV2D ? tl_q_opt_byte(op, TL_SCH_OPT_DEPTHWISE_CONV2D_FUSED_ACTIVATION_FUNCTION, 0) : 0;
    case TL_BUILTIN_FULLY_CONNECTED:
      return t == TL_TFL_OPT_FULLY_CONNECTED ? tl_q_opt_byte(op, TL_SCH_OPT_FULLY_CONNECTED_FUSED_ACTIVATION_FUNCTION, 0) : 0;
    case TL_BUILTIN_AVERAGE_POOL_2D:
    case TL_BUILTIN_MAX_POOL_2D: return t == TL_TFL_OPT_POOL2D ? tl_q_opt_byte(op, TL_SCH_OPT_POOL2D_FUSED_ACTIVATION_FUNCTION, 0) : 0;
    case TL_BUILTIN_ADD:
    case TL_BUILTIN_SUB:
    case TL_BUILTIN_MUL: return t ? tl_q_opt_byte(op, TL_SCH_OPT_ADD_FUSED_ACTIVATION_FUNCTION, 0) : 0;
    case TL_BUILTIN_CONCATENATION:
      return t == TL_TFL_OPT_CONCATENATION ? tl_q_opt_byte(op, TL_SCH_OPT_CONCATENATION_FUSED_ACTIVATION_FUNCTION, 0) : 0;
    case TL_BUILTIN_TRANSPOSE_CONV: return t ? tl_q_opt_byte(op, TL_SCH_OPT_TRANSPOSE_CONV_FUSED_ACTIVATION_FUNCTION, 0) : 0;
    default: return 0;
  }
}

/* ---- op versions (tensorflow/lite/tools/versioning/op_version.cc, the cases tinylite writes) ---- */

static int ttype(const tl_qsub *s, const tl_qop *op, int i, int out) {
  int n = out ? op->n_out : op->n_in;
  if (i >= n) return -1;
  int t = out ? op->out[i] : op->in[i];
  return t >= 0 && t < s->nt ? s->t[t].type : -1;
}

static int per_channel(const tl_qsub *s, const tl_qop *op, int i) {
  if (i >= op->n_in || op->in[i] < 0) return 0;
  return s->t[op->in[i]].qn > 1;
}

static int ndims(const tl_qsub *s, const tl_qop *op, int i) {
  if (i >= op->n_in || op->in[i] < 0) return 0;
  return s->t[op->in[i]].ndim;
}

static int version_for(const tl_qsub *s, const tl_qop *op) {
  int i0 = ttype(s, op, 0, 0), i1 = ttype(s, op, 1, 0), o0 = ttype(s, op, 0, 1);
  int s8 = i0 == TL_INT8;
  int hybrid = i0 == TL_FLOAT32 && i1 == TL_INT8 && o0 == TL_FLOAT32;
  switch (op->builtin) {
    case TL_BUILTIN_CONV_2D:
      if (i0 == TL_INT8 && i1 == TL_INT8 && o0 == TL_INT8) return 3;
      if (hybrid) return per_channel(s, op, 1) ? 5 : 2;
      return 1;
    case TL_BUILTIN_DEPTHWISE_CONV_2D:
      if (hybrid) return per_channel(s, op, 1) ? 6 : 4;
      if (i0 == TL_INT8 && i1 == TL_INT8 && o0 == TL_INT8) return 3;
      return 1;
    case TL_BUILTIN_FULLY_CONNECTED: {
      int keep = tl_q_opt_byte(op, TL_SCH_OPT_FULLY_CONNECTED_KEEP_NUM_DIMS, 0), asym = tl_q_opt_byte(op, TL_SCH_OPT_FULLY_CONNECTED_ASYMMETRIC_QUANTIZE_INPUTS, 0);
      if (hybrid && per_channel(s, op, 1)) return 12;
      if (op->n_in == 2) return 6;
      if (keep) return 5;
      if (i0 == TL_INT8 && i1 == TL_INT8 && o0 == TL_INT8) return 4;
      if (hybrid) return asym ? 9 : 3;
      if (tl_q_opt_byte(op, TL_SCH_OPT_FULLY_CONNECTED_WEIGHTS_FORMAT, 0)) return 2;
      return 1;
    }
    case TL_BUILTIN_QUANTIZE:
      if (op->n_out && op->out[0] >= 0 && s->t[op->out[0]].qn > 1) return 3;
      return o0 == TL_INT16 ? 2 : 1;
    case TL_BUILTIN_DEQUANTIZE:
      if (i0 == TL_INT16 || i0 == TL_FLOAT16) return 3;
      if (i0 == TL_INT8) return per_channel(s, op, 0) ? 5 : 2;
      return 1;
    case TL_BUILTIN_MUL:
      if (s8 && op->n_in >= 2 && op->in[0] >= 0 && op->in[1] >= 0 && op->out[0] >= 0) {
        double a = s->t[op->in[0]].qn ? s->t[op->in[0]].scales[0] : 0, b = s->t[op->in[1]].qn ? s->t[op->in[1]].scales[0] : 0,
               c = s->t[op->out[0]].qn ? s->t[op->out[0]].scales[0] : 0;
        if (a != 0 && b != 0 && c != 0 && a * b / c >= 1.0) return 3;
        return 2;
      }
      return 1;
    case TL_BUILTIN_TRANSPOSE:
      if (ndims(s, op, 0) > 4) return 4;
      return s8 ? 2 : 1;
    case TL_BUILTIN_SUB:
    case TL_BUILTIN_PAD:
    case TL_BUILTIN_PADV2:
    case TL_BUILTIN_SLICE:
      return s8 ? 2 : 1;
    case TL_BUILTIN_ADD:
    case TL_BUILTIN_MAX_POOL_2D:
    case TL_BUILTIN_AVERAGE_POOL_2D:
    case TL_BUILTIN_SOFTMAX:
    case TL_BUILTIN_MEAN:
    case TL_BUILTIN_SUM:
    case TL_BUILTIN_REDUCE_MAX:
    case TL_BUILTIN_RELU6:
    case TL_BUILTIN_RELU:
    case TL_BUILTIN_TANH:
    case TL_BUILTIN_LOGISTIC:
    case TL_BUILTIN_CONCATENATION:
    case TL_BUILTIN_STRIDED_SLICE:
    case TL_BUILTIN_GATHER:
    case TL_BUILTIN_MAXIMUM:
    case TL_BUILTIN_MINIMUM:
    case TL_BUILTIN_PACK:
    case TL_BUILTIN_UNPACK:
    case TL_BUILTIN_RESIZE_NEAREST_NEIGHBOR:
      return s8 ? 2 : 1;
    case TL_BUILTIN_TRANSPOSE_CONV:
      if (tl_q_fused_activation(op)) return 4;
      if (op->n_in == 4 && op->in[3] >= 0) return 3;
      return i1 == TL_INT8 ? 2 : 1;
    default: return 1;
  }
}

int tl_q_op_version(const tl_qsub *s, const tl_qop *op) {
  int v = version_for(s, op);
  return v > op->version ? v : op->version;
}

/* ---- minimum runtime version (tensorflow/lite/tools/versioning/runtime_version.cc) ---------------- */

typedef struct {
  int16_t op;
  int8_t version;
  const char *rt;
} rtver;

static const rtver rt_table[] = {
    {TL_BUILTIN_ADD, 1, "1.5.0"}, {TL_BUILTIN_ADD, 2, "1.14.0"}, {TL_BUILTIN_ADD, 3, "2.4.0"},
    {TL_BUILTIN_ADD, 4, "2.6.0"}, {TL_BUILTIN_AVERAGE_POOL_2D, 1, "1.5.0"}, {TL_BUILTIN_AVERAGE_POOL_2D, 2, "1.14.0"},
    {TL_BUILTIN_AVERAGE_POOL_2D, 3, "2.3.0"}, {TL_BUILTIN_CONCATENATION, 1, "1.5.0"},
    {TL_BUILTIN_CONCATENATION, 2, "1.14.0"}, {TL_BUILTIN_CONCATENATION, 3, "2.3.0"}, {TL_BUILTIN_CONV_2D, 1, "1.5.0"},
    {TL_BUILTIN_CONV_2D, 2, "1.14.0"}, {TL_BUILTIN_CONV_2D, 3, "1.14.0"}, {TL_BUILTIN_CONV_2D, 4, "2.3.0"},
    {TL_BUILTIN_CONV_2D, 5, "2.4.0"}, {TL_BUILTIN_CONV_2D, 6, "2.9.0"}, {TL_BUILTIN_DEPTHWISE_CONV_2D, 1, "1.5.0"},
    {TL_BUILTIN_DEPTHWISE_CONV_2D, 2, "1.12.0"}, {TL_BUILTIN_DEPTHWISE_CONV_2D, 3, "1.14.0"},
    {TL_BUILTIN_DEPTHWISE_CONV_2D, 4, "2.2.0"}, {TL_BUILTIN_DEPTHWISE_CONV_2D, 5, "2.3.0"},
    {TL_BUILTIN_DEPTHWISE_CONV_2D, 6, "2.3.0"}, {TL_BUILTIN_DEQUANTIZE, 1, "1.13.1"}, {TL_BUILTIN_DEQUANTIZE, 2, "1.14.0"},
    {TL_BUILTIN_DEQUANTIZE, 3, "1.15.0"}, {TL_BUILTIN_DEQUANTIZE, 4, "2.2.0"}, {TL_BUILTIN_DEQUANTIZE, 5, "2.7.0"},
    {TL_BUILTIN_FULLY_CONNECTED, 1, "1.5.0"}, {TL_BUILTIN_FULLY_CONNECTED, 2, "1.10.0"},
    {TL_BUILTIN_FULLY_CONNECTED, 3, "1.14.0"}, {TL_BUILTIN_FULLY_CONNECTED, 4, "1.14.0"},
    {TL_BUILTIN_FULLY_CONNECTED, 5, "2.0.0"}, {TL_BUILTIN_FULLY_CONNECTED, 6, "2.1.0"},
    {TL_BUILTIN_FULLY_CONNECTED, 7, "2.3.0"}, {TL_BUILTIN_FULLY_CONNECTED, 8, "2.3.0"},
    {TL_BUILTIN_FULLY_CONNECTED, 9, "2.3.0"}, {TL_BUILTIN_FULLY_CONNECTED, 12, "2.17.0"}, {TL_BUILTIN_GATHER, 1, "1.6.0"},
    {TL_BUILTIN_GATHER, 2, "1.14.0"}, {TL_BUILTIN_GATHER, 3, "1.15.0"}, {TL_BUILTIN_GATHER, 4, "2.4.0"},
    {TL_BUILTIN_GATHER, 5, "2.5.0"}, {TL_BUILTIN_LOGISTIC, 1, "1.14.0"}, {TL_BUILTIN_LOGISTIC, 2, "1.14.0"},
    {TL_BUILTIN_LOGISTIC, 3, "2.3.0"}, {TL_BUILTIN_MAX_POOL_2D, 1, "1.5.0"}, {TL_BUILTIN_MAX_POOL_2D, 2, "1.14.0"},
    {TL_BUILTIN_MAX_POOL_2D, 3, "2.3.0"}, {TL_BUILTIN_MUL, 1, "1.5.0"}, {TL_BUILTIN_MUL, 2, "1.14.0"},
    {TL_BUILTIN_MUL, 3, "1.15.0"}, {TL_BUILTIN_MUL, 4, "2.3.0"}, {TL_BUILTIN_MUL, 5, "2.6.0"},
    {TL_BUILTIN_RELU, 1, "1.5.0"}, {TL_BUILTIN_RELU, 2, "2.1.0"}, {TL_BUILTIN_RELU, 3, "2.5.0"},
    {TL_BUILTIN_RELU_N1_TO_1, 1, "1.5.0"}, {TL_BUILTIN_RELU6, 1, "1.5.0"}, {TL_BUILTIN_RELU6, 2, "1.14.0"},
    {TL_BUILTIN_RELU6, 3, "2.5.0"}, {TL_BUILTIN_RESHAPE, 1, "1.5.0"}, {TL_BUILTIN_SOFTMAX, 1, "1.5.0"},
    {TL_BUILTIN_SOFTMAX, 2, "1.14.0"}, {TL_BUILTIN_SOFTMAX, 3, "2.3.0"}, {TL_BUILTIN_SVDF, 1, "1.5.0"},
    {TL_BUILTIN_SVDF, 2, "1.14.0"}, {TL_BUILTIN_SVDF, 3, "2.2.0"}, {TL_BUILTIN_SVDF, 4, "2.3.0"},
    {TL_BUILTIN_TANH, 1, "1.14.0"}, {TL_BUILTIN_TANH, 2, "1.14.0"}, {TL_BUILTIN_TANH, 3, "2.3.0"},
    {TL_BUILTIN_PAD, 1, "1.5.0"}, {TL_BUILTIN_PAD, 2, "1.14.0"}, {TL_BUILTIN_PAD, 3, "2.4.0"},
    {TL_BUILTIN_PAD, 4, "2.6.0"}, {TL_BUILTIN_TRANSPOSE, 1, "1.6.0"}, {TL_BUILTIN_TRANSPOSE, 2, "1.14.0"},
    {TL_BUILTIN_TRANSPOSE, 3, "1.15.0"}, {TL_BUILTIN_TRANSPOSE, 4, "2.3.0"}, {TL_BUILTIN_TRANSPOSE, 5, "2.4.0"},
    {TL_BUILTIN_MEAN, 1, "1.6.0"}, {TL_BUILTIN_MEAN, 2, "1.14.0"}, {TL_BUILTIN_MEAN, 3, "2.4.0"},
    {TL_BUILTIN_SUB, 1, "1.6.0"}, {TL_BUILTIN_SUB, 2, "1.14.0"}, {TL_BUILTIN_SUB, 3, "2.3.0"},
    {TL_BUILTIN_SUB, 4, "2.4.0"}, {TL_BUILTIN_SUB, 5, "2.4.0"}, {TL_BUILTIN_DIV, 1, "1.6.0"},
    {TL_BUILTIN_DIV, 2, "2.3.0"}, {TL_BUILTIN_SQUEEZE, 1, "1.6.0"}, {TL_BUILTIN_SQUEEZE, 2, "2.5.0"},
    {TL_BUILTIN_UNIDIRECTIONAL_SEQUENCE_LSTM, 1, "1.13.1"}, {TL_BUILTIN_UNIDIRECTIONAL_SEQUENCE_LSTM, 2, "1.14.0"},
    {TL_BUILTIN_UNIDIRECTIONAL_SEQUENCE_LSTM, 3, "2.3.0"}, {TL_BUILTIN_STRIDED_SLICE, 1, "1.6.0"},
    {TL_BUILTIN_STRIDED_SLICE, 2, "1.14.0"}, {TL_BUILTIN_STRIDED_SLICE, 3, "2.1.0"},
    {TL_BUILTIN_STRIDED_SLICE, 4, "2.2.0"}, {TL_BUILTIN_STRIDED_SLICE, 5, "2.5.0"},
    {TL_BUILTIN_STRIDED_SLICE, 6, "2.6.0"}, {TL_BUILTIN_CAST, 1, "1.5.0"}, {TL_BUILTIN_CAST, 2, "2.7.0"},
    {TL_BUILTIN_CAST, 3, "2.8.0"}, {TL_BUILTIN_CAST, 4, "2.9.0"}, {TL_BUILTIN_MAXIMUM, 1, "1.14.0"},
    {TL_BUILTIN_MAXIMUM, 2, "1.14.0"}, {TL_BUILTIN_MAXIMUM, 3, "2.3.0"}, {TL_BUILTIN_MAXIMUM, 4, "2.3.0"},
    {TL_BUILTIN_MINIMUM, 1, "1.14.0"}, {TL_BUILTIN_MINIMUM, 2, "1.14.0"}, {TL_BUILTIN_MINIMUM, 3, "2.3.0"},
    {TL_BUILTIN_MINIMUM, 4, "2.3.0"}, {TL_BUILTIN_PADV2, 1, "1.9.0"}, {TL_BUILTIN_PADV2, 2, "1.14.0"},
    {TL_BUILTIN_PADV2, 3, "2.4.0"}, {TL_BUILTIN_PADV2, 4, "2.6.0"}, {TL_BUILTIN_SLICE, 1, "1.14.0"},
    {TL_BUILTIN_SLICE, 2, "1.14.0"}, {TL_BUILTIN_SLICE, 3, "1.14.0"}, {TL_BUILTIN_SLICE, 4, "2.4.0"},
    {TL_BUILTIN_SLICE, 5, "2.5.0"}, {TL_BUILTIN_TRANSPOSE_CONV, 1, "1.9.0"}, {TL_BUILTIN_TRANSPOSE_CONV, 2, "2.2.0"},
    {TL_BUILTIN_TRANSPOSE_CONV, 3, "2.3.0"}, {TL_BUILTIN_EXPAND_DIMS, 1, "1.10.0"}, {TL_BUILTIN_SUM, 1, "1.10.0"},
    {TL_BUILTIN_SUM, 2, "1.15.0"}, {TL_BUILTIN_SHAPE, 1, "1.10.0"}, {TL_BUILTIN_REDUCE_MAX, 1, "1.11.0"},
    {TL_BUILTIN_REDUCE_MAX, 2, "1.14.0"}, {TL_BUILTIN_REDUCE_MAX, 3, "2.5.0"}, {TL_BUILTIN_PACK, 1, "1.11.0"},
    {TL_BUILTIN_PACK, 2, "1.14.0"}, {TL_BUILTIN_PACK, 3, "2.3.0"}, {TL_BUILTIN_UNPACK, 1, "1.11.0"},
    {TL_BUILTIN_UNPACK, 2, "1.14.0"}, {TL_BUILTIN_UNPACK, 3, "2.2.0"}, {TL_BUILTIN_UNPACK, 4, "2.3.0"},
    {TL_BUILTIN_RESIZE_NEAREST_NEIGHBOR, 1, "1.13.1"}, {TL_BUILTIN_RESIZE_NEAREST_NEIGHBOR, 2, "1.14.0"},
    {TL_BUILTIN_RESIZE_NEAREST_NEIGHBOR, 3, "2.3.0"}, {TL_BUILTIN_RESIZE_NEAREST_NEIGHBOR, 4, "2.4.0"},
    {TL_BUILTIN_LEAKY_RELU, 1, "1.13.1"}, {TL_BUILTIN_LEAKY_RELU, 2, "2.3.0"}, {TL_BUILTIN_QUANTIZE, 1, "1.14.0"},
    {TL_BUILTIN_QUANTIZE, 2, "1.15.0"}, {TL_BUILTIN_QUANTIZE, 3, "2.7.0"}, {TL_BUILTIN_DENSIFY, 1, "2.2.0"},
    {TL_BUILTIN_CALL_ONCE, 1, "2.5.0"}, {TL_BUILTIN_VAR_HANDLE, 1, "2.6.0"}, {TL_BUILTIN_READ_VARIABLE, 1, "2.6.0"},
    {TL_BUILTIN_ASSIGN_VARIABLE, 1, "2.6.0"},
};

static const char *runtime_version(int op, int version) {
  for (size_t i = 0; i < sizeof rt_table / sizeof rt_table[0]; i++)
    if (rt_table[i].op == op && rt_table[i].version == version) return rt_table[i].rt;
  return NULL;
}

/* -1, 0, 1 comparing dotted versions numerically ("1.14.0" > "1.5.0"). */
static int cmp_version(const char *a, const char *b) {
  while (*a || *b) {
    long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);
    if (x != y) return x < y ? -1 : 1;
    if (*a == '.') a++;
    if (*b == '.') b++;
    if (!*a && !*b) break;
    if (!*a) return -1;
    if (!*b) return 1;
  }
  return 0;
}

/* ---- writing ----------------------------------------------------------------------------------- */

#define MAX_CODE 512

tl_status tl_qg_write(tl_qgraph *g, const char *extra_meta_name, const char *extra_meta_value, uint8_t **out,
                      size_t *out_size, char *err, size_t errlen) {
  const tl_model *m = g->m;
  *out = NULL;
  *out_size = 0;
  /* One version per builtin code: the highest any op needs (TensorFlow's exporter shares one
   * OperatorCode per op name and sets it to the maximum). */
  int32_t maxv[MAX_CODE];
  memset(maxv, 0, sizeof maxv);
  for (int si = 0; si < g->nsub; si++)
    for (int k = 0; k < g->subs[si].nops; k++) {
      tl_qop *op = &g->subs[si].ops[k];
      op->version = tl_q_op_version(&g->subs[si], op);
      if (op->builtin >= 0 && op->builtin < MAX_CODE && op->builtin != TL_BUILTIN_CUSTOM && op->version > maxv[op->builtin])
        maxv[op->builtin] = op->version;
    }
  tl_tfl_builder *b = tl_tfl_builder_new();
  int32_t **remap = calloc((size_t)g->nsub, sizeof *remap);
  const uint8_t **bptr = NULL; /* source pointer of each buffer added, to share identical constants */
  size_t *bsize = NULL;
  int *bidx = NULL, nb = 0;
  tl_status st = TL_OK;
  if (!b || !remap) goto oom;
  {
    char desc[128];
    snprintf(desc, sizeof desc, "tinylite " TL_VERSION_STRING " convert (%s)", g->mode_name ? g->mode_name : "none");
    tl_tfl_set_description(b, desc);
  }
  size_t total_t = 0;
  for (int si = 0; si < g->nsub; si++) total_t += (size_t)g->subs[si].nt;
  bptr = calloc(total_t + 1, sizeof *bptr);
  bsize = calloc(total_t + 1, sizeof *bsize);
  bidx = calloc(total_t + 1, sizeof *bidx);
  if (!bptr || !bsize || !bidx) goto oom;
  for (int si = 0; si < g->nsub; si++) {
    tl_qsub *s = &g->subs[si];
    int sg = si == 0 ? 0 : tl_tfl_add_subgraph(b, NULL);
    tl_tfl_set_subgraph_name(b, sg, s->name && s->name[0] ? s->name : NULL);
    /* Tensors some op, the subgraph's io or a signature refers to are kept, in their order. */
    uint8_t *used = calloc((size_t)s->nt + 1, 1);
    remap[si] = malloc(((size_t)s->nt + 1) * sizeof **remap);
    if (!used || !remap[si]) {
      free(used);
      goto oom;
    }
    for (int k = 0; k < s->nops; k++) {
      const tl_qop *op = &s->ops[k];
      for (int i = 0; i < op->n_in; i++)
        if (op->in[i] >= 0) used[op->in[i]] = 1;
      for (int i = 0; i < op->n_out; i++)
        if (op->out[i] >= 0) used[op->out[i]] = 1;
      for (int i = 0; i < op->n_interm; i++)
        if (op->interm[i] >= 0) used[op->interm[i]] = 1;
    }
    for (int i = 0; i < s->n_in; i++) used[s->in[i]] = 1;
    for (int i = 0; i < s->n_out; i++) used[s->out[i]] = 1;
    for (int i = 0; i < m->n_signatures; i++)
      if (m->signatures[i].subgraph == si) {
        for (int k = 0; k < m->signatures[i].n_in; k++) used[m->signatures[i].in[k].tensor] = 1;
        for (int k = 0; k < m->signatures[i].n_out; k++) used[m->signatures[i].out[k].tensor] = 1;
      }
    int nt = 0;
    for (int t = 0; t < s->nt; t++) {
      remap[si][t] = -1;
      if (!used[t]) continue;
      const tl_qt *qt = &s->t[t];
      int buf = 0;
      if (qt->data && qt->size) {
        for (int k = 0; k < nb && !buf; k++)
          if (!qt->owned && bptr[k] == qt->data && bsize[k] == qt->size) buf = bidx[k];
        if (!buf) {
          buf = tl_tfl_add_buffer(b, qt->data, qt->size);
          if (buf < 0) break;
          bptr[nb] = qt->owned ? NULL : qt->data;
          bsize[nb] = qt->size;
          bidx[nb++] = buf;
        }
      }
      tl_tfl_quant q = {(size_t)qt->qn, qt->scales, qt->zps, qt->qaxis, 0, NULL, NULL};
      tl_tfl_add_tensor(b, sg, qt->name, qt->type, qt->ndim, qt->dims, qt->has_sig ? qt->sig : NULL, buf,
                        qt->qn ? &q : NULL, qt->is_variable);
      if (qt->src && qt->src->has_sparsity && qt->data == qt->src->data && tl_tfl_copy_tensor_sparsity(b, sg, nt, &qt->src->sparsity)) {
        snprintf(err, errlen, "subgraph %d tensor %d: cannot copy its sparsity parameters", si, t);
        free(used);
        st = TL_ERR_MODEL;
        goto done;
      }
      remap[si][t] = nt++;
    }
    free(used);
    int32_t tmp_in[256], tmp_out[256];
    for (int k = 0; k < s->nops; k++) {
      const tl_qop *op = &s->ops[k];
      int32_t *vin = op->n_in <= 256 ? tmp_in : malloc((size_t)op->n_in * sizeof *vin);
      int32_t *vout = op->n_out <= 256 ? tmp_out : malloc((size_t)op->n_out * sizeof *vout);
      if (!vin || !vout) goto oom;
      for (int i = 0; i < op->n_in; i++) vin[i] = op->in[i] >= 0 ? remap[si][op->in[i]] : -1;
      for (int i = 0; i < op->n_out; i++) vout[i] = remap[si][op->out[i]];
      int version = op->builtin != TL_BUILTIN_CUSTOM && op->builtin < MAX_CODE ? maxv[op->builtin] : op->version;
      int idx;
      if (op->builtin == TL_BUILTIN_CUSTOM) {
        idx = tl_tfl_add_custom_op(b, sg, op->custom ? op->custom : "", version, vin, op->n_in, vout, op->n_out,
                                   op->src ? op->src->custom : NULL, op->src ? op->src->custom_size : 0);
      } else if (op->opts_set) {
        idx = tl_tfl_add_op(b, sg, op->builtin, version, vin, op->n_in, vout, op->n_out, &op->opts);
      } else if (op->src && op->src->options.ok) {
        tl_tfl_options o = tl_tfl_opts_raw(op->src->options_type, op->src->options.base, op->src->options.size,
                                           op->src->options.pos);
        idx = tl_tfl_add_op(b, sg, op->builtin, version, vin, op->n_in, vout, op->n_out, &o);
      } else {
        idx = tl_tfl_add_op(b, sg, op->builtin, version, vin, op->n_in, vout, op->n_out, NULL);
      }
      if (vin != tmp_in) free(vin);
      if (vout != tmp_out) free(vout);
      if (idx >= 0 && op->n_interm) {
        int32_t iv[64];
        int n = op->n_interm < 64 ? op->n_interm : 64;
        for (int i = 0; i < n; i++) iv[i] = op->interm[i] >= 0 ? remap[si][op->interm[i]] : -1;
        tl_tfl_set_op_intermediates(b, sg, idx, iv, n);
      }
    }
    int32_t *ios = malloc(((size_t)s->n_in + s->n_out + 1) * sizeof *ios);
    if (!ios) goto oom;
    for (int i = 0; i < s->n_in; i++) ios[i] = remap[si][s->in[i]];
    for (int i = 0; i < s->n_out; i++) ios[s->n_in + i] = remap[si][s->out[i]];
    tl_tfl_set_io(b, sg, ios, s->n_in, ios + s->n_in, s->n_out);
    free(ios);
  }
  for (int i = 0; i < m->n_signatures; i++) {
    const tl_msignature *sgn = &m->signatures[i];
    const char *in_names[64], *out_names[64];
    int32_t in_t[64], out_t[64];
    int ni = sgn->n_in < 64 ? sgn->n_in : 64, no = sgn->n_out < 64 ? sgn->n_out : 64;
    for (int k = 0; k < ni; k++) in_names[k] = sgn->in[k].name, in_t[k] = remap[sgn->subgraph][sgn->in[k].tensor];
    for (int k = 0; k < no; k++) out_names[k] = sgn->out[k].name, out_t[k] = remap[sgn->subgraph][sgn->out[k].tensor];
    tl_tfl_add_signature(b, sgn->key, sgn->subgraph, in_names, in_t, ni, out_names, out_t, no);
  }
  /* Metadata: copied, min_runtime_version recomputed from the op versions written. */
  const char *rt = "";
  for (int si = 0; si < g->nsub; si++)
    for (int k = 0; k < g->subs[si].nops; k++) {
      const tl_qop *op = &g->subs[si].ops[k];
      if (op->builtin == TL_BUILTIN_CUSTOM || op->builtin >= MAX_CODE) continue;
      const char *v = runtime_version(op->builtin, maxv[op->builtin]);
      if (v && cmp_version(rt, v) < 0) rt = v;
    }
  char rtbuf[16];
  memset(rtbuf, 0, sizeof rtbuf);
  snprintf(rtbuf, sizeof rtbuf, "%s", rt);
  int have_rt = 0;
  for (int i = 0; i < m->n_metadata; i++) {
    const char *name;
    const uint8_t *data;
    size_t size;
    if (tl_model_metadata(m, i, &name, &data, &size) != TL_OK) continue;
    if (!strcmp(name, "min_runtime_version") && rt[0]) {
      tl_tfl_add_metadata_bytes(b, name, rtbuf, sizeof rtbuf);
      have_rt = 1;
    } else if (!(extra_meta_name && !strcmp(name, extra_meta_name))) {
      tl_tfl_add_metadata_bytes(b, name, data, size);
    }
  }
  if (!have_rt && rt[0]) tl_tfl_add_metadata_bytes(b, "min_runtime_version", rtbuf, sizeof rtbuf);
  if (extra_meta_name && extra_meta_value)
    tl_tfl_add_metadata_bytes(b, extra_meta_name, extra_meta_value, strlen(extra_meta_value));
  if (tl_tfl_finish(b, out, out_size, err, errlen) != 0) st = TL_ERR_MODEL;
  goto done;
oom:
  snprintf(err, errlen, "out of memory writing the model");
  st = TL_ERR_NOMEM;
done:
  if (remap)
    for (int si = 0; si < g->nsub; si++) free(remap[si]);
  free(remap);
  free(bptr);
  free(bsize);
  free(bidx);
  tl_tfl_builder_free(b);
  return st;
}

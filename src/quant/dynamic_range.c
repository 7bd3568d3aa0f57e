/* SPDX-License-Identifier: Apache-2.0
 * Dynamic-range quantization (TF's Optimize.DEFAULT without data), as the MLIR quantizer does it:
 * constant weights of ops with hybrid kernels become symmetric int8 (per channel where supported),
 * weight-only int8 + DEQUANTIZE for ops without one; activations stay float. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/schema.h"
#include "qgraph.h"
#include "qmath.h"
#include "qpass.h"

enum { W_HYBRID = 1, W_ONLY_SYM, W_ONLY_ASYM };

/* Which operand of op holds weights the dynamic-range quantizer rewrites, and how. */
static int weight_operand(const tl_qsub *s, const tl_qop *op, const tl_qoptions *o, int *axis, int *mode) {
  int operand = -1;
  *axis = -1;
  *mode = W_HYBRID;
  switch (op->builtin) {
    case TL_BUILTIN_CONV_2D: operand = 1, *axis = 0; break;
    case TL_BUILTIN_DEPTHWISE_CONV_2D: operand = 1, *axis = 3; break;
    case TL_BUILTIN_FULLY_CONNECTED:
      /* Shuffled weights are a uint8 layout; a 2-D float weight matrix is the hybrid kernel's input. */
      if (tl_q_opt_byte(op, TL_SCH_OPT_FULLY_CONNECTED_WEIGHTS_FORMAT, 0) != 0) return -1;
      operand = 1, *axis = o->per_tensor_fc ? -1 : 0;
      break;
    case TL_BUILTIN_TRANSPOSE_CONV: operand = 1, *axis = 0, *mode = W_ONLY_SYM; break;
    case TL_BUILTIN_GATHER: operand = 0, *mode = W_ONLY_ASYM; break;
    default: return -1;
  }
  if (o->per_tensor) *axis = -1;
  if (operand >= op->n_in || op->in[operand] < 0) return -1;
  const tl_qt *w = &s->t[op->in[operand]];
  if (*axis >= w->ndim) *axis = -1;
  /* Hybrid kernels need float activations in operand 0. */
  if (*mode == W_HYBRID && (op->n_in < 1 || op->in[0] < 0 || s->t[op->in[0]].type != TL_FLOAT32 || s->t[op->in[0]].data))
    return -1;
  return operand;
}

typedef struct {
  int32_t src, axis, mode, q, dq;
} wcache;

/* Rules of prepare_quantize_dynamic_range.cc: weights with fewer than min_elements (1024) elements
 * stay float; TRANSPOSE_CONV and GATHER have no hybrid kernel, so their int8 weights are read
 * through a DEQUANTIZE op ("weight only"). */
tl_status tl_q_pass_dynamic(tl_qgraph *g, const tl_qoptions *o, tl_qreport *rep, char *err, size_t errlen) {
  int min_el = o->min_elements > 0 ? o->min_elements : 1024;
  for (int si = 0; si < g->nsub; si++) {
    tl_qsub *s = &g->subs[si];
    tl_qop *old = s->ops;
    int32_t nold = s->nops;
    s->ops = NULL;
    s->nops = s->cops = 0;
    wcache *cache = calloc((size_t)nold + 1, sizeof *cache);
    int ncache = 0;
    if (!cache) goto oom;
    for (int k = 0; k < nold; k++) {
      tl_qop *op = &old[k];
      int axis, mode, j = weight_operand(s, op, o, &axis, &mode);
      int src = j >= 0 ? op->in[j] : -1;
      if (src >= 0) {
        const tl_qt *w = &s->t[src];
        int64_t n = tl_qg_numel(w);
        if (w->type != TL_FLOAT32 || !w->data || w->is_variable || w->qn || (w->src && w->src->has_sparsity) ||
            (size_t)n * 4 != w->size) {
          src = -1;
        } else if (n < min_el) {
          tl_q_note(rep, "op %d %s: weights '%s' (%lld elements) stay float: fewer than %d elements", k,
                    tl_op_name(op->builtin), w->name, (long long)n, min_el);
          src = -1;
        }
      }
      if (src < 0) {
        if (tl_qg_move_op(&s->ops, &s->nops, &s->cops, op) < 0) goto oom;
        continue;
      }
      wcache *c = NULL;
      for (int i = 0; i < ncache && !c; i++)
        if (cache[i].src == src && cache[i].axis == axis && cache[i].mode == mode) c = &cache[i];
      if (!c) {
        c = &cache[ncache++];
        c->src = src, c->axis = axis, c->mode = mode, c->dq = -1;
        /* The int8 tensor keeps the weight's name, as TF's exporter does. */
        c->q = tl_qg_add_like(s, src, NULL, TL_INT8);
        if (c->q < 0) goto oom;
        const tl_qt *w = &s->t[src];
        tl_qt *q = &s->t[c->q];
        int64_t n = tl_qg_numel(w);
        int nch = axis >= 0 ? w->dims[axis] : 1;
        int8_t *qv = malloc((size_t)n + 1);
        double *sc = malloc(((size_t)nch + 1) * sizeof *sc);
        if (!qv || !sc) {
          free(qv), free(sc);
          goto oom;
        }
        if (mode == W_ONLY_ASYM) {
          int32_t zp;
          tl_q_weights_asym((const float *)w->data, n, &sc[0], &zp, qv);
          int64_t z = zp;
          if (tl_qg_set_quant(q, 1, sc, &z, 0)) goto oom;
        } else {
          tl_q_weights_symmetric((const float *)w->data, w->ndim, w->dims, axis, sc, qv);
          if (tl_qg_set_quant(q, nch, sc, NULL, axis)) goto oom;
        }
        free(sc);
        tl_qg_set_data(q, (uint8_t *)qv, (size_t)n);
        if (rep) rep->weights_quantized++;
        if (mode != W_HYBRID) {
          /* Weight only: the kernel has no hybrid path, so a DEQUANTIZE feeds it float weights. */
          c->dq = tl_qg_add_like(s, src, "_dequantized", TL_FLOAT32);
          if (c->dq < 0) goto oom;
          int32_t din = c->q, dout = c->dq;
          if (tl_qg_push_op(&s->ops, &s->nops, &s->cops, TL_BUILTIN_DEQUANTIZE, 1, &din, 1, &dout, 1) < 0) goto oom;
          if (rep) rep->ops_inserted++;
        }
      }
      op->in[j] = mode == W_HYBRID ? c->q : c->dq;
      if (mode == W_HYBRID && op->builtin == TL_BUILTIN_FULLY_CONNECTED) {
        /* The MLIR quantizer asks hybrid FC kernels to quantize inputs asymmetrically. */
        op->opts = tl_tfl_opts_fully_connected(tl_q_opt_byte(op, TL_SCH_OPT_FULLY_CONNECTED_FUSED_ACTIVATION_FUNCTION, 0),
                                               tl_q_opt_byte(op, TL_SCH_OPT_FULLY_CONNECTED_WEIGHTS_FORMAT, 0),
                                               tl_q_opt_byte(op, TL_SCH_OPT_FULLY_CONNECTED_KEEP_NUM_DIMS, 0), 1);
        op->opts_set = 1;
      }
      if (tl_qg_move_op(&s->ops, &s->nops, &s->cops, op) < 0) goto oom;
    }
    free(cache);
    free(old);
    continue;
  oom:
    free(cache);
    for (int k = 0; k < nold; k++) free(old[k].in), free(old[k].out), free(old[k].interm);
    free(old);
    snprintf(err, errlen, "out of memory quantizing weights");
    return TL_ERR_NOMEM;
  }
  return TL_OK;
}

/* SPDX-License-Identifier: Apache-2.0
 * tl_quantize: the converter's entry point. Copies the model into the editable graph, refuses models
 * that are already quantized, runs the pass for the requested mode and writes the result. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "format/schema.h"
#include "qgraph.h"
#include "qpass.h"

void tl_q_note(tl_qreport *rep, const char *fmt, ...) {
  if (!rep) return;
  size_t len = strlen(rep->notes), cap = sizeof rep->notes;
  if (len + 2 >= cap) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(rep->notes + len, cap - len - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  len = strlen(rep->notes);
  if (len + 1 < cap) rep->notes[len] = '\n', rep->notes[len + 1] = 0;
}

int tl_quant_is_quantized(const tl_model *m, char *why, size_t whylen) {
  for (int si = 0; si < m->n_subgraphs; si++) {
    const tl_msubgraph *g = &m->subgraphs[si];
    for (int t = 0; t < g->n_tensors; t++) {
      const tl_mtensor *x = &g->tensors[t];
      if (x->q.n || x->type == TL_FLOAT16) {
        snprintf(why, whylen, "subgraph %d tensor %d '%s' is %s%s", si, t, x->name ? x->name : "",
                 tl_type_name(x->type), x->q.n ? " with quantization parameters" : "");
        return 1;
      }
    }
    for (int k = 0; k < g->n_ops; k++)
      if (g->ops[k].builtin == TL_BUILTIN_QUANTIZE || g->ops[k].builtin == TL_BUILTIN_DEQUANTIZE) {
        snprintf(why, whylen, "subgraph %d op %d is a %s op", si, k, tl_op_name(g->ops[k].builtin));
        return 1;
      }
  }
  return 0;
}

static const char *mode_name(tl_qmode m) {
  switch (m) {
    case TL_QMODE_DYNAMIC: return "dynamic";
    case TL_QMODE_INT8: return "int8";
    case TL_QMODE_FLOAT16: return "float16";
    default: return "none";
  }
}

tl_status tl_quantize(const tl_model *m, const tl_qoptions *o, const tl_qranges *ranges, tl_qreport *report,
                      uint8_t **out, size_t *out_size, char *err, size_t errlen) {
  if (out) *out = NULL;
  if (out_size) *out_size = 0;
  if (report) memset(report, 0, sizeof *report);
  if (!m || !o || !out || !out_size) {
    snprintf(err, errlen, "tl_quantize: NULL argument");
    return TL_ERR_ARG;
  }
  if (o->mode != TL_QMODE_NONE) {
    char why[512];
    if (tl_quant_is_quantized(m, why, sizeof why)) {
      snprintf(err, errlen, "the model is already quantized (%s); convert its float original", why);
      return TL_ERR_ARG;
    }
  }
  if (o->mode == TL_QMODE_INT8 && !ranges) {
    snprintf(err, errlen, "int8 quantization needs calibration ranges");
    return TL_ERR_ARG;
  }
  if (o->io_type != 0 && o->io_type != TL_FLOAT32 && o->io_type != TL_INT8 && o->io_type != TL_UINT8) {
    snprintf(err, errlen, "io type must be float32, int8 or uint8, not %s", tl_type_name(o->io_type));
    return TL_ERR_ARG;
  }
  tl_qgraph g;
  memset(&g, 0, sizeof g);
  g.mode_name = mode_name(o->mode);
  tl_status st = tl_qg_from_model(&g, m, err, errlen);
  if (!st) {
    switch (o->mode) {
      case TL_QMODE_DYNAMIC: st = tl_q_pass_dynamic(&g, o, report, err, errlen); break;
      case TL_QMODE_FLOAT16: st = tl_q_pass_float16(&g, report, err, errlen); break;
      case TL_QMODE_INT8: st = tl_q_pass_int8(&g, o, ranges, report, err, errlen); break;
      default: break;
    }
  }
  if (!st) {
    /* TF marks float16 models as computing in float32 (reduced_precision_support metadata). */
    if (o->mode == TL_QMODE_FLOAT16) st = tl_qg_write(&g, "reduced_precision_support", "fp16accfp32", out, out_size, err, errlen);
    else st = tl_qg_write(&g, NULL, NULL, out, out_size, err, errlen);
  }
  tl_qg_free(&g);
  return st;
}

/* SPDX-License-Identifier: Apache-2.0
 * Float16 quantization (TF's supported_types = [tf.float16]): every float32 constant an op reads is
 * stored as IEEE half and turned back into float32 by a DEQUANTIZE op (version 3) at the start of its
 * subgraph, as the MLIR quantizer's float16 path does: half the size, float32 arithmetic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/schema.h"
#include "qgraph.h"
#include "qpass.h"

tl_status tl_q_pass_float16(tl_qgraph *g, tl_qreport *rep, char *err, size_t errlen) {
  for (int si = 0; si < g->nsub; si++) {
    tl_qsub *s = &g->subs[si];
    int32_t nt0 = s->nt;
    int32_t *dq = malloc(((size_t)nt0 + 1) * sizeof *dq); /* float32 constant -> its DEQUANTIZE output */
    tl_qop *old = s->ops;
    int32_t nold = s->nops;
    if (!dq) goto oom0;
    for (int i = 0; i < nt0; i++) dq[i] = -1;
    s->ops = NULL;
    s->nops = s->cops = 0;
    /* DEQUANTIZE ops first, in the order the constants are first read. */
    for (int k = 0; k < nold; k++)
      for (int j = 0; j < old[k].n_in; j++) {
        int t = old[k].in[j];
        if (t < 0 || t >= nt0 || dq[t] >= 0) continue;
        const tl_qt *c = &s->t[t];
        if (c->type != TL_FLOAT32 || !c->data || c->is_variable || (c->src && c->src->has_sparsity)) continue;
        int64_t n = tl_qg_numel(c);
        if ((size_t)n * 4 != c->size) continue;
        int h = tl_qg_add_like(s, t, NULL, TL_FLOAT16);
        int f = h >= 0 ? tl_qg_add_like(s, t, "1", TL_FLOAT32) : -1; /* TF's exporter names it <name>1 */
        uint16_t *hv = malloc((size_t)n * 2 + 2);
        if (f < 0 || !hv) {
          free(hv);
          goto oom;
        }
        const float *fv = (const float *)s->t[t].data;
        for (int64_t i = 0; i < n; i++) hv[i] = tl_q_f32_to_f16(fv[i]);
        tl_qg_set_data(&s->t[h], (uint8_t *)hv, (size_t)n * 2);
        int32_t din = h, dout = f;
        if (tl_qg_push_op(&s->ops, &s->nops, &s->cops, TL_BUILTIN_DEQUANTIZE, 3, &din, 1, &dout, 1) < 0) goto oom;
        dq[t] = f;
        if (rep) rep->weights_quantized++, rep->ops_inserted++;
      }
    for (int k = 0; k < nold; k++) {
      for (int j = 0; j < old[k].n_in; j++) {
        int t = old[k].in[j];
        if (t >= 0 && t < nt0 && dq[t] >= 0) old[k].in[j] = dq[t];
      }
      if (tl_qg_move_op(&s->ops, &s->nops, &s->cops, &old[k]) < 0) goto oom;
    }
    free(old);
    free(dq);
    continue;
  oom:
    for (int k = 0; k < nold; k++) free(old[k].in), free(old[k].out), free(old[k].interm);
    free(old);
  oom0:
    free(dq);
    snprintf(err, errlen, "out of memory converting weights to float16");
    return TL_ERR_NOMEM;
  }
  return TL_OK;
}

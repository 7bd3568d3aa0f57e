/* SPDX-License-Identifier: Apache-2.0
 * Test helper: copies a model through tinylite's writer (tests/model_copy.h). */
#include "model_copy.h"

#include <stdio.h>
#include <string.h>

tl_tfl_builder *tl_test_copy_model(const tl_model *m, tl_test_op_hook hook, void *ctx, char *err, size_t errlen) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  for (int i = 1; i < m->n_buffers; i++) tl_tfl_add_buffer(b, m->buffers[i].data, m->buffers[i].size);
  tl_tfl_set_description(b, m->description);
  for (int s = 0; s < m->n_subgraphs; s++) {
    const tl_msubgraph *g = &m->subgraphs[s];
    int sg = s == 0 ? 0 : tl_tfl_add_subgraph(b, NULL);
    tl_tfl_set_subgraph_name(b, sg, g->name && g->name[0] ? g->name : NULL);
    for (int t = 0; t < g->n_tensors; t++) {
      const tl_mtensor *mt = &g->tensors[t];
      tl_tfl_quant q = {(size_t)mt->q.n, mt->q.scales, mt->q.zero_points, mt->q.axis, 0, NULL, NULL};
      tl_tfl_add_tensor(b, sg, mt->name, mt->type, mt->ndim, mt->dims, mt->dims_sig, mt->buffer,
                        mt->q.n ? &q : NULL, mt->is_variable);
      if (mt->has_sparsity && tl_tfl_copy_tensor_sparsity(b, sg, t, &mt->sparsity)) {
        snprintf(err, errlen, "tensor %d: cannot decode its sparsity", t);
        tl_tfl_builder_free(b);
        return NULL;
      }
    }
    for (int k = 0, written = 0; k < g->n_ops; k++) {
      const tl_mop *op = &g->ops[k];
      const tl_mopcode *oc = &m->opcodes[op->opcode];
      const int replaced = hook ? hook(b, sg, m, k, ctx) : 0;
      if (replaced) {
        written += replaced;
        continue;
      }
      if (op->builtin == TL_BUILTIN_CUSTOM) {
        tl_tfl_add_custom_op(b, sg, oc->custom, op->version, op->in, op->n_in, op->out, op->n_out, op->custom,
                             op->custom_size);
      } else {
        tl_tfl_options o = tl_tfl_opts_raw(op->options_type, op->options.base, op->options.size, op->options.pos);
        tl_tfl_add_op(b, sg, op->builtin, op->version, op->in, op->n_in, op->out, op->n_out,
                      op->options.ok ? &o : NULL);
      }
      if (op->n_interm) tl_tfl_set_op_intermediates(b, sg, written, op->interm, op->n_interm);
      written++;
    }
    tl_tfl_set_io(b, sg, g->in, g->n_in, g->out, g->n_out);
  }
  for (int i = 0; i < m->n_signatures; i++) {
    const tl_msignature *sgn = &m->signatures[i];
    const char *in_names[64], *out_names[64];
    int32_t in_t[64], out_t[64];
    int ni = sgn->n_in < 64 ? sgn->n_in : 64, no = sgn->n_out < 64 ? sgn->n_out : 64;
    for (int k = 0; k < ni; k++) in_names[k] = sgn->in[k].name, in_t[k] = sgn->in[k].tensor;
    for (int k = 0; k < no; k++) out_names[k] = sgn->out[k].name, out_t[k] = sgn->out[k].tensor;
    tl_tfl_add_signature(b, sgn->key, sgn->subgraph, in_names, in_t, ni, out_names, out_t, no);
  }
  for (int i = 0; i < m->n_metadata; i++) tl_tfl_add_metadata(b, m->metadata[i].name, m->metadata[i].buffer);
  if (tl_tfl_builder_errmsg(b)[0]) {
    snprintf(err, errlen, "%s", tl_tfl_builder_errmsg(b));
    tl_tfl_builder_free(b);
    return NULL;
  }
  return b;
}

/* A new activation tensor like `like` (type, quantization) with the given shape. */
static int like_tensor(tl_tfl_builder *b, int sg, const tl_mtensor *like, const char *suffix, int nd, const int32_t *d) {
  char name[512];
  snprintf(name, sizeof name, "%s/%s", like->name ? like->name : "t", suffix);
  tl_tfl_quant q = {(size_t)like->q.n, like->q.scales, like->q.zero_points, like->q.axis, 0, NULL, NULL};
  return tl_tfl_add_tensor(b, sg, name, like->type, nd, d, NULL, 0, like->q.n ? &q : NULL, 0);
}

/* A FULLY_CONNECTED that is not rewritten keeps its arithmetic under the version TFLite 2.9 knows
 * (9): the converter, like TensorFlow's, gives every FULLY_CONNECTED the highest version any needs. */
static int fc_lower_version(tl_tfl_builder *b, int sg, const tl_mop *op) {
  if (op->version <= 9) return 0;
  tl_tfl_options o = tl_tfl_opts_raw(op->options_type, op->options.base, op->options.size, op->options.pos);
  tl_tfl_add_op(b, sg, op->builtin, 9, op->in, op->n_in, op->out, op->n_out, op->options.ok ? &o : NULL);
  return 1;
}

/* A zero bias for a conv whose FULLY_CONNECTED had none (TFLite's CONV_2D needs one): float for a
 * hybrid conv, int32 at input scale * weight scale per channel for an integer one. */
static int zero_bias(tl_tfl_builder *b, int sg, const tl_mtensor *x, const tl_mtensor *w, int32_t units) {
  int32_t d[1] = {units};
  if (x->type == TL_FLOAT32) {
    float zeros[4096] = {0};
    return units <= 4096 ? tl_tfl_add_const_tensor(b, sg, NULL, TL_TFL_FLOAT32, 1, d, zeros, sizeof(float) * (size_t)units, NULL) : -2;
  }
  static int32_t zeros[4096];
  static float scales[4096];
  static int64_t zps[4096];
  if (units > 4096 || w->q.n != units || x->q.n < 1) return -2;
  for (int c = 0; c < units; c++) scales[c] = x->q.scales[0] * w->q.scales[c], zps[c] = 0;
  tl_tfl_quant q = {(size_t)units, scales, zps, 0, 0, NULL, NULL};
  return tl_tfl_add_const_tensor(b, sg, NULL, TL_TFL_INT32, 1, d, zeros, sizeof(int32_t) * (size_t)units, &q);
}

static int fc_to_conv(tl_tfl_builder *b, int sg, const tl_model *m, int k, void *ctx) {
  const tl_msubgraph *g = &m->subgraphs[sg];
  const tl_mop *op = &g->ops[k];
  if (op->builtin != TL_BUILTIN_FULLY_CONNECTED || op->n_in < 2 || op->n_out != 1) return 0;
  const tl_mtensor *x = &g->tensors[op->in[0]], *w = &g->tensors[op->in[1]], *y = &g->tensors[op->out[0]];
  if (w->q.n <= 1 || w->ndim != 2 || (w->type != TL_INT8 && w->type != TL_UINT8)) return fc_lower_version(b, sg, op);
  const int32_t units = w->dims[0], depth = w->dims[1];
  int64_t total = 1;
  for (int i = 0; i < x->ndim; i++) total *= x->dims[i];
  const int32_t rows = (int32_t)(total / depth);
  const int32_t d_x4[4] = {rows, 1, 1, depth}, d_w4[4] = {units, 1, 1, depth}, d_y4[4] = {rows, 1, 1, units};
  const int32_t d_s[1] = {4};
  const int act = op->options.ok ? tl_fb_i8(&op->options, 0, 0) : 0;
  const int bias = op->n_in > 2 && op->in[2] >= 0 ? op->in[2] : zero_bias(b, sg, x, w, units);
  if (bias == -2) return 0; /* left as it is: the reference then refuses it and says why */
  char name[512];
  snprintf(name, sizeof name, "%s/as_conv", w->name ? w->name : "w");
  tl_tfl_quant wq = {(size_t)w->q.n, w->q.scales, w->q.zero_points, 0, 0, NULL, NULL};
  const int w4 = tl_tfl_add_tensor(b, sg, name, w->type, 4, d_w4, NULL, w->buffer, &wq, 0);
  const int s1 = tl_tfl_add_const_tensor(b, sg, NULL, TL_TFL_INT32, 1, d_s, d_x4, sizeof d_x4, NULL);
  const int x4 = like_tensor(b, sg, x, "as_nhwc", 4, d_x4), y4 = like_tensor(b, sg, y, "as_nhwc", 4, d_y4);
  const int32_t d_s2[1] = {y->ndim};
  const int s2 = tl_tfl_add_const_tensor(b, sg, NULL, TL_TFL_INT32, 1, d_s2, y->dims, sizeof(int32_t) * (size_t)y->ndim, NULL);
  int in1[2] = {op->in[0], s1}, out1[1] = {x4};
  tl_tfl_options r1 = tl_tfl_opts_reshape(d_x4, 4);
  tl_tfl_add_op(b, sg, TL_BUILTIN_RESHAPE, 1, in1, 2, out1, 1, &r1);
  int in2[3] = {x4, w4, bias}, out2[1] = {y4};
  tl_tfl_options c = tl_tfl_opts_conv2d(TL_TFL_PAD_VALID, 1, 1, act, 1, 1);
  tl_tfl_add_op(b, sg, TL_BUILTIN_CONV_2D, x->type == TL_FLOAT32 ? 5 : 3, in2, 3, out2, 1, &c);
  int in3[2] = {y4, s2}, out3[1] = {op->out[0]};
  tl_tfl_options r2 = tl_tfl_opts_reshape(y->dims, y->ndim);
  tl_tfl_add_op(b, sg, TL_BUILTIN_RESHAPE, 1, in3, 2, out3, 1, &r2);
  ++*(int *)ctx;
  return 3;
}

int tl_test_fc_conv_twin(const char *src, const char *dst, char *err, size_t errlen) {
  tl_model *m;
  if (tl_model_open(src, &m, err, errlen) != TL_OK) return -1;
  int rewritten = 0;
  tl_tfl_builder *b = tl_test_copy_model(m, fc_to_conv, &rewritten, err, errlen);
  tl_model_close(m);
  if (!b) return -1;
  int rc = tl_tfl_write_file(b, dst, err, errlen);
  tl_tfl_builder_free(b);
  return rc ? -1 : rewritten;
}

/* SPDX-License-Identifier: Apache-2.0
 * PACK: stacks values_count same-shaped tensors along a new axis (negative allowed, in [-(r+1), r]).
 * A byte copy for any fixed-size dtype; quantized inputs must share the output's parameters. */
#include "kcommon.h"

typedef struct {
  int64_t outer;
  size_t chunk; /* bytes of one input slice below the axis */
} pack_state;

static tl_status pack_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const pack_state *p = node->state;
  const int n = node->n_in;
  uint8_t *out = node->out[0]->data;
  if (!p->chunk) return TL_OK;
  for (int64_t o = 0; o < p->outer; o++)
    for (int k = 0; k < n; k++)
      memcpy(out + ((size_t)o * (size_t)n + (size_t)k) * p->chunk, (const uint8_t *)node->in[k]->data + (size_t)o * p->chunk,
             p->chunk);
  return TL_OK;
}

tl_status tl_prep_pack(tl_kctx *ctx, tl_node *node) {
  if (node->n_in < 1) return tl_kfail(ctx, node, "needs at least one input");
  tl_status s = kc_io(ctx, node, node->n_in, node->n_in, 1);
  if (s) return s;
  const tl_fb_table *o = kc_opts(node);
  int32_t count = tl_pack_values_count(o), ax = tl_pack_axis(o);
  if (count != node->n_in) return tl_kfail(ctx, node, "values_count %d != %d inputs", (int)count, (int)node->n_in);
  const tl_tensor *in0 = node->in[0];
  tl_tensor *out = node->out[0];
  const int rank = in0->ndim;
  if (rank + 1 > TL_MAX_DIMS) return tl_kfail(ctx, node, "rank too large");
  int axis;
  if (!kc_axis(ax, rank + 1, &axis)) return tl_kfail(ctx, node, "axis %d out of range", (int)ax);
  if (!kc_esize(out->type)) return tl_kunsupported(ctx, node, "type %s", tl_type_name(out->type));
  const int quant = out->type == TL_INT8 || out->type == TL_UINT8 || out->type == TL_INT16;
  for (int k = 0; k < node->n_in; k++) {
    const tl_tensor *t = node->in[k];
    if (t->type != out->type) return tl_kfail(ctx, node, "input %d type differs from the output", k);
    if (!tl_same_shape(t, in0)) return tl_kfail(ctx, node, "input %d shape differs from input 0", k);
    if (quant && (t->scale != out->scale || t->zero_point != out->zero_point))
      return tl_kunsupported(ctx, node, "quantized inputs with different scale/zero point than the output");
  }
  int32_t dims[TL_MAX_DIMS];
  for (int i = 0, j = 0; i <= rank; i++) dims[i] = i == axis ? count : in0->dims[j++];
  if ((s = tl_kset_shape(ctx, node, out, rank + 1, dims))) return s;
  pack_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->outer = kc_prod(in0->dims, 0, axis);
  p->chunk = (size_t)kc_prod(in0->dims, axis, rank) * kc_esize(out->type);
  node->state = p;
  node->eval = pack_eval;
  return TL_OK;
}

/* SPDX-License-Identifier: Apache-2.0
 * REVERSE_SEQUENCE(input, seq_lengths): for each index b along batch_dim, the first seq_lengths[b]
 * slices along seq_dim are reversed, the rest copied (ReverseSequenceOptions seq_dim, batch_dim).
 * Any fixed-size dtype; lengths int32 or int64, each within [0, the sequence dim] (checked at run
 * time, as TFLite does). */
#include "kcommon.h"

typedef struct {
  int seq_dim, batch_dim;
  size_t es;
} revseq_state;

static tl_status revseq_eval(tl_kctx *ctx, tl_node *node) {
  const revseq_state *p = node->state;
  const tl_tensor *in = node->in[0], *len = node->in[1];
  const int nd = in->ndim, sd = p->seq_dim, bd = p->batch_dim;
  for (int64_t b = 0; b < in->dims[bd]; b++) {
    const int64_t l = kc_ival(len, b);
    if (l < 0 || l > in->dims[sd]) return tl_kruntime(ctx, node, "seq_lengths[%lld] = %lld outside [0, %d]", (long long)b, (long long)l, (int)in->dims[sd]);
  }
  int64_t stride[TL_MAX_DIMS];
  int64_t r = 1;
  for (int i = nd - 1; i >= 0; i--) stride[i] = r, r *= in->dims[i];
  const int64_t n = tl_numel(in);
  const uint8_t *x = in->data;
  uint8_t *o = node->out[0]->data;
  for (int64_t i = 0; i < n; i++) {
    const int64_t s = (i / stride[sd]) % in->dims[sd], b = (i / stride[bd]) % in->dims[bd], l = kc_ival(len, b);
    const int64_t src = s < l ? i + (l - 1 - 2 * s) * stride[sd] : i;
    memcpy(o + (size_t)i * p->es, x + (size_t)src * p->es, p->es);
  }
  return TL_OK;
}

tl_status tl_prep_reverse_sequence(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0], *len = node->in[1];
  if ((s = tl_ref_check_same_type(ctx, node, in, node->out[0]))) return s;
  if (!kc_esize(in->type)) return tl_kunsupported(ctx, node, "type %s", tl_type_name(in->type));
  if (!kc_is_index_type(len->type) || len->ndim != 1) return tl_kfail(ctx, node, "seq_lengths must be an int32 or int64 vector");
  revseq_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  const tl_fb_table *o = kc_opts(node);
  int sd, bd;
  if (!kc_axis(tl_reverse_sequence_seq_dim(o), in->ndim, &sd) || !kc_axis(tl_reverse_sequence_batch_dim(o), in->ndim, &bd) || sd == bd)
    return tl_kfail(ctx, node, "seq_dim and batch_dim must be two distinct dims of the input");
  if (len->dims[0] != in->dims[bd]) return tl_kfail(ctx, node, "seq_lengths has %d entries, batch dim %d", (int)len->dims[0], (int)in->dims[bd]);
  p->seq_dim = sd, p->batch_dim = bd, p->es = kc_esize(in->type);
  if ((s = tl_kset_shape(ctx, node, node->out[0], in->ndim, in->dims))) return s;
  node->state = p;
  node->eval = revseq_eval;
  return TL_OK;
}

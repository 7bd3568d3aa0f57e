/* SPDX-License-Identifier: Apache-2.0
 * Numpy broadcasting for two-input elementwise ops (ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM...): prepare
 * computes the output shape and per-input strides, folding size-1 dims and merging contiguous runs so
 * eval spends its time in long innermost loops (stride 1 or 0) that compilers vectorize. */
#include "kcommon.h"

tl_status tl_ref_bcast_prepare(tl_kctx *ctx, tl_node *node, const tl_tensor *a, const tl_tensor *b, tl_tensor *out,
                               tl_bcast *bc) {
  int nd;
  int32_t od[TL_MAX_DIMS];
  if (!tl_broadcast_shape(a, b, &nd, od)) return tl_kfail(ctx, node, "input shapes cannot be broadcast");
  tl_status s = tl_kset_shape(ctx, node, out, nd, od);
  if (s) return s;
  /* Full-rank strides (elements) of each input, 0 where it is broadcast. */
  int64_t sa[TL_MAX_DIMS], sb[TL_MAX_DIMS], ra = 1, rb = 1;
  for (int i = nd - 1; i >= 0; i--) {
    int ia = a->ndim - nd + i, ib = b->ndim - nd + i;
    int32_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
    sa[i] = da == 1 ? 0 : ra;
    sb[i] = db == 1 ? 0 : rb;
    ra *= da;
    rb *= db;
  }
  /* Drop size-1 output dims, then merge dim i into the next kept one when both inputs stay linear. */
  memset(bc, 0, sizeof *bc);
  int m = 0;
  for (int i = 0; i < nd; i++) {
    if (od[i] == 1) continue;
    if (m > 0) {
      int j = m - 1;
      int lin_a = sa[i] * od[i] == bc->sa[j] || (sa[i] == 0 && bc->sa[j] == 0);
      int lin_b = sb[i] * od[i] == bc->sb[j] || (sb[i] == 0 && bc->sb[j] == 0);
      if (lin_a && lin_b) {
        bc->dims[j] *= od[i];
        bc->sa[j] = sa[i];
        bc->sb[j] = sb[i];
        continue;
      }
    }
    bc->dims[m] = od[i];
    bc->sa[m] = sa[i];
    bc->sb[m] = sb[i];
    m++;
  }
  if (m == 0) {
    bc->dims[0] = 1;
    bc->sa[0] = bc->sb[0] = 0;
    m = 1;
  }
  bc->nd = m;
  return TL_OK;
}

void tl_ref_bcast_run(const tl_bcast *bc, size_t esize_in, size_t esize_out, const void *a, const void *b, void *out,
                      tl_bcast_row_fn row, const void *params) {
  const int nd = bc->nd;
  for (int k = 0; k < nd; k++)
    if (bc->dims[k] <= 0) return;
  const int64_t n = bc->dims[nd - 1];
  int64_t idx[TL_MAX_DIMS] = {0};
  int64_t oa = 0, ob = 0, oo = 0;
  for (;;) {
    row(n, (const uint8_t *)a + oa * (int64_t)esize_in, bc->sa[nd - 1], (const uint8_t *)b + ob * (int64_t)esize_in,
        bc->sb[nd - 1], (uint8_t *)out + oo * (int64_t)esize_out, params);
    oo += n;
    int k = nd - 2;
    for (; k >= 0; k--) {
      oa += bc->sa[k];
      ob += bc->sb[k];
      if (++idx[k] < bc->dims[k]) break;
      oa -= bc->sa[k] * bc->dims[k];
      ob -= bc->sb[k] * bc->dims[k];
      idx[k] = 0;
    }
    if (k < 0) return;
  }
}

#include "binary.h"

tl_status tl_ref_binary_prepare(tl_kctx *ctx, tl_node *node, int has_act, tl_binary_state **st) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *a = node->in[0], *b = node->in[1];
  tl_tensor *out = node->out[0];
  if (a->type != b->type || a->type != out->type)
    return tl_kfail(ctx, node, "input types %s/%s and output type %s differ", tl_type_name(a->type),
                    tl_type_name(b->type), tl_type_name(out->type));
  if (a->ndim > 6 || b->ndim > 6) return tl_kunsupported(ctx, node, "broadcasting beyond 6 dims");
  tl_binary_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->act = has_act ? tl_fb_i8(kc_opts(node), TL_SCH_OPT_ADD_FUSED_ACTIVATION_FUNCTION, 0) : TL_TFL_ACT_NONE;
  if (!kc_act_is_clamp(p->act)) return tl_kunsupported(ctx, node, "fused activation %d", p->act);
  tl_act_range_f32(p->act, &p->lo, &p->hi);
  if ((s = tl_ref_bcast_prepare(ctx, node, a, b, out, &p->bc))) return s;
  node->state = p;
  *st = p;
  return TL_OK;
}

/* SPDX-License-Identifier: Apache-2.0
 * Small inline helpers shared by the reference kernels: input/output count checks, option access,
 * reading int32/int64 index tensors, element sizes and axis normalisation. Header-only (static). */
#ifndef TL_KERNELS_REF_KCOMMON_H
#define TL_KERNELS_REF_KCOMMON_H

#include <stdint.h>
#include <string.h>

#include "../../format/schema.h"
#include "../kernel.h"

/* The options table of a node (a !ok table when the model has none: getters then give defaults). */
static inline const tl_fb_table *kc_opts(const tl_node *n) {
  static const tl_fb_table none = {0};
  return n->m ? &n->m->options : &none;
}

/* Checks n_in in [min_in, max_in] and n_out == n_out_want, and that the first min_in inputs and every
 * output are present. */
static inline tl_status kc_io(tl_kctx *ctx, tl_node *n, int min_in, int max_in, int n_out) {
  if (n->n_in < min_in || n->n_in > max_in)
    return tl_kfail(ctx, n, "expected %d..%d inputs, got %d", min_in, max_in, (int)n->n_in);
  if (n->n_out != n_out) return tl_kfail(ctx, n, "expected %d outputs, got %d", n_out, (int)n->n_out);
  for (int i = 0; i < min_in; i++)
    if (!n->in[i]) return tl_kfail(ctx, n, "input %d is missing", i);
  for (int i = 0; i < n_out; i++)
    if (!n->out[i]) return tl_kfail(ctx, n, "output %d is missing", i);
  return TL_OK;
}

/* Element size of the fixed-size types kernels move around; 0 for others. */
/* One input, one output of the same type and shape (element-wise unary ops): checks and sets it. */
static inline tl_status kc_unary(tl_kctx *ctx, tl_node *n, const tl_tensor **in, tl_tensor **out) {
  tl_status s = kc_io(ctx, n, 1, 1, 1);
  if (s) return s;
  *in = n->in[0], *out = n->out[0];
  if ((*in)->type != (*out)->type) return tl_kfail(ctx, n, "input and output types differ");
  return tl_kset_shape(ctx, n, *out, (*in)->ndim, (*in)->dims);
}

static inline size_t kc_esize(int type) {
  switch (type) {
    case TL_FLOAT32: case TL_INT32: case TL_UINT32: return 4;
    case TL_FLOAT16: case TL_INT16: case TL_UINT16: return 2;
    case TL_UINT8: case TL_INT8: case TL_BOOL: return 1;
    case TL_INT64: case TL_UINT64: case TL_FLOAT64: case TL_COMPLEX64: return 8;
    default: return 0;
  }
}

/* Value i of an int32 or int64 tensor (callers checked the type and the count). */
static inline int64_t kc_ival(const tl_tensor *t, int64_t i) {
  if (t->type == TL_INT64) {
    int64_t v;
    memcpy(&v, (const uint8_t *)t->data + 8 * i, 8);
    return v;
  }
  int32_t v;
  memcpy(&v, (const uint8_t *)t->data + 4 * i, 4);
  return v;
}

static inline int kc_is_index_type(int type) { return type == TL_INT32 || type == TL_INT64; }

/* Normalises a possibly negative axis against rank; returns 0 when out of [-rank, rank). */
static inline int kc_axis(int64_t axis, int rank, int *out) {
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return 0;
  *out = (int)axis;
  return 1;
}

/* Fused activations that are plain clamps (NONE, RELU, RELU_N1_TO_1, RELU6). */
static inline int kc_act_is_clamp(int act) { return act >= TL_TFL_ACT_NONE && act <= TL_TFL_ACT_RELU6; }

/* Product of dims[from..to). */
static inline int64_t kc_prod(const int32_t *dims, int from, int to) {
  int64_t p = 1;
  for (int i = from; i < to; i++) p *= dims[i];
  return p;
}

/* ---- Shared reference-kernel pieces (defined in the .c files named) ---- */

/* hard_swish_q.c: int8/uint8 HARD_SWISH (input and output shapes already set). */
tl_status tl_ref_hard_swish_q_prepare(tl_kctx *ctx, tl_node *node);
/* Quantized ABS, ELU and GELU (unary_q.c), chosen by node->op. */
tl_status tl_ref_unary_q_prepare(tl_kctx *ctx, tl_node *node);

/* reshape.c: byte copy of input 0 to output 0 (RESHAPE, SQUEEZE, EXPAND_DIMS), and the dtype check
 * those ops share (same type in and out, fixed-size element). */
tl_status tl_ref_copy_eval(tl_kctx *ctx, tl_node *node);
tl_status tl_ref_check_same_type(tl_kctx *ctx, tl_node *node, const tl_tensor *in, const tl_tensor *out);

/* strided_copy.c: copies an nd-dim box from src to a dense dst in row-major order of odims, reading
 * element (i0..ik) at src + sum(ik * istride[k]) elements (strides may be negative or 0). esize is the
 * element size in bytes (1, 2, 4 or 8). Used by TRANSPOSE, STRIDED_SLICE, SLICE, PAD. */
void tl_ref_strided_copy(size_t esize, int nd, const int32_t *odims, const int64_t *istride, const void *src,
                         void *dst);

/* bcast.c: numpy broadcasting of two inputs, collapsed to the fewest dims. prepare sets out's shape;
 * run calls row() for each innermost run of n elements, with input strides 0 or 1 (elements). */
typedef struct {
  int nd;
  int64_t dims[TL_MAX_DIMS];
  int64_t sa[TL_MAX_DIMS], sb[TL_MAX_DIMS];
} tl_bcast;
typedef void (*tl_bcast_row_fn)(int64_t n, const void *a, int64_t sa, const void *b, int64_t sb, void *out,
                                const void *params);
tl_status tl_ref_bcast_prepare(tl_kctx *ctx, tl_node *node, const tl_tensor *a, const tl_tensor *b, tl_tensor *out,
                               tl_bcast *bc);
void tl_ref_bcast_run(const tl_bcast *bc, size_t esize_in, size_t esize_out, const void *a, const void *b, void *out,
                      tl_bcast_row_fn row, const void *params);

#endif

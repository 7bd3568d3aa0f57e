/* SPDX-License-Identifier: Apache-2.0
 * MAXIMUM and MINIMUM with numpy broadcasting. Pure selection, so one eval per element size serves
 * float32, int8, uint8, int16, int32 and int64 alike. Quantized values are compared raw, whatever
 * their scales and zero points, exactly as TFLite's kernel does (it checks no quantization
 * parameters; converters give inputs and output one scale). NaN follows
 * TFLite's MaximumOp/MinimumOp (x > y ? x : y): max(x, NaN) = NaN, max(NaN, y) = y. */
#include "binary.h"

#define MAX_E(x, y) ((x) > (y) ? (x) : (y))
#define MIN_E(x, y) ((x) < (y) ? (x) : (y))
TL_BINARY_ROW(max_row_f32, float, MAX_E(x, y), TL_NO_CLAMP)
TL_BINARY_ROW(min_row_f32, float, MIN_E(x, y), TL_NO_CLAMP)
TL_BINARY_ROW(max_row_s8, int8_t, MAX_E(x, y), TL_NO_CLAMP)
TL_BINARY_ROW(min_row_s8, int8_t, MIN_E(x, y), TL_NO_CLAMP)
TL_BINARY_ROW(max_row_u8, uint8_t, MAX_E(x, y), TL_NO_CLAMP)
TL_BINARY_ROW(min_row_u8, uint8_t, MIN_E(x, y), TL_NO_CLAMP)
TL_BINARY_ROW(max_row_s16, int16_t, MAX_E(x, y), TL_NO_CLAMP)
TL_BINARY_ROW(min_row_s16, int16_t, MIN_E(x, y), TL_NO_CLAMP)
TL_BINARY_ROW(max_row_s32, int32_t, MAX_E(x, y), TL_NO_CLAMP)
TL_BINARY_ROW(min_row_s32, int32_t, MIN_E(x, y), TL_NO_CLAMP)
TL_BINARY_ROW(max_row_s64, int64_t, MAX_E(x, y), TL_NO_CLAMP)
TL_BINARY_ROW(min_row_s64, int64_t, MIN_E(x, y), TL_NO_CLAMP)

typedef struct {
  tl_binary_state b;
  tl_bcast_row_fn row;
  size_t esize;
} maxmin_state;

static tl_status maxmin_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const maxmin_state *p = node->state;
  tl_ref_bcast_run(&p->b.bc, p->esize, p->esize, node->in[0]->data, node->in[1]->data, node->out[0]->data, p->row,
                   &p->b);
  return TL_OK;
}

static tl_status prep(tl_kctx *ctx, tl_node *node, int is_max) {
  tl_binary_state *b;
  tl_status s = tl_ref_binary_prepare(ctx, node, 0, &b);
  if (s) return s;
  maxmin_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->b = *b;
  node->state = p;
  const tl_tensor *x = node->in[0];
  switch (x->type) {
    case TL_FLOAT32: p->row = is_max ? max_row_f32 : min_row_f32; break;
    case TL_INT8: p->row = is_max ? max_row_s8 : min_row_s8; break;
    case TL_UINT8: p->row = is_max ? max_row_u8 : min_row_u8; break;
    case TL_INT16: p->row = is_max ? max_row_s16 : min_row_s16; break;
    case TL_INT32: p->row = is_max ? max_row_s32 : min_row_s32; break;
    case TL_INT64: p->row = is_max ? max_row_s64 : min_row_s64; break;
    default: return tl_kunsupported(ctx, node, "type %s", tl_type_name(x->type));
  }
  p->esize = kc_esize(x->type);
  node->eval = maxmin_eval;
  return TL_OK;
}

tl_status tl_prep_maximum(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 1); }
tl_status tl_prep_minimum(tl_kctx *ctx, tl_node *node) { return prep(ctx, node, 0); }

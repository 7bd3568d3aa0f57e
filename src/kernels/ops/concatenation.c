/* SPDX-License-Identifier: Apache-2.0
 * CONCATENATION along one axis (negative allowed). A byte copy for any fixed-size dtype when no
 * requantization is needed (float, ints, and quantized inputs sharing the output's scale/zero point);
 * float applies the fused clamp activation afterwards; uint8 inputs with other parameters are
 * requantized in float like TFLite's ConcatenationWithScaling. */
#include "../quant_math.h"
#include "kcommon.h"

typedef struct {
  int64_t outer;          /* product of dims before the axis */
  size_t out_row;         /* bytes of one outer slice of the output */
  float lo, hi;
  int act;
} concat_state;

static tl_status concat_eval_copy(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const concat_state *p = node->state;
  uint8_t *out = node->out[0]->data;
  size_t off = 0;
  for (int k = 0; k < node->n_in; k++) {
    const tl_tensor *t = node->in[k];
    const size_t row = p->outer ? t->bytes / (size_t)p->outer : 0;
    const uint8_t *src = t->data;
    if (row)
      for (int64_t o = 0; o < p->outer; o++) memcpy(out + (size_t)o * p->out_row + off, src + (size_t)o * row, row);
    off += row;
  }
  return TL_OK;
}

static tl_status concat_eval_f32(tl_kctx *ctx, tl_node *node) {
  concat_eval_copy(ctx, node);
  const concat_state *p = node->state;
  float *o = node->out[0]->data;
  const int64_t n = tl_numel(node->out[0]);
  const float lo = p->lo, hi = p->hi;
  if (p->act != TL_TFL_ACT_NONE)
    for (int64_t i = 0; i < n; i++) o[i] = o[i] < lo ? lo : (o[i] > hi ? hi : o[i]);
  return TL_OK;
}

/* uint8 inputs whose scale/zero point differ from the output's (legacy uint8 models): TFLite's
 * ConcatenationWithScaling requantizes them in float, round(q * s + b) + zp_out with s = s_in / s_out and
 * b = -zp_in * s; inputs sharing the output's parameters are copied. */
static tl_status concat_eval_u8(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const concat_state *p = node->state;
  const tl_tensor *out_t = node->out[0];
  uint8_t *out = out_t->data;
  const float inverse_output_scale = 1.f / out_t->scale;
  const int32_t zo = out_t->zero_point;
  size_t off = 0;
  for (int k = 0; k < node->n_in; k++) {
    const tl_tensor *t = node->in[k];
    const size_t row = p->outer ? t->bytes / (size_t)p->outer : 0;
    const uint8_t *src = t->data;
    const int same = t->zero_point == zo && t->scale == out_t->scale;
    const float scale = t->scale * inverse_output_scale;
    const float bias = (float)-t->zero_point * scale;
    for (int64_t o = 0; o < p->outer; o++) {
      uint8_t *restrict dst = out + (size_t)o * p->out_row + off;
      const uint8_t *restrict in = src + (size_t)o * row;
      if (same) {
        memcpy(dst, in, row);
        continue;
      }
      for (size_t j = 0; j < row; j++) {
        const float v = (float)in[j] * scale + bias;
        const int32_t q = tl_f2i32((double)tl_roundf(v)) + zo;
        dst[j] = (uint8_t)(q < 0 ? 0 : (q > 255 ? 255 : q));
      }
    }
    off += row;
  }
  return TL_OK;
}

tl_status tl_prep_concatenation(tl_kctx *ctx, tl_node *node) {
  if (node->n_in < 1) return tl_kfail(ctx, node, "needs at least one input");
  tl_status s = kc_io(ctx, node, node->n_in, node->n_in, 1);
  if (s) return s;
  const tl_tensor *in0 = node->in[0];
  tl_tensor *out = node->out[0];
  const int rank = in0->ndim;
  int axis;
  int32_t ax = tl_concatenation_axis(kc_opts(node));
  if (!kc_axis(ax, rank, &axis)) return tl_kfail(ctx, node, "axis %d out of range for rank %d", (int)ax, rank);
  int act = tl_concatenation_fused_activation_function(kc_opts(node));
  if (!kc_act_is_clamp(act)) return tl_kunsupported(ctx, node, "fused activation %d", act);
  if (!kc_esize(out->type)) return tl_kunsupported(ctx, node, "type %s", tl_type_name(out->type));
  int32_t dims[TL_MAX_DIMS];
  for (int i = 0; i < rank; i++) dims[i] = in0->dims[i];
  int64_t sum = 0;
  const int quant = out->type == TL_INT8 || out->type == TL_UINT8 || out->type == TL_INT16;
  int rescale = 0;
  char msg[200];
  if (quant && (out->qcount != 1 || !tl_check_quant(out, msg, sizeof msg)))
    return tl_kfail(ctx, node, "output needs valid per-tensor quantization");
  for (int k = 0; k < node->n_in; k++) {
    const tl_tensor *t = node->in[k];
    if (t->type != out->type) return tl_kfail(ctx, node, "input %d type %s != output type %s", k,
                                              tl_type_name(t->type), tl_type_name(out->type));
    if (t->ndim != rank) return tl_kfail(ctx, node, "input %d has rank %d, expected %d", k, (int)t->ndim, rank);
    for (int i = 0; i < rank; i++)
      if (i != axis && t->dims[i] != dims[i]) return tl_kfail(ctx, node, "input %d dim %d mismatch", k, i);
    sum += t->dims[axis];
    if (quant && (t->qcount != 1 || !tl_check_quant(t, msg, sizeof msg)))
      return tl_kfail(ctx, node, "input %d needs valid per-tensor quantization", k);
    if (quant && (t->scale != out->scale || t->zero_point != out->zero_point)) {
      /* TFLite rescales only uint8; its int8/int16 kernels require identical parameters. */
      if (out->type != TL_UINT8)
        return tl_kunsupported(ctx, node, "%s input %d with a scale/zero point different from the output's",
                               tl_type_name(out->type), k);
      rescale = 1;
    }
  }
  if (sum > INT32_MAX) return tl_kfail(ctx, node, "concatenated dim too large");
  dims[axis] = (int32_t)sum;
  if ((s = tl_kset_shape(ctx, node, out, rank, dims))) return s;
  concat_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->outer = kc_prod(dims, 0, axis);
  p->out_row = p->outer ? out->bytes / (size_t)p->outer : 0;
  p->act = act;
  tl_act_range_f32(act, &p->lo, &p->hi);
  node->state = p;
  if (out->type == TL_FLOAT32) {
    node->eval = concat_eval_f32;
  } else {
    if (act != TL_TFL_ACT_NONE && !quant) return tl_kunsupported(ctx, node, "fused activation on %s", tl_type_name(out->type));
    if (act != TL_TFL_ACT_NONE) return tl_kunsupported(ctx, node, "quantized concatenation with a fused activation");
    node->eval = rescale ? concat_eval_u8 : concat_eval_copy;
  }
  return TL_OK;
}

/* SPDX-License-Identifier: Apache-2.0
 * Options tables for the .tflite writer: fields set one by one, and helpers for the common ops. */
#include "tflite_writer_impl.h"

#include "fb_builder.h"

#include <stdlib.h>
#include <string.h>

tl_tfl_options tl_tfl_opts_empty(int union_type) {
  tl_tfl_options o;
  memset(&o, 0, sizeof o);
  o.type = (uint8_t)union_type;
  return o;
}

static int opts_add(tl_tfl_options *o, int id, int kind, int64_t i, double f, const void *data, size_t n) {
  if (!o || o->n_fields >= TL_TFL_MAX_FIELDS || id < 0 || id >= TL_FBB_MAX_FIELDS) return -1;
  tl_tfl_field *fl = &o->fields[o->n_fields++];
  memset(fl, 0, sizeof *fl);
  fl->id = (uint16_t)id;
  fl->kind = (uint8_t)kind;
  fl->i = i;
  fl->f = f;
  fl->data = data;
  fl->n = n;
  return 0;
}

int tl_tfl_opts_set_int(tl_tfl_options *o, int id, tl_tfl_field_kind kind, int64_t v) {
  if (!tl_tfl_kind_is_scalar((int)kind) || kind == TL_TFL_F_F32 || kind == TL_TFL_F_F64) return -1;
  return opts_add(o, id, (int)kind, v, 0.0, NULL, 0);
}

int tl_tfl_opts_set_float(tl_tfl_options *o, int id, tl_tfl_field_kind kind, double v) {
  if (kind != TL_TFL_F_F32 && kind != TL_TFL_F_F64) return -1;
  return opts_add(o, id, (int)kind, 0, v, NULL, 0);
}

int tl_tfl_opts_set_vec(tl_tfl_options *o, int id, tl_tfl_field_kind kind, const void *data, size_t n) {
  if (!tl_tfl_kind_is_vec((int)kind) || (n && !data)) return -1;
  return opts_add(o, id, (int)kind, 0, 0.0, data, n);
}

int tl_tfl_opts_set_string(tl_tfl_options *o, int id, const char *s) {
  if (!s) return -1;
  return opts_add(o, id, TL_TFL_F_STRING, 0, 0.0, s, strlen(s));
}

/* The typed helpers omit fields equal to the schema default, like FlatBuffers' builders do. */
static void opt_i(tl_tfl_options *o, int id, int kind, int64_t v, int64_t dflt) {
  if (v != dflt) opts_add(o, id, kind, v, 0.0, NULL, 0);
}

tl_tfl_options tl_tfl_opts_conv2d(int padding, int stride_w, int stride_h, int activation, int dilation_w,
                                  int dilation_h) {
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_CONV2D);
  opt_i(&o, TL_SCH_OPT_CONV2D_PADDING, TL_TFL_F_I8, padding, 0);
  opt_i(&o, TL_SCH_OPT_CONV2D_STRIDE_W, TL_TFL_F_I32, stride_w, 0);
  opt_i(&o, TL_SCH_OPT_CONV2D_STRIDE_H, TL_TFL_F_I32, stride_h, 0);
  opt_i(&o, TL_SCH_OPT_CONV2D_FUSED_ACTIVATION_FUNCTION, TL_TFL_F_I8, activation, 0);
  opt_i(&o, TL_SCH_OPT_CONV2D_DILATION_W_FACTOR, TL_TFL_F_I32, dilation_w, 1);
  opt_i(&o, TL_SCH_OPT_CONV2D_DILATION_H_FACTOR, TL_TFL_F_I32, dilation_h, 1);
  return o;
}

tl_tfl_options tl_tfl_opts_depthwise_conv2d(int padding, int stride_w, int stride_h, int depth_multiplier,
                                            int activation, int dilation_w, int dilation_h) {
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_DEPTHWISE_CONV2D);
  opt_i(&o, TL_SCH_OPT_DEPTHWISE_CONV2D_PADDING, TL_TFL_F_I8, padding, 0);
  opt_i(&o, TL_SCH_OPT_DEPTHWISE_CONV2D_STRIDE_W, TL_TFL_F_I32, stride_w, 0);
  opt_i(&o, TL_SCH_OPT_DEPTHWISE_CONV2D_STRIDE_H, TL_TFL_F_I32, stride_h, 0);
  opt_i(&o, TL_SCH_OPT_DEPTHWISE_CONV2D_DEPTH_MULTIPLIER, TL_TFL_F_I32, depth_multiplier, 0);
  opt_i(&o, TL_SCH_OPT_DEPTHWISE_CONV2D_FUSED_ACTIVATION_FUNCTION, TL_TFL_F_I8, activation, 0);
  opt_i(&o, TL_SCH_OPT_DEPTHWISE_CONV2D_DILATION_W_FACTOR, TL_TFL_F_I32, dilation_w, 1);
  opt_i(&o, TL_SCH_OPT_DEPTHWISE_CONV2D_DILATION_H_FACTOR, TL_TFL_F_I32, dilation_h, 1);
  return o;
}

tl_tfl_options tl_tfl_opts_fully_connected(int activation, int weights_format, int keep_num_dims,
                                           int asymmetric_quantize_inputs) {
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_FULLY_CONNECTED);
  opt_i(&o, TL_SCH_OPT_FULLY_CONNECTED_FUSED_ACTIVATION_FUNCTION, TL_TFL_F_I8, activation, 0);
  opt_i(&o, TL_SCH_OPT_FULLY_CONNECTED_WEIGHTS_FORMAT, TL_TFL_F_I8, weights_format, 0);
  opt_i(&o, TL_SCH_OPT_FULLY_CONNECTED_KEEP_NUM_DIMS, TL_TFL_F_BOOL, keep_num_dims != 0, 0);
  opt_i(&o, TL_SCH_OPT_FULLY_CONNECTED_ASYMMETRIC_QUANTIZE_INPUTS, TL_TFL_F_BOOL, asymmetric_quantize_inputs != 0, 0);
  return o;
}

tl_tfl_options tl_tfl_opts_pool2d(int padding, int stride_w, int stride_h, int filter_w, int filter_h, int activation) {
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_POOL2D);
  opt_i(&o, TL_SCH_OPT_POOL2D_PADDING, TL_TFL_F_I8, padding, 0);
  opt_i(&o, TL_SCH_OPT_POOL2D_STRIDE_W, TL_TFL_F_I32, stride_w, 0);
  opt_i(&o, TL_SCH_OPT_POOL2D_STRIDE_H, TL_TFL_F_I32, stride_h, 0);
  opt_i(&o, TL_SCH_OPT_POOL2D_FILTER_WIDTH, TL_TFL_F_I32, filter_w, 0);
  opt_i(&o, TL_SCH_OPT_POOL2D_FILTER_HEIGHT, TL_TFL_F_I32, filter_h, 0);
  opt_i(&o, TL_SCH_OPT_POOL2D_FUSED_ACTIVATION_FUNCTION, TL_TFL_F_I8, activation, 0);
  return o;
}

tl_tfl_options tl_tfl_opts_reshape(const int32_t *new_shape, int n) {
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_RESHAPE);
  if (new_shape && n >= 0)
    tl_tfl_opts_set_vec(&o, TL_SCH_OPT_RESHAPE_NEW_SHAPE, TL_TFL_F_VEC_I32, new_shape, (size_t)n);
  return o;
}

tl_tfl_options tl_tfl_opts_softmax(float beta) {
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_SOFTMAX);
  if (beta != 0.0f) opts_add(&o, TL_SCH_OPT_SOFTMAX_BETA, TL_TFL_F_F32, 0, beta, NULL, 0);
  return o;
}

static tl_tfl_options arith(int type, int activation) {
  tl_tfl_options o = tl_tfl_opts_empty(type);
  opt_i(&o, TL_SCH_OPT_ADD_FUSED_ACTIVATION_FUNCTION, TL_TFL_F_I8, activation, 0);
  return o;
}

tl_tfl_options tl_tfl_opts_add(int activation) { return arith(TL_TFL_OPT_ADD, activation); }
tl_tfl_options tl_tfl_opts_sub(int activation) { return arith(TL_TFL_OPT_SUB, activation); }
tl_tfl_options tl_tfl_opts_mul(int activation) { return arith(TL_TFL_OPT_MUL, activation); }

tl_tfl_options tl_tfl_opts_concatenation(int axis, int activation) {
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_CONCATENATION);
  opt_i(&o, TL_SCH_OPT_CONCATENATION_AXIS, TL_TFL_F_I32, axis, 0);
  opt_i(&o, TL_SCH_OPT_CONCATENATION_FUSED_ACTIVATION_FUNCTION, TL_TFL_F_I8, activation, 0);
  return o;
}

tl_tfl_options tl_tfl_opts_quantize(void) { return tl_tfl_opts_empty(TL_TFL_OPT_QUANTIZE); }
tl_tfl_options tl_tfl_opts_dequantize(void) { return tl_tfl_opts_empty(TL_TFL_OPT_DEQUANTIZE); }

tl_tfl_options tl_tfl_opts_raw(int union_type, const uint8_t *buf, size_t len, size_t table_pos) {
  tl_tfl_options o = tl_tfl_opts_empty(union_type);
  o.raw_buf = buf;
  o.raw_len = len;
  o.raw_table = table_pos;
  return o;
}

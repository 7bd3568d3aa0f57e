/* SPDX-License-Identifier: Apache-2.0
 * Small helpers shared by kernels: element counts, fused activations, TFLite's padding rule,
 * broadcasting shapes, and the op tables: builtin code -> prepare function (ops.def), custom_code ->
 * prepare function (custom_ops.def). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernel.h"

int64_t tl_numel(const tl_tensor *t) {
  int64_t n = 1;
  for (int i = 0; i < t->ndim; i++) n *= t->dims[i];
  return n;
}

int tl_same_shape(const tl_tensor *a, const tl_tensor *b) {
  if (a->ndim != b->ndim) return 0;
  for (int i = 0; i < a->ndim; i++)
    if (a->dims[i] != b->dims[i]) return 0;
  return 1;
}

tl_shape_text tl_shape_str(const tl_tensor *t) {
  tl_shape_text r = {"["};
  size_t len = 1;
  for (int i = 0; i < t->ndim && len < sizeof r.s - 14; i++)
    len += (size_t)snprintf(r.s + len, sizeof r.s - len, "%s%d", i ? "," : "", (int)t->dims[i]);
  snprintf(r.s + len, sizeof r.s - len, "]");
  return r;
}

void tl_act_range_f32(int act, float *lo, float *hi) {
  *lo = -INFINITY;
  *hi = INFINITY;
  if (act == TL_TFL_ACT_RELU) *lo = 0.f;
  else if (act == TL_TFL_ACT_RELU6) *lo = 0.f, *hi = 6.f;
  else if (act == TL_TFL_ACT_RELU_N1_TO_1) *lo = -1.f, *hi = 1.f;
}

float tl_act_f32(int act, float x) {
  switch (act) {
    case TL_TFL_ACT_RELU: return x < 0.f ? 0.f : x;
    case TL_TFL_ACT_RELU6: return x < 0.f ? 0.f : (x > 6.f ? 6.f : x);
    case TL_TFL_ACT_RELU_N1_TO_1: return x < -1.f ? -1.f : (x > 1.f ? 1.f : x);
    case TL_TFL_ACT_TANH: return tanhf(x);
    case TL_TFL_ACT_SIGN_BIT: return signbit(x) ? 1.f : 0.f;
    default: return x;
  }
}

/* TFLite's CalculateActivationRangeQuantized: quantize the real bounds with the output's parameters
 * (rounding half away from zero), then intersect with the type's range. */
void tl_act_range_q(int act, float scale, int32_t zp, int32_t qmin, int32_t qmax, int32_t *lo, int32_t *hi) {
  int32_t l = qmin, h = qmax;
  if (act == TL_TFL_ACT_RELU || act == TL_TFL_ACT_RELU6 || act == TL_TFL_ACT_RELU_N1_TO_1) {
    float rlo = act == TL_TFL_ACT_RELU_N1_TO_1 ? -1.f : 0.f;
    int32_t q = zp + (int32_t)roundf(rlo / scale);
    if (q > l) l = q;
    if (act != TL_TFL_ACT_RELU) {
      q = zp + (int32_t)roundf((act == TL_TFL_ACT_RELU6 ? 6.f : 1.f) / scale);
      if (q < h) h = q;
    }
  }
  *lo = l;
  *hi = h;
}

int tl_conv_out_size(int padding, int in, int filter, int stride, int dilation, int *out, int *pad_before,
                     int *pad_offset) {
  if (stride < 1 || dilation < 1 || filter < 1 || in < 1) return 0;
  int64_t eff = (int64_t)(filter - 1) * dilation + 1;
  int64_t o;
  if (padding == TL_TFL_PAD_SAME)
    o = ((int64_t)in + stride - 1) / stride;
  else if (padding == TL_TFL_PAD_VALID)
    o = ((int64_t)in - eff + stride) / stride;
  else
    return 0;
  if (o < 1 || o > INT32_MAX) return 0;
  int64_t total = (o - 1) * stride + eff - in;
  if (total < 0) total = 0;
  *out = (int)o;
  if (pad_before) *pad_before = (int)(total / 2);
  if (pad_offset) *pad_offset = (int)(total % 2);
  return 1;
}

int tl_broadcast_shape(const tl_tensor *a, const tl_tensor *b, int *ndim, int32_t *dims) {
  int n = a->ndim > b->ndim ? a->ndim : b->ndim;
  for (int i = 0; i < n; i++) {
    int ia = a->ndim - n + i, ib = b->ndim - n + i;
    int32_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
    if (da != db && da != 1 && db != 1) return 0;
    dims[i] = da == 1 ? db : da;
  }
  *ndim = n;
  return 1;
}

/* Op selection (TL_OPS_HEADER): a build may compile in only some ops, e.g. the WebAssembly app keeps
 * its models' ops to stay small. The header defines TL_KEEP_<NAME> as 1 for each op kept; the others
 * resolve to NULL ("not supported") and, unreferenced, are dropped by the linker. TL_IS_SET(X) is 1
 * when X is defined as 1 and 0 when X is undefined (the preprocessor idiom of Linux's IS_ENABLED). */
#ifdef TL_OPS_HEADER
#include TL_OPS_HEADER
#define TL_SET_PLACEHOLDER_1 0,
#define TL_SECOND_ARG(ignored, val, ...) val
#define TL_IS_SET3(arg_or_junk) TL_SECOND_ARG(arg_or_junk 1, 0, 0)
#define TL_IS_SET2(val) TL_IS_SET3(TL_SET_PLACEHOLDER_##val)
#define TL_IS_SET(x) TL_IS_SET2(x)
#define TL_OP_KEPT(NAME, fn) (TL_IS_SET(TL_KEEP_##NAME) ? fn : NULL)
#else
#define TL_OP_KEPT(NAME, fn) fn
#endif

/* ops.def's codes are schema.def's: an op whose number and name disagree stops the build. */
#define TL_OP(code, NAME, fn, types) _Static_assert(code == TL_BUILTIN_##NAME, "ops.def: " #NAME " is not code " #code);
#include "ops.def"
#undef TL_OP

tl_prepare_fn tl_kernel_lookup(int builtin) {
  switch (builtin) {
#define TL_OP(code, NAME, fn, types) \
  case code: return TL_OP_KEPT(NAME, fn);
#include "ops.def"
#undef TL_OP
    default: return NULL;
  }
}

tl_prepare_fn tl_custom_lookup(const char *name) {
  if (!name) return NULL;
#define TL_CUSTOM_OP(str, NAME, fn, types) \
  if (!strcmp(name, str)) return TL_OP_KEPT(NAME, fn);
#include "custom_ops.def"
#undef TL_CUSTOM_OP
  return NULL;
}

int tl_supported_op(int i, int *builtin, const char **name, const char **dtypes) {
  static const struct {
    int code;
    const char *name, *types;
    tl_prepare_fn fn;
  } ops[] = {
#define TL_OP(code, NAME, fn, types) {code, #NAME, types, TL_OP_KEPT(NAME, fn)},
#include "ops.def"
#undef TL_OP
#define TL_CUSTOM_OP(str, NAME, fn, types) {TL_BUILTIN_CUSTOM, str, types, TL_OP_KEPT(NAME, fn)},
#include "custom_ops.def"
#undef TL_CUSTOM_OP
  };
  for (int k = 0, seen = 0; k < (int)(sizeof ops / sizeof ops[0]); k++) {
    if (!ops[k].fn) continue; /* left out of this build (TL_OPS_HEADER) */
    if (seen++ != i) continue;
    if (builtin) *builtin = ops[k].code;
    if (name) *name = ops[k].name;
    if (dtypes) *dtypes = ops[k].types;
    return 1;
  }
  return 0;
}

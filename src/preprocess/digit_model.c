/* SPDX-License-Identifier: Apache-2.0
 * Digit <-> model tensors (see digit_model.h): input encoding by type and quantization, outputs
 * dequantized and turned into probabilities the same way for every caller. */
#include "digit_model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "digit.h"

static long clampl(long v, long lo, long hi) { return v < lo ? lo : (v > hi ? hi : v); }

tl_status tl_digit_set_input(tl_tensor *t, const float *img, tl_digit_norm norm, char *err, size_t errlen) {
  if (err && errlen) err[0] = 0;
  if (!t || !img || !tl_tensor_data(t)) {
    if (err && errlen) snprintf(err, errlen, "no input tensor");
    return TL_ERR_ARG;
  }
  size_t n = tl_tensor_count(t);
  int nd = tl_tensor_ndim(t);
  size_t reps = (nd >= 3 && tl_tensor_dim(t, nd - 1) == 3) ? 3 : 1; /* RGB: gray on every channel */
  if (n == 0 || n % ((size_t)TL_DIGIT_PIXELS * reps)) {
    if (err && errlen)
      snprintf(err, errlen, "input '%s' (%zu elements) cannot hold a 28x28 image", tl_tensor_name(t), n);
    return TL_ERR_ARG;
  }
  int type = tl_tensor_type(t);
  float scale = tl_tensor_scale(t);
  int32_t zp = tl_tensor_zero_point(t);
  void *d = tl_tensor_data(t);
  if (type != TL_FLOAT32 && type != TL_INT8 && type != TL_UINT8 && type != TL_INT16) {
    if (err && errlen)
      snprintf(err, errlen, "input '%s' has type %s: no image encoding for it", tl_tensor_name(t),
               tl_type_name(type));
    return TL_ERR_ARG;
  }
  for (size_t i = 0; i < n; i++) {
    size_t px = i / reps;
    double p = px < TL_DIGIT_PIXELS ? (double)img[px] : 0.0; /* first image of a batch, zeros after */
    double real = norm == TL_DIGIT_NORM_RAW ? p * 255.0 : (norm == TL_DIGIT_NORM_SIGNED ? p * 2.0 - 1.0 : p);
    if (type == TL_FLOAT32) {
      ((float *)d)[i] = (float)real;
      continue;
    }
    long q;
    if (scale > 0.f)
      /* A scale >= 0.5 means the model's real input range is raw 0..255 pixels. */
      q = lround((scale >= 0.5f ? p * 255.0 : real) / scale) + zp;
    else
      q = lround(p * 255.0) - (type == TL_INT8 ? 128 : 0);
    if (type == TL_INT8) ((int8_t *)d)[i] = (int8_t)clampl(q, -128, 127);
    else if (type == TL_UINT8) ((uint8_t *)d)[i] = (uint8_t)clampl(q, 0, 255);
    else ((int16_t *)d)[i] = (int16_t)clampl(q, -32768, 32767);
  }
  return TL_OK;
}

int tl_digit_probabilities(const tl_tensor *t, float probs[10]) {
  if (!t || !probs) return -1;
  int nd = tl_tensor_ndim(t);
  const void *d = tl_tensor_data((tl_tensor *)t);
  if (!d || nd < 1 || tl_tensor_dim(t, nd - 1) != 10 || tl_tensor_count(t) < 10) return -1;
  float s = tl_tensor_scale(t);
  int32_t zp = tl_tensor_zero_point(t);
  if (!(s > 0.f)) s = 1.f;
  double v[10], sum = 0;
  int is_dist = 1;
  for (int c = 0; c < 10; c++) {
    switch (tl_tensor_type(t)) {
      case TL_FLOAT32: v[c] = ((const float *)d)[c]; break;
      case TL_INT8: v[c] = (double)(((const int8_t *)d)[c] - zp) * s; break;
      case TL_UINT8: v[c] = (double)(((const uint8_t *)d)[c] - zp) * s; break;
      case TL_INT16: v[c] = (double)(((const int16_t *)d)[c] - zp) * s; break;
      default: return -1;
    }
    if (!isfinite(v[c])) return -1;
    if (v[c] < 0 || v[c] > 1) is_dist = 0;
    sum += v[c];
  }
  /* Quantized softmax outputs sum to 1 only within a few steps of their scale. */
  double tol = tl_tensor_type(t) == TL_FLOAT32 ? 0.01 : fmax(0.01, 10.0 * s);
  if (is_dist && fabs(sum - 1.0) > tol) is_dist = 0;
  if (!is_dist) { /* logits: a softmax, shifted by the maximum so exp never overflows */
    double mx = v[0];
    for (int c = 1; c < 10; c++)
      if (v[c] > mx) mx = v[c];
    sum = 0;
    for (int c = 0; c < 10; c++) sum += (v[c] = exp(v[c] - mx));
  }
  int best = 0;
  for (int c = 0; c < 10; c++) {
    probs[c] = (float)(v[c] / sum);
    if (probs[c] > probs[best]) best = c;
  }
  return best;
}

void tl_digit_top(const float probs[10], int k, int *order) {
  if (k > 10) k = 10;
  int used[10] = {0};
  for (int r = 0; r < k; r++) {
    int b = -1;
    for (int c = 0; c < 10; c++)
      if (!used[c] && (b < 0 || probs[c] > probs[b])) b = c;
    used[b] = 1;
    order[r] = b;
  }
}

/* SPDX-License-Identifier: Apache-2.0
 * Helpers shared by CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV and FULLY_CONNECTED: requantization
 * parameters as TFLite computes them, the on-the-fly input quantization of its hybrid kernels, im2col
 * and integer dot products. */
#ifndef TL_KERNELS_REF_CONV_UTIL_H
#define TL_KERNELS_REF_CONV_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "../kernel.h"

/* Geometry of a 2-D convolution over NHWC data (also used by depthwise). */
typedef struct {
  int b, h, w, c;          /* input */
  int kh, kw;              /* filter */
  int oh, ow;              /* output */
  int sh, sw, dh, dw;      /* strides, dilations */
  int ph, pw;              /* leading padding */
} tl_conv_geom;

/* Reads stride/dilation/padding, checks them and the shapes, and fills g's output size and padding
 * with TFLite's rule (tl_conv_out_size). Fails with a message naming the bad value. */
tl_status tl_conv_geom_init(tl_kctx *ctx, tl_node *n, tl_conv_geom *g, int padding, int sh, int sw, int dh, int dw);

/* Scale of output channel c of a (possibly per-axis) quantized weight tensor. */
static inline float tl_wscale(const tl_tensor *w, int c) { return w->qcount > 1 ? w->scales[c] : w->scale; }

/* Per-output-channel requantization as TFLite's prepare computes it.
 * float_product = 1 gives GetQuantizedConvolutionMultipler's (double)(in_scale * w_scale) / out_scale
 * (the product rounded to float first: legacy per-tensor uint8 paths and FULLY_CONNECTED per-tensor);
 * 0 gives PopulateConvolutionQuantizationParams' double(in) * double(w[c]) / double(out).
 * Checks every scale and zero point (tl_check_quant), the per-axis count and axis, the bias scale rule
 * of the per-tensor path, and fills mult/shift (channels entries, tl_kpersist) and the activation
 * range. */
typedef struct {
  int32_t *mult;
  int *shift;
  int32_t act_min, act_max;
  int32_t in_zp, w_zp, out_zp;
} tl_requant;
tl_status tl_requant_init(tl_kctx *ctx, tl_node *n, const tl_tensor *in, const tl_tensor *w, const tl_tensor *bias,
                          const tl_tensor *out, int act, int channels, int w_axis, int float_product, tl_requant *rq);

/* Checks a hybrid weight tensor's scales (finite, > 0; per-axis count = dims[w_axis]). */
/* 16x8 CONV_2D / FULLY_CONNECTED / TRANSPOSE_CONV: an int32 or int64 bias agreeing with the
 * options' quantized_bias_type (0: unset), zero points of 0. *bias64: the kernel reads int64 (also
 * when there is no bias and the options do not ask for int32). what names the op in messages. */
tl_status tl_s16_bias_check(tl_kctx *ctx, tl_node *n, const char *what, const tl_tensor *in, const tl_tensor *out,
                            const tl_tensor *bias, int quantized_bias_type, int *bias64);
tl_status tl_hybrid_check_scales(tl_kctx *ctx, tl_node *n, const tl_tensor *w, int w_axis);

/* tensor_utils::SymmetricQuantizeFloats: scale = max|x| / 127, q = round(x * 127 / max|x|) clamped to
 * [-127, 127]; all-zero input gives q = 0 and scale 1. */
void tl_hybrid_quant_sym(const float *x, int64_t n, int8_t *q, float *scale);
/* tensor_utils::AsymmetricQuantizeFloats: range widened to include 0, scale = (max - min) / 255 in
 * double, zero point nudged into [-128, 127]; q = round(zp + x / scale) clamped to [-128, 127]. */
void tl_hybrid_quant_asym(const float *x, int64_t n, int8_t *q, float *scale, int32_t *zp);

/* im2col of output positions [m0, m1) (m = (b * oh + oy) * ow + ox): row m - m0 of dst holds the
 * kh * kw * cg input values the filter sees (channels c0..c0+cg-1), with `fill` where the window is
 * outside the image. fill_per_batch (when not NULL) gives the fill of each batch instead. */
void tl_im2col_f32(const tl_conv_geom *g, const float *in, int c0, int cg, int64_t m0, int64_t m1, float *dst);
void tl_im2col_i8(const tl_conv_geom *g, const int8_t *in, int c0, int cg, int64_t m0, int64_t m1, int8_t fill,
                  const int32_t *fill_per_batch, int8_t *dst);
void tl_im2col_i16(const tl_conv_geom *g, const int16_t *in, int c0, int cg, int64_t m0, int64_t m1, int16_t *dst);

/* Integer dot products. Sums wrap modulo 2^32 as TFLite's int32 accumulators do on real hardware (the
 * reference's overflow is UB in C++; here it is defined). */
static inline int32_t tl_dot_s8(const int8_t *restrict x, const int8_t *restrict w, int64_t k, int32_t x_off) {
  uint32_t acc = 0;
  for (int64_t i = 0; i < k; i++) acc += (uint32_t)(((int32_t)x[i] + x_off) * (int32_t)w[i]);
  return (int32_t)acc;
}
static inline int32_t tl_dot_u8(const uint8_t *restrict x, const uint8_t *restrict w, int64_t k, int32_t x_off,
                                int32_t w_off) {
  uint32_t acc = 0;
  for (int64_t i = 0; i < k; i++) acc += (uint32_t)(((int32_t)x[i] + x_off) * ((int32_t)w[i] + w_off));
  return (int32_t)acc;
}
static inline int64_t tl_dot_s16s8(const int16_t *restrict x, const int8_t *restrict w, int64_t k) {
  int64_t acc = 0;
  for (int64_t i = 0; i < k; i++) acc += (int32_t)x[i] * (int32_t)w[i];
  return acc;
}
/* Plain int8 x int8 dot (hybrid kernels: both sides already centred or symmetric). */
static inline int32_t tl_dot_q8(const int8_t *restrict x, const int8_t *restrict w, int64_t k) {
  uint32_t acc = 0;
  for (int64_t i = 0; i < k; i++) acc += (uint32_t)((int32_t)x[i] * (int32_t)w[i]);
  return (int32_t)acc;
}

/* The requantization TFLite 2.9's optimized CONV_2D and FULLY_CONNECTED actually perform on x86: their
 * int8/uint8 GEMMs run in ruy (cpu_backend_gemm routes them there on x86 with AVX or better), whose
 * x86 kernels (kernel_avx*.cc) apply the multiplier differently from the reference kernels'
 * MultiplyByQuantizedMultiplier: the high multiply is floor((x * M + 2^30) / 2^31) without
 * saturation, then a rounding right shift that breaks ties upward (not away from zero), with
 * (t + nudge) overflowing int32 mapped to 1 << (31 - exponent). The two differ by one on negative ties. */
static inline int32_t tl_mbqm_ruy(int32_t x, int32_t mult, int shift) {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const int32_t xs = (int32_t)((uint32_t)x << (left > 31 ? 31 : left));
  /* arithmetic shift of a negative int64: floor division on every supported compiler */
  const int64_t t = ((int64_t)xs * (int64_t)mult + (INT64_C(1) << 30)) >> 31;
  if (right <= 0) return (int32_t)t;
  const int r = right > 31 ? 31 : right;
  const int64_t nudge = INT64_C(1) << (r - 1);
  if (t > (int64_t)INT32_MAX - nudge) return (int32_t)(INT64_C(1) << (31 - r));
  return (int32_t)((t + nudge) >> r);
}

/* Sum of each of the `rows` rows of an int8 [rows][cols] matrix (hybrid zero-point correction). */
void tl_row_sums_s8(const int8_t *w, int64_t rows, int64_t cols, int32_t *sums);

/* Float activation of the conv family as TFLite applies it: only the clamps (RELU, RELU_N1_TO_1,
 * RELU6); TANH and SIGN_BIT fused into CONV_2D / DEPTHWISE_CONV_2D / TRANSPOSE_CONV are ignored by
 * TFLite's CalculateActivationRange, and so here. */
void tl_conv_act_range(int act, float *lo, float *hi);

/* Bytes rounded up to a multiple of 16 (scratch sub-buffers stay aligned); 0 on overflow. */
static inline size_t tl_align16(size_t v) { return v > SIZE_MAX - 15 ? 0 : (v + 15) & ~(size_t)15; }

#endif

/* SPDX-License-Identifier: Apache-2.0
 * MAX_POOL_2D, AVERAGE_POOL_2D and L2_POOL_2D (float) over NHWC (Pool2DOptions: padding SAME/VALID, strides, filter,
 * fused activation). Windows are clipped to the input, and the average divides by the number of
 * in-bounds taps, as in TFLite. Float for both; MAX_POOL_2D also int8/uint8/int16, which TFLite only
 * allows with the same scale/zero point in and out (raw max, then the activation's quantized clamp).
 * Integer AVERAGE_POOL_2D sums in int32 and divides rounding half away from zero, as TFLite does. */
#include <float.h>
#include <math.h>

#include "../ukernels.h"
#include "kcommon.h"

typedef struct {
  int32_t n, ih, iw, c, oh, ow;
  int32_t fh, fw, sh, sw, ph, pw;
  float lo, hi;            /* float activation clamp */
  int32_t qlo, qhi;        /* quantized activation clamp */
  tl_f32_maxpool_fn fmp;   /* microkernels (ukernels.h) when the CPU's table has them */
  tl_s8_maxpool_fn qmp;
} pool_state;

/* Window [y0, y1) x [x0, x1) of output (oy, ox), clipped to the input. */
static inline void window(const pool_state *p, int oy, int ox, int *y0, int *y1, int *x0, int *x1) {
  const int iy = oy * p->sh - p->ph, ix = ox * p->sw - p->pw;
  *y0 = iy < 0 ? 0 : iy;
  *y1 = iy + p->fh > p->ih ? p->ih : iy + p->fh;
  *x0 = ix < 0 ? 0 : ix;
  *x1 = ix + p->fw > p->iw ? p->iw : ix + p->fw;
}

static tl_status maxpool_eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const pool_state *p = node->state;
  const float *in = node->in[0]->data;
  float *out = node->out[0]->data;
  const int C = p->c;
  const float lo = p->lo, hi = p->hi;
  for (int b = 0; b < p->n; b++)
    for (int oy = 0; oy < p->oh; oy++)
      for (int ox = 0; ox < p->ow; ox++) {
        int y0, y1, x0, x1;
        window(p, oy, ox, &y0, &y1, &x0, &x1);
        float *restrict o = out + (((size_t)b * p->oh + oy) * p->ow + ox) * C;
        for (int c = 0; c < C; c++) o[c] = -FLT_MAX; /* TFLite starts from lowest(), not -inf */
        for (int y = y0; y < y1; y++)
          for (int x = x0; x < x1; x++) {
            const float *restrict s = in + (((size_t)b * p->ih + y) * p->iw + x) * C;
            for (int c = 0; c < C; c++) o[c] = s[c] > o[c] ? s[c] : o[c];
          }
        for (int c = 0; c < C; c++) o[c] = o[c] < lo ? lo : (o[c] > hi ? hi : o[c]);
      }
  return TL_OK;
}

#define MAXPOOL_Q(name, T)                                                                         \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                                             \
    (void)ctx;                                                                                     \
    const pool_state *p = node->state;                                                             \
    const T *in = node->in[0]->data;                                                               \
    T *out = node->out[0]->data;                                                                   \
    const int C = p->c;                                                                            \
    const T lo = (T)p->qlo, hi = (T)p->qhi;                                                        \
    for (int b = 0; b < p->n; b++)                                                                 \
      for (int oy = 0; oy < p->oh; oy++)                                                           \
        for (int ox = 0; ox < p->ow; ox++) {                                                       \
          int y0, y1, x0, x1;                                                                      \
          window(p, oy, ox, &y0, &y1, &x0, &x1);                                                   \
          T *restrict o = out + (((size_t)b * p->oh + oy) * p->ow + ox) * C;                       \
          for (int c = 0; c < C; c++) o[c] = lo;                                                   \
          for (int y = y0; y < y1; y++)                                                            \
            for (int x = x0; x < x1; x++) {                                                        \
              const T *restrict s = in + (((size_t)b * p->ih + y) * p->iw + x) * C;                \
              for (int c = 0; c < C; c++) o[c] = s[c] > o[c] ? s[c] : o[c];                        \
            }                                                                                      \
          for (int c = 0; c < C; c++) o[c] = o[c] > hi ? hi : o[c];                                \
        }                                                                                          \
    return TL_OK;                                                                                  \
  }
/* Starting from the activation's low bound equals TFLite's max-then-clamp (max(lo, max(x))). */
MAXPOOL_Q(maxpool_eval_s8, int8_t)
MAXPOOL_Q(maxpool_eval_u8, uint8_t)
MAXPOOL_Q(maxpool_eval_s16, int16_t)

/* MAX_POOL_2D through the table's microkernel: per output pixel, the in-bounds taps as a list of
 * pointers (windows of more than 64 taps fold in chunks, the output being the first tap of the next
 * chunk); rows split over threads. */
typedef struct {
  const pool_state *p;
  const uint8_t *in;
  uint8_t *out;
  size_t es;
} maxpool_args;

static void maxpool_uk_task(void *arg, int64_t begin, int64_t end, int thread) {
  (void)thread;
  const maxpool_args *a = arg;
  const pool_state *p = a->p;
  const size_t C = (size_t)p->c, es = a->es;
  const void *taps[64];
  for (int64_t r = begin; r < end; r++) {
    const int b = (int)(r / p->oh), oy = (int)(r % p->oh);
    for (int ox = 0; ox < p->ow; ox++) {
      int y0, y1, x0, x1;
      window(p, oy, ox, &y0, &y1, &x0, &x1);
      uint8_t *o = a->out + ((((size_t)b * p->oh + oy) * p->ow + ox) * C) * es;
      size_t nt = 0;
      for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
          if (nt == 64) {
            if (es == 4) p->fmp(nt, C, (const float *const *)taps, (float *)(void *)o, p->lo, p->hi);
            else p->qmp(nt, C, (const int8_t *const *)taps, (int8_t *)o, (int8_t)p->qlo, (int8_t)p->qhi);
            taps[0] = o, nt = 1;
          }
          taps[nt++] = a->in + ((((size_t)b * p->ih + y) * p->iw + x) * C) * es;
        }
      if (!nt) { /* an empty window: TFLite's initial value (lowest), clamped */
        for (size_t j = 0; j < C; j++) {
          if (es == 4) ((float *)(void *)o)[j] = p->lo;
          else ((int8_t *)o)[j] = (int8_t)p->qlo;
        }
        continue;
      }
      if (es == 4) p->fmp(nt, C, (const float *const *)taps, (float *)(void *)o, p->lo, p->hi);
      else p->qmp(nt, C, (const int8_t *const *)taps, (int8_t *)o, (int8_t)p->qlo, (int8_t)p->qhi);
    }
  }
}

static tl_status maxpool_eval_uk(tl_kctx *ctx, tl_node *node) {
  const pool_state *p = node->state;
  maxpool_args a = {p, node->in[0]->data, node->out[0]->data, node->in[0]->type == TL_FLOAT32 ? 4 : 1};
  const int64_t rows = (int64_t)p->n * p->oh;
  /* threads only when there is enough work to pay for the hand-off */
  if ((int64_t)p->n * p->oh * p->ow * p->c * p->fh * p->fw < (1 << 18)) maxpool_uk_task(&a, 0, rows, 0);
  else tl_kparallel(ctx, rows, maxpool_uk_task, &a);
  return TL_OK;
}

static tl_status avgpool_eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const pool_state *p = node->state;
  const float *in = node->in[0]->data;
  float *out = node->out[0]->data;
  const int C = p->c;
  const float lo = p->lo, hi = p->hi;
  for (int b = 0; b < p->n; b++)
    for (int oy = 0; oy < p->oh; oy++)
      for (int ox = 0; ox < p->ow; ox++) {
        int y0, y1, x0, x1;
        window(p, oy, ox, &y0, &y1, &x0, &x1);
        float *restrict o = out + (((size_t)b * p->oh + oy) * p->ow + ox) * C;
        for (int c = 0; c < C; c++) o[c] = 0.f;
        for (int y = y0; y < y1; y++)
          for (int x = x0; x < x1; x++) {
            const float *restrict s = in + (((size_t)b * p->ih + y) * p->iw + x) * C;
            for (int c = 0; c < C; c++) o[c] += s[c];
          }
        /* A window entirely in the padding cannot happen with TFLite's padding rule; guard anyway. */
        const int count = (y1 - y0) * (x1 - x0);
        const float cnt = count > 0 ? (float)count : 1.f;
        for (int c = 0; c < C; c++) {
          float v = o[c] / cnt;
          o[c] = v < lo ? lo : (v > hi ? hi : v);
        }
      }
  return TL_OK;
}

/* Integer average pool (TFLite reference_integer_ops / optimized uint8): int32 sum of the in-bounds
 * taps, divided by their count rounding half away from zero, then the activation clamp. In and out
 * share scale and zero point (checked at prepare), so no requantization. */
#define AVGPOOL_Q(name, T)                                                                         \
  static tl_status name(tl_kctx *ctx, tl_node *node) {                                             \
    (void)ctx;                                                                                     \
    const pool_state *p = node->state;                                                             \
    const T *in = node->in[0]->data;                                                               \
    T *out = node->out[0]->data;                                                                   \
    const int C = p->c;                                                                            \
    int32_t *restrict acc = node->scratch;                                                         \
    for (int b = 0; b < p->n; b++)                                                                 \
      for (int oy = 0; oy < p->oh; oy++)                                                           \
        for (int ox = 0; ox < p->ow; ox++) {                                                       \
          int y0, y1, x0, x1;                                                                      \
          window(p, oy, ox, &y0, &y1, &x0, &x1);                                                   \
          T *restrict o = out + (((size_t)b * p->oh + oy) * p->ow + ox) * C;                       \
          for (int c = 0; c < C; c++) acc[c] = 0;                                                  \
          for (int y = y0; y < y1; y++)                                                            \
            for (int x = x0; x < x1; x++) {                                                        \
              const T *restrict s = in + (((size_t)b * p->ih + y) * p->iw + x) * C;                \
              for (int c = 0; c < C; c++) acc[c] += s[c];                                          \
            }                                                                                      \
          const int32_t cnt = (y1 - y0) * (x1 - x0) > 0 ? (y1 - y0) * (x1 - x0) : 1;               \
          for (int c = 0; c < C; c++) {                                                            \
            int32_t a = acc[c] > 0 ? (acc[c] + cnt / 2) / cnt : (acc[c] - cnt / 2) / cnt;          \
            a = a < p->qlo ? p->qlo : (a > p->qhi ? p->qhi : a);                                   \
            o[c] = (T)a;                                                                           \
          }                                                                                        \
        }                                                                                          \
    return TL_OK;                                                                                  \
  }
AVGPOOL_Q(avgpool_eval_s8, int8_t)
AVGPOOL_Q(avgpool_eval_u8, uint8_t)
AVGPOOL_Q(avgpool_eval_s16, int16_t)

/* Shared by both pools: checks, output shape, state. */
/* L2_POOL_2D (float): optimized_ops::L2Pool sums each window's squares in input order, multiplies by
 * the reciprocal of the window's size, takes the square root, then applies the activation. */
static tl_status l2pool_eval_f32(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const pool_state *p = node->state;
  const float *in = node->in[0]->data;
  float *out = node->out[0]->data;
  for (int b = 0; b < p->n; b++)
    for (int oy = 0; oy < p->oh; oy++)
      for (int ox = 0; ox < p->ow; ox++) {
        int y0, y1, x0, x1;
        window(p, oy, ox, &y0, &y1, &x0, &x1);
        float *o = out + (((size_t)b * p->oh + oy) * p->ow + ox) * p->c;
        for (int c = 0; c < p->c; c++) o[c] = 0.f;
        for (int y = y0; y < y1; y++)
          for (int x = x0; x < x1; x++) {
            const float *v = in + (((size_t)b * p->ih + y) * p->iw + x) * p->c;
            for (int c = 0; c < p->c; c++) o[c] += v[c] * v[c];
          }
        const float inv = 1.f / (float)((y1 - y0) * (x1 - x0));
        for (int c = 0; c < p->c; c++) {
          const float v = sqrtf(o[c] * inv);
          o[c] = v < p->lo ? p->lo : (v > p->hi ? p->hi : v);
        }
      }
  return TL_OK;
}

static tl_status pool_prepare(tl_kctx *ctx, tl_node *node, void **state_out) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  if (in->ndim != 4) return tl_kfail(ctx, node, "input must be 4-D NHWC, got rank %d", (int)in->ndim);
  if (in->type != out->type) return tl_kfail(ctx, node, "input and output types differ");
  const tl_fb_table *o = kc_opts(node);
  pool_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  int padding = tl_pool2d_padding(o);
  p->sw = tl_pool2d_stride_w(o);
  p->sh = tl_pool2d_stride_h(o);
  p->fw = tl_pool2d_filter_width(o);
  p->fh = tl_pool2d_filter_height(o);
  int act = tl_pool2d_fused_activation_function(o);
  if (!kc_act_is_clamp(act)) return tl_kunsupported(ctx, node, "fused activation %d", act);
  if (p->sw < 1 || p->sh < 1 || p->fw < 1 || p->fh < 1)
    return tl_kfail(ctx, node, "strides (%d, %d) and filter (%d, %d) must be >= 1", (int)p->sh, (int)p->sw,
                    (int)p->fh, (int)p->fw);
  p->n = in->dims[0];
  p->ih = in->dims[1];
  p->iw = in->dims[2];
  p->c = in->dims[3];
  int oh, ow, off;
  if (!tl_conv_out_size(padding, p->ih, p->fh, p->sh, 1, &oh, &p->ph, &off) ||
      !tl_conv_out_size(padding, p->iw, p->fw, p->sw, 1, &ow, &p->pw, &off))
    return tl_kfail(ctx, node, "bad padding/filter/stride for input %dx%d", (int)p->ih, (int)p->iw);
  p->oh = oh;
  p->ow = ow;
  int32_t od[4] = {p->n, oh, ow, p->c};
  if ((s = tl_kset_shape(ctx, node, out, 4, od))) return s;
  tl_act_range_f32(act, &p->lo, &p->hi);
  int32_t qmin = 0, qmax = 0;
  switch (in->type) {
    case TL_INT8: qmin = -128, qmax = 127; break;
    case TL_UINT8: qmin = 0, qmax = 255; break;
    case TL_INT16: qmin = -32768, qmax = 32767; break;
    default: break;
  }
  if (qmax) {
    if (out->scale <= 0.f) return tl_kfail(ctx, node, "quantized output needs a positive scale");
    tl_act_range_q(act, out->scale, out->zero_point, qmin, qmax, &p->qlo, &p->qhi);
  }
  node->state = p;
  *state_out = p;
  return TL_OK;
}

tl_status tl_prep_max_pool2d(tl_kctx *ctx, tl_node *node) {
  void *st;
  tl_status s = pool_prepare(ctx, node, &st);
  if (s) return s;
  const tl_tensor *in = node->in[0], *out = node->out[0];
  if (in->type != TL_FLOAT32 && (in->scale != out->scale || in->zero_point != out->zero_point))
    return tl_kfail(ctx, node, "quantized max pool needs the same scale and zero point in and out");
  pool_state *ps = st;
  const tl_ukernels *uk = tl_kukernels(ctx);
  ps->fmp = uk->f32_maxpool, ps->qmp = uk->s8_maxpool;
  if ((in->type == TL_FLOAT32 && ps->fmp) || (in->type == TL_INT8 && ps->qmp)) {
    node->eval = maxpool_eval_uk;
    return TL_OK;
  }
  switch (in->type) {
    case TL_FLOAT32: node->eval = maxpool_eval_f32; return TL_OK;
    case TL_INT8: node->eval = maxpool_eval_s8; return TL_OK;
    case TL_UINT8: node->eval = maxpool_eval_u8; return TL_OK;
    case TL_INT16: node->eval = maxpool_eval_s16; return TL_OK;
    default: return tl_kunsupported(ctx, node, "type %s", tl_type_name(in->type));
  }
}

tl_status tl_prep_average_pool2d(tl_kctx *ctx, tl_node *node) {
  void *st;
  tl_status s = pool_prepare(ctx, node, &st);
  if (s) return s;
  const tl_tensor *in = node->in[0], *out = node->out[0];
  if (in->type == TL_FLOAT32) {
    node->eval = avgpool_eval_f32;
    return TL_OK;
  }
  if (in->type != TL_INT8 && in->type != TL_UINT8 && in->type != TL_INT16)
    return tl_kunsupported(ctx, node, "type %s", tl_type_name(in->type));
  if (in->scale != out->scale || in->zero_point != out->zero_point)
    return tl_kfail(ctx, node, "quantized average pool needs the same scale and zero point in and out");
  /* The sum of at most fh*fw taps of 16-bit values must fit int32. */
  const pool_state *p = st;
  if ((int64_t)p->fh * p->fw > 65535) return tl_kunsupported(ctx, node, "pooling window of %d x %d", (int)p->fh, (int)p->fw);
  if ((s = tl_kscratch(ctx, node, (size_t)p->c * sizeof(int32_t)))) return s;
  node->eval = in->type == TL_INT8 ? avgpool_eval_s8 : in->type == TL_UINT8 ? avgpool_eval_u8 : avgpool_eval_s16;
  return TL_OK;
}

tl_status tl_prep_l2_pool2d(tl_kctx *ctx, tl_node *node) {
  void *st;
  tl_status s = pool_prepare(ctx, node, &st);
  if (s) return s;
  if (node->in[0]->type != TL_FLOAT32) return tl_kunsupported(ctx, node, "type %s (float32 only, as TFLite)", tl_type_name(node->in[0]->type));
  node->eval = l2pool_eval_f32;
  return TL_OK;
}

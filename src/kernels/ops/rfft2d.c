/* SPDX-License-Identifier: Apache-2.0
 * RFFT2D and the complex ops that follow it in spectrogram front ends (COMPLEX_ABS, REAL, IMAG).
 * RFFT2D: the 2-D DFT X[u][v] = sum x[h][w] e^{-2 pi i (uh/H + vw/W)} of each innermost [h, w] slice,
 * zero-padded or cropped to fft_length [H, W] (powers of two, as TFLite's fft2d library needs), for
 * v in [0, W/2]: float32 in, complex64 out. Like TFLite, it computes in double and rounds once to
 * float; the four bins that are real by symmetry (u in {0, H/2}, v in {0, W/2}) get an imaginary
 * part of exactly -0, as TFLite's reordering leaves them. */
#include <math.h>

#include "fft.h"
#include "kcommon.h"

typedef struct {
  int64_t slices;
  int in_h, in_w, h, w;
  const double *tw_h, *tw_w; /* e^{-2 pi i k / N} for k < N/2, as (cos, sin) pairs */
} rfft2d_state;

void tl_fft(double *a, int n, size_t step, const double *tw) {
  for (int i = 1, j = 0; i < n; i++) { /* bit reversal */
    int bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j |= bit;
    if (i < j) {
      double *p = a + 2 * step * (size_t)i, *q = a + 2 * step * (size_t)j;
      const double re = p[0], im = p[1];
      p[0] = q[0], p[1] = q[1], q[0] = re, q[1] = im;
    }
  }
  for (int len = 2; len <= n; len <<= 1) {
    const int half = len >> 1, tstep = n / len;
    for (int i = 0; i < n; i += len)
      for (int k = 0; k < half; k++) {
        const double wr = tw[2 * k * tstep], wi = tw[2 * k * tstep + 1];
        double *p = a + 2 * step * (size_t)(i + k), *q = a + 2 * step * (size_t)(i + k + half);
        const double xr = q[0] * wr - q[1] * wi, xi = q[0] * wi + q[1] * wr;
        q[0] = p[0] - xr, q[1] = p[1] - xi;
        p[0] += xr, p[1] += xi;
      }
  }
}

static tl_status rfft2d_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const rfft2d_state *p = node->state;
  const int H = p->h, W = p->w, V = W / 2 + 1;
  const float *x = node->in[0]->data;
  float *out = node->out[0]->data;
  double *a = node->scratch; /* H x W complex */
  for (int64_t s = 0; s < p->slices; s++) {
    for (int i = 0; i < H; i++)
      for (int j = 0; j < W; j++) {
        double *c = a + 2 * ((size_t)i * W + j);
        c[0] = i < p->in_h && j < p->in_w ? (double)x[(size_t)i * p->in_w + j] : 0.0;
        c[1] = 0.0;
      }
    for (int i = 0; i < H; i++) tl_fft(a + 2 * (size_t)i * W, W, 1, p->tw_w);
    for (int j = 0; j < V; j++) tl_fft(a + 2 * (size_t)j, H, (size_t)W, p->tw_h);
    for (int i = 0; i < H; i++)
      for (int j = 0; j < V; j++) {
        const double *c = a + 2 * ((size_t)i * W + j);
        float *o = out + 2 * ((size_t)i * V + j);
        o[0] = (float)c[0];
        o[1] = (i == 0 || i == H / 2) && (j == 0 || j == W / 2) ? -0.0f : (float)c[1];
      }
    x += (size_t)p->in_h * p->in_w;
    out += 2 * (size_t)H * V;
  }
  return TL_OK;
}

const double *tl_fft_twiddles(tl_kctx *ctx, int n) {
  double *t = tl_kpersist(ctx, sizeof(double) * (size_t)(n > 1 ? n : 2));
  if (!t) return NULL;
  const double pi = 3.14159265358979323846;
  for (int k = 0; k < n / 2; k++) t[2 * k] = cos(2 * pi * k / n), t[2 * k + 1] = -sin(2 * pi * k / n);
  return t;
}

tl_status tl_prep_rfft2d(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0], *len = node->in[1];
  tl_tensor *out = node->out[0];
  if (in->type != TL_FLOAT32) return tl_kunsupported(ctx, node, "input type %s (only FLOAT32)", tl_type_name(in->type));
  if (out->type != TL_COMPLEX64) return tl_kfail(ctx, node, "output must be COMPLEX64, not %s", tl_type_name(out->type));
  if (in->ndim < 2) return tl_kfail(ctx, node, "input must have at least 2 dims");
  if (len->type != TL_INT32 || len->ndim != 1 || len->dims[0] != 2)
    return tl_kfail(ctx, node, "fft_length must be an int32 vector of 2");
  if (!len->known) return tl_kdefer(ctx, node, "fft_length not known at prepare");
  const int32_t h = (int32_t)kc_ival(len, 0), w = (int32_t)kc_ival(len, 1);
  if (h < 1 || w < 2 || (h & (h - 1)) || (w & (w - 1)) || h > (1 << 20) || w > (1 << 20))
    return tl_kfail(ctx, node, "fft_length [%d, %d] must be powers of two (width at least 2)", (int)h, (int)w);
  if ((int64_t)h * w > ((int64_t)1 << 26)) return tl_kfail(ctx, node, "fft_length [%d, %d] is too large", (int)h, (int)w);
  rfft2d_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->h = h, p->w = w;
  p->in_h = in->dims[in->ndim - 2], p->in_w = in->dims[in->ndim - 1];
  p->slices = 1;
  int32_t od[TL_MAX_DIMS];
  for (int i = 0; i < in->ndim - 2; i++) p->slices *= in->dims[i], od[i] = in->dims[i];
  od[in->ndim - 2] = h, od[in->ndim - 1] = w / 2 + 1;
  if (!(p->tw_h = tl_fft_twiddles(ctx, h)) || !(p->tw_w = tl_fft_twiddles(ctx, w))) return TL_ERR_NOMEM;
  if ((s = tl_kset_shape(ctx, node, out, in->ndim, od))) return s;
  if ((s = tl_kscratch(ctx, node, sizeof(double) * 2 * (size_t)h * (size_t)w))) return s;
  node->state = p;
  node->eval = rfft2d_eval;
  return TL_OK;
}

/* ---- COMPLEX_ABS, REAL, IMAG: complex64 -> float32, complex128 -> float64 ---- */

enum { PART_ABS, PART_REAL, PART_IMAG };

static tl_status part_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const int part = *(const int *)node->state;
  const int64_t n = tl_numel(node->out[0]);
  if (node->in[0]->type == TL_COMPLEX64) {
    const float *c = node->in[0]->data;
    float *o = node->out[0]->data;
    for (int64_t i = 0; i < n; i++)
      o[i] = part == PART_ABS ? hypotf(c[2 * i], c[2 * i + 1]) : c[2 * i + (part == PART_IMAG)];
  } else {
    const double *c = node->in[0]->data;
    double *o = node->out[0]->data;
    for (int64_t i = 0; i < n; i++)
      o[i] = part == PART_ABS ? hypot(c[2 * i], c[2 * i + 1]) : c[2 * i + (part == PART_IMAG)];
  }
  return TL_OK;
}

static tl_status prep_part(tl_kctx *ctx, tl_node *node, int part) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  const int want = in->type == TL_COMPLEX64 ? TL_FLOAT32 : in->type == TL_COMPLEX128 ? TL_FLOAT64 : -1;
  if (want < 0) return tl_kunsupported(ctx, node, "input type %s (COMPLEX64 or COMPLEX128)", tl_type_name(in->type));
  if (out->type != want) return tl_kfail(ctx, node, "output must be %s, not %s", tl_type_name(want), tl_type_name(out->type));
  int *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  *p = part;
  if ((s = tl_kset_shape(ctx, node, out, in->ndim, in->dims))) return s;
  node->state = p;
  node->eval = part_eval;
  return TL_OK;
}

tl_status tl_prep_complex_abs(tl_kctx *ctx, tl_node *node) { return prep_part(ctx, node, PART_ABS); }
tl_status tl_prep_real(tl_kctx *ctx, tl_node *node) { return prep_part(ctx, node, PART_REAL); }
tl_status tl_prep_imag(tl_kctx *ctx, tl_node *node) { return prep_part(ctx, node, PART_IMAG); }

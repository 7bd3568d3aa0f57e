/* SPDX-License-Identifier: Apache-2.0
 * Forward and backward passes of every training layer, side by side, on NHWC activations of one
 * thread's slice of the batch. Conv/dense run as im2col + tl_sgemm; dropout masks and BatchNorm
 * batch statistics are defined over the whole batch so results do not depend on the split. */
#include <math.h>
#include <string.h>

#include "kernels/sgemm.h"
#include "net.h"
#include "rng.h"

static const float *layer_in(const tl_ws *ws, int l) { return l == 0 ? ws->x : ws->y[l - 1]; }
static float *layer_din(const tl_ws *ws, int l) { return l == 0 ? NULL : ws->dy[l - 1]; }

/* ---- Conv2D ---------------------------------------------------------------------------- */

/* samples per GEMM call: about 1024 output pixels keeps the im2col block in L2 */
int tl_conv_chunk(const tl_layer *L) {
  int pix = L->out.h * L->out.w;
  int c = 1024 / pix;
  return c < 1 ? 1 : c;
}

/* 1x1, stride 1, no padding: the input already is the im2col matrix */
int tl_conv_direct(const tl_layer *L) {
  return L->kh == 1 && L->kw == 1 && L->sh == 1 && L->sw == 1 && L->pad_t == 0 && L->pad_l == 0;
}

/* every window lies inside the input (VALID, or SAME that happens to need no padding) */
static int window_in_bounds(const tl_layer *L) {
  return L->pad_t == 0 && L->pad_l == 0 && (L->out.h - 1) * L->sh + L->kh <= L->in.h &&
         (L->out.w - 1) * L->sw + L->kw <= L->in.w;
}

/* No padding anywhere: row i of every window is kw*C contiguous input floats, so the GEMMs read
 * the input through row pointers (tl_sgemm_indirect) and no im2col matrix is written. */
int tl_conv_indirect(const tl_layer *L) { return !tl_conv_direct(L) && window_in_bounds(L); }

/* The indirection of tl_conv_indirect for ns samples: kh pointers per output pixel. */
static void conv_rows(const tl_layer *L, const float *x, int ns, const float **rows) {
  const int W = L->in.w, C = L->in.c, OH = L->out.h, OW = L->out.w;
  const size_t isz = tl_shape_size(L->in);
  for (int s = 0; s < ns; s++)
    for (int oh = 0; oh < OH; oh++)
      for (int ow = 0; ow < OW; ow++)
        for (int i = 0; i < L->kh; i++) *rows++ = x + s * isz + ((size_t)(oh * L->sh + i) * W + (size_t)ow * L->sw) * C;
}

/* col[(oh*OW + ow)][(i*kw + j)*C + c] = x[oh*sh - pad_t + i][ow*sw - pad_l + j][c] or 0 */
static void im2col(const tl_layer *L, const float *x, float *col) {
  const int H = L->in.h, W = L->in.w, C = L->in.c, OH = L->out.h, OW = L->out.w;
  const int K = L->kh * L->kw * C, rowlen = L->kw * C;
  for (int oh = 0; oh < OH; oh++)
    for (int ow = 0; ow < OW; ow++) {
      float *row = col + (size_t)(oh * OW + ow) * K;
      int iw0 = ow * L->sw - L->pad_l;
      for (int i = 0; i < L->kh; i++) {
        int ih = oh * L->sh - L->pad_t + i;
        float *dst = row + i * rowlen;
        if (ih < 0 || ih >= H) {
          memset(dst, 0, sizeof(float) * rowlen);
        } else if (iw0 >= 0 && iw0 + L->kw <= W) {
          memcpy(dst, x + ((size_t)ih * W + iw0) * C, sizeof(float) * rowlen);
        } else {
          for (int j = 0; j < L->kw; j++) {
            int iw = iw0 + j;
            if (iw < 0 || iw >= W)
              memset(dst + j * C, 0, sizeof(float) * C);
            else
              memcpy(dst + j * C, x + ((size_t)ih * W + iw) * C, sizeof(float) * C);
          }
        }
      }
    }
}

/* adjoint of im2col: dx[...] += col[...] (dx must be zeroed by the caller) */
static void col2im(const tl_layer *L, const float *col, float *dx) {
  const int H = L->in.h, W = L->in.w, C = L->in.c, OH = L->out.h, OW = L->out.w;
  const int K = L->kh * L->kw * C;
  for (int oh = 0; oh < OH; oh++)
    for (int ow = 0; ow < OW; ow++) {
      const float *row = col + (size_t)(oh * OW + ow) * K;
      for (int i = 0; i < L->kh; i++) {
        int ih = oh * L->sh - L->pad_t + i;
        if (ih < 0 || ih >= H) continue;
        for (int j = 0; j < L->kw; j++) {
          int iw = ow * L->sw - L->pad_l + j;
          if (iw < 0 || iw >= W) continue;
          float *d = dx + ((size_t)ih * W + iw) * C;
          const float *s = row + (i * L->kw + j) * C;
          for (int c = 0; c < C; c++) d[c] += s[c];
        }
      }
    }
}

static void bias_act(float *y, size_t rows, int F, const float *b, int relu) {
  for (size_t r = 0; r < rows; r++) {
    float *yr = y + r * F;
    if (b)
      for (int f = 0; f < F; f++) yr[f] += b[f];
    if (relu)
      for (int f = 0; f < F; f++) yr[f] = yr[f] > 0.0f ? yr[f] : 0.0f;
  }
}

static void conv_forward(tl_ws *ws, int l, int n) {
  const tl_layer *L = &ws->net->layers[l];
  const float *x = layer_in(ws, l), *W = ws->net->params + L->w;
  const float *b = L->bias ? ws->net->params + L->b : NULL;
  float *y = ws->y[l];
  const size_t isz = tl_shape_size(L->in), osz = tl_shape_size(L->out);
  const int pix = L->out.h * L->out.w, F = L->units, C = L->in.c;
  const int K = L->kh * L->kw * C, chunk = tl_conv_chunk(L), direct = tl_conv_direct(L);
  const int indirect = tl_conv_indirect(L);
  const tl_sgemm_ind ind = {ws->ind, L->kh, L->kw * C};
  for (int s0 = 0; s0 < n; s0 += chunk) {
    int ns = n - s0 < chunk ? n - s0 : chunk;
    int rows = ns * pix;
    if (indirect) {
      conv_rows(L, x + s0 * isz, ns, ws->ind);
      tl_sgemm_indirect(rows, F, K, &ind, 0, W, F, 1, 0, y + s0 * osz, F, ws->gemm);
    } else {
      const float *A;
      if (direct) {
        A = x + s0 * isz;
      } else {
        for (int s = 0; s < ns; s++) im2col(L, x + (s0 + s) * isz, ws->col + (size_t)s * pix * K);
        A = ws->col;
      }
      tl_sgemm(rows, F, K, A, K, 1, W, F, 1, 0, y + s0 * osz, F, ws->gemm);
    }
    bias_act(y + s0 * osz, (size_t)rows, F, b, L->relu);
  }
}

/* One pass over dy of a conv/dense layer: the fused ReLU's mask applied in place
 * (d relu(z)/dz = [y > 0]) and the bias gradient summed over rows (db may be NULL). */
static void relu_mask_bias_grad(float *g, const float *y, size_t rows, int F, int relu, float *db) {
  if (!relu && !db) return;
  for (size_t r = 0; r < rows; r++) {
    float *gr = g + r * F;
    const float *yr = y + r * F;
    if (relu)
      for (int f = 0; f < F; f++) gr[f] = yr[f] > 0.0f ? gr[f] : 0.0f;
    if (db)
      for (int f = 0; f < F; f++) db[f] += gr[f];
  }
}

static void conv_backward(tl_ws *ws, int l, int n) {
  const tl_layer *L = &ws->net->layers[l];
  const float *x = layer_in(ws, l), *W = ws->net->params + L->w, *y = ws->y[l];
  float *dx = L->need_dx ? layer_din(ws, l) : NULL;
  float *dW = ws->grads + L->w, *db = L->bias ? ws->grads + L->b : NULL;
  float *g = ws->dy[l];
  const size_t isz = tl_shape_size(L->in), osz = tl_shape_size(L->out);
  const int pix = L->out.h * L->out.w, F = L->units, C = L->in.c;
  const int K = L->kh * L->kw * C, chunk = tl_conv_chunk(L), direct = tl_conv_direct(L);
  const int indirect = tl_conv_indirect(L);
  const tl_sgemm_ind ind = {ws->ind, L->kh, L->kw * C};
  for (int s0 = 0; s0 < n; s0 += chunk) {
    int ns = n - s0 < chunk ? n - s0 : chunk;
    int rows = ns * pix;
    float *gs = g + s0 * osz;
    relu_mask_bias_grad(gs, y + s0 * osz, (size_t)rows, F, L->relu, db);
    /* dW[K,F] += A^T[K,rows] * g[rows,F] */
    if (indirect) {
      conv_rows(L, x + s0 * isz, ns, ws->ind);
      tl_sgemm_indirect(K, F, rows, &ind, 1, gs, F, 1, 1, dW, F, ws->gemm);
    } else {
      const float *A;
      if (direct) {
        A = x + s0 * isz;
      } else {
        for (int s = 0; s < ns; s++) im2col(L, x + (s0 + s) * isz, ws->col + (size_t)s * pix * K);
        A = ws->col;
      }
      tl_sgemm(K, F, rows, A, 1, K, gs, F, 1, 1, dW, F, ws->gemm);
    }
    if (!dx) continue;
    if (direct) {
      /* dx[rows,C] = g[rows,F] * W^T[F,C] */
      tl_sgemm(rows, C, F, gs, F, 1, W, 1, F, 0, dx + s0 * isz, C, ws->gemm);
    } else {
      /* dcol[rows,K] = g * W^T, then scatter back (im2col's adjoint); col is reused */
      tl_sgemm(rows, K, F, gs, F, 1, W, 1, F, 0, ws->col, K, ws->gemm);
      memset(dx + s0 * isz, 0, sizeof(float) * ns * isz);
      if (indirect) {
        /* col2im along the same row pointers: each window row is one contiguous add */
        conv_rows(L, dx + s0 * isz, ns, ws->ind);
        const int seg = L->kw * C;
        for (size_t r = 0; r < (size_t)rows * L->kh; r++) {
          float *restrict d = (float *)ws->ind[r];
          const float *restrict src = ws->col + r * seg;
          for (int q = 0; q < seg; q++) d[q] += src[q];
        }
      } else {
        for (int s = 0; s < ns; s++) col2im(L, ws->col + (size_t)s * pix * K, dx + (s0 + s) * isz);
      }
    }
  }
}

/* ---- Pooling --------------------------------------------------------------------------- */

/* In-bounds windows: no per-element bounds checks, and the channel loop is branch-free
 * (selects) so it vectorizes. Same result as the general loop, first maximum kept. */
static void maxpool_forward_inb(const tl_layer *L, const float *x, float *y, int32_t *arg, int n) {
  const int W = L->in.w, C = L->in.c, OH = L->out.h, OW = L->out.w;
  const size_t isz = tl_shape_size(L->in), osz = tl_shape_size(L->out);
  for (int s = 0; s < n; s++) {
    const float *xs = x + s * isz;
    for (int oh = 0; oh < OH; oh++)
      for (int ow = 0; ow < OW; ow++) {
        float *restrict yo = y + s * osz + ((size_t)oh * OW + ow) * C;
        int32_t *restrict ao = arg + s * osz + ((size_t)oh * OW + ow) * C;
        const int32_t b0 = (int32_t)(((size_t)oh * L->sh * W + (size_t)ow * L->sw) * C);
        for (int c = 0; c < C; c++) {
          yo[c] = xs[b0 + c];
          ao[c] = b0 + c;
        }
        for (int i = 0; i < L->kh; i++)
          for (int j = i == 0; j < L->kw; j++) {
            const int32_t base = b0 + (int32_t)(((size_t)i * W + j) * C);
            const float *restrict xi = xs + base;
            for (int c = 0; c < C; c++) {
              /* the index select as bit masks: gcc will not if-convert it otherwise */
              const float v = xi[c], m = yo[c];
              const int32_t gt = -(int32_t)(v > m);
              ao[c] = (ao[c] & ~gt) | ((base + c) & gt);
              yo[c] = v > m ? v : m;
            }
          }
      }
  }
}

static void maxpool_forward(tl_ws *ws, int l, int n) {
  const tl_layer *L = &ws->net->layers[l];
  const float *x = layer_in(ws, l);
  float *y = ws->y[l];
  int32_t *arg = ws->aux[l];
  const int H = L->in.h, W = L->in.w, C = L->in.c, OH = L->out.h, OW = L->out.w;
  const size_t isz = tl_shape_size(L->in), osz = tl_shape_size(L->out);
  if (window_in_bounds(L)) {
    maxpool_forward_inb(L, x, y, arg, n);
    return;
  }
  for (int s = 0; s < n; s++) {
    const float *xs = x + s * isz;
    for (int oh = 0; oh < OH; oh++)
      for (int ow = 0; ow < OW; ow++) {
        float *yo = y + s * osz + ((size_t)oh * OW + ow) * C;
        int32_t *ao = arg + s * osz + ((size_t)oh * OW + ow) * C;
        int first = 1;
        for (int i = 0; i < L->kh; i++) {
          int ih = oh * L->sh - L->pad_t + i;
          if (ih < 0 || ih >= H) continue;
          for (int j = 0; j < L->kw; j++) {
            int iw = ow * L->sw - L->pad_l + j;
            if (iw < 0 || iw >= W) continue;
            int32_t base = (int32_t)(((size_t)ih * W + iw) * C);
            const float *xi = xs + base;
            if (first) {
              for (int c = 0; c < C; c++) {
                yo[c] = xi[c];
                ao[c] = base + c;
              }
              first = 0;
            } else {
              /* strict '>' keeps the first maximum, like TF's gradient */
              for (int c = 0; c < C; c++)
                if (xi[c] > yo[c]) {
                  yo[c] = xi[c];
                  ao[c] = base + c;
                }
            }
          }
        }
      }
  }
}

static void maxpool_backward(tl_ws *ws, int l, int n) {
  const tl_layer *L = &ws->net->layers[l];
  float *dx = L->need_dx ? layer_din(ws, l) : NULL;
  if (!dx) return;
  const float *g = ws->dy[l];
  const int32_t *arg = ws->aux[l];
  const size_t isz = tl_shape_size(L->in), osz = tl_shape_size(L->out);
  if (window_in_bounds(L) && L->sh == L->kh && L->sw == L->kw) {
    /* windows tile the input without overlap: every covered input element is written once
     * (the gradient or 0), so no memset and no scatter; only an uncovered border is zeroed */
    const int H = L->in.h, W = L->in.w, C = L->in.c, OH = L->out.h, OW = L->out.w;
    if (OH * L->kh != H || OW * L->kw != W) memset(dx, 0, sizeof(float) * n * isz);
    for (int s = 0; s < n; s++) {
      float *dxs = dx + s * isz;
      for (int oh = 0; oh < OH; oh++)
        for (int ow = 0; ow < OW; ow++) {
          const size_t o = s * osz + ((size_t)oh * OW + ow) * C;
          const float *restrict go = g + o;
          const int32_t *restrict ao = arg + o;
          const int32_t b0 = (int32_t)(((size_t)oh * L->kh * W + (size_t)ow * L->kw) * C);
          for (int i = 0; i < L->kh; i++)
            for (int j = 0; j < L->kw; j++) {
              const int32_t base = b0 + (int32_t)(((size_t)i * W + j) * C);
              float *restrict d = dxs + base;
              for (int c = 0; c < C; c++) {
                const float v = go[c]; /* loaded unconditionally: then it vectorizes */
                d[c] = ao[c] == base + c ? v : 0.0f;
              }
            }
        }
    }
    return;
  }
  memset(dx, 0, sizeof(float) * n * isz);
  for (int s = 0; s < n; s++)
    for (size_t o = 0; o < osz; o++) dx[s * isz + arg[s * osz + o]] += g[s * osz + o];
}

/* TF semantics: SAME average pooling divides by the number of in-bounds elements */
static int pool_count(const tl_layer *L, int oh, int ow) {
  int cnt = 0;
  for (int i = 0; i < L->kh; i++) {
    int ih = oh * L->sh - L->pad_t + i;
    if (ih < 0 || ih >= L->in.h) continue;
    for (int j = 0; j < L->kw; j++) {
      int iw = ow * L->sw - L->pad_l + j;
      if (iw >= 0 && iw < L->in.w) cnt++;
    }
  }
  return cnt;
}

static void avgpool_pass(tl_ws *ws, int l, int n, int backward) {
  const tl_layer *L = &ws->net->layers[l];
  const int H = L->in.h, W = L->in.w, C = L->in.c, OH = L->out.h, OW = L->out.w;
  const size_t isz = tl_shape_size(L->in), osz = tl_shape_size(L->out);
  const float *x = layer_in(ws, l);
  float *y = ws->y[l], *dx = backward && L->need_dx ? layer_din(ws, l) : NULL;
  const float *g = ws->dy[l];
  if (backward && !dx) return;
  if (backward) memset(dx, 0, sizeof(float) * n * isz);
  for (int s = 0; s < n; s++)
    for (int oh = 0; oh < OH; oh++)
      for (int ow = 0; ow < OW; ow++) {
        size_t o = s * osz + ((size_t)oh * OW + ow) * C;
        float inv = 1.0f / (float)pool_count(L, oh, ow);
        if (!backward)
          for (int c = 0; c < C; c++) y[o + c] = 0.0f;
        for (int i = 0; i < L->kh; i++) {
          int ih = oh * L->sh - L->pad_t + i;
          if (ih < 0 || ih >= H) continue;
          for (int j = 0; j < L->kw; j++) {
            int iw = ow * L->sw - L->pad_l + j;
            if (iw < 0 || iw >= W) continue;
            size_t in = s * isz + ((size_t)ih * W + iw) * C;
            if (backward)
              for (int c = 0; c < C; c++) dx[in + c] += g[o + c] * inv;
            else
              for (int c = 0; c < C; c++) y[o + c] += x[in + c];
          }
        }
        if (!backward)
          for (int c = 0; c < C; c++) y[o + c] *= inv;
      }
}

/* ---- Dropout --------------------------------------------------------------------------- */

static void dropout_forward(tl_ws *ws, int l, int n, int train) {
  const tl_layer *L = &ws->net->layers[l];
  const float *x = layer_in(ws, l);
  float *y = ws->y[l], *mask = ws->aux[l];
  const size_t sz = tl_shape_size(L->out);
  if (!train || L->rate <= 0.0f) {
    memcpy(y, x, sizeof(float) * n * sz);
    for (size_t i = 0; i < (size_t)n * sz; i++) mask[i] = 1.0f;
    return;
  }
  const float keep = 1.0f / (1.0f - L->rate);
  /* an element is dropped when a 16-bit uniform is below rate * 2^16 (exact for rates like
   * 0.25 or 0.5). Four lanes per 64-bit draw, staged in a small buffer so the compare runs
   * as a vector select: a branch per element mispredicts at random. */
  const uint32_t thr = (uint32_t)((double)L->rate * 65536.0 + 0.5);
  for (int s = 0; s < n; s++) {
    /* one stream per (seed, layer, epoch, sample): independent of the thread split */
    tl_rng r;
    tl_rng_seed(&r, tl_hash3(ws->seed * 1000003u + (uint64_t)l, ws->epoch, ws->sample0 + s));
    float *m = mask + s * sz, *ys = y + s * sz;
    const float *xs = x + s * sz;
    uint16_t bits[256];
    for (size_t i0 = 0; i0 < sz; i0 += 256) {
      const size_t cnt = sz - i0 < 256 ? sz - i0 : 256;
      for (size_t q = 0; q < cnt; q += 4) {
        const uint64_t u = tl_rng_next(&r);
        bits[q] = (uint16_t)u;
        bits[q + 1] = (uint16_t)(u >> 16);
        bits[q + 2] = (uint16_t)(u >> 32);
        bits[q + 3] = (uint16_t)(u >> 48);
      }
      for (size_t q = 0; q < cnt; q++) {
        const float mv = bits[q] >= thr ? keep : 0.0f;
        m[i0 + q] = mv;
        ys[i0 + q] = xs[i0 + q] * mv;
      }
    }
  }
}

static void dropout_backward(tl_ws *ws, int l, int n) {
  const tl_layer *L = &ws->net->layers[l];
  float *dx = L->need_dx ? layer_din(ws, l) : NULL;
  if (!dx) return;
  const float *g = ws->dy[l], *mask = ws->aux[l];
  for (size_t i = 0; i < (size_t)n * tl_shape_size(L->out); i++) dx[i] = g[i] * mask[i];
}

/* ---- Dense ----------------------------------------------------------------------------- */

static void dense_forward(tl_ws *ws, int l, int n) {
  const tl_layer *L = &ws->net->layers[l];
  const int I = (int)tl_shape_size(L->in), U = L->units;
  const float *b = L->bias ? ws->net->params + L->b : NULL;
  tl_sgemm(n, U, I, layer_in(ws, l), I, 1, ws->net->params + L->w, U, 1, 0, ws->y[l], U, ws->gemm);
  bias_act(ws->y[l], (size_t)n, U, b, L->relu);
}

static void dense_backward(tl_ws *ws, int l, int n) {
  const tl_layer *L = &ws->net->layers[l];
  const int I = (int)tl_shape_size(L->in), U = L->units;
  float *g = ws->dy[l], *dx = L->need_dx ? layer_din(ws, l) : NULL;
  relu_mask_bias_grad(g, ws->y[l], (size_t)n, U, L->relu, L->bias ? ws->grads + L->b : NULL);
  /* dW[I,U] += x^T[I,n] g[n,U] */
  tl_sgemm(I, U, n, layer_in(ws, l), 1, I, g, U, 1, 1, ws->grads + L->w, U, ws->gemm);
  /* dx[n,I] = g[n,U] W^T[U,I] */
  if (dx) tl_sgemm(n, I, U, g, U, 1, ws->net->params + L->w, 1, U, 0, dx, I, ws->gemm);
}

/* ---- ReLU ------------------------------------------------------------------------------ */

static void relu_forward(tl_ws *ws, int l, int n) {
  const tl_layer *L = &ws->net->layers[l];
  const float *x = layer_in(ws, l);
  float *y = ws->y[l];
  for (size_t i = 0; i < (size_t)n * tl_shape_size(L->out); i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

static void relu_backward(tl_ws *ws, int l, int n) {
  const tl_layer *L = &ws->net->layers[l];
  float *dx = L->need_dx ? layer_din(ws, l) : NULL;
  if (!dx) return;
  const float *g = ws->dy[l], *y = ws->y[l];
  for (size_t i = 0; i < (size_t)n * tl_shape_size(L->out); i++) dx[i] = y[i] > 0.0f ? g[i] : 0.0f;
}

/* ---- BatchNorm ------------------------------------------------------------------------- */

static int bn_index(const tl_net *net, int l) {
  int k = 0;
  for (int i = 0; i < l; i++) k += net->layers[i].kind == TL_LAYER_BATCHNORM;
  return k;
}

/* Sums this thread's partial (2*C doubles) with every other thread's, in thread order, so all
 * threads see bit-identical totals. Returns the totals (in `tot`) and the batch element count. */
static double bn_allreduce(tl_ws *ws, int l, int phase, const double *mine, double *tot, int C, int n, int pix) {
  tl_sync *s = ws->sync;
  if (!s || s->nthreads <= 1) {
    memcpy(tot, mine, sizeof(double) * 2 * C);
    return (double)(s ? s->batch : n) * pix;
  }
  double *base = s->part + ((size_t)bn_index(ws->net, l) * 2 + phase) * s->nthreads * 2 * s->maxc;
  memcpy(base + (size_t)ws->tid * 2 * s->maxc, mine, sizeof(double) * 2 * C);
  s->barrier(s);
  for (int c = 0; c < 2 * C; c++) tot[c] = 0.0;
  for (int t = 0; t < s->nthreads; t++)
    for (int c = 0; c < 2 * C; c++) tot[c] += base[(size_t)t * 2 * s->maxc + c];
  return (double)s->batch * pix;
}

static void bn_forward(tl_ws *ws, int l, int n, int train) {
  tl_layer *L = &ws->net->layers[l];
  const int C = L->out.c, pix = L->out.h * L->out.w;
  const float *x = layer_in(ws, l), *gamma = ws->net->params + L->w, *beta = ws->net->params + L->b;
  float *y = ws->y[l], *xhat = ws->aux[l];
  float *mean = ws->net->state + L->st, *var = mean + C;
  float *inv = xhat + (size_t)ws->nmax * tl_shape_size(L->out); /* C floats after xhat */
  const size_t rows = (size_t)n * pix;
  if (!train) {
    for (int c = 0; c < C; c++) inv[c] = 1.0f / sqrtf(var[c] + L->eps);
    for (size_t r = 0; r < rows; r++)
      for (int c = 0; c < C; c++) {
        float h = (x[r * C + c] - mean[c]) * inv[c];
        xhat[r * C + c] = h;
        y[r * C + c] = gamma[c] * h + beta[c];
      }
    return;
  }
  double part[2 * 1024] = {0}, tot[2 * 1024]; /* C <= 1024 is checked by tl_net_new */
  for (int c = 0; c < 2 * C; c++) part[c] = 0.0;
  for (size_t r = 0; r < rows; r++)
    for (int c = 0; c < C; c++) {
      double v = x[r * C + c];
      part[c] += v;
      part[C + c] += v * v;
    }
  double N = bn_allreduce(ws, l, 0, part, tot, C, n, pix);
  float m[1024];
  for (int c = 0; c < C; c++) {
    double mu = tot[c] / N, vr = tot[C + c] / N - mu * mu;
    if (vr < 0) vr = 0;
    m[c] = (float)mu;
    inv[c] = (float)(1.0 / sqrt(vr + L->eps));
    if (ws->tid == 0) { /* one writer; nobody reads running stats while training */
      double unbiased = N > 1 ? vr * N / (N - 1) : vr;
      mean[c] = (float)(L->momentum * mean[c] + (1.0 - L->momentum) * mu);
      var[c] = (float)(L->momentum * var[c] + (1.0 - L->momentum) * unbiased);
    }
  }
  for (size_t r = 0; r < rows; r++)
    for (int c = 0; c < C; c++) {
      float h = (x[r * C + c] - m[c]) * inv[c];
      xhat[r * C + c] = h;
      y[r * C + c] = gamma[c] * h + beta[c];
    }
}

static void bn_backward(tl_ws *ws, int l, int n) {
  const tl_layer *L = &ws->net->layers[l];
  const int C = L->out.c, pix = L->out.h * L->out.w;
  const float *gamma = ws->net->params + L->w, *g = ws->dy[l], *xhat = ws->aux[l];
  const float *inv = xhat + (size_t)ws->nmax * tl_shape_size(L->out);
  float *dx = L->need_dx ? layer_din(ws, l) : NULL;
  const size_t rows = (size_t)n * pix;
  double part[2 * 1024] = {0}, tot[2 * 1024];
  if (!ws->train) {
    /* inference-mode statistics are constants: y = gamma*(x-mean)*inv + beta */
    for (size_t r = 0; r < rows; r++)
      for (int c = 0; c < C; c++) {
        ws->grads[L->b + c] += g[r * C + c];
        ws->grads[L->w + c] += g[r * C + c] * xhat[r * C + c];
        if (dx) dx[r * C + c] = g[r * C + c] * gamma[c] * inv[c];
      }
    return;
  }
  for (int c = 0; c < 2 * C; c++) part[c] = 0.0;
  for (size_t r = 0; r < rows; r++)
    for (int c = 0; c < C; c++) {
      part[c] += g[r * C + c];                               /* dbeta */
      part[C + c] += (double)g[r * C + c] * xhat[r * C + c]; /* dgamma */
    }
  /* this thread's share goes to the gradient; the reduction over threads sums the shares */
  for (int c = 0; c < C; c++) {
    ws->grads[L->b + c] += (float)part[c];
    ws->grads[L->w + c] += (float)part[C + c];
  }
  double N = bn_allreduce(ws, l, 1, part, tot, C, n, pix);
  if (!dx) return;
  for (size_t r = 0; r < rows; r++)
    for (int c = 0; c < C; c++) {
      double d = N * g[r * C + c] - tot[c] - xhat[r * C + c] * tot[C + c];
      dx[r * C + c] = (float)(gamma[c] * inv[c] / N * d);
    }
}

/* ---- dispatch -------------------------------------------------------------------------- */

void tl_layer_forward(tl_ws *ws, int l, int n, int train) {
  ws->train = train;
  switch (ws->net->layers[l].kind) {
    case TL_LAYER_RESHAPE:
    case TL_LAYER_FLATTEN: break; /* output aliases the input */
    case TL_LAYER_CONV2D: conv_forward(ws, l, n); break;
    case TL_LAYER_MAXPOOL2D: maxpool_forward(ws, l, n); break;
    case TL_LAYER_AVGPOOL2D: avgpool_pass(ws, l, n, 0); break;
    case TL_LAYER_DROPOUT: dropout_forward(ws, l, n, train); break;
    case TL_LAYER_DENSE: dense_forward(ws, l, n); break;
    case TL_LAYER_RELU: relu_forward(ws, l, n); break;
    case TL_LAYER_BATCHNORM: bn_forward(ws, l, n, train); break;
  }
}

void tl_layer_backward(tl_ws *ws, int l, int n) {
  switch (ws->net->layers[l].kind) {
    case TL_LAYER_RESHAPE:
    case TL_LAYER_FLATTEN: break; /* gradient buffer is shared with the input's */
    case TL_LAYER_CONV2D: conv_backward(ws, l, n); break;
    case TL_LAYER_MAXPOOL2D: maxpool_backward(ws, l, n); break;
    case TL_LAYER_AVGPOOL2D: avgpool_pass(ws, l, n, 1); break;
    case TL_LAYER_DROPOUT: dropout_backward(ws, l, n); break;
    case TL_LAYER_DENSE: dense_backward(ws, l, n); break;
    case TL_LAYER_RELU: relu_backward(ws, l, n); break;
    case TL_LAYER_BATCHNORM: bn_backward(ws, l, n); break;
  }
}

void tl_net_forward(tl_ws *ws, int n, int train) {
  for (int l = 0; l < ws->net->nlayers; l++) tl_layer_forward(ws, l, n, train);
}

void tl_net_backward(tl_ws *ws, int n) {
  for (int l = ws->net->nlayers - 1; l >= 0; l--) tl_layer_backward(ws, l, n);
}

/* Stable softmax cross-entropy from logits: log p_y = z_y - max - log(sum exp(z - max)). */
double tl_net_loss(tl_ws *ws, int n, const uint8_t *labels, float scale, int *correct) {
  const tl_net *net = ws->net;
  const int l = net->nlayers - 1, K = tl_net_classes(net);
  const float *z = ws->y[l];
  float *g = ws->dy[l];
  double loss = 0.0;
  int ok = 0;
  for (int s = 0; s < n; s++) {
    const float *zs = z + (size_t)s * K;
    float *p = ws->probs + (size_t)s * K;
    float mx = zs[0];
    int arg = 0;
    for (int k = 1; k < K; k++)
      if (zs[k] > mx) {
        mx = zs[k];
        arg = k;
      }
    double sum = 0.0;
    for (int k = 0; k < K; k++) {
      p[k] = expf(zs[k] - mx);
      sum += p[k];
    }
    float invs = (float)(1.0 / sum);
    for (int k = 0; k < K; k++) p[k] *= invs;
    if (!labels) continue;
    int y = labels[s];
    loss += -((double)zs[y] - mx - log(sum));
    ok += arg == y;
    for (int k = 0; k < K; k++) g[(size_t)s * K + k] = (p[k] - (k == y ? 1.0f : 0.0f)) * scale;
  }
  if (correct) *correct = ok;
  return loss;
}

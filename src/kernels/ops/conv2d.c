/* SPDX-License-Identifier: Apache-2.0
 * CONV_2D: float and int8 as an indirect GEMM on weights packed at prepare (no im2col, no activation-sized
 * scratch); hybrid, uint8, 16x8 and unknown weights via im2col + GEMM (hybrid with known weights on the
 * int8 accumulator microkernel: the same exact int32 sums). int8/uint8 requantize as TFLite 2.9's x86
 * kernel (ruy: tl_mbqm_ruy), 16x8 as its reference kernel; TFLite's padding, strides, dilations, groups. */
#include <string.h>

#include "../gemm.h"
#include "../quant_math.h"
#include "../ukernels.h"
#include "conv_util.h"
#include "kcommon.h"

enum { K_F32, K_HYB_PT, K_HYB_PC, K_S8, K_U8, K_S16 };

/* Taps per tile whose row pointers fit on the stack (a larger filter uses im2col). */
#define KS_MAX 64
#define MR_MAX 8
/* Merged-row stack buffer: MR_MAX rows x kh taps x kw * c values of at most 4 bytes. */
#define MERGE_MAX 512

typedef struct {
  tl_conv_geom g;
  int kind, groups, cg, o, og, act;
  int64_t k, m;             /* k = kh * kw * cg (one im2col row), m = b * oh * ow (rows) */
  int direct;               /* 1x1, stride 1, no padding: the input rows are the im2col rows */
  int mt;                   /* im2col rows per tile */
  float lo, hi;             /* float clamp */
  const float *packed;      /* float weights packed per group (NULL: pack into scratch at eval) */
  const int32_t *wsum;      /* hybrid per-channel: weight row sums (NULL: computed at eval) */
  tl_requant rq;
  int bias64;               /* 16x8 with an int64 bias (int64 accumulator) */
  int wpc;                  /* hybrid: per-channel weight scales */
  size_t off_packed, off_wsum, off_qin, off_qpar, off_tiles, tile_bytes;
  /* Indirect GEMM (known float or int8 weights): row pointers into the input, built per tile of MR
   * output positions on the stack; taps outside the image point at `pad`, a constant row (zeros, or
   * the input zero point) written once at prepare. */
  int igemm;
  int mr;                   /* the kernel's rows per tile */
  size_t group_bytes;       /* bytes of one group's packed weights */
  const void *ipacked;
  const void *pad;
  tl_f32_igemm_desc fk;
  tl_s8_igemm_desc qk;
  tl_f32_minmax fmm;
  tl_s8_minmax qmm;
  ptrdiff_t tap_off[KS_MAX]; /* elements from a window's corner to each tap */
  /* Merged rows (few channels, e.g. a first layer on 1-channel images): the kw taps of a window row
   * are contiguous in NHWC, so the kernel sees kh taps of kw * c values. Windows over the left or
   * right border are copied, with padding, into a small stack buffer. */
  int merge;
  int uks, ukc;             /* taps and values per tap the kernel sees */
  /* Hybrid with known weights: the int8 accumulator microkernel (qk.acc) over weights packed per group
   * with in_zp 0 and no bias, on the im2col rows; its exact int32 sums are TFLite's accumulators. */
  const void *hpacked;
  size_t off_acc, acc_bytes;  /* per-thread [MR][og] int32 accumulators */
} conv_state;



typedef struct {
  const conv_state *s;
  const void *in;
  const void *w;
  const void *bias;
  void *out;
  uint8_t *scratch;
  const float *packed;
  const int32_t *wsum;
  const int8_t *qin;        /* hybrid: quantized input */
  const float *qscale;      /* hybrid: per-batch scale (times the weight scale for per-tensor) */
  const int32_t *qzp;       /* hybrid per-channel: per-batch zero point */
  const float *wscales;     /* hybrid per-channel: weight scale of each output channel */
} conv_args;

static const tl_fb_table *opts(const tl_node *n) { return kc_opts(n); }

/* ---- indirect GEMM (float and int8) ---- */

/* Row pointers of output positions m0..m0+mr-1 for every tap (tap-major, stride MR), rows past mr
 * repeating the last one. Channel offset c0 selects the group. A window inside the image takes the
 * precomputed tap offsets; only windows over the border test each tap. */
static void build_rows(const conv_state *s, const uint8_t *in, size_t es, int c0, int64_t m0, int mr, int MR,
                       const void **rows, uint8_t *tmp) {
  const tl_conv_geom *g = &s->g;
  const int ks = g->kh * g->kw;
  const int64_t per_img = (int64_t)g->oh * g->ow;
  int b = (int)(m0 / per_img), r = (int)(m0 % per_img), oy = r / g->ow, ox = r % g->ow;
  const int eh = (g->kh - 1) * g->dh, ew = (g->kw - 1) * g->dw;
  const size_t rowb = (size_t)s->ukc * es; /* merged: bytes of one window row */
  for (int i = 0; i < MR; i++) {
    const int iy0 = oy * g->sh - g->ph, ix0 = ox * g->sw - g->pw;
    if (s->merge) {
      const int inside_x = ix0 >= 0 && ix0 + ew < g->w;
      for (int ky = 0; ky < g->kh; ky++) {
        const int iy = iy0 + ky * g->dh;
        const void *p = s->pad;
        if (iy >= 0 && iy < g->h) {
          const uint8_t *src = in + (((size_t)b * g->h + (size_t)iy) * g->w) * g->c * es;
          if (inside_x) {
            p = src + (size_t)ix0 * g->c * es;
          } else { /* copy the window row, padding where it leaves the image */
            uint8_t *d = tmp + ((size_t)i * g->kh + (size_t)ky) * rowb;
            for (int kx = 0; kx < g->kw; kx++) {
              const int ix = ix0 + kx;
              memcpy(d + (size_t)kx * g->c * es,
                     ix >= 0 && ix < g->w ? src + (size_t)ix * g->c * es : (const uint8_t *)s->pad, (size_t)g->c * es);
            }
            p = d;
          }
        }
        rows[ky * MR + i] = p;
      }
    } else if (iy0 >= 0 && iy0 + eh < g->h && ix0 >= 0 && ix0 + ew < g->w) {
      const uint8_t *base = in + ((((size_t)b * g->h + (size_t)iy0) * g->w + (size_t)ix0) * g->c + (size_t)c0) * es;
      for (int t = 0; t < ks; t++) rows[t * MR + i] = base + s->tap_off[t] * (ptrdiff_t)es;
    } else {
      for (int ky = 0; ky < g->kh; ky++) {
        const int iy = iy0 + ky * g->dh;
        for (int kx = 0; kx < g->kw; kx++) {
          const int ix = ix0 + kx * g->dw;
          const void *p = s->pad;
          if (iy >= 0 && iy < g->h && ix >= 0 && ix < g->w)
            p = in + ((((size_t)b * g->h + (size_t)iy) * g->w + (size_t)ix) * g->c + (size_t)c0) * es;
          rows[(ky * g->kw + kx) * MR + i] = p;
        }
      }
    }
    if (i + 1 < mr && ++ox == g->ow) { /* next output position; rows past mr repeat the last */
      ox = 0;
      if (++oy == g->oh) oy = 0, b++;
    }
  }
}

static void conv_igemm_task(void *arg, int64_t begin, int64_t end, int thread) {
  (void)thread;
  const conv_args *a = arg;
  const conv_state *s = a->s;
  const void *rows[KS_MAX * MR_MAX];
  _Alignas(16) uint8_t tmp[MR_MAX * MERGE_MAX * 4];
  const int MR = s->mr, ks = s->uks, f32 = s->kind == K_F32;
  const size_t es = f32 ? 4 : 1;
  for (int64_t t = begin; t < end; t++) {
    const int64_t m0 = t * MR;
    const int mr = (int)(s->m - m0 < MR ? s->m - m0 : MR);
    /* a lone row (a 1x1 output) takes the one-row kernel, whose rows have stride 1 */
    const int one = s->m == 1;
    for (int gi = 0; gi < s->groups; gi++) {
      build_rows(s, a->in, es, gi * s->cg, m0, mr, one ? 1 : MR, rows, tmp);
      const uint8_t *w = (const uint8_t *)s->ipacked + (size_t)gi * s->group_bytes;
      const size_t off = (size_t)m0 * s->o + (size_t)gi * s->og;
      if (f32)
        (one ? s->fk.fn1 : s->fk.fn)((size_t)mr, (size_t)s->og, (size_t)s->ukc, (size_t)ks, (const float *const *)rows,
                                     (const float *)(const void *)w, (float *)a->out + off, (size_t)s->o, &s->fmm);
      else
        (one ? s->qk.fn1 : s->qk.fn)((size_t)mr, (size_t)s->og, (size_t)s->ukc, (size_t)ks, (const int8_t *const *)rows,
                                     w, (int8_t *)a->out + off, (size_t)s->o, &s->qmm);
    }
  }
}

static tl_status conv2d_eval_igemm(tl_kctx *ctx, tl_node *n) {
  const conv_state *s = n->state;
  conv_args a = {s, n->in[0]->data, NULL, NULL, n->out[0]->data, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
  tl_kparallel(ctx, (s->m + s->mr - 1) / s->mr, conv_igemm_task, &a);
  return TL_OK;
}

/* Packs known float or int8 weights for the indirect GEMM and makes the padding row; 0 = not
 * applicable (unknown weights, huge filter), leaving the im2col path. */
static tl_status igemm_prepare(tl_kctx *ctx, tl_node *n, conv_state *s, const tl_tensor *w, const tl_tensor *bias,
                               int *ok) {
  *ok = 0;
  const tl_ukernels *uk = tl_kukernels(ctx);
  const int ks = s->g.kh * s->g.kw;
  if (!w->known || ks > KS_MAX || (bias && !bias->known) || (s->kind != K_F32 && s->kind != K_S8)) return TL_OK;
  if (s->kind == K_S8 && s->rq.w_zp != 0) return TL_OK;
  const tl_f32_igemm_desc fk = (tl_kexact_float(ctx) ? tl_ukernels_by_name("scalar") : uk)->f32_igemm;
  const int MR = s->kind == K_F32 ? fk.mr : uk->s8_igemm.mr;
  const size_t nr = s->kind == K_F32 ? fk.nr : uk->s8_igemm.nr;
  if (MR > MR_MAX) return TL_OK;
  /* Few channels: merge each window row into one tap (see conv_state.merge). */
  s->merge = s->groups == 1 && s->g.dw == 1 && s->g.kw > 1 && s->cg < 8 && ks * s->cg <= MERGE_MAX;
  s->uks = s->merge ? s->g.kh : ks;
  s->ukc = s->merge ? s->g.kw * s->cg : s->cg;
  const size_t uks = (size_t)s->uks, ukc = (size_t)s->ukc;
  size_t per;
  if (s->kind == K_F32) {
    per = tl_f32_igemm_packed_size(nr, (size_t)s->og, uks, ukc);
    if (!per || per > SIZE_MAX / sizeof(float) / (size_t)s->groups) return tl_kfail(ctx, n, "filter too large");
    per *= sizeof(float);
  } else {
    per = tl_s8_igemm_packed_size(nr, (size_t)s->og, uks, ukc);
    if (!per || per > SIZE_MAX / (size_t)s->groups) return tl_kfail(ctx, n, "filter too large");
  }
  per = tl_align16(per);
  uint8_t *p = per ? tl_kpersist(ctx, per * (size_t)s->groups) : NULL;
  /* the padding row: zeros (float), or input zero points (int8: (zp - zp) * w adds nothing) */
  uint8_t *pad = tl_kpersist(ctx, ukc * (s->kind == K_F32 ? sizeof(float) : 1));
  if (!p || !pad) return tl_kfail(ctx, n, "out of memory packing %zu bytes of weights", per * (size_t)s->groups);
  /* OHWI rows are (ky, kx, c)-major, so kh taps of kw * c values is the same order as kh * kw taps */
  for (int gi = 0; gi < s->groups; gi++) {
    const size_t row0 = (size_t)gi * s->og, k = uks * ukc;
    if (s->kind == K_F32)
      tl_f32_igemm_pack(nr, (size_t)s->og, uks, ukc, (const float *)w->data + row0 * k, k,
                        bias ? (const float *)bias->data + row0 : NULL, (float *)(void *)(p + (size_t)gi * per));
    else
      tl_s8_igemm_pack(nr, (size_t)s->og, uks, ukc, (const int8_t *)w->data + row0 * k, k,
                       bias ? (const int32_t *)bias->data + row0 : NULL, s->rq.in_zp, s->rq.mult + row0,
                       s->rq.shift + row0, 1, p + (size_t)gi * per);
  }
  if (s->kind == K_S8) memset(pad, (int)(int8_t)s->rq.in_zp, ukc);
  for (int ky = 0; ky < s->g.kh; ky++)
    for (int kx = 0; kx < s->g.kw; kx++)
      s->tap_off[ky * s->g.kw + kx] = ((ptrdiff_t)ky * s->g.dh * s->g.w + (ptrdiff_t)kx * s->g.dw) * s->g.c;
  s->fk = fk, s->qk = uk->s8_igemm;
  s->fmm = (tl_f32_minmax){s->lo, s->hi};
  s->qmm = (tl_s8_minmax){s->rq.out_zp, s->rq.act_min, s->rq.act_max};
  s->mr = MR;
  s->group_bytes = per;
  s->ipacked = p;
  s->pad = pad;
  s->igemm = 1;
  *ok = 1;
  return TL_OK;
}

/* ---- float ---- */

static void conv_f32_task(void *arg, int64_t begin, int64_t end, int thread) {
  const conv_args *a = arg;
  const conv_state *s = a->s;
  float *tile = s->tile_bytes ? (float *)(a->scratch + s->off_tiles + (size_t)thread * s->tile_bytes) : NULL;
  for (int64_t t = begin; t < end; t++) {
    const int64_t m0 = t * s->mt, m1 = m0 + s->mt < s->m ? m0 + s->mt : s->m;
    for (int gi = 0; gi < s->groups; gi++) {
      const float *A;
      size_t lda;
      if (s->direct) {
        A = (const float *)a->in + (size_t)m0 * s->g.c + (size_t)gi * s->cg;
        lda = (size_t)s->g.c;
      } else {
        tl_im2col_f32(&s->g, a->in, gi * s->cg, s->cg, m0, m1, tile);
        A = tile;
        lda = (size_t)s->k;
      }
      const float *bp = a->packed + (size_t)gi * tl_f32_gemm_packed_size(s->og, s->k);
      tl_f32_gemm((int)(m1 - m0), s->og, (int)s->k, A, lda, bp, a->bias ? (const float *)a->bias + gi * s->og : NULL,
                  s->lo, s->hi, (float *)a->out + (size_t)m0 * s->o + (size_t)gi * s->og, (size_t)s->o);
    }
  }
}

static const float *packed_weights(const conv_state *s, const tl_tensor *w, uint8_t *scratch) {
  if (s->packed) return s->packed;
  float *p = (float *)(scratch + s->off_packed);
  const size_t per = tl_f32_gemm_packed_size(s->og, s->k);
  for (int gi = 0; gi < s->groups; gi++)
    tl_f32_gemm_pack_b(s->og, (int)s->k, (const float *)w->data + (size_t)gi * s->og * s->k, (size_t)s->k, p + gi * per);
  return p;
}

static int64_t n_tiles(const conv_state *s) { return (s->m + s->mt - 1) / s->mt; }

static tl_status conv2d_eval_f32(tl_kctx *ctx, tl_node *n) {
  const conv_state *s = n->state;
  const tl_tensor *bias = n->n_in > 2 ? n->in[2] : NULL;
  conv_args a = {s, n->in[0]->data, n->in[1]->data, bias ? bias->data : NULL, n->out[0]->data, n->scratch, NULL,
                 NULL, NULL, NULL, NULL, NULL};
  a.packed = packed_weights(s, n->in[1], n->scratch);
  tl_kparallel(ctx, n_tiles(s), conv_f32_task, &a);
  return TL_OK;
}

/* ---- hybrid (float activations, int8 weights) ---- */

/* Float result of one hybrid accumulator (output position m of batch b, channel oc). */
static inline float hybrid_out(const conv_args *a, const conv_state *s, int32_t dot, int b, int oc) {
  float v;
  if (s->kind == K_HYB_PC) {
    /* optimized_ops::HybridConvPerChannel: (acc - row_sum * zp) * (scale[c] * input_scale) + bias */
    const int32_t acc = (int32_t)((uint32_t)dot - (uint32_t)a->wsum[oc] * (uint32_t)a->qzp[b]);
    v = (float)acc * (a->wscales[s->wpc ? oc : 0] * a->qscale[b]);
  } else {
    /* HybridConv: scaling factor already multiplied by the weight scale; bias added after. */
    v = (float)dot * a->qscale[b];
  }
  if (a->bias) v += ((const float *)a->bias)[oc];
  v = v < s->lo ? s->lo : v;
  return v > s->hi ? s->hi : v;
}

/* hybrid_out over n channels from c0, with the kind's branches hoisted out of the loop (so it
 * vectorizes); the same float operations in the same order. */
static void hybrid_row(const conv_args *a, const conv_state *s, const int32_t *restrict acc, int b, size_t c0,
                       size_t n, float *restrict o) {
  const float *bias = a->bias ? (const float *)a->bias + c0 : NULL;
  const float lo = s->lo, hi = s->hi;
  if (s->kind == K_HYB_PC) {
    const uint32_t zp = (uint32_t)a->qzp[b];
    const int32_t *wsum = a->wsum + c0;
    const float qs = a->qscale[b];
    for (size_t j = 0; j < n; j++) {
      const int32_t v0 = (int32_t)((uint32_t)acc[j] - (uint32_t)wsum[j] * zp);
      float v = (float)v0 * (a->wscales[s->wpc ? c0 + j : 0] * qs);
      if (bias) v += bias[j];
      v = v < lo ? lo : v;
      o[j] = v > hi ? hi : v;
    }
  } else {
    const float qs = a->qscale[b];
    for (size_t j = 0; j < n; j++) {
      float v = (float)acc[j] * qs;
      if (bias) v += bias[j];
      v = v < lo ? lo : v;
      o[j] = v > hi ? hi : v;
    }
  }
}

static void conv_hybrid_task(void *arg, int64_t begin, int64_t end, int thread) {
  const conv_args *a = arg;
  const conv_state *s = a->s;
  int8_t *tile = s->tile_bytes ? (int8_t *)(a->scratch + s->off_tiles + (size_t)thread * s->tile_bytes) : NULL;
  int32_t *accb = s->hpacked ? (int32_t *)(void *)(a->scratch + s->off_acc + (size_t)thread * s->acc_bytes) : NULL;
  const int8_t *w = a->w;
  const int64_t per_img = (int64_t)s->g.oh * s->g.ow;
  float *out = a->out;
  for (int64_t t = begin; t < end; t++) {
    const int64_t m0 = t * s->mt, m1 = m0 + s->mt < s->m ? m0 + s->mt : s->m;
    for (int gi = 0; gi < s->groups; gi++) {
      const int8_t *A;
      size_t lda;
      if (s->direct) {
        A = a->qin + (size_t)m0 * s->g.c + (size_t)gi * s->cg;
        lda = (size_t)s->g.c;
      } else {
        /* Padding holds the batch's zero point, i.e. real 0 (per-tensor: symmetric, zero point 0). */
        tl_im2col_i8(&s->g, a->qin, gi * s->cg, s->cg, m0, m1, 0, s->kind == K_HYB_PC ? a->qzp : NULL, tile);
        A = tile;
        lda = (size_t)s->k;
      }
      if (accb) {
        /* MR rows at a time through the microkernel (rows past the end repeat the last one) */
        const int MR = s->mr;
        const void *wp = (const uint8_t *)s->hpacked + (size_t)gi * s->group_bytes;
        for (int64_t r0 = m0; r0 < m1; r0 += MR) {
          const int mr = (int)(m1 - r0 < MR ? m1 - r0 : MR);
          const int8_t *rows[MR_MAX];
          for (int i = 0; i < MR; i++) rows[i] = A + (size_t)(r0 - m0 + (i < mr ? i : mr - 1)) * lda;
          s->qk.acc((size_t)mr, (size_t)s->og, (size_t)s->k, 1, rows, wp, accb, (size_t)s->og);
          for (int i = 0; i < mr; i++) {
            const int64_t m = r0 + i;
            const int b = (int)(m / per_img);
            const size_t c0 = (size_t)gi * s->og;
            hybrid_row(a, s, accb + (size_t)i * s->og, b, c0, (size_t)s->og, out + (size_t)m * s->o + c0);
          }
        }
        continue;
      }
      for (int64_t m = m0; m < m1; m++) {
        const int b = (int)(m / per_img);
        const int8_t *row = A + (size_t)(m - m0) * lda;
        float *o = out + (size_t)m * s->o;
        for (int oc = gi * s->og; oc < (gi + 1) * s->og; oc++)
          o[oc] = hybrid_out(a, s, tl_dot_q8(row, w + (size_t)oc * s->k, s->k), b, oc);
      }
    }
  }
}

static tl_status conv2d_eval_hybrid(tl_kctx *ctx, tl_node *n) {
  const conv_state *s = n->state;
  const tl_tensor *in = n->in[0], *w = n->in[1];
  const tl_tensor *bias = n->n_in > 2 ? n->in[2] : NULL;
  uint8_t *sc = n->scratch;
  int8_t *qin = (int8_t *)(sc + s->off_qin);
  float *qscale = (float *)(sc + s->off_qpar);
  int32_t *qzp = (int32_t *)(sc + s->off_qpar + tl_align16(sizeof(float) * (size_t)s->g.b));
  const int64_t per = (int64_t)s->g.h * s->g.w * s->g.c;
  for (int b = 0; b < s->g.b; b++) {
    const float *x = (const float *)in->data + (size_t)b * per;
    if (s->kind == K_HYB_PC) {
      tl_hybrid_quant_asym(x, per, qin + (size_t)b * per, &qscale[b], &qzp[b]);
    } else {
      tl_hybrid_quant_sym(x, per, qin + (size_t)b * per, &qscale[b]);
      qscale[b] *= w->scales[0];
      qzp[b] = 0;
    }
  }
  const int32_t *wsum = s->wsum;
  if (s->kind == K_HYB_PC && !wsum) {
    int32_t *ws = (int32_t *)(sc + s->off_wsum);
    tl_row_sums_s8(w->data, s->o, s->k, ws);
    wsum = ws;
  }
  conv_args a = {s, in->data, w->data, bias ? bias->data : NULL, n->out[0]->data, sc, NULL, wsum, qin, qscale,
                 qzp, w->scales};
  tl_kparallel(ctx, n_tiles(s), conv_hybrid_task, &a);
  return TL_OK;
}

/* ---- int8 / uint8 / int16 ---- */

static void conv_quant_task(void *arg, int64_t begin, int64_t end, int thread) {
  const conv_args *a = arg;
  const conv_state *s = a->s;
  /* no scratch at all for a direct 1x1 conv: a->scratch is then NULL */
  uint8_t *tile = s->tile_bytes ? a->scratch + s->off_tiles + (size_t)thread * s->tile_bytes : NULL;
  const tl_requant *rq = &s->rq;
  const size_t es = s->kind == K_S16 ? 2 : 1;
  for (int64_t t = begin; t < end; t++) {
    const int64_t m0 = t * s->mt, m1 = m0 + s->mt < s->m ? m0 + s->mt : s->m;
    for (int gi = 0; gi < s->groups; gi++) {
      const uint8_t *A;
      size_t lda;
      if (s->direct) {
        A = (const uint8_t *)a->in + ((size_t)m0 * s->g.c + (size_t)gi * s->cg) * es;
        lda = (size_t)s->g.c;
      } else {
        if (s->kind == K_S16)
          tl_im2col_i16(&s->g, a->in, gi * s->cg, s->cg, m0, m1, (int16_t *)tile);
        else /* fill with the input zero point: (x - zp) is then 0, as TFLite's skipped taps */
          tl_im2col_i8(&s->g, a->in, gi * s->cg, s->cg, m0, m1, (int8_t)rq->in_zp, NULL, (int8_t *)tile);
        A = tile;
        lda = (size_t)s->k;
      }
      for (int64_t m = m0; m < m1; m++) {
        const uint8_t *row = A + (size_t)(m - m0) * lda * es;
        for (int oc = gi * s->og; oc < (gi + 1) * s->og; oc++) {
          int32_t acc;
          if (s->kind == K_S8) {
            acc = tl_dot_s8((const int8_t *)row, (const int8_t *)a->w + (size_t)oc * s->k, s->k, -rq->in_zp);
            if (a->bias) acc = (int32_t)((uint32_t)acc + (uint32_t)((const int32_t *)a->bias)[oc]);
            acc = tl_mbqm_ruy(acc, rq->mult[oc], rq->shift[oc]) + rq->out_zp;
          } else if (s->kind == K_U8) {
            acc = tl_dot_u8(row, (const uint8_t *)a->w + (size_t)oc * s->k, s->k, -rq->in_zp, -rq->w_zp);
            if (a->bias) acc = (int32_t)((uint32_t)acc + (uint32_t)((const int32_t *)a->bias)[oc]);
            acc = tl_mbqm_ruy(acc, rq->mult[oc], rq->shift[oc]) + rq->out_zp;
          } else {
            int64_t acc64 = tl_dot_s16s8((const int16_t *)(const void *)row, (const int8_t *)a->w + (size_t)oc * s->k, s->k);
            if (s->bias64) {
              if (a->bias) acc64 += ((const int64_t *)a->bias)[oc];
              acc = tl_mbqm64(acc64, rq->mult[oc], rq->shift[oc]);
            } else { /* int32 bias: TFLite accumulates in int32 (wrapping) */
              uint32_t a32 = (uint32_t)acc64;
              if (a->bias) a32 += (uint32_t)((const int32_t *)a->bias)[oc];
              acc = tl_mbqm((int32_t)a32, rq->mult[oc], rq->shift[oc]);
            }
          }
          acc = acc < rq->act_min ? rq->act_min : (acc > rq->act_max ? rq->act_max : acc);
          if (s->kind == K_S8) ((int8_t *)a->out)[(size_t)m * s->o + oc] = (int8_t)acc;
          else if (s->kind == K_U8) ((uint8_t *)a->out)[(size_t)m * s->o + oc] = (uint8_t)acc;
          else ((int16_t *)a->out)[(size_t)m * s->o + oc] = (int16_t)acc;
        }
      }
    }
  }
}

static tl_status conv2d_eval_quant(tl_kctx *ctx, tl_node *n) {
  const conv_state *s = n->state;
  const tl_tensor *bias = n->n_in > 2 ? n->in[2] : NULL;
  conv_args a = {s, n->in[0]->data, n->in[1]->data, bias ? bias->data : NULL, n->out[0]->data, n->scratch, NULL,
                 NULL, NULL, NULL, NULL, NULL};
  tl_kparallel(ctx, n_tiles(s), conv_quant_task, &a);
  return TL_OK;
}

/* ---- prepare ---- */

static int all_scales_equal(const tl_tensor *w) {
  for (int i = 1; i < w->qcount; i++)
    if (w->scales[i] != w->scales[0]) return 0;
  return 1;
}

tl_status tl_prep_conv2d(tl_kctx *ctx, tl_node *n) {
  tl_status st = kc_io(ctx, n, 2, 3, 1);
  if (st) return st;
  const tl_tensor *in = n->in[0], *w = n->in[1], *bias = n->n_in > 2 ? n->in[2] : NULL;
  tl_tensor *out = n->out[0];
  if (n->m && n->m->options.ok && n->m->options_type != 1)
    return tl_kfail(ctx, n, "options are of union type %d, not Conv2DOptions", n->m->options_type);
  if (in->ndim != 4) return tl_kfail(ctx, n, "input must have rank 4 (NHWC), not %d", (int)in->ndim);
  if (w->ndim != 4) return tl_kfail(ctx, n, "filter must have rank 4 (OHWI), not %d", (int)w->ndim);
  const tl_fb_table *o = opts(n);
  conv_state *s = tl_kpersist(ctx, sizeof *s);
  if (!s) return tl_kfail(ctx, n, "out of memory");
  s->g.b = in->dims[0], s->g.h = in->dims[1], s->g.w = in->dims[2], s->g.c = in->dims[3];
  s->g.kh = w->dims[1], s->g.kw = w->dims[2];
  s->o = w->dims[0], s->cg = w->dims[3];
  if (s->o < 1 || s->cg < 1)
    return tl_kfail(ctx, n, "filter has %d output and %d input channels; both must be >= 1", s->o, s->cg);
  st = tl_conv_geom_init(ctx, n, &s->g, tl_conv2d_padding(o), tl_conv2d_stride_h(o), tl_conv2d_stride_w(o),
                         tl_conv2d_dilation_h_factor(o), tl_conv2d_dilation_w_factor(o));
  if (st) return st;
  if (s->g.c % s->cg) return tl_kfail(ctx, n, "input channels %d not a multiple of filter channels %d", s->g.c, s->cg);
  s->groups = s->g.c / s->cg;
  if (s->o % s->groups)
    return tl_kfail(ctx, n, "%d output channels cannot be split into %d groups", s->o, s->groups);
  s->og = s->o / s->groups;
  s->act = tl_conv2d_fused_activation_function(o);
  tl_conv_act_range(s->act, &s->lo, &s->hi);
  s->k = (int64_t)s->g.kh * s->g.kw * s->cg;
  s->m = (int64_t)s->g.b * s->g.oh * s->g.ow;
  if (s->k > INT32_MAX / 16) return tl_kfail(ctx, n, "filter window of %lld values is too large", (long long)s->k);
  if (bias && tl_numel(bias) != s->o)
    return tl_kfail(ctx, n, "bias has %lld values for %d output channels", (long long)tl_numel(bias), s->o);
  int32_t odims[4] = {s->g.b, s->g.oh, s->g.ow, s->o};
  if (out->type != in->type)
    return tl_kfail(ctx, n, "output type %s differs from input type %s", tl_type_name(out->type), tl_type_name(in->type));
  st = tl_kset_shape(ctx, n, out, 4, odims);
  if (st) return st;
  s->direct = s->g.kh == 1 && s->g.kw == 1 && s->g.sh == 1 && s->g.sw == 1 && s->g.ph == 0 && s->g.pw == 0;

  /* Kind and type checks. */
  size_t es; /* im2col element size */
  if (in->type == TL_FLOAT32 && w->type == TL_FLOAT32) {
    s->kind = K_F32, es = 4;
    if (bias && bias->type != TL_FLOAT32) return tl_kfail(ctx, n, "float conv needs a float32 bias");
  } else if (in->type == TL_FLOAT32 && (w->type == TL_INT8 || w->type == TL_UINT8)) {
    /* TFLite reads uint8 hybrid weights as int8 (legacy converters). */
    st = tl_hybrid_check_scales(ctx, n, w, 0);
    if (st) return st;
    if (bias && bias->type != TL_FLOAT32) return tl_kfail(ctx, n, "hybrid conv needs a float32 bias");
    s->kind = (w->qcount > 1 && !all_scales_equal(w)) || s->groups != 1 ? K_HYB_PC : K_HYB_PT;
    s->wpc = w->qcount > 1;
    es = 1;
  } else if (in->type == TL_INT8 || in->type == TL_UINT8 || in->type == TL_INT16) {
    const int want_w = in->type == TL_UINT8 ? TL_UINT8 : TL_INT8;
    if (w->type != want_w)
      return tl_kfail(ctx, n, "%s conv needs %s weights, not %s", tl_type_name(in->type), tl_type_name(want_w),
                      tl_type_name(w->type));
    if (in->type == TL_INT16) {
      if ((st = tl_s16_bias_check(ctx, n, "conv", in, out, bias, tl_conv2d_quantized_bias_type(o), &s->bias64)))
        return st;
      s->kind = K_S16, es = 2;
    } else {
      if (bias && bias->type != TL_INT32)
        return tl_kfail(ctx, n, "%s conv needs an int32 bias, not %s", tl_type_name(in->type), tl_type_name(bias->type));
      s->kind = in->type == TL_INT8 ? K_S8 : K_U8, es = 1;
    }
    if (bias && bias->qcount && bias->zero_point != 0) return tl_kfail(ctx, n, "bias zero point must be 0");
    st = tl_requant_init(ctx, n, in, w, bias, out, s->act, s->o, 0, s->kind == K_U8, &s->rq);
    if (st) return st;
  } else {
    return tl_kunsupported(ctx, n, "input %s with filter %s is not supported", tl_type_name(in->type),
                           tl_type_name(w->type));
  }

  int use_igemm;
  st = igemm_prepare(ctx, n, s, w, bias, &use_igemm);
  if (st) return st;
  if (use_igemm) {
    n->state = s;
    n->eval = conv2d_eval_igemm;
    return TL_OK;
  }

  /* Precompute from known weights: packed float panels, hybrid row sums. */
  const size_t per_group = tl_f32_gemm_packed_size(s->og, s->k);
  size_t packed_bytes = 0;
  if (s->kind == K_F32) {
    if (!per_group || per_group > SIZE_MAX / 4 / (size_t)s->groups) return tl_kfail(ctx, n, "filter too large");
    packed_bytes = per_group * (size_t)s->groups * sizeof(float);
    if (w->known) {
      float *p = tl_kpersist(ctx, packed_bytes);
      if (!p) return tl_kfail(ctx, n, "out of memory packing %zu bytes of weights", packed_bytes);
      for (int gi = 0; gi < s->groups; gi++)
        tl_f32_gemm_pack_b(s->og, (int)s->k, (const float *)w->data + (size_t)gi * s->og * s->k, (size_t)s->k,
                           p + gi * per_group);
      s->packed = p;
      packed_bytes = 0;
    }
  }
  size_t wsum_bytes = 0;
  if (s->kind == K_HYB_PC) {
    wsum_bytes = sizeof(int32_t) * (size_t)s->o;
    if (w->known) {
      int32_t *ws = tl_kpersist(ctx, wsum_bytes);
      if (!ws) return tl_kfail(ctx, n, "out of memory");
      tl_row_sums_s8(w->data, s->o, s->k, ws);
      s->wsum = ws;
      wsum_bytes = 0;
    }
  }

  if ((s->kind == K_HYB_PT || s->kind == K_HYB_PC) && w->known) {
    const tl_s8_igemm_desc qk = tl_kukernels(ctx)->s8_igemm;
    const size_t per = tl_align16(tl_s8_igemm_packed_size(qk.nr, (size_t)s->og, 1, (size_t)s->k));
    if (qk.acc && qk.mr <= MR_MAX && per && per <= SIZE_MAX / (size_t)s->groups) {
      uint8_t *p = tl_kpersist(ctx, per * (size_t)s->groups);
      if (!p) return tl_kfail(ctx, n, "out of memory packing %zu bytes of weights", per * (size_t)s->groups);
      /* in_zp 0 and no bias: the kernel's sums are sum(x * w) exactly (the requantization rows are
       * unused; any valid multiplier fills them) */
      const int32_t one = 1 << 30;
      const int zero = 0;
      for (int gi = 0; gi < s->groups; gi++)
        tl_s8_igemm_pack(qk.nr, (size_t)s->og, 1, (size_t)s->k, (const int8_t *)w->data + (size_t)gi * s->og * s->k,
                         (size_t)s->k, NULL, 0, &one, &zero, 0, p + (size_t)gi * per);
      s->qk = qk;
      s->mr = qk.mr;
      s->group_bytes = per;
      s->hpacked = p;
      s->acc_bytes = tl_align16(sizeof(int32_t) * (size_t)qk.mr * (size_t)s->og);
    }
  }

  /* Scratch: [packed weights][row sums][quantized input][per-batch params][one im2col tile per thread]
   * [hybrid accumulators per thread]. */
  const int64_t row_bytes = s->k * (int64_t)es;
  int64_t mt = (64 * 1024) / (row_bytes > 0 ? row_bytes : 1);
  mt = mt < 4 ? 4 : (mt > 256 ? 256 : mt & ~(int64_t)3);
  s->mt = (int)mt;
  const int threads = tl_kthreads(ctx);
  s->tile_bytes = s->direct ? 0 : tl_align16((size_t)mt * (size_t)row_bytes);
  size_t off = 0;
  s->off_packed = off, off += tl_align16(packed_bytes);
  s->off_wsum = off, off += tl_align16(wsum_bytes);
  if (s->kind == K_HYB_PT || s->kind == K_HYB_PC) {
    s->off_qin = off, off += tl_align16((size_t)tl_numel(in));
    s->off_qpar = off, off += 2 * tl_align16(sizeof(float) * (size_t)(s->g.b > 0 ? s->g.b : 1));
  }
  s->off_tiles = off;
  if (s->tile_bytes && (size_t)threads > (SIZE_MAX - off) / s->tile_bytes) return tl_kfail(ctx, n, "scratch too large");
  off += (size_t)threads * s->tile_bytes;
  s->off_acc = off;
  if (s->acc_bytes && (size_t)threads > (SIZE_MAX - off) / s->acc_bytes) return tl_kfail(ctx, n, "scratch too large");
  off += (size_t)threads * s->acc_bytes;
  if (off) {
    st = tl_kscratch(ctx, n, off);
    if (st) return st;
  }
  n->state = s;
  if (s->kind == K_F32) n->eval = conv2d_eval_f32;
  else if (s->kind == K_HYB_PT || s->kind == K_HYB_PC) n->eval = conv2d_eval_hybrid;
  else n->eval = conv2d_eval_quant;
  return TL_OK;
}

/* SPDX-License-Identifier: Apache-2.0
 * AVX-512 microkernels: float 8x32 indirect GEMM (16 zmm accumulators, FMA with a broadcast input),
 * a GEMV for batch-1 FULLY_CONNECTED, and the int8 8x32c4 indirect GEMM on VNNI (vpdpbusd) with
 * ruy's requantization vectorized. Compiled for any x86 with target attributes; run only when
 * tl_ukernels_best() saw the CPU flags. */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <string.h>

#include "../../ukernels.h"

#define TGT_F __attribute__((target("avx512f,fma")))
#define TGT_Q __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

static inline TGT_F __mmask16 tail_mask(size_t n) { return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1); }

#define F_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)

TGT_F void tl_f32_igemm_8x32__avx512f(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a,
                                      const float *w, float *c, size_t cm_stride, const tl_f32_minmax *p) {
  const __m512 vlo = _mm512_set1_ps(p->lo), vhi = _mm512_set1_ps(p->hi);
  while (nc > 0) {
    const __m512 b0 = _mm512_loadu_ps(w), b1 = _mm512_loadu_ps(w + 16);
    w += 32;
#define DECL(i) __m512 acc##i##0 = b0, acc##i##1 = b1;
    F_ROWS(DECL)
#undef DECL
    const float *const *ap = a;
    for (size_t t = 0; t < ks; t++, ap += 8) {
      const float *a0 = ap[0], *a1 = ap[1], *a2 = ap[2], *a3 = ap[3], *a4 = ap[4], *a5 = ap[5], *a6 = ap[6],
                  *a7 = ap[7];
      for (size_t k = 0; k < kc; k++) {
        const __m512 w0 = _mm512_loadu_ps(w), w1 = _mm512_loadu_ps(w + 16);
        w += 32;
#define STEP(i)                                        \
  {                                                    \
    const __m512 x = _mm512_set1_ps(a##i[k]);          \
    acc##i##0 = _mm512_fmadd_ps(x, w0, acc##i##0);     \
    acc##i##1 = _mm512_fmadd_ps(x, w1, acc##i##1);     \
  }
        F_ROWS(STEP)
#undef STEP
      }
    }
    const size_t n = nc < 32 ? nc : 32;
    const __mmask16 m0 = tail_mask(n), m1 = tail_mask(n > 16 ? n - 16 : 0);
#define STORE(i)                                                                                   \
  if (i < mr) {                                                                                    \
    float *ci = c + (size_t)(i) * cm_stride;                                                       \
    _mm512_mask_storeu_ps(ci, m0, _mm512_min_ps(vhi, _mm512_max_ps(vlo, acc##i##0)));             \
    _mm512_mask_storeu_ps(ci + 16, m1, _mm512_min_ps(vhi, _mm512_max_ps(vlo, acc##i##1)));        \
  }
    F_ROWS(STORE)
#undef STORE
    c += n;
    nc -= n;
  }
}

/* One row: two accumulator chains per vector (even and odd k) hide the FMA latency. */
TGT_F void tl_f32_igemm_1x32__avx512f(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a,
                                      const float *w, float *c, size_t cm_stride, const tl_f32_minmax *p) {
  (void)mr, (void)cm_stride;
  const __m512 vlo = _mm512_set1_ps(p->lo), vhi = _mm512_set1_ps(p->hi);
  while (nc > 0) {
    __m512 a0 = _mm512_loadu_ps(w), a1 = _mm512_loadu_ps(w + 16);
    __m512 e0 = _mm512_setzero_ps(), e1 = _mm512_setzero_ps();
    w += 32;
    for (size_t t = 0; t < ks; t++) {
      const float *x = a[t];
      size_t k = 0;
      for (; k + 2 <= kc; k += 2, w += 64) {
        const __m512 x0 = _mm512_set1_ps(x[k]), x1 = _mm512_set1_ps(x[k + 1]);
        a0 = _mm512_fmadd_ps(x0, _mm512_loadu_ps(w), a0);
        a1 = _mm512_fmadd_ps(x0, _mm512_loadu_ps(w + 16), a1);
        e0 = _mm512_fmadd_ps(x1, _mm512_loadu_ps(w + 32), e0);
        e1 = _mm512_fmadd_ps(x1, _mm512_loadu_ps(w + 48), e1);
      }
      if (k < kc) {
        const __m512 x0 = _mm512_set1_ps(x[k]);
        a0 = _mm512_fmadd_ps(x0, _mm512_loadu_ps(w), a0);
        a1 = _mm512_fmadd_ps(x0, _mm512_loadu_ps(w + 16), a1);
        w += 32;
      }
    }
    a0 = _mm512_add_ps(a0, e0), a1 = _mm512_add_ps(a1, e1);
    const size_t n = nc < 32 ? nc : 32;
    _mm512_mask_storeu_ps(c, tail_mask(n), _mm512_min_ps(vhi, _mm512_max_ps(vlo, a0)));
    _mm512_mask_storeu_ps(c + 16, tail_mask(n > 16 ? n - 16 : 0), _mm512_min_ps(vhi, _mm512_max_ps(vlo, a1)));
    c += n;
    nc -= n;
  }
}

/* Four weight rows per pass share each load of x; masked loads take the tail of k. */
TGT_F void tl_f32_gemv__avx512f(size_t n, size_t k, const float *x, const float *w, size_t ldw, const float *bias,
                                float *y, const tl_f32_minmax *p) {
  const __mmask16 mt = tail_mask(k % 16);
  const size_t kv = k - k % 16;
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const float *w0 = w + j * ldw, *w1 = w0 + ldw, *w2 = w1 + ldw, *w3 = w2 + ldw;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (size_t i = 0; i < kv; i += 16) {
      const __m512 xv = _mm512_loadu_ps(x + i);
      s0 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w0 + i), s0);
      s1 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w1 + i), s1);
      s2 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w2 + i), s2);
      s3 = _mm512_fmadd_ps(xv, _mm512_loadu_ps(w3 + i), s3);
    }
    if (mt) {
      const __m512 xv = _mm512_maskz_loadu_ps(mt, x + kv);
      s0 = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(mt, w0 + kv), s0);
      s1 = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(mt, w1 + kv), s1);
      s2 = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(mt, w2 + kv), s2);
      s3 = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(mt, w3 + kv), s3);
    }
    const float r[4] = {_mm512_reduce_add_ps(s0), _mm512_reduce_add_ps(s1), _mm512_reduce_add_ps(s2),
                        _mm512_reduce_add_ps(s3)};
    for (int q = 0; q < 4; q++) {
      float v = (bias ? bias[j + q] : 0.f) + r[q];
      v = v < p->lo ? p->lo : v;
      y[j + q] = v > p->hi ? p->hi : v;
    }
  }
  for (; j < n; j++) {
    const float *w0 = w + j * ldw;
    __m512 s0 = _mm512_setzero_ps();
    for (size_t i = 0; i < kv; i += 16) s0 = _mm512_fmadd_ps(_mm512_loadu_ps(x + i), _mm512_loadu_ps(w0 + i), s0);
    if (mt) s0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mt, x + kv), _mm512_maskz_loadu_ps(mt, w0 + kv), s0);
    float v = (bias ? bias[j] : 0.f) + _mm512_reduce_add_ps(s0);
    v = v < p->lo ? p->lo : v;
    y[j] = v > p->hi ? p->hi : v;
  }
}

/* ---- int8 ---- */

/* Four input bytes as one int32, +128 each (x ^ 0x80); `rem` < 4 reads only rem bytes (the packed
 * weights of the missing k are zero). */
static inline uint32_t load4(const int8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v ^ 0x80808080u;
}
static inline uint32_t load_tail(const int8_t *p, size_t rem) {
  /* byte loads (a variable-length memcpy would be a call per row and tap) */
  uint32_t v = (uint8_t)p[0];
  if (rem > 1) v |= (uint32_t)(uint8_t)p[1] << 8;
  if (rem > 2) v |= (uint32_t)(uint8_t)p[2] << 16;
  return v ^ 0x80808080u;
}

/* ruy's fixed-point requantization of 16 accumulators with per-channel constants rq (rows of nr). */
static inline TGT_Q __m512i requant16(__m512i acc, const int32_t *rq, size_t nr) {
  const __m512i mult = _mm512_loadu_si512(rq + TL_S8RQ_MULT * nr);
  const __m512i xs = _mm512_sllv_epi32(acc, _mm512_loadu_si512(rq + TL_S8RQ_LSHIFT * nr));
  const __m512i round = _mm512_set1_epi64(INT64_C(1) << 30);
  /* 32x32 -> 64-bit products of the even and the odd lanes; bits 31..62 of (p + 2^30) are t */
  const __m512i pe = _mm512_add_epi64(_mm512_mul_epi32(xs, mult), round);
  const __m512i po = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(xs, 32), _mm512_srli_epi64(mult, 32)), round);
  const __m512i t = _mm512_mask_blend_epi32((__mmask16)0xAAAA, _mm512_srli_epi64(pe, 31), _mm512_slli_epi64(po, 1));
  const __mmask16 ovf = _mm512_cmpgt_epi32_mask(t, _mm512_loadu_si512(rq + TL_S8RQ_THRESH * nr));
  const __m512i r = _mm512_srav_epi32(_mm512_add_epi32(t, _mm512_loadu_si512(rq + TL_S8RQ_NUDGE * nr)),
                                      _mm512_loadu_si512(rq + TL_S8RQ_RSHIFT * nr));
  return _mm512_mask_blend_epi32(ovf, r, _mm512_loadu_si512(rq + TL_S8RQ_OVF * nr));
}

static inline TGT_Q void store16(int8_t *c, __m512i v, __m512i zp, __m512i lo, __m512i hi, __mmask16 m) {
  v = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(v, zp), lo), hi);
  _mm_mask_storeu_epi8(c, m, _mm512_cvtsepi32_epi8(v));
}

/* One body for the requantizing kernel and the accumulator kernel (c32 != NULL: raw int32 out, p
 * unused); always inlined so each caller gets its own specialized loop. */
static inline __attribute__((always_inline)) TGT_Q void s8_8x32(size_t mr, size_t nc, size_t kc, size_t ks,
                                                                const int8_t *const *a, const void *w, int8_t *c,
                                                                int32_t *c32, size_t cm_stride, const tl_s8_minmax *p) {
  const __m512i vzp = _mm512_set1_epi32(p ? p->out_zp : 0), vlo = _mm512_set1_epi32(p ? p->act_min : 0),
                vhi = _mm512_set1_epi32(p ? p->act_max : 0);
  const size_t kf = kc & ~(size_t)3, rem = kc & 3;
  const uint8_t *wp = w;
  while (nc > 0) {
    const __m512i b0 = _mm512_loadu_si512(wp), b1 = _mm512_loadu_si512(wp + 64);
    const uint8_t *wk = wp + 128;
#define DECL(i) __m512i acc##i##0 = b0, acc##i##1 = b1;
    F_ROWS(DECL)
#undef DECL
    const int8_t *const *ap = a;
    for (size_t t = 0; t < ks; t++, ap += 8) {
      const int8_t *a0 = ap[0], *a1 = ap[1], *a2 = ap[2], *a3 = ap[3], *a4 = ap[4], *a5 = ap[5], *a6 = ap[6],
                   *a7 = ap[7];
      for (size_t k = 0; k < kf; k += 4, wk += 128) {
        const __m512i w0 = _mm512_loadu_si512(wk), w1 = _mm512_loadu_si512(wk + 64);
#define STEP(i)                                                         \
  {                                                                     \
    const __m512i x = _mm512_set1_epi32((int)load4(a##i + k));          \
    acc##i##0 = _mm512_dpbusd_epi32(acc##i##0, x, w0);                  \
    acc##i##1 = _mm512_dpbusd_epi32(acc##i##1, x, w1);                  \
  }
        F_ROWS(STEP)
#undef STEP
      }
      if (rem) {
        const __m512i w0 = _mm512_loadu_si512(wk), w1 = _mm512_loadu_si512(wk + 64);
        wk += 128;
#define STEP(i)                                                         \
  {                                                                     \
    const __m512i x = _mm512_set1_epi32((int)load_tail(a##i + kf, rem)); \
    acc##i##0 = _mm512_dpbusd_epi32(acc##i##0, x, w0);                  \
    acc##i##1 = _mm512_dpbusd_epi32(acc##i##1, x, w1);                  \
  }
        F_ROWS(STEP)
#undef STEP
      }
    }
    const int32_t *rq = (const int32_t *)(const void *)wk;
    const size_t n = nc < 32 ? nc : 32;
    const __mmask16 m0 = tail_mask(n), m1 = tail_mask(n > 16 ? n - 16 : 0);
#define STORE(i)                                                                          \
  if (i < mr) {                                                                           \
    int8_t *ci = c + (size_t)(i) * cm_stride;                                             \
    store16(ci, requant16(acc##i##0, rq, 32), vzp, vlo, vhi, m0);                         \
    if (m1) store16(ci + 16, requant16(acc##i##1, rq + 16, 32), vzp, vlo, vhi, m1);       \
  }
#define STORE32(i)                                                                        \
  if (i < mr) {                                                                           \
    int32_t *ci = c32 + (size_t)(i) * cm_stride;                                          \
    _mm512_mask_storeu_epi32(ci, m0, acc##i##0);                                          \
    if (m1) _mm512_mask_storeu_epi32(ci + 16, m1, acc##i##1);                             \
  }
    if (c32) {
      F_ROWS(STORE32)
      c32 += n;
    } else {
      F_ROWS(STORE)
      c += n;
    }
#undef STORE
#undef STORE32
    wp += tl_s8_igemm_panel_bytes(32, ks, kc);
    nc -= n;
  }
}

TGT_Q void tl_s8_igemm_8x32c4__avx512vnni(size_t mr, size_t nc, size_t kc, size_t ks, const int8_t *const *a,
                                          const void *w, int8_t *c, size_t cm_stride, const tl_s8_minmax *p) {
  s8_8x32(mr, nc, kc, ks, a, w, c, NULL, cm_stride, p);
}

TGT_Q void tl_s8_igemm_acc_8x32c4__avx512vnni(size_t mr, size_t nc, size_t kc, size_t ks, const int8_t *const *a,
                                              const void *w, int32_t *c, size_t cm_stride) {
  s8_8x32(mr, nc, kc, ks, a, w, NULL, c, cm_stride, NULL);
}

/* One row: even and odd groups of four k in separate accumulators (integer sums: exact either way). */
TGT_Q void tl_s8_igemm_1x32c4__avx512vnni(size_t mr, size_t nc, size_t kc, size_t ks, const int8_t *const *a,
                                          const void *w, int8_t *c, size_t cm_stride, const tl_s8_minmax *p) {
  (void)mr, (void)cm_stride;
  const __m512i vzp = _mm512_set1_epi32(p->out_zp), vlo = _mm512_set1_epi32(p->act_min),
                vhi = _mm512_set1_epi32(p->act_max);
  const size_t kf = kc & ~(size_t)3, rem = kc & 3;
  const uint8_t *wp = w;
  while (nc > 0) {
    __m512i a0 = _mm512_loadu_si512(wp), a1 = _mm512_loadu_si512(wp + 64);
    __m512i e0 = _mm512_setzero_si512(), e1 = _mm512_setzero_si512();
    const uint8_t *wk = wp + 128;
    for (size_t t = 0; t < ks; t++) {
      const int8_t *x = a[t];
      size_t k = 0;
      for (; k + 8 <= kf; k += 8, wk += 256) {
        const __m512i x0 = _mm512_set1_epi32((int)load4(x + k)), x1 = _mm512_set1_epi32((int)load4(x + k + 4));
        a0 = _mm512_dpbusd_epi32(a0, x0, _mm512_loadu_si512(wk));
        a1 = _mm512_dpbusd_epi32(a1, x0, _mm512_loadu_si512(wk + 64));
        e0 = _mm512_dpbusd_epi32(e0, x1, _mm512_loadu_si512(wk + 128));
        e1 = _mm512_dpbusd_epi32(e1, x1, _mm512_loadu_si512(wk + 192));
      }
      for (; k < kf; k += 4, wk += 128) {
        const __m512i x0 = _mm512_set1_epi32((int)load4(x + k));
        a0 = _mm512_dpbusd_epi32(a0, x0, _mm512_loadu_si512(wk));
        a1 = _mm512_dpbusd_epi32(a1, x0, _mm512_loadu_si512(wk + 64));
      }
      if (rem) {
        const __m512i x0 = _mm512_set1_epi32((int)load_tail(x + kf, rem));
        a0 = _mm512_dpbusd_epi32(a0, x0, _mm512_loadu_si512(wk));
        a1 = _mm512_dpbusd_epi32(a1, x0, _mm512_loadu_si512(wk + 64));
        wk += 128;
      }
    }
    a0 = _mm512_add_epi32(a0, e0), a1 = _mm512_add_epi32(a1, e1);
    const int32_t *rq = (const int32_t *)(const void *)wk;
    const size_t n = nc < 32 ? nc : 32;
    store16(c, requant16(a0, rq, 32), vzp, vlo, vhi, tail_mask(n));
    if (n > 16) store16(c + 16, requant16(a1, rq + 16, 32), vzp, vlo, vhi, tail_mask(n - 16));
    wp += tl_s8_igemm_panel_bytes(32, ks, kc);
    c += n;
    nc -= n;
  }
}
#endif

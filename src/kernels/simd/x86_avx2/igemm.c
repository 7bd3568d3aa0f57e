/* SPDX-License-Identifier: Apache-2.0
 * AVX2 + FMA microkernels: float 6x16 indirect GEMM (12 ymm accumulators), GEMV, and the int8 4x16c4
 * indirect GEMM with _mm256_madd_epi16 on zero-extended (x + 128) bytes and sign-extended weights
 * (exact int32 sums), with ruy's requantization vectorized. Run only when the CPU has AVX2 and FMA. */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <string.h>

#include "../../ukernels.h"

#define TGT __attribute__((target("avx2,fma")))

/* Lane masks for partial stores: mask_tab + 8 - n has n leading -1s. */
static const int32_t mask_tab[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

static inline TGT void store8(float *c, __m256 v, size_t n) {
  if (n >= 8) _mm256_storeu_ps(c, v);
  else if (n) _mm256_maskstore_ps(c, _mm256_loadu_si256((const __m256i *)(const void *)(mask_tab + 8 - n)), v);
}

#define ROWS6(X) X(0) X(1) X(2) X(3) X(4) X(5)

TGT void tl_f32_igemm_6x16__avx2(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w,
                                 float *c, size_t cm_stride, const tl_f32_minmax *p) {
  const __m256 vlo = _mm256_set1_ps(p->lo), vhi = _mm256_set1_ps(p->hi);
  while (nc > 0) {
    const __m256 b0 = _mm256_loadu_ps(w), b1 = _mm256_loadu_ps(w + 8);
    w += 16;
#define DECL(i) __m256 acc##i##0 = b0, acc##i##1 = b1;
    ROWS6(DECL)
#undef DECL
    const float *const *ap = a;
    for (size_t t = 0; t < ks; t++, ap += 6) {
      const float *a0 = ap[0], *a1 = ap[1], *a2 = ap[2], *a3 = ap[3], *a4 = ap[4], *a5 = ap[5];
      for (size_t k = 0; k < kc; k++) {
        const __m256 w0 = _mm256_loadu_ps(w), w1 = _mm256_loadu_ps(w + 8);
        w += 16;
#define STEP(i)                                    \
  {                                                \
    const __m256 x = _mm256_broadcast_ss(a##i + k); \
    acc##i##0 = _mm256_fmadd_ps(x, w0, acc##i##0); \
    acc##i##1 = _mm256_fmadd_ps(x, w1, acc##i##1); \
  }
        ROWS6(STEP)
#undef STEP
      }
    }
    const size_t n = nc < 16 ? nc : 16;
#define STORE(i)                                                                          \
  if (i < mr) {                                                                           \
    float *ci = c + (size_t)(i) * cm_stride;                                              \
    store8(ci, _mm256_min_ps(vhi, _mm256_max_ps(vlo, acc##i##0)), n);                     \
    store8(ci + 8, _mm256_min_ps(vhi, _mm256_max_ps(vlo, acc##i##1)), n > 8 ? n - 8 : 0); \
  }
    ROWS6(STORE)
#undef STORE
    c += n;
    nc -= n;
  }
}

TGT void tl_f32_igemm_1x16__avx2(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w,
                                 float *c, size_t cm_stride, const tl_f32_minmax *p) {
  (void)mr, (void)cm_stride;
  const __m256 vlo = _mm256_set1_ps(p->lo), vhi = _mm256_set1_ps(p->hi);
  while (nc > 0) {
    __m256 a0 = _mm256_loadu_ps(w), a1 = _mm256_loadu_ps(w + 8);
    __m256 e0 = _mm256_setzero_ps(), e1 = _mm256_setzero_ps();
    w += 16;
    for (size_t t = 0; t < ks; t++) {
      const float *x = a[t];
      size_t k = 0;
      for (; k + 2 <= kc; k += 2, w += 32) {
        const __m256 x0 = _mm256_broadcast_ss(x + k), x1 = _mm256_broadcast_ss(x + k + 1);
        a0 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(w), a0);
        a1 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(w + 8), a1);
        e0 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(w + 16), e0);
        e1 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(w + 24), e1);
      }
      if (k < kc) {
        const __m256 x0 = _mm256_broadcast_ss(x + k);
        a0 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(w), a0);
        a1 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(w + 8), a1);
        w += 16;
      }
    }
    a0 = _mm256_add_ps(a0, e0), a1 = _mm256_add_ps(a1, e1);
    const size_t n = nc < 16 ? nc : 16;
    store8(c, _mm256_min_ps(vhi, _mm256_max_ps(vlo, a0)), n);
    store8(c + 8, _mm256_min_ps(vhi, _mm256_max_ps(vlo, a1)), n > 8 ? n - 8 : 0);
    c += n;
    nc -= n;
  }
}

static inline TGT float hsum8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

TGT void tl_f32_gemv__avx2(size_t n, size_t k, const float *x, const float *w, size_t ldw, const float *bias,
                           float *y, const tl_f32_minmax *p) {
  const size_t kv = k - k % 8;
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const float *w0 = w + j * ldw, *w1 = w0 + ldw, *w2 = w1 + ldw, *w3 = w2 + ldw;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (size_t i = 0; i < kv; i += 8) {
      const __m256 xv = _mm256_loadu_ps(x + i);
      s0 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w0 + i), s0);
      s1 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w1 + i), s1);
      s2 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w2 + i), s2);
      s3 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(w3 + i), s3);
    }
    float r[4] = {hsum8(s0), hsum8(s1), hsum8(s2), hsum8(s3)};
    for (size_t i = kv; i < k; i++) {
      r[0] += x[i] * w0[i], r[1] += x[i] * w1[i];
      r[2] += x[i] * w2[i], r[3] += x[i] * w3[i];
    }
    for (int q = 0; q < 4; q++) {
      float v = (bias ? bias[j + q] : 0.f) + r[q];
      v = v < p->lo ? p->lo : v;
      y[j + q] = v > p->hi ? p->hi : v;
    }
  }
  for (; j < n; j++) {
    const float *w0 = w + j * ldw;
    __m256 s0 = _mm256_setzero_ps();
    for (size_t i = 0; i < kv; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(w0 + i), s0);
    float r = hsum8(s0);
    for (size_t i = kv; i < k; i++) r += x[i] * w0[i];
    float v = (bias ? bias[j] : 0.f) + r;
    v = v < p->lo ? p->lo : v;
    y[j] = v > p->hi ? p->hi : v;
  }
}

/* ---- int8 ---- */

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

/* acc += sum over the 4 bytes of each lane of x (unsigned) * w (signed): the even bytes (k0, k2) and the
 * odd bytes (k1, k3) widened to 16 bits and multiplied pairwise by madd (|sum| < 2^17: exact). */
#define MADD4(acc, xe, xo, we, wo) \
  acc = _mm256_add_epi32(acc, _mm256_add_epi32(_mm256_madd_epi16(xe, we), _mm256_madd_epi16(xo, wo)))

static inline TGT __m256i requant8(__m256i acc, const int32_t *rq, size_t nr) {
  const __m256i mult = _mm256_loadu_si256((const __m256i *)(const void *)(rq + TL_S8RQ_MULT * nr));
  const __m256i xs = _mm256_sllv_epi32(acc, _mm256_loadu_si256((const __m256i *)(const void *)(rq + TL_S8RQ_LSHIFT * nr)));
  const __m256i round = _mm256_set1_epi64x(INT64_C(1) << 30);
  const __m256i pe = _mm256_add_epi64(_mm256_mul_epi32(xs, mult), round);
  const __m256i po = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(xs, 32), _mm256_srli_epi64(mult, 32)), round);
  const __m256i t = _mm256_blend_epi32(_mm256_srli_epi64(pe, 31), _mm256_slli_epi64(po, 1), 0xAA);
  const __m256i ovf = _mm256_cmpgt_epi32(t, _mm256_loadu_si256((const __m256i *)(const void *)(rq + TL_S8RQ_THRESH * nr)));
  const __m256i r = _mm256_srav_epi32(
      _mm256_add_epi32(t, _mm256_loadu_si256((const __m256i *)(const void *)(rq + TL_S8RQ_NUDGE * nr))),
      _mm256_loadu_si256((const __m256i *)(const void *)(rq + TL_S8RQ_RSHIFT * nr)));
  return _mm256_blendv_epi8(r, _mm256_loadu_si256((const __m256i *)(const void *)(rq + TL_S8RQ_OVF * nr)), ovf);
}

static inline TGT void store8q(int8_t *c, __m256i v, __m256i zp, __m256i lo, __m256i hi, size_t n) {
  v = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(v, zp), lo), hi);
  const __m256i w16 = _mm256_packs_epi32(v, v);      /* per 128-bit half: v0..3 v0..3 | v4..7 v4..7 */
  const __m256i w8 = _mm256_packs_epi16(w16, w16);   /* bytes: v0..3 x4 | v4..7 x4 */
  const __m128i b = _mm_unpacklo_epi32(_mm256_castsi256_si128(w8), _mm256_extracti128_si256(w8, 1));
  if (n >= 8) {
    _mm_storel_epi64((__m128i *)(void *)c, b);
  } else {
    int8_t tmp[16];
    _mm_storeu_si128((__m128i *)(void *)tmp, b);
    memcpy(c, tmp, n);
  }
}

#define ROWS4(X) X(0) X(1) X(2) X(3)

/* n (<= 8 used) int32 lanes to c. */
static inline TGT void store8i(int32_t *c, __m256i v, size_t n) {
  if (n >= 8) _mm256_storeu_si256((__m256i *)(void *)c, v);
  else _mm256_maskstore_epi32((int *)(void *)c, _mm256_loadu_si256((const __m256i *)(const void *)(mask_tab + 8 - n)), v);
}

/* One body for the requantizing kernel and the accumulator kernel (c32 != NULL: raw int32 out, p
 * unused); always inlined so each caller gets its own specialized loop. */
static inline __attribute__((always_inline)) TGT void s8_4x16(size_t mr, size_t nc, size_t kc, size_t ks,
                                                              const int8_t *const *a, const void *w, int8_t *c,
                                                              int32_t *c32, size_t cm_stride, const tl_s8_minmax *p) {
  const __m256i vzp = _mm256_set1_epi32(p ? p->out_zp : 0), vlo = _mm256_set1_epi32(p ? p->act_min : 0),
                vhi = _mm256_set1_epi32(p ? p->act_max : 0), lo8 = _mm256_set1_epi16(0x00FF);
  const size_t kf = kc & ~(size_t)3, rem = kc & 3;
  const uint8_t *wp = w;
  while (nc > 0) {
    const __m256i b0 = _mm256_loadu_si256((const __m256i *)(const void *)wp),
                  b1 = _mm256_loadu_si256((const __m256i *)(const void *)(wp + 32));
    const uint8_t *wk = wp + 64;
#define DECL(i) __m256i acc##i##0 = b0, acc##i##1 = b1;
    ROWS4(DECL)
#undef DECL
    const int8_t *const *ap = a;
    for (size_t t = 0; t < ks; t++, ap += 4) {
      const int8_t *a0 = ap[0], *a1 = ap[1], *a2 = ap[2], *a3 = ap[3];
      for (size_t k = 0; k < kc; k += 4, wk += 64) {
        const __m256i w0 = _mm256_loadu_si256((const __m256i *)(const void *)wk),
                      w1 = _mm256_loadu_si256((const __m256i *)(const void *)(wk + 32));
        const __m256i we0 = _mm256_srai_epi16(_mm256_slli_epi16(w0, 8), 8), wo0 = _mm256_srai_epi16(w0, 8);
        const __m256i we1 = _mm256_srai_epi16(_mm256_slli_epi16(w1, 8), 8), wo1 = _mm256_srai_epi16(w1, 8);
        const int full = k < kf;
#define STEP(i)                                                                                   \
  {                                                                                               \
    const __m256i x = _mm256_set1_epi32((int)(full ? load4(a##i + k) : load_tail(a##i + k, rem))); \
    const __m256i xe = _mm256_and_si256(x, lo8), xo = _mm256_srli_epi16(x, 8);                    \
    MADD4(acc##i##0, xe, xo, we0, wo0);                                                           \
    MADD4(acc##i##1, xe, xo, we1, wo1);                                                           \
  }
        ROWS4(STEP)
#undef STEP
      }
    }
    const int32_t *rq = (const int32_t *)(const void *)wk;
    const size_t n = nc < 16 ? nc : 16;
#define STORE(i)                                                                                \
  if (i < mr) {                                                                                 \
    int8_t *ci = c + (size_t)(i) * cm_stride;                                                   \
    store8q(ci, requant8(acc##i##0, rq, 16), vzp, vlo, vhi, n);                                 \
    if (n > 8) store8q(ci + 8, requant8(acc##i##1, rq + 8, 16), vzp, vlo, vhi, n - 8);          \
  }
#define STORE32(i)                                                                              \
  if (i < mr) {                                                                                 \
    int32_t *ci = c32 + (size_t)(i) * cm_stride;                                                \
    store8i(ci, acc##i##0, n);                                                                  \
    if (n > 8) store8i(ci + 8, acc##i##1, n - 8);                                               \
  }
    if (c32) {
      ROWS4(STORE32)
      c32 += n;
    } else {
      ROWS4(STORE)
      c += n;
    }
#undef STORE
#undef STORE32
    wp += tl_s8_igemm_panel_bytes(16, ks, kc);
    nc -= n;
  }
}

TGT void tl_s8_igemm_4x16c4__avx2(size_t mr, size_t nc, size_t kc, size_t ks, const int8_t *const *a, const void *w,
                                  int8_t *c, size_t cm_stride, const tl_s8_minmax *p) {
  s8_4x16(mr, nc, kc, ks, a, w, c, NULL, cm_stride, p);
}

TGT void tl_s8_igemm_acc_4x16c4__avx2(size_t mr, size_t nc, size_t kc, size_t ks, const int8_t *const *a,
                                      const void *w, int32_t *c, size_t cm_stride) {
  s8_4x16(mr, nc, kc, ks, a, w, NULL, c, cm_stride, NULL);
}

TGT void tl_s8_igemm_1x16c4__avx2(size_t mr, size_t nc, size_t kc, size_t ks, const int8_t *const *a, const void *w,
                                  int8_t *c, size_t cm_stride, const tl_s8_minmax *p) {
  (void)mr, (void)cm_stride;
  const __m256i vzp = _mm256_set1_epi32(p->out_zp), vlo = _mm256_set1_epi32(p->act_min),
                vhi = _mm256_set1_epi32(p->act_max), lo8 = _mm256_set1_epi16(0x00FF);
  const size_t kf = kc & ~(size_t)3, rem = kc & 3;
  const uint8_t *wp = w;
  while (nc > 0) {
    __m256i a0 = _mm256_loadu_si256((const __m256i *)(const void *)wp),
            a1 = _mm256_loadu_si256((const __m256i *)(const void *)(wp + 32));
    const uint8_t *wk = wp + 64;
    for (size_t t = 0; t < ks; t++) {
      const int8_t *x0p = a[t];
      for (size_t k = 0; k < kc; k += 4, wk += 64) {
        const __m256i w0 = _mm256_loadu_si256((const __m256i *)(const void *)wk),
                      w1 = _mm256_loadu_si256((const __m256i *)(const void *)(wk + 32));
        const __m256i x = _mm256_set1_epi32((int)(k < kf ? load4(x0p + k) : load_tail(x0p + k, rem)));
        const __m256i xe = _mm256_and_si256(x, lo8), xo = _mm256_srli_epi16(x, 8);
        MADD4(a0, xe, xo, _mm256_srai_epi16(_mm256_slli_epi16(w0, 8), 8), _mm256_srai_epi16(w0, 8));
        MADD4(a1, xe, xo, _mm256_srai_epi16(_mm256_slli_epi16(w1, 8), 8), _mm256_srai_epi16(w1, 8));
      }
    }
    const int32_t *rq = (const int32_t *)(const void *)wk;
    const size_t n = nc < 16 ? nc : 16;
    store8q(c, requant8(a0, rq, 16), vzp, vlo, vhi, n);
    if (n > 8) store8q(c + 8, requant8(a1, rq + 8, 16), vzp, vlo, vhi, n - 8);
    wp += tl_s8_igemm_panel_bytes(16, ks, kc);
    c += n;
    nc -= n;
  }
}
#endif

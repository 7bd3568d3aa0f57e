/* SPDX-License-Identifier: Apache-2.0
 * Every SIMD microkernel this CPU runs against its scalar twin (same tile, same packing), XNNPACK
 * style: columns n = NR, < NR, > NR and n % NR != 0, every row count up to MR, one and several taps,
 * channel counts around the vector and group widths, padding rows. Float within rounding (FMA vs
 * mul+add); int8 bit-identical, and both checked against a plain loop with TFLite's arithmetic. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/ops/conv_util.h"
#include "kernels/ukernels.h"
#include "test.h"

static uint32_t rng = 2463534242u;
static uint32_t rnd(void) {
  rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5;
  return rng;
}
static float rndf(void) { return (float)(rnd() % 20001) / 10000.f - 1.f; }

typedef struct {
  const char *name;
  tl_f32_igemm_fn simd, twin;
  int mr, nr;
} f32_case;
typedef struct {
  const char *name;
  tl_s8_igemm_fn simd, twin;
  int mr, nr;
} s8_case;

/* The SIMD kernels this build has, each with its scalar twin. */
static int f32_cases(f32_case *c) {
  int n = 0;
  c[n++] = (f32_case){"f32_igemm_4x8__scalar", tl_f32_igemm_4x8__scalar, tl_f32_igemm_4x8__scalar, 4, 8};
#if defined(__x86_64__) || defined(__i386__)
  if (tl_ukernels_by_name("avx512")) {
    c[n++] = (f32_case){"f32_igemm_8x32__avx512f", tl_f32_igemm_8x32__avx512f, tl_f32_igemm_8x32__scalar, 8, 32};
    c[n++] = (f32_case){"f32_igemm_1x32__avx512f", tl_f32_igemm_1x32__avx512f, tl_f32_igemm_1x32__scalar, 1, 32};
  }
  if (tl_ukernels_by_name("avx2")) {
    c[n++] = (f32_case){"f32_igemm_6x16__avx2", tl_f32_igemm_6x16__avx2, tl_f32_igemm_6x16__scalar, 6, 16};
    c[n++] = (f32_case){"f32_igemm_1x16__avx2", tl_f32_igemm_1x16__avx2, tl_f32_igemm_1x16__scalar, 1, 16};
  }
#endif
#if defined(__aarch64__) && defined(__ARM_NEON)
  c[n++] = (f32_case){"f32_igemm_6x16__neon", tl_f32_igemm_6x16__neon, tl_f32_igemm_6x16__scalar, 6, 16};
  c[n++] = (f32_case){"f32_igemm_1x16__neon", tl_f32_igemm_1x16__neon, tl_f32_igemm_1x16__scalar, 1, 16};
#endif
#if defined(__wasm_simd128__)
  c[n++] = (f32_case){"f32_igemm_4x8__wasmsimd", tl_f32_igemm_4x8__wasmsimd, tl_f32_igemm_4x8__scalar, 4, 8};
  c[n++] = (f32_case){"f32_igemm_1x8__wasmsimd", tl_f32_igemm_1x8__wasmsimd, tl_f32_igemm_1x8__scalar, 1, 8};
#endif
  return n;
}

static int s8_cases(s8_case *c) {
  int n = 0;
  c[n++] = (s8_case){"s8_igemm_4x8c4__scalar", tl_s8_igemm_4x8c4__scalar, tl_s8_igemm_4x8c4__scalar, 4, 8};
  c[n++] = (s8_case){"s8_igemm_1x8c4__scalar", tl_s8_igemm_1x8c4__scalar, tl_s8_igemm_1x8c4__scalar, 1, 8};
#if defined(__x86_64__) || defined(__i386__)
  if (tl_ukernels_by_name("avx512")) {
    c[n++] = (s8_case){"s8_igemm_8x32c4__avx512vnni", tl_s8_igemm_8x32c4__avx512vnni, tl_s8_igemm_8x32c4__scalar, 8, 32};
    c[n++] = (s8_case){"s8_igemm_1x32c4__avx512vnni", tl_s8_igemm_1x32c4__avx512vnni, tl_s8_igemm_1x32c4__scalar, 1, 32};
  }
  if (tl_ukernels_by_name("avx2")) {
    c[n++] = (s8_case){"s8_igemm_4x16c4__avx2", tl_s8_igemm_4x16c4__avx2, tl_s8_igemm_4x16c4__scalar, 4, 16};
    c[n++] = (s8_case){"s8_igemm_1x16c4__avx2", tl_s8_igemm_1x16c4__avx2, tl_s8_igemm_1x16c4__scalar, 1, 16};
  }
#endif
  /* CTest builds natively; the wasm cases run from a manual build (NODE_PATH=/usr/share/nodejs for
   * Debian's emcc): emcc -std=c11 -O2 -msimd128 -Iinclude -Isrc -Itests tests/kernels/test_ukernels.c
   * tests/test_main.c src/kernels/{ukernels,quant_math,gemm}.c src/kernels/simd/scalar/maxpool.c
   * src/kernels/simd/{scalar,wasm_simd128}/igemm.c -sALLOW_MEMORY_GROWTH -sSINGLE_FILE -o t.js && node t.js */
#if defined(__wasm_simd128__)
  c[n++] = (s8_case){"s8_igemm_4x8c4__wasmsimd", tl_s8_igemm_4x8c4__wasmsimd, tl_s8_igemm_4x8c4__scalar, 4, 8};
  c[n++] = (s8_case){"s8_igemm_1x8c4__wasmsimd", tl_s8_igemm_1x8c4__wasmsimd, tl_s8_igemm_1x8c4__scalar, 1, 8};
#endif
  return n;
}

/* Row pointers for ks taps of MR rows (stride MR; the one-row kernels read stride 1 = MR 1): each
 * into its own exactly-sized heap block (so ASan catches an over-read), some at the padding row. */
typedef struct {
  void *blocks[64 * 8];
  const void *ptr[64 * 8];
  int n;
} rows_t;

static void make_rows(rows_t *r, int ks, int MR, int mr, size_t kc, size_t es, const void *pad, int f32) {
  r->n = ks * MR;
  for (int t = 0; t < ks; t++)
    for (int i = 0; i < MR; i++) {
      const int k = t * MR + i;
      r->blocks[k] = NULL;
      if (i >= mr) { /* the caller's contract: rows past mr repeat a real row */
        r->ptr[k] = r->ptr[t * MR + mr - 1];
        continue;
      }
      if (rnd() % 7 == 0) {
        r->ptr[k] = pad;
        continue;
      }
      r->blocks[k] = malloc(kc * es > 0 ? kc * es : 1);
      for (size_t j = 0; j < kc; j++) {
        if (f32) ((float *)r->blocks[k])[j] = rndf();
        else ((int8_t *)r->blocks[k])[j] = (int8_t)(rnd() & 0xFF);
      }
      r->ptr[k] = r->blocks[k];
    }
}

static void free_rows(rows_t *r) {
  for (int k = 0; k < r->n; k++) free(r->blocks[k]);
}

static const size_t kNc[] = {1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 70, 128, 130};
static const size_t kKc[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64};
static const size_t kKs[] = {1, 2, 9};

TEST(f32_igemm_simd_matches_scalar_twin) {
  f32_case cs[16];
  const int ncase = f32_cases(cs);
  for (int ci = 0; ci < ncase; ci++) {
    const f32_case *c = &cs[ci];
    int bad = 0;
    for (size_t a = 0; a < sizeof kNc / sizeof *kNc && !bad; a++)
      for (size_t b = 0; b < sizeof kKc / sizeof *kKc && !bad; b++)
        for (size_t d = 0; d < sizeof kKs / sizeof *kKs && !bad; d++)
          for (int mr = 1; mr <= c->mr && !bad; mr++) {
            const size_t nc = kNc[a], kc = kKc[b], ks = kKs[d];
            float *w = malloc(sizeof(float) * nc * ks * kc), *bias = malloc(sizeof(float) * nc);
            for (size_t i = 0; i < nc * ks * kc; i++) w[i] = rndf();
            for (size_t i = 0; i < nc; i++) bias[i] = rndf();
            float *pk = malloc(sizeof(float) * tl_f32_igemm_packed_size((size_t)c->nr, nc, ks, kc));
            tl_f32_igemm_pack((size_t)c->nr, nc, ks, kc, w, ks * kc, bias, pk);
            float *pad = calloc(kc, sizeof(float));
            rows_t r;
            make_rows(&r, (int)ks, c->mr, mr, kc, 4, pad, 1);
            const size_t ldc = nc + 3;
            float *o1 = malloc(sizeof(float) * ldc * (size_t)c->mr), *o2 = malloc(sizeof(float) * ldc * (size_t)c->mr);
            for (size_t i = 0; i < ldc * (size_t)c->mr; i++) o1[i] = o2[i] = 1234.f; /* sentinels */
            const tl_f32_minmax mm = {(rnd() & 1) ? -0.5f : -INFINITY, (rnd() & 1) ? 0.75f : INFINITY};
            c->simd((size_t)mr, nc, kc, ks, (const float *const *)r.ptr, pk, o1, ldc, &mm);
            c->twin((size_t)mr, nc, kc, ks, (const float *const *)r.ptr, pk, o2, ldc, &mm);
            for (int i = 0; i < c->mr && !bad; i++)
              for (size_t j = 0; j < ldc && !bad; j++) {
                const float x = o1[(size_t)i * ldc + j], y = o2[(size_t)i * ldc + j];
                /* a plain double-precision reference for the stored elements */
                double ref = 1234.0, mag = 0.0; /* mag: sum of |terms|, the scale of rounding errors */
                if (i < mr && j < nc) {
                  ref = bias[j], mag = fabs(ref);
                  for (size_t t = 0; t < ks; t++) {
                    const float *row = r.ptr[t * (size_t)c->mr + (size_t)i];
                    for (size_t k = 0; k < kc; k++) {
                      const double term = (double)row[k] * w[j * ks * kc + t * kc + k];
                      ref += term, mag += fabs(term);
                    }
                  }
                  ref = ref < mm.lo ? mm.lo : ref > mm.hi ? mm.hi : ref;
                }
                const double tol = 1e-6 + 2e-6 * mag;
                if (fabsf(x - y) > tol || fabs(x - ref) > tol) {
                  printf("  %s mr=%d nc=%zu kc=%zu ks=%zu: c[%d][%zu] simd %.9g twin %.9g ref %.9g\n", c->name, mr, nc,
                         kc, ks, i, j, x, y, ref);
                  bad = 1;
                }
              }
            free_rows(&r);
            free(w), free(bias), free(pk), free(pad), free(o1), free(o2);
          }
    EXPECT(!bad);
    printf("  %s: checked\n", c->name);
  }
}

TEST(f32_gemv_simd_matches_scalar) {
  const tl_ukernels *tabs[3] = {tl_ukernels_by_name("avx512"), tl_ukernels_by_name("avx2"), tl_ukernels_best()};
  for (int ti = 0; ti < 3; ti++) {
    if (!tabs[ti]) continue;
    int bad = 0;
    for (size_t n = 1; n <= 11 && !bad; n++)
      for (size_t kk = 0; kk < sizeof kKc / sizeof *kKc && !bad; kk++) {
        const size_t k = kKc[kk] * 3 + (kk & 1), ldw = k + (n & 1);
        float *x = malloc(sizeof(float) * k), *w = malloc(sizeof(float) * ldw * n), *bias = malloc(sizeof(float) * n);
        for (size_t i = 0; i < k; i++) x[i] = rndf();
        for (size_t i = 0; i < ldw * n; i++) w[i] = rndf();
        for (size_t i = 0; i < n; i++) bias[i] = rndf();
        float y1[12], y2[12];
        const tl_f32_minmax mm = {-1.5f, 1.5f};
        tabs[ti]->f32_gemv(n, k, x, w, ldw, (n & 2) ? NULL : bias, y1, &mm);
        tl_f32_gemv__scalar(n, k, x, w, ldw, (n & 2) ? NULL : bias, y2, &mm);
        for (size_t j = 0; j < n; j++)
          if (fabsf(y1[j] - y2[j]) > 1e-5f + 1e-5f * fabsf(y2[j])) {
            printf("  gemv %s n=%zu k=%zu: y[%zu] %.9g vs %.9g\n", tabs[ti]->isa, n, k, j, y1[j], y2[j]);
            bad = 1;
          }
        free(x), free(w), free(bias);
      }
    EXPECT(!bad);
  }
}

TEST(s8_igemm_simd_matches_scalar_twin_bit_exactly) {
  s8_case cs[16];
  const int ncase = s8_cases(cs);
  for (int ci = 0; ci < ncase; ci++) {
    const s8_case *c = &cs[ci];
    int bad = 0;
    for (size_t a = 0; a < sizeof kNc / sizeof *kNc && !bad; a++)
      for (size_t b = 0; b < sizeof kKc / sizeof *kKc && !bad; b++)
        for (size_t d = 0; d < sizeof kKs / sizeof *kKs && !bad; d++)
          for (int mr = 1; mr <= c->mr && !bad; mr++) {
            const size_t nc = kNc[a], kc = kKc[b], ks = kKs[d];
            int8_t *w = malloc(nc * ks * kc);
            int32_t *bias = malloc(sizeof(int32_t) * nc), *mult = malloc(sizeof(int32_t) * nc);
            int *shift = malloc(sizeof(int) * nc);
            for (size_t i = 0; i < nc * ks * kc; i++) w[i] = (int8_t)(rnd() & 0xFF);
            const int extreme = (a + b + (size_t)mr) % 3 == 0; /* wide biases and shifts: the overflow paths */
            for (size_t i = 0; i < nc; i++) {
              bias[i] = extreme ? (int32_t)rnd() : (int32_t)(rnd() % 20001) - 10000;
              mult[i] = (int32_t)((1u << 30) + rnd() % (1u << 30));
              shift[i] = extreme ? (int)(rnd() % 40) - 31 : -(int)(rnd() % 12) - 1;
            }
            const int per_channel = (int)(rnd() & 1);
            const int32_t in_zp = (int32_t)(rnd() % 256) - 128;
            void *pk = malloc(tl_s8_igemm_packed_size((size_t)c->nr, nc, ks, kc));
            tl_s8_igemm_pack((size_t)c->nr, nc, ks, kc, w, ks * kc, bias, in_zp, mult, shift, per_channel, pk);
            int8_t *pad = malloc(kc);
            memset(pad, (int)(int8_t)in_zp, kc);
            rows_t r;
            make_rows(&r, (int)ks, c->mr, mr, kc, 1, pad, 0);
            const size_t ldc = nc + 5;
            int8_t *o1 = malloc(ldc * (size_t)c->mr), *o2 = malloc(ldc * (size_t)c->mr);
            memset(o1, 0x5A, ldc * (size_t)c->mr), memset(o2, 0x5A, ldc * (size_t)c->mr);
            const int32_t out_zp = (int32_t)(rnd() % 256) - 128;
            const tl_s8_minmax mm = {out_zp, (rnd() & 1) ? -128 : -100, (rnd() & 1) ? 127 : 90};
            c->simd((size_t)mr, nc, kc, ks, (const int8_t *const *)r.ptr, pk, o1, ldc, &mm);
            c->twin((size_t)mr, nc, kc, ks, (const int8_t *const *)r.ptr, pk, o2, ldc, &mm);
            for (int i = 0; i < c->mr && !bad; i++)
              for (size_t j = 0; j < ldc && !bad; j++) {
                int32_t ref = 0x5A;
                if (i < mr && j < nc) { /* TFLite's int8 conv: sum (x - in_zp) * w + bias, ruy requant */
                  uint32_t acc = (uint32_t)bias[j];
                  for (size_t t = 0; t < ks; t++) {
                    const int8_t *row = r.ptr[t * (size_t)c->mr + (size_t)i];
                    for (size_t k = 0; k < kc; k++)
                      acc += (uint32_t)(((int32_t)row[k] - in_zp) * (int32_t)w[j * ks * kc + t * kc + k]);
                  }
                  const size_t ch = per_channel ? j : 0;
                  ref = tl_mbqm_ruy((int32_t)acc, mult[ch], shift[ch]) + out_zp;
                  ref = ref < mm.act_min ? mm.act_min : ref > mm.act_max ? mm.act_max : ref;
                  ref = (int8_t)ref;
                }
                const int8_t x = o1[(size_t)i * ldc + j], y = o2[(size_t)i * ldc + j];
                if (x != y || y != (int8_t)ref) {
                  printf("  %s mr=%d nc=%zu kc=%zu ks=%zu: c[%d][%zu] simd %d twin %d ref %d\n", c->name, mr, nc, kc, ks,
                         i, j, x, y, (int)ref);
                  bad = 1;
                }
              }
            free_rows(&r);
            free(w), free(bias), free(mult), free(shift), free(pk), free(pad), free(o1), free(o2);
          }
    EXPECT(!bad);
    printf("  %s: checked\n", c->name);
  }
}

/* The accumulator kernels (hybrid float x int8 ops): packed with in_zp 0 and no bias, their int32
 * outputs must be exactly sum(x * w) mod 2^32 (TFLite's hybrid accumulators), SIMD and twin alike. */
TEST(s8_igemm_acc_is_the_exact_int32_dot) {
  typedef struct {
    const char *name;
    tl_s8_igemm_acc_fn simd, twin;
    int mr, nr;
  } acc_case;
  acc_case cs[8];
  int ncase = 0;
  cs[ncase++] = (acc_case){"s8_igemm_acc_4x8c4__scalar", tl_s8_igemm_acc_4x8c4__scalar, tl_s8_igemm_acc_4x8c4__scalar, 4, 8};
#if defined(__x86_64__) || defined(__i386__)
  if (tl_ukernels_by_name("avx512"))
    cs[ncase++] = (acc_case){"s8_igemm_acc_8x32c4__avx512vnni", tl_s8_igemm_acc_8x32c4__avx512vnni,
                             tl_s8_igemm_acc_8x32c4__scalar, 8, 32};
  if (tl_ukernels_by_name("avx2"))
    cs[ncase++] = (acc_case){"s8_igemm_acc_4x16c4__avx2", tl_s8_igemm_acc_4x16c4__avx2, tl_s8_igemm_acc_4x16c4__scalar,
                             4, 16};
#endif
#if defined(__wasm_simd128__)
  cs[ncase++] = (acc_case){"s8_igemm_acc_4x8c4__wasmsimd", tl_s8_igemm_acc_4x8c4__wasmsimd, tl_s8_igemm_acc_4x8c4__scalar,
                           4, 8};
#endif
  const int32_t one_mult = 1 << 30;
  const int zero_shift = 0;
  for (int ci = 0; ci < ncase; ci++) {
    const acc_case *c = &cs[ci];
    int bad = 0;
    for (size_t a = 0; a < sizeof kNc / sizeof *kNc && !bad; a++)
      for (size_t b = 0; b < sizeof kKc / sizeof *kKc && !bad; b++)
        for (size_t d = 0; d < sizeof kKs / sizeof *kKs && !bad; d++)
          for (int mr = 1; mr <= c->mr && !bad; mr++) {
            const size_t nc = kNc[a], kc = kKc[b], ks = kKs[d];
            int8_t *w = malloc(nc * ks * kc);
            /* some all -128 / +127 weights: the extreme products */
            for (size_t i = 0; i < nc * ks * kc; i++) w[i] = (a + b) % 5 == 0 ? (int8_t)-128 : (int8_t)(rnd() & 0xFF);
            void *pk = malloc(tl_s8_igemm_packed_size((size_t)c->nr, nc, ks, kc));
            tl_s8_igemm_pack((size_t)c->nr, nc, ks, kc, w, ks * kc, NULL, 0, &one_mult, &zero_shift, 0, pk);
            int8_t *pad = calloc(kc, 1);
            rows_t r;
            make_rows(&r, (int)ks, c->mr, mr, kc, 1, pad, 0);
            const size_t ldc = nc + 3;
            int32_t *o1 = malloc(sizeof(int32_t) * ldc * (size_t)c->mr), *o2 = malloc(sizeof(int32_t) * ldc * (size_t)c->mr);
            for (size_t i = 0; i < ldc * (size_t)c->mr; i++) o1[i] = o2[i] = 0x5A5A;
            c->simd((size_t)mr, nc, kc, ks, (const int8_t *const *)r.ptr, pk, o1, ldc);
            c->twin((size_t)mr, nc, kc, ks, (const int8_t *const *)r.ptr, pk, o2, ldc);
            for (int i = 0; i < c->mr && !bad; i++)
              for (size_t j = 0; j < ldc && !bad; j++) {
                int32_t ref = 0x5A5A;
                if (i < mr && j < nc) {
                  uint32_t acc = 0;
                  for (size_t t = 0; t < ks; t++)
                    acc += (uint32_t)tl_dot_q8(r.ptr[t * (size_t)c->mr + (size_t)i], w + j * ks * kc + t * kc, (int64_t)kc);
                  ref = (int32_t)acc;
                }
                const int32_t x = o1[(size_t)i * ldc + j], y = o2[(size_t)i * ldc + j];
                if (x != y || y != ref) {
                  printf("  %s mr=%d nc=%zu kc=%zu ks=%zu: c[%d][%zu] simd %d twin %d ref %d\n", c->name, mr, nc, kc,
                         ks, i, j, (int)x, (int)y, (int)ref);
                  bad = 1;
                }
              }
            free_rows(&r);
            free(w), free(pk), free(pad), free(o1), free(o2);
          }
    EXPECT(!bad);
    printf("  %s: checked\n", c->name);
  }
}

/* Max pooling: every channel count around the register widths, 1..9 taps, in place (out = in[0]),
 * with NaNs and infinities among the inputs. Results must be identical to the scalar twin. */
TEST(maxpool_simd_matches_scalar_twin) {
  typedef struct {
    const char *name;
    tl_f32_maxpool_fn f;
    tl_s8_maxpool_fn q;
  } mp_case;
  mp_case cs[4];
  int ncase = 0;
#if defined(__x86_64__) || defined(__i386__)
  if (tl_ukernels_by_name("avx512")) cs[ncase++] = (mp_case){"avx512", tl_f32_maxpool__avx512f, tl_s8_maxpool__avx512bw};
  if (tl_ukernels_by_name("avx2")) cs[ncase++] = (mp_case){"avx2", tl_f32_maxpool__avx2, tl_s8_maxpool__avx2};
#endif
  cs[ncase++] = (mp_case){"scalar", tl_f32_maxpool__scalar, tl_s8_maxpool__scalar};
  static const size_t kC[] = {1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 130};
  for (int ci = 0; ci < ncase; ci++) {
    int bad = 0;
    for (size_t a = 0; a < sizeof kC / sizeof *kC && !bad; a++)
      for (size_t taps = 1; taps <= 9 && !bad; taps++)
        for (int inplace = 0; inplace < 2 && !bad; inplace++) {
          const size_t c = kC[a];
          float *fb[9], fo1[130], fo2[130];
          int8_t *qb[9], qo1[130], qo2[130];
          for (size_t t = 0; t < taps; t++) {
            fb[t] = malloc(c * sizeof(float)), qb[t] = malloc(c);
            for (size_t j = 0; j < c; j++) {
              const uint32_t r = rnd();
              fb[t][j] = r % 97 == 0 ? NAN : r % 89 == 0 ? -INFINITY : rndf() * 8.f;
              qb[t][j] = (int8_t)(rnd() & 0xFF);
            }
          }
          float fsave[130];
          int8_t qsave[130];
          memcpy(fsave, fb[0], c * sizeof(float)), memcpy(qsave, qb[0], c);
          const float lo = (rnd() & 1) ? -FLT_MAX : 0.f, hi = (rnd() & 1) ? FLT_MAX : 6.f;
          const int8_t qlo = (rnd() & 1) ? -128 : -20, qhi = (rnd() & 1) ? 127 : 50;
          cs[ci].f(taps, c, (const float *const *)fb, inplace ? fb[0] : fo1, lo, hi);
          if (inplace) memcpy(fo1, fb[0], c * sizeof(float)), memcpy(fb[0], fsave, c * sizeof(float));
          tl_f32_maxpool__scalar(taps, c, (const float *const *)fb, fo2, lo, hi);
          cs[ci].q(taps, c, (const int8_t *const *)qb, inplace ? qb[0] : qo1, qlo, qhi);
          if (inplace) memcpy(qo1, qb[0], c), memcpy(qb[0], qsave, c);
          tl_s8_maxpool__scalar(taps, c, (const int8_t *const *)qb, qo2, qlo, qhi);
          for (size_t j = 0; j < c && !bad; j++) {
            if (memcmp(&fo1[j], &fo2[j], sizeof(float)) || qo1[j] != qo2[j]) {
              printf("  maxpool %s c=%zu taps=%zu inplace=%d: [%zu] %g vs %g, %d vs %d\n", cs[ci].name, c, taps, inplace,
                     j, fo1[j], fo2[j], qo1[j], qo2[j]);
              bad = 1;
            }
            if (isnan(fo2[j])) bad = 1; /* TFLite's max never yields NaN */
          }
          for (size_t t = 0; t < taps; t++) free(fb[t]), free(qb[t]);
        }
    EXPECT(!bad);
  }
}

TEST(dispatch_tables_are_complete) {
  const char *names[] = {"scalar", "avx2", "avx512", "neon", "wasm_simd128"};
  const tl_ukernels *best = tl_ukernels_best();
  EXPECT(best != NULL);
  printf("  best: %s\n", best->isa);
  for (int i = 0; i < 5; i++) {
    const tl_ukernels *t = tl_ukernels_by_name(names[i]);
    if (!t) continue;
    EXPECT(!strcmp(t->isa, names[i]));
    EXPECT(t->f32_igemm.fn && t->f32_igemm.fn1 && t->f32_gemv && t->s8_igemm.fn && t->s8_igemm.fn1);
    /* the x86 and wasm tables have the int32-accumulator kernel the hybrid ops use */
    if (!strcmp(names[i], "avx2") || !strcmp(names[i], "avx512") || !strcmp(names[i], "wasm_simd128"))
      EXPECT(t->s8_igemm.acc != NULL);
    EXPECT(t->f32_igemm.mr >= 1 && t->f32_igemm.mr <= 8 && t->s8_igemm.mr >= 1 && t->s8_igemm.mr <= 8);
  }
  EXPECT(tl_ukernels_by_name("no-such-isa") == NULL);
}

TEST_MAIN(T(f32_igemm_simd_matches_scalar_twin), T(f32_gemv_simd_matches_scalar),
          T(s8_igemm_simd_matches_scalar_twin_bit_exactly),
          T(s8_igemm_acc_is_the_exact_int32_dot), T(maxpool_simd_matches_scalar_twin),
          T(dispatch_tables_are_complete))

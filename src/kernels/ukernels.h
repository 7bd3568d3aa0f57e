/* SPDX-License-Identifier: Apache-2.0
 * SIMD microkernels and their run-time dispatch: each ISA (simd/<isa>/) fills one const table of
 * function pointers; tl_ukernels_best() picks the table for this CPU, once per interpreter. */
#ifndef TL_UKERNELS_H
#define TL_UKERNELS_H

#include <stddef.h>
#include <stdint.h>

/* ---- float indirect GEMM (CONV_2D without im2col, FULLY_CONNECTED) ----
 * c[i][j] = clamp(bias[j] + sum_t sum_k a[t * MR + i][k] * W[t][k][j], lo, hi) for i < mr, j < nc.
 * a holds ks * MR row pointers (tap-major), each to kc floats; rows >= mr are read but never stored,
 * so the caller repeats a real row there. Output row i is c + i * cm_stride (floats).
 * w is packed by tl_f32_igemm_pack for the kernel's NR: per panel of NR columns, NR biases then
 * ks * kc * NR weights (tap, channel, column), zero-padded past the last column. */
typedef struct {
  float lo, hi;
} tl_f32_minmax;
typedef void (*tl_f32_igemm_fn)(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w,
                                float *c, size_t cm_stride, const tl_f32_minmax *p);
/* y[j] = clamp(bias[j] + dot(x, w + j * ldw), lo, hi) for j < n over k floats: batch-1 FULLY_CONNECTED
 * straight from TFLite's row-major weights (no padding, each weight read once). bias may be NULL. */
typedef void (*tl_f32_gemv_fn)(size_t n, size_t k, const float *x, const float *w, size_t ldw, const float *bias,
                               float *y, const tl_f32_minmax *p);

typedef struct {
  uint8_t mr, nr;
  tl_f32_igemm_fn fn;   /* MR rows */
  tl_f32_igemm_fn fn1;  /* one row (same packing; a then holds ks pointers): GEMV-shaped calls */
} tl_f32_igemm_desc;

/* Floats of a packed filter of n columns, ks taps, kc channels for panel width nr; 0 on overflow. */
size_t tl_f32_igemm_packed_size(size_t nr, size_t n, size_t ks, size_t kc);
/* Packs w (n rows of ks * kc floats, row stride ldw: TFLite's OHWI filter or [units][in] FC weights)
 * and bias (n floats, or NULL for zeros). */
void tl_f32_igemm_pack(size_t nr, size_t n, size_t ks, size_t kc, const float *w, size_t ldw, const float *bias,
                       float *packed);

/* ---- int8 indirect GEMM with TFLite's requantization (ruy's rounding on x86, tl_mbqm_ruy) ----
 * acc[i][j] = bias'[j] + sum_t sum_k (a[t * MR + i][k] ^ 0x80, as uint8) * W[t][k][j]   (exact, mod 2^32)
 * out = clamp(mbqm_ruy(acc, mult[j], shift[j]) + out_zp, act_min, act_max) as int8.
 * The +128 offset (x ^ 0x80 = x + 128) makes activations unsigned for VNNI's u8 x s8 dot products;
 * tl_s8_igemm_pack folds -(128 + in_zp) * sum(w) into bias', so results equal TFLite's
 * sum((x - in_zp) * w) + bias exactly. Packed per panel of NR columns: NR int32 bias', then for each
 * tap ceil(kc / 4) groups of [NR][4] int8 weights (zero-padded), then the requantization constants
 * (tl_s8_requant_panel). Rows of a are read in whole groups of 4 only below kc rounded down; the tail
 * is read byte by byte, so no row is over-read. */
typedef struct {
  int32_t out_zp, act_min, act_max;
} tl_s8_minmax;
typedef void (*tl_s8_igemm_fn)(size_t mr, size_t nc, size_t kc, size_t ks, const int8_t *const *a, const void *w,
                               int8_t *c, size_t cm_stride, const tl_s8_minmax *p);
/* The same kernel stopping at the accumulators: c[i * cm_stride + j] = acc[i][j] (int32, exact mod
 * 2^32) for i < mr, j < nc. Hybrid (float x int8) kernels pack with in_zp 0 and no bias, so that acc is
 * sum(x * w) exactly: TFLite's int32 accumulator, rescaled to float by the caller. */
typedef void (*tl_s8_igemm_acc_fn)(size_t mr, size_t nc, size_t kc, size_t ks, const int8_t *const *a, const void *w,
                                   int32_t *c, size_t cm_stride);
typedef struct {
  uint8_t mr, nr;
  tl_s8_igemm_fn fn, fn1;  /* MR rows; one row (a then holds ks pointers) */
  /* MR rows, int32 accumulators out. NULL in the scalar and NEON tables: there the hybrid kernels keep
   * their plain dot-product loops, which the compilers vectorize better than the scalar tile (whose
   * twin, tl_s8_igemm_acc_*__scalar, is the tests' oracle). */
  tl_s8_igemm_acc_fn acc;
} tl_s8_igemm_desc;

/* Per-channel requantization constants, stored per panel after the weights as NR-long int32 rows. */
enum { TL_S8RQ_MULT, TL_S8RQ_LSHIFT, TL_S8RQ_RSHIFT, TL_S8RQ_NUDGE, TL_S8RQ_THRESH, TL_S8RQ_OVF, TL_S8RQ_ROWS };

size_t tl_s8_igemm_packed_size(size_t nr, size_t n, size_t ks, size_t kc);
/* w: n rows of ks * kc int8 (row stride ldw); bias: n int32 or NULL; mult/shift: per channel (n
 * entries), or one entry each when per_channel is 0; in_zp: the input zero point. */
void tl_s8_igemm_pack(size_t nr, size_t n, size_t ks, size_t kc, const int8_t *w, size_t ldw, const int32_t *bias,
                      int32_t in_zp, const int32_t *mult, const int *shift, int per_channel, void *packed);
/* Bytes of one packed panel (the kernels step through panels with it). */
static inline size_t tl_s8_igemm_panel_bytes(size_t nr, size_t ks, size_t kc) {
  return nr * 4 + ks * ((kc + 3) / 4) * nr * 4 + (size_t)TL_S8RQ_ROWS * nr * 4;
}

/* ---- max pooling over an indirection list ----
 * out[j] = clamp(max(in[0][j], ..., in[taps-1][j]), lo, hi) for j < c (taps >= 1), the float max
 * starting from -FLT_MAX as TFLite's (a NaN input never wins). out may equal in[0] (the caller folds
 * windows of more taps than its list holds that way). NULL in a table: the reference loops. */
typedef void (*tl_f32_maxpool_fn)(size_t taps, size_t c, const float *const *in, float *out, float lo, float hi);
typedef void (*tl_s8_maxpool_fn)(size_t taps, size_t c, const int8_t *const *in, int8_t *out, int8_t lo, int8_t hi);

/* The trainer's SGEMM (sgemm.h): C (+)= A*B, A strided (rsa, csa) or indirect (ind, trans). */
typedef struct {
  const float *const *rows;  /* row r is rows[r*nseg .. r*nseg + nseg), each seglen floats */
  int nseg, seglen;
} tl_sgemm_ind;
typedef void (*tl_f32_sgemm_fn)(int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa,
                                const tl_sgemm_ind *ind, int trans, const float *B, ptrdiff_t rsb, ptrdiff_t csb,
                                int accumulate, float *C, ptrdiff_t ldc, float *ws);

/* ---- the dispatch table ---- */
typedef struct tl_ukernels {
  const char *isa;             /* "scalar", "avx2", "avx512", "neon", "wasm_simd128" */
  tl_f32_igemm_desc f32_igemm;
  tl_f32_gemv_fn f32_gemv;
  tl_s8_igemm_desc s8_igemm;
  tl_f32_maxpool_fn f32_maxpool;
  tl_s8_maxpool_fn s8_maxpool;
  tl_f32_sgemm_fn f32_sgemm;   /* the trainer's */
} tl_ukernels;

/* The fastest table this CPU runs (a const table: no state, safe from any thread), or the one the
 * environment variable TL_ISA names when this CPU runs it. */
const tl_ukernels *tl_ukernels_best(void);
/* The table named isa if this build has it and this CPU runs it, else NULL (tests, benchmarks). */
const tl_ukernels *tl_ukernels_by_name(const char *isa);

/* ---- the kernels (simd/<isa>/igemm.c), named in XNNPACK's grammar ---- */
#define TL_F32_IGEMM(name) \
  void name(size_t mr, size_t nc, size_t kc, size_t ks, const float *const *a, const float *w, float *c, \
            size_t cm_stride, const tl_f32_minmax *p);
#define TL_F32_GEMV(name) \
  void name(size_t n, size_t k, const float *x, const float *w, size_t ldw, const float *bias, float *y, \
            const tl_f32_minmax *p);
#define TL_S8_IGEMM(name) \
  void name(size_t mr, size_t nc, size_t kc, size_t ks, const int8_t *const *a, const void *w, int8_t *c, \
            size_t cm_stride, const tl_s8_minmax *p);

#define TL_S8_IGEMM_ACC(name) \
  void name(size_t mr, size_t nc, size_t kc, size_t ks, const int8_t *const *a, const void *w, int32_t *c, \
            size_t cm_stride);

#define TL_F32_MAXPOOL(name) \
  void name(size_t taps, size_t c, const float *const *in, float *out, float lo, float hi);
#define TL_S8_MAXPOOL(name) \
  void name(size_t taps, size_t c, const int8_t *const *in, int8_t *out, int8_t lo, int8_t hi);

#define TL_F32_SGEMM(name) \
  void name(int M, int N, int K, const float *A, ptrdiff_t rsa, ptrdiff_t csa, const tl_sgemm_ind *ind, int trans, \
            const float *B, ptrdiff_t rsb, ptrdiff_t csb, int accumulate, float *C, ptrdiff_t ldc, float *ws);

/* Every ISA's kernels are declared everywhere; simd/<isa>/ defines them where the compiler targets
 * the ISA, and simd/ukernels.c puts the ones this build has in its tables. */

/* scalar twins (portable C: the fallback and the oracle of the SIMD tests) */
TL_F32_SGEMM(tl_f32_sgemm_6x8__generic)
TL_F32_MAXPOOL(tl_f32_maxpool__scalar)
TL_S8_MAXPOOL(tl_s8_maxpool__scalar)
TL_F32_IGEMM(tl_f32_igemm_4x8__scalar)
TL_F32_IGEMM(tl_f32_igemm_1x8__scalar)
TL_F32_IGEMM(tl_f32_igemm_8x32__scalar)
TL_F32_IGEMM(tl_f32_igemm_1x32__scalar)
TL_F32_IGEMM(tl_f32_igemm_6x16__scalar)
TL_F32_IGEMM(tl_f32_igemm_1x16__scalar)
TL_F32_GEMV(tl_f32_gemv__scalar)
TL_S8_IGEMM(tl_s8_igemm_4x8c4__scalar)
TL_S8_IGEMM(tl_s8_igemm_1x8c4__scalar)
TL_S8_IGEMM(tl_s8_igemm_8x32c4__scalar)
TL_S8_IGEMM(tl_s8_igemm_1x32c4__scalar)
TL_S8_IGEMM(tl_s8_igemm_4x16c4__scalar)
TL_S8_IGEMM(tl_s8_igemm_1x16c4__scalar)
TL_S8_IGEMM_ACC(tl_s8_igemm_acc_4x8c4__scalar)
TL_S8_IGEMM_ACC(tl_s8_igemm_acc_8x32c4__scalar)
TL_S8_IGEMM_ACC(tl_s8_igemm_acc_4x16c4__scalar)

TL_F32_SGEMM(tl_f32_sgemm_8x32__avx512f)
TL_F32_SGEMM(tl_f32_sgemm_6x16__avx2)
TL_F32_IGEMM(tl_f32_igemm_8x32__avx512f)
TL_F32_IGEMM(tl_f32_igemm_1x32__avx512f)
TL_F32_GEMV(tl_f32_gemv__avx512f)
TL_S8_IGEMM(tl_s8_igemm_8x32c4__avx512vnni)
TL_S8_IGEMM(tl_s8_igemm_1x32c4__avx512vnni)
TL_S8_IGEMM_ACC(tl_s8_igemm_acc_8x32c4__avx512vnni)
TL_F32_MAXPOOL(tl_f32_maxpool__avx512f)
TL_S8_MAXPOOL(tl_s8_maxpool__avx512bw)
TL_F32_MAXPOOL(tl_f32_maxpool__avx2)
TL_S8_MAXPOOL(tl_s8_maxpool__avx2)
TL_F32_IGEMM(tl_f32_igemm_6x16__avx2)
TL_F32_IGEMM(tl_f32_igemm_1x16__avx2)
TL_F32_GEMV(tl_f32_gemv__avx2)
TL_S8_IGEMM(tl_s8_igemm_4x16c4__avx2)
TL_S8_IGEMM(tl_s8_igemm_1x16c4__avx2)
TL_S8_IGEMM_ACC(tl_s8_igemm_acc_4x16c4__avx2)
TL_F32_IGEMM(tl_f32_igemm_6x16__neon)
TL_F32_IGEMM(tl_f32_igemm_1x16__neon)
TL_F32_GEMV(tl_f32_gemv__neon)
TL_F32_IGEMM(tl_f32_igemm_4x8__wasmsimd)
TL_F32_IGEMM(tl_f32_igemm_1x8__wasmsimd)
TL_F32_GEMV(tl_f32_gemv__wasmsimd)
TL_S8_IGEMM(tl_s8_igemm_4x8c4__wasmsimd)
TL_S8_IGEMM(tl_s8_igemm_1x8c4__wasmsimd)
TL_S8_IGEMM_ACC(tl_s8_igemm_acc_4x8c4__wasmsimd)

#endif

/* SPDX-License-Identifier: Apache-2.0
 * Data-movement kernels: RESHAPE (-1 inference, shape tensor vs options, bad counts), SQUEEZE,
 * EXPAND_DIMS, TRANSPOSE against a plain loop, STRIDED_SLICE masks/negative strides/offset, SLICE,
 * PAD/PADV2, GATHER (index errors), PACK/UNPACK, CONCATENATION, SHAPE, RESIZE_NEAREST_NEIGHBOR and
 * DENSIFY of small hand-made sparse tensors (including hostile metadata). */
#include <math.h>

#include "format/schema.h"
#include "kharness.h"
#include "test.h"

static tl_tensor *out_t(int type) { return kh_tensor(type, -1, NULL, NULL, 0); }

static tl_tensor *iota_f(int nd, const int32_t *d) {
  int64_t n = 1;
  for (int i = 0; i < nd; i++) n *= d[i];
  tl_tensor *t = kh_tensor(TL_FLOAT32, nd, d, NULL, 0);
  for (int64_t i = 0; i < n; i++) ((float *)t->data)[i] = (float)i;
  return t;
}

static tl_tensor *i32(int n, const int32_t *v) {
  const int32_t d[] = {n};
  return kh_tensor(TL_INT32, 1, d, v, 1);
}

static int same_f(const tl_tensor *t, const float *want, int n) {
  if (tl_numel(t) != n) return 0;
  for (int i = 0; i < n; i++)
    if (((const float *)t->data)[i] != want[i]) return 0;
  return 1;
}

TEST(reshape_rules) {
  const int32_t d[] = {2, 3, 4};
  tl_tensor *x = iota_f(3, d);
  /* -1 inferred from a shape tensor */
  const int32_t s1[] = {4, -1};
  tl_tensor *in[2] = {x, i32(2, s1)};
  tl_tensor *o = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_RESHAPE, 2, in, 1, &o, NULL, 0)), TL_OK);
  EXPECT_EQ(o->ndim, 2);
  EXPECT_EQ(o->dims[1], 6);
  EXPECT_EQ(((float *)o->data)[23], 23.f);
  /* options only */
  kh_fb b;
  kh_fb_init(&b);
  uint32_t t = kh_fb_table(&b, 1);
  const int32_t ns[] = {-1};
  kh_fb_vec(&b, t, 0, ns, 1, 4);
  tl_tensor *o2 = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_RESHAPE, 1, &x, 1, &o2, &b, 0)), TL_OK);
  EXPECT_EQ(o2->ndim, 1);
  EXPECT_EQ(o2->dims[0], 24);
  /* mismatched counts, two -1, negative dims are rejected */
  const int32_t bad1[] = {5, 5}, bad2[] = {-1, -1}, bad3[] = {-2, -12}, bad4[] = {0, -1};
  const int32_t *bads[] = {bad1, bad2, bad3, bad4};
  for (int k = 0; k < 4; k++) {
    tl_tensor *inb[2] = {x, i32(2, bads[k])};
    tl_tensor *ob = out_t(TL_FLOAT32);
    EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_RESHAPE, 2, inb, 1, &ob, NULL, 0)), TL_ERR_MODEL);
  }
  /* a non-vector shape input falls back to the options (none: a scalar, so 24 elements mismatch) */
  tl_tensor *scalar = kh_tensor(TL_INT32, 0, NULL, (int32_t[]){-1}, 1);
  tl_tensor *ins[2] = {x, scalar};
  tl_tensor *o3 = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_RESHAPE, 2, ins, 1, &o3, NULL, 0)), TL_ERR_MODEL);
  tl_tensor *o4 = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_RESHAPE, 2, ins, 1, &o4, &b, 0)), TL_OK);
  EXPECT_EQ(o4->dims[0], 24);
  /* legacy [0] = scalar */
  const int32_t one[] = {1};
  tl_tensor *x1 = iota_f(1, one);
  kh_fb b0;
  kh_fb_init(&b0);
  uint32_t t0 = kh_fb_table(&b0, 1);
  const int32_t zero[] = {0};
  kh_fb_vec(&b0, t0, 0, zero, 1, 4);
  tl_tensor *o5 = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_RESHAPE, 1, &x1, 1, &o5, &b0, 0)), TL_OK);
  EXPECT_EQ(o5->ndim, 0);
  /* a shape tensor only known at run time defers the node to invoke (tests/runtime/test_dynamic.c) */
  tl_tensor *dyn = i32(2, s1);
  dyn->known = 0;
  tl_tensor *ind[2] = {x, dyn};
  tl_tensor *o6 = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_RESHAPE, 2, ind, 1, &o6, NULL, 0)), TL_KDEFER);
  kh_reset();
}

TEST(squeeze_and_expand_dims) {
  const int32_t d[] = {1, 3, 1, 2};
  tl_tensor *x = iota_f(4, d), *o = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_SQUEEZE, 1, &x, 1, &o, NULL, 0)), TL_OK);
  EXPECT_EQ(o->ndim, 2);
  kh_fb b;
  kh_fb_init(&b);
  uint32_t t = kh_fb_table(&b, 1);
  const int32_t sd[] = {-2};
  kh_fb_vec(&b, t, 0, sd, 1, 4);
  tl_tensor *o2 = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_SQUEEZE, 1, &x, 1, &o2, &b, 0)), TL_OK);
  EXPECT_EQ(o2->ndim, 3);
  EXPECT_EQ(o2->dims[1], 3);
  kh_fb b2;
  kh_fb_init(&b2);
  uint32_t t2 = kh_fb_table(&b2, 1);
  const int32_t sd2[] = {1};
  kh_fb_vec(&b2, t2, 0, sd2, 1, 4);
  tl_tensor *o3 = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_SQUEEZE, 1, &x, 1, &o3, &b2, 0)), TL_ERR_MODEL);
  const int32_t axes[] = {-1, 0, 4, 5, -6};
  const int want_ok[] = {1, 1, 1, 0, 0};
  for (int k = 0; k < 5; k++) {
    const int64_t a = axes[k];
    const int32_t one[] = {1};
    tl_tensor *in[2] = {x, kh_tensor(TL_INT64, 1, one, &a, 1)};
    tl_tensor *oe = out_t(TL_FLOAT32);
    tl_status s = kh_run(kh_node(TL_BUILTIN_EXPAND_DIMS, 2, in, 1, &oe, NULL, 0));
    EXPECT_EQ(s == TL_OK, want_ok[k]);
    if (s == TL_OK) {
      int pos = axes[k] < 0 ? axes[k] + 5 : axes[k];
      EXPECT_EQ(oe->ndim, 5);
      EXPECT_EQ(oe->dims[pos], 1);
    }
  }
  kh_reset();
}

TEST(transpose_vs_loop) {
  const int32_t d[] = {2, 3, 1, 4, 2, 3};
  tl_tensor *x = iota_f(6, d);
  const int32_t perm[] = {4, 0, 5, 2, 1, 3};
  tl_tensor *in[2] = {x, i32(6, perm)};
  tl_tensor *o = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_TRANSPOSE, 2, in, 1, &o, NULL, 0)), TL_OK);
  int bad = 0;
  int64_t n = tl_numel(o);
  int64_t istr[6], r = 1;
  for (int i = 5; i >= 0; i--) istr[i] = r, r *= d[i];
  for (int64_t i = 0; i < n; i++) {
    int64_t rem = i, src = 0;
    for (int k = 5; k >= 0; k--) {
      int64_t c = rem % o->dims[k];
      rem /= o->dims[k];
      src += c * istr[perm[k]];
    }
    if (((float *)o->data)[i] != (float)src) bad++;
  }
  EXPECT_EQ(bad, 0);
  /* int8 2-D */
  const int32_t d2[] = {3, 2};
  const int8_t v[] = {1, 2, 3, 4, 5, 6};
  const int32_t p2[] = {1, 0};
  tl_tensor *in2[2] = {kh_tensor(TL_INT8, 2, d2, v, 0), i32(2, p2)};
  tl_tensor *o2 = out_t(TL_INT8);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_TRANSPOSE, 2, in2, 1, &o2, NULL, 0)), TL_OK);
  const int8_t want[] = {1, 3, 5, 2, 4, 6};
  EXPECT(!memcmp(o2->data, want, 6));
  const int32_t dupe[] = {0, 0}, neg[] = {-1, 0};
  tl_tensor *in3[2] = {in2[0], i32(2, dupe)}, *in4[2] = {in2[0], i32(2, neg)};
  tl_tensor *o3 = out_t(TL_INT8);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_TRANSPOSE, 2, in3, 1, &o3, NULL, 0)), TL_ERR_MODEL);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_TRANSPOSE, 2, in4, 1, &o3, NULL, 0)), TL_ERR_MODEL);
  kh_reset();
}

/* STRIDED_SLICE on x with begin/end/strides and options; returns the status, output in *o. */
static tl_status sslice(tl_tensor *x, int n, const int32_t *b, const int32_t *e, const int32_t *s, int bm, int em,
                        int ell, int na, int sh, int off, tl_tensor **o) {
  kh_fb f;
  kh_fb_init(&f);
  uint32_t t = kh_fb_table(&f, 6);
  kh_fb_i32(&f, t, 0, bm);
  kh_fb_i32(&f, t, 1, em);
  kh_fb_i32(&f, t, 2, ell);
  kh_fb_i32(&f, t, 3, na);
  kh_fb_i32(&f, t, 4, sh);
  kh_fb_u8(&f, t, 5, (uint8_t)off);
  tl_tensor *in[4] = {x, i32(n, b), i32(n, e), i32(n, s)};
  *o = out_t(x->type);
  return kh_run(kh_node(TL_BUILTIN_STRIDED_SLICE, 4, in, 1, o, &f, 0));
}

TEST(strided_slice_semantics) {
  const int32_t d10[] = {10};
  tl_tensor *x = iota_f(1, d10), *o;
  /* x[-2:1:-3] = 8 5 2 */
  EXPECT_EQ(sslice(x, 1, (int32_t[]){-2}, (int32_t[]){1}, (int32_t[]){-3}, 0, 0, 0, 0, 0, 0, &o), TL_OK);
  EXPECT(same_f(o, (float[]){8, 5, 2}, 3));
  /* x[:0:-1] (begin_mask) = 9..1 */
  EXPECT_EQ(sslice(x, 1, (int32_t[]){5}, (int32_t[]){0}, (int32_t[]){-1}, 1, 0, 0, 0, 0, 0, &o), TL_OK);
  EXPECT(same_f(o, (float[]){9, 8, 7, 6, 5, 4, 3, 2, 1}, 9));
  /* x[3::-1] (end_mask) = 3 2 1 0 */
  EXPECT_EQ(sslice(x, 1, (int32_t[]){3}, (int32_t[]){0}, (int32_t[]){-1}, 0, 1, 0, 0, 0, 0, &o), TL_OK);
  EXPECT(same_f(o, (float[]){3, 2, 1, 0}, 4));
  /* x[-100:100:4] clamps = 0 4 8 */
  EXPECT_EQ(sslice(x, 1, (int32_t[]){-100}, (int32_t[]){100}, (int32_t[]){4}, 0, 0, 0, 0, 0, 0, &o), TL_OK);
  EXPECT(same_f(o, (float[]){0, 4, 8}, 3));
  /* empty: x[5:2] */
  EXPECT_EQ(sslice(x, 1, (int32_t[]){5}, (int32_t[]){2}, (int32_t[]){1}, 0, 0, 0, 0, 0, 0, &o), TL_OK);
  EXPECT_EQ(tl_numel(o), 0);
  /* offset: begin 2, size 3 = 2 3 4 */
  EXPECT_EQ(sslice(x, 1, (int32_t[]){2}, (int32_t[]){3}, (int32_t[]){1}, 0, 0, 0, 0, 0, 1, &o), TL_OK);
  EXPECT(same_f(o, (float[]){2, 3, 4}, 3));
  /* stride 0 and out-of-range shrink are errors */
  EXPECT_EQ(sslice(x, 1, (int32_t[]){0}, (int32_t[]){3}, (int32_t[]){0}, 0, 0, 0, 0, 0, 0, &o), TL_ERR_MODEL);
  EXPECT_EQ(sslice(x, 1, (int32_t[]){10}, (int32_t[]){11}, (int32_t[]){1}, 0, 0, 0, 0, 1, 0, &o), TL_ERR_MODEL);
  /* TFLite clamps a too-negative shrink index to 0 instead of failing */
  EXPECT_EQ(sslice(x, 1, (int32_t[]){-11}, (int32_t[]){0}, (int32_t[]){1}, 0, 0, 0, 0, 1, 0, &o), TL_OK);
  EXPECT(same_f(o, (float[]){0}, 1));

  const int32_t d34[] = {3, 4};
  tl_tensor *m = iota_f(2, d34);
  /* x[1] (shrink) = 4..7 */
  EXPECT_EQ(sslice(m, 2, (int32_t[]){1, 0}, (int32_t[]){2, 4}, (int32_t[]){1, 1}, 0, 0, 0, 0, 1, 0, &o), TL_OK);
  EXPECT_EQ(o->ndim, 1);
  EXPECT(same_f(o, (float[]){4, 5, 6, 7}, 4));
  /* x[-1] with a stale end (shrink uses begin + 1) = 8..11 */
  EXPECT_EQ(sslice(m, 2, (int32_t[]){-1, 0}, (int32_t[]){0, 4}, (int32_t[]){1, 1}, 0, 0, 0, 0, 1, 0, &o), TL_OK);
  EXPECT(same_f(o, (float[]){8, 9, 10, 11}, 4));
  /* x[::-1, 1:3] */
  EXPECT_EQ(sslice(m, 2, (int32_t[]){0, 1}, (int32_t[]){0, 3}, (int32_t[]){-1, 1}, 1, 1, 0, 0, 0, 0, &o), TL_OK);
  EXPECT(same_f(o, (float[]){9, 10, 5, 6, 1, 2}, 6));
  /* x[newaxis, 1:3] -> [1, 2, 4] */
  EXPECT_EQ(sslice(m, 2, (int32_t[]){0, 1}, (int32_t[]){0, 3}, (int32_t[]){1, 1}, 0, 0, 0, 1, 0, 0, &o), TL_OK);
  EXPECT_EQ(o->ndim, 3);
  EXPECT_EQ(o->dims[0], 1);
  EXPECT_EQ(o->dims[1], 2);
  EXPECT_EQ(o->dims[2], 4);
  EXPECT_EQ(((float *)o->data)[0], 4.f);
  /* x[1:2] on a 2-D input: the missing dims are taken whole */
  EXPECT_EQ(sslice(m, 1, (int32_t[]){1}, (int32_t[]){3}, (int32_t[]){1}, 0, 0, 0, 0, 0, 0, &o), TL_OK);
  EXPECT_EQ(o->dims[0], 2);
  EXPECT_EQ(o->dims[1], 4);

  const int32_t d234[] = {2, 3, 4};
  tl_tensor *c = iota_f(3, d234);
  /* x[..., 1] -> [2, 3]: x[i, j, 1] = 12 i + 4 j + 1 */
  EXPECT_EQ(sslice(c, 2, (int32_t[]){0, 1}, (int32_t[]){0, 2}, (int32_t[]){1, 1}, 0, 0, 1, 0, 2, 0, &o), TL_OK);
  EXPECT_EQ(o->ndim, 2);
  EXPECT(same_f(o, (float[]){1, 5, 9, 13, 17, 21}, 6));
  /* x[1, ..., ::-2] -> [3, 2] */
  EXPECT_EQ(sslice(c, 3, (int32_t[]){1, 0, 0}, (int32_t[]){2, 0, 0}, (int32_t[]){1, 1, -2}, 4, 4, 2, 0, 1, 0, &o),
            TL_OK);
  EXPECT(same_f(o, (float[]){15, 13, 19, 17, 23, 21}, 6));

  /* Keras' dynamic-batch pattern on an int32 shape vector: shape[0] as a scalar */
  const int32_t sv[] = {5, 28, 28, 1};
  tl_tensor *shp = i32(4, sv);
  EXPECT_EQ(sslice(shp, 1, (int32_t[]){0}, (int32_t[]){1}, (int32_t[]){1}, 0, 0, 0, 0, 1, 0, &o), TL_OK);
  EXPECT_EQ(o->ndim, 0);
  EXPECT_EQ(((int32_t *)o->data)[0], 5);
  kh_reset();
}

TEST(slice_and_pad) {
  const int32_t d[] = {3, 4};
  tl_tensor *m = iota_f(2, d);
  const int64_t b[] = {1, 1}, s[] = {-1, 2};
  const int32_t two[] = {2};
  tl_tensor *in[3] = {m, kh_tensor(TL_INT64, 1, two, b, 1), kh_tensor(TL_INT64, 1, two, s, 1)};
  tl_tensor *o = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_SLICE, 3, in, 1, &o, NULL, 0)), TL_OK);
  EXPECT(same_f(o, (float[]){5, 6, 9, 10}, 4));
  const int64_t s2[] = {3, 1};
  tl_tensor *in2[3] = {m, in[1], kh_tensor(TL_INT64, 1, two, s2, 1)};
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_SLICE, 3, in2, 1, &o, NULL, 0)), TL_ERR_MODEL);

  /* PAD [[1, 0], [0, 2]] */
  const int32_t pd[] = {2, 2}, pv[] = {1, 0, 0, 2};
  tl_tensor *pin[2] = {m, kh_tensor(TL_INT32, 2, pd, pv, 1)};
  tl_tensor *po = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_PAD, 2, pin, 1, &po, NULL, 0)), TL_OK);
  EXPECT_EQ(po->dims[0], 4);
  EXPECT_EQ(po->dims[1], 6);
  const float want[] = {0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 4, 5, 6, 7, 0, 0, 8, 9, 10, 11, 0, 0};
  EXPECT(same_f(po, want, 24));
  /* PADV2 with a constant on int8, int64 paddings */
  const int32_t d1[] = {2};
  const int8_t v8[] = {5, 6};
  const int64_t p64[] = {2, 1};
  const int32_t pd1[] = {1, 2};
  const int8_t cv = -7;
  tl_tensor *x8 = kh_tensor(TL_INT8, 1, d1, v8, 0);
  kh_quant(x8, 0.1f, 3);
  tl_tensor *in3[3] = {x8, kh_tensor(TL_INT64, 2, pd1, p64, 1), kh_tensor(TL_INT8, 0, NULL, &cv, 1)};
  tl_tensor *o8 = out_t(TL_INT8);
  kh_quant(o8, 0.1f, 3);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_PADV2, 3, in3, 1, &o8, NULL, 0)), TL_OK);
  const int8_t w8[] = {-7, -7, 5, 6, -7};
  EXPECT(!memcmp(o8->data, w8, 5));
  /* PAD on int8 pads with the zero point */
  tl_tensor *o9 = out_t(TL_INT8);
  kh_quant(o9, 0.1f, 3);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_PAD, 2, in3, 1, &o9, NULL, 0)), TL_OK);
  const int8_t w9[] = {3, 3, 5, 6, 3};
  EXPECT(!memcmp(o9->data, w9, 5));
  /* negative padding is refused */
  const int32_t neg[] = {-1, 0, 0, 0};
  tl_tensor *in4[2] = {m, kh_tensor(TL_INT32, 2, pd, neg, 1)};
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_PAD, 2, in4, 1, &po, NULL, 0)), TL_ERR_MODEL);
  kh_reset();
}

TEST(gather_indices) {
  const int32_t d[] = {3, 4};
  tl_tensor *m = iota_f(2, d);
  kh_fb f;
  kh_fb_init(&f);
  uint32_t t = kh_fb_table(&f, 2);
  kh_fb_i32(&f, t, 0, -1); /* axis 1 */
  const int32_t id[] = {2, 2}, iv[] = {3, 0, 1, 1};
  tl_tensor *in[2] = {m, kh_tensor(TL_INT32, 2, id, iv, 1)};
  tl_tensor *o = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_GATHER, 2, in, 1, &o, &f, 0)), TL_OK);
  EXPECT_EQ(o->ndim, 3);
  EXPECT(same_f(o, (float[]){3, 0, 1, 1, 7, 4, 5, 5, 11, 8, 9, 9}, 12));
  /* axis 0, int64 indices */
  const int64_t rows[] = {2, 0};
  const int32_t two[] = {2};
  tl_tensor *in2[2] = {m, kh_tensor(TL_INT64, 1, two, rows, 1)};
  tl_tensor *o2 = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_GATHER, 2, in2, 1, &o2, NULL, 0)), TL_OK);
  EXPECT(same_f(o2, (float[]){8, 9, 10, 11, 0, 1, 2, 3}, 8));
  /* CVE-2021-37687: negative / too large indices, known at prepare -> model error */
  const int32_t negv[] = {-1, 0}, bigv[] = {0, 3};
  tl_tensor *in3[2] = {m, i32(2, negv)}, *in4[2] = {m, i32(2, bigv)};
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_GATHER, 2, in3, 1, &o2, NULL, 0)), TL_ERR_MODEL);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_GATHER, 2, in4, 1, &o2, NULL, 0)), TL_ERR_MODEL);
  /* ... and only known at run time -> runtime error */
  tl_tensor *dyn = i32(2, negv);
  dyn->known = 0;
  tl_tensor *in5[2] = {m, dyn};
  tl_tensor *o5 = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_GATHER, 2, in5, 1, &o5, NULL, 0)), TL_ERR_RUNTIME);
  EXPECT_STR_CONTAINS(kh_err(), "out of range");
  kh_reset();
}

TEST(pack_unpack_concat_shape) {
  const int32_t d[] = {2, 3};
  tl_tensor *a = iota_f(2, d), *b = iota_f(2, d);
  for (int i = 0; i < 6; i++) ((float *)b->data)[i] += 100;
  kh_fb f;
  kh_fb_init(&f);
  uint32_t t = kh_fb_table(&f, 2);
  kh_fb_i32(&f, t, 0, 2);
  kh_fb_i32(&f, t, 1, -1);
  tl_tensor *in[2] = {a, b};
  tl_tensor *o = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_PACK, 2, in, 1, &o, &f, 0)), TL_OK);
  EXPECT_EQ(o->ndim, 3);
  EXPECT_EQ(o->dims[2], 2);
  EXPECT(same_f(o, (float[]){0, 100, 1, 101, 2, 102, 3, 103, 4, 104, 5, 105}, 12));
  /* UNPACK along axis 1 of [2, 3, 2] into 3 outputs */
  kh_fb u;
  kh_fb_init(&u);
  uint32_t ut = kh_fb_table(&u, 2);
  kh_fb_i32(&u, ut, 0, 3);
  kh_fb_i32(&u, ut, 1, 1);
  tl_tensor *outs[3] = {out_t(TL_FLOAT32), out_t(TL_FLOAT32), out_t(TL_FLOAT32)};
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_UNPACK, 1, &o, 3, outs, &u, 0)), TL_OK);
  EXPECT(same_f(outs[1], (float[]){1, 101, 4, 104}, 4));
  /* CONCATENATION on axis -1 with RELU */
  kh_fb c;
  kh_fb_init(&c);
  uint32_t ct = kh_fb_table(&c, 2);
  kh_fb_i32(&c, ct, 0, -1);
  kh_fb_u8(&c, ct, 1, TL_TFL_ACT_RELU);
  ((float *)a->data)[0] = -5.f;
  tl_tensor *co = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_CONCATENATION, 2, in, 1, &co, &c, 0)), TL_OK);
  EXPECT(same_f(co, (float[]){0, 1, 2, 100, 101, 102, 3, 4, 5, 103, 104, 105}, 12));
  /* mismatched dims rejected */
  const int32_t d2[] = {3, 3};
  tl_tensor *in2[2] = {a, iota_f(2, d2)};
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_CONCATENATION, 2, in2, 1, &co, &c, 0)), TL_ERR_MODEL);
  /* SHAPE: int32 and int64 as ShapeOptions.out_type says; absent (FLOAT32) or another type is refused
   * as TFLite does */
  tl_tensor *s32 = out_t(TL_INT32), *s64 = out_t(TL_INT64);
  kh_fb t32, t64;
  kh_fb_init(&t32), kh_fb_init(&t64);
  kh_fb_u8(&t32, kh_fb_table(&t32, 1), TL_SCH_OPT_SHAPE_OUT_TYPE, TL_INT32);
  kh_fb_u8(&t64, kh_fb_table(&t64, 1), TL_SCH_OPT_SHAPE_OUT_TYPE, TL_INT64);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_SHAPE, 1, &o, 1, &s32, &t32, TL_TFL_OPT_SHAPE)), TL_OK);
  EXPECT_EQ(((int32_t *)s32->data)[2], 2);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_SHAPE, 1, &o, 1, &s64, &t64, TL_TFL_OPT_SHAPE)), TL_OK);
  EXPECT_EQ(((int64_t *)s64->data)[0], 2);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_SHAPE, 1, &o, 1, &s64, &t32, TL_TFL_OPT_SHAPE)), TL_ERR_MODEL);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_SHAPE, 1, &o, 1, &s32, NULL, 0)), TL_ERR_MODEL);
  kh_reset();
}

TEST(resize_nearest) {
  const int32_t d[] = {1, 2, 3, 1};
  tl_tensor *x = iota_f(4, d);
  const int32_t sz[] = {4, 5};
  for (int mode = 0; mode < 3; mode++) {
    kh_fb f;
    kh_fb_init(&f);
    uint32_t t = kh_fb_table(&f, 2);
    kh_fb_u8(&f, t, 0, mode == 1);
    kh_fb_u8(&f, t, 1, mode == 2);
    tl_tensor *in[2] = {x, i32(2, sz)};
    tl_tensor *o = out_t(TL_FLOAT32);
    EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_RESIZE_NEAREST_NEIGHBOR, 2, in, 1, &o, &f, 0)), TL_OK);
    /* plain loop of TFLite's GetNearestNeighbor */
    int bad = 0;
    for (int y = 0; y < 4; y++)
      for (int xx = 0; xx < 5; xx++) {
        float sy = mode == 1 ? 1.f / 3.f : 2.f / 4.f, sx = mode == 1 ? 2.f / 4.f : 3.f / 5.f;
        float off = mode == 2 ? 0.5f : 0.f;
        int iy = mode == 1 ? (int)roundf(y * sy) : (int)floorf((y + off) * sy);
        int ix = mode == 1 ? (int)roundf(xx * sx) : (int)floorf((xx + off) * sx);
        iy = iy > 1 ? 1 : iy;
        ix = ix > 2 ? 2 : ix;
        if (((float *)o->data)[y * 5 + xx] != (float)(iy * 3 + ix)) bad++;
      }
    EXPECT_EQ(bad, 0);
  }
  kh_reset();
}

/* ---- DENSIFY ---- */

/* Sparsity parameters for a [3, 4] tensor: dim 0 dense, dim 1 CSR with the given arrays (uint8 when
 * u8, else int32). */
static tl_tensor *sparse_3x4(const float *vals, int nv, const int32_t *seg, int nseg, const int32_t *idx, int nidx,
                             int u8, const int32_t *order, kh_fb *f, tl_mtensor *mt) {
  kh_fb_init(f);
  uint32_t root = kh_fb_table(f, 3);
  kh_fb_vec(f, root, 0, order, 2, 4);
  uint32_t dm = kh_fb_vec_tables(f, root, 2, 2);
  uint32_t d0 = kh_fb_table(f, 6);
  kh_fb_vec_set(f, dm, 0, d0);
  kh_fb_u8(f, d0, 0, 0);
  kh_fb_i32(f, d0, 1, 3);
  uint32_t d1 = kh_fb_table(f, 6);
  kh_fb_vec_set(f, dm, 1, d1);
  kh_fb_u8(f, d1, 0, 1);
  kh_fb_u8(f, d1, 2, u8 ? 3 : 1);
  uint32_t sv = kh_fb_table(f, 1);
  kh_fb_child(f, d1, 3, sv);
  kh_fb_u8(f, d1, 4, u8 ? 3 : 1);
  uint32_t iv = kh_fb_table(f, 1);
  kh_fb_child(f, d1, 5, iv);
  if (u8) {
    uint8_t s8[16], i8[16];
    for (int i = 0; i < nseg; i++) s8[i] = (uint8_t)seg[i];
    for (int i = 0; i < nidx; i++) i8[i] = (uint8_t)idx[i];
    kh_fb_vec(f, sv, 0, s8, (uint32_t)nseg, 1);
    kh_fb_vec(f, iv, 0, i8, (uint32_t)nidx, 1);
  } else {
    kh_fb_vec(f, sv, 0, seg, (uint32_t)nseg, 4);
    kh_fb_vec(f, iv, 0, idx, (uint32_t)nidx, 4);
  }
  memset(mt, 0, sizeof *mt);
  mt->has_sparsity = 1;
  mt->sparsity = kh_fb_root(f);
  const int32_t d[] = {3, 4};
  tl_tensor *t = kh_tensor(TL_FLOAT32, 2, d, NULL, 1);
  memcpy(t->data, vals, sizeof(float) * (size_t)nv);
  t->bytes = sizeof(float) * (size_t)nv;
  t->m = mt;
  return t;
}

TEST(densify_csr) {
  const float vals[] = {1, 2, 3};
  const int32_t seg[] = {0, 2, 2, 3}, idx[] = {0, 3, 1}, order[] = {0, 1};
  const float want[] = {1, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0};
  for (int u8 = 0; u8 < 2; u8++) {
    kh_fb f;
    tl_mtensor mt;
    tl_tensor *x = sparse_3x4(vals, 3, seg, 4, idx, 3, u8, order, &f, &mt), *o = out_t(TL_FLOAT32);
    EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_DENSIFY, 1, &x, 1, &o, NULL, 0)), TL_OK);
    EXPECT(same_f(o, want, 12));
  }
  /* hostile metadata: index past the dim, decreasing segments, segments past the indices, values
   * missing, traversal_order not a permutation */
  const int32_t idx_bad[] = {0, 4, 1}, seg_dec[] = {0, 2, 1, 3}, seg_far[] = {0, 2, 2, 9}, order_bad[] = {0, 0};
  struct { const int32_t *seg, *idx, *order; int nv; } cases[] = {
      {seg, idx_bad, order, 3}, {seg_dec, idx, order, 3}, {seg_far, idx, order, 3}, {seg, idx, order, 2},
      {seg, idx, order_bad, 3}};
  for (int k = 0; k < 5; k++) {
    kh_fb f;
    tl_mtensor mt;
    tl_tensor *x = sparse_3x4(vals, cases[k].nv, cases[k].seg, 4, cases[k].idx, 3, 0, cases[k].order, &f, &mt);
    tl_tensor *o = out_t(TL_FLOAT32);
    EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_DENSIFY, 1, &x, 1, &o, NULL, 0)), TL_ERR_MODEL);
  }
  kh_reset();
}

TEST(densify_block) {
  /* [4, 4] with 1x2 blocks on dim 1: levels (row dense 4, block-col CSR 2, in-block dense 2). */
  kh_fb f;
  kh_fb_init(&f);
  uint32_t root = kh_fb_table(&f, 3);
  const int32_t order[] = {0, 1, 2}, bmap[] = {1};
  kh_fb_vec(&f, root, 0, order, 3, 4);
  kh_fb_vec(&f, root, 1, bmap, 1, 4);
  uint32_t dm = kh_fb_vec_tables(&f, root, 2, 3);
  uint32_t l0 = kh_fb_table(&f, 6), l1, l2, sv, iv;
  kh_fb_vec_set(&f, dm, 0, l0);
  kh_fb_i32(&f, l0, 1, 4);
  l1 = kh_fb_table(&f, 6);
  kh_fb_vec_set(&f, dm, 1, l1);
  kh_fb_u8(&f, l1, 0, 1);
  kh_fb_u8(&f, l1, 2, 1);
  sv = kh_fb_table(&f, 1);
  kh_fb_child(&f, l1, 3, sv);
  kh_fb_u8(&f, l1, 4, 1);
  iv = kh_fb_table(&f, 1);
  kh_fb_child(&f, l1, 5, iv);
  const int32_t seg[] = {0, 1, 1, 2, 2}, idx[] = {1, 0};
  kh_fb_vec(&f, sv, 0, seg, 5, 4);
  kh_fb_vec(&f, iv, 0, idx, 2, 4);
  l2 = kh_fb_table(&f, 6);
  kh_fb_vec_set(&f, dm, 2, l2);
  kh_fb_i32(&f, l2, 1, 2);
  tl_mtensor mt;
  memset(&mt, 0, sizeof mt);
  mt.has_sparsity = 1;
  mt.sparsity = kh_fb_root(&f);
  const int32_t d[] = {4, 4};
  const float vals[] = {1, 2, 3, 4};
  tl_tensor *x = kh_tensor(TL_FLOAT32, 2, d, NULL, 1);
  memcpy(x->data, vals, sizeof vals);
  x->bytes = sizeof vals;
  x->m = &mt;
  tl_tensor *o = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_DENSIFY, 1, &x, 1, &o, NULL, 0)), TL_OK);
  const float want[] = {0, 0, 1, 2, 0, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0};
  EXPECT(same_f(o, want, 16));
  kh_reset();
}

TEST_MAIN(T(reshape_rules), T(squeeze_and_expand_dims), T(transpose_vs_loop), T(strided_slice_semantics),
          T(slice_and_pad), T(gather_indices), T(pack_unpack_concat_shape), T(resize_nearest), T(densify_csr),
          T(densify_block))

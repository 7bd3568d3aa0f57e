/* SPDX-License-Identifier: Apache-2.0
 * BATCH_MATMUL (src/kernels/ops/batch_matmul.c) against the real TensorFlow Lite's builtin kernels:
 * float32 (values that are small multiples of 1/4, so every sum is exact whatever the order) and
 * int8 (random data, zero points and scales), with adj_x / adj_y and broadcast batch dims. Every
 * output byte must agree; inner dimensions that differ are refused with a message. */
#include <stdint.h>
#include <stdio.h>

#include "format/schema.h"
#include "test.h"
#include "tflite_oracle.h"

TEST(batch_matmul_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const struct {
    int nl, nr;
    int32_t l[4], r[4];
  } shapes[] = {{2, 2, {3, 5}, {5, 4}}, {3, 3, {2, 3, 5}, {2, 5, 4}}, {3, 2, {2, 3, 5}, {5, 4}}, {4, 3, {2, 1, 3, 5}, {3, 5, 4}}};
  static float fl[256], fr[256];
  for (int i = 0; i < 256; i++) fl[i] = (float)((i * 7) % 9 - 4) / 4.f, fr[i] = (float)((i * 5) % 7 - 3) / 4.f;
  int ok = 0, n = 0;
  for (int t = 0; t < 2; t++)
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
      for (int adj = 0; adj < 4; adj++) {
        const int ax = adj & 1, ay = adj >> 1, nl = shapes[s].nl, nr = shapes[s].nr;
        int32_t l[4], r[4], od[4];
        for (int i = 0; i < 4; i++) l[i] = shapes[s].l[i], r[i] = shapes[s].r[i];
        const int32_t M = l[nl - 2], K = l[nl - 1], N = r[nr - 1];
        if (ax) l[nl - 2] = K, l[nl - 1] = M;
        if (ay) r[nr - 2] = N, r[nr - 1] = K;
        const int nb = (nl > nr ? nl : nr) - 2;
        for (int i = 0; i < nb; i++) {
          const int li = i - (nb - (nl - 2)), ri = i - (nb - (nr - 2));
          const int32_t a = li >= 0 ? l[li] : 1, b = ri >= 0 ? r[ri] : 1;
          od[i] = a > b ? a : b;
        }
        od[nb] = M, od[nb + 1] = N;
        const int type = t ? TL_TFL_INT8 : TL_TFL_FLOAT32;
        float sl[1] = {0.03f}, sr[1] = {0.05f}, so[1] = {0.2f};
        int64_t zl[1] = {-5}, zr[1] = {3}, zo[1] = {2};
        tl_tfl_quant ql = {1, sl, zl, 0, 0, NULL, NULL}, qr = {1, sr, zr, 0, 0, NULL, NULL}, qo = {1, so, zo, 0, 0, NULL, NULL};
        tl_om m;
        tl_om_init(&m);
        tl_om_input(&m, type, nl, l, t ? &ql : NULL, t ? NULL : fl);
        tl_om_input(&m, type, nr, r, t ? &qr : NULL, t ? NULL : fr);
        tl_om_output(&m, type, nb + 2, od, t ? &qo : NULL);
        tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_BATCH_MATMUL);
        tl_tfl_opts_set_int(&o, 0, TL_TFL_F_BOOL, ax);
        tl_tfl_opts_set_int(&o, 1, TL_TFL_F_BOOL, ay);
        n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_BATCH_MATMUL, t ? 2 : 1, &o, "BATCH_MATMUL", NULL);
      }
  printf("  BATCH_MATMUL: %d/%d cases (float32, int8 x 4 shapes x adj_x/adj_y) as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(batch_matmul_refuses_mismatched_dims) {
  const int32_t l[2] = {3, 4}, r[2] = {5, 2}, o[2] = {3, 2};
  tl_om m;
  tl_om_init(&m);
  tl_om_input(&m, TL_TFL_FLOAT32, 2, l, NULL, NULL);
  tl_om_input(&m, TL_TFL_FLOAT32, 2, r, NULL, NULL);
  tl_om_output(&m, TL_TFL_FLOAT32, 2, o, NULL);
  EXPECT(tl_om_check(NULL, NULL, &m, TL_BUILTIN_BATCH_MATMUL, 1, NULL, "BATCH_MATMUL dims", "inner dimensions 4 and 5 differ"));
}

TEST_MAIN(T(batch_matmul_matches_tflite), T(batch_matmul_refuses_mismatched_dims))

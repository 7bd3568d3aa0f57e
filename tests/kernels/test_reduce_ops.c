/* SPDX-License-Identifier: Apache-2.0
 * REDUCE_MAX, REDUCE_MIN, REDUCE_PROD, REDUCE_ANY and REDUCE_ALL (src/kernels/ops/reduce.c) against the real
 * TensorFlow Lite's builtin kernels: every dtype each accepts (quantized inputs keep their
 * quantization), one and two axes (negative, repeated), keep_dims on and off. Every output byte must
 * agree; an axis out of range and a requantizing max are refused with a message. */
#include <stdint.h>
#include <stdio.h>

#include "format/schema.h"
#include "test.h"
#include "tflite_oracle.h"

TEST(reductions_match_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const struct {
    const char *name;
    int code, types[6], n;
  } ops[] = {{"REDUCE_MAX", TL_BUILTIN_REDUCE_MAX, {TL_TFL_FLOAT32, TL_TFL_INT8, TL_TFL_UINT8, TL_TFL_INT16, TL_TFL_INT32, TL_TFL_INT64}, 6},
             {"REDUCE_MIN", TL_BUILTIN_REDUCE_MIN, {TL_TFL_FLOAT32, TL_TFL_INT8, TL_TFL_UINT8, TL_TFL_INT16, TL_TFL_INT32, TL_TFL_INT64}, 6},
             {"REDUCE_PROD", TL_BUILTIN_REDUCE_PROD, {TL_TFL_FLOAT32}, 1},
             {"REDUCE_ANY", TL_BUILTIN_REDUCE_ANY, {TL_TFL_BOOL}, 1},
             {"REDUCE_ALL", TL_BUILTIN_REDUCE_ALL, {TL_TFL_BOOL}, 1}};
  static const int32_t axes[][2] = {{1, 1}, {-1, 1}, {0, 2}, {2, -3}, {1, 1}};
  static const int n_axes[] = {1, 1, 2, 2, 2};
  const int32_t d[3] = {3, 4, 5};
  static float small[60];
  static uint8_t bools[60], mostly_true[60];
  for (int i = 0; i < 60; i++) small[i] = (float)((i * 7) % 11 - 5) / 4.f; /* products stay finite */
  for (int i = 0; i < 60; i++) bools[i] = (uint8_t)((i * 13) % 7 == 0); /* mostly false: some rows stay false */
  for (int i = 0; i < 60; i++) mostly_true[i] = !bools[i];                /* for ALL: some rows stay true */
  for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
    int ok = 0, n = 0;
    for (int t = 0; t < ops[k].n; t++)
      for (size_t a = 0; a < sizeof n_axes / sizeof n_axes[0]; a++)
        for (int keep = 0; keep < 2; keep++) {
          const int type = ops[k].types[t];
          int red[3] = {0};
          for (int i = 0; i < n_axes[a]; i++) red[(axes[a][i] + 3) % 3] = 1;
          int32_t od[3], nd = 0;
          for (int i = 0; i < 3; i++)
            if (!red[i]) od[nd++] = d[i];
            else if (keep) od[nd++] = 1;
          float sc[1] = {0.1f};
          int64_t zp[1] = {type == TL_TFL_UINT8 ? 128 : 0};
          tl_tfl_quant q = {1, sc, zp, 0, 0, NULL, NULL};
          const int quant = type == TL_TFL_INT8 || type == TL_TFL_UINT8 || type == TL_TFL_INT16;
          const int32_t na[1] = {n_axes[a]};
          tl_om m;
          tl_om_init(&m);
          tl_om_input(&m, type, 3, d, quant ? &q : NULL,
                      type == TL_TFL_FLOAT32 ? (const void *)small
                      : type == TL_TFL_BOOL ? (const void *)(ops[k].code == TL_BUILTIN_REDUCE_ALL ? mostly_true : bools)
                                            : NULL);
          tl_om_const(&m, TL_TFL_INT32, 1, na, axes[a], NULL);
          tl_om_output(&m, type, nd, od, quant ? &q : NULL);
          tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_REDUCER);
          tl_tfl_opts_set_int(&o, 0, TL_TFL_F_BOOL, keep);
          n++, ok += tl_om_check(ref, NULL, &m, ops[k].code, type == TL_TFL_INT8 ? 2 : type == TL_TFL_INT16 ? 3 : 1, &o,
                                 ops[k].name, NULL);
        }
    printf("  %-12s %d/%d cases (%d dtype(s) x 5 axis sets x keep_dims) as TensorFlow Lite\n", ops[k].name, ok, n, ops[k].n);
    EXPECT_EQ(ok, n);
  }
}

TEST(reductions_refuse_malformed_models) {
  const int32_t d[2] = {2, 3}, one[1] = {1}, bad_axis[1] = {2}, od[1] = {2};
  tl_om m;
  tl_om_init(&m);
  tl_om_input(&m, TL_TFL_FLOAT32, 2, d, NULL, NULL);
  tl_om_const(&m, TL_TFL_INT32, 1, one, bad_axis, NULL);
  tl_om_output(&m, TL_TFL_FLOAT32, 1, od, NULL);
  EXPECT(tl_om_check(NULL, NULL, &m, TL_BUILTIN_REDUCE_MIN, 1, NULL, "REDUCE_MIN axis", "out of range"));
  float s1[1] = {0.1f}, s2[1] = {0.2f};
  int64_t z[1] = {0};
  tl_tfl_quant qa = {1, s1, z, 0, 0, NULL, NULL}, qb = {1, s2, z, 0, 0, NULL, NULL};
  const int32_t ax[1] = {1};
  tl_om_init(&m);
  tl_om_input(&m, TL_TFL_INT8, 2, d, &qa, NULL);
  tl_om_const(&m, TL_TFL_INT32, 1, one, ax, NULL);
  tl_om_output(&m, TL_TFL_INT8, 1, od, &qb);
  EXPECT(tl_om_check(NULL, NULL, &m, TL_BUILTIN_REDUCE_MAX, 2, NULL, "REDUCE_MAX requantizing", "requantizing"));
}

TEST_MAIN(T(reductions_match_tflite), T(reductions_refuse_malformed_models))

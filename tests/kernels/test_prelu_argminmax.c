/* SPDX-License-Identifier: Apache-2.0
 * PRELU and ARG_MAX / ARG_MIN (src/kernels/ops/prelu.c, arg_min_max.c) against the real TensorFlow
 * Lite's builtin kernels on single-op models: PRELU in float32, int8 and uint8 with per-channel and
 * full-shape alphas and random quantization; ARG_MAX / ARG_MIN on every axis (negative too), several
 * dtypes (small value ranges, so ties occur) and both output types. Every output byte must agree;
 * malformed models are refused with a message. */
#include <stdint.h>
#include <stdio.h>

#include "format/schema.h"
#include "test.h"
#include "tflite_oracle.h"

TEST(prelu_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const int types[] = {TL_TFL_FLOAT32, TL_TFL_INT8, TL_TFL_UINT8};
  const int32_t x_d[4] = {2, 3, 4, 5}, a_c[3] = {1, 1, 5}, a_full[3] = {3, 4, 5};
  float fx[120], fa[60];
  for (int i = 0; i < 120; i++) fx[i] = (float)((i * 37) % 41 - 20) / 7.f;
  for (int i = 0; i < 60; i++) fa[i] = (float)((i * 11) % 13 - 4) / 9.f;
  int ok = 0, n = 0;
  for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
    for (int full = 0; full < 2; full++) {
      float sx[1] = {0.05f}, sa[1] = {full ? 0.01f : 0.004f}, so[1] = {0.08f};
      int64_t zx[1] = {types[t] == TL_TFL_UINT8 ? 120 : -3}, za[1] = {types[t] == TL_TFL_UINT8 ? 130 : 5},
              zo[1] = {types[t] == TL_TFL_UINT8 ? 100 : 7};
      tl_tfl_quant qx = {1, sx, zx, 0, 0, NULL, NULL}, qa = {1, sa, za, 0, 0, NULL, NULL}, qo = {1, so, zo, 0, 0, NULL, NULL};
      const int q = types[t] != TL_TFL_FLOAT32;
      tl_om m;
      tl_om_init(&m);
      tl_om_input(&m, types[t], 4, x_d, q ? &qx : NULL, q ? NULL : fx);
      if (q) tl_om_input(&m, types[t], 3, full ? a_full : a_c, &qa, NULL);
      else tl_om_input(&m, types[t], 3, full ? a_full : a_c, NULL, fa);
      tl_om_output(&m, types[t], 4, x_d, q ? &qo : NULL);
      n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_PRELU, 1, NULL, "PRELU", NULL);
    }
  printf("  PRELU: %d/%d cases (float32, int8, uint8; per-channel and full alpha) as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(arg_min_max_match_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const int types[] = {TL_TFL_FLOAT32, TL_TFL_INT8, TL_TFL_UINT8, TL_TFL_INT32};
  const int32_t d[3] = {3, 4, 5};
  static uint8_t small[240];
  for (int i = 0; i < 240; i++) small[i] = (uint8_t)((i * 7) % 3); /* ties everywhere */
  int ok = 0, n = 0;
  for (int code = 0; code < 2; code++)
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
      for (int axis = -3; axis < 3; axis++) {
        const int a = axis < 0 ? axis + 3 : axis, out64 = (axis + 3) % 2;
        int32_t od[2], k = 0;
        for (int i = 0; i < 3; i++)
          if (i != a) od[k++] = d[i];
        const int32_t one[1] = {1}, axv[1] = {axis};
        tl_om m;
        tl_om_init(&m);
        tl_om_input(&m, types[t], 3, d, NULL, types[t] == TL_TFL_INT32 || types[t] == TL_TFL_FLOAT32 ? NULL : small);
        tl_om_const(&m, TL_TFL_INT32, 1, one, axv, NULL);
        tl_om_output(&m, out64 ? TL_TFL_INT64 : TL_TFL_INT32, 2, od, NULL);
        tl_tfl_options o = tl_tfl_opts_empty(code ? TL_TFL_OPT_ARG_MIN : TL_TFL_OPT_ARG_MAX);
        tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I8, out64 ? TL_TFL_INT64 : TL_TFL_INT32);
        n++, ok += tl_om_check(ref, NULL, &m, code ? TL_BUILTIN_ARG_MIN : TL_BUILTIN_ARG_MAX, 2, &o,
                               code ? "ARG_MIN" : "ARG_MAX", NULL);
      }
  printf("  ARG_MAX, ARG_MIN: %d/%d cases (4 dtypes x 6 axes, int32/int64 out) as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(prelu_argminmax_refuse_malformed_models) {
  const int32_t d[2] = {2, 3}, bad_alpha[1] = {4}, one[1] = {1}, axv[1] = {2};
  tl_om m;
  tl_om_init(&m); /* alpha that does not broadcast */
  tl_om_input(&m, TL_TFL_FLOAT32, 2, d, NULL, NULL);
  tl_om_input(&m, TL_TFL_FLOAT32, 1, bad_alpha, NULL, NULL);
  tl_om_output(&m, TL_TFL_FLOAT32, 2, d, NULL);
  EXPECT(tl_om_check(NULL, NULL, &m, TL_BUILTIN_PRELU, 1, NULL, "PRELU alpha", "cannot be broadcast"));
  tl_om_init(&m); /* axis out of range */
  tl_om_input(&m, TL_TFL_FLOAT32, 2, d, NULL, NULL);
  tl_om_const(&m, TL_TFL_INT32, 1, one, axv, NULL);
  tl_om_output(&m, TL_TFL_INT64, 1, d, NULL);
  EXPECT(tl_om_check(NULL, NULL, &m, TL_BUILTIN_ARG_MAX, 1, NULL, "ARG_MAX axis", "out of range"));
  tl_om_init(&m); /* float output */
  tl_om_input(&m, TL_TFL_FLOAT32, 2, d, NULL, NULL);
  tl_om_const(&m, TL_TFL_INT32, 1, one, one, NULL);
  tl_om_output(&m, TL_TFL_FLOAT32, 1, d, NULL);
  EXPECT(tl_om_check(NULL, NULL, &m, TL_BUILTIN_ARG_MAX, 1, NULL, "ARG_MAX output", "not INT32 or INT64"));
}

TEST_MAIN(T(prelu_matches_tflite), T(arg_min_max_match_tflite), T(prelu_argminmax_refuse_malformed_models))

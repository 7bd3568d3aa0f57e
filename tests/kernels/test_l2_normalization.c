/* SPDX-License-Identifier: Apache-2.0
 * L2_NORMALIZATION (src/kernels/ops/l2_normalization.c) against the real TensorFlow Lite's builtin
 * kernels: float32 (all-zero rows among them, where the 1e-6 floor applies), uint8 and int8 with
 * random zero points, last dimensions from 1 to 64. Every output byte must agree; an output
 * quantization other than TFLite's fixed 1/128 is refused with a message. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "format/schema.h"
#include "test.h"
#include "tflite_oracle.h"

TEST(l2_normalization_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const int types[] = {TL_TFL_FLOAT32, TL_TFL_UINT8, TL_TFL_INT8};
  static const int32_t depths[] = {1, 3, 8, 17, 64};
  int ok = 0, n = 0;
  for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
    for (size_t k = 0; k < sizeof depths / sizeof depths[0]; k++) {
      const int32_t d[3] = {2, 3, depths[k]};
      float si[1] = {0.02f}, so[1] = {1.0f / 128};
      int64_t zi[1] = {types[t] == TL_TFL_UINT8 ? 100 + (int)k : (int)k - 2}, zo[1] = {types[t] == TL_TFL_UINT8 ? 128 : 0};
      tl_tfl_quant qi = {1, si, zi, 0, 0, NULL, NULL}, qo = {1, so, zo, 0, 0, NULL, NULL};
      const int q = types[t] != TL_TFL_FLOAT32;
      static float f[6 * 64];
      for (int i = 0; i < 6 * depths[k]; i++) f[i] = i < depths[k] ? 0.f : (float)((i * 31) % 19 - 9) / 5.f;
      tl_om m;
      tl_om_init(&m);
      tl_om_input(&m, types[t], 3, d, q ? &qi : NULL, q ? NULL : f);
      tl_om_output(&m, types[t], 3, d, q ? &qo : NULL);
      n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_L2_NORMALIZATION, q ? 2 : 1, NULL, "L2_NORMALIZATION", NULL);
    }
  printf("  L2_NORMALIZATION: %d/%d cases (float32, uint8, int8 x 5 depths) as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(l2_normalization_refuses_wrong_output_scale) {
  const int32_t d[2] = {2, 4};
  float si[1] = {0.02f}, so[1] = {0.01f};
  int64_t z[1] = {0};
  tl_tfl_quant qi = {1, si, z, 0, 0, NULL, NULL}, qo = {1, so, z, 0, 0, NULL, NULL};
  tl_om m;
  tl_om_init(&m);
  tl_om_input(&m, TL_TFL_INT8, 2, d, &qi, NULL);
  tl_om_output(&m, TL_TFL_INT8, 2, d, &qo);
  EXPECT(tl_om_check(NULL, NULL, &m, TL_BUILTIN_L2_NORMALIZATION, 2, NULL, "L2 output scale", "scale 1/128"));
}

/* LOCAL_RESPONSE_NORMALIZATION: radius 0..9 (wider than the depth too), beta 1, 0.5 and 0.75. Within
 * 2 ulp: TFLite's Eigen build evaluates the power's sqrt path its own way; most values are equal. */
TEST(local_response_normalization_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const struct {
    int radius;
    float bias, alpha, beta;
  } cases[] = {{2, 1.f, 1e-4f, 0.75f}, {0, 2.f, 0.5f, 1.f}, {1, 1.f, 0.2f, 0.5f}, {3, 0.5f, 0.01f, 0.75f}, {9, 1.f, 0.3f, 1.f}};
  enum { NX = 2 * 3 * 3 * 7 };
  static float x[NX], ya[NX], yb[NX];
  for (int i = 0; i < NX; i++) x[i] = (float)((i * 37) % 23) / 5.f - 2.f;
  char path[256], err[1024];
  snprintf(path, sizeof path, "/tmp/tl_lrn_%ld.tflite", (long)getpid());
  int ok = 0, same = 0;
  const int n = (int)(sizeof cases / sizeof cases[0]);
  for (int c = 0; c < n; c++) {
    const int32_t d[4] = {2, 3, 3, 7};
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_FLOAT32, 4, d, NULL, x);
    tl_om_output(&m, TL_TFL_FLOAT32, 4, d, NULL);
    tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_LRN);
    tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I32, cases[c].radius);
    tl_tfl_opts_set_float(&o, 1, TL_TFL_F_F32, cases[c].bias);
    tl_tfl_opts_set_float(&o, 2, TL_TFL_F_F32, cases[c].alpha);
    tl_tfl_opts_set_float(&o, 3, TL_TFL_F_F32, cases[c].beta);
    tl_tfl_add_op(m.b, 0, TL_BUILTIN_LOCAL_RESPONSE_NORMALIZATION, 1, m.ins, m.n_ins, m.outs, m.n_outs, &o);
    tl_tfl_set_io(m.b, 0, m.act, m.n_act, m.outs, m.n_outs);
    const int wrote = tl_tfl_write_file(m.b, path, err, sizeof err) == 0;
    tl_tfl_builder_free(m.b);
    const void *ins[1] = {x};
    const size_t nb = sizeof x;
    void *oa[1] = {ya}, *ob[1] = {yb};
    if (!wrote || tl_oracle_tflite(ref, NULL, path, 1, ins, &nb, 1, oa, &nb, err, sizeof err) ||
        tl_oracle_tinylite(path, 1, ins, &nb, 1, ob, &nb, err, sizeof err)) {
      fprintf(stderr, "  case %d: %s\n", c, err);
      continue;
    }
    int good = 1;
    for (int i = 0; i < NX; i++) {
      const float tol = 2.4e-7f * (ya[i] < 0 ? -ya[i] : ya[i]);
      good &= ya[i] - yb[i] <= tol && yb[i] - ya[i] <= tol;
      same += ya[i] == yb[i];
    }
    if (!good) fprintf(stderr, "  case %d: outputs differ by more than 2 ulp\n", c);
    ok += good;
  }
  printf("  LOCAL_RESPONSE_NORMALIZATION: %d/%d parameter sets as TensorFlow Lite, %d of %d values identical\n", ok, n, same,
         n * NX);
  EXPECT_EQ(ok, n);
  unlink(path);
}

TEST_MAIN(T(l2_normalization_matches_tflite), T(l2_normalization_refuses_wrong_output_scale),
          T(local_response_normalization_matches_tflite))

/* SPDX-License-Identifier: Apache-2.0
 * TILE, BROADCAST_TO, MIRROR_PAD, REVERSE_V2, GATHER_ND, ZEROS_LIKE, RANGE, CUMSUM, ONE_HOT, EMBEDDING_LOOKUP
 * and ADD_N against the real
 * TensorFlow Lite's builtin kernels on single-op models (constant shape operands, float32 and int8
 * data, several ranks). Every output byte must agree; the CVE classes (negative multiples or
 * paddings, paddings larger than REFLECT allows, out-of-range axes and indices, delta 0) are
 * refused with a message. */
#include <stdint.h>
#include <stdio.h>

#include "format/schema.h"
#include "test.h"
#include "tflite_oracle.h"

static const int32_t D3[3] = {2, 3, 4};

TEST(index_map_ops_match_tflite) {
  REQUIRE_TFLITE_REF(ref);
  int ok = 0, n = 0;
  for (int t = 0; t < 2; t++) {
    const int type = t ? TL_TFL_INT8 : TL_TFL_FLOAT32;
    { /* TILE */
      const int32_t three[1] = {3}, mult[3] = {2, 1, 3}, od[3] = {4, 3, 12};
      tl_om m;
      tl_om_init(&m);
      tl_om_input(&m, type, 3, D3, NULL, NULL);
      tl_om_const(&m, TL_TFL_INT32, 1, three, mult, NULL);
      tl_om_output(&m, type, 3, od, NULL);
      n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_TILE, 1, NULL, "TILE", NULL);
    }
    { /* BROADCAST_TO (TFLite 2.9 has it) */
      const int32_t in_d[2] = {3, 1}, four[1] = {4}, sh[4] = {2, 2, 3, 5};
      tl_om m;
      tl_om_init(&m);
      tl_om_input(&m, type, 2, in_d, NULL, NULL);
      tl_om_const(&m, TL_TFL_INT32, 1, four, sh, NULL);
      tl_om_output(&m, type, 4, sh, NULL);
      n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_BROADCAST_TO, 2, NULL, "BROADCAST_TO", NULL);
    }
    for (int mode = 0; mode < 2; mode++) { /* MIRROR_PAD */
      const int32_t pd[2] = {3, 2}, pads[6] = {1, 0, 2, 1, 0, 3}, od[3] = {3, 6, 7};
      tl_om m;
      tl_om_init(&m);
      tl_om_input(&m, type, 3, D3, NULL, NULL);
      tl_om_const(&m, TL_TFL_INT32, 2, pd, pads, NULL);
      tl_om_output(&m, type, 3, od, NULL);
      tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_MIRROR_PAD);
      tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I8, mode);
      n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_MIRROR_PAD, 1, &o, mode ? "MIRROR_PAD SYMMETRIC" : "MIRROR_PAD REFLECT", NULL);
    }
    { /* REVERSE_V2 over one axis (TFLite 2.9 takes one) */
      for (int ax = -1; ax < 3; ax++) {
        const int32_t one[1] = {1}, axv[1] = {ax};
        tl_om m;
        tl_om_init(&m);
        tl_om_input(&m, type, 3, D3, NULL, NULL);
        tl_om_const(&m, TL_TFL_INT32, 1, one, axv, NULL);
        tl_om_output(&m, type, 3, D3, NULL);
        n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_REVERSE_V2, t ? 2 : 1, NULL, "REVERSE_V2", NULL);
      }
    }
    { /* GATHER_ND, depth 1 and 2 */
      for (int k = 1; k <= 2; k++) {
        const int32_t id[2] = {5, k}, ix1[5] = {1, 0, 1, 1, 0}, ix2[10] = {1, 2, 0, 0, 1, 1, 0, 2, 1, 0};
        const int32_t od1[3] = {5, 3, 4}, od2[2] = {5, 4};
        tl_om m;
        tl_om_init(&m);
        tl_om_input(&m, type, 3, D3, NULL, NULL);
        tl_om_const(&m, TL_TFL_INT32, 2, id, k == 1 ? ix1 : ix2, NULL);
        tl_om_output(&m, type, k == 1 ? 3 : 2, k == 1 ? od1 : od2, NULL);
        n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_GATHER_ND, t ? 2 : 1, NULL, "GATHER_ND", NULL);
      }
    }
  }
  { /* ZEROS_LIKE, RANGE */
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_FLOAT32, 3, D3, NULL, NULL);
    tl_om_output(&m, TL_TFL_FLOAT32, 3, D3, NULL);
    n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_ZEROS_LIKE, 1, NULL, "ZEROS_LIKE", NULL);
    static const struct {
      int type;
      float f[3];
      int32_t i[3], len;
    } r[] = {{TL_TFL_INT32, {0}, {3, 20, 4}, 5}, {TL_TFL_INT32, {0}, {10, -3, -3}, 5}, {TL_TFL_FLOAT32, {0.5f, 3.2f, 0.3f}, {0}, 9},
             {TL_TFL_FLOAT32, {1.f, -1.f, -0.25f}, {0}, 8}};
    for (size_t k = 0; k < sizeof r / sizeof r[0]; k++) {
      const int32_t one[1] = {1}, od[1] = {r[k].len};
      tl_om_init(&m);
      for (int j = 0; j < 3; j++)
        tl_om_const(&m, r[k].type, 0, one, r[k].type == TL_TFL_INT32 ? (const void *)&r[k].i[j] : (const void *)&r[k].f[j], NULL);
      tl_om_output(&m, r[k].type, 1, od, NULL);
      /* every operand is a constant; the reference runner wants an input file, so the model gets a
       * graph input that no op reads */
      m.act[m.n_act] = tl_tfl_add_tensor(m.b, 0, "unused", TL_TFL_FLOAT32, 1, one, NULL, 0, NULL, 0);
      m.act_bytes[m.n_act] = 4, m.act_data[m.n_act++] = NULL;
      n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_RANGE, 1, NULL, "RANGE", NULL);
    }
  }
  { /* CUMSUM: every axis, exclusive and reverse; float data in quarters so sums are exact */
    static float q[24];
    static int32_t qi[24];
    for (int i = 0; i < 24; i++) q[i] = (float)((i * 7) % 9 - 4) / 4.f, qi[i] = (i * 7) % 9 - 4;
    for (int t = 0; t < 2; t++)
      for (int axis = -1; axis < 3; axis++)
        for (int flags = 0; flags < 4; flags++) {
          const int32_t one[1] = {1}, axv[1] = {axis};
          tl_om m;
          tl_om_init(&m);
          tl_om_input(&m, t ? TL_TFL_INT32 : TL_TFL_FLOAT32, 3, D3, NULL, t ? (const void *)qi : (const void *)q);
          tl_om_const(&m, TL_TFL_INT32, 0, one, axv, NULL);
          tl_om_output(&m, t ? TL_TFL_INT32 : TL_TFL_FLOAT32, 3, D3, NULL);
          tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_CUMSUM);
          tl_tfl_opts_set_int(&o, 0, TL_TFL_F_BOOL, flags & 1);
          tl_tfl_opts_set_int(&o, 1, TL_TFL_F_BOOL, flags >> 1);
          n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_CUMSUM, 1, &o, "CUMSUM", NULL);
        }
  }
  { /* ONE_HOT on each axis, indices in and out of range */
    static const int32_t ix[6] = {0, 3, -1, 2, 7, 1}, id[2] = {2, 3};
    for (int axis = -1; axis < 3; axis++) {
      const int32_t one[1] = {1}, depth = 4;
      const float on = 1.5f, off = -0.25f;
      int32_t od[3];
      const int a = axis < 0 ? 2 : axis;
      for (int i = 0, j = 0; i < 3; i++) od[i] = i == a ? 4 : id[j++];
      tl_om m;
      tl_om_init(&m);
      tl_om_input(&m, TL_TFL_INT32, 2, id, NULL, ix);
      tl_om_const(&m, TL_TFL_INT32, 0, one, &depth, NULL);
      tl_om_const(&m, TL_TFL_FLOAT32, 0, one, &on, NULL);
      tl_om_const(&m, TL_TFL_FLOAT32, 0, one, &off, NULL);
      tl_om_output(&m, TL_TFL_FLOAT32, 3, od, NULL);
      tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_ONE_HOT);
      tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I32, axis);
      n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_ONE_HOT, 1, &o, "ONE_HOT", NULL);
    }
  }
  { /* EMBEDDING_LOOKUP: float rows, int8 rows, the hybrid int8 -> float form with one scale (TFLite 2.9)
     * and with a scale per row (newer TFLite: LiteRT, whose XNNPACK does not take this op) */
    const int32_t vd[2] = {5, 3}, ld[1] = {4}, lk[4] = {4, 0, 4, 2}, od[2] = {4, 3};
    float sc[5] = {0.5f, 0.25f, 2.f, 0.125f, 1.5f};
    int64_t zp[5] = {0};
    tl_tfl_quant pr = {5, sc, zp, 0, 0, NULL, NULL};
    tl_tfl_quant pt = {1, sc, zp, 0, 0, NULL, NULL};
    for (int k = 0; k < 4; k++) {
      tl_om m;
      tl_om_init(&m);
      tl_om_input(&m, TL_TFL_INT32, 1, ld, NULL, lk);
      /* the table is a constant, as in real models (LiteRT reads a hybrid one only so) */
      static const float tf[15] = {0.5f, -1.f, 2.f, 3.f, -4.f, 5.f, 6.f, 7.f, -8.f, 9.f, 10.f, 11.f, 12.f, -13.f, 14.f};
      static const int8_t ti[15] = {1, -2, 3, -128, 127, 6, -7, 8, 9, -10, 11, 12, -13, 14, 15};
      tl_om_const(&m, k ? TL_TFL_INT8 : TL_TFL_FLOAT32, 2, vd, k ? (const void *)ti : (const void *)tf, k == 2 ? &pt : k == 3 ? &pr : NULL);
      tl_om_output(&m, k == 1 ? TL_TFL_INT8 : TL_TFL_FLOAT32, 2, od, NULL);
      n++, ok += tl_om_check(ref, k == 3 ? "--runtime litert" : NULL, &m, TL_BUILTIN_EMBEDDING_LOOKUP, k >= 2 ? 3 : 1, NULL,
                             "EMBEDDING_LOOKUP", NULL);
    }
  }
  { /* ADD_N of 3 float32 / int32 inputs */
    for (int t = 0; t < 2; t++) {
      tl_om m;
      tl_om_init(&m);
      for (int k = 0; k < 3; k++) tl_om_input(&m, t ? TL_TFL_INT32 : TL_TFL_FLOAT32, 3, D3, NULL, NULL);
      tl_om_output(&m, t ? TL_TFL_INT32 : TL_TFL_FLOAT32, 3, D3, NULL);
      n++, ok += tl_om_check(ref, NULL, &m, TL_BUILTIN_ADD_N, 1, NULL, "ADD_N", NULL);
    }
  }
  printf("  TILE, BROADCAST_TO, MIRROR_PAD, REVERSE_V2, GATHER_ND, ZEROS_LIKE, RANGE, CUMSUM, ONE_HOT, EMBEDDING_LOOKUP, ADD_N: %d/%d cases as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(index_map_ops_refuse_malformed_models) {
  const int32_t three[1] = {3}, neg[3] = {1, -1, 1}, pd[2] = {3, 2}, big_pads[6] = {2, 0, 0, 0, 0, 0}, one[1] = {1}, ax[1] = {3};
  tl_om m;
  tl_om_init(&m);
  tl_om_input(&m, TL_TFL_FLOAT32, 3, D3, NULL, NULL);
  tl_om_const(&m, TL_TFL_INT32, 1, three, neg, NULL);
  tl_om_output(&m, TL_TFL_FLOAT32, 3, D3, NULL);
  EXPECT(tl_om_check(NULL, NULL, &m, TL_BUILTIN_TILE, 1, NULL, "TILE negative", "is negative"));
  tl_om_init(&m);
  tl_om_input(&m, TL_TFL_FLOAT32, 3, D3, NULL, NULL);
  tl_om_const(&m, TL_TFL_INT32, 2, pd, big_pads, NULL);
  tl_om_output(&m, TL_TFL_FLOAT32, 3, D3, NULL);
  EXPECT(tl_om_check(NULL, NULL, &m, TL_BUILTIN_MIRROR_PAD, 1, NULL, "MIRROR_PAD too much", "exceed what REFLECT allows"));
  tl_om_init(&m);
  tl_om_input(&m, TL_TFL_FLOAT32, 3, D3, NULL, NULL);
  tl_om_const(&m, TL_TFL_INT32, 1, one, ax, NULL);
  tl_om_output(&m, TL_TFL_FLOAT32, 3, D3, NULL);
  EXPECT(tl_om_check(NULL, NULL, &m, TL_BUILTIN_REVERSE_V2, 1, NULL, "REVERSE_V2 axis", "out of range"));
  const int32_t id[2] = {1, 1}, bad_ix[1] = {7}, od[3] = {1, 3, 4};
  tl_om_init(&m);
  tl_om_input(&m, TL_TFL_FLOAT32, 3, D3, NULL, NULL);
  tl_om_input(&m, TL_TFL_INT32, 2, id, NULL, bad_ix);
  tl_om_output(&m, TL_TFL_FLOAT32, 3, od, NULL);
  EXPECT(tl_om_check(NULL, NULL, &m, TL_BUILTIN_GATHER_ND, 1, NULL, "GATHER_ND index", "index 7 out of range"));
  const int32_t z[3] = {0, 5, 0}, od1[1] = {1};
  tl_om_init(&m);
  for (int j = 0; j < 3; j++) tl_om_const(&m, TL_TFL_INT32, 0, one, &z[j], NULL);
  tl_om_output(&m, TL_TFL_INT32, 1, od1, NULL);
  EXPECT(tl_om_check(NULL, NULL, &m, TL_BUILTIN_RANGE, 1, NULL, "RANGE delta 0", "delta must be non-zero"));
}

TEST_MAIN(T(index_map_ops_match_tflite), T(index_map_ops_refuse_malformed_models))

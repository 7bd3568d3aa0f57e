/* SPDX-License-Identifier: Apache-2.0
 * Ops whose output shape comes from values (src/kernels/ops/where_unique.c, scatter_nd.c, shape.c)
 * against the real TensorFlow Lite, with the values fed at run time so tinylite shapes them at
 * invoke: WHERE on bool, float and int32 conditions (none, some and all true), UNIQUE on int32 and
 * float vectors with int32 and int64 indices, SCATTER_ND with repeated indices into float and int32
 * outputs, RANK, BROADCAST_ARGS, SPARSE_TO_DENSE (2-D and 1-D indices, a run-time output shape;
 * a scalar value for several indices is refused as TFLite 2.9 does). Every output byte and the output shapes must agree; an index outside
 * SCATTER_ND's or SPARSE_TO_DENSE's shape fails the invoke. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "format/schema.h"
#include "test.h"
#include "tflite_oracle.h"
#include "tinylite.h"

static char g_path[256];

/* Writes m with op `code` (opts may be NULL) to g_path. */
static int finish(tl_om *m, int code, const tl_tfl_options *opts) {
  tl_tfl_add_op(m->b, 0, code, 1, m->ins, m->n_ins, m->outs, m->n_outs, opts);
  tl_tfl_set_io(m->b, 0, m->act, m->n_act, m->outs, m->n_outs);
  char err[256];
  const int rc = tl_tfl_write_file(m->b, g_path, err, sizeof err);
  tl_tfl_builder_free(m->b);
  if (rc) fprintf(stderr, "  writer: %s\n", err);
  return rc == 0;
}

/* Runs g_path in both runtimes; outputs of the given byte sizes must be identical. */
static int both_agree(const char *ref, const char *what, int n_in, const void *const *ins, const size_t *inb, int n_out,
                      const size_t *outb) {
  static uint8_t a[4][4096], b[4][4096];
  void *oa[4] = {a[0], a[1], a[2], a[3]}, *ob[4] = {b[0], b[1], b[2], b[3]};
  char err[1024];
  if (tl_oracle_tflite(ref, NULL, g_path, n_in, ins, inb, n_out, oa, outb, err, sizeof err))
    return fprintf(stderr, "  %s: TensorFlow Lite: %s\n", what, err), 0;
  if (tl_oracle_tinylite(g_path, n_in, ins, inb, n_out, ob, outb, err, sizeof err))
    return fprintf(stderr, "  %s: tinylite: %s\n", what, err), 0;
  for (int j = 0; j < n_out; j++)
    if (memcmp(a[j], b[j], outb[j])) return fprintf(stderr, "  %s: output %d differs\n", what, j), 0;
  return 1;
}

TEST(where_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const int types[] = {TL_TFL_BOOL, TL_TFL_FLOAT32, TL_TFL_INT32};
  static const size_t es[] = {1, 4, 4};
  int ok = 0, n = 0;
  for (int t = 0; t < 3; t++)
    for (int pattern = 0; pattern < 3; pattern++) { /* none, some, all true */
      const int32_t dims[2] = {3, 4}, placeholder[2] = {1, 2};
      uint8_t data[12 * 4] = {0};
      int count = 0;
      for (int i = 0; i < 12; i++) {
        const int on = pattern == 2 || (pattern == 1 && (i * 5) % 3 == 0);
        count += on;
        if (types[t] == TL_TFL_BOOL) data[i] = (uint8_t)on;
        else if (types[t] == TL_TFL_FLOAT32) ((float *)(void *)data)[i] = on ? (float)i - 5.5f : 0.f;
        else ((int32_t *)(void *)data)[i] = on ? (i % 2 ? i + 1 : -i - 1) : 0;
      }
      tl_om m;
      tl_om_init(&m);
      tl_om_input(&m, types[t], 2, dims, NULL, data);
      tl_om_output(&m, TL_TFL_INT64, 2, placeholder, NULL);
      const void *ins[1] = {data};
      const size_t inb[1] = {12 * es[t]}, outb[1] = {(size_t)count * 2 * 8};
      n++;
      ok += finish(&m, TL_BUILTIN_WHERE, NULL) && both_agree(ref, "WHERE", 1, ins, inb, 1, outb);
    }
  printf("  WHERE: %d/%d conditions (bool, float32, int32; none, some, all true) as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

TEST(unique_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  const int32_t dims[1] = {10}, placeholder[1] = {1};
  const int32_t iv[10] = {4, 7, 4, -2, 7, 7, 0, -2, 9, 4};
  const float fv[10] = {1.5f, -0.f, 0.f, 2.f, 1.5f, 3.f, 2.f, -1.f, 3.f, 1.5f};
  int ok = 0;
  for (int k = 0; k < 4; k++) {
    const int is_float = k & 1, idx64 = k >> 1;
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, is_float ? TL_TFL_FLOAT32 : TL_TFL_INT32, 1, dims, NULL, is_float ? (const void *)fv : (const void *)iv);
    tl_om_output(&m, is_float ? TL_TFL_FLOAT32 : TL_TFL_INT32, 1, placeholder, NULL);
    tl_om_output(&m, idx64 ? TL_TFL_INT64 : TL_TFL_INT32, 1, dims, NULL);
    tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_UNIQUE);
    tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I8, idx64 ? TL_TFL_INT64 : TL_TFL_INT32);
    const void *ins[1] = {is_float ? (const void *)fv : (const void *)iv};
    const size_t inb[1] = {40}, outb[2] = {(size_t)(is_float ? 5 : 5) * 4, (size_t)10 * (idx64 ? 8 : 4)};
    ok += finish(&m, TL_BUILTIN_UNIQUE, &o) && both_agree(ref, "UNIQUE", 1, ins, inb, 2, outb);
  }
  printf("  UNIQUE: %d/4 (int32, float32 with -0 and 0; int32 and int64 indices) as TensorFlow Lite\n", ok);
  EXPECT_EQ(ok, 4);
}

/* indices [4, 1] (row 1 twice), updates [4, 3], shape [5, 3]; values of type t fed at run time. */
static int write_scatter(int t, const int32_t *idx) {
  const int32_t id[2] = {4, 1}, ud[2] = {4, 3}, sd[1] = {2}, od[2] = {5, 3}, shape[2] = {5, 3};
  tl_om m;
  tl_om_init(&m);
  tl_om_input(&m, TL_TFL_INT32, 2, id, NULL, idx);
  tl_om_input(&m, t, 2, ud, NULL, NULL);
  tl_om_const(&m, TL_TFL_INT32, 1, sd, shape, NULL);
  tl_om_output(&m, t, 2, od, NULL);
  return finish(&m, TL_BUILTIN_SCATTER_ND, NULL);
}

TEST(scatter_nd_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  const int32_t idx[4] = {1, 3, 1, 0};
  const float fu[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -2, -3};
  const int32_t iu[12] = {1, -2, 3, 4, 5, 6, 70, 8, 9, -10, 11, 12};
  int ok = 0;
  for (int k = 0; k < 2; k++) {
    const void *ins[2] = {idx, k ? (const void *)iu : (const void *)fu};
    const size_t inb[2] = {16, 48}, outb[1] = {60};
    ok += write_scatter(k ? TL_TFL_INT32 : TL_TFL_FLOAT32, idx) && both_agree(ref, "SCATTER_ND", 2, ins, inb, 1, outb);
  }
  printf("  SCATTER_ND: %d/2 (float32, int32, a repeated index) as TensorFlow Lite\n", ok);
  EXPECT_EQ(ok, 2);
}

TEST(scatter_nd_refuses_bad_indices) {
  const int32_t idx[4] = {1, 5, 1, 0}; /* 5 is outside [0, 5) */
  const float fu[12] = {0};
  EXPECT(write_scatter(TL_TFL_FLOAT32, idx));
  const void *ins[2] = {idx, fu};
  const size_t inb[2] = {16, 48}, outb[1] = {60};
  float out[15];
  void *o[1] = {out};
  char err[512];
  EXPECT(tl_oracle_tinylite(g_path, 2, ins, inb, 1, o, outb, err, sizeof err) != 0);
  EXPECT_STR_CONTAINS(err, "outside dim 0");
}

TEST(rank_and_broadcast_args_match_tflite) {
  REQUIRE_TFLITE_REF(ref);
  const int32_t d3[3] = {2, 3, 4}, v3[1] = {3}, v2[1] = {2}, one[1] = {1};
  tl_om m;
  tl_om_init(&m);
  tl_om_input(&m, TL_TFL_FLOAT32, 3, d3, NULL, NULL);
  tl_om_output(&m, TL_TFL_INT32, 0, one, NULL);
  const void *ins[2] = {NULL, NULL};
  const size_t inb[2] = {96, 0}, outb[1] = {4};
  static float x[24];
  ins[0] = x;
  int ok = finish(&m, TL_BUILTIN_RANK, NULL) && both_agree(ref, "RANK", 1, ins, inb, 1, outb);
  const int32_t a[3] = {4, 1, 6}, b[2] = {5, 1};
  tl_om_init(&m);
  tl_om_input(&m, TL_TFL_INT32, 1, v3, NULL, a);
  tl_om_input(&m, TL_TFL_INT32, 1, v2, NULL, b);
  tl_om_output(&m, TL_TFL_INT32, 1, v3, NULL);
  const void *ins2[2] = {a, b};
  const size_t inb2[2] = {12, 8}, outb2[1] = {12};
  ok += finish(&m, TL_BUILTIN_BROADCAST_ARGS, NULL) && both_agree(ref, "BROADCAST_ARGS", 2, ins2, inb2, 1, outb2);
  EXPECT_EQ(ok, 2);
}

/* SPARSE_TO_DENSE: indices idx (itype, idims), output_shape (const unless runtime_shape), values, a
 * default; the output is odims of vtype. */
static int sparse_to_dense(const char *ref, const char *what, int itype, int ind, const int32_t *idims, const void *idx,
                           int rank, const void *shape, int runtime_shape, int vtype, int vnd, const int32_t *vdims,
                           const void *vals, const void *def, const int32_t *odims, const char *refuse) {
  const int32_t one[1] = {1}, r[1] = {rank};
  tl_om m;
  tl_om_init(&m);
  tl_om_input(&m, itype, ind, idims, NULL, idx);
  if (runtime_shape) tl_om_input(&m, TL_TFL_INT32, 1, r, NULL, shape);
  else tl_om_const(&m, TL_TFL_INT32, 1, r, shape, NULL);
  tl_om_const(&m, vtype, vnd, vdims, vals, NULL);
  tl_om_const(&m, vtype, 0, one, def, NULL);
  tl_om_output(&m, vtype, rank, odims, NULL);
  return tl_om_check(ref, NULL, &m, TL_BUILTIN_SPARSE_TO_DENSE, 1, NULL, what, refuse);
}

TEST(sparse_to_dense_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  const int32_t i2[6] = {0, 1, 2, 3, 1, 0}, d32[2] = {3, 2}, s34[2] = {3, 4}, v3[1] = {3};
  const float fv[3] = {1.5f, -2.f, 7.f}, fdef = 0.25f;
  int ok = 0, n = 0;
  n++, ok += sparse_to_dense(ref, "2-D indices, float values", TL_TFL_INT32, 2, d32, i2, 2, s34, 0, TL_TFL_FLOAT32, 1, v3,
                             fv, &fdef, s34, NULL);
  const int64_t i1[3] = {5, 0, 2};
  const int32_t s6[1] = {6}, iv[3] = {7, -8, 9}, idef = -1;
  n++, ok += sparse_to_dense(ref, "1-D int64 indices, int32 values", TL_TFL_INT64, 1, v3, i1, 1, s6, 0, TL_TFL_INT32, 1,
                             v3, iv, &idef, s6, NULL);
  n++, ok += sparse_to_dense(ref, "one scalar for three indices", TL_TFL_INT64, 1, v3, i1, 1, s6, 0, TL_TFL_INT32, 0, v3,
                             iv, &idef, s6, "one per index");
  const int32_t i3[6] = {1, 2, 3, 0, 0, 1}, d23[2] = {2, 3}, s234[3] = {2, 3, 4}, v2[1] = {2};
  const int8_t bv[2] = {-100, 42}, bdef = 3;
  n++, ok += sparse_to_dense(ref, "3-D output, int8 values", TL_TFL_INT32, 2, d23, i3, 3, s234, 0, TL_TFL_INT8, 1, v2, bv,
                             &bdef, s234, NULL);
  const uint8_t uv[3] = {200, 1, 9}, udef = 17;
  n++, ok += sparse_to_dense(ref, "run-time output shape, uint8", TL_TFL_INT32, 2, d32, i2, 2, s34, 1, TL_TFL_UINT8, 1, v3,
                             uv, &udef, s34, NULL);
  const int32_t bad[6] = {0, 1, 2, 4, 1, 0}; /* 4 is outside [0, 4) */
  n++, ok += sparse_to_dense(ref, "an index outside the output", TL_TFL_INT32, 2, d32, bad, 2, s34, 0, TL_TFL_FLOAT32, 1,
                             v3, fv, &fdef, s34, "outside dimension 1");
  printf("  SPARSE_TO_DENSE: %d/%d cases as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
}

int main(int argc, char **argv) {
  snprintf(g_path, sizeof g_path, "/tmp/tl_data_shaped_%ld.tflite", (long)getpid());
  static const tl_test_case cases[] = {T(where_matches_tflite), T(unique_matches_tflite), T(scatter_nd_matches_tflite),
                                       T(scatter_nd_refuses_bad_indices), T(rank_and_broadcast_args_match_tflite),
                                       T(sparse_to_dense_matches_tflite)};
  const int rc = tl_test_main(argc, argv, cases, (int)(sizeof cases / sizeof cases[0]));
  unlink(g_path);
  return rc;
}

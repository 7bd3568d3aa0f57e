/* SPDX-License-Identifier: Apache-2.0
 * Run-time shapes (deferred nodes, src/runtime/interpreter.c): a SLICE sized by an input, the ops
 * after it, and a RESHAPE to a shape fed at run time, against the real TensorFlow Lite on several
 * sizes, each output byte and each output shape checked. Bad run-time values fail the invoke with a
 * message; a dynamic region too small says how much it needs; repeated invokes reuse the region. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/schema.h"
#include "format/tflite_writer.h"
#include "test.h"
#include "tflite_oracle.h"
#include "tinylite.h"

static const int32_t X_DIMS[2] = {2, 6}, V2[1] = {2}, PLACEHOLDER[2] = {1, 1};

/* y = RESHAPE(SLICE(x, [0,1], size)^2, shape); also SHAPE of the square. x [2,6] float, size and
 * shape int32 [2], all three fed at run time. */
static int write_model(const char *path) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  const int x = tl_tfl_add_tensor(b, 0, "x", TL_TFL_FLOAT32, 2, X_DIMS, NULL, 0, NULL, 0);
  const int size = tl_tfl_add_tensor(b, 0, "size", TL_TFL_INT32, 1, V2, NULL, 0, NULL, 0);
  const int shape = tl_tfl_add_tensor(b, 0, "shape", TL_TFL_INT32, 1, V2, NULL, 0, NULL, 0);
  const int32_t begin_v[2] = {0, 1};
  const int begin = tl_tfl_add_const_tensor(b, 0, "begin", TL_TFL_INT32, 1, V2, begin_v, sizeof begin_v, NULL);
  const int s = tl_tfl_add_tensor(b, 0, "slice", TL_TFL_FLOAT32, 2, PLACEHOLDER, NULL, 0, NULL, 0);
  const int sq = tl_tfl_add_tensor(b, 0, "square", TL_TFL_FLOAT32, 2, PLACEHOLDER, NULL, 0, NULL, 0);
  const int y = tl_tfl_add_tensor(b, 0, "y", TL_TFL_FLOAT32, 2, PLACEHOLDER, NULL, 0, NULL, 0);
  const int shp = tl_tfl_add_tensor(b, 0, "square_shape", TL_TFL_INT32, 1, V2, NULL, 0, NULL, 0);
  int si[3] = {x, begin, size}, so[1] = {s}, mi[2] = {s, s}, mo[1] = {sq}, ri[2] = {sq, shape}, ro[1] = {y};
  int hi[1] = {sq}, ho[1] = {shp};
  tl_tfl_options mul = tl_tfl_opts_mul(TL_TFL_ACT_NONE), resh = tl_tfl_opts_reshape(NULL, 0);
  tl_tfl_options shape_o = tl_tfl_opts_empty(TL_TFL_OPT_SHAPE);
  tl_tfl_opts_set_int(&shape_o, 0, TL_TFL_F_I32, TL_TFL_INT32); /* ShapeOptions.out_type */
  tl_tfl_add_op(b, 0, TL_BUILTIN_SLICE, 1, si, 3, so, 1, NULL);
  tl_tfl_add_op(b, 0, TL_BUILTIN_MUL, 1, mi, 2, mo, 1, &mul);
  tl_tfl_add_op(b, 0, TL_BUILTIN_RESHAPE, 1, ri, 2, ro, 1, &resh);
  tl_tfl_add_op(b, 0, TL_BUILTIN_SHAPE, 1, hi, 1, ho, 1, &shape_o);
  int ins[3] = {x, size, shape}, outs[2] = {y, shp};
  tl_tfl_set_io(b, 0, ins, 3, outs, 2);
  char err[256];
  const int rc = tl_tfl_write_file(b, path, err, sizeof err);
  if (rc) fprintf(stderr, "  writer: %s\n", err);
  tl_tfl_builder_free(b);
  return rc;
}

static const float X[12] = {1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6};

/* Loads path, sets x/size/shape, invokes. Returns the invoke status; *ipp and *mp stay open. */
static tl_status run(const char *path, const tl_interp_options *o, const int32_t size[2], const int32_t shape[2],
                     tl_model **mp, tl_interp **ipp) {
  char err[256];
  *ipp = NULL;
  *mp = NULL;
  if (tl_model_open(path, mp, err, sizeof err)) return TL_ERR_IO;
  tl_status st = tl_interp_new(*mp, o, ipp);
  if (!st) st = tl_interp_allocate(*ipp);
  if (st) return st;
  memcpy(tl_tensor_data(tl_interp_input(*ipp, 0)), X, sizeof X);
  memcpy(tl_tensor_data(tl_interp_input(*ipp, 1)), size, 8);
  memcpy(tl_tensor_data(tl_interp_input(*ipp, 2)), shape, 8);
  return tl_interp_invoke(*ipp);
}

static void close_all(tl_model *m, tl_interp *ip) {
  tl_interp_free(ip);
  tl_model_close(m);
}

TEST(runtime_shapes_match_tflite) {
  REQUIRE_TFLITE_REF(ref);
  char path[256], err[1024];
  snprintf(path, sizeof path, "/tmp/tl_dynamic_%ld.tflite", (long)getpid());
  EXPECT_EQ(write_model(path), 0);
  /* size (columns from column 1; -1 = to the end) and the shape to reshape to */
  static const int32_t cases[][4] = {{2, 3, 3, 2}, {2, 5, 10, 1}, {2, -1, -1, 2}, {1, 1, 1, 1}, {2, 2, 1, -1}};
  const int n = (int)(sizeof cases / sizeof cases[0]);
  int ok = 0;
  for (int c = 0; c < n; c++) {
    const int32_t *size = cases[c], *shape = cases[c] + 2;
    const int rows = size[0], cols = size[1] < 0 ? 5 : size[1], count = rows * cols;
    const int32_t want0 = shape[0] < 0 ? count / shape[1] : shape[0], want1 = shape[1] < 0 ? count / shape[0] : shape[1];
    float y_ref[12], y_tl[12];
    int32_t shp_ref[2], shp_tl[2];
    const void *ins[3] = {X, size, shape};
    const size_t inb[3] = {sizeof X, 8, 8}, outb[2] = {(size_t)count * 4, 8};
    void *o_ref[2] = {y_ref, shp_ref};
    if (tl_oracle_tflite(ref, NULL, path, 3, ins, inb, 2, o_ref, outb, err, sizeof err)) {
      fprintf(stderr, "  case %d: TensorFlow Lite: %s\n", c, err);
      continue;
    }
    tl_model *m;
    tl_interp *ip;
    tl_status st = run(path, NULL, size, shape, &m, &ip);
    if (st) {
      fprintf(stderr, "  case %d: tinylite: %s\n", c, ip ? tl_interp_errmsg(ip) : "load failed");
      close_all(m, ip);
      continue;
    }
    tl_tensor *y = tl_interp_output(ip, 0), *shp = tl_interp_output(ip, 1);
    const int shape_ok = tl_tensor_ndim(y) == 2 && tl_tensor_dim(y, 0) == want0 && tl_tensor_dim(y, 1) == want1 &&
                         tl_tensor_bytes(y) == outb[0];
    if (shape_ok) {
      memcpy(y_tl, tl_tensor_data(y), outb[0]);
      memcpy(shp_tl, tl_tensor_data(shp), 8);
    }
    if (!shape_ok) fprintf(stderr, "  case %d: output shape [%d,%d], expected [%d,%d]\n", c, (int)tl_tensor_dim(y, 0),
                           (int)tl_tensor_dim(y, 1), (int)want0, (int)want1);
    else if (memcmp(y_tl, y_ref, outb[0]) || memcmp(shp_tl, shp_ref, 8)) fprintf(stderr, "  case %d: values differ\n", c);
    else ok++;
    close_all(m, ip);
  }
  printf("  run-time shapes: %d/%d size/shape cases as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
  unlink(path);
}

TEST(bad_runtime_values_fail_the_invoke) {
  char path[256];
  snprintf(path, sizeof path, "/tmp/tl_dynamic_bad_%ld.tflite", (long)getpid());
  EXPECT_EQ(write_model(path), 0);
  static const struct {
    int32_t size[2], shape[2];
    const char *msg;
  } bad[] = {{{2, 6}, {2, 6}, "outside dim 1"}, {{3, 1}, {3, 1}, "outside dim 0"}, {{2, 3}, {4, 4}, "elements"},
             {{2, 3}, {-1, -1}, "-1"}};
  for (int c = 0; c < (int)(sizeof bad / sizeof bad[0]); c++) {
    tl_model *m;
    tl_interp *ip;
    EXPECT_EQ(run(path, NULL, bad[c].size, bad[c].shape, &m, &ip), TL_ERR_RUNTIME);
    if (ip) EXPECT_STR_CONTAINS(tl_interp_errmsg(ip), bad[c].msg);
    close_all(m, ip);
  }
  unlink(path);
}

TEST(dynamic_region_is_bounded_and_reused) {
  char path[256];
  snprintf(path, sizeof path, "/tmp/tl_dynamic_arena_%ld.tflite", (long)getpid());
  EXPECT_EQ(write_model(path), 0);
  const int32_t size[2] = {2, 5}, shape[2] = {5, 2};
  tl_model *m;
  tl_interp *ip;
  /* a caller arena with exactly what allocate plans leaves nothing for run-time shapes */
  EXPECT_EQ(run(path, NULL, size, shape, &m, &ip), TL_OK);
  const size_t planned = ip ? tl_interp_arena_used(ip) : 0;
  close_all(m, ip);
  unsigned char *arena = malloc(planned + 4096 + 16);
  tl_interp_options o = {0};
  o.arena = arena;
  o.arena_size = planned;
  EXPECT_EQ(run(path, &o, size, shape, &m, &ip), TL_ERR_NOMEM);
  if (ip) EXPECT_STR_CONTAINS(tl_interp_errmsg(ip), "dynamic region is too small");
  close_all(m, ip);
  /* 4 KiB more is enough, and stays enough over many invokes: the region is reset each time */
  o.arena_size = planned + 4096;
  EXPECT_EQ(run(path, &o, size, shape, &m, &ip), TL_OK);
  int fails = 0;
  for (int i = 0; ip && i < 1000; i++) fails += tl_interp_invoke(ip) != TL_OK;
  EXPECT_EQ(fails, 0);
  close_all(m, ip);
  /* without an arena, dynamic_size bounds the region the same way */
  tl_interp_options small = {0};
  small.dynamic_size = 16;
  EXPECT_EQ(run(path, &small, size, shape, &m, &ip), TL_ERR_NOMEM);
  close_all(m, ip);
  free(arena);
  unlink(path);
}

TEST_MAIN(T(runtime_shapes_match_tflite), T(bad_runtime_values_fail_the_invoke), T(dynamic_region_is_bounded_and_reused))

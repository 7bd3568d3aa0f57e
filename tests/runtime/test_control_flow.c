/* SPDX-License-Identifier: Apache-2.0
 * WHILE and IF (src/kernels/ops/while_if.c), and the BOOL ops their conditions use (LOGICAL_AND / OR /
 * NOT), against the real TensorFlow Lite's builtin kernels, on models written with tinylite's writer:
 * a counting loop that doubles a float tensor and accumulates an int32 (several trip counts, zero
 * among them), an IF whose branches compute different things, and the logical ops with broadcasting.
 * Every output byte must agree. Malformed control flow (a subgraph that calls itself, a wrong number
 * of outputs, a non-BOOL condition) is refused with a message. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "format/schema.h"
#include "format/tflite_writer.h"
#include "test.h"
#include "tflite_oracle.h"

static const int32_t SCALAR[1] = {1}, VEC[1] = {5};

/* main: (n, i, x) = WHILE(n, 0, x) with cond i < n, body (n, i + 1, x * 2 + i); outputs i and x.
 * cond_sg / body_sg / n_out let the malformed variants point elsewhere. */
static int write_while(const char *path, int cond_sg, int body_sg, int body_outs) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  /* subgraph 0 */
  const int n = tl_tfl_add_tensor(b, 0, "n", TL_TFL_INT32, 0, SCALAR, NULL, 0, NULL, 0);
  const int32_t zero = 0;
  const int i0 = tl_tfl_add_const_tensor(b, 0, "i0", TL_TFL_INT32, 0, SCALAR, &zero, 4, NULL);
  const int x = tl_tfl_add_tensor(b, 0, "x", TL_TFL_FLOAT32, 1, VEC, NULL, 0, NULL, 0);
  const int on = tl_tfl_add_tensor(b, 0, "n_out", TL_TFL_INT32, 0, SCALAR, NULL, 0, NULL, 0);
  const int oi = tl_tfl_add_tensor(b, 0, "i_out", TL_TFL_INT32, 0, SCALAR, NULL, 0, NULL, 0);
  const int ox = tl_tfl_add_tensor(b, 0, "x_out", TL_TFL_FLOAT32, 1, VEC, NULL, 0, NULL, 0);
  int ins[3] = {n, i0, x}, outs[3] = {on, oi, ox};
  tl_tfl_options w = tl_tfl_opts_empty(TL_TFL_OPT_WHILE);
  tl_tfl_opts_set_int(&w, 0, TL_TFL_F_I32, cond_sg);
  tl_tfl_opts_set_int(&w, 1, TL_TFL_F_I32, body_sg);
  tl_tfl_add_op(b, 0, TL_BUILTIN_WHILE, 1, ins, 3, outs, 3, &w);
  int main_in[2] = {n, x}, main_out[2] = {oi, ox};
  tl_tfl_set_io(b, 0, main_in, 2, main_out, 2);
  /* subgraph 1: cond */
  const int c = tl_tfl_add_subgraph(b, "cond");
  const int cn = tl_tfl_add_tensor(b, c, "n", TL_TFL_INT32, 0, SCALAR, NULL, 0, NULL, 0);
  const int ci = tl_tfl_add_tensor(b, c, "i", TL_TFL_INT32, 0, SCALAR, NULL, 0, NULL, 0);
  const int cx = tl_tfl_add_tensor(b, c, "x", TL_TFL_FLOAT32, 1, VEC, NULL, 0, NULL, 0);
  const int cr = tl_tfl_add_tensor(b, c, "go", TL_TFL_BOOL, 0, SCALAR, NULL, 0, NULL, 0);
  int lin[2] = {ci, cn}, lout[1] = {cr}, c_in[3] = {cn, ci, cx};
  tl_tfl_add_op(b, c, TL_BUILTIN_LESS, 1, lin, 2, lout, 1, NULL);
  tl_tfl_set_io(b, c, c_in, 3, lout, 1);
  /* subgraph 2: body */
  const int d = tl_tfl_add_subgraph(b, "body");
  const int bn = tl_tfl_add_tensor(b, d, "n", TL_TFL_INT32, 0, SCALAR, NULL, 0, NULL, 0);
  const int bi = tl_tfl_add_tensor(b, d, "i", TL_TFL_INT32, 0, SCALAR, NULL, 0, NULL, 0);
  const int bx = tl_tfl_add_tensor(b, d, "x", TL_TFL_FLOAT32, 1, VEC, NULL, 0, NULL, 0);
  const int32_t one = 1;
  const float two = 2.f;
  const int k1 = tl_tfl_add_const_tensor(b, d, "one", TL_TFL_INT32, 0, SCALAR, &one, 4, NULL);
  const int k2 = tl_tfl_add_const_tensor(b, d, "two", TL_TFL_FLOAT32, 0, SCALAR, &two, 4, NULL);
  const int ni = tl_tfl_add_tensor(b, d, "i1", TL_TFL_INT32, 0, SCALAR, NULL, 0, NULL, 0);
  const int x2 = tl_tfl_add_tensor(b, d, "x2", TL_TFL_FLOAT32, 1, VEC, NULL, 0, NULL, 0);
  const int fi = tl_tfl_add_tensor(b, d, "fi", TL_TFL_FLOAT32, 0, SCALAR, NULL, 0, NULL, 0);
  const int nx = tl_tfl_add_tensor(b, d, "x1", TL_TFL_FLOAT32, 1, VEC, NULL, 0, NULL, 0);
  int a1[2] = {bi, k1}, a1o[1] = {ni}, m1[2] = {bx, k2}, m1o[1] = {x2}, c1[1] = {bi}, c1o[1] = {fi}, a2[2] = {x2, fi}, a2o[1] = {nx};
  tl_tfl_options add = tl_tfl_opts_add(TL_TFL_ACT_NONE), mul = tl_tfl_opts_mul(TL_TFL_ACT_NONE);
  tl_tfl_add_op(b, d, TL_BUILTIN_ADD, 1, a1, 2, a1o, 1, &add);
  tl_tfl_add_op(b, d, TL_BUILTIN_MUL, 1, m1, 2, m1o, 1, &mul);
  tl_tfl_add_op(b, d, TL_BUILTIN_CAST, 1, c1, 1, c1o, 1, NULL);
  tl_tfl_add_op(b, d, TL_BUILTIN_ADD, 1, a2, 2, a2o, 1, &add);
  int b_in[3] = {bn, bi, bx}, b_out[3] = {bn, ni, nx};
  tl_tfl_set_io(b, d, b_in, 3, b_out, body_outs);
  char err[256];
  const int rc = tl_tfl_write_file(b, path, err, sizeof err);
  if (rc) fprintf(stderr, "  writer: %s\n", err);
  tl_tfl_builder_free(b);
  return rc;
}

TEST(while_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  char path[256], err[1024];
  snprintf(path, sizeof path, "/tmp/tl_while_%ld.tflite", (long)getpid());
  EXPECT_EQ(write_while(path, 1, 2, 3), 0);
  int ok = 0, n = 0;
  for (int32_t trips = -1; trips <= 6; trips++) {
    const float x[5] = {1.f, -2.f, 0.5f, 3.f, -0.25f};
    const void *ins[2] = {&trips, x};
    const size_t inb[2] = {4, sizeof x}, outb[2] = {4, sizeof x};
    int32_t i1, i2;
    float x1[5], x2[5];
    void *o1[2] = {&i1, x1}, *o2[2] = {&i2, x2};
    n++;
    if (tl_oracle_tinylite(path, 2, ins, inb, 2, o1, outb, err, sizeof err)) fprintf(stderr, "  tinylite: %s\n", err);
    else if (tl_oracle_tflite(ref, NULL, path, 2, ins, inb, 2, o2, outb, err, sizeof err)) fprintf(stderr, "  TensorFlow Lite: %s\n", err);
    else if (i1 != i2 || memcmp(x1, x2, sizeof x1)) fprintf(stderr, "  %d trips: outputs differ (i %d vs %d)\n", trips, i1, i2);
    else ok++;
  }
  printf("  WHILE: %d/%d trip counts (-1..6) as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
  unlink(path);
}

TEST(while_refuses_malformed_models) {
  char path[256], err[1024];
  snprintf(path, sizeof path, "/tmp/tl_while_bad_%ld.tflite", (long)getpid());
  static const struct {
    int cond, body, outs;
    const char *msg;
  } bad[] = {{0, 2, 3, "(a cycle)"}, {1, 5, 3, "subgraph index 5 out of range"},
             {2, 2, 3, "the op needs 3 and 1"}, {1, 2, 2, "the op needs 3 and 3"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    EXPECT_EQ(write_while(path, bad[i].cond, bad[i].body, bad[i].outs), 0);
    const int32_t trips = 2;
    const float x[5] = {0};
    const void *ins[2] = {&trips, x};
    const size_t inb[2] = {4, sizeof x}, outb[2] = {4, sizeof x};
    int32_t i1;
    float x1[5];
    void *o1[2] = {&i1, x1};
    EXPECT(tl_oracle_tinylite(path, 2, ins, inb, 2, o1, outb, err, sizeof err) != 0);
    EXPECT_STR_CONTAINS(err, bad[i].msg);
  }
  unlink(path);
}

/* main: y = IF(c, x) with then: x + 1, else: x * 3. */
TEST(if_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  tl_tfl_builder *b = tl_tfl_builder_new();
  const int c = tl_tfl_add_tensor(b, 0, "c", TL_TFL_BOOL, 0, SCALAR, NULL, 0, NULL, 0);
  const int x = tl_tfl_add_tensor(b, 0, "x", TL_TFL_FLOAT32, 1, VEC, NULL, 0, NULL, 0);
  const int y = tl_tfl_add_tensor(b, 0, "y", TL_TFL_FLOAT32, 1, VEC, NULL, 0, NULL, 0);
  int ins[2] = {c, x}, outs[1] = {y};
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_IF);
  tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I32, 1);
  tl_tfl_opts_set_int(&o, 1, TL_TFL_F_I32, 2);
  tl_tfl_add_op(b, 0, TL_BUILTIN_IF, 1, ins, 2, outs, 1, &o);
  tl_tfl_set_io(b, 0, ins, 2, outs, 1);
  for (int br = 0; br < 2; br++) {
    const int sg = tl_tfl_add_subgraph(b, br ? "else" : "then");
    const float k = br ? 3.f : 1.f;
    const int bx = tl_tfl_add_tensor(b, sg, "x", TL_TFL_FLOAT32, 1, VEC, NULL, 0, NULL, 0);
    const int bk = tl_tfl_add_const_tensor(b, sg, "k", TL_TFL_FLOAT32, 0, SCALAR, &k, 4, NULL);
    const int by = tl_tfl_add_tensor(b, sg, "y", TL_TFL_FLOAT32, 1, VEC, NULL, 0, NULL, 0);
    int bin[2] = {bx, bk}, bout[1] = {by}, sin_[1] = {bx};
    tl_tfl_options op = br ? tl_tfl_opts_mul(TL_TFL_ACT_NONE) : tl_tfl_opts_add(TL_TFL_ACT_NONE);
    tl_tfl_add_op(b, sg, br ? TL_BUILTIN_MUL : TL_BUILTIN_ADD, 1, bin, 2, bout, 1, &op);
    tl_tfl_set_io(b, sg, sin_, 1, bout, 1);
  }
  char path[256], err[1024];
  snprintf(path, sizeof path, "/tmp/tl_if_%ld.tflite", (long)getpid());
  EXPECT_EQ(tl_tfl_write_file(b, path, err, sizeof err), 0);
  tl_tfl_builder_free(b);
  int ok = 0;
  for (uint8_t cv = 0; cv < 2; cv++) {
    const float xv[5] = {1.f, -2.f, 0.5f, 3.f, 7.f};
    const void *in[2] = {&cv, xv};
    const size_t inb[2] = {1, sizeof xv}, outb[1] = {sizeof xv};
    float y1[5], y2[5];
    void *o1[1] = {y1}, *o2[1] = {y2};
    if (tl_oracle_tinylite(path, 2, in, inb, 1, o1, outb, err, sizeof err)) fprintf(stderr, "  tinylite: %s\n", err);
    else if (tl_oracle_tflite(ref, NULL, path, 2, in, inb, 1, o2, outb, err, sizeof err)) fprintf(stderr, "  TensorFlow Lite: %s\n", err);
    else ok += !memcmp(y1, y2, sizeof y1);
  }
  printf("  IF: %d/2 branches as TensorFlow Lite\n", ok);
  EXPECT_EQ(ok, 2);
  unlink(path);
}

TEST(logical_ops_match_tflite) {
  REQUIRE_TFLITE_REF(ref);
  const int32_t a[2] = {3, 4}, bshape[1] = {4};
  static uint8_t va[12], vb[4];
  for (int i = 0; i < 12; i++) va[i] = (uint8_t)((i * 5) % 3 == 0);
  for (int i = 0; i < 4; i++) vb[i] = (uint8_t)(i & 1);
  int ok = 0;
  for (int k = 0; k < 3; k++) {
    tl_om m;
    tl_om_init(&m);
    tl_om_input(&m, TL_TFL_BOOL, 2, a, NULL, va);
    if (k < 2) tl_om_input(&m, TL_TFL_BOOL, 1, bshape, NULL, vb);
    tl_om_output(&m, TL_TFL_BOOL, 2, a, NULL);
    const int code = k == 0 ? TL_BUILTIN_LOGICAL_AND : k == 1 ? TL_BUILTIN_LOGICAL_OR : TL_BUILTIN_LOGICAL_NOT;
    ok += tl_om_check(ref, NULL, &m, code, 1, NULL, k == 0 ? "LOGICAL_AND" : k == 1 ? "LOGICAL_OR" : "LOGICAL_NOT", NULL);
  }
  printf("  LOGICAL_AND, LOGICAL_OR, LOGICAL_NOT: %d/3 as TensorFlow Lite\n", ok);
  EXPECT_EQ(ok, 3);
}

TEST_MAIN(T(while_matches_tflite), T(while_refuses_malformed_models), T(if_matches_tflite), T(logical_ops_match_tflite))

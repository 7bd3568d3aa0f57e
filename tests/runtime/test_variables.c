/* SPDX-License-Identifier: Apache-2.0
 * Resource variables (VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE) and CALL_ONCE, on a model written
 * with tinylite's writer: an init subgraph assigns {1, 2, 3} to variable "acc"; the main subgraph
 * reads it, adds its input, assigns the sum back and reads it again. One invoke must match real
 * TensorFlow Lite byte for byte; across invokes the state accumulates and tl_interp_reset_variables
 * runs the initialisation again. A variable read before any assignment is refused with a message. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "format/schema.h"
#include "format/tflite_writer.h"
#include "test.h"
#include "tflite_oracle.h"
#include "tinylite.h"

static const int32_t VEC[1] = {3}, SCALAR[1] = {1};

static int var_handle(tl_tfl_builder *b, int sg, const char *shared) {
  const int h = tl_tfl_add_tensor(b, sg, "handle", TL_TFL_RESOURCE, 0, SCALAR, NULL, 0, NULL, 0);
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_VAR_HANDLE);
  tl_tfl_opts_set_string(&o, TL_SCH_OPT_VAR_HANDLE_SHARED_NAME, shared);
  int outs[1] = {h};
  tl_tfl_add_op(b, sg, TL_BUILTIN_VAR_HANDLE, 1, NULL, 0, outs, 1, &o);
  return h;
}

/* with_init = 0 leaves CALL_ONCE out: the first READ_VARIABLE then reads an unassigned variable. */
static int write_model(const char *path, int with_init) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  const int x = tl_tfl_add_tensor(b, 0, "x", TL_TFL_FLOAT32, 1, VEC, NULL, 0, NULL, 0);
  const int v = tl_tfl_add_tensor(b, 0, "v", TL_TFL_FLOAT32, 1, VEC, NULL, 0, NULL, 0);
  const int s = tl_tfl_add_tensor(b, 0, "sum", TL_TFL_FLOAT32, 1, VEC, NULL, 0, NULL, 0);
  const int y = tl_tfl_add_tensor(b, 0, "after", TL_TFL_FLOAT32, 1, VEC, NULL, 0, NULL, 0);
  if (with_init) {
    tl_tfl_options once = tl_tfl_opts_empty(TL_TFL_OPT_CALL_ONCE);
    tl_tfl_opts_set_int(&once, TL_SCH_OPT_CALL_ONCE_INIT_SUBGRAPH_INDEX, TL_TFL_F_I32, 1);
    tl_tfl_add_op(b, 0, TL_BUILTIN_CALL_ONCE, 1, NULL, 0, NULL, 0, &once);
  }
  const int h = var_handle(b, 0, "acc");
  int r_in[1] = {h}, r_out[1] = {v}, a_in[2] = {v, x}, a_out[1] = {s}, w_in[2] = {h, s}, r2_out[1] = {y};
  tl_tfl_options add = tl_tfl_opts_add(TL_TFL_ACT_NONE);
  tl_tfl_add_op(b, 0, TL_BUILTIN_READ_VARIABLE, 1, r_in, 1, r_out, 1, NULL);
  tl_tfl_add_op(b, 0, TL_BUILTIN_ADD, 1, a_in, 2, a_out, 1, &add);
  tl_tfl_add_op(b, 0, TL_BUILTIN_ASSIGN_VARIABLE, 1, w_in, 2, NULL, 0, NULL);
  tl_tfl_add_op(b, 0, TL_BUILTIN_READ_VARIABLE, 1, r_in, 1, r2_out, 1, NULL);
  int m_in[1] = {x}, m_out[2] = {s, y};
  tl_tfl_set_io(b, 0, m_in, 1, m_out, 2);
  /* subgraph 1: acc = {1, 2, 3} */
  const int g = tl_tfl_add_subgraph(b, "init");
  const float init[3] = {1.f, 2.f, 3.f};
  const int c = tl_tfl_add_const_tensor(b, g, "init", TL_TFL_FLOAT32, 1, VEC, init, sizeof init, NULL);
  const int h1 = var_handle(b, g, "acc");
  int i_in[2] = {h1, c};
  tl_tfl_add_op(b, g, TL_BUILTIN_ASSIGN_VARIABLE, 1, i_in, 2, NULL, 0, NULL);
  tl_tfl_set_io(b, g, NULL, 0, NULL, 0);
  char err[256];
  const int rc = tl_tfl_write_file(b, path, err, sizeof err);
  if (rc) fprintf(stderr, "  writer: %s\n", err);
  tl_tfl_builder_free(b);
  return rc;
}

static const float X[3] = {0.5f, -4.f, 10.f};

TEST(variables_match_tflite) {
  REQUIRE_TFLITE_REF(ref);
  char path[256];
  snprintf(path, sizeof path, "/tmp/tl_variables_%ld.tflite", (long)getpid());
  EXPECT_EQ(write_model(path, 1), 0);
  const void *ins[1] = {X};
  const size_t inb[1] = {sizeof X}, outb[2] = {sizeof X, sizeof X};
  float theirs[2][3], ours[2][3];
  void *t[2] = {theirs[0], theirs[1]}, *o[2] = {ours[0], ours[1]};
  char err[1024];
  EXPECT_EQ(tl_oracle_tflite(ref, NULL, path, 1, ins, inb, 2, t, outb, err, sizeof err), 0);
  EXPECT_EQ(tl_oracle_tinylite(path, 1, ins, inb, 2, o, outb, err, sizeof err), 0);
  EXPECT(!memcmp(theirs, ours, sizeof ours));
  EXPECT(theirs[1][0] == 1.5f && theirs[1][1] == -2.f && theirs[1][2] == 13.f);
  unlink(path);
}

TEST(state_lasts_across_invokes_and_resets) {
  char path[256], err[512];
  snprintf(path, sizeof path, "/tmp/tl_variables_state_%ld.tflite", (long)getpid());
  EXPECT_EQ(write_model(path, 1), 0);
  tl_model *m = NULL;
  tl_interp *ip = NULL;
  EXPECT_EQ(tl_model_open(path, &m, err, sizeof err), TL_OK);
  EXPECT_EQ(tl_interp_new(m, NULL, &ip), TL_OK);
  EXPECT_EQ(tl_interp_allocate(ip), TL_OK);
  for (int round = 0; round < 2; round++) {
    for (int k = 1; k <= 3; k++) {
      EXPECT_EQ(tl_tensor_copy_from(tl_interp_input(ip, 0), X, sizeof X), TL_OK);
      EXPECT_EQ(tl_interp_invoke(ip), TL_OK);
      const float *y = tl_tensor_data(tl_interp_output(ip, 1));
      for (int i = 0; i < 3; i++) EXPECT(y[i] == (float)(i + 1) + (float)k * X[i]);
    }
    EXPECT_EQ(tl_interp_reset_variables(ip), TL_OK); /* back to {1, 2, 3} */
  }
  tl_interp_free(ip);
  tl_model_close(m);
  unlink(path);
}

TEST(unassigned_variable_is_refused) {
  char path[256], err[512];
  snprintf(path, sizeof path, "/tmp/tl_variables_bad_%ld.tflite", (long)getpid());
  EXPECT_EQ(write_model(path, 0), 0);
  tl_model *m = NULL;
  tl_interp *ip = NULL;
  EXPECT_EQ(tl_model_open(path, &m, err, sizeof err), TL_OK);
  EXPECT_EQ(tl_interp_new(m, NULL, &ip), TL_OK);
  EXPECT_EQ(tl_interp_allocate(ip), TL_ERR_MODEL);
  EXPECT_STR_CONTAINS(tl_interp_errmsg(ip), "read before it is assigned");
  tl_interp_free(ip);
  tl_model_close(m);
  unlink(path);
}

TEST_MAIN(T(variables_match_tflite), T(state_lasts_across_invokes_and_resets), T(unassigned_variable_is_refused))

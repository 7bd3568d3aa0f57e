/* SPDX-License-Identifier: Apache-2.0
 * RESIZE_BILINEAR (src/kernels/ref/resize_bilinear.c) against the real TensorFlow Lite's builtin
 * kernels: float32, uint8, int8 and int16 images, up- and downscaling (the exact 2x upscale among
 * them), with align_corners, half_pixel_centers or neither: every output byte must agree. Refusals:
 * a zero size, both options at once, a size tensor of the wrong type. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "format/schema_ids.h"
#include "format/tflite_writer.h"
#include "test.h"
#include "tflite_oracle.h"
#include "tinylite.h"

static uint32_t g_rs = 99;
static uint32_t rnd(void) {
  g_rs ^= g_rs << 13, g_rs ^= g_rs >> 17, g_rs ^= g_rs << 5;
  return g_rs;
}
static size_t esize(int type) { return type == TL_TFL_FLOAT32 ? 4 : type == TL_TFL_INT16 ? 2 : 1; }

/* Writes the model; 0 on success. */
static int write_model(const char *path, int type, const int32_t *in_d, int32_t oh, int32_t ow, int align, int half,
                       int size_type) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  float sc[1] = {0.05f};
  int64_t zp[1] = {type == TL_TFL_UINT8 ? 128 : 0};
  tl_tfl_quant q = {1, sc, zp, 0, 0, NULL, NULL};
  const int quant = type != TL_TFL_FLOAT32;
  const int32_t od[4] = {in_d[0], oh, ow, in_d[3]}, two[1] = {2}, sz[2] = {oh, ow};
  const int x = tl_tfl_add_tensor(b, 0, "x", type, 4, in_d, NULL, 0, quant ? &q : NULL, 0);
  const int s = tl_tfl_add_const_tensor(b, 0, "size", size_type, 1, two, sz, sizeof sz, NULL);
  const int y = tl_tfl_add_tensor(b, 0, "y", type, 4, od, NULL, 0, quant ? &q : NULL, 0);
  int ins[2] = {x, s}, outs[1] = {y};
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_RESIZE_BILINEAR);
  tl_tfl_opts_set_int(&o, 2, TL_TFL_F_BOOL, align);
  tl_tfl_opts_set_int(&o, 3, TL_TFL_F_BOOL, half);
  tl_tfl_add_op(b, 0, TL_TFL_OP_RESIZE_BILINEAR, type == TL_TFL_INT16 ? 4 : half ? 3 : 2, ins, 2, outs, 1, &o);
  tl_tfl_set_io(b, 0, ins, 1, outs, 1);
  char err[256];
  const int rc = tl_tfl_write_file(b, path, err, sizeof err);
  tl_tfl_builder_free(b);
  return rc;
}

TEST(resize_bilinear_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const int types[] = {TL_TFL_FLOAT32, TL_TFL_UINT8, TL_TFL_INT8, TL_TFL_INT16};
  static const int32_t sizes[][4] = {{3, 4, 6, 8}, {4, 4, 8, 8}, {5, 7, 3, 2}, {2, 3, 7, 5}, {1, 1, 4, 3}, {6, 6, 6, 6}};
  char path[256], err[1024];
  snprintf(path, sizeof path, "/tmp/tl_resize_%ld.tflite", (long)getpid());
  int ok = 0, n = 0;
  for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
      for (int mode = 0; mode < 3; mode++) {
        const int32_t in_d[4] = {2, sizes[k][0], sizes[k][1], 3};
        EXPECT_EQ(write_model(path, types[t], in_d, sizes[k][2], sizes[k][3], mode == 1, mode == 2, TL_TFL_INT32), 0);
        static int64_t xs[512], os_[1024], ts_[1024];
        uint8_t *x = (uint8_t *)xs, *ours = (uint8_t *)os_, *theirs = (uint8_t *)ts_;
        const size_t in_n = (size_t)2 * in_d[1] * in_d[2] * 3 * esize(types[t]);
        const size_t out_n = (size_t)2 * sizes[k][2] * sizes[k][3] * 3 * esize(types[t]);
        for (size_t i = 0; i < in_n; i++) x[i] = (uint8_t)rnd();
        if (types[t] == TL_TFL_FLOAT32)
          for (size_t i = 0; i < in_n / 4; i++) ((float *)x)[i] = (float)((int)(rnd() % 2001) - 1000) / 37.f;
        const void *ins[1] = {x};
        void *o1[1] = {ours}, *o2[1] = {theirs};
        const size_t inb[1] = {in_n}, outb[1] = {out_n};
        n++;
        if (tl_oracle_tinylite(path, 1, ins, inb, 1, o1, outb, err, sizeof err))
          fprintf(stderr, "  type %d %dx%d->%dx%d mode %d: tinylite: %s\n", types[t], in_d[1], in_d[2], sizes[k][2], sizes[k][3], mode, err);
        else if (tl_oracle_tflite(ref, NULL, path, 1, ins, inb, 1, o2, outb, err, sizeof err))
          fprintf(stderr, "  type %d mode %d: TensorFlow Lite: %s\n", types[t], mode, err);
        else if (memcmp(ours, theirs, out_n))
          fprintf(stderr, "  type %d %dx%d->%dx%d mode %d: outputs differ\n", types[t], in_d[1], in_d[2], sizes[k][2], sizes[k][3], mode);
        else
          ok++;
      }
  printf("  RESIZE_BILINEAR: %d/%d cases (4 dtypes x 6 sizes x 3 modes) as TensorFlow Lite\n", ok, n);
  EXPECT_EQ(ok, n);
  unlink(path);
}

TEST(resize_bilinear_refuses_malformed_models) {
  char path[256], err[512];
  snprintf(path, sizeof path, "/tmp/tl_resize_bad_%ld.tflite", (long)getpid());
  const int32_t in_d[4] = {1, 2, 2, 1};
  float x[4] = {0}, y[64];
  const void *ins[1] = {x};
  void *outs[1] = {y};
  const size_t inb[1] = {sizeof x}, outb[1] = {sizeof y};
  const struct {
    int32_t oh, ow;
    int align, half, size_type;
    const char *msg;
  } bad[] = {{0, 4, 0, 0, TL_TFL_INT32, "at least 1"},
             {4, 4, 1, 1, TL_TFL_INT32, "cannot both be set"},
             {4, 4, 0, 0, TL_TFL_FLOAT32, "two int32 values"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    EXPECT_EQ(write_model(path, TL_TFL_FLOAT32, in_d, bad[i].oh, bad[i].ow, bad[i].align, bad[i].half, bad[i].size_type), 0);
    EXPECT(tl_oracle_tinylite(path, 1, ins, inb, 1, outs, outb, err, sizeof err) != 0);
    EXPECT_STR_CONTAINS(err, bad[i].msg);
  }
  unlink(path);
}

TEST_MAIN(T(resize_bilinear_matches_tflite), T(resize_bilinear_refuses_malformed_models))

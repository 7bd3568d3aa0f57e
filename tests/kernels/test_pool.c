/* SPDX-License-Identifier: Apache-2.0
 * MAX_POOL_2D and AVERAGE_POOL_2D against plain loops over SAME/VALID padding, strides and filters
 * (windows clipped at the borders, averages over in-bounds taps), fused activations, int8 max pool,
 * and invalid options (zero stride/filter, wrong rank) rejected. */
#include <float.h>
#include <math.h>

#include "kharness.h"
#include "test.h"

static tl_tensor *out_t(int type) { return kh_tensor(type, -1, NULL, NULL, 0); }

static kh_fb pool_opts(int pad, int sw, int sh, int fw, int fh, int act) {
  kh_fb b;
  kh_fb_init(&b);
  uint32_t t = kh_fb_table(&b, 6);
  kh_fb_u8(&b, t, 0, (uint8_t)pad);
  kh_fb_i32(&b, t, 1, sw);
  kh_fb_i32(&b, t, 2, sh);
  kh_fb_i32(&b, t, 3, fw);
  kh_fb_i32(&b, t, 4, fh);
  kh_fb_u8(&b, t, 5, (uint8_t)act);
  return b;
}

static void check_pool(int op, int pad, int sw, int sh, int fw, int fh, int act) {
  const int N = 2, H = 7, W = 6, C = 3;
  const int32_t d[] = {N, H, W, C};
  tl_tensor *x = kh_tensor(TL_FLOAT32, 4, d, NULL, 0);
  unsigned s = 5;
  for (int i = 0; i < N * H * W * C; i++) {
    s = s * 1103515245u + 12345u;
    ((float *)x->data)[i] = (float)((s >> 8) & 0xffff) / 4096.f - 8.f;
  }
  kh_fb o = pool_opts(pad, sw, sh, fw, fh, act);
  tl_tensor *y = out_t(TL_FLOAT32);
  EXPECT_EQ(kh_run(kh_node(op, 1, &x, 1, &y, &o, 0)), TL_OK);
  int oh = pad == 0 ? (H + sh - 1) / sh : (H - fh + sh) / sh;
  int ow = pad == 0 ? (W + sw - 1) / sw : (W - fw + sw) / sw;
  EXPECT_EQ(y->dims[1], oh);
  EXPECT_EQ(y->dims[2], ow);
  int ph = pad == 0 ? ((oh - 1) * sh + fh - H) / 2 : 0, pw = pad == 0 ? ((ow - 1) * sw + fw - W) / 2 : 0;
  if (ph < 0) ph = 0;
  if (pw < 0) pw = 0;
  float lo, hi;
  tl_act_range_f32(act, &lo, &hi);
  int bad = 0;
  for (int b = 0; b < N; b++)
    for (int i = 0; i < oh; i++)
      for (int j = 0; j < ow; j++)
        for (int c = 0; c < C; c++) {
          double acc = op == TL_BUILTIN_MAX_POOL_2D ? -FLT_MAX : 0;
          int cnt = 0;
          for (int fy = 0; fy < fh; fy++)
            for (int fx = 0; fx < fw; fx++) {
              int yy = i * sh - ph + fy, xx = j * sw - pw + fx;
              if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
              float v = ((float *)x->data)[((b * H + yy) * W + xx) * C + c];
              if (op == TL_BUILTIN_MAX_POOL_2D) acc = v > acc ? v : acc;
              else acc += v;
              cnt++;
            }
          if (op == TL_BUILTIN_AVERAGE_POOL_2D) acc /= cnt;
          float r = (float)acc;
          r = r < lo ? lo : (r > hi ? hi : r);
          float got = ((float *)y->data)[((b * oh + i) * ow + j) * C + c];
          if (fabsf(got - r) > 1e-5f * (1 + fabsf(r))) bad++;
        }
  EXPECT_EQ(bad, 0);
  kh_reset();
}

TEST(float_pools_vs_loops) {
  static const int ops[] = {TL_BUILTIN_MAX_POOL_2D, TL_BUILTIN_AVERAGE_POOL_2D};
  for (int k = 0; k < 2; k++)
    for (int pad = 0; pad < 2; pad++) {
      check_pool(ops[k], pad, 2, 2, 2, 2, TL_TFL_ACT_NONE);
      check_pool(ops[k], pad, 1, 1, 3, 3, TL_TFL_ACT_NONE);
      check_pool(ops[k], pad, 2, 3, 3, 2, TL_TFL_ACT_RELU);
      check_pool(ops[k], pad, 3, 1, 1, 4, TL_TFL_ACT_RELU6);
      check_pool(ops[k], pad, 1, 2, 5, 5, TL_TFL_ACT_RELU_N1_TO_1);
    }
}

TEST(int8_max_pool) {
  const int32_t d[] = {1, 2, 2, 2};
  const int8_t v[] = {-100, 5, -50, 7, -90, 6, -120, 127};
  tl_tensor *x = kh_tensor(TL_INT8, 4, d, v, 0), *y = out_t(TL_INT8);
  kh_quant(x, 0.05f, -10);
  kh_quant(y, 0.05f, -10);
  kh_fb o = pool_opts(1, 2, 2, 2, 2, TL_TFL_ACT_RELU6); /* clamp to [zp, zp + 6/0.05] = [-10, 110] */
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_MAX_POOL_2D, 1, &x, 1, &y, &o, 0)), TL_OK);
  EXPECT_EQ(((int8_t *)y->data)[0], -10);
  EXPECT_EQ(((int8_t *)y->data)[1], 110);
  /* different scale in and out is refused, as in TFLite */
  tl_tensor *y2 = out_t(TL_INT8);
  kh_quant(y2, 0.1f, -10);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_MAX_POOL_2D, 1, &x, 1, &y2, &o, 0)), TL_ERR_MODEL);
  kh_reset();
}

TEST(invalid_options_rejected) {
  const int32_t d[] = {1, 4, 4, 1};
  tl_tensor *x = kh_tensor(TL_FLOAT32, 4, d, NULL, 0), *y = out_t(TL_FLOAT32);
  kh_fb zs = pool_opts(0, 0, 1, 2, 2, 0), zf = pool_opts(1, 1, 1, 0, 2, 0), big = pool_opts(1, 1, 1, 5, 2, 0);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_MAX_POOL_2D, 1, &x, 1, &y, &zs, 0)), TL_ERR_MODEL);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_AVERAGE_POOL_2D, 1, &x, 1, &y, &zf, 0)), TL_ERR_MODEL);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_AVERAGE_POOL_2D, 1, &x, 1, &y, &big, 0)), TL_ERR_MODEL);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_MAX_POOL_2D, 1, &x, 1, &y, NULL, 0)), TL_ERR_MODEL);
  const int32_t d3[] = {4, 4, 1};
  tl_tensor *x3 = kh_tensor(TL_FLOAT32, 3, d3, NULL, 0);
  kh_fb ok = pool_opts(0, 1, 1, 2, 2, 0);
  EXPECT_EQ(kh_run(kh_node(TL_BUILTIN_MAX_POOL_2D, 1, &x3, 1, &y, &ok, 0)), TL_ERR_MODEL);
  kh_reset();
}

TEST_MAIN(T(float_pools_vs_loops), T(int8_max_pool), T(invalid_options_rejected))

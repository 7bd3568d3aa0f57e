/* SPDX-License-Identifier: Apache-2.0
 * Float UNIDIRECTIONAL_SEQUENCE_LSTM against a plain double-precision loop of the LSTM equations,
 * over the variants: full gates or CIFG, peepholes, projection with clipping, cell clipping,
 * batch- or time-major input; state persists across invokes; malformed inputs are refused. */
#include <math.h>

#include "kharness.h"
#include "test.h"

static unsigned g_seed = 1;
static float frand(void) {
  g_seed = g_seed * 1103515245u + 12345u;
  return (float)((g_seed >> 8) & 0xffff) / 65536.f - 0.5f;
}

static tl_tensor *rnd(int nd, int32_t d0, int32_t d1) {
  const int32_t d[] = {d0, d1};
  tl_tensor *t = kh_tensor(TL_FLOAT32, nd, d, NULL, 1);
  for (int64_t i = 0; i < tl_numel(t); i++) ((float *)t->data)[i] = frand();
  return t;
}

static double sig(double x) { return 1 / (1 + exp(-x)); }
static const float *F(tl_tensor *t) { return t ? (const float *)t->data : NULL; }

typedef struct {
  int cifg, peep, proj, time_major;
  float cell_clip, proj_clip;
} variant;

static void run_variant(variant v) {
  const int B = 2, T = 3, NI = 3, NC = 4, NO = v.proj ? 2 : 4;
  tl_tensor *in[24] = {0};
  const int32_t xd[] = {v.time_major ? T : B, v.time_major ? B : T, NI};
  in[0] = kh_tensor(TL_FLOAT32, 3, xd, NULL, 0);
  for (int i = 0; i < B * T * NI; i++) ((float *)in[0]->data)[i] = 2 * frand();
  for (int g = 0; g < 4; g++) {
    if (g == 0 && v.cifg) continue;
    in[1 + g] = rnd(2, NC, NI);
    in[5 + g] = rnd(2, NC, NO);
    in[12 + g] = rnd(1, NC, 0);
  }
  if (v.peep) {
    if (!v.cifg) in[9] = rnd(1, NC, 0);
    in[10] = rnd(1, NC, 0);
    in[11] = rnd(1, NC, 0);
  }
  if (v.proj) {
    in[16] = rnd(2, NO, NC);
    in[17] = rnd(1, NO, 0);
  }
  const int32_t hd[] = {B, NO}, cd[] = {B, NC};
  in[18] = kh_tensor(TL_FLOAT32, 2, hd, NULL, 0);
  in[19] = kh_tensor(TL_FLOAT32, 2, cd, NULL, 0);
  in[18]->is_variable = in[19]->is_variable = 1;
  kh_fb o;
  kh_fb_init(&o);
  uint32_t t = kh_fb_table(&o, 4);
  kh_fb_u8(&o, t, 0, TL_TFL_ACT_TANH);
  kh_fb_f32(&o, t, 1, v.cell_clip);
  kh_fb_f32(&o, t, 2, v.proj_clip);
  kh_fb_u8(&o, t, 3, (uint8_t)v.time_major);
  tl_tensor *out = kh_tensor(TL_FLOAT32, -1, NULL, NULL, 0);
  tl_node *n = kh_node(TL_BUILTIN_UNIDIRECTIONAL_SEQUENCE_LSTM, 24, in, 1, &out, &o, 0);
  EXPECT_EQ(kh_prepare(n), TL_OK);
  double h[2][4] = {{0}}, c[2][4] = {{0}};
  int bad = 0;
  for (int rep = 0; rep < 2; rep++) { /* the second invoke continues from the stored state */
    EXPECT_EQ(kh_eval(n), TL_OK);
    for (int tt = 0; tt < T; tt++)
      for (int b = 0; b < B; b++) {
        const int row = v.time_major ? tt * B + b : b * T + tt;
        const float *x = F(in[0]) + row * NI;
        double gate[4][4];
        for (int g = 0; g < 4; g++) {
          if (g == 0 && v.cifg) continue;
          for (int i = 0; i < NC; i++) {
            double a = F(in[12 + g])[i];
            for (int k = 0; k < NI; k++) a += F(in[1 + g])[i * NI + k] * x[k];
            for (int k = 0; k < NO; k++) a += F(in[5 + g])[i * NO + k] * h[b][k];
            gate[g][i] = a;
          }
        }
        double hc[4];
        for (int i = 0; i < NC; i++) {
          double f = gate[1][i] + (v.peep ? F(in[10])[i] * c[b][i] : 0);
          f = sig(f);
          double ig = v.cifg ? 1 - f : sig(gate[0][i] + (v.peep ? F(in[9])[i] * c[b][i] : 0));
          double cc = f * c[b][i] + ig * tanh(gate[2][i]);
          if (v.cell_clip > 0) cc = fmax(-v.cell_clip, fmin(v.cell_clip, cc));
          c[b][i] = cc;
          double og = sig(gate[3][i] + (v.peep ? F(in[11])[i] * cc : 0));
          hc[i] = og * tanh(cc);
        }
        for (int k = 0; k < NO; k++) {
          double r = hc[k < NC ? k : 0];
          if (v.proj) {
            r = F(in[17])[k];
            for (int i = 0; i < NC; i++) r += F(in[16])[k * NC + i] * hc[i];
            if (v.proj_clip > 0) r = fmax(-v.proj_clip, fmin(v.proj_clip, r));
          }
          h[b][k] = r;
          if (fabs(r - ((float *)out->data)[row * NO + k]) > 1e-5) bad++;
        }
      }
  }
  EXPECT_EQ(bad, 0);
  kh_reset();
}

TEST(lstm_variants) {
  const variant vs[] = {
      {0, 0, 0, 0, 0, 0}, {1, 0, 0, 0, 0, 0}, {0, 1, 0, 0, 0, 0}, {1, 1, 1, 0, 0, 0},
      {0, 1, 1, 1, 0.3f, 0.2f}, {0, 0, 0, 1, 0.5f, 0}, {1, 1, 0, 1, 0, 0}};
  for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) run_variant(vs[i]);
}

TEST(lstm_rejects_malformed) {
  tl_tensor *in[20] = {0};
  const int32_t xd[] = {1, 2, 3};
  in[0] = kh_tensor(TL_FLOAT32, 3, xd, NULL, 0);
  for (int g = 1; g < 4; g++) {
    in[1 + g] = rnd(2, 4, 3);
    in[5 + g] = rnd(2, 4, 4);
    in[12 + g] = rnd(1, 4, 0);
  }
  const int32_t hd[] = {1, 4};
  in[18] = kh_tensor(TL_FLOAT32, 2, hd, NULL, 0);
  in[19] = kh_tensor(TL_FLOAT32, 2, hd, NULL, 0);
  in[18]->is_variable = in[19]->is_variable = 1;
  tl_tensor *out = kh_tensor(TL_FLOAT32, -1, NULL, NULL, 0);
  EXPECT_EQ(kh_prepare(kh_node(TL_BUILTIN_UNIDIRECTIONAL_SEQUENCE_LSTM, 20, in, 1, &out, NULL, 0)), TL_OK);
  in[7] = rnd(2, 4, 5); /* recurrent weights of the wrong width */
  EXPECT_EQ(kh_prepare(kh_node(TL_BUILTIN_UNIDIRECTIONAL_SEQUENCE_LSTM, 20, in, 1, &out, NULL, 0)), TL_ERR_MODEL);
  in[7] = rnd(2, 4, 4);
  in[5] = rnd(2, 4, 4); /* CIFG but a recurrent-to-input tensor */
  EXPECT_EQ(kh_prepare(kh_node(TL_BUILTIN_UNIDIRECTIONAL_SEQUENCE_LSTM, 20, in, 1, &out, NULL, 0)), TL_ERR_MODEL);
  in[5] = NULL;
  in[19]->is_variable = 0;
  EXPECT_EQ(kh_prepare(kh_node(TL_BUILTIN_UNIDIRECTIONAL_SEQUENCE_LSTM, 20, in, 1, &out, NULL, 0)), TL_ERR_MODEL);
  kh_reset();
}

TEST_MAIN(T(lstm_variants), T(lstm_rejects_malformed))

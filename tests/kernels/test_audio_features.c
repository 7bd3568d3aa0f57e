/* SPDX-License-Identifier: Apache-2.0
 * The AudioSpectrogram and Mfcc custom ops (src/kernels/ops/audio_features.c) against the real
 * TensorFlow Lite, which registers both in its BuiltinOpResolver: models wav -> AudioSpectrogram ->
 * Mfcc written with tinylite's writer, with the speech-commands front end (30 ms windows every 20 ms
 * at 16 kHz, 40 mel channels, 13 coefficients) and other window sizes, strides, channel counts and
 * filterbanks, one audio channel each (TFLite 2.9 carries its spectrogram's sample queue from one
 * channel to the next and then fails on its own window count; tinylite starts each channel afresh).
 * Both outputs are compared: every value within 1e-6 of the output's largest magnitude
 * (both runtimes compute in double and round once; Ooura's FFT and tinylite's round differently in
 * the last bits of double), and most of them bit for bit. Bad options are refused with a message. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/flexbuf.h"
#include "format/schema.h"
#include "format/tflite_writer.h"
#include "test.h"
#include "tflite_oracle.h"
#include "tinylite.h"

typedef struct {
  int samples, channels, window, stride, squared;
  int32_t rate;
  int upper, lower, filters, coeffs;
} front_end;

static int windows_of(const front_end *f) {
  return f->samples < f->window || f->stride < 1 ? 0 : 1 + (f->samples - f->window) / f->stride;
}
static int bins_of(const front_end *f) {
  int n = 1;
  while (n < f->window) n <<= 1;
  return n / 2 + 1;
}

static int write_front_end(const char *path, const front_end *f) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  const int32_t wd[2] = {f->samples, f->channels}, sd[3] = {f->channels, windows_of(f), bins_of(f)},
                md[3] = {f->channels, windows_of(f), f->coeffs}, one[1] = {1};
  const int wav = tl_tfl_add_tensor(b, 0, "wav", TL_TFL_FLOAT32, 2, wd, NULL, 0, NULL, 0);
  const int spec = tl_tfl_add_tensor(b, 0, "spectrogram", TL_TFL_FLOAT32, 3, sd, NULL, 0, NULL, 0);
  const int rate = tl_tfl_add_const_tensor(b, 0, "rate", TL_TFL_INT32, 1, one, &f->rate, 4, NULL);
  const int mfcc = tl_tfl_add_tensor(b, 0, "mfcc", TL_TFL_FLOAT32, 3, md, NULL, 0, NULL, 0);
  const tl_flex_entry so[3] = {{"magnitude_squared", TL_FLEX_BOOL, f->squared, 0, 0},
                               {"stride", TL_FLEX_INT, f->stride, 0, 0},
                               {"window_size", TL_FLEX_INT, f->window, 0, 0}};
  const tl_flex_entry mo[4] = {{"dct_coefficient_count", TL_FLEX_INT, f->coeffs, 0, 0},
                               {"filterbank_channel_count", TL_FLEX_INT, f->filters, 0, 0},
                               {"lower_frequency_limit", TL_FLEX_INT, f->lower, 0, 0},
                               {"upper_frequency_limit", TL_FLEX_INT, f->upper, 0, 0}};
  uint8_t sbuf[256], mbuf[256];
  const size_t sn = tl_flex_write_map(so, 3, 4, sbuf, sizeof sbuf), mn = tl_flex_write_map(mo, 4, 4, mbuf, sizeof mbuf);
  const int si[1] = {wav}, mi[2] = {spec, rate};
  tl_tfl_add_custom_op(b, 0, "AudioSpectrogram", 1, si, 1, &spec, 1, sbuf, sn);
  tl_tfl_add_custom_op(b, 0, "Mfcc", 1, mi, 2, &mfcc, 1, mbuf, mn);
  const int outs[2] = {spec, mfcc};
  tl_tfl_set_io(b, 0, &wav, 1, outs, 2);
  char err[256];
  const int rc = tl_tfl_write_file(b, path, err, sizeof err);
  if (rc) fprintf(stderr, "  writer: %s\n", err);
  tl_tfl_builder_free(b);
  return rc;
}

/* 1 when every value is within 1e-6 of the largest magnitude; counts the bit-identical ones. */
static int close_enough(const float *a, const float *b, size_t n, size_t *same) {
  float big = 0.f;
  for (size_t i = 0; i < n; i++) big = fabsf(b[i]) > big ? fabsf(b[i]) : big;
  int ok = 1;
  for (size_t i = 0; i < n; i++) {
    ok &= fabsf(a[i] - b[i]) <= 1e-6f * big;
    *same += !memcmp(a + i, b + i, 4);
  }
  return ok;
}

TEST(front_end_matches_tflite) {
  REQUIRE_TFLITE_REF(ref);
  static const front_end cases[] = {
      {16000, 1, 480, 320, 1, 16000, 4000, 20, 40, 13}, /* TensorFlow's speech commands */
      {4000, 1, 256, 128, 1, 8000, 3800, 100, 26, 10},  {3000, 1, 400, 160, 0, 16000, 7600, 0, 30, 30},
      {1000, 1, 255, 100, 1, 22050, 11000, 300, 12, 1}, {600, 1, 512, 1000, 1, 16000, 8000, 20, 64, 13}};
  char path[256], err[1024];
  snprintf(path, sizeof path, "/tmp/tl_audio_%ld.tflite", (long)getpid());
  int ok = 0;
  size_t same = 0, total = 0;
  const int n = (int)(sizeof cases / sizeof cases[0]);
  for (int c = 0; c < n; c++) {
    const front_end *f = &cases[c];
    if (write_front_end(path, f)) continue;
    const size_t wn = (size_t)f->samples * f->channels, sn = (size_t)f->channels * windows_of(f) * bins_of(f),
                 mn = (size_t)f->channels * windows_of(f) * f->coeffs;
    float *wav = malloc(wn * 4), *s_ref = malloc(sn * 4 + 4), *s_tl = malloc(sn * 4 + 4), *m_ref = malloc(mn * 4 + 4),
          *m_tl = malloc(mn * 4 + 4);
    uint32_t r = 99 + (uint32_t)c;
    for (size_t i = 0; i < wn; i++) {
      r = r * 1664525u + 1013904223u;
      const float t = (float)(i / (size_t)f->channels);
      wav[i] = 0.5f * sinf(t * 0.05f * (float)(c + 1)) + (float)((r >> 9) & 0xffff) / 65536.f - 0.5f;
    }
    const void *ins[1] = {wav};
    const size_t inb[1] = {wn * 4}, outb[2] = {sn * 4, mn * 4};
    void *o_ref[2] = {s_ref, m_ref}, *o_tl[2] = {s_tl, m_tl};
    if (tl_oracle_tflite(ref, NULL, path, 1, ins, inb, 2, o_ref, outb, err, sizeof err))
      fprintf(stderr, "  case %d: TensorFlow Lite: %s\n", c, err);
    else if (tl_oracle_tinylite(path, 1, ins, inb, 2, o_tl, outb, err, sizeof err))
      fprintf(stderr, "  case %d: tinylite: %s\n", c, err);
    else if (!close_enough(s_tl, s_ref, sn, &same) || !close_enough(m_tl, m_ref, mn, &same))
      fprintf(stderr, "  case %d: outputs differ\n", c);
    else
      ok++, total += sn + mn;
    free(wav), free(s_ref), free(s_tl), free(m_ref), free(m_tl);
  }
  printf("  AudioSpectrogram -> Mfcc: %d/%d front ends as TensorFlow Lite, %zu of %zu values bit-identical\n", ok, n,
         same, total);
  EXPECT_EQ(ok, n);
  EXPECT(same * 10 >= total * 9);
  unlink(path);
}

TEST(front_end_refuses_bad_options) {
  static const struct {
    front_end f;
    const char *msg;
  } bad[] = {{{1000, 1, 1, 1, 1, 16000, 4000, 20, 40, 13}, "window_size"},
             {{1000, 1, 256, 0, 1, 16000, 4000, 20, 40, 13}, "stride"},
             {{1000, 1, 256, 128, 1, 16000, 9000, 20, 40, 13}, "above the spectrogram's last bin"},
             {{1000, 1, 256, 128, 1, 16000, 4000, 20, 10, 13}, "dct_coefficient_count"},
             {{1000, 1, 256, 128, 1, 16000, 20, 4000, 40, 13}, "not a range"},
             {{1000, 1, 256, 128, 1, 0, 4000, 20, 40, 13}, "sample rate"}};
  char path[256], err[512];
  snprintf(path, sizeof path, "/tmp/tl_audio_bad_%ld.tflite", (long)getpid());
  for (int c = 0; c < (int)(sizeof bad / sizeof bad[0]); c++) {
    EXPECT_EQ(write_front_end(path, &bad[c].f), 0);
    tl_model *m = NULL;
    tl_interp *ip = NULL;
    EXPECT_EQ(tl_model_open(path, &m, err, sizeof err), TL_OK);
    EXPECT_EQ(tl_interp_new(m, NULL, &ip), TL_OK);
    EXPECT_EQ(tl_interp_allocate(ip), TL_ERR_MODEL);
    EXPECT_STR_CONTAINS(tl_interp_errmsg(ip), bad[c].msg);
    tl_interp_free(ip);
    tl_model_close(m);
  }
  unlink(path);
}

TEST_MAIN(T(front_end_matches_tflite), T(front_end_refuses_bad_options))

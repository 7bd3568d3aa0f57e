/* SPDX-License-Identifier: Apache-2.0
 * The speech front-end custom ops TFLite's BuiltinOpResolver registers (kernels/audio_spectrogram.cc,
 * kernels/mfcc.cc over TensorFlow's internal Spectrogram and Mfcc), in double as they are:
 * AudioSpectrogram: input [samples, channels] float; per channel, windows of window_size samples
 * every stride samples, each multiplied by a periodic Hann window, zero-padded to the next power of
 * two and transformed; out [channels, windows, fft/2 + 1] = |X|^2 rounded to float, or sqrtf of it
 * unless magnitude_squared. Mfcc: input [channels, frames, bins] (a squared-magnitude spectrogram)
 * and the sample rate; HTK-style mel filterbank over the bins' square roots, log (floored at 1e-12),
 * DCT-II; out [channels, frames, dct_coefficient_count]. Options come from the custom_options
 * FlexBuffer, read as TFLite's Init does (a missing key reads 0). Each channel of each invoke starts
 * a fresh spectrogram; TFLite 2.9 initialises its streaming Spectrogram once at prepare, so its own
 * second channel or second invoke continues the previous sample queue and then fails on its window
 * count. A fresh TFLite interpreter's first invoke of one channel is what tinylite reproduces. */
#include <math.h>

#include "../../format/flexbuf.h"
#include "fft.h"
#include "kcommon.h"

/* FlexBuffer map[key] as AsInt64 (0 when absent). Returns 0, or -1 when the blob is malformed. */
static int opt_i64(tl_flex *fx, const tl_flex_ref *map, const char *key, int64_t *out) {
  tl_flex_ref v;
  *out = 0;
  if (tl_flex_map_get(fx, map, key, &v) < 0) return -1;
  return tl_flex_int64(fx, &v, out);
}

static tl_status open_options(tl_kctx *ctx, tl_node *node, tl_flex *fx, tl_flex_ref *m) {
  if (!node->m || !node->m->custom || !node->m->custom_size) return tl_kfail(ctx, node, "no custom_options");
  if (tl_flex_root(fx, node->m->custom, node->m->custom_size, m))
    return tl_kfail(ctx, node, "custom_options: %s", fx->err ? fx->err : "malformed FlexBuffer");
  return TL_OK;
}

/* ---- AudioSpectrogram ---- */

typedef struct {
  int samples, channels, window, stride, fft_len, windows, bins, squared;
  const double *hann, *tw;
} spectrogram_state;

static tl_status spectrogram_eval(tl_kctx *ctx, tl_node *node) {
  (void)ctx;
  const spectrogram_state *p = node->state;
  const float *x = node->in[0]->data;
  float *out = node->out[0]->data;
  double *a = node->scratch; /* fft_len complex */
  for (int c = 0; c < p->channels; c++)
    for (int w = 0; w < p->windows; w++) {
      const float *s = x + (size_t)w * p->stride * p->channels + c;
      for (int j = 0; j < p->fft_len; j++) {
        a[2 * j] = j < p->window ? (double)s[(size_t)j * p->channels] * p->hann[j] : 0.0;
        a[2 * j + 1] = 0.0;
      }
      tl_fft(a, p->fft_len, 1, p->tw);
      float *o = out + ((size_t)c * p->windows + w) * p->bins;
      for (int k = 0; k < p->bins; k++) {
        const double re = a[2 * k], im = a[2 * k + 1];
        const float m2 = (float)(re * re + im * im);
        o[k] = p->squared ? m2 : sqrtf(m2);
      }
    }
  return TL_OK;
}

tl_status tl_prep_audio_spectrogram(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 1, 1, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0];
  tl_tensor *out = node->out[0];
  if (in->type != TL_FLOAT32 || out->type != TL_FLOAT32) return tl_kfail(ctx, node, "input and output must be FLOAT32");
  if (in->ndim != 2) return tl_kfail(ctx, node, "input must be [samples, channels]");
  tl_flex fx;
  tl_flex_ref m;
  if ((s = open_options(ctx, node, &fx, &m))) return s;
  int64_t window, stride;
  int squared = 0;
  tl_flex_ref v;
  int bad = opt_i64(&fx, &m, "window_size", &window) | opt_i64(&fx, &m, "stride", &stride);
  bad |= tl_flex_map_get(&fx, &m, "magnitude_squared", &v) < 0 || tl_flex_bool(&fx, &v, &squared);
  if (bad) return tl_kfail(ctx, node, "custom_options: %s", fx.err ? fx.err : "malformed FlexBuffer");
  if (window < 2 || window > (1 << 24)) return tl_kfail(ctx, node, "window_size %lld must be in [2, 2^24]", (long long)window);
  if (stride < 1 || stride > (1 << 30)) return tl_kfail(ctx, node, "stride %lld must be positive", (long long)stride);
  spectrogram_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->samples = in->dims[0], p->channels = in->dims[1];
  p->window = (int)window, p->stride = (int)stride, p->squared = squared;
  p->fft_len = 1;
  while (p->fft_len < p->window) p->fft_len <<= 1;
  p->bins = p->fft_len / 2 + 1;
  p->windows = p->samples < p->window ? 0 : 1 + (p->samples - p->window) / p->stride;
  double *hann = tl_kpersist(ctx, sizeof(double) * (size_t)p->window);
  if (!hann || !(p->tw = tl_fft_twiddles(ctx, p->fft_len))) return TL_ERR_NOMEM;
  const double pi = 3.14159265358979323846;
  for (int i = 0; i < p->window; i++) hann[i] = 0.5 - 0.5 * cos((2 * pi * i) / p->window);
  p->hann = hann;
  const int32_t od[3] = {p->channels, p->windows, p->bins};
  if ((s = tl_kset_shape(ctx, node, out, 3, od))) return s;
  if ((s = tl_kscratch(ctx, node, sizeof(double) * 2 * (size_t)p->fft_len))) return s;
  node->state = p;
  node->eval = spectrogram_eval;
  return TL_OK;
}

/* ---- Mfcc ---- */

typedef struct {
  int channels, frames, bins, filters, coeffs;
  float lower, upper;
  const double *cosines; /* coeffs x filters DCT-II basis */
  /* the filterbank for a sample rate known at prepare (else built in scratch at each invoke) */
  const int32_t *band;    /* per bin: the channel whose right slope it is on, -1 before the first, -2 unused */
  const double *weight;   /* per bin */
  int start, end;
} mfcc_state;

static double freq_to_mel(double f) { return 1127.0 * log1p(f / 700.0); }

/* MfccMelFilterbank::Initialize: band and weight over `bins` entries; 0, or -1 with why. */
static int filterbank(const mfcc_state *p, int32_t rate, int32_t *band, double *weight, double *centers, int *start,
                      int *end, const char **why) {
  if (rate <= 0) return *why = "the sample rate must be positive", -1;
  const double mel_low = freq_to_mel(p->lower), mel_hi = freq_to_mel(p->upper);
  const double spacing = (mel_hi - mel_low) / (double)(p->filters + 1);
  for (int i = 0; i < p->filters + 1; i++) centers[i] = mel_low + spacing * (i + 1);
  const double hz_per_bin = 0.5 * rate / (double)(p->bins - 1);
  const double s = 1.5 + p->lower / hz_per_bin, e = p->upper / hz_per_bin;
  /* TFLite reads bin `end` unchecked (std::vector::at aborts past it) */
  if (e >= p->bins) return *why = "upper_frequency_limit is above the spectrogram's last bin", -1;
  *start = (int)s, *end = (int)e;
  for (int i = 0, ch = 0; i < p->bins; i++) {
    const double melf = freq_to_mel(i * hz_per_bin);
    if (i < *start || i > *end) {
      band[i] = -2, weight[i] = 0.0;
      continue;
    }
    while (ch < p->filters && centers[ch] < melf) ch++;
    band[i] = ch - 1;
    weight[i] = ch - 1 >= 0 ? (centers[ch] - melf) / (centers[ch] - centers[ch - 1])
                            : (centers[0] - melf) / (centers[0] - mel_low);
  }
  return 0;
}

static tl_status mfcc_eval(tl_kctx *ctx, tl_node *node) {
  const mfcc_state *p = node->state;
  const float *x = node->in[0]->data;
  float *out = node->out[0]->data;
  double *mel = node->scratch;
  const int32_t *band = p->band;
  const double *weight = p->weight;
  int start = p->start, end = p->end;
  if (!band) {
    int32_t *b = (int32_t *)(mel + p->filters + 1 + p->bins);
    double *w = mel + p->filters + 1;
    const char *why;
    if (filterbank(p, *(const int32_t *)node->in[1]->data, b, w, mel, &start, &end, &why))
      return tl_kruntime(ctx, node, "%s", why);
    band = b, weight = w;
  }
  for (int64_t f = 0; f < (int64_t)p->channels * p->frames; f++) {
    const float *spec = x + f * p->bins;
    for (int c = 0; c < p->filters; c++) mel[c] = 0.0;
    for (int i = start; i <= end; i++) {
      const double v = sqrt((double)spec[i]), wv = v * weight[i];
      int ch = band[i];
      if (ch >= 0) mel[ch] += wv;
      if (++ch < p->filters) mel[ch] += v - wv;
    }
    for (int c = 0; c < p->filters; c++) mel[c] = log(mel[c] < 1e-12 ? 1e-12 : mel[c]);
    float *o = out + f * p->coeffs;
    for (int k = 0; k < p->coeffs; k++) {
      double sum = 0.0;
      for (int c = 0; c < p->filters; c++) sum += p->cosines[(size_t)k * p->filters + c] * mel[c];
      o[k] = (float)sum;
    }
  }
  return TL_OK;
}

tl_status tl_prep_mfcc(tl_kctx *ctx, tl_node *node) {
  tl_status s = kc_io(ctx, node, 2, 2, 1);
  if (s) return s;
  const tl_tensor *in = node->in[0], *rate = node->in[1];
  tl_tensor *out = node->out[0];
  if (in->type != TL_FLOAT32 || out->type != TL_FLOAT32) return tl_kfail(ctx, node, "spectrogram and output must be FLOAT32");
  if (in->ndim != 3) return tl_kfail(ctx, node, "spectrogram must be [channels, frames, bins]");
  if (rate->type != TL_INT32 || tl_numel(rate) != 1) return tl_kfail(ctx, node, "sample rate must be one INT32");
  tl_flex fx;
  tl_flex_ref m;
  if ((s = open_options(ctx, node, &fx, &m))) return s;
  int64_t up, lo, filters, coeffs;
  if (opt_i64(&fx, &m, "upper_frequency_limit", &up) | opt_i64(&fx, &m, "lower_frequency_limit", &lo) |
      opt_i64(&fx, &m, "filterbank_channel_count", &filters) | opt_i64(&fx, &m, "dct_coefficient_count", &coeffs))
    return tl_kfail(ctx, node, "custom_options: %s", fx.err ? fx.err : "malformed FlexBuffer");
  if (filters < 1 || filters > 4096) return tl_kfail(ctx, node, "filterbank_channel_count %lld must be in [1, 4096]", (long long)filters);
  if (coeffs < 1 || coeffs > filters)
    return tl_kfail(ctx, node, "dct_coefficient_count %lld must be in [1, %lld]", (long long)coeffs, (long long)filters);
  if (lo < 0 || up <= lo) return tl_kfail(ctx, node, "frequency limits [%lld, %lld] are not a range", (long long)lo, (long long)up);
  if (in->dims[2] < 2) return tl_kfail(ctx, node, "the spectrogram needs at least 2 bins");
  mfcc_state *p = tl_kpersist(ctx, sizeof *p);
  if (!p) return TL_ERR_NOMEM;
  p->channels = in->dims[0], p->frames = in->dims[1], p->bins = in->dims[2];
  p->filters = (int)filters, p->coeffs = (int)coeffs;
  p->lower = (float)lo, p->upper = (float)up;
  double *cosines = tl_kpersist(ctx, sizeof(double) * (size_t)coeffs * (size_t)filters);
  if (!cosines) return TL_ERR_NOMEM;
  const double fnorm = sqrt(2.0 / p->filters), arg = atan(1) * 4 / p->filters;
  for (int k = 0; k < p->coeffs; k++)
    for (int c = 0; c < p->filters; c++) cosines[(size_t)k * p->filters + c] = fnorm * cos(k * arg * (c + 0.5));
  p->cosines = cosines;
  if (rate->known) {
    int32_t *band = tl_kpersist(ctx, sizeof(int32_t) * (size_t)p->bins);
    double *weight = tl_kpersist(ctx, sizeof(double) * (size_t)p->bins);
    double *centers = tl_kpersist(ctx, sizeof(double) * (size_t)(p->filters + 1));
    if (!band || !weight || !centers) return TL_ERR_NOMEM;
    const char *why;
    if (filterbank(p, *(const int32_t *)rate->data, band, weight, centers, &p->start, &p->end, &why))
      return tl_kfail(ctx, node, "%s", why);
    p->band = band, p->weight = weight;
  }
  const int32_t od[3] = {p->channels, p->frames, p->coeffs};
  if ((s = tl_kset_shape(ctx, node, out, 3, od))) return s;
  /* mel energies; with a run-time rate also the centers, weights and bands */
  const size_t scratch = sizeof(double) * (size_t)(p->filters + 1) +
                         (rate->known ? 0 : (sizeof(double) + sizeof(int32_t)) * (size_t)p->bins);
  if ((s = tl_kscratch(ctx, node, scratch))) return s;
  node->state = p;
  node->eval = mfcc_eval;
  return TL_OK;
}

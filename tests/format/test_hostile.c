/* SPDX-License-Identifier: Apache-2.0
 * Hostile input for the reader and interpreter: truncated files, random bytes, bit-flipped corpus
 * models and a wrong identifier must give a clear error (or run safely), never a crash, a hang or an
 * out-of-bounds access. Run under ASan+UBSan in CI. */
#include <stdint.h>
#include <stdlib.h>

#include "format/schema.h"
#include "format/flexbuf.h"
#include "format/schema.h"
#include "format/tflite_writer.h"
#include "test.h"
#include "tinylite.h"

static unsigned char *read_all(const char *path, size_t *n) {
  *n = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *b = malloc((size_t)sz + 1);
  *n = b ? fread(b, 1, (size_t)sz, f) : 0;
  fclose(f);
  return b;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state >> 11);
}

/* Loads bytes; if they load, allocates in a bounded arena and invokes on zeroed inputs. Returns the
 * load status. An error must come with a message. */
static tl_status try_model(const unsigned char *bytes, size_t n, int *ran) {
  static unsigned char arena[16 << 20] __attribute__((aligned(16)));
  char err[512] = "";
  tl_model *m;
  /* A private, exactly-sized copy so ASan sees any read past the end. */
  unsigned char *copy = malloc(n ? n : 1);
  memcpy(copy, bytes, n);
  tl_status st = tl_model_from_memory(copy, n, &m, err, sizeof err);
  if (st) {
    if (!err[0]) {
      fprintf(stderr, "  load failed with no message (status %d)\n", st);
      tl_test_failed_now = 1;
    }
    free(copy);
    return st;
  }
  tl_interp_options o = {.num_threads = 1, .arena = arena, .arena_size = sizeof arena};
  tl_interp *ip;
  if (tl_interp_new(m, &o, &ip) == TL_OK) {
    if (tl_interp_allocate(ip) == TL_OK) {
      for (int i = 0; i < tl_interp_input_count(ip); i++) {
        tl_tensor *t = tl_interp_input(ip, i);
        if (tl_tensor_data(t)) memset(tl_tensor_data(t), 0, tl_tensor_bytes(t));
      }
      tl_interp_invoke(ip);
      *ran += 1;
    } else if (!tl_interp_errmsg(ip)[0]) {
      fprintf(stderr, "  allocate failed with no message\n");
      tl_test_failed_now = 1;
    }
    tl_interp_free(ip);
  }
  tl_model_close(m);
  free(copy);
  return TL_OK;
}

static const char *small_models[] = {
    "hello_world_float-float-tensorflow.tflite", "hello_world_int8-int8-tensorflow.tflite",
    "add_model_quant8-int8-tensorflow.tflite",   "mnist-cnn-dynrange-vitoriamb.tflite",
    "seanet-conv0-16x8-tensorflow.tflite",       "mnist-cnn-float-edgeaiwithrtt.tflite",
    "har-pruned-resourcevars-float-mihirscsharma.tflite",
};
#define N_SMALL (int)(sizeof small_models / sizeof small_models[0])

static unsigned char *load_corpus_model(const char *corpus, const char *name, size_t *n) {
  char path[2048];
  snprintf(path, sizeof path, "%s/models/%s", corpus, name);
  return read_all(path, n);
}

TEST(empty_and_tiny_files) {
  int ran = 0;
  unsigned char zeros[64] = {0};
  for (size_t n = 0; n <= sizeof zeros; n++) EXPECT(try_model(zeros, n, &ran) != TL_OK);
  char err[256];
  tl_model *m;
  EXPECT(tl_model_from_memory(zeros, 4, &m, err, sizeof err) == TL_ERR_MODEL);
  EXPECT_STR_CONTAINS(err, "too short");
  EXPECT(tl_model_open("/nonexistent/model.tflite", &m, err, sizeof err) == TL_ERR_IO);
  EXPECT_STR_CONTAINS(err, "/nonexistent/model.tflite");
}

TEST(random_bytes) {
  int ran = 0;
  unsigned char buf[4096];
  for (int it = 0; it < 2000; it++) {
    size_t n = rnd() % sizeof buf;
    for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)rnd();
    if (it % 2 && n >= 8) memcpy(buf + 4, "TFL3", 4); /* get past the identifier check */
    try_model(buf, n, &ran);
  }
}

TEST(wrong_identifier) {
  REQUIRE_SHARED(corpus, "TL_CORPUS_DIR", "../shared/tflite-corpus");
  size_t n;
  unsigned char *b = load_corpus_model(corpus, small_models[0], &n);
  EXPECT(b != NULL);
  if (!b) return;
  memcpy(b + 4, "TFL2", 4);
  char err[256];
  tl_model *m;
  EXPECT(tl_model_from_memory(b, n, &m, err, sizeof err) == TL_ERR_MODEL);
  EXPECT_STR_CONTAINS(err, "identifier");
  free(b);
}

TEST(truncated_corpus_files) {
  REQUIRE_SHARED(corpus, "TL_CORPUS_DIR", "../shared/tflite-corpus");
  for (int k = 0; k < N_SMALL; k++) {
    size_t n;
    unsigned char *b = load_corpus_model(corpus, small_models[k], &n);
    EXPECT(b != NULL);
    if (!b) continue;
    int ran = 0;
    EXPECT(try_model(b, n, &ran) == TL_OK); /* the intact file loads */
    /* Every prefix up to 512 bytes, then a spread of cut points through the file. */
    for (size_t cut = 0; cut < n; cut += cut < 512 ? 1 : 1 + n / 300) {
      tl_status st = try_model(b, cut, &ran);
      (void)st;
    }
    free(b);
  }
}

TEST(bit_flipped_corpus_files) {
  REQUIRE_SHARED(corpus, "TL_CORPUS_DIR", "../shared/tflite-corpus");
  int loaded = 0, rejected = 0, ran = 0;
  for (int k = 0; k < N_SMALL; k++) {
    size_t n;
    unsigned char *b = load_corpus_model(corpus, small_models[k], &n);
    EXPECT(b != NULL);
    if (!b) continue;
    unsigned char *mut = malloc(n);
    for (int it = 0; it < 400; it++) {
      memcpy(mut, b, n);
      int flips = 1 + (int)(rnd() % 4);
      /* Flip bits mostly in the FlatBuffer's metadata (its tables sit before and after the weights). */
      for (int f = 0; f < flips; f++) mut[rnd() % n] ^= (unsigned char)(1u << (rnd() % 8));
      if (try_model(mut, n, &ran) == TL_OK) loaded++;
      else rejected++;
    }
    free(mut);
    free(b);
  }
  printf("  bit flips: %d loaded (%d ran), %d rejected with a message\n", loaded, ran, rejected);
}

/* Real-world models whose ops came with the real-world corpus (SPLIT, SPACE_TO_BATCH_ND, DEPTH_TO_SPACE,
 * PRELU, WHILE, LOGICAL_AND, L2_NORMALIZATION, FILL, ...): cut and bit-flipped, they must load and run
 * or be refused with a message, never crash (this test runs under ASan and UBSan too). */
TEST(mutated_real_world_models) {
  REQUIRE_SHARED(corpus, "TL_CORPUS_REAL_DIR", "../shared/tflite-corpus-real");
  static const char *models[] = {"split_concat-uint8-coral.tflite", "dilated_conv-float-tflite-support.tflite",
                                 "point_history_classifier-float-kazuhito00.tflite", "climate_simple_rnn-float-goksu9.tflite",
                                 "abpn_x2-int8-freedomtan.tflite", "hand_recrop-float-mediapipe.tflite",
                                 "network_anomaly_lstm_while-float-nithish754.tflite"};
  int loaded = 0, rejected = 0, ran = 0;
  for (size_t k = 0; k < sizeof models / sizeof models[0]; k++) {
    size_t n;
    unsigned char *b = load_corpus_model(corpus, models[k], &n);
    EXPECT(b != NULL);
    if (!b) continue;
    EXPECT(try_model(b, n, &ran) == TL_OK);
    for (size_t cut = 0; cut < n; cut += 1 + n / 100) try_model(b, cut, &ran);
    unsigned char *mut = malloc(n);
    for (int it = 0; it < 200; it++) {
      memcpy(mut, b, n);
      const int flips = 1 + (int)(rnd() % 4);
      /* the FlatBuffer tables: the first and last 4 KB (weights sit in between) */
      for (int f = 0; f < flips; f++) {
        const size_t span = n < 8192 ? n : 4096, at = rnd() % span;
        mut[rnd() % 2 || n < 8192 ? at : n - 1 - at] ^= (unsigned char)(1u << (rnd() % 8));
      }
      if (try_model(mut, n, &ran) == TL_OK) loaded++;
      else rejected++;
    }
    free(mut);
    free(b);
  }
  printf("  real-world bit flips: %d loaded (%d ran), %d rejected with a message\n", loaded, ran, rejected);
}

/* Small models of the ops whose outputs are sized at run time or from options (RFFT2D, WHERE, UNIQUE,
 * SCATTER_ND, AudioSpectrogram -> Mfcc, CONV_3D, SPARSE_TO_DENSE, a SLICE sized by an input feeding a
 * RESHAPE), written in memory; 0 when the writer failed. */
static uint8_t *new_op_model(int which, size_t *n) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  const int32_t v16[1] = {16}, m44[2] = {4, 4}, two[1] = {2}, one[1] = {1}, m53[2] = {5, 3}, w[2] = {400, 1}, c12[2] = {1, 2};
  int ins[2], outs[2], ni = 1, no = 1;
  if (which == 0) { /* RFFT2D */
    const int32_t len[2] = {4, 8}, od[2] = {4, 5};
    ins[0] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_FLOAT32, 2, m44, NULL, 0, NULL, 0);
    const int l = tl_tfl_add_const_tensor(b, 0, NULL, TL_TFL_INT32, 1, two, len, 8, NULL);
    outs[0] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_COMPLEX64, 2, od, NULL, 0, NULL, 0);
    const int in[2] = {ins[0], l};
    tl_tfl_add_op(b, 0, TL_BUILTIN_RFFT2D, 1, in, 2, outs, 1, NULL);
  } else if (which == 1) { /* WHERE */
    ins[0] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_BOOL, 2, m44, NULL, 0, NULL, 0);
    outs[0] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_INT64, 2, c12, NULL, 0, NULL, 0);
    tl_tfl_add_op(b, 0, TL_BUILTIN_WHERE, 1, ins, 1, outs, 1, NULL);
  } else if (which == 2) { /* UNIQUE */
    ins[0] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_INT32, 1, v16, NULL, 0, NULL, 0);
    outs[0] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_INT32, 1, one, NULL, 0, NULL, 0);
    outs[1] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_INT32, 1, v16, NULL, 0, NULL, 0);
    no = 2;
    tl_tfl_add_op(b, 0, TL_BUILTIN_UNIQUE, 1, ins, 1, outs, 2, NULL);
  } else if (which == 3) { /* SCATTER_ND */
    const int32_t idx[4] = {1, 3, 1, 0}, id[2] = {4, 1}, ud[2] = {4, 3}, shape[2] = {5, 3};
    const int ix = tl_tfl_add_const_tensor(b, 0, NULL, TL_TFL_INT32, 2, id, idx, 16, NULL);
    ins[0] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_FLOAT32, 2, ud, NULL, 0, NULL, 0);
    const int sh = tl_tfl_add_const_tensor(b, 0, NULL, TL_TFL_INT32, 1, two, shape, 8, NULL);
    outs[0] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_FLOAT32, 2, m53, NULL, 0, NULL, 0);
    const int in[3] = {ix, ins[0], sh};
    tl_tfl_add_op(b, 0, TL_BUILTIN_SCATTER_ND, 1, in, 3, outs, 1, NULL);
  } else if (which == 4) { /* AudioSpectrogram -> Mfcc */
    const int32_t sd[3] = {1, 3, 129}, md[3] = {1, 3, 13}, rate = 16000;
    ins[0] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_FLOAT32, 2, w, NULL, 0, NULL, 0);
    const int spec = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_FLOAT32, 3, sd, NULL, 0, NULL, 0);
    const int r = tl_tfl_add_const_tensor(b, 0, NULL, TL_TFL_INT32, 1, one, &rate, 4, NULL);
    outs[0] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_FLOAT32, 3, md, NULL, 0, NULL, 0);
    const tl_flex_entry so[3] = {{"magnitude_squared", TL_FLEX_BOOL, 1, 0, 0}, {"stride", TL_FLEX_INT, 100, 0, 0},
                                 {"window_size", TL_FLEX_INT, 200, 0, 0}};
    const tl_flex_entry mo[4] = {{"dct_coefficient_count", TL_FLEX_INT, 13, 0, 0}, {"filterbank_channel_count", TL_FLEX_INT, 40, 0, 0},
                                 {"lower_frequency_limit", TL_FLEX_INT, 20, 0, 0}, {"upper_frequency_limit", TL_FLEX_INT, 4000, 0, 0}};
    uint8_t sb[128], mb[160];
    const size_t sn = tl_flex_write_map(so, 3, 4, sb, sizeof sb), mn = tl_flex_write_map(mo, 4, 4, mb, sizeof mb);
    tl_tfl_add_custom_op(b, 0, "AudioSpectrogram", 1, ins, 1, &spec, 1, sb, sn);
    const int mi[2] = {spec, r};
    tl_tfl_add_custom_op(b, 0, "Mfcc", 1, mi, 2, outs, 1, mb, mn);
  } else if (which == 6) { /* CONV_3D, strided and dilated */
    static const float wt[2 * 2 * 2 * 2 * 3] = {0.5f, -1.f, 0.25f};
    const int32_t xd[5] = {1, 4, 4, 4, 2}, wd[5] = {2, 2, 2, 2, 3}, od[5] = {1, 2, 2, 2, 3};
    ins[0] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_FLOAT32, 5, xd, NULL, 0, NULL, 0);
    const int wi = tl_tfl_add_const_tensor(b, 0, NULL, TL_TFL_FLOAT32, 5, wd, wt, sizeof wt, NULL);
    outs[0] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_FLOAT32, 5, od, NULL, 0, NULL, 0);
    tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_CONV3D);
    tl_tfl_opts_set_int(&o, TL_SCH_OPT_CONV3D_PADDING, TL_TFL_F_I8, TL_TFL_PAD_SAME);
    for (int f = TL_SCH_OPT_CONV3D_STRIDE_D; f <= TL_SCH_OPT_CONV3D_STRIDE_H; f++) tl_tfl_opts_set_int(&o, f, TL_TFL_F_I32, 2);
    const int in[2] = {ins[0], wi};
    tl_tfl_add_op(b, 0, TL_BUILTIN_CONV_3D, 1, in, 2, outs, 1, &o);
  } else if (which == 7) { /* SPARSE_TO_DENSE with a run-time output shape */
    const int32_t idx[6] = {0, 1, 2, 3, 1, 0}, id[2] = {3, 2}, v3[1] = {3}, shape[2] = {3, 4};
    static const float vals[3] = {1.f, 2.f, 3.f}, def = -1.f;
    const int ix = tl_tfl_add_const_tensor(b, 0, NULL, TL_TFL_INT32, 2, id, idx, sizeof idx, NULL);
    ins[0] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_INT32, 1, two, NULL, 0, NULL, 0);
    const int vi = tl_tfl_add_const_tensor(b, 0, NULL, TL_TFL_FLOAT32, 1, v3, vals, sizeof vals, NULL);
    const int di = tl_tfl_add_const_tensor(b, 0, NULL, TL_TFL_FLOAT32, 0, one, &def, 4, NULL);
    outs[0] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_FLOAT32, 2, shape, NULL, 0, NULL, 0);
    const int in[4] = {ix, ins[0], vi, di};
    tl_tfl_add_op(b, 0, TL_BUILTIN_SPARSE_TO_DENSE, 1, in, 4, outs, 1, NULL);
  } else { /* SLICE sized by an input, then RESHAPE to [-1] */
    const int32_t begin[2] = {0, 1}, flat[1] = {-1};
    ins[0] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_FLOAT32, 2, m44, NULL, 0, NULL, 0);
    ins[1] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_INT32, 1, two, NULL, 0, NULL, 0);
    ni = 2;
    const int bg = tl_tfl_add_const_tensor(b, 0, NULL, TL_TFL_INT32, 1, two, begin, 8, NULL);
    const int sl = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_FLOAT32, 2, c12, NULL, 0, NULL, 0);
    const int fs = tl_tfl_add_const_tensor(b, 0, NULL, TL_TFL_INT32, 1, one, flat, 4, NULL);
    outs[0] = tl_tfl_add_tensor(b, 0, NULL, TL_TFL_FLOAT32, 1, one, NULL, 0, NULL, 0);
    const int si[3] = {ins[0], bg, ins[1]}, ri[2] = {sl, fs};
    tl_tfl_options ro = tl_tfl_opts_reshape(NULL, 0);
    tl_tfl_add_op(b, 0, TL_BUILTIN_SLICE, 1, si, 3, &sl, 1, NULL);
    tl_tfl_add_op(b, 0, TL_BUILTIN_RESHAPE, 1, ri, 2, outs, 1, &ro);
  }
  tl_tfl_set_io(b, 0, ins, ni, outs, no);
  uint8_t *out = NULL;
  char err[256];
  if (tl_tfl_finish(b, &out, n, err, sizeof err)) fprintf(stderr, "  writer: %s\n", err), out = NULL;
  tl_tfl_builder_free(b);
  return out;
}

/* Those models cut and bit-flipped anywhere (they are small): load and run, or refuse with a message. */
TEST(mutated_new_op_models) {
  int loaded = 0, rejected = 0, ran = 0;
  for (int k = 0; k < 8; k++) {
    size_t n;
    uint8_t *b = new_op_model(k, &n);
    EXPECT(b != NULL);
    if (!b) continue;
    int ran_clean = 0;
    EXPECT(try_model(b, n, &ran_clean) == TL_OK);
    EXPECT_EQ(ran_clean, 1);
    for (size_t cut = 0; cut < n; cut += 1 + n / 64) try_model(b, cut, &ran);
    uint8_t *mut = malloc(n);
    for (int it = 0; it < 300; it++) {
      memcpy(mut, b, n);
      for (int f = 1 + (int)(rnd() % 4); f > 0; f--) mut[rnd() % n] ^= (unsigned char)(1u << (rnd() % 8));
      if (try_model(mut, n, &ran) == TL_OK) loaded++;
      else rejected++;
    }
    free(mut);
    free(b);
  }
  printf("  new-op models, bit flips: %d loaded (%d ran), %d rejected with a message\n", loaded, ran, rejected);
}

TEST_MAIN(T(empty_and_tiny_files), T(random_bytes), T(wrong_identifier), T(truncated_corpus_files),
          T(bit_flipped_corpus_files), T(mutated_real_world_models), T(mutated_new_op_models))

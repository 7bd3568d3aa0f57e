/* SPDX-License-Identifier: Apache-2.0
 * Tests of the .tflite writer: FlatBuffers layout (alignment, identifier, vtables), round trips
 * through tinylite's reader, and small graphs run by the real TensorFlow Lite runtime
 * (../shared/tools/tflite-ref, TFLITE_REF) compared with a naive C computation of the same graph. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/flatbuf.h"
#include "format/model.h"
#include "format/tflite_writer.h"
#include "model_copy.h"
#include "test.h"
#include "tinylite.h"

#define CORPUS_VAR "TL_CORPUS_DIR"
#define CORPUS_DEF "../shared/tflite-corpus"

/* ---- small utilities ------------------------------------------------------------------------- */

static uint32_t rng = 12345;
static float frand(void) { /* uniform in [-1, 1) */
  rng = rng * 1664525u + 1013904223u;
  return (float)((rng >> 8) & 0xffffff) / 8388608.0f - 1.0f;
}

static uint16_t f2h(float f) { /* float -> IEEE half, round to nearest even (finite inputs) */
  uint32_t x;
  memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u, mant = x & 0x7fffffu;
  int32_t e = (int32_t)((x >> 23) & 0xff) - 127 + 15;
  if (e >= 31) return (uint16_t)(sign | 0x7c00u);
  if (e <= 0) {
    if (e < -10) return (uint16_t)sign;
    mant |= 0x800000u;
    int shift = 14 - e;
    uint32_t h = mant >> shift, rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1))) h++;
    return (uint16_t)(sign | h);
  }
  uint32_t h = sign | ((uint32_t)e << 10) | (mant >> 13), rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) h++;
  return (uint16_t)h;
}

static float h2f(uint16_t h) {
  int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  float v = e == 0 ? ldexpf((float)m, -24) : ldexpf((float)(1024 + m), e - 25);
  return (h & 0x8000) ? -v : v;
}

static char tmpdir[256];
static void remove_tmpdir(void) { /* the files are kept for inspection with TL_KEEP_TMP=1 */
  char cmd[300];
  if (getenv("TL_KEEP_TMP") || strncmp(tmpdir, "/tmp/tl_writer_", 15)) return;
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
}
/* Path of `name` in this run's temporary directory. Rotating slots: a result stays valid for the
 * next 31 calls; the reference runner keeps its own fixed paths (runner_path). */
static const char *tmp_path(const char *name) {
  static char p[32][512];
  static int slot;
  if (!tmpdir[0]) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tl_writer_XXXXXX");
    if (!mkdtemp(tmpdir)) snprintf(tmpdir, sizeof tmpdir, "/tmp");
    atexit(remove_tmpdir);
  }
  char *s = p[slot++ % 32];
  snprintf(s, 512, "%s/%s", tmpdir, name);
  return s;
}

static const char *runner_path(int which) {
  static char p[4][512];
  static const char *names[4] = {"ref_in.bin", "ref_out.bin", "ref.log", "ref_info.json"};
  snprintf(p[which], 512, "%s", tmp_path(names[which]));
  return p[which];
}

static int write_bytes(const char *path, const void *d, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = fwrite(d, 1, n, f);
  return (fclose(f) == 0 && w == n) ? 0 : -1;
}

static uint8_t *read_bytes(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *d = malloc(sz > 0 ? (size_t)sz : 1);
  if (d && fread(d, 1, (size_t)sz, f) != (size_t)sz) {
    free(d);
    d = NULL;
  }
  fclose(f);
  *n = (size_t)sz;
  return d;
}

static void print_file(const char *path) {
  size_t n;
  uint8_t *d = read_bytes(path, &n);
  if (d) fprintf(stderr, "  ---- %s ----\n%.*s\n", path, (int)(n > 4000 ? 4000 : n), (const char *)d);
  free(d);
}

/* Runs the reference runtime: `run invoke MODEL IN OUT [flags]`, checks the output size. */
static int ref_invoke(const char *ref, const char *model, const void *in, size_t in_n, void *out,
                      size_t out_n, const char *flags) {
  const char *inp = runner_path(0), *outp = runner_path(1), *logp = runner_path(2);
  if (write_bytes(inp, in, in_n)) return -1;
  remove(outp);
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "\"%s\" invoke \"%s\" \"%s\" \"%s\" %s > \"%s\" 2>&1", ref, model, inp, outp, flags,
           logp);
  int rc = system(cmd);
  size_t n = 0;
  uint8_t *d = rc == 0 ? read_bytes(outp, &n) : NULL;
  if (!d || n != out_n) {
    fprintf(stderr, "  reference run failed (rc %d, %zu bytes, want %zu): %s\n", rc, n, out_n, cmd);
    print_file(logp);
    free(d);
    return -1;
  }
  memcpy(out, d, n);
  free(d);
  return 0;
}

/* `run info MODEL --json [flags]`: returns 1 if the runtime loads it ("loads": true), 0 if not, -1. */
static int ref_loads(const char *ref, const char *model, const char *flags) {
  const char *logp = runner_path(3);
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "\"%s\" info \"%s\" --json %s > \"%s\" 2>&1", ref, model, flags, logp);
  int rc = system(cmd);
  size_t n = 0;
  uint8_t *d = read_bytes(logp, &n);
  int ok = -1;
  if (d) {
    char *s = realloc(d, n + 1);
    if (s) {
      d = (uint8_t *)s;
      s[n] = 0;
      ok = strstr(s, "\"loads\": true") ? 1 : 0;
    }
  }
  if (ok != 1) {
    fprintf(stderr, "  info rc %d: %s\n", rc, cmd);
    print_file(logp);
  }
  free(d);
  return ok;
}

/* Finishes the builder, checks the FlatBuffer layout, writes it to tmp/name. Returns the bytes. */
static uint8_t *finish_and_check(tl_tfl_builder *b, const char *name, size_t *n_out) {
  uint8_t *buf = NULL;
  size_t n = 0;
  char err[256] = "";
  int rc = tl_tfl_finish(b, &buf, &n, err, sizeof err);
  EXPECT_EQ(rc, 0);
  if (rc) {
    fprintf(stderr, "  finish: %s\n", err);
    return NULL;
  }
  /* identifier at 4..7; size a multiple of the largest alignment (16 when buffers hold data) */
  EXPECT(n >= 8 && !memcmp(buf + 4, "TFL3", 4));
  EXPECT_EQ(n % (tl_tfl_num_buffers(b) > 1 ? 16 : 4), 0);
  tl_fb_table root;
  EXPECT(tl_fb_root(buf, n, &root) && root.ok);
  EXPECT_EQ(tl_fb_u32(&root, 0, 0), 3); /* Model.version */
  tl_fb_vec bufs;
  EXPECT_EQ(tl_fb_vector(&root, 4, 4, &bufs), 1);
  for (uint32_t i = 0; i < bufs.n; i++) {
    tl_fb_table bt;
    EXPECT(tl_fb_vec_table(&root, &bufs, i, &bt) && bt.ok);
    tl_fb_vec data;
    int r = tl_fb_vector(&bt, 0, 1, &data);
    if (i == 0) EXPECT(r == 0 || data.n == 0); /* empty sentinel */
    if (r == 1 && data.n) EXPECT_EQ((size_t)(data.data - buf) % 16, 0);
  }
  const char *path = tmp_path(name);
  EXPECT_EQ(tl_tfl_write_file(b, path, err, sizeof err), 0);
  size_t fn = 0;
  uint8_t *fb = read_bytes(path, &fn);
  EXPECT(fb && fn == n && !memcmp(fb, buf, n)); /* write_file == finish */
  free(fb);
  *n_out = n;
  return buf;
}

/* ---- model A: one FULLY_CONNECTED --------------------------------------------------------------- */

static tl_tfl_builder *build_fc(float *w, float *bias) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  for (int i = 0; i < 12; i++) w[i] = frand();
  for (int i = 0; i < 3; i++) bias[i] = frand();
  int32_t sx[] = {1, 4}, sw[] = {3, 4}, sb[] = {3}, sy[] = {1, 3};
  int x = tl_tfl_add_tensor(b, 0, "x", TL_TFL_FLOAT32, 2, sx, NULL, 0, NULL, 0);
  int tw = tl_tfl_add_const_tensor(b, 0, "w", TL_TFL_FLOAT32, 2, sw, w, 12 * sizeof(float), NULL);
  int tb = tl_tfl_add_const_tensor(b, 0, "b", TL_TFL_FLOAT32, 1, sb, bias, 3 * sizeof(float), NULL);
  int y = tl_tfl_add_tensor(b, 0, "y", TL_TFL_FLOAT32, 2, sy, NULL, 0, NULL, 0);
  int32_t in[] = {x, tw, tb}, out[] = {y};
  tl_tfl_options o = tl_tfl_opts_fully_connected(TL_TFL_ACT_NONE, 0, 0, 0);
  tl_tfl_add_op(b, 0, TL_BUILTIN_FULLY_CONNECTED, 1, in, 3, out, 1, &o);
  tl_tfl_set_io(b, 0, &in[0], 1, out, 1);
  return b;
}

TEST(fc_layout_and_reader) {
  float w[12], bias[3];
  tl_tfl_builder *b = build_fc(w, bias);
  EXPECT_STR_CONTAINS(tl_tfl_builder_errmsg(b), "");
  EXPECT_EQ(tl_tfl_builder_errmsg(b)[0], 0);
  size_t n = 0;
  uint8_t *buf = finish_and_check(b, "fc.tflite", &n);
  if (!buf) {
    tl_tfl_builder_free(b);
    return;
  }
  tl_model *m = NULL;
  char err[256] = "";
  tl_status st = tl_model_from_memory(buf, n, &m, err, sizeof err);
  EXPECT_EQ(st, TL_OK);
  if (st != TL_OK) fprintf(stderr, "  reader: %s\n", err);
  if (m) {
    tl_model_info info;
    tl_model_get_info(m, &info);
    EXPECT_EQ(info.version, 3);
    EXPECT_EQ(info.num_buffers, 3);
    EXPECT_EQ(info.num_opcodes, 1);
    EXPECT(!strcmp(info.description, "tinylite"));
    tl_tensor_info ti;
    EXPECT_EQ(tl_model_tensor(m, 0, 1, &ti), TL_OK);
    EXPECT(!strcmp(ti.name, "w"));
    EXPECT_EQ(ti.ndim, 2);
    EXPECT_EQ(ti.dims[0], 3);
    EXPECT_EQ(ti.buffer, 1);
    const uint8_t *d;
    size_t dn;
    EXPECT_EQ(tl_model_buffer(m, 1, &d, &dn), TL_OK);
    EXPECT(dn == sizeof w && !memcmp(d, w, sizeof w));
    EXPECT_EQ((uintptr_t)d % 16, 0);
    int bc, ver, nin, nout;
    const int32_t *ins, *outs;
    EXPECT_EQ(tl_model_op(m, 0, 0, &bc, &ver, &ins, &nin, &outs, &nout), TL_OK);
    EXPECT_EQ(bc, TL_BUILTIN_FULLY_CONNECTED);
    EXPECT_EQ(nin, 3);
    EXPECT_EQ(ins[2], 2);
    tl_model_close(m);
  }
  tl_tfl_builder_free(b);
  free(buf);
}

TEST(fc_real_tflite) {
  float w[12], bias[3];
  tl_tfl_builder *b = build_fc(w, bias);
  char err[256];
  const char *path = tmp_path("fc.tflite");
  EXPECT_EQ(tl_tfl_write_file(b, path, err, sizeof err), 0);
  tl_tfl_builder_free(b);
  REQUIRE_TFLITE_REF(ref);
  float x[4] = {0.5f, -1.25f, 2.0f, 0.75f}, y[3], want[3];
  for (int o = 0; o < 3; o++) {
    double acc = bias[o];
    for (int i = 0; i < 4; i++) acc += (double)x[i] * w[o * 4 + i];
    want[o] = (float)acc;
  }
  EXPECT_EQ(ref_loads(ref, path, "--no-xnnpack"), 1);
  if (ref_invoke(ref, path, x, sizeof x, y, sizeof y, "--no-xnnpack")) {
    tl_test_failed_now = 1;
    return;
  }
  double md = 0;
  for (int o = 0; o < 3; o++) md = fmax(md, fabs(y[o] - want[o]));
  fprintf(stderr, "  fc: max |tflite - naive| = %.3g\n", md);
  EXPECT(md < 1e-5);
}

/* ---- model B: the tutorial CNN shape (RESHAPE CONV CONV MAXPOOL RESHAPE FC SOFTMAX) ---------- */

#define C1 4
#define C2 4
typedef struct {
  float w1[C1 * 9], b1[C1], w2[C2 * 9 * C1], b2[C2], wf[10 * 12 * 12 * C2], bf[10];
} cnn_w;

static tl_tfl_builder *build_cnn(cnn_w *W) {
  for (size_t i = 0; i < sizeof W->w1 / 4; i++) W->w1[i] = 0.5f * frand();
  for (size_t i = 0; i < C1; i++) W->b1[i] = 0.1f * frand();
  for (size_t i = 0; i < sizeof W->w2 / 4; i++) W->w2[i] = 0.3f * frand();
  for (size_t i = 0; i < C2; i++) W->b2[i] = 0.1f * frand();
  for (size_t i = 0; i < sizeof W->wf / 4; i++) W->wf[i] = 0.1f * frand();
  for (size_t i = 0; i < 10; i++) W->bf[i] = 0.1f * frand();
  tl_tfl_builder *b = tl_tfl_builder_new();
  int32_t shape1[] = {1, 28, 28, 1}, shape2[] = {1, 12 * 12 * C2};
  int bs1 = tl_tfl_add_buffer(b, shape1, sizeof shape1), bs2 = tl_tfl_add_buffer(b, shape2, sizeof shape2);
  int bw1 = tl_tfl_add_buffer(b, W->w1, sizeof W->w1), bb1 = tl_tfl_add_buffer(b, W->b1, sizeof W->b1);
  int bw2 = tl_tfl_add_buffer(b, W->w2, sizeof W->w2), bb2 = tl_tfl_add_buffer(b, W->b2, sizeof W->b2);
  int bwf = tl_tfl_add_buffer(b, W->wf, sizeof W->wf), bbf = tl_tfl_add_buffer(b, W->bf, sizeof W->bf);
  int32_t d_in[] = {1, 28, 28}, sig_in[] = {-1, 28, 28}, d_s1[] = {4}, d_r1[] = {1, 28, 28, 1};
  int32_t d_w1[] = {C1, 3, 3, 1}, d_b1[] = {C1}, d_c1[] = {1, 26, 26, C1};
  int32_t d_w2[] = {C2, 3, 3, C1}, d_b2[] = {C2}, d_c2[] = {1, 24, 24, C2}, d_p[] = {1, 12, 12, C2};
  int32_t d_s2[] = {2}, d_r2[] = {1, 12 * 12 * C2}, d_wf[] = {10, 12 * 12 * C2}, d_bf[] = {10}, d_o[] = {1, 10};
  int32_t sig_o[] = {-1, 10};
  int t_in = tl_tfl_add_tensor(b, 0, "serving_default_input:0", TL_TFL_FLOAT32, 3, d_in, sig_in, 0, NULL, 0);
  int t_s1 = tl_tfl_add_tensor(b, 0, "sequential/reshape/shape", TL_TFL_INT32, 1, d_s1, NULL, bs1, NULL, 0);
  int t_r1 = tl_tfl_add_tensor(b, 0, "sequential/reshape/Reshape", TL_TFL_FLOAT32, 4, d_r1, NULL, 0, NULL, 0);
  int t_w1 = tl_tfl_add_tensor(b, 0, "sequential/conv2d/Conv2D", TL_TFL_FLOAT32, 4, d_w1, NULL, bw1, NULL, 0);
  int t_b1 = tl_tfl_add_tensor(b, 0, "sequential/conv2d/BiasAdd", TL_TFL_FLOAT32, 1, d_b1, NULL, bb1, NULL, 0);
  int t_c1 = tl_tfl_add_tensor(b, 0, "sequential/conv2d/Relu", TL_TFL_FLOAT32, 4, d_c1, NULL, 0, NULL, 0);
  int t_w2 = tl_tfl_add_tensor(b, 0, "sequential/conv2d_1/Conv2D", TL_TFL_FLOAT32, 4, d_w2, NULL, bw2, NULL, 0);
  int t_b2 = tl_tfl_add_tensor(b, 0, "sequential/conv2d_1/BiasAdd", TL_TFL_FLOAT32, 1, d_b2, NULL, bb2, NULL, 0);
  int t_c2 = tl_tfl_add_tensor(b, 0, "sequential/conv2d_1/Relu", TL_TFL_FLOAT32, 4, d_c2, NULL, 0, NULL, 0);
  int t_p = tl_tfl_add_tensor(b, 0, "sequential/max_pooling2d/MaxPool", TL_TFL_FLOAT32, 4, d_p, NULL, 0, NULL, 0);
  int t_s2 = tl_tfl_add_tensor(b, 0, "sequential/flatten/Const", TL_TFL_INT32, 1, d_s2, NULL, bs2, NULL, 0);
  int t_r2 = tl_tfl_add_tensor(b, 0, "sequential/flatten/Reshape", TL_TFL_FLOAT32, 2, d_r2, NULL, 0, NULL, 0);
  int t_wf = tl_tfl_add_tensor(b, 0, "sequential/dense/MatMul", TL_TFL_FLOAT32, 2, d_wf, NULL, bwf, NULL, 0);
  int t_bf = tl_tfl_add_tensor(b, 0, "sequential/dense/BiasAdd", TL_TFL_FLOAT32, 1, d_bf, NULL, bbf, NULL, 0);
  int t_f = tl_tfl_add_tensor(b, 0, "sequential/dense/BiasAdd1", TL_TFL_FLOAT32, 2, d_o, sig_o, 0, NULL, 0);
  int t_o = tl_tfl_add_tensor(b, 0, "StatefulPartitionedCall:0", TL_TFL_FLOAT32, 2, d_o, sig_o, 0, NULL, 0);

  tl_tfl_options o;
  int32_t i1[] = {t_in, t_s1}, o1[] = {t_r1};
  o = tl_tfl_opts_reshape(shape1, 4);
  tl_tfl_add_op(b, 0, TL_BUILTIN_RESHAPE, 1, i1, 2, o1, 1, &o);
  int32_t i2[] = {t_r1, t_w1, t_b1}, o2[] = {t_c1};
  o = tl_tfl_opts_conv2d(TL_TFL_PAD_VALID, 1, 1, TL_TFL_ACT_RELU, 1, 1);
  tl_tfl_add_op(b, 0, TL_BUILTIN_CONV_2D, 1, i2, 3, o2, 1, &o);
  int32_t i3[] = {t_c1, t_w2, t_b2}, o3[] = {t_c2};
  tl_tfl_add_op(b, 0, TL_BUILTIN_CONV_2D, 1, i3, 3, o3, 1, &o);
  int32_t i4[] = {t_c2}, o4[] = {t_p};
  o = tl_tfl_opts_pool2d(TL_TFL_PAD_VALID, 2, 2, 2, 2, TL_TFL_ACT_NONE);
  tl_tfl_add_op(b, 0, TL_BUILTIN_MAX_POOL_2D, 1, i4, 1, o4, 1, &o);
  int32_t i5[] = {t_p, t_s2}, o5[] = {t_r2};
  o = tl_tfl_opts_reshape(shape2, 2);
  tl_tfl_add_op(b, 0, TL_BUILTIN_RESHAPE, 1, i5, 2, o5, 1, &o);
  int32_t i6[] = {t_r2, t_wf, t_bf}, o6[] = {t_f};
  o = tl_tfl_opts_fully_connected(TL_TFL_ACT_NONE, 0, 0, 0);
  tl_tfl_add_op(b, 0, TL_BUILTIN_FULLY_CONNECTED, 1, i6, 3, o6, 1, &o);
  int32_t i7[] = {t_f}, o7[] = {t_o};
  o = tl_tfl_opts_softmax(1.0f);
  tl_tfl_add_op(b, 0, TL_BUILTIN_SOFTMAX, 1, i7, 1, o7, 1, &o);

  tl_tfl_set_io(b, 0, &t_in, 1, &t_o, 1);
  const char *in_names[] = {"input"}, *out_names[] = {"output_0"};
  tl_tfl_add_signature(b, "serving_default", 0, in_names, &t_in, 1, out_names, &t_o, 1);
  char ver[16] = "1.14.0";
  tl_tfl_add_metadata_bytes(b, "min_runtime_version", ver, sizeof ver);
  return b;
}

static void cnn_naive(const cnn_w *W, const float *x, float *y) {
  static float c1[26 * 26 * C1], c2[24 * 24 * C2], p[12 * 12 * C2];
  for (int h = 0; h < 26; h++)
    for (int w = 0; w < 26; w++)
      for (int c = 0; c < C1; c++) {
        double a = W->b1[c];
        for (int kh = 0; kh < 3; kh++)
          for (int kw = 0; kw < 3; kw++) a += (double)x[(h + kh) * 28 + w + kw] * W->w1[c * 9 + kh * 3 + kw];
        c1[(h * 26 + w) * C1 + c] = a > 0 ? (float)a : 0.0f;
      }
  for (int h = 0; h < 24; h++)
    for (int w = 0; w < 24; w++)
      for (int c = 0; c < C2; c++) {
        double a = W->b2[c];
        for (int kh = 0; kh < 3; kh++)
          for (int kw = 0; kw < 3; kw++)
            for (int ci = 0; ci < C1; ci++)
              a += (double)c1[((h + kh) * 26 + w + kw) * C1 + ci] * W->w2[((c * 3 + kh) * 3 + kw) * C1 + ci];
        c2[(h * 24 + w) * C2 + c] = a > 0 ? (float)a : 0.0f;
      }
  for (int h = 0; h < 12; h++)
    for (int w = 0; w < 12; w++)
      for (int c = 0; c < C2; c++) {
        float m = -INFINITY;
        for (int kh = 0; kh < 2; kh++)
          for (int kw = 0; kw < 2; kw++) m = fmaxf(m, c2[((2 * h + kh) * 24 + 2 * w + kw) * C2 + c]);
        p[(h * 12 + w) * C2 + c] = m;
      }
  double logits[10], mx = -1e300, sum = 0;
  for (int o = 0; o < 10; o++) {
    double a = W->bf[o];
    for (int i = 0; i < 12 * 12 * C2; i++) a += (double)p[i] * W->wf[o * 12 * 12 * C2 + i];
    logits[o] = a;
    mx = fmax(mx, a);
  }
  for (int o = 0; o < 10; o++) sum += exp(logits[o] - mx);
  for (int o = 0; o < 10; o++) y[o] = (float)(exp(logits[o] - mx) / sum);
}

static cnn_w cnnw;

TEST(cnn_reader_roundtrip) {
  tl_tfl_builder *b = build_cnn(&cnnw);
  EXPECT_EQ(tl_tfl_num_ops(b, 0), 7);
  size_t n = 0;
  uint8_t *buf = finish_and_check(b, "cnn.tflite", &n);
  tl_tfl_builder_free(b);
  if (!buf) return;
  tl_model *m = NULL;
  char err[256] = "";
  tl_status st = tl_model_from_memory(buf, n, &m, err, sizeof err);
  EXPECT_EQ(st, TL_OK);
  if (st != TL_OK) fprintf(stderr, "  reader: %s\n", err);
  if (m) {
    tl_model_info info;
    tl_model_get_info(m, &info);
    EXPECT_EQ(info.num_opcodes, 5); /* CONV_2D used twice, shares one code */
    EXPECT_EQ(info.num_signatures, 1);
    EXPECT_EQ(info.num_metadata, 1);
    const char *key, *nm;
    int sgi, ni, no, t;
    EXPECT_EQ(tl_model_signature(m, 0, &key, &sgi, &ni, &no), TL_OK);
    EXPECT(!strcmp(key, "serving_default"));
    EXPECT_EQ(tl_model_signature_io(m, 0, 1, 0, &nm, &t), TL_OK);
    EXPECT(!strcmp(nm, "output_0"));
    EXPECT_EQ(t, 15);
    const uint8_t *md;
    size_t mdn;
    EXPECT_EQ(tl_model_metadata(m, 0, &nm, &md, &mdn), TL_OK);
    EXPECT(!strcmp(nm, "min_runtime_version") && mdn == 16 && !strcmp((const char *)md, "1.14.0"));
    tl_tensor_info ti;
    EXPECT_EQ(tl_model_tensor(m, 0, 0, &ti), TL_OK);
    EXPECT(ti.shape_signature && ti.shape_signature[0] == -1);
    /* options as the reader sees them */
    const tl_mop *ops = m->subgraphs[0].ops;
    EXPECT_EQ(ops[1].options_type, TL_TFL_OPT_CONV2D);
    EXPECT_EQ(tl_fb_i8(&ops[1].options, TL_SCH_OPT_CONV2D_PADDING, 0), TL_TFL_PAD_VALID);
    EXPECT_EQ(tl_fb_i32(&ops[1].options, TL_SCH_OPT_CONV2D_STRIDE_W, 0), 1);
    EXPECT_EQ(tl_fb_i8(&ops[1].options, TL_SCH_OPT_CONV2D_FUSED_ACTIVATION_FUNCTION, 0), TL_TFL_ACT_RELU);
    EXPECT_EQ(tl_fb_i32(&ops[1].options, TL_SCH_OPT_CONV2D_DILATION_W_FACTOR, 1), 1);
    EXPECT_EQ(tl_fb_i32(&ops[3].options, TL_SCH_OPT_POOL2D_FILTER_HEIGHT, 0), 2);
    tl_fb_vec ns;
    EXPECT_EQ(tl_fb_vector(&ops[4].options, TL_SCH_OPT_RESHAPE_NEW_SHAPE, 4, &ns), 1);
    EXPECT(ns.n == 2 && tl_fb_vec_i32(&ns, 1) == 12 * 12 * C2);
    EXPECT_NEAR(tl_fb_f32(&ops[6].options, TL_SCH_OPT_SOFTMAX_BETA, 0), 1.0, 0);
    tl_model_close(m);
  }
  free(buf);
}

TEST(cnn_real_tflite) {
  tl_tfl_builder *b = build_cnn(&cnnw);
  char err[256];
  const char *path = tmp_path("cnn.tflite");
  EXPECT_EQ(tl_tfl_write_file(b, path, err, sizeof err), 0);
  tl_tfl_builder_free(b);
  REQUIRE_TFLITE_REF(ref);
  static float x[28 * 28];
  float y[10], want[10];
  for (int i = 0; i < 28 * 28; i++) x[i] = 0.5f * (frand() + 1.0f);
  cnn_naive(&cnnw, x, want);
  const char *flags[] = {"--no-xnnpack", "--runtime litert"};
  for (int r = 0; r < 2; r++) {
    EXPECT_EQ(ref_loads(ref, path, flags[r]), 1);
    if (ref_invoke(ref, path, x, sizeof x, y, sizeof y, flags[r])) {
      tl_test_failed_now = 1;
      continue;
    }
    double md = 0;
    for (int o = 0; o < 10; o++) md = fmax(md, fabs(y[o] - want[o]));
    fprintf(stderr, "  cnn (%s): max |tflite - naive| = %.3g\n", flags[r], md);
    EXPECT(md < 1e-5);
  }
}

/* ---- model C: int8 CONV_2D with per-channel weights ---------------------------------------------- */

#define QH 6
#define QW 6
#define QCI 2
#define QCO 3
typedef struct {
  int8_t x[QH * QW * QCI], w[QCO * 9 * QCI];
  int32_t bias[QCO];
  float in_s, w_s[QCO], out_s;
  int64_t in_zp, out_zp;
} qconv;

static tl_tfl_builder *build_qconv(qconv *q) {
  q->in_s = 0.05f;
  q->in_zp = -3;
  q->out_s = 0.08f;
  q->out_zp = 2;
  for (int c = 0; c < QCO; c++) q->w_s[c] = 0.01f * (float)(c + 1);
  for (int i = 0; i < QCO * 9 * QCI; i++) q->w[i] = (int8_t)(frand() * 127.0f);
  for (int c = 0; c < QCO; c++) q->bias[c] = (int32_t)(frand() * 500.0f);
  for (int i = 0; i < QH * QW * QCI; i++) q->x[i] = (int8_t)(frand() * 100.0f);
  tl_tfl_builder *b = tl_tfl_builder_new();
  int bw = tl_tfl_add_buffer(b, q->w, sizeof q->w), bb = tl_tfl_add_buffer(b, q->bias, sizeof q->bias);
  int32_t d_x[] = {1, QH, QW, QCI}, d_w[] = {QCO, 3, 3, QCI}, d_b[] = {QCO}, d_y[] = {1, QH - 2, QW - 2, QCO};
  float bs[QCO];
  int64_t zeros[QCO] = {0};
  for (int c = 0; c < QCO; c++) bs[c] = q->in_s * q->w_s[c];
  float mn = -1.0f, mx = 1.0f;
  tl_tfl_quant qx = {1, &q->in_s, &q->in_zp, 0, 1, &mn, &mx}, qy = {1, &q->out_s, &q->out_zp, 0, 0, NULL, NULL};
  tl_tfl_quant qw = {QCO, q->w_s, zeros, 0, 0, NULL, NULL}, qb = {QCO, bs, NULL, 0, 0, NULL, NULL};
  int tx = tl_tfl_add_tensor(b, 0, "x", TL_TFL_INT8, 4, d_x, NULL, 0, &qx, 0);
  int tw = tl_tfl_add_tensor(b, 0, "w", TL_TFL_INT8, 4, d_w, NULL, bw, &qw, 0);
  int tb = tl_tfl_add_tensor(b, 0, "bias", TL_TFL_INT32, 1, d_b, NULL, bb, &qb, 0);
  int ty = tl_tfl_add_tensor(b, 0, "y", TL_TFL_INT8, 4, d_y, NULL, 0, &qy, 0);
  int32_t in[] = {tx, tw, tb};
  tl_tfl_options o = tl_tfl_opts_conv2d(TL_TFL_PAD_VALID, 1, 1, TL_TFL_ACT_NONE, 1, 1);
  tl_tfl_add_op(b, 0, TL_BUILTIN_CONV_2D, 3, in, 3, &ty, 1, &o);
  tl_tfl_set_io(b, 0, &tx, 1, &ty, 1);
  return b;
}

TEST(qconv_per_channel) {
  static qconv q;
  tl_tfl_builder *b = build_qconv(&q);
  size_t n = 0;
  uint8_t *buf = finish_and_check(b, "qconv.tflite", &n);
  tl_tfl_builder_free(b);
  if (!buf) return;
  tl_model *m = NULL;
  char err[256] = "";
  EXPECT_EQ(tl_model_from_memory(buf, n, &m, err, sizeof err), TL_OK);
  if (m) {
    tl_tensor_info ti;
    EXPECT_EQ(tl_model_tensor(m, 0, 1, &ti), TL_OK);
    EXPECT_EQ(ti.quant_count, QCO);
    EXPECT_EQ(ti.quant_axis, 0);
    if (ti.quant_count == QCO) EXPECT_NEAR(ti.scales[2], q.w_s[2], 0);
    EXPECT_EQ(tl_model_tensor(m, 0, 0, &ti), TL_OK);
    EXPECT_EQ(ti.quant_count, 1);
    if (ti.quant_count == 1) EXPECT_EQ(ti.zero_points[0], -3);
    tl_model_close(m);
  } else {
    fprintf(stderr, "  reader: %s\n", err);
  }
  free(buf);
  REQUIRE_TFLITE_REF(ref);
  const char *path = tmp_path("qconv.tflite");
  int8_t y[(QH - 2) * (QW - 2) * QCO];
  if (ref_invoke(ref, path, q.x, sizeof q.x, y, sizeof y, "--no-xnnpack")) {
    tl_test_failed_now = 1;
    return;
  }
  int maxd = 0, exact = 0;
  for (int h = 0; h < QH - 2; h++)
    for (int w = 0; w < QW - 2; w++)
      for (int c = 0; c < QCO; c++) {
        int64_t acc = q.bias[c];
        for (int kh = 0; kh < 3; kh++)
          for (int kw = 0; kw < 3; kw++)
            for (int ci = 0; ci < QCI; ci++)
              acc += (int64_t)(q.x[((h + kh) * QW + w + kw) * QCI + ci] - q.in_zp) *
                     q.w[((c * 3 + kh) * 3 + kw) * QCI + ci];
        double real = (double)acc * q.in_s * q.w_s[c];
        long v = lround(real / q.out_s) + (long)q.out_zp;
        v = v < -128 ? -128 : v > 127 ? 127 : v;
        int d = abs((int)v - y[(h * (QW - 2) + w) * QCO + c]);
        if (d > maxd) maxd = d;
        exact += d == 0;
      }
  fprintf(stderr, "  qconv: max |tflite - naive| = %d LSB, %d/%d exact\n", maxd, exact, (QH - 2) * (QW - 2) * QCO);
  EXPECT(maxd <= 1);
}

/* ---- model D: float16 weights through DEQUANTIZE ----------------------------------------------------- */

TEST(fp16_dequantize_fc) {
  uint16_t wh[12];
  float wf[12], bias[3];
  for (int i = 0; i < 12; i++) {
    wh[i] = f2h(frand());
    wf[i] = h2f(wh[i]);
  }
  for (int i = 0; i < 3; i++) bias[i] = frand();
  tl_tfl_builder *b = tl_tfl_builder_new();
  int bw = tl_tfl_add_buffer(b, wh, sizeof wh), bb = tl_tfl_add_buffer(b, bias, sizeof bias);
  int32_t sx[] = {1, 4}, sw[] = {3, 4}, sb[] = {3}, sy[] = {1, 3};
  int x = tl_tfl_add_tensor(b, 0, "x", TL_TFL_FLOAT32, 2, sx, NULL, 0, NULL, 0);
  int th = tl_tfl_add_tensor(b, 0, "w_fp16", TL_TFL_FLOAT16, 2, sw, NULL, bw, NULL, 0);
  int tw = tl_tfl_add_tensor(b, 0, "w", TL_TFL_FLOAT32, 2, sw, NULL, 0, NULL, 0);
  int tb = tl_tfl_add_tensor(b, 0, "b", TL_TFL_FLOAT32, 1, sb, NULL, bb, NULL, 0);
  int y = tl_tfl_add_tensor(b, 0, "y", TL_TFL_FLOAT32, 2, sy, NULL, 0, NULL, 0);
  tl_tfl_options dq = tl_tfl_opts_dequantize();
  tl_tfl_add_op(b, 0, TL_BUILTIN_DEQUANTIZE, 3, &th, 1, &tw, 1, &dq);
  int32_t in[] = {x, tw, tb};
  tl_tfl_options o = tl_tfl_opts_fully_connected(TL_TFL_ACT_RELU, 0, 0, 0);
  tl_tfl_add_op(b, 0, TL_BUILTIN_FULLY_CONNECTED, 1, in, 3, &y, 1, &o);
  tl_tfl_set_io(b, 0, &x, 1, &y, 1);
  size_t n = 0;
  uint8_t *buf = finish_and_check(b, "fp16.tflite", &n);
  tl_tfl_builder_free(b);
  if (!buf) return;
  tl_model *m = NULL;
  char err[256] = "";
  EXPECT_EQ(tl_model_from_memory(buf, n, &m, err, sizeof err), TL_OK);
  if (m) {
    int bc, ver, nin, nout;
    const int32_t *ins, *outs;
    EXPECT_EQ(tl_model_op(m, 0, 0, &bc, &ver, &ins, &nin, &outs, &nout), TL_OK);
    EXPECT_EQ(bc, TL_BUILTIN_DEQUANTIZE);
    EXPECT_EQ(ver, 3);
    tl_model_close(m);
  } else {
    fprintf(stderr, "  reader: %s\n", err);
  }
  free(buf);
  REQUIRE_TFLITE_REF(ref);
  const char *path = tmp_path("fp16.tflite");
  float xin[4] = {1.5f, -0.5f, 0.25f, 2.0f}, yo[3];
  if (ref_invoke(ref, path, xin, sizeof xin, yo, sizeof yo, "--no-xnnpack")) {
    tl_test_failed_now = 1;
    return;
  }
  double md = 0;
  for (int o2 = 0; o2 < 3; o2++) {
    double a = bias[o2];
    for (int i = 0; i < 4; i++) a += (double)xin[i] * wf[o2 * 4 + i];
    md = fmax(md, fabs(yo[o2] - (a > 0 ? a : 0)));
  }
  fprintf(stderr, "  fp16: max |tflite - naive| = %.3g\n", md);
  EXPECT(md < 1e-5);
}

/* ---- builder error handling, options escape hatch ------------------------------------------------- */

TEST(errors_are_reported) {
  char err[256] = "";
  uint8_t *buf = NULL;
  size_t n = 0;
  /* no outputs */
  tl_tfl_builder *b = tl_tfl_builder_new();
  EXPECT_EQ(tl_tfl_finish(b, &buf, &n, err, sizeof err), -1);
  EXPECT_STR_CONTAINS(err, "no outputs");
  EXPECT(buf == NULL);
  tl_tfl_builder_free(b);
  /* buffer size does not match the shape */
  b = tl_tfl_builder_new();
  float w[5] = {0};
  int32_t s[] = {2, 3};
  int bw = tl_tfl_add_buffer(b, w, sizeof w);
  int t = tl_tfl_add_tensor(b, 0, "w", TL_TFL_FLOAT32, 2, s, NULL, bw, NULL, 0);
  tl_tfl_set_io(b, 0, NULL, 0, &t, 1);
  EXPECT_EQ(tl_tfl_finish(b, &buf, &n, err, sizeof err), -1);
  EXPECT_STR_CONTAINS(err, "holds 20 bytes, shape needs 24");
  tl_tfl_builder_free(b);
  /* bad tensor index in an op, sticky errors */
  b = tl_tfl_builder_new();
  t = tl_tfl_add_tensor(b, 0, "x", TL_TFL_FLOAT32, 2, s, NULL, 0, NULL, 0);
  int32_t bad[] = {t, 7};
  EXPECT_EQ(tl_tfl_add_op(b, 0, TL_BUILTIN_ADD, 1, bad, 2, &t, 1, NULL), 0);
  EXPECT_EQ(tl_tfl_add_tensor(b, 3, "y", TL_TFL_FLOAT32, 0, NULL, NULL, 0, NULL, 0), -1);
  EXPECT_STR_CONTAINS(tl_tfl_builder_errmsg(b), "no subgraph 3");
  tl_tfl_set_io(b, 0, &t, 1, &t, 1);
  EXPECT_EQ(tl_tfl_finish(b, &buf, &n, err, sizeof err), -1);
  EXPECT_STR_CONTAINS(err, "no subgraph 3"); /* the first error wins */
  tl_tfl_builder_free(b);
  b = tl_tfl_builder_new();
  t = tl_tfl_add_tensor(b, 0, "x", TL_TFL_FLOAT32, 2, s, NULL, 0, NULL, 0);
  tl_tfl_add_op(b, 0, TL_BUILTIN_ADD, 1, bad, 2, &t, 1, NULL);
  tl_tfl_set_io(b, 0, &t, 1, &t, 1);
  EXPECT_EQ(tl_tfl_finish(b, &buf, &n, err, sizeof err), -1);
  EXPECT_STR_CONTAINS(err, "op 0: input 1 refers to tensor 7");
  EXPECT_EQ(tl_tfl_add_op(b, 0, TL_BUILTIN_CUSTOM, 1, NULL, 0, NULL, 0, NULL), -1);
  tl_tfl_builder_free(b);
  /* unwritable path */
  b = build_fc((float[12]){0}, (float[3]){0});
  EXPECT_EQ(tl_tfl_write_file(b, "/nonexistent-dir/x.tflite", err, sizeof err), -1);
  EXPECT_STR_CONTAINS(err, "/nonexistent-dir/x.tflite");
  tl_tfl_builder_free(b);
}

/* Generic fields, custom op, 2 subgraphs, large opcode (>127), vtable sharing, raw option copy. */
TEST(generic_fields_and_raw_copy) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  int32_t s[] = {2};
  int t0 = tl_tfl_add_tensor(b, 0, "a", TL_TFL_FLOAT32, 1, s, NULL, 0, NULL, 0);
  int t1 = tl_tfl_add_tensor(b, 0, "b", TL_TFL_FLOAT32, 1, s, NULL, 0, NULL, 0);
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_STRIDED_SLICE);
  EXPECT_EQ(tl_tfl_opts_set_int(&o, 0, TL_TFL_F_I32, -5), 0);
  EXPECT_EQ(tl_tfl_opts_set_int(&o, 5, TL_TFL_F_BOOL, 1), 0);
  EXPECT_EQ(tl_tfl_opts_set_float(&o, 2, TL_TFL_F_I32, 1.0), -1);
  tl_tfl_add_op(b, 0, TL_BUILTIN_STRIDED_SLICE, 4, &t0, 1, &t1, 1, &o);
  tl_tfl_options v = tl_tfl_opts_empty(TL_TFL_OPT_VAR_HANDLE);
  tl_tfl_opts_set_string(&v, 0, "cont");
  tl_tfl_opts_set_string(&v, 1, "shared_name");
  tl_tfl_add_op(b, 0, TL_BUILTIN_VAR_HANDLE, 1, NULL, 0, &t1, 1, &v);
  tl_tfl_options r = tl_tfl_opts_empty(TL_TFL_OPT_RANDOM);
  tl_tfl_opts_set_int(&r, 0, TL_TFL_F_I64, -1234567890123LL);
  tl_tfl_opts_set_int(&r, 1, TL_TFL_F_I64, 42);
  tl_tfl_add_op(b, 0, 148 /* RANDOM_UNIFORM */, 1, &t0, 1, &t1, 1, &r);
  int32_t sq[] = {0, 2};
  tl_tfl_options q = tl_tfl_opts_empty(TL_TFL_OPT_SQUEEZE);
  tl_tfl_opts_set_vec(&q, 0, TL_TFL_F_VEC_I32, sq, 2);
  tl_tfl_add_op(b, 0, TL_BUILTIN_SQUEEZE, 1, &t0, 1, &t1, 1, &q);
  uint8_t cust[] = {1, 2, 3};
  tl_tfl_add_custom_op(b, 0, "MyCustom", 1, &t0, 1, &t1, 1, cust, sizeof cust);
  tl_tfl_set_io(b, 0, &t0, 1, &t1, 1);
  int sg1 = tl_tfl_add_subgraph(b, "second");
  EXPECT_EQ(sg1, 1);
  int u = tl_tfl_add_tensor(b, sg1, "c", TL_TFL_INT32, 0, NULL, NULL, 0, NULL, 0);
  tl_tfl_set_io(b, sg1, &u, 1, &u, 1);
  size_t n = 0;
  uint8_t *buf = finish_and_check(b, "generic.tflite", &n);
  tl_tfl_builder_free(b);
  if (!buf) return;

  /* read it back with tinylite's FlatBuffers primitives */
  tl_fb_table root, sg, op, opt, oc;
  tl_fb_vec sgs, ops, codes, vec;
  EXPECT(tl_fb_root(buf, n, &root));
  EXPECT_EQ(tl_fb_vector(&root, TL_SCH_MODEL_SUBGRAPHS, 4, &sgs), 1);
  EXPECT_EQ(sgs.n, 2);
  EXPECT_EQ(tl_fb_vector(&root, TL_SCH_MODEL_OPERATOR_CODES, 4, &codes), 1);
  EXPECT_EQ(codes.n, 5);
  EXPECT(tl_fb_vec_table(&root, &codes, 2, &oc));
  EXPECT_EQ(tl_fb_i8(&oc, TL_SCH_OPCODE_DEPRECATED_BUILTIN_CODE, 0), 127);
  EXPECT_EQ(tl_fb_i32(&oc, TL_SCH_OPCODE_BUILTIN_CODE, 0), 148);
  EXPECT(tl_fb_vec_table(&root, &codes, 4, &oc));
  const char *str;
  uint32_t len;
  EXPECT_EQ(tl_fb_string(&oc, TL_SCH_OPCODE_CUSTOM_CODE, &str, &len), 1);
  EXPECT(!strcmp(str, "MyCustom"));
  EXPECT(tl_fb_vec_table(&root, &sgs, 0, &sg));
  EXPECT_EQ(tl_fb_vector(&sg, TL_SCH_SUBGRAPH_OPERATORS, 4, &ops), 1);
  EXPECT(tl_fb_vec_table(&sg, &ops, 0, &op));
  EXPECT_EQ(tl_fb_u8(&op, TL_SCH_OP_BUILTIN_OPTIONS_TYPE, 0), TL_TFL_OPT_STRIDED_SLICE);
  EXPECT_EQ(tl_fb_subtable(&op, TL_SCH_OP_BUILTIN_OPTIONS, &opt), 1);
  EXPECT_EQ(tl_fb_i32(&opt, 0, 0), -5);
  EXPECT_EQ(tl_fb_u8(&opt, 5, 0), 1);
  EXPECT(tl_fb_vec_table(&sg, &ops, 2, &op));
  EXPECT_EQ(tl_fb_subtable(&op, TL_SCH_OP_BUILTIN_OPTIONS, &opt), 1);
  EXPECT_EQ(tl_fb_i64(&opt, 0, 0), -1234567890123LL);
  EXPECT_EQ(tl_fb_i64(&opt, 1, 0), 42);
  EXPECT(tl_fb_vec_table(&sg, &ops, 4, &op));
  EXPECT_EQ(tl_fb_vector(&op, TL_SCH_OP_CUSTOM_OPTIONS, 1, &vec), 1);
  EXPECT(vec.n == 3 && vec.data[2] == 3);

  /* raw copy of every op's options into a new model; the copies must read back the same */
  tl_tfl_builder *c = tl_tfl_builder_new();
  int c0 = tl_tfl_add_tensor(c, 0, "a", TL_TFL_FLOAT32, 1, s, NULL, 0, NULL, 0);
  for (uint32_t i = 0; i < 4; i++) {
    EXPECT(tl_fb_vec_table(&sg, &ops, i, &op));
    int type = tl_fb_u8(&op, TL_SCH_OP_BUILTIN_OPTIONS_TYPE, 0);
    EXPECT_EQ(tl_fb_subtable(&op, TL_SCH_OP_BUILTIN_OPTIONS, &opt), 1);
    tl_tfl_options ro = tl_tfl_opts_raw(type, buf, n, opt.pos);
    EXPECT_EQ(tl_tfl_add_op(c, 0, TL_BUILTIN_ADD, 1, &c0, 1, &c0, 1, &ro), (int)i);
  }
  tl_tfl_options broken = tl_tfl_opts_raw(TL_TFL_OPT_SQUEEZE, buf, n, n - 2);
  EXPECT_EQ(tl_tfl_add_op(c, 0, TL_BUILTIN_ADD, 1, &c0, 1, &c0, 1, &broken), -1);
  EXPECT_STR_CONTAINS(tl_tfl_builder_errmsg(c), "raw options table");
  tl_tfl_builder_free(c);
  c = tl_tfl_builder_new();
  c0 = tl_tfl_add_tensor(c, 0, "a", TL_TFL_FLOAT32, 1, s, NULL, 0, NULL, 0);
  for (uint32_t i = 0; i < 4; i++) {
    EXPECT(tl_fb_vec_table(&sg, &ops, i, &op));
    int type = tl_fb_u8(&op, TL_SCH_OP_BUILTIN_OPTIONS_TYPE, 0);
    tl_fb_subtable(&op, TL_SCH_OP_BUILTIN_OPTIONS, &opt);
    tl_tfl_options ro = tl_tfl_opts_raw(type, buf, n, opt.pos);
    tl_tfl_add_op(c, 0, TL_BUILTIN_ADD, 1, &c0, 1, &c0, 1, &ro);
  }
  tl_tfl_set_io(c, 0, &c0, 1, &c0, 1);
  size_t n2 = 0;
  uint8_t *buf2 = finish_and_check(c, "generic_copy.tflite", &n2);
  tl_tfl_builder_free(c);
  if (buf2) {
    tl_fb_table root2, sg2, op2, opt2;
    tl_fb_vec sgs2, ops2;
    EXPECT(tl_fb_root(buf2, n2, &root2));
    EXPECT_EQ(tl_fb_vector(&root2, TL_SCH_MODEL_SUBGRAPHS, 4, &sgs2), 1);
    EXPECT(tl_fb_vec_table(&root2, &sgs2, 0, &sg2));
    EXPECT_EQ(tl_fb_vector(&sg2, TL_SCH_SUBGRAPH_OPERATORS, 4, &ops2), 1);
    EXPECT(tl_fb_vec_table(&sg2, &ops2, 0, &op2));
    EXPECT_EQ(tl_fb_subtable(&op2, TL_SCH_OP_BUILTIN_OPTIONS, &opt2), 1);
    EXPECT_EQ(tl_fb_i32(&opt2, 0, 0), -5);
    EXPECT_EQ(tl_fb_u8(&opt2, 5, 0), 1);
    EXPECT(tl_fb_vec_table(&sg2, &ops2, 1, &op2));
    EXPECT_EQ(tl_fb_subtable(&op2, TL_SCH_OP_BUILTIN_OPTIONS, &opt2), 1);
    EXPECT_EQ(tl_fb_string(&opt2, 1, &str, &len), 1);
    EXPECT(!strcmp(str, "shared_name"));
    EXPECT(tl_fb_vec_table(&sg2, &ops2, 2, &op2));
    EXPECT_EQ(tl_fb_subtable(&op2, TL_SCH_OP_BUILTIN_OPTIONS, &opt2), 1);
    EXPECT_EQ(tl_fb_i64(&opt2, 0, 0), -1234567890123LL);
    uint32_t p64 = tl_fb_field_pos(&opt2, 0, 8);
    EXPECT(p64 != 0 && p64 % 8 == 0);
    EXPECT(tl_fb_vec_table(&sg2, &ops2, 3, &op2));
    EXPECT_EQ(tl_fb_subtable(&op2, TL_SCH_OP_BUILTIN_OPTIONS, &opt2), 1);
    EXPECT_EQ(tl_fb_vector(&opt2, 0, 4, &vec), 1);
    EXPECT(vec.n == 2 && tl_fb_vec_i32(&vec, 1) == 2);
    free(buf2);
  }
  free(buf);
}

/* Every typed helper writes the schema's field ids: build one op per helper and read them back. */
TEST(typed_options_read_back) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  int32_t s[] = {2};
  int t = tl_tfl_add_tensor(b, 0, "a", TL_TFL_FLOAT32, 1, s, NULL, 0, NULL, 0);
  tl_tfl_options o[8];
  o[0] = tl_tfl_opts_fully_connected(TL_TFL_ACT_RELU6, TL_TFL_FC_WEIGHTS_SHUFFLED4x16INT8, 1, 1);
  o[1] = tl_tfl_opts_depthwise_conv2d(TL_TFL_PAD_SAME, 2, 3, 4, TL_TFL_ACT_RELU, 5, 6);
  o[2] = tl_tfl_opts_concatenation(-1, TL_TFL_ACT_TANH);
  o[3] = tl_tfl_opts_add(TL_TFL_ACT_RELU);
  o[4] = tl_tfl_opts_sub(TL_TFL_ACT_RELU_N1_TO_1);
  o[5] = tl_tfl_opts_mul(TL_TFL_ACT_RELU6);
  o[6] = tl_tfl_opts_quantize();
  o[7] = tl_tfl_opts_conv2d(TL_TFL_PAD_SAME, 2, 2, TL_TFL_ACT_NONE, 2, 3);
  int codes[8] = {TL_BUILTIN_FULLY_CONNECTED, TL_BUILTIN_DEPTHWISE_CONV_2D, TL_BUILTIN_CONCATENATION, TL_BUILTIN_ADD,
                  TL_BUILTIN_SUB, TL_BUILTIN_MUL, TL_BUILTIN_QUANTIZE, TL_BUILTIN_CONV_2D};
  for (int i = 0; i < 8; i++) EXPECT_EQ(tl_tfl_add_op(b, 0, codes[i], 1, &t, 1, &t, 1, &o[i]), i);
  tl_tfl_set_io(b, 0, &t, 1, &t, 1);
  size_t n = 0;
  uint8_t *buf = finish_and_check(b, "typed.tflite", &n);
  tl_tfl_builder_free(b);
  if (!buf) return;
  tl_fb_table root, sg, op, ot[8];
  tl_fb_vec sgs, ops;
  EXPECT(tl_fb_root(buf, n, &root));
  EXPECT_EQ(tl_fb_vector(&root, TL_SCH_MODEL_SUBGRAPHS, 4, &sgs), 1);
  EXPECT(tl_fb_vec_table(&root, &sgs, 0, &sg));
  EXPECT_EQ(tl_fb_vector(&sg, TL_SCH_SUBGRAPH_OPERATORS, 4, &ops), 1);
  for (uint32_t i = 0; i < 8 && i < ops.n; i++) {
    memset(&ot[i], 0, sizeof ot[i]);
    EXPECT(tl_fb_vec_table(&sg, &ops, i, &op));
    EXPECT_EQ(tl_fb_u8(&op, TL_SCH_OP_BUILTIN_OPTIONS_TYPE, 0), o[i].type);
    EXPECT_EQ(tl_fb_subtable(&op, TL_SCH_OP_BUILTIN_OPTIONS, &ot[i]), 1);
  }
  EXPECT_EQ(tl_fb_i8(&ot[0], TL_SCH_OPT_FULLY_CONNECTED_FUSED_ACTIVATION_FUNCTION, 0), TL_TFL_ACT_RELU6);
  EXPECT_EQ(tl_fb_i8(&ot[0], TL_SCH_OPT_FULLY_CONNECTED_WEIGHTS_FORMAT, 0), 1);
  EXPECT_EQ(tl_fb_u8(&ot[0], TL_SCH_OPT_FULLY_CONNECTED_KEEP_NUM_DIMS, 0), 1);
  EXPECT_EQ(tl_fb_u8(&ot[0], TL_SCH_OPT_FULLY_CONNECTED_ASYMMETRIC_QUANTIZE_INPUTS, 0), 1);
  EXPECT_EQ(tl_fb_i8(&ot[1], TL_SCH_OPT_DEPTHWISE_CONV2D_PADDING, 0), TL_TFL_PAD_SAME);
  EXPECT_EQ(tl_fb_i32(&ot[1], TL_SCH_OPT_DEPTHWISE_CONV2D_STRIDE_W, 0), 2);
  EXPECT_EQ(tl_fb_i32(&ot[1], TL_SCH_OPT_DEPTHWISE_CONV2D_STRIDE_H, 0), 3);
  EXPECT_EQ(tl_fb_i32(&ot[1], TL_SCH_OPT_DEPTHWISE_CONV2D_DEPTH_MULTIPLIER, 0), 4);
  EXPECT_EQ(tl_fb_i8(&ot[1], TL_SCH_OPT_DEPTHWISE_CONV2D_FUSED_ACTIVATION_FUNCTION, 0), TL_TFL_ACT_RELU);
  EXPECT_EQ(tl_fb_i32(&ot[1], TL_SCH_OPT_DEPTHWISE_CONV2D_DILATION_W_FACTOR, 1), 5);
  EXPECT_EQ(tl_fb_i32(&ot[1], TL_SCH_OPT_DEPTHWISE_CONV2D_DILATION_H_FACTOR, 1), 6);
  EXPECT_EQ(tl_fb_i32(&ot[2], TL_SCH_OPT_CONCATENATION_AXIS, 0), -1);
  EXPECT_EQ(tl_fb_i8(&ot[2], TL_SCH_OPT_CONCATENATION_FUSED_ACTIVATION_FUNCTION, 0), TL_TFL_ACT_TANH);
  EXPECT_EQ(tl_fb_i8(&ot[3], TL_SCH_OPT_ADD_FUSED_ACTIVATION_FUNCTION, 0), TL_TFL_ACT_RELU);
  EXPECT_EQ(tl_fb_u8(&ot[3], TL_SCH_OPT_ADD_POT_SCALE_INT16, 1), 1); /* default true, omitted */
  EXPECT_EQ(tl_fb_i8(&ot[4], TL_SCH_OPT_ADD_FUSED_ACTIVATION_FUNCTION, 0), TL_TFL_ACT_RELU_N1_TO_1);
  EXPECT_EQ(tl_fb_i8(&ot[5], TL_SCH_OPT_ADD_FUSED_ACTIVATION_FUNCTION, 0), TL_TFL_ACT_RELU6);
  EXPECT_EQ(ot[6].tlen, 4); /* empty table: just the soffset */
  EXPECT_EQ(tl_fb_i32(&ot[7], TL_SCH_OPT_CONV2D_STRIDE_H, 0), 2);
  EXPECT_EQ(tl_fb_i32(&ot[7], TL_SCH_OPT_CONV2D_DILATION_W_FACTOR, 1), 2);
  EXPECT_EQ(tl_fb_i32(&ot[7], TL_SCH_OPT_CONV2D_DILATION_H_FACTOR, 1), 3);
  free(buf);
}

/* ---- converter path: read any model with tinylite's reader, rewrite it, run both ---------------- */


/* Rebuilds model m with the writer (buffers, tensors, ops with raw-copied options, io, signatures,
 * metadata), the way `tinylite convert --quantize none` would. Returns NULL with a message. */
/* Copies model file `src` to tmp/`dst_name`, then checks TFLite gives bit-identical outputs. */
static void copy_and_compare(const char *ref, const char *src, const char *dst_name) {
  tl_model *m = NULL;
  char err[256] = "";
  if (tl_model_open(src, &m, err, sizeof err) != TL_OK) {
    fprintf(stderr, "  %s: reader: %s\n", src, err);
    tl_test_failed_now = 1;
    return;
  }
  tl_tfl_builder *b = tl_test_copy_model(m, NULL, NULL, err, sizeof err);
  const char *dst = tmp_path(dst_name);
  int in_t = m->subgraphs[0].in[0], out_t = m->subgraphs[0].out[0];
  const tl_mtensor *ti = &m->subgraphs[0].tensors[in_t], *to = &m->subgraphs[0].tensors[out_t];
  size_t in_n = tl_type_size(ti->type), out_n = tl_type_size(to->type);
  for (int d = 0; d < ti->ndim; d++) in_n *= (size_t)ti->dims[d];
  for (int d = 0; d < to->ndim; d++) out_n *= (size_t)to->dims[d];
  int wrote = b && tl_tfl_write_file(b, dst, err, sizeof err) == 0;
  if (!wrote) fprintf(stderr, "  %s: copy: %s\n", src, err);
  EXPECT(wrote);
  int in_float = ti->type == TL_FLOAT32;
  tl_tfl_builder_free(b);
  tl_model_close(m);
  if (!wrote || !ref) return;
  uint8_t *in = malloc(in_n), *o1 = malloc(out_n), *o2 = malloc(out_n);
  for (size_t i = 0; i < in_n; i++) in[i] = (uint8_t)(rng = rng * 1664525u + 1013904223u) >> 24;
  if (in_float)
    for (size_t i = 0; i < in_n / 4; i++) ((float *)in)[i] = 0.5f * (frand() + 1.0f);
  int ok = !ref_invoke(ref, src, in, in_n, o1, out_n, "") && !ref_invoke(ref, dst, in, in_n, o2, out_n, "");
  EXPECT(ok);
  if (ok) {
    EXPECT(!memcmp(o1, o2, out_n));
    fprintf(stderr, "  copy of %s: outputs %s\n", strrchr(src, '/') ? strrchr(src, '/') + 1 : src,
            memcmp(o1, o2, out_n) ? "DIFFER" : "bit-identical");
  }
  free(in);
  free(o1);
  free(o2);
}

TEST(copy_own_and_corpus_models) {
  REQUIRE_TFLITE_REF(ref);
  REQUIRE_SHARED(corpus, CORPUS_VAR, CORPUS_DEF);
  /* our CNN (signature, metadata, reshape vectors) */
  tl_tfl_builder *b = build_cnn(&cnnw);
  char err[256];
  const char *cnn = tmp_path("cnn_src.tflite");
  static char cnn_path[512];
  snprintf(cnn_path, sizeof cnn_path, "%s", cnn);
  EXPECT_EQ(tl_tfl_write_file(b, cnn_path, err, sizeof err), 0);
  tl_tfl_builder_free(b);
  copy_and_compare(ref, cnn_path, "cnn_copy.tflite");
  static const char *models[] = {
      "mnist-cnn-f16-gilvantws.tflite",       /* DEQUANTIZE fp16, SHAPE/STRIDED_SLICE/PACK, signature */
      "mnist-cnn-dynrange-melvincabatuan.tflite", /* hybrid FC v12 */
      "har-pruned-resourcevars-float-mihirscsharma.tflite", /* VAR_HANDLE strings, CALL_ONCE, 2 subgraphs */
      "hello_world_int8-int8-tensorflow.tflite",
      "har-sparse-f16-mihirscsharma.tflite", /* sparse tensors (SparsityParameters) + DENSIFY */
  };
  char buf[1024];
  for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
    snprintf(buf, sizeof buf, "%s/models/%s", corpus, models[i]);
    char dst[128];
    snprintf(dst, sizeof dst, "copy%zu.tflite", i);
    copy_and_compare(ref, buf, dst); /* a model missing from the corpus fails to open: a failure */
  }
}

TEST_MAIN(T(fc_layout_and_reader), T(fc_real_tflite), T(cnn_reader_roundtrip), T(cnn_real_tflite),
          T(qconv_per_channel), T(fp16_dequantize_fc), T(errors_are_reported), T(generic_fields_and_raw_copy), T(typed_options_read_back),
          T(copy_own_and_corpus_models))

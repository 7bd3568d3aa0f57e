/* SPDX-License-Identifier: Apache-2.0
 * Helpers of the writer tests (writer_util.h). */
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/flatbuf.h"
#include "format/model.h"
#include "format/tflite_writer.h"
#include "model_copy.h"
#include "test.h"
#include "tinylite.h"
#include "writer_util.h"

/* ---- small utilities ------------------------------------------------------------------------- */

uint32_t rng = 12345;
float frand(void) { /* uniform in [-1, 1) */
  rng = rng * 1664525u + 1013904223u;
  return (float)((rng >> 8) & 0xffffff) / 8388608.0f - 1.0f;
}

uint16_t f2h(float f) { /* float -> IEEE half, round to nearest even (finite inputs) */
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

float h2f(uint16_t h) {
  int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  float v = e == 0 ? ldexpf((float)m, -24) : ldexpf((float)(1024 + m), e - 25);
  return (h & 0x8000) ? -v : v;
}

static char tmpdir[256];
void remove_tmpdir(void) { /* the files are kept for inspection with TL_KEEP_TMP=1 */
  char cmd[300];
  if (getenv("TL_KEEP_TMP") || strncmp(tmpdir, "/tmp/tl_writer_", 15)) return;
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
}
/* Path of `name` in this run's temporary directory. Rotating slots: a result stays valid for the
 * next 31 calls; the reference runner keeps its own fixed paths (runner_path). */
const char *tmp_path(const char *name) {
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

const char *runner_path(int which) {
  static char p[4][512];
  static const char *names[4] = {"ref_in.bin", "ref_out.bin", "ref.log", "ref_info.json"};
  snprintf(p[which], 512, "%s", tmp_path(names[which]));
  return p[which];
}

int write_bytes(const char *path, const void *d, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = fwrite(d, 1, n, f);
  return (fclose(f) == 0 && w == n) ? 0 : -1;
}

uint8_t *read_bytes(const char *path, size_t *n) {
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

void print_file(const char *path) {
  size_t n;
  uint8_t *d = read_bytes(path, &n);
  if (d) fprintf(stderr, "  ---- %s ----\n%.*s\n", path, (int)(n > 4000 ? 4000 : n), (const char *)d);
  free(d);
}

/* Runs the reference runtime: `run invoke MODEL IN OUT [flags]`, checks the output size. */
int ref_invoke(const char *ref, const char *model, const void *in, size_t in_n, void *out,
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
int ref_loads(const char *ref, const char *model, const char *flags) {
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
uint8_t *finish_and_check(tl_tfl_builder *b, const char *name, size_t *n_out) {
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

tl_tfl_builder *build_fc(float *w, float *bias) {
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

/* ---- model B: the tutorial CNN shape (RESHAPE CONV CONV MAXPOOL RESHAPE FC SOFTMAX) ---------- */


tl_tfl_builder *build_cnn(cnn_w *W) {
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

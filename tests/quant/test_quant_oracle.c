/* SPDX-License-Identifier: Apache-2.0
 * Differential test of the integer kernels against the real TensorFlow Lite 2.9 builtin kernels: random
 * single-op quantized models (random scales, zero points, shapes, broadcasting, options) are written with
 * tinylite's .tflite writer, run by tinylite and by ../shared/tools/tflite-ref (`run invoke --no-xnnpack`),
 * and every output byte must agree. Skips only when the reference runtime's files are absent. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/tflite_writer.h"
#include "test.h"
#include "tinylite.h"

/* ---- random numbers (xorshift64, fixed seeds: reproducible cases) ---- */
static uint64_t g_rs;
static uint32_t rnd(void) {
  g_rs ^= g_rs << 13;
  g_rs ^= g_rs >> 7;
  g_rs ^= g_rs << 17;
  return (uint32_t)(g_rs >> 11);
}
static double urand(void) { return rnd() / 2097152.0 / 2048.0; }
static int irand(int lo, int hi) { return lo + (int)(rnd() % (uint32_t)(hi - lo + 1)); }
static float lrand(float lo, float hi) { return expf(logf(lo) + (float)urand() * (logf(hi) - logf(lo))); }

enum { F32 = 0, I32 = 2, U8 = 3, I16 = 7, I8 = 9 };
static size_t tsize(int type) { return type == F32 || type == I32 ? 4 : type == I16 ? 2 : 1; }
static int qzp(int type) { return type == I16 ? 0 : type == I8 ? irand(-108, 107) : irand(20, 235); }
static int qtype(void) { int r = irand(0, 2); return r == 0 ? I8 : r == 1 ? U8 : I16; }

/* ---- one case: a model with one op ---- */
typedef struct {
  tl_tfl_builder *b;
  int n_in, in_t[4], in_type[4];
  size_t in_n[4];
  int out_t;
  int fill; /* 0 random bytes / floats; 1 every int16 value in order; 2 float ties (k * scale / 2) */
  float tie_scale;
  char desc[160];
} kase;

static int tensor(kase *k, int type, int nd, const int32_t *d, float scale, int zp) {
  float s[1] = {scale};
  int64_t z[1] = {zp};
  tl_tfl_quant q = {1, s, z, 0, 0, NULL, NULL};
  return tl_tfl_add_tensor(k->b, 0, NULL, type, nd, d, NULL, 0, scale > 0 ? &q : NULL, 0);
}
static void input(kase *k, int t, int type, int nd, const int32_t *d) {
  size_t n = 1;
  for (int i = 0; i < nd; i++) n *= (size_t)d[i];
  k->in_t[k->n_in] = t;
  k->in_type[k->n_in] = type;
  k->in_n[k->n_in++] = n;
}
static void rshape(int *nd, int32_t *d, int maxdim) {
  *nd = irand(1, 4);
  for (int i = 0; i < *nd; i++) d[i] = irand(1, maxdim);
}
static void op1(kase *k, int code, int version, int a, int o, const tl_tfl_options *opt) {
  int ins[1] = {a}, outs[1] = {o};
  tl_tfl_add_op(k->b, 0, code, version, ins, 1, outs, 1, opt);
  k->out_t = o;
}

static void gen_binary(kase *k, int code) {
  const int type = qtype();
  int nd, nd2;
  int32_t d[6], d2[6], od[6];
  rshape(&nd, d, 5);
  nd2 = irand(1, nd);
  for (int i = 0; i < nd2; i++) d2[i] = irand(0, 2) ? d[nd - nd2 + i] : 1;
  if (irand(0, 1)) {
    int32_t t[6];
    memcpy(t, d, sizeof t), memcpy(d, d2, sizeof t), memcpy(d2, t, sizeof t);
    int tn = nd; nd = nd2, nd2 = tn;
  }
  /* int16 ADD/SUB with power-of-two scales take TFLite's POT path (same shapes only). */
  const int pot = type == I16 && code != 18 && irand(0, 1);
  float s1 = lrand(0.001f, 0.5f), s2 = lrand(0.001f, 0.5f);
  float so = code == 18 ? lrand(s1 * s2 * 2, s1 * s2 * 300) : lrand(0.002f, 1.0f);
  if (pot) {
    so = ldexpf(1, -irand(8, 12));
    s1 = irand(0, 1) ? so : ldexpf(so, -irand(1, 4));
    s2 = s1 == so ? ldexpf(so, -irand(0, 4)) : so;
    nd2 = nd, memcpy(d2, d, sizeof d2);
  }
  const int ond = nd > nd2 ? nd : nd2;
  for (int i = 0; i < ond; i++) {
    const int ia = nd - ond + i, ib = nd2 - ond + i;
    const int x = ia >= 0 ? d[ia] : 1, y = ib >= 0 ? d2[ib] : 1;
    od[i] = x > y ? x : y;
  }
  const int a = tensor(k, type, nd, d, s1, qzp(type)), b = tensor(k, type, nd2, d2, s2, qzp(type));
  const int o = tensor(k, type, ond, od, so, qzp(type));
  input(k, a, type, nd, d);
  input(k, b, type, nd2, d2);
  const int act = irand(0, 3) == 0 ? irand(1, 3) : 0;
  tl_tfl_options opt = code == 0 ? tl_tfl_opts_add(act) : code == 41 ? tl_tfl_opts_sub(act) : tl_tfl_opts_mul(act);
  int ins[2] = {a, b}, outs[1] = {o};
  tl_tfl_add_op(k->b, 0, code, type == I16 ? 3 : 2, ins, 2, outs, 1, &opt);
  k->out_t = o;
  snprintf(k->desc, sizeof k->desc, "%s type %d act %d pot %d scales %g %g %g", code == 0 ? "ADD" : code == 41 ? "SUB" : "MUL",
           type, act, pot, s1, s2, so);
}

static void gen_quantize(kase *k) {
  static const int pairs[][2] = {{F32, I8}, {F32, U8}, {F32, I16}, {I8, I8}, {I8, U8}, {U8, I8}, {U8, U8}, {I16, I8}, {I16, I16}, {I8, I32}};
  const int p = irand(0, 9), ti = pairs[p][0], to = pairs[p][1];
  int nd;
  int32_t d[6];
  rshape(&nd, d, 6);
  const float so = lrand(0.001f, 0.2f);
  const int a = tensor(k, ti, nd, d, ti == F32 ? 0 : lrand(0.001f, 0.2f), ti == F32 ? 0 : qzp(ti));
  input(k, a, ti, nd, d);
  if (ti == F32 && irand(0, 1)) k->fill = 2, k->tie_scale = so; /* exact ties: round half away from zero */
  tl_tfl_options opt = tl_tfl_opts_quantize();
  op1(k, 114, 1, a, tensor(k, to, nd, d, so, to == I32 ? 0 : qzp(to)), &opt);
  snprintf(k->desc, sizeof k->desc, "QUANTIZE %d -> %d%s", ti, to, k->fill == 2 ? " (ties)" : "");
}

static void gen_softmax(kase *k) {
  int nd;
  int32_t d[6];
  rshape(&nd, d, 12);
  const int r = irand(0, 3), ti = r == 0 ? I8 : r == 1 ? U8 : r == 2 ? I16 : I8, to = r == 3 ? I16 : ti;
  const int a = tensor(k, ti, nd, d, lrand(0.01f, 0.5f), ti == I16 ? 0 : qzp(ti));
  input(k, a, ti, nd, d);
  const float beta = irand(0, 1) ? 1.0f : lrand(0.2f, 3.f);
  tl_tfl_options opt = tl_tfl_opts_softmax(beta);
  op1(k, 25, 1, a, tensor(k, to, nd, d, to == I16 ? 1.f / 32768 : 1.f / 256, to == I8 ? -128 : 0), &opt);
  snprintf(k->desc, sizeof k->desc, "SOFTMAX %d -> %d beta %g", ti, to, beta);
}

/* LOGISTIC (14), RELU (19), RELU_N1_TO_1 (20), RELU6 (21), TANH (28), LEAKY_RELU (98). */
static void gen_unary(kase *k, int code) {
  int nd;
  int32_t d[6];
  rshape(&nd, d, 8);
  const int relu = code >= 19 && code <= 21;
  int ti = irand(0, 2) || relu ? (irand(0, 1) ? I8 : U8) : I16;
  float si = lrand(0.005f, 0.2f), so = lrand(0.005f, 0.2f);
  int zo = qzp(ti);
  if (code != 98 && ti == I16) si = ldexpf(1, code == 28 ? -irand(11, 12) : -12), so = 1.f / 32768, zo = 0;
  else if (code == 14) so = 1.f / 256, zo = ti == I8 ? -128 : 0;
  else if (code == 28) so = 1.f / 128, zo = ti == I8 ? 0 : 128;
  const int a = tensor(k, ti, nd, d, si, qzp(ti));
  input(k, a, ti, nd, d);
  tl_tfl_options opt = tl_tfl_opts_empty(TL_TFL_OPT_LEAKY_RELU);
  const float alpha = irand(0, 1) ? 0.2f : (float)(urand() * 2 - 0.5);
  if (code == 98) tl_tfl_opts_set_float(&opt, 0, TL_TFL_F_F32, alpha);
  op1(k, code, 1, a, tensor(k, ti, nd, d, so, zo), code == 98 ? &opt : NULL);
  snprintf(k->desc, sizeof k->desc, "op %d type %d alpha %g", code, ti, code == 98 ? alpha : 0.f);
}

/* Every int16 input value through LOGISTIC / TANH (input scale 2^l2). */
static void gen_int16_all(kase *k, int code, int l2) {
  int32_t d[1] = {65536};
  const int a = tensor(k, I16, 1, d, ldexpf(1, l2), 0);
  input(k, a, I16, 1, d);
  k->fill = 1;
  op1(k, code, 1, a, tensor(k, I16, 1, d, 1.f / 32768, 0), NULL);
  snprintf(k->desc, sizeof k->desc, "op %d on all int16 values, scale 2^%d", code, l2);
}

static void gen_avgpool(kase *k) {
  const int ti = qtype();
  int32_t d[4] = {irand(1, 2), irand(1, 9), irand(1, 9), irand(1, 7)};
  const float sc = lrand(0.01f, 0.2f);
  const int zp = qzp(ti), a = tensor(k, ti, 4, d, sc, zp);
  int fh = irand(1, 4), fw = irand(1, 4);
  const int sh = irand(1, 3), sw = irand(1, 3), pad = irand(0, 1);
  if (pad == 1) fh = fh > d[1] ? d[1] : fh, fw = fw > d[2] ? d[2] : fw;
  const int oh = pad == 0 ? (d[1] + sh - 1) / sh : (d[1] - fh + sh) / sh;
  const int ow = pad == 0 ? (d[2] + sw - 1) / sw : (d[2] - fw + sw) / sw;
  int32_t od[4] = {d[0], oh, ow, d[3]};
  input(k, a, ti, 4, d);
  const int act = irand(0, 3) == 0 ? irand(1, 3) : 0;
  tl_tfl_options opt = tl_tfl_opts_pool2d(pad, sw, sh, fw, fh, act);
  op1(k, 1, ti == I16 ? 3 : 2, a, tensor(k, ti, 4, od, sc, zp), &opt);
  snprintf(k->desc, sizeof k->desc, "AVERAGE_POOL_2D type %d filter %dx%d stride %dx%d pad %d act %d", ti, fh, fw, sh, sw,
           pad, act);
}

static void gen_concat(kase *k) {
  const int ti = irand(0, 3) ? U8 : I8, nd = irand(1, 4), n = irand(1, 4), axis = irand(0, nd - 1);
  int32_t d[6], od[6];
  for (int i = 0; i < nd; i++) d[i] = irand(1, 5);
  memcpy(od, d, sizeof od);
  od[axis] = 0;
  const float so = lrand(0.01f, 0.2f);
  const int zo = qzp(ti);
  int ins[4];
  for (int i = 0; i < n; i++) {
    int32_t di[6];
    memcpy(di, d, sizeof di);
    di[axis] = irand(1, 4);
    od[axis] += di[axis];
    const int same = ti == I8 || irand(0, 2) == 0; /* TFLite rescales uint8 only */
    ins[i] = tensor(k, ti, nd, di, same ? so : lrand(0.01f, 0.2f), same ? zo : qzp(ti));
    input(k, ins[i], ti, nd, di);
  }
  const int o = tensor(k, ti, nd, od, so, zo);
  tl_tfl_options opt = tl_tfl_opts_concatenation(axis - (irand(0, 1) ? nd : 0), 0);
  int outs[1] = {o};
  tl_tfl_add_op(k->b, 0, 2, 1, ins, n, outs, 1, &opt);
  k->out_t = o;
  snprintf(k->desc, sizeof k->desc, "CONCATENATION type %d inputs %d axis %d", ti, n, axis);
}

static void gen_mean(kase *k) {
  const int ti = qtype(), nd = irand(0, 1) ? 4 : irand(1, 4);
  int32_t d[6], axes[4], od[6];
  for (int i = 0; i < nd; i++) d[i] = irand(1, 6);
  int na = 0;
  const int hw = nd == 4 && irand(0, 1); /* TFLite's special path: keep_dims, rank 4, axes {1,2} */
  if (hw) {
    axes[0] = 1, axes[1] = 2, na = 2;
    if (irand(0, 1)) axes[0] = 2, axes[1] = 1;
  } else {
    for (int i = 0; i < nd; i++)
      if (irand(0, 1)) axes[na++] = i - (irand(0, 3) == 0 ? nd : 0);
    if (!na) axes[na++] = 0;
  }
  const int keep = hw ? irand(0, 3) > 0 : irand(0, 1);
  int ond = 0;
  for (int i = 0; i < nd; i++) {
    int red = 0;
    for (int j = 0; j < na; j++) red |= (axes[j] + nd) % nd == i;
    if (!red) od[ond++] = d[i];
    else if (keep) od[ond++] = 1;
  }
  const int same = irand(0, 2) == 0;
  const float si = lrand(0.01f, 0.2f), so = same ? si : lrand(0.01f, 0.2f);
  const int zi = qzp(ti), zo = same ? zi : qzp(ti);
  const int a = tensor(k, ti, nd, d, si, zi);
  int32_t ad[1] = {na};
  const int ax = tl_tfl_add_tensor(k->b, 0, NULL, I32, 1, ad, NULL, tl_tfl_add_buffer(k->b, axes, 4 * (size_t)na), NULL, 0);
  const int o = tensor(k, ti, ond, od, so, zo);
  input(k, a, ti, nd, d);
  tl_tfl_options opt = tl_tfl_opts_empty(TL_TFL_OPT_REDUCER);
  tl_tfl_opts_set_int(&opt, 0, TL_TFL_F_BOOL, keep);
  int ins[2] = {a, ax}, outs[1] = {o};
  tl_tfl_add_op(k->b, 0, 40, 2, ins, 2, outs, 1, &opt);
  k->out_t = o;
  snprintf(k->desc, sizeof k->desc, "MEAN type %d rank %d axes %d (%d,%d) keep %d same params %d", ti, nd, na, axes[0],
           na > 1 ? axes[1] : -1, keep, same);
}

/* ---- running both sides ---- */
static char g_dir[512], g_run[1024];

static unsigned char *read_file(const char *p, size_t *n) {
  FILE *f = fopen(p, "rb");
  *n = 0;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  const long sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *b = malloc((size_t)sz + 1);
  if (b) *n = fread(b, 1, (size_t)sz, f), b[*n] = 0;
  fclose(f);
  return b;
}

/* Returns 1 when tinylite and TFLite agree, 2 when both refuse the model, 0 otherwise. */
static int run_case(kase *k) {
  char path[600], err[512], inlist[2600] = "", cmd[6144];
  tl_tfl_set_io(k->b, 0, k->in_t, k->n_in, &k->out_t, 1);
  snprintf(path, sizeof path, "%s/m.tflite", g_dir);
  if (tl_tfl_write_file(k->b, path, err, sizeof err)) {
    fprintf(stderr, "  writer: %s\n", err);
    return 0;
  }
  void *ins[4] = {0};
  for (int i = 0; i < k->n_in; i++) {
    const size_t bytes = k->in_n[i] * tsize(k->in_type[i]);
    ins[i] = malloc(bytes + 1);
    if (k->in_type[i] == F32) {
      float *f = ins[i];
      for (size_t j = 0; j < k->in_n[i]; j++)
        f[j] = k->fill == 2 ? (float)(irand(-600, 600) * 0.5 * k->tie_scale) : (float)(urand() * 4 - 2) * (irand(0, 3) ? 1.f : 100.f);
    } else if (k->fill == 1) {
      for (size_t j = 0; j < k->in_n[i]; j++) ((int16_t *)ins[i])[j] = (int16_t)((int32_t)j - 32768);
    } else {
      for (size_t j = 0; j < bytes; j++) ((uint8_t *)ins[i])[j] = (uint8_t)rnd();
    }
    char p[600];
    snprintf(p, sizeof p, "%s/in%d.bin", g_dir, i);
    FILE *f = fopen(p, "wb");
    if (!f) return 0;
    fwrite(ins[i], 1, bytes, f);
    fclose(f);
    strcat(inlist, i ? "," : "");
    strcat(inlist, p);
  }
  char outp[600];
  snprintf(outp, sizeof outp, "%s/out.bin", g_dir);
  remove(outp);
  snprintf(cmd, sizeof cmd, "'%s' invoke '%s' %s '%s' --no-xnnpack > '%s/log.txt' 2>&1", g_run, path, inlist, outp, g_dir);
  if (system(cmd) != 0) { /* TFLite refused: ours must refuse too */ }
  size_t rn = 0;
  unsigned char *ref = read_file(outp, &rn);
  int ok = 0;
  tl_model *m = NULL;
  tl_interp *ip = NULL;
  if (tl_model_open(path, &m, err, sizeof err)) {
    fprintf(stderr, "  %s: tinylite cannot load: %s\n", k->desc, err);
    goto done;
  }
  if (tl_interp_new(m, NULL, &ip) || tl_interp_allocate(ip)) {
    ok = ref == NULL ? 2 : 0;
    if (!ok) fprintf(stderr, "  %s: tinylite refuses what TFLite runs: %s\n", k->desc, ip ? tl_interp_errmsg(ip) : "");
    goto done;
  }
  if (!ref) {
    char lp[700];
    snprintf(lp, sizeof lp, "%s/log.txt", g_dir);
    size_t ln = 0;
    char *log = (char *)read_file(lp, &ln);
    if (log && ln > 400) log[400] = 0;
    fprintf(stderr, "  %s: the reference fails or refuses what tinylite runs: %s\n", k->desc, log && ln ? log : "(no log)");
    free(log);
    goto done;
  }
  for (int i = 0; i < k->n_in; i++) tl_tensor_copy_from(tl_interp_input(ip, i), ins[i], k->in_n[i] * tsize(k->in_type[i]));
  if (tl_interp_invoke(ip)) {
    fprintf(stderr, "  %s: invoke failed: %s\n", k->desc, tl_interp_errmsg(ip));
    goto done;
  }
  tl_tensor *o = tl_interp_output(ip, 0);
  const size_t ob = tl_tensor_bytes(o);
  if (ob != rn) {
    fprintf(stderr, "  %s: %zu output bytes vs TFLite's %zu\n", k->desc, ob, rn);
    goto done;
  }
  const unsigned char *ours = tl_tensor_data(o);
  size_t first = rn;
  for (size_t j = 0; j < rn && first == rn; j++)
    if (ours[j] != ref[j]) first = j;
  ok = first == rn;
  if (!ok) fprintf(stderr, "  %s: outputs differ from byte %zu\n", k->desc, first);
done:
  tl_interp_free(ip);
  tl_model_close(m);
  free(ref);
  for (int i = 0; i < k->n_in; i++) free(ins[i]);
  return ok;
}

static void cleanup(void) {
  static const char *files[] = {"m.tflite", "in0.bin", "in1.bin", "in2.bin", "in3.bin", "out.bin", "log.txt"};
  char p[700];
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    snprintf(p, sizeof p, "%s/%s", g_dir, files[i]);
    remove(p);
  }
  rmdir(g_dir);
}

/* Finds the reference runtime by its files (tl_test_tflite_ref) and makes the run directory: 1 when
 * ready, 0 when absent (why says what is missing). Whether it works is each case's business: a
 * reference that does not start, or that disagrees with tinylite, fails the cases. */
static int oracle_ready(const char **why) {
  static int state = -1;
  static const char *missing;
  *why = missing;
  if (state >= 0) return state;
  state = 0;
  const char *run = tl_test_tflite_ref(&missing);
  *why = missing;
  if (!run) return 0;
  snprintf(g_run, sizeof g_run, "%s", run);
  const char *tmp = getenv("TMPDIR");
  snprintf(g_dir, sizeof g_dir, "%s/tl_quant_oracle_XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(g_dir)) {
    missing = "cannot make a temporary directory";
    return 0;
  }
  atexit(cleanup);
  return state = 1;
}

typedef void (*gen_fn)(kase *k, int arg);
static void g_binary(kase *k, int a) { gen_binary(k, a); }
static void g_quantize(kase *k, int a) { (void)a; gen_quantize(k); }
static void g_softmax(kase *k, int a) { (void)a; gen_softmax(k); }
static void g_unary(kase *k, int a) { gen_unary(k, a); }
static void g_avgpool(kase *k, int a) { (void)a; gen_avgpool(k); }
static void g_concat(kase *k, int a) { (void)a; gen_concat(k); }
static void g_mean(kase *k, int a) { (void)a; gen_mean(k); }

static void run_family(gen_fn g, int arg, int n, uint64_t seed) {
  const char *why;
  if (!oracle_ready(&why)) SKIP("reference runtime: %s", why);
  g_rs = seed * 0x9E3779B97F4A7C15ull + 1;
  int bad = 0, refused = 0;
  for (int i = 0; i < n; i++) {
    kase k;
    memset(&k, 0, sizeof k);
    k.b = tl_tfl_builder_new();
    g(&k, arg);
    const int r = run_case(&k);
    bad += r == 0;
    refused += r == 2;
    tl_tfl_builder_free(k.b);
  }
  EXPECT_EQ(bad, 0);
  EXPECT(refused < n); /* the family must exercise the kernels, not only agree on refusals */
}

enum { N = 16 };
TEST(add_matches_tflite) { run_family(g_binary, 0, N, 1); }
TEST(sub_matches_tflite) { run_family(g_binary, 41, N, 2); }
TEST(mul_matches_tflite) { run_family(g_binary, 18, N, 3); }
TEST(quantize_matches_tflite) { run_family(g_quantize, 0, N, 4); }
TEST(softmax_matches_tflite) { run_family(g_softmax, 0, N, 5); }
TEST(logistic_matches_tflite) { run_family(g_unary, 14, N, 6); }
TEST(tanh_matches_tflite) { run_family(g_unary, 28, N, 7); }
TEST(leaky_relu_matches_tflite) { run_family(g_unary, 98, N, 8); }
TEST(relu_family_matches_tflite) {
  run_family(g_unary, 19, N / 2, 15);
  run_family(g_unary, 20, N / 2, 16);
  run_family(g_unary, 21, N / 2, 17);
}
TEST(average_pool_matches_tflite) { run_family(g_avgpool, 0, N, 9); }
TEST(concatenation_matches_tflite) { run_family(g_concat, 0, N, 10); }
TEST(mean_matches_tflite) { run_family(g_mean, 0, 2 * N, 11); }

static void all16(kase *k, int arg) { gen_int16_all(k, arg >> 8, -(arg & 0xff)); }
TEST(int16_logistic_tanh_every_value) {
  run_family(all16, (14 << 8) | 12, 1, 12);
  run_family(all16, (28 << 8) | 12, 1, 13);
  run_family(all16, (28 << 8) | 11, 1, 14);
}

TEST_MAIN(T(add_matches_tflite), T(sub_matches_tflite), T(mul_matches_tflite), T(quantize_matches_tflite),
          T(softmax_matches_tflite), T(logistic_matches_tflite), T(tanh_matches_tflite), T(leaky_relu_matches_tflite), T(relu_family_matches_tflite),
          T(average_pool_matches_tflite), T(concatenation_matches_tflite), T(mean_matches_tflite),
          T(int16_logistic_tanh_every_value))

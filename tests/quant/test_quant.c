/* SPDX-License-Identifier: Apache-2.0
 * The converter against TensorFlow's own outputs: arithmetic, weights bit-identical to the corpus'
 * TF-made dynamic/int8/float16 files of the same networks, the dynamic-range structure of every
 * architecture the corpus holds in both kinds, and the errors bad options get. */
#include <math.h>

#include "qtest.h"
#include "quant/qgraph.h"
#include "quant/quant.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

static tl_model *open_model(const char *path) {
  tl_model *m = NULL;
  char err[512];
  if (tl_model_open(path, &m, err, sizeof err)) {
    fprintf(stderr, "  %s\n", err);
    tl_test_failed_now = 1;
    return NULL;
  }
  return m;
}

static const char *corpus_model(const char *corpus, const char *name) {
  static char p[8][4096];
  static int slot;
  char *s = p[slot++ % 8];
  snprintf(s, 4096, "%s/models/%s.tflite", corpus, name);
  return s;
}

/* Converts m with options o (ranges for int8) into a new model, or NULL with the error printed. */
static tl_model *convert(const tl_model *m, const tl_qoptions *o, const tl_qranges *r, uint8_t **bytes) {
  size_t n;
  char err[1024];
  *bytes = NULL;
  if (tl_quantize(m, o, r, NULL, bytes, &n, err, sizeof err)) {
    fprintf(stderr, "  convert: %s\n", err);
    tl_test_failed_now = 1;
    return NULL;
  }
  tl_model *out = NULL;
  if (tl_model_from_memory(*bytes, n, &out, err, sizeof err)) {
    fprintf(stderr, "  converted model does not load: %s\n", err);
    tl_test_failed_now = 1;
    free(*bytes);
    *bytes = NULL;
    return NULL;
  }
  return out;
}

/* The float model behind a TF float16 file: float16 constants widened back, DEQUANTIZE ops removed
 * (their outputs replaced by the constants, which keep their names). */
static tl_model *defloat16(const tl_model *f16, uint8_t **bytes) {
  tl_qgraph g;
  memset(&g, 0, sizeof g);
  char err[512];
  *bytes = NULL;
  if (tl_qg_from_model(&g, f16, err, sizeof err)) return NULL;
  tl_qsub *s = &g.subs[0];
  for (int t = 0; t < s->nt; t++) {
    tl_qt *x = &s->t[t];
    if (x->type != TL_FLOAT16 || !x->data) continue;
    int64_t n = tl_qg_numel(x);
    float *v = malloc((size_t)n * 4 + 4);
    for (int64_t i = 0; i < n; i++) {
      uint16_t h;
      memcpy(&h, x->data + 2 * i, 2);
      v[i] = tl_q_f16_to_f32(h);
    }
    x->type = TL_FLOAT32;
    tl_qg_set_data(x, (uint8_t *)v, (size_t)n * 4);
  }
  int32_t *repl = malloc(((size_t)s->nt + 1) * sizeof *repl); /* DEQUANTIZE output -> its constant */
  for (int t = 0; t < s->nt; t++) repl[t] = t;
  for (int k = 0; k < s->nops; k++)
    if (s->ops[k].builtin == 6 /* DEQUANTIZE */ && s->t[s->ops[k].in[0]].data) repl[s->ops[k].out[0]] = s->ops[k].in[0];
  int w = 0;
  for (int k = 0; k < s->nops; k++) {
    tl_qop *op = &s->ops[k];
    if (op->builtin == 6 && s->t[op->in[0]].data) {
      free(op->in), free(op->out), free(op->interm);
      continue;
    }
    for (int j = 0; j < op->n_in; j++)
      if (op->in[j] >= 0) op->in[j] = repl[op->in[j]];
    s->ops[w++] = *op;
  }
  free(repl);
  s->nops = w;
  size_t n;
  tl_model *m = NULL;
  if (!tl_qg_write(&g, NULL, NULL, bytes, &n, err, sizeof err)) tl_model_from_memory(*bytes, n, &m, err, sizeof err);
  tl_qg_free(&g);
  return m;
}

/* Byte-wide field of an op's options table. */
static int opt_u8(const tl_mop *op, int id) { return op->options.ok ? tl_fb_u8(&op->options, id, 0) : 0; }

/* Same ops (code and version), same operand dtypes, quantization granularity (none / per-tensor /
 * per-channel on which axis) and FULLY_CONNECTED input quantization; prints the first differences. */
static int same_structure(const tl_model *a, const tl_model *b, const char *what) {
  const tl_msubgraph *ga = &a->subgraphs[0], *gb = &b->subgraphs[0];
  int diffs = 0;
  if (ga->n_ops != gb->n_ops) {
    fprintf(stderr, "  %s: %d ops, TF %d\n", what, ga->n_ops, gb->n_ops);
    return 0;
  }
  for (int k = 0; k < ga->n_ops && diffs < 8; k++) {
    const tl_mop *x = &ga->ops[k], *y = &gb->ops[k];
    if (x->builtin != y->builtin || x->version != y->version || x->n_in != y->n_in) {
      fprintf(stderr, "  %s op %d: %s v%d, TF %s v%d\n", what, k, tl_op_name(x->builtin), x->version,
              tl_op_name(y->builtin), y->version);
      diffs++;
      continue;
    }
    if (x->builtin == 9 && opt_u8(x, 3) != opt_u8(y, 3)) {
      fprintf(stderr, "  %s op %d: asymmetric_quantize_inputs %d, TF %d\n", what, k, opt_u8(x, 3), opt_u8(y, 3));
      diffs++;
    }
    for (int j = 0; j < x->n_in + x->n_out; j++) {
      int ti = j < x->n_in ? x->in[j] : x->out[j - x->n_in], tj = j < x->n_in ? y->in[j] : y->out[j - x->n_in];
      if ((ti < 0) != (tj < 0)) {
        fprintf(stderr, "  %s op %d operand %d: present %d, TF %d\n", what, k, j, ti >= 0, tj >= 0);
        diffs++;
        continue;
      }
      if (ti < 0) continue;
      const tl_mtensor *p = &ga->tensors[ti], *q = &gb->tensors[tj];
      int gp = p->q.n > 1 ? 2 : p->q.n, gq = q->q.n > 1 ? 2 : q->q.n;
      if (p->type != q->type || gp != gq || (gp == 2 && (p->q.axis != q->q.axis || p->q.n != q->q.n)) ||
          (p->data != NULL) != (q->data != NULL)) {
        fprintf(stderr, "  %s op %d %s operand %d: %s %s %d scales axis %d, TF %s %s %d scales axis %d\n", what, k,
                tl_op_name(x->builtin), j, p->data ? "const" : "act", tl_type_name(p->type), p->q.n, p->q.axis,
                q->data ? "const" : "act", tl_type_name(q->type), q->q.n, q->q.axis);
        diffs++;
      }
    }
  }
  return diffs == 0;
}

/* ---- arithmetic ---------------------------------------------------------------------------------- */

TEST(activation_params_follow_tf) {
  double s;
  int32_t z;
  tl_q_activation_params(0.0, 1.0, &s, &z); /* the tutorial's p/255 input */
  EXPECT_EQ((float)s, 1.0f / 255.0f);
  EXPECT_EQ(z, -128);
  tl_q_activation_params(0.5, 3.0, &s, &z); /* the range is widened to hold 0 */
  EXPECT_EQ((float)s, 3.0f / 255.0f);
  EXPECT_EQ(z, -128);
  tl_q_activation_params(-2.0, -1.0, &s, &z);
  EXPECT_EQ(z, 127);
  tl_q_activation_params(-1.0, 1.0, &s, &z); /* zero point from the minimum: -128 + 127.5, away from 0 */
  EXPECT_EQ((float)s, 2.0f / 255.0f);
  EXPECT_EQ(z, -1);
  tl_q_activation_params(0.0, 0.0, &s, &z); /* all zeros: scale 1, as fakeQuantAttrsToType */
  EXPECT_EQ(s, 1.0);
  EXPECT_EQ(z, -128);
  /* TF's jhonatan int8 output of the last FULLY_CONNECTED: scale 0.102516, zero point 25 */
  tl_q_activation_params((-128 - 25) * 0.102516, (127 - 25) * 0.102516, &s, &z);
  EXPECT_EQ(z, 25);
  EXPECT_NEAR(s, 0.102516, 1e-6);
}

TEST(float16_conversion) {
  EXPECT_EQ(tl_q_f32_to_f16(1.0f), 0x3c00);
  EXPECT_EQ(tl_q_f32_to_f16(-2.0f), 0xc000);
  EXPECT_EQ(tl_q_f32_to_f16(65504.0f), 0x7bff);
  EXPECT_EQ(tl_q_f32_to_f16(1e9f), 0x7bff); /* clamped to the largest half, not inf */
  EXPECT_EQ(tl_q_f32_to_f16(-1e9f), 0xfbff);
  EXPECT_EQ(tl_q_f32_to_f16(1.0f + 1.0f / 2048), 0x3c00); /* tie to even */
  EXPECT_EQ(tl_q_f32_to_f16(1.0f + 3.0f / 2048), 0x3c02);
  EXPECT_EQ(tl_q_f32_to_f16(5.9604645e-8f), 0x0001); /* smallest subnormal */
  EXPECT_EQ(tl_q_f32_to_f16(1e-9f), 0x0000);
  for (uint32_t h = 0; h < 0x7c00; h += 7) EXPECT_EQ(tl_q_f32_to_f16(tl_q_f16_to_f32((uint16_t)h)), h);
}

/* ---- bit-identical to TF's own conversions ------------------------------------------------------- */

/* Every quantized constant of mine equals TF's at the same op operand: values and scales. */
static void same_constants(const tl_model *mine, const tl_model *tf, const char *what, int exact_bias) {
  const tl_msubgraph *a = &mine->subgraphs[0], *b = &tf->subgraphs[0];
  int checked = 0;
  for (int k = 0; k < a->n_ops && k < b->n_ops; k++)
    for (int j = 0; j < a->ops[k].n_in && j < b->ops[k].n_in; j++) {
      int ti = a->ops[k].in[j], tj = b->ops[k].in[j];
      if (ti < 0 || tj < 0) continue;
      const tl_mtensor *p = &a->tensors[ti], *q = &b->tensors[tj];
      if (!p->data || !q->data || !p->q.n || p->type != q->type || p->data_size != q->data_size) continue;
      int lsb = 0;
      if (p->type == TL_INT32) {
        for (size_t i = 0; i < p->data_size / 4; i++) {
          int32_t u, v;
          memcpy(&u, p->data + 4 * i, 4);
          memcpy(&v, q->data + 4 * i, 4);
          if (abs(u - v) > lsb) lsb = abs(u - v);
        }
      } else {
        lsb = memcmp(p->data, q->data, p->data_size) ? 1 : 0;
      }
      int scales = p->q.n == q->q.n && !memcmp(p->q.scales, q->q.scales, (size_t)p->q.n * 4);
      if (lsb > (p->type == TL_INT32 && !exact_bias ? 1 : 0) || !scales) {
        fprintf(stderr, "  %s op %d operand %d '%s': values differ by %d, scales %s\n", what, k, j, p->name, lsb,
                scales ? "equal" : "differ");
        tl_test_failed_now = 1;
      }
      checked++;
    }
  fprintf(stderr, "  %s: %d quantized constants equal to TF's\n", what, checked);
  EXPECT(checked > 0);
}

TEST(dynamic_weights_bit_identical_to_tf) {
  REQUIRE_SHARED(corpus, CORPUS_VAR, CORPUS_DEF);
  static const char *pairs[][2] = {
      {"mnist-cnn-float-jhonatan-goncalves-pereira", "mnist-cnn-dynrange-jhonatan-goncalves-pereira"},
      {"mnist-mlp-float-pandu98-pkh", "mnist-mlp-dynrange-pandu98-pkh"},
  };
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    tl_model *f = open_model(corpus_model(corpus, pairs[i][0])), *tf = open_model(corpus_model(corpus, pairs[i][1]));
    tl_qoptions o = {.mode = TL_QMODE_DYNAMIC};
    uint8_t *bytes = NULL;
    tl_model *mine = f ? convert(f, &o, NULL, &bytes) : NULL;
    if (mine && tf) {
      EXPECT(same_structure(mine, tf, pairs[i][0]));
      same_constants(mine, tf, pairs[i][0], 1);
    }
    tl_model_close(mine);
    free(bytes);
    tl_model_close(f);
    tl_model_close(tf);
  }
}

TEST(float16_bit_identical_to_tf) {
  REQUIRE_SHARED(corpus, CORPUS_VAR, CORPUS_DEF);
  tl_model *f = open_model(corpus_model(corpus, "mnist-cnn-float-jhonatan-goncalves-pereira"));
  tl_model *tf = open_model(corpus_model(corpus, "mnist-cnn-f16-jhonatan-goncalves-pereira"));
  tl_qoptions o = {.mode = TL_QMODE_FLOAT16};
  uint8_t *bytes = NULL;
  tl_model *mine = f ? convert(f, &o, NULL, &bytes) : NULL;
  if (mine && tf) {
    /* Same op list (the DEQUANTIZE order differs: TF's follows its constant order), and every
     * float16 constant equal byte for byte to TF's of the same name. */
    const tl_msubgraph *a = &mine->subgraphs[0], *b = &tf->subgraphs[0];
    EXPECT_EQ(a->n_ops, b->n_ops);
    int n16 = 0;
    for (int t = 0; t < a->n_tensors; t++) {
      const tl_mtensor *p = &a->tensors[t];
      if (p->type != TL_FLOAT16) continue;
      n16++;
      int found = 0;
      for (int u = 0; u < b->n_tensors; u++) {
        const tl_mtensor *q = &b->tensors[u];
        if (q->type == TL_FLOAT16 && !strcmp(p->name, q->name)) {
          found = 1;
          EXPECT(p->data_size == q->data_size && !memcmp(p->data, q->data, p->data_size));
        }
      }
      if (!found) fprintf(stderr, "  float16 tensor '%s' not in TF's model\n", p->name);
      EXPECT(found);
    }
    EXPECT_EQ(n16, 8);
    for (int k = 0; k < a->n_ops; k++)
      if (a->ops[k].builtin == 6) EXPECT_EQ(a->ops[k].version, 3);
    const char *name;
    const uint8_t *d;
    size_t sz;
    int found = 0;
    for (int i = 0; i < mine->n_metadata; i++)
      if (!tl_model_metadata(mine, i, &name, &d, &sz) && !strcmp(name, "reduced_precision_support"))
        found = sz == 11 && !memcmp(d, "fp16accfp32", 11);
    EXPECT(found);
  }
  tl_model_close(mine);
  free(bytes);
  tl_model_close(f);
  tl_model_close(tf);
}

/* With TF's own activation parameters (read back from its int8 file as ranges), tinylite's int8
 * conversion of the float original is TF's int8 file: same ops, versions, per-channel choices, and
 * weights and biases bit for bit. */
TEST(int8_matches_tf_with_its_ranges) {
  REQUIRE_SHARED(corpus, CORPUS_VAR, CORPUS_DEF);
  tl_model *f = open_model(corpus_model(corpus, "mnist-cnn-float-jhonatan-goncalves-pereira"));
  tl_model *tf = open_model(corpus_model(corpus, "mnist-cnn-int8-jhonatan-goncalves-pereira"));
  if (!f || !tf) return;
  const tl_msubgraph *gf = &f->subgraphs[0], *gt = &tf->subgraphs[0];
  tl_qranges r = {gf->n_tensors, calloc((size_t)gf->n_tensors, 4), calloc((size_t)gf->n_tensors, 4),
                  calloc((size_t)gf->n_tensors, 1), 1};
  /* Float tensor names -> TF's int8 tensor of the same name (the int8 output is "<name>1"). */
  int mapped = 0;
  for (int t = 0; t < gf->n_tensors; t++) {
    const tl_mtensor *x = &gf->tensors[t];
    if (x->data) continue;
    for (int u = 0; u < gt->n_tensors; u++) {
      const tl_mtensor *y = &gt->tensors[u];
      size_t ln = strlen(x->name);
      int same = !strcmp(y->name, x->name) || (!strncmp(y->name, x->name, ln) && !strcmp(y->name + ln, "1"));
      if (!same || y->type != TL_INT8 || y->q.n != 1) continue;
      double s = y->q.scales[0], z = (double)y->q.zero_points[0];
      r.min[t] = (float)((-128 - z) * s);
      r.max[t] = (float)((127 - z) * s);
      r.seen[t] = 1;
      mapped++;
    }
  }
  /* The input: TF's QUANTIZE output ("tfl.quantize") holds its parameters. */
  r.min[gf->in[0]] = 0, r.max[gf->in[0]] = 1, r.seen[gf->in[0]] = 1;
  tl_qoptions o = {.mode = TL_QMODE_INT8};
  uint8_t *bytes = NULL;
  tl_model *mine = convert(f, &o, &r, &bytes);
  if (mine) {
    EXPECT(same_structure(mine, tf, "int8 jhonatan"));
    same_constants(mine, tf, "int8 jhonatan", 1);
    const tl_msubgraph *gm = &mine->subgraphs[0];
    int same_params = 0, acts = 0;
    for (int k = 0; k < gm->n_ops && k < gt->n_ops; k++) {
      const tl_mtensor *p = &gm->tensors[gm->ops[k].out[0]], *q = &gt->tensors[gt->ops[k].out[0]];
      if (p->type != TL_INT8) continue;
      acts++;
      same_params += p->q.n == 1 && q->q.n == 1 && p->q.scales[0] == q->q.scales[0] &&
                     p->q.zero_points[0] == q->q.zero_points[0];
    }
    fprintf(stderr, "  %d mapped ranges; %d/%d int8 activations with TF's scale and zero point\n", mapped, same_params,
            acts);
    EXPECT_EQ(same_params, acts);
  }
  tl_model_close(mine);
  free(bytes);
  free(r.min), free(r.max), free(r.seen);
  tl_model_close(f);
  tl_model_close(tf);
}

/* tinylite's `dynamic` conversion of each float network the corpus also holds as a TF-made dynamic-
 * range file quantizes the same tensors the same way (float originals recovered from TF's float16
 * file of the same network where the corpus has no float32 one). */
TEST(dynamic_structure_matches_tf) {
  REQUIRE_SHARED(corpus, CORPUS_VAR, CORPUS_DEF);
  static const char *sets[][2] = {
      {"mnist-cnn-float-jhonatan-goncalves-pereira", "mnist-cnn-dynrange-jhonatan-goncalves-pereira"},
      {"mnist-mlp-float-pandu98-pkh", "mnist-mlp-dynrange-pandu98-pkh"},
      {"mnist-cnn-f16-oarthr", "mnist-cnn-dynrange-oarthr"},
      {"mnist-cnn-f16-vitoriamb", "mnist-cnn-dynrange-vitoriamb"},
      {"mnist-cnn-f16-raissakarolliny", "mnist-cnn-dynrange-raissakarolliny"},
      {"mnist-cnn-f16-gilvantws", "mnist-cnn-dynrange-gilvantws"},
  };
  int ok = 0;
  for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
    tl_model *src = open_model(corpus_model(corpus, sets[i][0])), *tf = open_model(corpus_model(corpus, sets[i][1]));
    uint8_t *fbytes = NULL, *bytes = NULL;
    tl_model *f = src && strstr(sets[i][0], "-f16-") ? defloat16(src, &fbytes) : src;
    tl_qoptions o = {.mode = TL_QMODE_DYNAMIC};
    tl_model *mine = f ? convert(f, &o, NULL, &bytes) : NULL;
    if (mine && tf) {
      int same = same_structure(mine, tf, sets[i][1]);
      EXPECT(same);
      ok += same;
      int nq = 0;
      for (int t = 0; t < mine->subgraphs[0].n_tensors; t++) nq += mine->subgraphs[0].tensors[t].type == TL_INT8;
      fprintf(stderr, "  %-45s %s (%d int8 weight tensors)\n", sets[i][1], same ? "same structure" : "DIFFERS", nq);
    }
    tl_model_close(mine);
    free(bytes);
    if (f != src) tl_model_close(f);
    free(fbytes);
    tl_model_close(src);
    tl_model_close(tf);
  }
  EXPECT_EQ(ok, (int)(sizeof sets / sizeof sets[0]));
}

/* ---- errors --------------------------------------------------------------------------------------- */

TEST(library_errors) {
  REQUIRE_SHARED(corpus, CORPUS_VAR, CORPUS_DEF);
  char err[1024];
  uint8_t *out = NULL;
  size_t n;
  tl_model *q = open_model(corpus_model(corpus, "mnist-cnn-int8-jhonatan-goncalves-pereira"));
  tl_qoptions o = {.mode = TL_QMODE_DYNAMIC};
  if (q) {
    EXPECT_EQ(tl_quantize(q, &o, NULL, NULL, &out, &n, err, sizeof err), TL_ERR_ARG);
    EXPECT_STR_CONTAINS(err, "already quantized");
    EXPECT(out == NULL);
  }
  tl_model_close(q);
  tl_model *lstm = open_model(corpus_model(corpus, "mnist-lstm-float-tensorflow"));
  if (lstm) {
    tl_qranges r = {lstm->subgraphs[0].n_tensors, NULL, NULL, NULL, 0};
    r.min = calloc((size_t)r.n_tensors, 4), r.max = calloc((size_t)r.n_tensors, 4), r.seen = calloc((size_t)r.n_tensors, 1);
    o.mode = TL_QMODE_INT8;
    EXPECT_EQ(tl_quantize(lstm, &o, &r, NULL, &out, &n, err, sizeof err), TL_ERR_ARG); /* no samples */
    EXPECT_STR_CONTAINS(err, "calibration set is empty");
    r.samples = 1;
    for (int t = 0; t < r.n_tensors; t++) r.seen[t] = 1, r.max[t] = 1;
    EXPECT_EQ(tl_quantize(lstm, &o, &r, NULL, &out, &n, err, sizeof err), TL_ERR_UNSUPPORTED);
    EXPECT_STR_CONTAINS(err, "op 0 (UNIDIRECTIONAL_SEQUENCE_LSTM)");
    o.allow_float = 1;
    EXPECT_EQ(tl_quantize(lstm, &o, &r, NULL, &out, &n, err, sizeof err), TL_OK);
    free(out);
    out = NULL;
    o.io_type = TL_INT16;
    EXPECT_EQ(tl_quantize(lstm, &o, &r, NULL, &out, &n, err, sizeof err), TL_ERR_ARG);
    free(r.min), free(r.max), free(r.seen);
  }
  tl_model_close(lstm);
}

TEST(cli_errors) {
  REQUIRE_SHARED(corpus, CORPUS_VAR, CORPUS_DEF);
  const char *mnist = tl_test_shared_path(MNIST_VAR, MNIST_DEF);
  char cmd[8192], *out;
  const char *o = qt_tmp("err.tflite");
  /* an already quantized model */
  qt_fmt(cmd, sizeof cmd, "'%s' convert '%s' -o '%s' --quantize dynamic", qt_tool(),
           corpus_model(corpus, "mnist-cnn-int8-jhonatan-goncalves-pereira"), o);
  EXPECT(qt_run(cmd, &out) != 0);
  EXPECT_STR_CONTAINS(out, "already quantized");
  free(out);
  /* an empty calibration set: an empty directory, and a count of 0 */
  const char *empty = qt_tmp("empty_calib");
  mkdir(empty, 0777);
  const char *har = corpus_model(corpus, "har-pruned-resourcevars-float-mihirscsharma");
  qt_fmt(cmd, sizeof cmd, "'%s' convert '%s' -o '%s' --quantize int8 --calibrate '%s' --allow-float", qt_tool(), har, o,
           empty);
  EXPECT(qt_run(cmd, &out) != 0);
  EXPECT_STR_CONTAINS(out, "calibration set is empty");
  free(out);
  /* raw tensors of the wrong size */
  const char *wrong = qt_tmp("wrong_calib");
  mkdir(wrong, 0777);
  char f[700];
  qt_fmt(f, sizeof f, "%s/sample0.bin", wrong);
  float junk[100] = {0};
  qt_write(f, junk, sizeof junk);
  qt_fmt(cmd, sizeof cmd, "'%s' convert '%s' -o '%s' --quantize int8 --calibrate '%s' --allow-float", qt_tool(), har, o,
           wrong);
  EXPECT(qt_run(cmd, &out) != 0);
  EXPECT_STR_CONTAINS(out, "wrong shape");
  EXPECT_STR_CONTAINS(out, "400 bytes");
  free(out);
  if (mnist) {
    /* MNIST images for a model whose input is 561 sensor values */
    qt_fmt(cmd, sizeof cmd, "'%s' convert '%s' -o '%s' --quantize int8 --calibrate mnist --data '%s' --allow-float",
             qt_tool(), har, o, mnist);
    EXPECT(qt_run(cmd, &out) != 0);
    EXPECT_STR_CONTAINS(out, "wrong shape");
    free(out);
    qt_fmt(cmd, sizeof cmd, "'%s' convert '%s' -o '%s' --quantize int8 --calibrate mnist --data '%s' --calibrate-count 0",
             qt_tool(), corpus_model(corpus, "mnist-cnn-float-wcisang"), o, mnist);
    EXPECT(qt_run(cmd, &out) != 0);
    EXPECT_STR_CONTAINS(out, "calibration set is empty");
    free(out);
    /* an op the int8 path cannot quantize, named with its index */
    qt_fmt(cmd, sizeof cmd, "'%s' convert '%s' -o '%s' --quantize int8 --calibrate mnist --data '%s' --calibrate-count 4",
             qt_tool(), corpus_model(corpus, "mnist-lstm-float-tensorflow"), o, mnist);
    EXPECT(qt_run(cmd, &out) != 0);
    EXPECT_STR_CONTAINS(out, "op 0 (UNIDIRECTIONAL_SEQUENCE_LSTM) cannot be quantized to int8");
    EXPECT_STR_CONTAINS(out, "--allow-float");
    free(out);
  }
  if (mnist) {
    /* a directory of images: 28x28 PGMs are a calibration set, a 10x10 one is the wrong shape */
    const char *imgs = qt_tmp("pgm_calib");
    mkdir(imgs, 0777);
    uint8_t pgm[15 + 28 * 28];
    for (int k = 0; k < 3; k++) {
      int h = snprintf((char *)pgm, sizeof pgm, "P5\n28 28\n255\n");
      for (int i = 0; i < 28 * 28; i++) pgm[h + i] = (uint8_t)((i * (k + 3)) % 256);
      char fn[800];
      qt_fmt(fn, sizeof fn, "%s/digit%d.pgm", imgs, k);
      EXPECT_EQ(qt_write(fn, pgm, (size_t)h + 28 * 28), 0);
    }
    const char *jf = corpus_model(corpus, "mnist-cnn-float-jhonatan-goncalves-pereira");
    qt_fmt(cmd, sizeof cmd, "'%s' convert '%s' -o '%s' --quantize int8 --calibrate '%s'", qt_tool(), jf, o, imgs);
    EXPECT(qt_run(cmd, &out) == 0);
    EXPECT_STR_CONTAINS(out, "calibrated on 3 samples");
    free(out);
    int h = snprintf((char *)pgm, sizeof pgm, "P5\n10 10\n255\n");
    memset(pgm + h, 7, 100);
    char fn[800];
    qt_fmt(fn, sizeof fn, "%s/small.pgm", imgs);
    EXPECT_EQ(qt_write(fn, pgm, (size_t)h + 100), 0);
    qt_fmt(cmd, sizeof cmd, "'%s' convert '%s' -o '%s' --quantize int8 --calibrate '%s'", qt_tool(), jf, o, imgs);
    EXPECT(qt_run(cmd, &out) != 0);
    EXPECT_STR_CONTAINS(out, "wrong shape");
    EXPECT_STR_CONTAINS(out, "is 10x10");
    free(out);
  }
  /* bad option values */
  qt_fmt(cmd, sizeof cmd, "'%s' convert '%s' -o '%s' --quantize int4", qt_tool(), har, o);
  EXPECT(qt_run(cmd, &out) != 0);
  EXPECT_STR_CONTAINS(out, "bad --quantize");
  free(out);
  qt_fmt(cmd, sizeof cmd, "'%s' convert '%s' -o '%s' --quantize int8", qt_tool(), har, o);
  EXPECT(qt_run(cmd, &out) != 0);
  EXPECT_STR_CONTAINS(out, "representative dataset");
  free(out);
}

TEST_MAIN(T(activation_params_follow_tf), T(float16_conversion), T(dynamic_weights_bit_identical_to_tf),
          T(float16_bit_identical_to_tf), T(int8_matches_tf_with_its_ranges), T(dynamic_structure_matches_tf),
          T(library_errors), T(cli_errors))

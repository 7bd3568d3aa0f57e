/* SPDX-License-Identifier: Apache-2.0
 * TFLite_Detection_PostProcess against TFLite 2.9's builtin kernel (../shared/tools/tflite-ref),
 * slow: the hand-made cases of test_detection.c, random detection models made with the writer, and
 * the corpus SSD model on new inputs, including the tensors that feed the post-processing op. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "detection_util.h"
#include "format/model.h"
#include "format/tflite_writer.h"
#include "test.h"
#include "tinylite.h"

/* ---- comparison with TFLite 2.9 (tflite-ref) ---- */

#define CORPUS_VAR "TL_CORPUS_DIR"
#define CORPUS_DEF "../shared/tflite-corpus"

static char g_tmp[64];

/* The temporary directory goes at exit, unless TL_KEEP_TMP is set (to inspect the models). */
static void remove_tmp(void) {
  if (!g_tmp[0] || getenv("TL_KEEP_TMP") || strncmp(g_tmp, "/tmp/tl_detect_", 15)) return;
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_tmp);
}

/* A file in this run's temporary directory; the same name always gives the same (stable) string. */
static const char *tmp(const char *name) {
  static char names[16][32], paths[16][128];
  static int n;
  if (!g_tmp[0]) {
    snprintf(g_tmp, sizeof g_tmp, "/tmp/tl_detect_XXXXXX");
    if (!mkdtemp(g_tmp)) snprintf(g_tmp, sizeof g_tmp, "/tmp");
    atexit(remove_tmp);
  }
  for (int i = 0; i < n; i++)
    if (!strcmp(names[i], name)) return paths[i];
  if (n == 16) return "/tmp/tl_detect_overflow";
  snprintf(names[n], sizeof names[n], "%s", name);
  snprintf(paths[n], sizeof paths[n], "%s/%s", g_tmp, name);
  return paths[n++];
}


static int write_file(const char *path, const void *d, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = fwrite(d, 1, n, f);
  return fclose(f) || w != n ? -1 : 0;
}

static uint8_t *read_file(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  *n = 0;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *d = malloc((size_t)sz + 1);
  *n = d ? fread(d, 1, (size_t)sz, f) : 0;
  fclose(f);
  return d;
}

/* `run invoke MODEL in0,in1 OUT --all --no-xnnpack`; outputs k >= 1 land in OUT.k. Returns n_out
 * buffers (caller frees) or -1. */
static int ref_invoke(const char *ref, const char *model, const char *const *ins, int n_in, uint8_t **outs,
                      size_t *sizes, int n_out) {
  char cmd[16384], list[2048] = "";
  for (int i = 0; i < n_in; i++) {
    strncat(list, i ? "," : "", sizeof list - strlen(list) - 1);
    strncat(list, ins[i], sizeof list - strlen(list) - 1);
  }
  const char *out = tmp("ref_out.bin"), *log = tmp("ref.log");
  snprintf(cmd, sizeof cmd, "\"%s\" invoke \"%s\" \"%s\" \"%s\" --all --no-xnnpack > \"%s\" 2>&1", ref, model, list, out,
           log);
  if (system(cmd) != 0) {
    size_t n;
    uint8_t *l = read_file(log, &n);
    fprintf(stderr, "  reference run failed: %s\n%.*s\n", cmd, (int)(n > 3000 ? 3000 : n), l ? (char *)l : "");
    free(l);
    return -1;
  }
  for (int k = 0; k < n_out; k++) {
    char p[700];
    if (k) snprintf(p, sizeof p, "%s.%d", out, k);
    else snprintf(p, sizeof p, "%s", out);
    outs[k] = read_file(p, &sizes[k]);
    if (!outs[k]) return -1;
  }
  return 0;
}

/* A random detection-only model: shapes, types, options and values drawn from small sets so that
 * equal scores, equal IoUs and overlapping boxes are common. */
typedef struct {
  int n, stride, ncbg, box_u8, score_u8;
  dopt o;
  float box_scale, anchor_scale, score_scale;
  int box_zp, score_zp;
  uint8_t enc[64 * 6 * 4], scores[64 * 8 * 4], anchors[64 * 4 * 4];
} rcase;

static float pick(const float *v, int n) { return v[rnd() % (unsigned)n]; }

static void make_case(rcase *c) {
  memset(c, 0, sizeof *c);
  c->n = 1 + (int)(rnd() % 40);
  c->stride = rnd() % 3 ? 4 : 6;
  c->o = defaults(1 + (int)(rnd() % 5));
  c->ncbg = c->o.num_classes + (int)(rnd() % 2);
  c->box_u8 = (int)(rnd() % 2), c->score_u8 = (int)(rnd() % 2);
  c->o.regular = (int)(rnd() % 3) - 1;
  c->o.dpc = rnd() % 2 ? -1 : 1 + (int)(rnd() % 4);
  c->o.max_det = 1 + (int)(rnd() % 12);
  c->o.mcpd = 1 + (int)(rnd() % (unsigned)c->o.num_classes); /* more would leave slots TFLite never writes */
  static const float th[] = {0.f, 0.1f, 0.25f, 0.5f}, iou[] = {0.3f, 0.5f, 0.6f, 1.f};
  static const float sc[] = {10.f, 5.f, 3.3f, 1.f, 7.1f};
  c->o.score_th = pick(th, 4), c->o.iou_th = pick(iou, 4);
  c->o.ys = pick(sc, 5), c->o.xs = pick(sc, 5), c->o.hs = pick(sc, 5), c->o.ws = pick(sc, 5);
  c->box_scale = 0.05f, c->box_zp = 128, c->anchor_scale = 1.f / 128, c->score_scale = 1.f / 16, c->score_zp = 3;
  static const float pos[] = {0.25f, 0.3f, 0.5f, 0.5f, 0.55f, 0.7f}, size[] = {0.2f, 0.4f, 0.5f, 0.333f};
  static const float ev[] = {0.f, 0.f, 0.1f, -0.35f, 1.f, 2.2f}, sv[] = {0.f, 0.1f, 0.25f, 0.5f, 0.5f, 0.75f, 0.9f};
  for (int i = 0; i < c->n; i++) {
    float a[4] = {pick(pos, 6), pick(pos, 6), pick(size, 4), pick(size, 4)};
    for (int k = 0; k < 4; k++) {
      if (c->box_u8) c->anchors[4 * i + k] = (uint8_t)lrintf(a[k] / c->anchor_scale);
      else memcpy(c->anchors + 4 * (4 * i + k), &a[k], 4);
    }
    for (int k = 0; k < c->stride; k++) {
      float e = pick(ev, 6) * (rnd() % 2 ? 1.f : -1.f);
      if (c->box_u8) c->enc[c->stride * i + k] = (uint8_t)(c->box_zp + lrintf(e / c->box_scale));
      else memcpy(c->enc + 4 * (c->stride * i + k), &e, 4);
    }
    for (int k = 0; k < c->ncbg; k++) {
      float s = pick(sv, 7);
      if (c->score_u8) c->scores[c->ncbg * i + k] = (uint8_t)(c->score_zp + lrintf(s / c->score_scale));
      else memcpy(c->scores + 4 * (c->ncbg * i + k), &s, 4);
    }
  }
}

static int write_case_model(const rcase *c, const char *path) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  int32_t db[3] = {1, c->n, c->stride}, ds[3] = {1, c->n, c->ncbg}, da[2] = {c->n, 4};
  int64_t bz = c->box_zp, sz = c->score_zp, az = 0;
  tl_tfl_quant qb = {1, &c->box_scale, &bz, 0, 0, NULL, NULL}, qs = {1, &c->score_scale, &sz, 0, 0, NULL, NULL};
  tl_tfl_quant qa = {1, &c->anchor_scale, &az, 0, 0, NULL, NULL};
  int bt = c->box_u8 ? TL_TFL_UINT8 : TL_TFL_FLOAT32, st = c->score_u8 ? TL_TFL_UINT8 : TL_TFL_FLOAT32;
  int32_t in[3], out[4];
  in[0] = tl_tfl_add_tensor(b, 0, "box_encodings", bt, 3, db, NULL, 0, c->box_u8 ? &qb : NULL, 0);
  in[1] = tl_tfl_add_tensor(b, 0, "class_predictions", st, 3, ds, NULL, 0, c->score_u8 ? &qs : NULL, 0);
  in[2] = tl_tfl_add_const_tensor(b, 0, "anchors", bt, 2, da, c->anchors, (size_t)c->n * 4 * (c->box_u8 ? 1 : 4),
                                  c->box_u8 ? &qa : NULL);
  static const char *names[4] = {"TFLite_Detection_PostProcess", "TFLite_Detection_PostProcess:1",
                                 "TFLite_Detection_PostProcess:2", "TFLite_Detection_PostProcess:3"};
  for (int k = 0; k < 4; k++) out[k] = tl_tfl_add_tensor(b, 0, names[k], TL_TFL_FLOAT32, 0, NULL, NULL, 0, NULL, 0);
  uint8_t blob[512];
  size_t nb = opts_blob(&c->o, blob, sizeof blob);
  tl_tfl_add_custom_op(b, 0, "TFLite_Detection_PostProcess", 1, in, 3, out, 4, blob, nb);
  tl_tfl_set_io(b, 0, in, 2, out, 4);
  char err[256];
  int rc = tl_tfl_write_file(b, path, err, sizeof err);
  if (rc) fprintf(stderr, "  writer: %s\n", err);
  tl_tfl_builder_free(b);
  return rc;
}

/* Runs a model file with tinylite: inputs from raw buffers; copies the outputs (and optionally the
 * tensors named by extra[], read after invoke) into malloc'ed buffers. */
static int tl_run_file(const char *path, const uint8_t *const *ins, const size_t *in_n, int n_in, uint8_t **outs,
                       size_t *out_n, int n_out, const int *extra, int n_extra) {
  char err[256];
  tl_model *m;
  if (tl_model_open(path, &m, err, sizeof err)) {
    fprintf(stderr, "  tinylite load: %s\n", err);
    return -1;
  }
  tl_interp *ip = NULL;
  int rc = -1;
  if (tl_interp_new(m, NULL, &ip) == TL_OK && tl_interp_allocate(ip) == TL_OK) {
    int ok = 1;
    for (int i = 0; i < n_in; i++) ok &= tl_tensor_copy_from(tl_interp_input(ip, i), ins[i], in_n[i]) == TL_OK;
    if (ok && tl_interp_invoke(ip) == TL_OK) {
      for (int k = 0; k < n_out + n_extra; k++) {
        tl_tensor *t = k < n_out ? tl_interp_output(ip, k) : tl_interp_tensor(ip, extra[k - n_out]);
        out_n[k] = tl_tensor_bytes(t);
        outs[k] = malloc(out_n[k] + 1);
        memcpy(outs[k], tl_tensor_data(t), out_n[k]);
      }
      rc = 0;
    }
  }
  if (rc) fprintf(stderr, "  tinylite run: %s\n", tl_interp_errmsg(ip));
  tl_interp_free(ip);
  tl_model_close(m);
  return rc;
}

/* Compares detection outputs: the count, then the slots TFLite writes (fast NMS: count x mcpd slots;
 * regular NMS: all max_detections). Prints the case on a mismatch. */
static int compare_detections(const char *what, const dopt *o, uint8_t **ours, size_t *our_n, uint8_t **ref,
                              size_t *ref_n) {
  for (int k = 0; k < 4; k++)
    if (our_n[k] != ref_n[k]) {
      fprintf(stderr, "  %s: output %d has %zu bytes, TFLite %zu\n", what, k, our_n[k], ref_n[k]);
      return 0;
    }
  float n_ours, n_ref;
  memcpy(&n_ours, ours[3], 4);
  memcpy(&n_ref, ref[3], 4);
  size_t slots = o->regular == 1 ? (size_t)o->max_det : (size_t)n_ref * (size_t)o->mcpd;
  int same = n_ours == n_ref && !memcmp(ours[0], ref[0], 16 * slots) && !memcmp(ours[1], ref[1], 4 * slots) &&
             !memcmp(ours[2], ref[2], 4 * slots);
  if (!same) {
    fprintf(stderr, "  %s: differs from TFLite (%g vs %g detections)\n", what, (double)n_ours, (double)n_ref);
    for (size_t i = 0; i < slots; i++) {
      const float *bo = (const float *)(void *)ours[0] + 4 * i, *br = (const float *)(void *)ref[0] + 4 * i;
      fprintf(stderr, "    %zu: ours (%.9g %.9g %.9g %.9g) c%g s%.9g | tflite (%.9g %.9g %.9g %.9g) c%g s%.9g\n", i,
              (double)bo[0], (double)bo[1], (double)bo[2], (double)bo[3], (double)((float *)(void *)ours[1])[i],
              (double)((float *)(void *)ours[2])[i], (double)br[0], (double)br[1], (double)br[2], (double)br[3],
              (double)((float *)(void *)ref[1])[i], (double)((float *)(void *)ref[2])[i]);
    }
  }
  return same;
}

TEST(random_models_vs_tflite) {
  REQUIRE_TFLITE_REF(ref);
  const char *env = getenv("TL_DETECTION_CASES");
  int n_cases = env ? atoi(env) : 40, matched = 0, regular = 0, u8 = 0;
  for (int ci = 0; ci < n_cases; ci++) {
    static rcase c;
    make_case(&c);
    const char *model = tmp("case.tflite"), *in0 = tmp("in0.bin"), *in1 = tmp("in1.bin");
    size_t n0 = (size_t)c.n * (size_t)c.stride * (c.box_u8 ? 1 : 4), n1 = (size_t)c.n * (size_t)c.ncbg * (c.score_u8 ? 1 : 4);
    if (write_case_model(&c, model) || write_file(in0, c.enc, n0) || write_file(in1, c.scores, n1)) {
      tl_test_failed_now = 1;
      return;
    }
    const char *ins[2] = {in0, in1};
    const uint8_t *bufs[2] = {c.enc, c.scores};
    size_t sizes[2] = {n0, n1}, ref_n[4], our_n[4];
    uint8_t *refo[4] = {0}, *ours[4] = {0};
    char what[256];
    snprintf(what, sizeof what, "case %d (%d boxes x %d, %s/%s, %s NMS, max_det %d, mcpd %d, dpc %d, th %g, iou %g)", ci,
             c.n, c.ncbg, c.box_u8 ? "u8" : "f32", c.score_u8 ? "u8" : "f32", c.o.regular == 1 ? "regular" : "fast",
             c.o.max_det, c.o.mcpd, c.o.dpc, (double)c.o.score_th, (double)c.o.iou_th);
    if (ref_invoke(ref, model, ins, 2, refo, ref_n, 4) || tl_run_file(model, bufs, sizes, 2, ours, our_n, 4, NULL, 0)) {
      fprintf(stderr, "  %s: could not run\n", what);
      tl_test_failed_now = 1;
    } else if (compare_detections(what, &c.o, ours, our_n, refo, ref_n)) {
      matched++;
      regular += c.o.regular == 1;
      u8 += c.box_u8 + c.score_u8 > 0;
    } else {
      tl_test_failed_now = 1;
    }
    for (int k = 0; k < 4; k++) free(refo[k]), free(ours[k]);
  }
  fprintf(stderr, "  %d/%d random models bit-identical to TFLite (%d regular NMS, %d with uint8 inputs)\n", matched,
          n_cases, regular, u8);
}

/* The post-processing op's two inputs in the corpus SSD model, via a copy of the model that stops
 * before it (the writer's copy with those tensors as outputs), so TFLite reports them too. */
static int write_truncated(const tl_model *m, const char *path, int32_t *feeds) {
  tl_tfl_builder *b = tl_tfl_builder_new();
  for (int i = 1; i < m->n_buffers; i++) tl_tfl_add_buffer(b, m->buffers[i].data, m->buffers[i].size);
  const tl_msubgraph *g = &m->subgraphs[0];
  for (int t = 0; t < g->n_tensors; t++) {
    const tl_mtensor *mt = &g->tensors[t];
    tl_tfl_quant q = {(size_t)mt->q.n, mt->q.scales, mt->q.zero_points, mt->q.axis, 0, NULL, NULL};
    tl_tfl_add_tensor(b, 0, mt->name, mt->type, mt->ndim, mt->dims, mt->dims_sig, mt->buffer, mt->q.n ? &q : NULL,
                      mt->is_variable);
  }
  for (int k = 0; k < g->n_ops - 1; k++) {
    const tl_mop *op = &g->ops[k];
    tl_tfl_options o = tl_tfl_opts_raw(op->options_type, op->options.base, op->options.size, op->options.pos);
    tl_tfl_add_op(b, 0, op->builtin, op->version, op->in, op->n_in, op->out, op->n_out, op->options.ok ? &o : NULL);
  }
  feeds[0] = g->ops[g->n_ops - 1].in[0];
  feeds[1] = g->ops[g->n_ops - 1].in[1];
  tl_tfl_set_io(b, 0, g->in, g->n_in, feeds, 2);
  char err[256];
  int rc = tl_tfl_write_file(b, path, err, sizeof err);
  if (rc) fprintf(stderr, "  writer: %s\n", err);
  tl_tfl_builder_free(b);
  return rc;
}

TEST(corpus_ssd_vs_tflite) {
  REQUIRE_TFLITE_REF(ref);
  REQUIRE_SHARED(corpus, CORPUS_VAR, CORPUS_DEF);
  char path[4096], err[256];
  snprintf(path, sizeof path, "%s/models/detect-uint8-mpromonet.tflite", corpus);
  tl_model *m;
  if (tl_model_open(path, &m, err, sizeof err)) {
    fprintf(stderr, "  %s: %s\n", path, err);
    tl_test_failed_now = 1;
    return;
  }
  const tl_msubgraph *g = &m->subgraphs[0];
  const tl_mop *last = &g->ops[g->n_ops - 1];
  EXPECT_EQ(last->builtin, 32);
  int32_t feeds[2];
  const char *cut = tmp("ssd_pre_nms.tflite");
  if (write_truncated(m, cut, feeds)) {
    tl_test_failed_now = 1;
    tl_model_close(m);
    return;
  }
  dopt o = defaults(90); /* the model's options: fast NMS, mcpd 1, 10 detections */
  const size_t in_n = 300 * 300 * 3;
  uint8_t *img = malloc(in_n);
  const char *env = getenv("TL_DETECTION_CASES");
  int cases = env ? atoi(env) / 10 + 1 : 4;
  for (int k = 0; k < cases; k++) {
    /* uniform bytes like the goldens, then smoother images (blocks) that score real objects more */
    for (size_t i = 0; i < in_n; i++) img[i] = (uint8_t)rnd();
    if (k % 2)
      for (size_t i = 0; i < in_n; i++) img[i] = (uint8_t)(((i / 3 % 300) / 50 * 37 + (i / 900) / 60 * 71 + i % 3 * 50) & 0xff);
    const char *in = tmp("img.bin");
    write_file(in, img, in_n);
    uint8_t *refo[4] = {0}, *pre[2] = {0}, *ours[6] = {0};
    size_t ref_n[4], pre_n[2], our_n[6];
    const uint8_t *ins[1] = {img};
    char what[64];
    snprintf(what, sizeof what, "SSD input %d", k);
    if (ref_invoke(ref, path, &in, 1, refo, ref_n, 4) || ref_invoke(ref, cut, &in, 1, pre, pre_n, 2) ||
        tl_run_file(path, ins, &in_n, 1, ours, our_n, 4, feeds, 2)) {
      tl_test_failed_now = 1;
    } else {
      for (int j = 0; j < 2; j++) {
        int same = pre_n[j] == our_n[4 + j] && !memcmp(pre[j], ours[4 + j], pre_n[j]);
        size_t diff = 0;
        for (size_t i = 0; same == 0 && i < pre_n[j] && i < our_n[4 + j]; i++) diff += pre[j][i] != ours[4 + j][i];
        if (!same) fprintf(stderr, "  %s: tensor %d (input %d of the post-process op) differs in %zu of %zu bytes\n",
                           what, (int)feeds[j], j, diff, pre_n[j]);
        EXPECT(same);
      }
      EXPECT(compare_detections(what, &o, ours, our_n, refo, ref_n));
      float nd;
      memcpy(&nd, refo[3], 4);
      fprintf(stderr, "  %s: %g detections, pre-NMS tensors and outputs bit-identical\n", what, (double)nd);
    }
    for (int j = 0; j < 4; j++) free(refo[j]);
    for (int j = 0; j < 6; j++) free(ours[j]);
    free(pre[0]), free(pre[1]);
  }
  free(img);
  tl_model_close(m);
}

/* The hand-made cases above whose expected values are TFLite's own: checked against it here. */
static int f32_vs_tflite(const char *ref, const char *what, const dopt *o, int n, int ncbg, const float *enc,
                         const float *scores, const float *anchors) {
  static rcase c;
  memset(&c, 0, sizeof c);
  c.n = n, c.stride = 4, c.ncbg = ncbg, c.o = *o;
  memcpy(c.enc, enc, (size_t)n * 16);
  memcpy(c.scores, scores, (size_t)n * (size_t)ncbg * 4);
  memcpy(c.anchors, anchors, (size_t)n * 16);
  const char *model = tmp("hand.tflite"), *in0 = tmp("in0.bin"), *in1 = tmp("in1.bin");
  const char *ins[2] = {in0, in1};
  const uint8_t *bufs[2] = {c.enc, c.scores};
  size_t sizes[2] = {(size_t)n * 16, (size_t)n * (size_t)ncbg * 4}, ref_n[4], our_n[4];
  uint8_t *refo[4] = {0}, *ours[4] = {0};
  int same = 0;
  if (!write_case_model(&c, model) && !write_file(in0, c.enc, sizes[0]) && !write_file(in1, c.scores, sizes[1]) &&
      !ref_invoke(ref, model, ins, 2, refo, ref_n, 4) && !tl_run_file(model, bufs, sizes, 2, ours, our_n, 4, NULL, 0))
    same = compare_detections(what, o, ours, our_n, refo, ref_n);
  for (int k = 0; k < 4; k++) free(refo[k]), free(ours[k]);
  if (same) fprintf(stderr, "  %s: bit-identical to TFLite\n", what);
  return same;
}

TEST(handmade_cases_vs_tflite) {
  REQUIRE_TFLITE_REF(ref);
  dopt o = round_opts();
  EXPECT(f32_vs_tflite(ref, "decode rounding", &o, 1, 1, k_round_enc, &k_half, k_round_anchor));
  float a[24];
  disjoint_anchors(6, a);
  o = ties5_opts();
  EXPECT(f32_vs_tflite(ref, "fast NMS, 5 equal class scores", &o, 1, 5, k_zero, k_s5, a));
  float s18[18];
  for (int i = 0; i < 18; i++) s18[i] = 0.5f;
  o = ties_regular_opts();
  EXPECT(f32_vs_tflite(ref, "regular NMS, all scores equal", &o, 6, 3, k_zero, s18, a));
  const float s5[5] = {0.5f, 0.7f, 0.5f, 0.7f, 0.5f};
  o = defaults(1);
  EXPECT(f32_vs_tflite(ref, "equal scores", &o, 5, 1, k_zero, s5, a));
  const float ov[8] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.52f, 0.5f, 0.5f};
  const float s6[6] = {0.99f, 0.9f, 0.1f, 0.99f, 0.1f, 0.8f};
  for (int reg = 0; reg < 2; reg++) {
    o = defaults(2);
    o.regular = reg;
    EXPECT(f32_vs_tflite(ref, reg ? "overlap, regular NMS" : "overlap, fast NMS", &o, 2, 3, k_zero, s6, ov));
  }
  const float iou[8] = {0.5f, 0.5f, 1.f, 1.f, 0.25f, 0.5f, 0.5f, 1.f}, s2[2] = {0.9f, 0.8f};
  o = defaults(1);
  EXPECT(f32_vs_tflite(ref, "IoU equal to the threshold", &o, 2, 1, k_zero, s2, iou));
  const float st[6] = {0.9f, 0.1f, 0.5f, 0.2f, 0.6f, 0.3f};
  o = defaults(3);
  o.mcpd = 2, o.max_det = 3;
  EXPECT(f32_vs_tflite(ref, "two classes per box", &o, 2, 3, k_zero, st, a));
  o = defaults(3);
  o.max_det = 0;
  EXPECT(f32_vs_tflite(ref, "fast NMS, max_detections 0", &o, 6, 3, k_zero, s18, a));
  a[2] = 0.f; /* a zero-height box is valid (IoU 0 with everything) */
  o = defaults(3);
  EXPECT(f32_vs_tflite(ref, "zero-height box, fast NMS", &o, 6, 3, k_zero, s18, a));
  o.regular = 1;
  EXPECT(f32_vs_tflite(ref, "zero-height box, regular NMS", &o, 6, 3, k_zero, s18, a));
}

TEST_MAIN(T(handmade_cases_vs_tflite), T(random_models_vs_tflite), T(corpus_ssd_vs_tflite))

/* SPDX-License-Identifier: Apache-2.0
 * The tinylite command-line tool against the corpus: `info` describes every model as MANIFEST.json
 * does, `eval` counts exactly the real runtime's correct MNIST predictions, and bad input gives a
 * clear message and a non-zero exit. */
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../json_lite.h"
#include "model_copy.h"
#include "test.h"
#include "tinylite.h"

/* Runs a shell command, capturing stdout+stderr into a malloc'ed string; returns the exit code. */
static int run(const char *cmd, char **out) {
  char full[8192];
  snprintf(full, sizeof full, "%s 2>&1", cmd);
  FILE *p = popen(full, "r");
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  size_t r;
  while (p && (r = fread(buf + n, 1, cap - n - 1, p)) > 0) {
    n += r;
    if (n + 1 >= cap) buf = realloc(buf, cap *= 2);
  }
  buf[n] = 0;
  int st = p ? pclose(p) : -1;
  *out = buf;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *tool(void) {
  static char path[4096];
  const char *b = getenv("TL_BUILD_DIR");
  snprintf(path, sizeof path, "%s/tinylite", b ? b : "build");
  return path;
}

static int dtype_of(const char *s) {
  for (int t = 0; t <= TL_INT4; t++)
    if (!strcmp(tl_type_name(t), s)) return t;
  return -1;
}

static void check_tensor(const tl_model *m, int idx, const jnode *want, const char *file) {
  tl_tensor_info ti;
  EXPECT(tl_model_tensor(m, 0, idx, &ti) == TL_OK);
  const char *name = json_str(json_get(want, "name"), "");
  if (strcmp(ti.name, name)) {
    fprintf(stderr, "  %s: tensor %d name '%s', manifest '%s'\n", file, idx, ti.name, name);
    tl_test_failed_now = 1;
  }
  EXPECT_EQ(ti.type, dtype_of(json_str(json_get(want, "dtype"), "")));
  const jnode *shape = json_get(want, "shape"), *sig = json_get(want, "shape_signature");
  EXPECT_EQ(ti.ndim, shape ? shape->count : -1);
  for (int d = 0; d < ti.ndim && shape && d < shape->count; d++) {
    EXPECT_EQ(ti.dims[d], (int)json_num(json_at(shape, d), -99));
    if (sig && ti.shape_signature) EXPECT_EQ(ti.shape_signature[d], (int)json_num(json_at(sig, d), -99));
  }
}

TEST(info_matches_manifest) {
  REQUIRE_SHARED(corpus, "TL_CORPUS_DIR", "../shared/tflite-corpus");
  char path[4096], err[512];
  snprintf(path, sizeof path, "%s/MANIFEST.json", corpus);
  jnode *man = json_load_file(path, err, sizeof err);
  EXPECT(man != NULL);
  if (!man) return;
  int checked = 0;
  for (const jnode *e = json_get(man, "models")->child; e; e = e->next) {
    const char *file = json_str(json_get(e, "file"), "");
    snprintf(path, sizeof path, "%s/%s", corpus, file);
    tl_model *m;
    if (tl_model_open(path, &m, err, sizeof err)) {
      fprintf(stderr, "  %s\n", err);
      tl_test_failed_now = 1;
      continue;
    }
    tl_model_info mi;
    tl_model_get_info(m, &mi);
    EXPECT_EQ(mi.num_subgraphs, (int)json_num(json_get(e, "subgraphs"), -1));
    EXPECT_EQ(mi.version, (int)json_num(json_get(e, "schema_version"), -1));
    int tensors = 0, ops = 0, counts[256] = {0};
    for (int s = 0; s < mi.num_subgraphs; s++) {
      int nt, no;
      tl_model_subgraph(m, s, NULL, &nt, &no, NULL, NULL);
      tensors += nt, ops += no;
      for (int j = 0; j < no; j++) {
        int b;
        tl_model_op(m, s, j, &b, NULL, NULL, NULL, NULL, NULL);
        if (b >= 0 && b < 256) counts[b]++;
      }
    }
    EXPECT_EQ(tensors, (int)json_num(json_get(e, "num_tensors"), -1));
    EXPECT_EQ(ops, (int)json_num(json_get(e, "num_operators"), -1));
    const jnode *oc = json_get(e, "op_counts");
    for (const jnode *c = oc ? oc->child : NULL; c; c = c->next) {
      int code = -1;
      for (int b = 0; b < 256; b++)
        if (!strcmp(tl_op_name(b), c->key)) code = b;
      EXPECT(code >= 0 || !strncmp(c->key, "CUSTOM", 6));
      if (code >= 0 && counts[code] != (int)c->num) {
        fprintf(stderr, "  %s: %s x%d, manifest x%d\n", file, c->key, counts[code], (int)c->num);
        tl_test_failed_now = 1;
      }
    }
    const jnode *ins = json_get(e, "inputs"), *outs = json_get(e, "outputs");
    int ni, no;
    tl_model_subgraph(m, 0, NULL, NULL, NULL, &ni, &no);
    EXPECT_EQ(ni, ins ? ins->count : -1);
    EXPECT_EQ(no, outs ? outs->count : -1);
    for (int i = 0; i < ni && ins && i < ins->count; i++) check_tensor(m, tl_model_io(m, 0, 0, i), json_at(ins, i), file);
    for (int i = 0; i < no && outs && i < outs->count; i++) check_tensor(m, tl_model_io(m, 0, 1, i), json_at(outs, i), file);
    tl_model_close(m);
    /* The command-line tool prints the same facts. */
    const char *kind = json_str(json_get(e, "quantization_kind"), "");
    if (!strcmp(kind, "float32") || !strcmp(kind, "float16")) {
      char cmd[8400], *out;
      snprintf(cmd, sizeof cmd, "'%s' info '%s' --no-tensors", tool(), path);
      int rc = run(cmd, &out);
      EXPECT_EQ(rc, 0);
      EXPECT_STR_CONTAINS(out, json_str(json_get(json_at(ins, 0), "name"), "?"));
      for (const jnode *c = oc ? oc->child : NULL; c; c = c->next) {
        char want[128];
        snprintf(want, sizeof want, "%s=%d", c->key, (int)c->num);
        EXPECT_STR_CONTAINS(out, want);
      }
      EXPECT_STR_CONTAINS(out, "arena: ");
      free(out);
    }
    checked++;
  }
  printf("  %d models described as in MANIFEST.json\n", checked);
  EXPECT_EQ(checked, 78);
  json_free(man);
}

/* tinylite eval on every MNIST model of the given kinds gives the real runtime's correct count. */
static void eval_kinds(const char *kinds, int expected, int expected_twins) {
  REQUIRE_SHARED(corpus, "TL_CORPUS_DIR", "../shared/tflite-corpus");
  REQUIRE_SHARED(mnist, "MNIST_DIR", "../shared/data/mnist");
  REQUIRE_TFLITE_REF(ref);
  char path[4096], err[512];
  snprintf(path, sizeof path, "%s/golden/INDEX.json", corpus);
  jnode *idx = json_load_file(path, err, sizeof err);
  EXPECT(idx != NULL);
  if (!idx) return;
  int n = 0, same = 0, twins = 0;
  for (const jnode *e = json_get(idx, "models")->child; e; e = e->next) {
    char pat[64], list[256];
    snprintf(pat, sizeof pat, ",%s,", json_str(json_get(e, "quantization_kind"), ""));
    snprintf(list, sizeof list, ",%s,", kinds);
    const jnode *want = json_get(e, "mnist_correct");
    if (!strstr(list, pat) || !want) continue;
    char cmd[8192], *out;
    snprintf(cmd, sizeof cmd, "'%s' eval '%s/models/%s' --data '%s' --json", tool(), corpus,
             json_str(json_get(e, "file"), ""), mnist);
    int rc = run(cmd, &out);
    const char *c = strstr(out, "\"correct\":");
    int got = c ? atoi(c + 10) : -1;
    n++;
    /* Where TensorFlow Lite 2.9's builtin kernels could not run the file (per-channel int8
     * FULLY_CONNECTED), the golden count is LiteRT's, whose XNNPACK requantizes int8 in fp32; the
     * count to match is then the builtin kernels' on the file's twin with each such op written as the
     * 1x1 CONV_2D it equals (tests/model_copy.c). */
    int expect = (int)want->num;
    const char *canon = json_str(json_get(e, "canonical_runtime"), ""), *source = "TensorFlow Lite";
    if (strcmp(canon, "tflite-c-builtin")) {
      char twin[512], *log = NULL;
      snprintf(twin, sizeof twin, "/tmp/tl_cli_twin_%ld.tflite", (long)getpid());
      snprintf(path, sizeof path, "%s/models/%s", corpus, json_str(json_get(e, "file"), ""));
      if (tl_test_fc_conv_twin(path, twin, err, sizeof err) > 0) {
        snprintf(cmd, sizeof cmd, "'%s' mnist-eval '%s' '%s' --no-xnnpack", ref, twin, mnist);
        const int rrc = run(cmd, &log);
        const char *acc = log ? strstr(log, "accuracy: ") : NULL, *paren = acc ? strchr(acc, '(') : NULL;
        expect = rrc == 0 && paren ? atoi(paren + 1) : -1;
        source = "TFLite builtin on the 1x1-conv twin";
        twins++;
        if (expect < 0) printf("  %-50s reference failed: %s\n", e->key, log ? log : "");
        free(log);
        unlink(twin);
      }
    }
    if (rc == 0 && got == expect) {
      same++;
      printf("  %-50s %d correct, as %s\n", e->key, got, source);
    } else {
      printf("  %-50s FAIL: %d correct, %s %d (%s)\n", e->key, got, source, expect, rc ? strtok(out, "\n") : "");
    }
    free(out);
  }
  printf("  %s: %d/%d MNIST models give the real runtime's exact number of correct predictions\n", kinds, same, n);
  EXPECT_EQ(same, n);
  EXPECT_EQ(n, expected); /* the README's counts: a shrunken corpus fails */
  printf("  (%d of them through the 1x1-conv twin)\n", twins);
  EXPECT_EQ(twins, expected_twins);
  json_free(idx);
}

TEST(eval_float_matches_tflite) { eval_kinds("float32,float16", 31, 0); }
TEST(eval_quantized_matches_tflite) { eval_kinds("dynamic-range,int8,uint8", 19, 12); }

TEST(bad_input_gives_clear_errors) {
  char cmd[8192], *out;
  snprintf(cmd, sizeof cmd, "'%s' info /nonexistent.tflite", tool());
  EXPECT(run(cmd, &out) != 0);
  EXPECT_STR_CONTAINS(out, "/nonexistent.tflite");
  free(out);
  snprintf(cmd, sizeof cmd, "'%s' info '%s'", tool(), "CMakeLists.txt");
  EXPECT(run(cmd, &out) != 0);
  EXPECT_STR_CONTAINS(out, "not a TensorFlow Lite model");
  free(out);
  snprintf(cmd, sizeof cmd, "'%s' bogus-command", tool());
  EXPECT(run(cmd, &out) != 0);
  EXPECT_STR_CONTAINS(out, "unknown command");
  free(out);
  snprintf(cmd, sizeof cmd, "MNIST_DIR= '%s' eval x.tflite --data /nonexistent-mnist", tool());
  EXPECT(run(cmd, &out) != 0);
  EXPECT_STR_CONTAINS(out, "get_mnist");
  free(out);
  REQUIRE_SHARED(corpus, "TL_CORPUS_DIR", "../shared/tflite-corpus");
  snprintf(cmd, sizeof cmd, "'%s' run '%s/models/mnist-cnn-float-wcisang.tflite' --input CMakeLists.txt --output /tmp/x",
           tool(), corpus);
  EXPECT(run(cmd, &out) != 0);
  EXPECT_STR_CONTAINS(out, "needs 3136");
  free(out);
}

/* info --ops-used: the project's int8 model uses exactly these ops (the web build keeps them). */
TEST(ops_used_lists_a_models_ops) {
  char cmd[8192], *out;
  snprintf(cmd, sizeof cmd, "'%s' info --ops-used models/mnist_cnn_int8.tflite", tool());
  EXPECT_EQ(run(cmd, &out), 0);
  EXPECT(!strcmp(out, "CONV_2D;DEQUANTIZE;FULLY_CONNECTED;MAX_POOL_2D;RESHAPE;SOFTMAX;QUANTIZE\n"));
  free(out);
  snprintf(cmd, sizeof cmd, "'%s' info --ops-used CMakeLists.txt", tool());
  EXPECT(run(cmd, &out) != 0);
  EXPECT_STR_CONTAINS(out, "not a TensorFlow Lite model");
  free(out);
}

TEST_MAIN(T(info_matches_manifest), T(eval_float_matches_tflite), T(eval_quantized_matches_tflite),
          T(bad_input_gives_clear_errors), T(ops_used_lists_a_models_ops))

/* SPDX-License-Identifier: Apache-2.0
 * Compatibility suite: every model of the shared corpus runs on the corpus' golden inputs and its
 * outputs are compared with the real TensorFlow Lite runtime's, using each output's rule from
 * golden/INDEX.json (exact = bit-identical; float tolerance; dynamic-range tolerance). */
#include <math.h>
#include <stdint.h>

#include "../json_lite.h"
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

static double elem(const void *d, int type, size_t i) {
  switch (type) {
    case TL_FLOAT32: return ((const float *)d)[i];
    case TL_INT8: return ((const int8_t *)d)[i];
    case TL_UINT8: return ((const uint8_t *)d)[i];
    case TL_INT16: return ((const int16_t *)d)[i];
    case TL_INT32: return ((const int32_t *)d)[i];
    case TL_INT64: return (double)((const int64_t *)d)[i];
    case TL_BOOL: return ((const uint8_t *)d)[i];
    default: return NAN;
  }
}

static size_t argmax(const void *d, int type, size_t n) {
  size_t best = 0;
  for (size_t i = 1; i < n; i++)
    if (elem(d, type, i) > elem(d, type, best)) best = i;
  return best;
}

/* Runs one model on all its golden cases. Returns 1 when every output meets its rule. */
static int run_model(const char *corpus, const char *stem, const jnode *e) {
  char path[2048], err[1024];
  snprintf(path, sizeof path, "%s/models/%s", corpus, json_str(json_get(e, "file"), ""));
  tl_model *m;
  if (tl_model_open(path, &m, err, sizeof err)) {
    printf("  %-48s FAIL load: %s\n", stem, err);
    return 0;
  }
  int K = (int)json_num(json_get(e, "k"), 0), ok = 1, used_alt = 0;
  const jnode *agree = json_get(e, "agreement");
  double worst = 0;
  for (int k = 0; k < K && ok; k++) {
    tl_interp *ip;
    tl_interp_new(m, NULL, &ip); /* a fresh interpreter per case, as the goldens were made */
    if (tl_interp_allocate(ip)) {
      printf("  %-48s FAIL allocate: %s\n", stem, tl_interp_errmsg(ip));
      tl_interp_free(ip);
      ok = 0;
      break;
    }
    for (int i = 0; i < tl_interp_input_count(ip) && ok; i++) {
      size_t n;
      snprintf(path, sizeof path, "%s/golden/%s/in%d_%d.bin", corpus, stem, i, k);
      unsigned char *d = read_all(path, &n);
      tl_tensor *t = tl_interp_input(ip, i);
      if (!d || tl_tensor_copy_from(t, d, n)) {
        printf("  %-48s FAIL input %d: %s (%zu bytes, tensor %zu)\n", stem, i, d ? "size mismatch" : "missing", n,
               tl_tensor_bytes(t));
        ok = 0;
      }
      free(d);
    }
    if (ok && tl_interp_invoke(ip)) {
      printf("  %-48s FAIL invoke: %s\n", stem, tl_interp_errmsg(ip));
      ok = 0;
    }
    for (int j = 0; j < tl_interp_output_count(ip) && ok; j++) {
      size_t n;
      snprintf(path, sizeof path, "%s/golden/%s/out%d_%d.bin", corpus, stem, j, k);
      unsigned char *g = read_all(path, &n);
      tl_tensor *t = tl_interp_output(ip, j);
      int type = tl_tensor_type(t);
      size_t es = tl_type_size(type);
      if (!g || n != tl_tensor_bytes(t)) {
        printf("  %-48s FAIL output %d case %d: golden %zu bytes, ours %zu\n", stem, j, k, n, tl_tensor_bytes(t));
        ok = 0;
        free(g);
        break;
      }
      const jnode *rule = json_at(agree, j);
      const char *r = json_str(json_get(rule, "rule"), "exact");
      const jnode *tol = json_get(rule, "rule_tolerance");
      int exact = !strncmp(r, "exact", 5);
      double abs_tol = json_num(json_get(tol, "abs"), 0), rel_tol = json_num(json_get(tol, "rel"), 0);
      double alt = json_num(json_get(tol, "abs_other_hybrid_scheme"), -1);
      const void *ours = tl_tensor_data(t);
      size_t cnt = n / (es ? es : 1);
      if (exact) {
        if (memcmp(ours, g, n)) {
          size_t i = 0;
          while (i < cnt && elem(ours, type, i) == elem(g, type, i)) i++;
          printf("  %-48s FAIL output %d case %d not bit-identical: element %zu ours %.9g golden %.9g\n", stem, j, k,
                 i, elem(ours, type, i), elem(g, type, i));
          ok = 0;
        }
      } else {
        int within = 1, within_alt = 1;
        size_t bad_i = 0;
        for (size_t i = 0; i < cnt; i++) {
          double a = elem(ours, type, i), b = elem(g, type, i), d = fabs(a - b);
          if (d > worst) worst = d;
          if (!(d <= abs_tol + rel_tol * fabs(b))) {
            if (within) bad_i = i;
            within = 0;
          }
          if (!(d <= alt)) within_alt = 0;
        }
        if (!within && alt >= 0 && within_alt && argmax(ours, type, cnt) == argmax(g, type, cnt)) {
          used_alt = 1; /* the rule's looser bound for another hybrid scheme, with the same argmax */
        } else if (!within) {
          printf("  %-48s FAIL output %d case %d element %zu: ours %.9g golden %.9g (rule: %s)\n", stem, j, k, bad_i,
                 elem(ours, type, bad_i), elem(g, type, bad_i), r);
          ok = 0;
        }
      }
      free(g);
    }
    tl_interp_free(ip);
  }
  if (ok) printf("  %-48s ok (%d cases, max |diff| %.3g%s)\n", stem, K, worst, used_alt ? ", hybrid-scheme bound" : "");
  tl_model_close(m);
  return ok;
}

/* Runs every golden model whose quantization_kind is one of `kinds` (comma-separated); there must be
 * exactly `expected` of them (the counts the README states), so a shrunken corpus fails. */
static void run_kinds(const char *kinds, int expected) {
  REQUIRE_SHARED(corpus, "TL_CORPUS_DIR", "../shared/tflite-corpus");
  char path[2048], err[256];
  snprintf(path, sizeof path, "%s/golden/INDEX.json", corpus);
  jnode *idx = json_load_file(path, err, sizeof err);
  EXPECT(idx != NULL);
  if (!idx) return;
  int total = 0, passed = 0;
  for (const jnode *e = json_get(idx, "models") ? json_get(idx, "models")->child : NULL; e; e = e->next) {
    const char *kind = json_str(json_get(e, "quantization_kind"), "");
    char pat[64];
    snprintf(pat, sizeof pat, ",%s,", kind);
    char list[256];
    snprintf(list, sizeof list, ",%s,", kinds);
    if (!strstr(list, pat)) continue;
    if (!json_num(json_get(e, "golden"), 0)) continue;
    total++;
    passed += run_model(corpus, e->key, e);
  }
  printf("  %s: %d/%d models match the real TensorFlow Lite runtime\n", kinds, passed, total);
  EXPECT_EQ(passed, total);
  EXPECT_EQ(total, expected);
  json_free(idx);
}

/* Models no reference runtime could run (so without goldens) must still load, allocate and run. */
TEST(corpus_without_goldens_runs) {
  REQUIRE_SHARED(corpus, "TL_CORPUS_DIR", "../shared/tflite-corpus");
  char path[2048], err[512];
  snprintf(path, sizeof path, "%s/golden/INDEX.json", corpus);
  jnode *idx = json_load_file(path, err, sizeof err);
  EXPECT(idx != NULL);
  if (!idx) return;
  int n = 0;
  for (const jnode *e = json_get(idx, "models")->child; e; e = e->next) {
    if (json_num(json_get(e, "golden"), 0)) continue;
    snprintf(path, sizeof path, "%s/models/%s", corpus, json_str(json_get(e, "file"), ""));
    tl_model *m;
    tl_interp *ip = NULL;
    int ok = tl_model_open(path, &m, err, sizeof err) == TL_OK;
    if (ok) {
      tl_interp_new(m, NULL, &ip);
      ok = tl_interp_allocate(ip) == TL_OK && tl_interp_invoke(ip) == TL_OK;
      snprintf(err, sizeof err, "%s", tl_interp_errmsg(ip));
      tl_interp_free(ip);
      tl_model_close(m);
    }
    printf("  %-48s %s%s\n", e->key, ok ? "loads and runs" : "FAIL ", ok ? "" : err);
    EXPECT(ok);
    n++;
  }
  json_free(idx);
  printf("  %d models without goldens\n", n);
  EXPECT_EQ(n, 1); /* person_detect: no runtime runs it (see the corpus' golden/README.md) */
}

TEST(corpus_float) { run_kinds("float32,float16", 36); }
TEST(corpus_dynamic_range) { run_kinds("dynamic-range", 13); }
TEST(corpus_int8) { run_kinds("int8,uint8", 23); }
TEST(corpus_16x8) { run_kinds("mixed", 5); }

/* The real-world corpus (../shared/tflite-corpus-real: detection, segmentation, landmarks, audio,
 * text, RNNs): every model with goldens matches on every output. */
TEST(corpus_real_world) {
  REQUIRE_SHARED(corpus, "TL_CORPUS_REAL_DIR", "../shared/tflite-corpus-real");
  char path[2048], err[1024];
  snprintf(path, sizeof path, "%s/golden/INDEX.json", corpus);
  jnode *idx = json_load_file(path, err, sizeof err);
  EXPECT(idx != NULL);
  if (!idx) return;
  int total = 0, passed = 0;
  for (const jnode *e = json_get(idx, "models") ? json_get(idx, "models")->child : NULL; e; e = e->next) {
    if (!json_num(json_get(e, "golden"), 0)) continue;
    total++;
    passed += run_model(corpus, e->key, e);
  }
  printf("  real-world corpus: %d/%d models match the real TensorFlow Lite runtime\n", passed, total);
  EXPECT_EQ(total, 33);
  EXPECT_EQ(passed, total);
  json_free(idx);
}

TEST_MAIN(T(corpus_without_goldens_runs), T(corpus_float), T(corpus_dynamic_range), T(corpus_int8), T(corpus_16x8),
          T(corpus_real_world))

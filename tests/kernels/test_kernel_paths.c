/* SPDX-License-Identifier: Apache-2.0
 * Whole models through every kernel path: 1, 2 and 3 threads give bit-identical outputs (the thread
 * pool hands out chunks dynamically; no kernel's arithmetic may depend on the split), every
 * microkernel table this CPU runs agrees with the portable one (float within TFLite's tolerance,
 * integer outputs identical), and a batch of N equals N single runs after tl_interp_resize_input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/ukernels.h"
#include "runtime/interp_impl.h"
#include "test.h"

static const char *kModels[] = {"mnist-cnn-float-u8in-alankrantas.tflite", "mnist-cnn-int8-spoorthydayanand-2.tflite",
                                "mnist-cnn-int8-jspkay.tflite", "mnist-dwcnn-float-msusman1.tflite"};
/* The last model reshapes to a constant [1, 28, 28, 1]: like TFLite (whose RESHAPE only infers a -1
 * and otherwise needs equal element counts) it cannot take a batch of 5. */
static const int kBatchable[] = {1, 1, 1, 0};

/* Runs `batch` images (deterministic pseudo-random bytes or floats in [0, 1]) and returns the outputs
 * (malloc'ed, *bytes set), or NULL after reporting a failure. */
static void *run_model(const char *path, int threads, const char *isa, int batch, int first, size_t *bytes, int *type) {
  char err[256];
  tl_model *m;
  if (tl_model_open(path, &m, err, sizeof err)) {
    printf("  %s\n", err);
    return NULL;
  }
  tl_interp_options o;
  memset(&o, 0, sizeof o);
  o.num_threads = threads;
  tl_interp *ip;
  void *res = NULL;
  if (tl_interp_new(m, &o, &ip)) goto out_model;
  if (isa) ip->uk = tl_ukernels_by_name(isa);
  tl_tensor *in = tl_interp_input(ip, 0);
  if (batch != 1) {
    int32_t dims[TL_MAX_DIMS];
    for (int d = 0; d < tl_tensor_ndim(in); d++) dims[d] = tl_tensor_dim(in, d);
    dims[0] = batch;
    if (tl_interp_resize_input(ip, 0, tl_tensor_ndim(in), dims)) goto out;
  }
  if (tl_interp_allocate(ip)) {
    printf("  allocate: %s\n", tl_interp_errmsg(ip));
    goto out;
  }
  in = tl_interp_input(ip, 0);
  const size_t per = tl_tensor_bytes(in) / (size_t)batch;
  unsigned char *x = tl_tensor_data(in);
  for (int b = 0; b < batch; b++) { /* image number first + b, whatever the batch */
    const size_t img = (size_t)(first + b);
    for (size_t i = 0; i < per; i++) {
      if (tl_tensor_type(in) == TL_FLOAT32 && i % 4 == 0) {
        const float v = (float)(((i / 4 + 131 * img) * 2654435761u) >> 24) / 255.f;
        memcpy(x + (size_t)b * per + i, &v, 4);
      } else if (tl_tensor_type(in) != TL_FLOAT32) {
        x[(size_t)b * per + i] = (unsigned char)(((i + 131 * img) * 2654435761u) >> 24);
      }
    }
  }
  if (tl_interp_invoke(ip)) {
    printf("  invoke: %s\n", tl_interp_errmsg(ip));
    goto out;
  }
  tl_tensor *ot = tl_interp_output(ip, 0);
  *bytes = tl_tensor_bytes(ot);
  *type = tl_tensor_type(ot);
  res = malloc(*bytes);
  if (res) memcpy(res, tl_tensor_data(ot), *bytes);
out:
  tl_interp_free(ip);
out_model:
  tl_model_close(m);
  return res;
}

static int same(const void *a, const void *b, size_t bytes, int type, int exact) {
  if (exact || type != TL_FLOAT32) return !memcmp(a, b, bytes);
  const float *x = a, *y = b;
  for (size_t i = 0; i < bytes / 4; i++)
    if (!(fabsf(x[i] - y[i]) <= 1e-5f + 1e-4f * fabsf(y[i]))) {
      printf("  [%zu] %.9g vs %.9g\n", i, x[i], y[i]);
      return 0;
    }
  return 1;
}

TEST(threads_tables_and_batches_agree) {
  REQUIRE_SHARED(corpus, "TL_CORPUS_DIR", "../shared/tflite-corpus");
  const char *isas[] = {"scalar", "avx2", "avx512", "neon", "wasm_simd128"};
  for (size_t mi = 0; mi < sizeof kModels / sizeof *kModels; mi++) {
    char path[2048];
    snprintf(path, sizeof path, "%s/models/%s", corpus, kModels[mi]);
    size_t n1, n;
    int type;
    void *ref = run_model(path, 1, NULL, 1, 0, &n1, &type);
    EXPECT(ref != NULL);
    if (!ref) continue;
    for (int t = 2; t <= 3; t++) {
      void *o = run_model(path, t, NULL, 1, 0, &n, &type);
      EXPECT(o && n == n1 && same(o, ref, n, type, 1));
      free(o);
    }
    for (size_t k = 0; k < sizeof isas / sizeof *isas; k++) {
      if (!tl_ukernels_by_name(isas[k])) continue;
      void *o = run_model(path, 1, isas[k], 1, 0, &n, &type);
      const int ok = o && n == n1 && same(o, ref, n, type, 0);
      if (!ok) printf("  %s with %s kernels differs\n", kModels[mi], isas[k]);
      EXPECT(ok);
      free(o);
    }
    /* batch 5 (not a multiple of any tile) = five single images; 2 threads */
    if (!kBatchable[mi]) {
      void *o = run_model(path, 1, NULL, 5, 0, &n, &type); /* refused at allocate, as TFLite does */
      EXPECT(o == NULL);
      free(o), free(ref);
      continue;
    }
    void *ob = run_model(path, 2, NULL, 5, 0, &n, &type);
    EXPECT(ob != NULL && n == 5 * n1);
    for (int b = 0; ob && n == 5 * n1 && b < 5; b++) {
      size_t ns;
      void *os = run_model(path, 1, NULL, 1, b, &ns, &type);
      const int ok = os && ns == n1 && same((const uint8_t *)ob + (size_t)b * n1, os, n1, type, 0);
      if (!ok) printf("  %s: image %d of a batch of 5 differs from its single run\n", kModels[mi], b);
      EXPECT(ok);
      free(os);
    }
    free(ob);
    free(ref);
    printf("  %s: ok\n", kModels[mi]);
  }
}

/* The pool itself: many small jobs back to back (workers waking late, chunks claimed by whoever comes
 * first); every index of every job must be run exactly once, by that job's function. */
typedef struct {
  int32_t job;
  int32_t *mark;
} stress_arg;
static void stress_task(void *arg, int64_t b, int64_t e, int thread) {
  const stress_arg *a = arg;
  (void)thread;
  for (int64_t i = b; i < e; i++) a->mark[i] += a->job; /* a double run would show as 2 * job */
}

TEST(threadpool_runs_every_index_once) {
  int bad = 0;
  for (int threads = 2; threads <= 4 && !bad; threads++) {
    tl_threadpool *p = tl_threadpool_new(threads);
    EXPECT(p != NULL);
    if (!p) return;
    int32_t mark[64];
    for (int32_t job = 1; job <= 20000 && !bad; job++) {
      const int64_t n = 1 + job % 61;
      memset(mark, 0, sizeof mark);
      stress_arg a = {job, mark};
      tl_threadpool_run(p, n, stress_task, &a);
      for (int64_t i = 0; i < 64; i++)
        if (mark[i] != (i < n ? job : 0)) {
          printf("  %d threads, job %d (n %lld): index %lld marked %d\n", threads, job, (long long)n, (long long)i, mark[i]);
          bad = 1;
          break;
        }
    }
    tl_threadpool_free(p);
  }
  EXPECT(!bad);
}

TEST_MAIN(T(threads_tables_and_batches_agree), T(threadpool_runs_every_index_once))

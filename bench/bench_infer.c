/* SPDX-License-Identifier: Apache-2.0
 * tinylite inference benchmark: times tl_interp_invoke on a .tflite model (random input) and prints
 * one RESULT line in the format of the XNNPACK harness, so bench/infer_vs_peers.sh can put them side
 * by side. --isa forces a microkernel table; --profile prints the median time of every op. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/interp_impl.h"
#include "kernels/ukernels.h"
#include "tinylite.h"

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double pct(double *v, int n, double q) {
  qsort(v, (size_t)n, sizeof *v, cmp_d);
  return v[(int)(q * (n - 1) + 0.5)];
}

int main(int argc, char **argv) {
  const char *model = NULL, *isa = NULL;
  int batch = 1, threads = 1, iters = 1000, warmup = 50, profile = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--iters") && i + 1 < argc) iters = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) warmup = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--isa") && i + 1 < argc) isa = argv[++i];
    else if (!strcmp(argv[i], "--profile")) profile = 1;
    else if (!model && argv[i][0] != '-') model = argv[i];
    else {
      fprintf(stderr, "usage: %s MODEL [--batch N] [--threads T] [--iters N] [--warmup N] [--isa NAME] [--profile]\n",
              argv[0]);
      return 2;
    }
  }
  if (!model || batch < 1 || threads < 1 || iters < 1) {
    fprintf(stderr, "usage: %s MODEL [--batch N] [--threads T] [--iters N] [--warmup N] [--isa NAME] [--profile]\n",
            argv[0]);
    return 2;
  }
  char err[256];
  tl_model *m;
  if (tl_model_open(model, &m, err, sizeof err)) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  tl_interp_options o;
  memset(&o, 0, sizeof o);
  o.num_threads = threads;
  tl_interp *ip;
  if (tl_interp_new(m, &o, &ip)) return 1;
  if (isa) {
    const tl_ukernels *uk = tl_ukernels_by_name(isa);
    if (!uk) {
      fprintf(stderr, "microkernels '%s' are not available on this CPU/build\n", isa);
      return 1;
    }
    ip->uk = uk;
  }
  tl_tensor *in = tl_interp_input(ip, 0);
  if (batch != 1) {
    int32_t dims[TL_MAX_DIMS];
    int nd = tl_tensor_ndim(in);
    for (int d = 0; d < nd; d++) dims[d] = tl_tensor_dim(in, d);
    dims[0] = batch;
    if (tl_interp_resize_input(ip, 0, nd, dims)) {
      fprintf(stderr, "resize: %s\n", tl_interp_errmsg(ip));
      return 1;
    }
  }
  if (tl_interp_allocate(ip)) {
    fprintf(stderr, "allocate: %s\n", tl_interp_errmsg(ip));
    return 1;
  }
  in = tl_interp_input(ip, 0);
  /* The planner may reuse an input's memory once the graph has read it (as TFLite Micro does), so the
   * input is copied in before every call, outside the timed region. */
  const size_t in_bytes = tl_tensor_bytes(in);
  unsigned char *data = malloc(in_bytes ? in_bytes : 1);
  uint32_t r = 12345;
  for (size_t i = 0; i < in_bytes; i++) {
    r = r * 1664525u + 1013904223u;
    data[i] = (unsigned char)(r >> 24);
  }
  if (tl_tensor_type(in) == TL_FLOAT32) /* pixel-like values in [0, 1] */
    for (size_t i = 0; i < tl_tensor_count(in); i++) ((float *)data)[i] = (float)((i * 2654435761u) >> 24) / 255.f;
  for (int i = 0; i < warmup; i++)
    if (tl_tensor_copy_from(in, data, in_bytes) || tl_interp_invoke(ip)) {
      fprintf(stderr, "invoke: %s\n", tl_interp_errmsg(ip));
      return 1;
    }
  double *t = malloc(sizeof(double) * (size_t)iters);
  tl_isub *sub = &ip->subs[0];
  double *op_t = profile ? calloc((size_t)sub->n_nodes * (size_t)iters, sizeof(double)) : NULL;
  tl_kctx ctx = {ip, sub, 0};
  for (int i = 0; i < iters; i++) {
    tl_tensor_copy_from(in, data, in_bytes);
    double t0 = now_us();
    if (profile) {
      for (int j = 0; j < sub->n_nodes; j++) {
        tl_node *n = &sub->nodes[j];
        if (n->folded) continue;
        double a = now_us();
        n->eval(&ctx, n);
        op_t[(size_t)j * iters + i] = now_us() - a;
      }
    } else if (tl_interp_invoke(ip)) {
      return 1;
    }
    t[i] = now_us() - t0;
  }
  double med = pct(t, iters, 0.5), p10 = pct(t, iters, 0.1), p90 = pct(t, iters, 0.9);
  printf("RESULT impl=tinylite isa=%s batch=%d threads=%d iters=%d median_us=%.2f p10_us=%.2f p90_us=%.2f "
         "us_per_image=%.2f images_per_s=%.0f\n",
         ip->uk->isa, batch, threads, iters, med, p10, p90, med / batch, 1e6 * batch / med);
  if (profile)
    for (int j = 0; j < sub->n_nodes; j++)
      if (!sub->nodes[j].folded)
        printf("  op %2d %-20s %9.2f us\n", j, tl_op_name(sub->nodes[j].op), pct(op_t + (size_t)j * iters, iters, 0.5));
  free(t);
  free(op_t);
  free(data);
  tl_interp_free(ip);
  tl_model_close(m);
  return 0;
}

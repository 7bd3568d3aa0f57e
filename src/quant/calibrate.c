/* SPDX-License-Identifier: Apache-2.0
 * Calibration for full-integer quantization: runs the float model on representative inputs with
 * every tensor in its own memory (tl_interp_options.preserve_all_tensors) and keeps each float32
 * tensor's global min/max over all samples, as TensorFlow's calibrator (MinMax logger) does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant.h"

struct tl_qcalib {
  const tl_model *m;
  tl_interp *ip;
  tl_qranges r;
};

tl_status tl_qcalib_new(const tl_model *m, int threads, tl_qcalib **out, char *err, size_t errlen) {
  *out = NULL;
  tl_qcalib *c = calloc(1, sizeof *c);
  if (!c) {
    snprintf(err, errlen, "out of memory");
    return TL_ERR_NOMEM;
  }
  c->m = m;
  tl_interp_options o;
  memset(&o, 0, sizeof o);
  o.num_threads = threads;
  o.preserve_all_tensors = 1;
  tl_status st = tl_interp_new(m, &o, &c->ip);
  if (!st) {
    st = tl_interp_allocate(c->ip);
    if (st) snprintf(err, errlen, "%s", tl_interp_errmsg(c->ip));
  } else {
    snprintf(err, errlen, "cannot create an interpreter: %s", tl_status_str(st));
  }
  if (!st) {
    int n = tl_interp_tensor_count(c->ip);
    c->r.n_tensors = n;
    c->r.min = malloc(((size_t)n + 1) * sizeof *c->r.min);
    c->r.max = malloc(((size_t)n + 1) * sizeof *c->r.max);
    c->r.seen = calloc((size_t)n + 1, 1);
    if (!c->r.min || !c->r.max || !c->r.seen) {
      snprintf(err, errlen, "out of memory");
      st = TL_ERR_NOMEM;
    }
  }
  if (st) {
    tl_qcalib_free(c);
    return st;
  }
  *out = c;
  return TL_OK;
}

tl_interp *tl_qcalib_interp(tl_qcalib *c) { return c ? c->ip : NULL; }

tl_status tl_qcalib_run(tl_qcalib *c, char *err, size_t errlen) {
  if (!c) return TL_ERR_ARG;
  tl_status st = tl_interp_invoke(c->ip);
  if (st) {
    snprintf(err, errlen, "calibration run failed: %s", tl_interp_errmsg(c->ip));
    return st;
  }
  for (int i = 0; i < c->r.n_tensors; i++) {
    tl_tensor *t = tl_interp_tensor(c->ip, i);
    const float *d = t ? (const float *)tl_tensor_data(t) : NULL;
    if (!d || tl_tensor_type(t) != TL_FLOAT32) continue;
    size_t n = tl_tensor_count(t);
    float mn = INFINITY, mx = -INFINITY;
    for (size_t k = 0; k < n; k++) { /* NaN compares false and is skipped */
      if (d[k] < mn) mn = d[k];
      if (d[k] > mx) mx = d[k];
    }
    if (!(mn <= mx)) continue; /* empty or all NaN */
    if (!c->r.seen[i]) {
      c->r.min[i] = mn, c->r.max[i] = mx, c->r.seen[i] = 1;
    } else {
      if (mn < c->r.min[i]) c->r.min[i] = mn;
      if (mx > c->r.max[i]) c->r.max[i] = mx;
    }
  }
  c->r.samples++;
  return TL_OK;
}

const tl_qranges *tl_qcalib_ranges(const tl_qcalib *c) { return c ? &c->r : NULL; }

void tl_qcalib_free(tl_qcalib *c) {
  if (!c) return;
  tl_interp_free(c->ip);
  free(c->r.min);
  free(c->r.max);
  free(c->r.seen);
  free(c);
}

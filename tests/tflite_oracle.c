/* SPDX-License-Identifier: Apache-2.0
 * Test helper: one model through TensorFlow Lite's builtin kernels and through tinylite
 * (tests/tflite_oracle.h). */
#include "tflite_oracle.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/schema.h"
#include "tinylite.h"

static int write_all(const char *path, const void *d, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  const size_t w = fwrite(d, 1, n, f);
  return fclose(f) == 0 && w == n ? 0 : -1;
}

/* Reads file `path` into out, which must be exactly n bytes; 0 on success. */
static int read_exact(const char *path, void *out, size_t n, size_t *got) {
  FILE *f = fopen(path, "rb");
  *got = 0;
  if (!f) return -1;
  *got = fread(out, 1, n, f);
  const int more = fgetc(f) != EOF;
  fclose(f);
  return *got == n && !more ? 0 : -1;
}

int tl_oracle_tflite(const char *ref, const char *flags, const char *model, int n_in, const void *const *ins,
                     const size_t *in_bytes, int n_out, void *const *outs, const size_t *out_bytes, char *err,
                     size_t errlen) {
  char dir[] = "/tmp/tl_oracle_XXXXXX", list[4096] = "", path[256], cmd[8192];
  if (!mkdtemp(dir)) return snprintf(err, errlen, "cannot make a temporary directory"), -1;
  int rc = -1;
  for (int i = 0; i < n_in; i++) {
    snprintf(path, sizeof path, "%s/in%d.bin", dir, i);
    if (write_all(path, ins[i], in_bytes[i])) {
      snprintf(err, errlen, "cannot write %s", path);
      goto done;
    }
    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? "," : "", path);
  }
  snprintf(cmd, sizeof cmd, "'%s' invoke '%s' %s '%s/out.bin' --all %s > '%s/log.txt' 2>&1", ref, model, list, dir,
           flags ? flags : "--no-xnnpack", dir);
  const int st = system(cmd);
  size_t got = 0;
  rc = st ? -1 : 0;
  for (int j = 0; j < n_out && !rc; j++) {
    if (j) snprintf(path, sizeof path, "%s/out.bin.%d", dir, j);
    else snprintf(path, sizeof path, "%s/out.bin", dir);
    rc = read_exact(path, outs[j], out_bytes[j], &got);
  }
  if (rc) {
    snprintf(path, sizeof path, "%s/log.txt", dir);
    FILE *l = fopen(path, "rb");
    size_t n = l ? fread(err, 1, errlen - 1, l) : 0;
    err[n] = 0;
    if (l) fclose(l);
    for (char *c = err; *c; c++) if (*c == '\n') *c = ' ';
    if (!n || !st) snprintf(err, errlen, "reference exited %d; an output had %zu bytes, not the expected size", st, got);
  }
done:
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  return rc;
}

int tl_oracle_tinylite(const char *model, int n_in, const void *const *ins, const size_t *in_bytes, int n_out,
                       void *const *outs, const size_t *out_bytes, char *err, size_t errlen) {
  tl_model *m = NULL;
  tl_interp *ip = NULL;
  int rc = -1;
  if (tl_model_open(model, &m, err, errlen) != TL_OK) return -1;
  if (tl_interp_new(m, NULL, &ip) != TL_OK || tl_interp_allocate(ip) != TL_OK) {
    snprintf(err, errlen, "%s", ip ? tl_interp_errmsg(ip) : "cannot create an interpreter");
    goto done;
  }
  for (int i = 0; i < n_in; i++)
    if (tl_tensor_copy_from(tl_interp_input(ip, i), ins[i], in_bytes[i]) != TL_OK) {
      snprintf(err, errlen, "input %d: %zu bytes, the tensor has %zu", i, in_bytes[i], tl_tensor_bytes(tl_interp_input(ip, i)));
      goto done;
    }
  if (tl_interp_invoke(ip) != TL_OK) {
    snprintf(err, errlen, "%s", tl_interp_errmsg(ip));
    goto done;
  }
  for (int j = 0; j < n_out; j++)
    if (tl_tensor_copy_to(tl_interp_output(ip, j), outs[j], out_bytes[j]) != TL_OK) {
      snprintf(err, errlen, "output %d: %zu bytes, expected %zu", j, tl_tensor_bytes(tl_interp_output(ip, j)), out_bytes[j]);
      goto done;
    }
  rc = 0;
done:
  tl_interp_free(ip);
  tl_model_close(m);
  return rc;
}

/* ---- single-op models ---- */

static size_t type_size(int type) {
  switch (type) {
    case TL_TFL_COMPLEX128: return 16;
    case TL_TFL_INT64: case TL_TFL_FLOAT64: case TL_TFL_COMPLEX64: case TL_TFL_UINT64: return 8;
    case TL_TFL_FLOAT32: case TL_TFL_INT32: case TL_TFL_UINT32: return 4;
    case TL_TFL_INT16: case TL_TFL_UINT16: case TL_TFL_FLOAT16: return 2;
    default: return 1;
  }
}
static size_t elems(int nd, const int32_t *d) {
  size_t n = 1;
  for (int i = 0; i < nd; i++) n *= (size_t)d[i];
  return n;
}

void tl_om_init(tl_om *m) {
  memset(m, 0, sizeof *m);
  m->b = tl_tfl_builder_new();
}

void tl_om_input(tl_om *m, int type, int nd, const int32_t *dims, const tl_tfl_quant *q, const void *data) {
  const int t = tl_tfl_add_tensor(m->b, 0, NULL, type, nd, dims, NULL, 0, q, 0);
  m->ins[m->n_ins++] = t;
  m->act_bytes[m->n_act] = elems(nd, dims) * type_size(type);
  m->act_data[m->n_act] = data;
  m->act[m->n_act++] = t;
}

void tl_om_const(tl_om *m, int type, int nd, const int32_t *dims, const void *data, const tl_tfl_quant *q) {
  m->ins[m->n_ins++] = tl_tfl_add_const_tensor(m->b, 0, NULL, type, nd, dims, data, elems(nd, dims) * type_size(type), q);
}

void tl_om_output(tl_om *m, int type, int nd, const int32_t *dims, const tl_tfl_quant *q) {
  m->out_bytes[m->n_outs] = elems(nd, dims) * type_size(type);
  m->outs[m->n_outs++] = tl_tfl_add_tensor(m->b, 0, NULL, type, nd, dims, NULL, 0, q, 0);
}

int tl_om_check(const char *ref, const char *flags, tl_om *m, int code, int version, const tl_tfl_options *opts,
                const char *what, const char *refuse_msg) {
  static uint32_t rs = 2463534242u;
  tl_tfl_add_op(m->b, 0, code, version, m->ins, m->n_ins, m->outs, m->n_outs, opts);
  tl_tfl_set_io(m->b, 0, m->act, m->n_act, m->outs, m->n_outs);
  char path[256], err[1024];
  snprintf(path, sizeof path, "/tmp/tl_om_%ld.tflite", (long)getpid());
  const int wrote = tl_tfl_write_file(m->b, path, err, sizeof err) == 0;
  tl_tfl_builder_free(m->b);
  m->b = NULL;
  if (!wrote) return fprintf(stderr, "  %s: writer: %s\n", what, err), 0;
  void *in[TL_OM_MAX] = {0}, *ours[TL_OM_MAX] = {0}, *theirs[TL_OM_MAX] = {0};
  int ok = 1;
  for (int i = 0; i < m->n_act; i++) {
    in[i] = malloc(m->act_bytes[i] + 1);
    ok &= in[i] != NULL;
    for (size_t k = 0; ok && k < m->act_bytes[i]; k++) {
      rs ^= rs << 13, rs ^= rs >> 17, rs ^= rs << 5;
      ((uint8_t *)in[i])[k] = m->act_data[i] ? ((const uint8_t *)m->act_data[i])[k] : (uint8_t)(rs >> 7);
    }
  }
  for (int j = 0; j < m->n_outs; j++) {
    ours[j] = malloc(m->out_bytes[j] + 1), theirs[j] = malloc(m->out_bytes[j] + 1);
    ok &= ours[j] && theirs[j];
  }
  if (!ok) {
    fprintf(stderr, "  %s: out of memory\n", what);
  } else {
    const int r = tl_oracle_tinylite(path, m->n_act, (const void *const *)in, m->act_bytes, m->n_outs, ours, m->out_bytes,
                                     err, sizeof err);
    if (refuse_msg) {
      ok = r != 0 && strstr(err, refuse_msg) != NULL;
      if (!ok) fprintf(stderr, "  %s: expected a refusal with \"%s\", got %s\n", what, refuse_msg, r ? err : "success");
    } else if (r) {
      fprintf(stderr, "  %s: tinylite: %s\n", what, err);
      ok = 0;
    } else if (tl_oracle_tflite(ref, flags, path, m->n_act, (const void *const *)in, m->act_bytes, m->n_outs, theirs,
                                m->out_bytes, err, sizeof err)) {
      fprintf(stderr, "  %s: TensorFlow Lite: %s\n", what, err);
      ok = 0;
    } else {
      for (int j = 0; j < m->n_outs; j++) {
        if (!memcmp(ours[j], theirs[j], m->out_bytes[j])) continue;
        float md = 0.f, lo = 0.f, hi = 0.f;
        for (size_t i = 0; m->rel > 0.f && i < m->out_bytes[j] / 4; i++) {
          const float a = ((const float *)theirs[j])[i], e = fabsf(a - ((const float *)ours[j])[i]), d = e == e ? e : INFINITY;
          md = d > md ? d : md, lo = a < lo ? a : lo, hi = a > hi ? a : hi;
        }
        if (m->rel > 0.f && md <= m->rel * (hi - lo)) continue;
        ok = 0, fprintf(stderr, "  %s: output %d differs (max %g, range %g)\n", what, j, (double)md, (double)(hi - lo));
      }
    }
  }
  for (int i = 0; i < TL_OM_MAX; i++) free(in[i]), free(ours[i]), free(theirs[i]);
  unlink(path);
  return ok;
}

int tl_oracle_close(const char *ref, const char *model, int n_in, const void *const *ins, const size_t *in_bytes,
                    int n_out, const size_t *out_bytes, float rel, const char *what, float *max_diff) {
  float *theirs[TL_OM_MAX] = {0}, *ours[TL_OM_MAX] = {0};
  char err[1024];
  int ok = n_out <= TL_OM_MAX;
  for (int j = 0; ok && j < n_out; j++) {
    theirs[j] = malloc(out_bytes[j] + 4), ours[j] = malloc(out_bytes[j] + 4);
    ok = theirs[j] && ours[j];
  }
  if (!ok) fprintf(stderr, "  %s: out of memory\n", what);
  else if (tl_oracle_tflite(ref, NULL, model, n_in, ins, in_bytes, n_out, (void *const *)theirs, out_bytes, err, sizeof err))
    ok = 0, fprintf(stderr, "  %s: TensorFlow Lite: %s\n", what, err);
  else if (tl_oracle_tinylite(model, n_in, ins, in_bytes, n_out, (void *const *)ours, out_bytes, err, sizeof err))
    ok = 0, fprintf(stderr, "  %s: tinylite: %s\n", what, err);
  float md = 0.f, lo = 0.f, hi = 0.f;
  for (int j = 0; ok && j < n_out; j++)
    for (size_t i = 0; i < out_bytes[j] / 4; i++) {
      const float a = theirs[j][i], d = a > ours[j][i] ? a - ours[j][i] : ours[j][i] - a;
      md = d > md ? d : md, lo = a < lo ? a : lo, hi = a > hi ? a : hi;
    }
  if (ok && !(md <= rel * (hi - lo) && hi > lo)) ok = 0, fprintf(stderr, "  %s: outputs differ by %g (range %g)\n", what, (double)md, (double)(hi - lo));
  if (max_diff) *max_diff = md;
  for (int j = 0; j < TL_OM_MAX; j++) free(theirs[j]), free(ours[j]);
  return ok;
}

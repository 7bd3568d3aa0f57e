/* SPDX-License-Identifier: Apache-2.0
 * Test helper: one model through TensorFlow Lite's builtin kernels and through tinylite
 * (tests/tflite_oracle.h). */
#include "tflite_oracle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

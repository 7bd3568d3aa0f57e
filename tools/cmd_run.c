/* SPDX-License-Identifier: Apache-2.0
 * tinylite run: feeds raw little-endian tensors to a model and writes its outputs, one file each
 * (the format of the corpus goldens: output 0 to FILE, output k >= 1 to FILE.k). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_run(int argc, char **argv) {
  const char *path = NULL, *inputs = NULL, *output = NULL;
  int threads = 1, repeat = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help")) {
      printf("usage: tinylite run MODEL --input IN[,IN2...] --output OUT [--threads N] [--repeat N]\n"
             "  Inputs are raw little-endian tensors of exactly the input's byte size. Output 0 goes to OUT,\n"
             "  output k >= 1 to OUT.k.\n");
      return 0;
    } else if (!strcmp(a, "--input") && i + 1 < argc) inputs = argv[++i];
    else if (!strcmp(a, "--output") && i + 1 < argc) output = argv[++i];
    else if (!strcmp(a, "--threads") && i + 1 < argc) {
      if (cli_int(argv[++i], &threads)) return cli_error("run", "bad --threads '%s'", argv[i]);
    } else if (!strcmp(a, "--repeat") && i + 1 < argc) {
      if (cli_int(argv[++i], &repeat) || repeat < 1) return cli_error("run", "bad --repeat '%s'", argv[i]);
    } else if (a[0] == '-') return cli_error("run", "unknown or incomplete option '%s'", a);
    else if (!path) path = a;
    else return cli_error("run", "unexpected argument '%s'", a);
  }
  if (!path || !inputs || !output)
    return cli_error("run", "usage: tinylite run MODEL --input IN[,IN2...] --output OUT");
  tl_model *m;
  tl_interp *ip;
  if (cli_load("run", path, threads, &m, &ip)) return 1;
  int rc = 0, n_in = tl_interp_input_count(ip);
  char *list = strdup(inputs), *save = NULL, err[600];
  int k = 0;
  for (char *f = strtok_r(list, ",", &save); f && !rc; f = strtok_r(NULL, ",", &save), k++) {
    if (k >= n_in) {
      rc = cli_error("run", "%d input files given but the model has %d inputs", k + 1, n_in);
      break;
    }
    size_t n;
    uint8_t *data = cli_read_file(f, &n, err, sizeof err);
    if (!data) {
      rc = cli_error("run", "%s", err);
      break;
    }
    tl_tensor *t = tl_interp_input(ip, k);
    if (n != tl_tensor_bytes(t))
      rc = cli_error("run", "%s is %zu bytes but input %d '%s' needs %zu", f, n, k, tl_tensor_name(t),
                     tl_tensor_bytes(t));
    else
      tl_tensor_copy_from(t, data, n);
    free(data);
  }
  free(list);
  if (!rc && k != n_in) rc = cli_error("run", "%d input files given but the model has %d inputs", k, n_in);
  for (int r = 0; r < repeat && !rc; r++) {
    if (r) tl_interp_reset_variables(ip);
    if (tl_interp_invoke(ip)) rc = cli_error("run", "%s", tl_interp_errmsg(ip));
  }
  for (int o = 0; o < tl_interp_output_count(ip) && !rc; o++) {
    char name[4096];
    if (o == 0) snprintf(name, sizeof name, "%s", output);
    else snprintf(name, sizeof name, "%s.%d", output, o);
    tl_tensor *t = tl_interp_output(ip, o);
    if (cli_write_file(name, tl_tensor_data(t), tl_tensor_bytes(t), err, sizeof err)) rc = cli_error("run", "%s", err);
  }
  tl_interp_free(ip);
  tl_model_close(m);
  return rc;
}

/* SPDX-License-Identifier: Apache-2.0
 * tinylite info: what a model holds (inputs, outputs, ops, tensors, buffers, metadata) and the
 * arena tinylite plans for it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void print_shape(const int32_t *dims, int ndim, const int32_t *sig) {
  putchar('[');
  for (int i = 0; i < ndim; i++) {
    if (sig && sig[i] == -1) printf("%s-1(%d)", i ? "," : "", dims[i]);
    else printf("%s%d", i ? "," : "", dims[i]);
  }
  putchar(']');
}

static void print_quant(const tl_tensor_info *ti, int full) {
  if (!ti->quant_count) return;
  if (ti->quant_count == 1) {
    printf(" scale=%.9g zero_point=%lld", (double)ti->scales[0], (long long)ti->zero_points[0]);
    return;
  }
  printf(" per-axis(dim %d, %d channels)", ti->quant_axis, ti->quant_count);
  int show = full ? ti->quant_count : (ti->quant_count < 4 ? ti->quant_count : 4);
  printf(" scales=[");
  for (int i = 0; i < show; i++) printf("%s%.6g", i ? "," : "", (double)ti->scales[i]);
  printf("%s] zero_points=[", show < ti->quant_count ? ",..." : "");
  for (int i = 0; i < show; i++) printf("%s%lld", i ? "," : "", (long long)ti->zero_points[i]);
  printf("%s]", show < ti->quant_count ? ",..." : "");
}

static void print_tensor_line(const tl_model *m, int sg, int t, int full) {
  tl_tensor_info ti;
  tl_model_tensor(m, sg, t, &ti);
  printf("  %4d %-8s ", t, tl_type_name(ti.type));
  print_shape(ti.dims, ti.ndim, ti.shape_signature);
  printf(" '%s'", ti.name);
  if (ti.const_bytes) printf(" const(buffer %d, %zu bytes%s)", ti.buffer, ti.const_bytes, ti.sparse ? ", sparse" : "");
  if (ti.is_variable) printf(" variable");
  print_quant(&ti, full);
  putchar('\n');
}

/* `tinylite info --ops`: the op table this build runs (docs/ops.md is this output). */
static int print_ops(void) {
  int code, n = 0, custom = 0;
  const char *name, *types;
  printf("%-5s %-32s %s\n", "code", "op", "dtypes");
  for (int i = 0; tl_supported_op(i, &code, &name, &types); i++) {
    if (code == 32) printf("%-5s %-32s %s\n", "-", name, types), custom++;
    else printf("%-5d %-32s %s\n", code, name, types), n++;
  }
  printf("%d builtin ops and %d custom ops; every version of each\n", n, custom);
  return 0;
}

/* `tinylite info --ops-used MODEL...`: the builtin ops of this build that the models use, as a
 * semicolon list of op names (web/build.sh keeps just these in the WebAssembly module). */
static int print_ops_used(int argc, char **argv) {
  static uint8_t used[256];
  int code, rc = 0;
  const char *name, *types;
  for (int i = 0; i < argc; i++) {
    char err[512];
    tl_model *m;
    if (tl_model_open(argv[i], &m, err, sizeof err)) {
      rc = cli_error("info", "%s", err);
      continue;
    }
    tl_model_info mi;
    tl_model_get_info(m, &mi);
    for (int sg = 0; sg < mi.num_subgraphs; sg++) {
      const char *sname;
      int nt, nops, ni, no;
      tl_model_subgraph(m, sg, &sname, &nt, &nops, &ni, &no);
      for (int j = 0; j < nops; j++) {
        int b, v, n_in, n_out;
        const int32_t *in, *out;
        tl_model_op(m, sg, j, &b, &v, &in, &n_in, &out, &n_out);
        if (b >= 0 && b < 256) used[b] = 1;
      }
    }
    tl_model_close(m);
  }
  const char *sep = "";
  for (int i = 0; tl_supported_op(i, &code, &name, &types); i++)
    if (code != 32 && code >= 0 && code < 256 && used[code]) printf("%s%s", sep, name), sep = ";", used[code] = 2;
  putchar('\n');
  for (int b = 0; b < 256; b++)
    if (used[b] == 1 && b != 32) fprintf(stderr, "tinylite info: builtin op %s (%d) is used but has no kernel here\n", tl_op_name(b), b);
  return rc;
}

int cmd_info(int argc, char **argv) {
  const char *path = NULL;
  int tensors = 1, full = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help")) {
      printf("usage: tinylite info MODEL [--no-tensors] [--full]\n       tinylite info --ops\n"
             "       tinylite info --ops-used MODEL...   (the ops the models use, as a semicolon list)\n");
      return 0;
    } else if (!strcmp(argv[i], "--ops")) {
      return print_ops();
    } else if (!strcmp(argv[i], "--ops-used")) {
      return argc - i - 1 > 0 ? print_ops_used(argc - i - 1, argv + i + 1) : cli_error("info", "--ops-used needs models");
    } else if (!strcmp(argv[i], "--no-tensors")) tensors = 0;
    else if (!strcmp(argv[i], "--full")) full = 1;
    else if (argv[i][0] == '-') return cli_error("info", "unknown option '%s'", argv[i]);
    else if (!path) path = argv[i];
    else return cli_error("info", "one model at a time ('%s')", argv[i]);
  }
  if (!path) return cli_error("info", "no model given (usage: tinylite info MODEL)");
  char err[512];
  tl_model *m;
  if (tl_model_open(path, &m, err, sizeof err)) return cli_error("info", "%s", err);
  tl_model_info mi;
  tl_model_get_info(m, &mi);
  printf("model: %s\n", path);
  printf("  file size: %zu bytes, schema version %u, description \"%s\"\n", mi.file_size, mi.version, mi.description);
  printf("  subgraphs: %d, buffers: %d, operator codes: %d, signatures: %d\n", mi.num_subgraphs, mi.num_buffers,
         mi.num_opcodes, mi.num_signatures);
  for (int i = 0; i < mi.num_metadata; i++) {
    const char *name;
    const uint8_t *data;
    size_t size;
    tl_model_metadata(m, i, &name, &data, &size);
    int printable = size > 0 && size < 80;
    for (size_t k = 0; printable && k < size; k++)
      printable = (data[k] >= 32 && data[k] < 127) || (data[k] == 0 && k == size - 1);
    if (printable) printf("  metadata '%s': \"%.*s\"\n", name, (int)strnlen((const char *)data, size), data);
    else printf("  metadata '%s': %zu bytes\n", name, size);
  }
  for (int s = 0; s < mi.num_signatures; s++) {
    const char *key, *name;
    int sg, ni, no, t;
    tl_model_signature(m, s, &key, &sg, &ni, &no);
    printf("  signature '%s' (subgraph %d):", key, sg);
    for (int j = 0; j < ni; j++) tl_model_signature_io(m, s, 0, j, &name, &t), printf(" in '%s'=t%d", name, t);
    for (int j = 0; j < no; j++) tl_model_signature_io(m, s, 1, j, &name, &t), printf(" out '%s'=t%d", name, t);
    putchar('\n');
  }
  int counts[256] = {0}; /* over all subgraphs */
  for (int sg = 0; sg < mi.num_subgraphs; sg++) {
    const char *sname;
    int nt, nops, ni, no;
    tl_model_subgraph(m, sg, &sname, &nt, &nops, &ni, &no);
    printf("\nsubgraph %d '%s': %d tensors, %d ops\n", sg, sname, nt, nops);
    printf("inputs:\n");
    for (int i = 0; i < ni; i++) print_tensor_line(m, sg, tl_model_io(m, sg, 0, i), full);
    printf("outputs:\n");
    for (int i = 0; i < no; i++) print_tensor_line(m, sg, tl_model_io(m, sg, 1, i), full);
    printf("ops:\n");
    for (int j = 0; j < nops; j++) {
      int b, v, n_in, n_out;
      const int32_t *in, *out;
      tl_model_op(m, sg, j, &b, &v, &in, &n_in, &out, &n_out);
      if (b >= 0 && b < 256) counts[b]++;
      printf("  %4d %s v%d in(", j, tl_op_name(b), v);
      for (int k = 0; k < n_in; k++) printf("%s%d", k ? "," : "", in[k]);
      printf(") out(");
      for (int k = 0; k < n_out; k++) printf("%s%d", k ? "," : "", out[k]);
      printf(")\n");
    }
    if (tensors) {
      printf("tensors:\n");
      for (int t = 0; t < nt; t++) print_tensor_line(m, sg, t, full);
    }
  }
  printf("\nop counts:");
  for (int b = 0; b < 256; b++)
    if (counts[b]) printf(" %s=%d", tl_op_name(b), counts[b]);
  putchar('\n');
  size_t const_total = 0;
  int nonempty = 0;
  for (int b = 0; b < mi.num_buffers; b++) {
    size_t size;
    tl_model_buffer(m, b, NULL, &size);
    const_total += size;
    nonempty += size > 0;
  }
  printf("\nbuffers: %d (%d with data), %zu bytes of constant data\n", mi.num_buffers, nonempty, const_total);
  if (tensors)
    for (int b = 0; b < mi.num_buffers; b++) {
      size_t size;
      tl_model_buffer(m, b, NULL, &size);
      if (size) printf("  %4d %10zu bytes\n", b, size);
    }
  tl_interp *ip = NULL;
  tl_status st = tl_interp_new(m, NULL, &ip);
  if (!st) st = tl_interp_allocate(ip);
  if (st)
    printf("arena: not planned: %s\n", ip ? tl_interp_errmsg(ip) : tl_status_str(st));
  else
    printf("arena: %zu bytes (activations %zu, persistent %zu)\n", tl_interp_arena_used(ip),
           tl_interp_arena_activations(ip), tl_interp_arena_used(ip) - tl_interp_arena_activations(ip));
  tl_interp_free(ip);
  tl_model_close(m);
  return st ? 1 : 0;
}

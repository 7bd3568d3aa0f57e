/* SPDX-License-Identifier: Apache-2.0
 * Opening models (memory-mapped file or caller memory) and the read-only model API used by tools. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "model.h"

#if defined(__unix__) || defined(__APPLE__)
#define TL_HAVE_MMAP 1
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

static void set_err(char *err, size_t errlen, const char *msg, const char *path) {
  if (err && errlen) snprintf(err, errlen, "%s: %s", path, msg);
}

static tl_status finish_open(tl_model *m, tl_model **out, char *err, size_t errlen) {
  tl_status st = tl_model_parse(m, err, errlen);
  if (st != TL_OK) {
    tl_model_close(m);
    return st;
  }
  *out = m;
  return TL_OK;
}

tl_status tl_model_from_memory(const void *data, size_t size, tl_model **out, char *err, size_t errlen) {
  if (!out) return TL_ERR_ARG;
  *out = NULL;
  if (!data) {
    if (err && errlen) snprintf(err, errlen, "no model data");
    return TL_ERR_ARG;
  }
  tl_model *m = calloc(1, sizeof *m);
  if (!m) return TL_ERR_NOMEM;
  m->bytes = data;
  m->size = size;
  return finish_open(m, out, err, errlen);
}

tl_status tl_model_open(const char *path, tl_model **out, char *err, size_t errlen) {
  if (!out || !path) return TL_ERR_ARG;
  *out = NULL;
  tl_model *m = calloc(1, sizeof *m);
  if (!m) return TL_ERR_NOMEM;
#ifdef TL_HAVE_MMAP
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    set_err(err, errlen, strerror(errno), path);
    free(m);
    return TL_ERR_IO;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    set_err(err, errlen, "not a regular file", path);
    close(fd);
    free(m);
    return TL_ERR_IO;
  }
  if (st.st_size == 0) {
    set_err(err, errlen, "empty file", path);
    close(fd);
    free(m);
    return TL_ERR_MODEL;
  }
  void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (p == MAP_FAILED) {
    set_err(err, errlen, strerror(errno), path);
    free(m);
    return TL_ERR_IO;
  }
  m->mapping = p;
  m->bytes = p;
  m->size = (size_t)st.st_size;
#else
  FILE *f = fopen(path, "rb");
  if (!f) {
    set_err(err, errlen, strerror(errno), path);
    free(m);
    return TL_ERR_IO;
  }
  size_t cap = 1 << 16, n = 0;
  uint8_t *buf = malloc(cap);
  for (size_t r; buf && (r = fread(buf + n, 1, cap - n, f)) > 0;) {
    n += r;
    if (n == cap) {
      uint8_t *nb = realloc(buf, cap * 2);
      if (!nb) free(buf);
      buf = nb;
      cap *= 2;
    }
  }
  fclose(f);
  if (!buf) {
    free(m);
    return TL_ERR_NOMEM;
  }
  m->owned = buf;
  m->bytes = buf;
  m->size = n;
#endif
  tl_status s = finish_open(m, out, err, errlen);
  if (s != TL_OK && err && errlen) {
    /* Prefix the path so tools print one self-contained line. */
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s", err);
    snprintf(err, errlen, "%s: %s", path, tmp);
  }
  return s;
}

void tl_model_close(tl_model *m) {
  if (!m) return;
  tl_model_release(m);
#ifdef TL_HAVE_MMAP
  if (m->mapping) munmap(m->mapping, m->size);
#endif
  free(m->owned);
  free(m);
}

void tl_model_get_info(const tl_model *m, tl_model_info *out) {
  memset(out, 0, sizeof *out);
  out->version = m->version;
  out->description = m->description ? m->description : "";
  out->num_subgraphs = m->n_subgraphs;
  out->num_buffers = m->n_buffers;
  out->num_opcodes = m->n_opcodes;
  out->num_signatures = m->n_signatures;
  out->num_metadata = m->n_metadata;
  out->file_size = m->size;
}

tl_status tl_model_opcode(const tl_model *m, int i, int *builtin, int *version, const char **custom) {
  if (!m || i < 0 || i >= m->n_opcodes) return TL_ERR_ARG;
  if (builtin) *builtin = m->opcodes[i].builtin;
  if (version) *version = m->opcodes[i].version;
  if (custom) *custom = m->opcodes[i].custom;
  return TL_OK;
}

tl_status tl_model_metadata(const tl_model *m, int i, const char **name, const uint8_t **data, size_t *size) {
  if (!m || i < 0 || i >= m->n_metadata) return TL_ERR_ARG;
  if (name) *name = m->metadata[i].name;
  return tl_model_buffer(m, m->metadata[i].buffer, data, size);
}

tl_status tl_model_buffer(const tl_model *m, int i, const uint8_t **data, size_t *size) {
  if (!m || i < 0 || i >= m->n_buffers) return TL_ERR_ARG;
  if (data) *data = m->buffers[i].data;
  if (size) *size = m->buffers[i].size;
  return TL_OK;
}

tl_status tl_model_subgraph(const tl_model *m, int i, const char **name, int *num_tensors, int *num_ops,
                            int *num_inputs, int *num_outputs) {
  if (!m || i < 0 || i >= m->n_subgraphs) return TL_ERR_ARG;
  const tl_msubgraph *g = &m->subgraphs[i];
  if (name) *name = g->name;
  if (num_tensors) *num_tensors = g->n_tensors;
  if (num_ops) *num_ops = g->n_ops;
  if (num_inputs) *num_inputs = g->n_in;
  if (num_outputs) *num_outputs = g->n_out;
  return TL_OK;
}

int tl_model_io(const tl_model *m, int sg, int is_output, int i) {
  if (!m || sg < 0 || sg >= m->n_subgraphs) return -1;
  const tl_msubgraph *g = &m->subgraphs[sg];
  if (i < 0 || i >= (is_output ? g->n_out : g->n_in)) return -1;
  return is_output ? g->out[i] : g->in[i];
}

tl_status tl_model_op(const tl_model *m, int sg, int j, int *builtin, int *version, const int32_t **inputs, int *n_in,
                      const int32_t **outputs, int *n_out) {
  if (!m || sg < 0 || sg >= m->n_subgraphs || j < 0 || j >= m->subgraphs[sg].n_ops) return TL_ERR_ARG;
  const tl_mop *op = &m->subgraphs[sg].ops[j];
  if (builtin) *builtin = op->builtin;
  if (version) *version = op->version;
  if (inputs) *inputs = op->in;
  if (n_in) *n_in = op->n_in;
  if (outputs) *outputs = op->out;
  if (n_out) *n_out = op->n_out;
  return TL_OK;
}

tl_status tl_model_signature(const tl_model *m, int i, const char **key, int *subgraph, int *n_in, int *n_out) {
  if (!m || i < 0 || i >= m->n_signatures) return TL_ERR_ARG;
  const tl_msignature *s = &m->signatures[i];
  if (key) *key = s->key;
  if (subgraph) *subgraph = s->subgraph;
  if (n_in) *n_in = s->n_in;
  if (n_out) *n_out = s->n_out;
  return TL_OK;
}

tl_status tl_model_signature_io(const tl_model *m, int i, int is_output, int j, const char **name, int *tensor) {
  if (!m || i < 0 || i >= m->n_signatures) return TL_ERR_ARG;
  const tl_msignature *s = &m->signatures[i];
  int n = is_output ? s->n_out : s->n_in;
  if (j < 0 || j >= n) return TL_ERR_ARG;
  const tl_mtensormap *e = is_output ? &s->out[j] : &s->in[j];
  if (name) *name = e->name;
  if (tensor) *tensor = e->tensor;
  return TL_OK;
}

tl_status tl_model_tensor(const tl_model *m, int sg, int t, tl_tensor_info *out) {
  if (!m || !out || sg < 0 || sg >= m->n_subgraphs || t < 0 || t >= m->subgraphs[sg].n_tensors) return TL_ERR_ARG;
  const tl_mtensor *mt = &m->subgraphs[sg].tensors[t];
  out->name = mt->name;
  out->type = mt->type;
  out->ndim = mt->ndim;
  out->dims = mt->dims;
  out->shape_signature = mt->dims_sig;
  out->buffer = mt->buffer;
  out->const_bytes = mt->data ? mt->data_size : 0;
  out->is_variable = mt->is_variable;
  out->sparse = mt->has_sparsity;
  out->quant_count = mt->q.n;
  out->scales = mt->q.scales;
  out->zero_points = mt->q.zero_points;
  out->quant_axis = mt->q.axis;
  return TL_OK;
}

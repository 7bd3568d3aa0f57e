/* SPDX-License-Identifier: Apache-2.0
 * .tflite writer: records a model (buffers, tensors, ops, signatures, metadata) as deep copies;
 * tflite_serialize.c turns the record into TFLite's schema.fbs v3 ("TFL3") with fb_builder.h. */
#include "tflite_writer_impl.h"

#include "fb_builder.h"
#include "flatbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tl_tfl_fail(tl_tfl_builder *b, const char *fmt, ...) {
  if (b && !b->err[0]) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->err, sizeof b->err, fmt, ap);
    va_end(ap);
  }
  return -1;
}

/* Ensures room for one more element in a growable array. */
static int grow(void **arr, int *cap, int count, size_t esz) {
  if (count < *cap) return 0;
  int ncap = *cap ? *cap * 2 : 8;
  void *p = realloc(*arr, (size_t)ncap * esz);
  if (!p) return -1;
  memset((char *)p + (size_t)*cap * esz, 0, (size_t)(ncap - *cap) * esz);
  *arr = p;
  *cap = ncap;
  return 0;
}

static void *dup_mem(const void *p, size_t n) {
  void *q = malloc(n ? n : 1);
  if (q && n) memcpy(q, p, n);
  return q;
}

static char *dup_str(const char *s) { return s ? dup_mem(s, strlen(s) + 1) : NULL; }

/* Copies n int32 (n may be 0); *out NULL only on allocation failure. */
static int dup_i32(int32_t **out, const int32_t *p, int n) {
  if (n < 0 || (n > 0 && !p)) return -1;
  *out = dup_mem(p, (size_t)n * sizeof(int32_t));
  return *out ? 0 : -1;
}

static void free_wquant(wquant *q) {
  if (!q) return;
  free(q->scale);
  free(q->zp);
  free(q->min);
  free(q->max);
  free(q);
}

static void free_sparse(wsparse *sp) {
  if (!sp) return;
  for (int i = 0; sp->dims && i < sp->n_dims; i++) {
    free(sp->dims[i].seg);
    free(sp->dims[i].idx);
  }
  free(sp->dims);
  free(sp->order);
  free(sp->block);
  free(sp);
}

static void free_op(wop *o) {
  free(o->in);
  free(o->out);
  free(o->inter);
  for (int i = 0; i < o->n_fields; i++) free(o->fields[i].data);
  free(o->fields);
  if (o->raw) {
    free(o->raw->vtb);
    free(o->raw->inl);
    for (int i = 0; i < o->raw->nrefs; i++) free(o->raw->refs[i].data);
    free(o->raw);
  }
  free(o->custom);
}

static wsubgraph *get_sg(tl_tfl_builder *b, int sg) {
  if (!b || sg < 0 || sg >= b->nsg) return NULL;
  return &b->sgs[sg];
}

/* ---- public: builder ------------------------------------------------------------------------ */

tl_tfl_builder *tl_tfl_builder_new(void) {
  tl_tfl_builder *b = calloc(1, sizeof *b);
  if (!b) return NULL;
  b->desc = dup_str("tinylite");
  if (!b->desc || tl_tfl_add_buffer(b, NULL, 0) != 0 || tl_tfl_add_subgraph(b, "main") != 0) {
    tl_tfl_builder_free(b);
    return NULL;
  }
  return b;
}

void tl_tfl_builder_free(tl_tfl_builder *b) {
  if (!b) return;
  for (int i = 0; i < b->nbufs; i++) free(b->bufs[i].data);
  free(b->bufs);
  for (int s = 0; s < b->nsg; s++) {
    wsubgraph *g = &b->sgs[s];
    for (int i = 0; i < g->nt; i++) {
      free(g->t[i].name);
      free(g->t[i].dims);
      free(g->t[i].sig);
      free_wquant(g->t[i].q);
      free_sparse(g->t[i].sp);
    }
    free(g->t);
    for (int i = 0; i < g->nops; i++) free_op(&g->ops[i]);
    free(g->ops);
    free(g->in);
    free(g->out);
    free(g->name);
  }
  free(b->sgs);
  for (int i = 0; i < b->ncodes; i++) free(b->codes[i].custom);
  free(b->codes);
  for (int i = 0; i < b->nmeta; i++) free(b->meta[i].name);
  free(b->meta);
  for (int i = 0; i < b->nsigs; i++) {
    wsig *s = &b->sigs[i];
    for (int k = 0; s->in_names && k < s->n_in; k++) free(s->in_names[k]);
    for (int k = 0; s->out_names && k < s->n_out; k++) free(s->out_names[k]);
    free(s->in_names);
    free(s->out_names);
    free(s->in_t);
    free(s->out_t);
    free(s->key);
  }
  free(b->sigs);
  free(b->desc);
  free(b);
}

const char *tl_tfl_builder_errmsg(const tl_tfl_builder *b) { return b ? b->err : "no builder"; }

int tl_tfl_add_buffer(tl_tfl_builder *b, const void *data, size_t n) {
  if (!b) return -1;
  if (n && !data) return tl_tfl_fail(b, "add_buffer: NULL data with %zu bytes", n);
  if (n > TL_FBB_MAX_SIZE) return tl_tfl_fail(b, "add_buffer: %zu bytes exceed the 2 GiB FlatBuffers limit", n);
  if (grow((void **)&b->bufs, &b->capbufs, b->nbufs, sizeof *b->bufs)) return tl_tfl_fail(b, "out of memory");
  wbuf *w = &b->bufs[b->nbufs];
  w->n = n;
  w->data = n ? dup_mem(data, n) : NULL;
  if (n && !w->data) return tl_tfl_fail(b, "out of memory (buffer of %zu bytes)", n);
  return b->nbufs++;
}

int tl_tfl_add_subgraph(tl_tfl_builder *b, const char *name) {
  if (!b) return -1;
  if (grow((void **)&b->sgs, &b->capsg, b->nsg, sizeof *b->sgs)) return tl_tfl_fail(b, "out of memory");
  wsubgraph *g = &b->sgs[b->nsg];
  memset(g, 0, sizeof *g);
  if (name && !(g->name = dup_str(name))) return tl_tfl_fail(b, "out of memory");
  return b->nsg++;
}

int tl_tfl_set_subgraph_name(tl_tfl_builder *b, int subgraph, const char *name) {
  wsubgraph *g = get_sg(b, subgraph);
  if (!g) return tl_tfl_fail(b, "set_subgraph_name: no subgraph %d", subgraph);
  char *n = NULL;
  if (name && !(n = dup_str(name))) return tl_tfl_fail(b, "out of memory");
  free(g->name);
  g->name = n;
  return 0;
}

int tl_tfl_add_tensor(tl_tfl_builder *b, int subgraph, const char *name, int type, int ndim, const int32_t *dims,
                      const int32_t *shape_signature, int buffer, const tl_tfl_quant *q, int is_variable) {
  wsubgraph *g = get_sg(b, subgraph);
  const char *nm = name ? name : "(unnamed)";
  if (!g) return tl_tfl_fail(b, "add_tensor %s: no subgraph %d", nm, subgraph);
  if (type < 0 || type > 127) return tl_tfl_fail(b, "add_tensor %s: bad type %d", nm, type);
  if (ndim < 0 || ndim > 64 || (ndim > 0 && !dims)) return tl_tfl_fail(b, "add_tensor %s: bad rank %d", nm, ndim);
  for (int i = 0; i < ndim; i++)
    if (dims[i] < 0 && !b->unchecked)
      return tl_tfl_fail(b, "add_tensor %s: negative dim %d (use shape_signature for -1)", nm, i);
  if (buffer < 0) return tl_tfl_fail(b, "add_tensor %s: bad buffer index %d", nm, buffer);
  if (q && q->n && !q->scale) return tl_tfl_fail(b, "add_tensor %s: quantization without scales", nm);
  if (q && q->n_minmax && (!q->min || !q->max)) return tl_tfl_fail(b, "add_tensor %s: quantization min/max NULL", nm);
  if (q && q->n > 1 && !b->unchecked &&
      (q->quantized_dimension < 0 || q->quantized_dimension >= ndim || (size_t)dims[q->quantized_dimension] != q->n))
    return tl_tfl_fail(b, "add_tensor %s: %zu scales do not match dimension %d of the shape", nm, q->n,
                (int)q->quantized_dimension);
  if (grow((void **)&g->t, &g->capt, g->nt, sizeof *g->t)) return tl_tfl_fail(b, "out of memory");
  wtensor *t = &g->t[g->nt];
  memset(t, 0, sizeof *t);
  t->type = type;
  t->ndim = ndim;
  t->buffer = buffer;
  t->is_var = is_variable != 0;
  int bad = (name && !(t->name = dup_str(name))) || dup_i32(&t->dims, dims, ndim) ||
            (shape_signature && dup_i32(&t->sig, shape_signature, ndim));
  if (!bad && q) {
    t->q = calloc(1, sizeof *t->q);
    bad = !t->q;
    if (!bad) {
      wquant *w = t->q;
      w->n = q->n;
      w->nmm = q->n_minmax;
      w->qdim = q->quantized_dimension;
      w->scale = dup_mem(q->scale, q->n * sizeof(float));
      w->zp = calloc(q->n ? q->n : 1, sizeof(int64_t));
      if (w->zp && q->zero_point) memcpy(w->zp, q->zero_point, q->n * sizeof(int64_t));
      w->min = dup_mem(q->min, q->n_minmax * sizeof(float));
      w->max = dup_mem(q->max, q->n_minmax * sizeof(float));
      bad = !w->scale || !w->zp || !w->min || !w->max;
    }
  }
  if (bad) {
    free(t->name);
    free(t->dims);
    free(t->sig);
    free_wquant(t->q);
    return tl_tfl_fail(b, "out of memory");
  }
  return g->nt++;
}

int tl_tfl_add_const_tensor(tl_tfl_builder *b, int subgraph, const char *name, int type, int ndim, const int32_t *dims,
                            const void *data, size_t nbytes, const tl_tfl_quant *q) {
  int buf = tl_tfl_add_buffer(b, data, nbytes);
  if (buf < 0) return -1;
  return tl_tfl_add_tensor(b, subgraph, name, type, ndim, dims, NULL, buf, q, 0);
}

int tl_tfl_set_tensor_sparsity(tl_tfl_builder *b, int subgraph, int tensor, const tl_tfl_sparsity *sp) {
  wsubgraph *g = get_sg(b, subgraph);
  if (!g || tensor < 0 || tensor >= g->nt)
    return tl_tfl_fail(b, "set_tensor_sparsity: no tensor %d in subgraph %d", tensor, subgraph);
  if (!sp || sp->n_traversal_order < 0 || sp->n_block_map < 0 || sp->n_dim_metadata < 0 ||
      (sp->n_dim_metadata && !sp->dim_metadata))
    return tl_tfl_fail(b, "set_tensor_sparsity: bad sparsity description for tensor %d", tensor);
  wsparse *w = calloc(1, sizeof *w);
  if (!w) return tl_tfl_fail(b, "out of memory");
  int bad = dup_i32(&w->order, sp->traversal_order, sp->n_traversal_order) ||
            dup_i32(&w->block, sp->block_map, sp->n_block_map);
  w->n_order = sp->n_traversal_order;
  w->n_block = sp->n_block_map;
  w->dims = calloc((size_t)(sp->n_dim_metadata ? sp->n_dim_metadata : 1), sizeof *w->dims);
  bad |= !w->dims;
  for (int i = 0; !bad && i < sp->n_dim_metadata; i++) {
    const tl_tfl_dim_metadata *d = &sp->dim_metadata[i];
    wdim *o = &w->dims[w->n_dims++];
    o->format = d->format;
    o->dense_size = d->dense_size;
    o->seg_type = d->segments_type;
    o->idx_type = d->indices_type;
    o->n_seg = d->n_segments;
    o->n_idx = d->n_indices;
    if (o->seg_type < 0 || o->seg_type > 3 || o->idx_type < 0 || o->idx_type > 3 ||
        (o->n_seg && (!d->segments || !o->seg_type)) || (o->n_idx && (!d->indices || !o->idx_type))) {
      free_sparse(w);
      return tl_tfl_fail(b, "set_tensor_sparsity: bad dimension metadata %d for tensor %d", i, tensor);
    }
    if (o->seg_type) bad |= !(o->seg = dup_mem(d->segments, o->n_seg * tl_tfl_index_size(o->seg_type)));
    if (o->idx_type) bad |= !(o->idx = dup_mem(d->indices, o->n_idx * tl_tfl_index_size(o->idx_type)));
  }
  if (bad) {
    free_sparse(w);
    return tl_tfl_fail(b, "out of memory or NULL arrays in sparsity of tensor %d", tensor);
  }
  free_sparse(g->t[tensor].sp);
  g->t[tensor].sp = w;
  return 0;
}

/* Index of the operator code (builtin or custom, version), added on first use. */
static int opcode_index(tl_tfl_builder *b, int builtin, const char *custom, int version) {
  for (int i = 0; i < b->ncodes; i++) {
    wopcode *c = &b->codes[i];
    if (c->builtin == builtin && c->version == version &&
        ((!c->custom && !custom) || (c->custom && custom && !strcmp(c->custom, custom))))
      return i;
  }
  if (grow((void **)&b->codes, &b->capcodes, b->ncodes, sizeof *b->codes)) return -1;
  wopcode *c = &b->codes[b->ncodes];
  c->builtin = builtin;
  c->version = version;
  c->custom = NULL;
  if (custom && !(c->custom = dup_str(custom))) return -1;
  return b->ncodes++;
}

/* Which fields of the (frozen) BuiltinOptions union's tables are vectors or strings, so that a
 * verbatim copy can deep-copy them: esz = element size, str = string. All others are scalars. */
static const struct {
  uint8_t type, id, esz, str;
} k_offset_fields[] = {
    {TL_TFL_OPT_CONCAT_EMBEDDINGS, 1, 4, 0}, /* num_columns_per_channel:[int] */
    {TL_TFL_OPT_CONCAT_EMBEDDINGS, 2, 4, 0}, /* embedding_dim_per_channel:[int] */
    {TL_TFL_OPT_RESHAPE, 0, 4, 0},           /* new_shape:[int] */
    {TL_TFL_OPT_SQUEEZE, 0, 4, 0},           /* squeeze_dims:[int] */
    {TL_TFL_OPT_VAR_HANDLE, 0, 1, 1},        /* container:string */
    {TL_TFL_OPT_VAR_HANDLE, 1, 1, 1},        /* shared_name:string */
    {TL_TFL_OPT_BUCKETIZE, 0, 4, 0},         /* boundaries:[float] */
};

/* Decodes (with bounds checks) the options table at o->raw_table into a self-contained copy. */
static int copy_raw_table(tl_tfl_builder *b, const tl_tfl_options *o, rawtab **out) {
  const uint8_t *buf = o->raw_buf;
  size_t len = o->raw_len, tp = o->raw_table;
  *out = NULL;
  if (o->union2) return tl_tfl_fail(b, "add_op: raw copy of builtin_options_2 tables is not supported");
  if (o->type == 0 || o->type > TL_TFL_OPT_LAST)
    return tl_tfl_fail(b, "add_op: raw options of unknown union type %d", o->type);
  if (tp % 4 || tp > len || len - tp < 4) return tl_tfl_fail(b, "add_op: raw options table at %zu out of range", tp);
  int64_t vtp = (int64_t)tp - (int32_t)tl_fbb_load_u32(buf + tp);
  if (vtp < 0 || vtp % 2 || (uint64_t)vtp + 4 > len) return tl_tfl_fail(b, "add_op: raw options vtable out of range");
  size_t vt_len = tl_fbb_load_u16(buf + vtp), obj = tl_fbb_load_u16(buf + vtp + 2);
  if (vt_len < 4 || vt_len % 2 || (size_t)vtp + vt_len > len || obj < 4 || obj > len - tp)
    return tl_tfl_fail(b, "add_op: raw options vtable malformed");
  rawtab *r = calloc(1, sizeof *r);
  if (!r) return tl_tfl_fail(b, "out of memory");
  *out = r; /* freed by the caller's cleanup on failure */
  r->vt_len = vt_len;
  r->inl_len = obj;
  r->src_mod8 = tp % 8;
  r->vtb = dup_mem(buf + vtp, vt_len);
  r->inl = dup_mem(buf + tp, obj);
  if (!r->vtb || !r->inl) return tl_tfl_fail(b, "out of memory");
  memset(r->inl, 0, 4); /* the soffset is rewritten */
  tl_fbb_store_le(r->vtb + 2, obj, 2);
  for (size_t id = 0; id < (vt_len - 4) / 2; id++) {
    size_t fo = tl_fbb_load_u16(buf + vtp + 4 + 2 * id);
    if (fo && (fo < 4 || fo >= obj)) return tl_tfl_fail(b, "add_op: raw options field %zu out of table", id);
  }
  for (size_t k = 0; k < sizeof k_offset_fields / sizeof k_offset_fields[0]; k++) {
    if (k_offset_fields[k].type != o->type) continue;
    size_t id = k_offset_fields[k].id;
    if (4 + 2 * id + 2 > vt_len) continue;
    size_t fo = tl_fbb_load_u16(buf + vtp + 4 + 2 * id);
    if (!fo) continue;
    if (fo + 4 > obj) return tl_tfl_fail(b, "add_op: raw options offset field %zu out of table", id);
    uint64_t target = (uint64_t)tp + fo + tl_fbb_load_u32(buf + tp + fo);
    if (target + 4 > len) return tl_tfl_fail(b, "add_op: raw options vector out of range");
    uint64_t n = tl_fbb_load_u32(buf + target), esz = k_offset_fields[k].esz;
    if (n > (len - target - 4) / esz || (k_offset_fields[k].str && target + 4 + n >= len))
      return tl_tfl_fail(b, "add_op: raw options vector out of range");
    struct rawref *rr = &r->refs[r->nrefs++];
    rr->fo = (uint16_t)fo;
    rr->esz = (uint8_t)esz;
    rr->str = k_offset_fields[k].str;
    rr->n = (size_t)n;
    rr->data = dup_mem(buf + target + 4, (size_t)(n * esz)); /* little-endian bytes kept as is */
    if (!rr->data) return tl_tfl_fail(b, "out of memory");
  }
  return 0;
}

static int add_op_common(tl_tfl_builder *b, int subgraph, int code, const char *custom, int version,
                         const int32_t *inputs, int n_in, const int32_t *outputs, int n_out, const tl_tfl_options *opts,
                         const uint8_t *cust, size_t n_cust) {
  wsubgraph *g = get_sg(b, subgraph);
  if (!g) return tl_tfl_fail(b, "add_op: no subgraph %d", subgraph);
  if (version < 1) return tl_tfl_fail(b, "add_op (code %d): version %d < 1", code, version);
  if (n_in < 0 || n_out < 0 || (n_in && !inputs) || (n_out && !outputs))
    return tl_tfl_fail(b, "add_op (code %d): bad input/output lists", code);
  if (n_cust && !cust) return tl_tfl_fail(b, "add_op: NULL custom options");
  if (grow((void **)&g->ops, &g->capops, g->nops, sizeof *g->ops)) return tl_tfl_fail(b, "out of memory");
  int oc = opcode_index(b, code, custom, version);
  if (oc < 0) return tl_tfl_fail(b, "out of memory");
  wop *o = &g->ops[g->nops];
  memset(o, 0, sizeof *o);
  o->opcode = oc;
  o->n_in = n_in;
  o->n_out = n_out;
  int bad = dup_i32(&o->in, inputs, n_in) || dup_i32(&o->out, outputs, n_out);
  if (!bad && n_cust) {
    o->has_custom = 1;
    o->n_custom = n_cust;
    bad = !(o->custom = dup_mem(cust, n_cust));
  }
  if (bad) {
    free_op(o);
    return tl_tfl_fail(b, "out of memory");
  }
  if (opts && (opts->type || opts->n_fields || opts->raw_buf)) {
    o->has_opts = 1;
    o->opt_type = opts->type;
    o->union2 = opts->union2 != 0;
    if (!opts->type) {
      free_op(o);
      return tl_tfl_fail(b, "add_op (code %d): options without a union type", code);
    }
    if (opts->raw_buf) {
      if (copy_raw_table(b, opts, &o->raw)) {
        free_op(o);
        return -1;
      }
    } else if (opts->n_fields) {
      if (opts->n_fields > TL_TFL_MAX_FIELDS) {
        free_op(o);
        return tl_tfl_fail(b, "add_op (code %d): too many option fields", code);
      }
      o->fields = calloc(opts->n_fields, sizeof *o->fields);
      if (!o->fields) {
        free_op(o);
        return tl_tfl_fail(b, "out of memory");
      }
      for (int i = 0; i < opts->n_fields; i++) {
        const tl_tfl_field *s = &opts->fields[i];
        wfield *d = &o->fields[o->n_fields++];
        d->id = s->id;
        d->kind = s->kind;
        d->i = s->i;
        d->f = s->f;
        d->n = s->n;
        if (s->id >= TL_FBB_MAX_FIELDS || s->kind > TL_TFL_F_STRING) {
          free_op(o);
          return tl_tfl_fail(b, "add_op (code %d): bad option field id %d kind %d", code, s->id, s->kind);
        }
        if (!tl_tfl_kind_is_scalar(s->kind)) {
          size_t bytes = s->n * tl_tfl_kind_size(s->kind);
          if (s->n && !s->data) {
            free_op(o);
            return tl_tfl_fail(b, "add_op (code %d): option field %d has NULL data", code, s->id);
          }
          if (!(d->data = dup_mem(s->data, bytes))) {
            free_op(o);
            return tl_tfl_fail(b, "out of memory");
          }
        }
      }
    }
  }
  return g->nops++;
}

int tl_tfl_add_op(tl_tfl_builder *b, int subgraph, int builtin_code, int version, const int32_t *inputs, int n_in,
                  const int32_t *outputs, int n_out, const tl_tfl_options *opts) {
  if (!b) return -1;
  if (builtin_code < 0 || builtin_code > 0x7fff || builtin_code == TL_BUILTIN_CUSTOM)
    return tl_tfl_fail(b, "add_op: bad builtin code %d (CUSTOM ops: tl_tfl_add_custom_op)", builtin_code);
  return add_op_common(b, subgraph, builtin_code, NULL, version, inputs, n_in, outputs, n_out, opts, NULL, 0);
}

int tl_tfl_add_custom_op(tl_tfl_builder *b, int subgraph, const char *custom_code, int version, const int32_t *inputs,
                         int n_in, const int32_t *outputs, int n_out, const uint8_t *custom_options, size_t n_custom) {
  if (!b) return -1;
  if (!custom_code || !custom_code[0]) return tl_tfl_fail(b, "add_custom_op: empty custom code");
  return add_op_common(b, subgraph, TL_BUILTIN_CUSTOM, custom_code, version, inputs, n_in, outputs, n_out, NULL,
                       custom_options, n_custom);
}

int tl_tfl_set_op_intermediates(tl_tfl_builder *b, int subgraph, int op, const int32_t *t, int n) {
  wsubgraph *g = get_sg(b, subgraph);
  if (!g || op < 0 || op >= g->nops) return tl_tfl_fail(b, "set_op_intermediates: no op %d in subgraph %d", op, subgraph);
  int32_t *c = NULL;
  if (dup_i32(&c, t, n)) return tl_tfl_fail(b, "set_op_intermediates: bad list");
  free(g->ops[op].inter);
  g->ops[op].inter = c;
  g->ops[op].n_inter = n;
  return 0;
}

int tl_tfl_set_io(tl_tfl_builder *b, int subgraph, const int32_t *inputs, int n_in, const int32_t *outputs, int n_out) {
  wsubgraph *g = get_sg(b, subgraph);
  if (!g) return tl_tfl_fail(b, "set_io: no subgraph %d", subgraph);
  int32_t *in = NULL, *out = NULL;
  if (dup_i32(&in, inputs, n_in) || dup_i32(&out, outputs, n_out)) {
    free(in);
    return tl_tfl_fail(b, "set_io: bad input/output lists");
  }
  free(g->in);
  free(g->out);
  g->in = in;
  g->out = out;
  g->n_in = n_in;
  g->n_out = n_out;
  g->io_set = 1;
  return 0;
}

static int dup_names(char ***out, const char *const *names, int n) {
  *out = calloc((size_t)(n > 0 ? n : 1), sizeof(char *));
  if (!*out) return -1;
  for (int i = 0; i < n; i++) {
    if (!names || !names[i] || !((*out)[i] = dup_str(names[i]))) return -1;
  }
  return 0;
}

int tl_tfl_add_signature(tl_tfl_builder *b, const char *key, int subgraph, const char *const *in_names,
                         const int32_t *in_tensors, int n_in, const char *const *out_names, const int32_t *out_tensors,
                         int n_out) {
  if (!b) return -1;
  if (!key) return tl_tfl_fail(b, "add_signature: NULL key");
  if (n_in < 0 || n_out < 0) return tl_tfl_fail(b, "add_signature %s: bad counts", key);
  if (grow((void **)&b->sigs, &b->capsigs, b->nsigs, sizeof *b->sigs)) return tl_tfl_fail(b, "out of memory");
  wsig *s = &b->sigs[b->nsigs];
  memset(s, 0, sizeof *s);
  s->sg = subgraph;
  s->n_in = n_in;
  s->n_out = n_out;
  int bad = !(s->key = dup_str(key)) || dup_names(&s->in_names, in_names, n_in) ||
            dup_names(&s->out_names, out_names, n_out) || dup_i32(&s->in_t, in_tensors, n_in) ||
            dup_i32(&s->out_t, out_tensors, n_out);
  b->nsigs++; /* kept even when incomplete, so tl_tfl_builder_free releases it */
  if (bad) return tl_tfl_fail(b, "add_signature %s: NULL name/tensor list or out of memory", key);
  return b->nsigs - 1;
}

int tl_tfl_add_metadata(tl_tfl_builder *b, const char *name, int buffer) {
  if (!b) return -1;
  if (!name) return tl_tfl_fail(b, "add_metadata: NULL name");
  if (buffer < 0) return tl_tfl_fail(b, "add_metadata %s: bad buffer %d", name, buffer);
  if (grow((void **)&b->meta, &b->capmeta, b->nmeta, sizeof *b->meta)) return tl_tfl_fail(b, "out of memory");
  wmeta *m = &b->meta[b->nmeta];
  m->buffer = buffer;
  if (!(m->name = dup_str(name))) return tl_tfl_fail(b, "out of memory");
  return b->nmeta++;
}

int tl_tfl_add_metadata_bytes(tl_tfl_builder *b, const char *name, const void *data, size_t n) {
  int buf = tl_tfl_add_buffer(b, data, n);
  if (buf < 0) return -1;
  if (tl_tfl_add_metadata(b, name, buf) < 0) return -1;
  return buf;
}

int tl_tfl_set_description(tl_tfl_builder *b, const char *description) {
  if (!b) return -1;
  char *d = NULL;
  if (description && !(d = dup_str(description))) return tl_tfl_fail(b, "out of memory");
  free(b->desc);
  b->desc = d;
  return 0;
}

int tl_tfl_num_tensors(const tl_tfl_builder *b, int subgraph) {
  return (b && subgraph >= 0 && subgraph < b->nsg) ? b->sgs[subgraph].nt : -1;
}

int tl_tfl_num_ops(const tl_tfl_builder *b, int subgraph) {
  return (b && subgraph >= 0 && subgraph < b->nsg) ? b->sgs[subgraph].nops : -1;
}

int tl_tfl_num_buffers(const tl_tfl_builder *b) { return b ? b->nbufs : -1; }

/* Decodes a SparsityParameters table found by the reader (bounds-checked accessors) for
 * tl_tfl_set_tensor_sparsity: the one place that copies sparse tensors between models. */
int tl_tfl_copy_tensor_sparsity(tl_tfl_builder *b, int sg, int t, const void *sparsity) {
  const tl_fb_table *sp = sparsity;
  tl_fb_vec order, block, dims;
  memset(&block, 0, sizeof block);
  if (tl_fb_vector(sp, TL_SCH_SPARSITY_TRAVERSAL_ORDER, 4, &order) != 1 ||
      tl_fb_vector(sp, TL_SCH_SPARSITY_BLOCK_MAP, 4, &block) < 0 ||
      tl_fb_vector(sp, TL_SCH_SPARSITY_DIM_METADATA, 4, &dims) != 1 || order.n > 16 || block.n > 16 || dims.n > 16)
    return -1;
  int32_t ord[16], blk[16];
  tl_tfl_dim_metadata dm[16];
  for (uint32_t i = 0; i < order.n; i++) ord[i] = tl_fb_vec_i32(&order, i);
  for (uint32_t i = 0; i < block.n; i++) blk[i] = tl_fb_vec_i32(&block, i);
  for (uint32_t i = 0; i < dims.n; i++) {
    tl_fb_table d, st;
    tl_fb_vec v;
    memset(&dm[i], 0, sizeof dm[i]);
    if (!tl_fb_vec_table(sp, &dims, i, &d)) return -1;
    dm[i].format = tl_fb_i8(&d, TL_SCH_DIMMETA_FORMAT, 0);
    dm[i].dense_size = tl_fb_i32(&d, TL_SCH_DIMMETA_DENSE_SIZE, 0);
    for (int k = 0; k < 2; k++) { /* segments, then indices */
      int type = tl_fb_u8(&d, k ? TL_SCH_DIMMETA_ARRAY_INDICES_TYPE : TL_SCH_DIMMETA_ARRAY_SEGMENTS_TYPE, 0);
      if (!type) continue;
      uint32_t esz = type == TL_TFL_SPARSE_INDEX_I32 ? 4 : type == TL_TFL_SPARSE_INDEX_U16 ? 2 : 1;
      if (tl_fb_subtable(&d, k ? TL_SCH_DIMMETA_ARRAY_INDICES : TL_SCH_DIMMETA_ARRAY_SEGMENTS, &st) != 1 ||
          tl_fb_vector(&st, TL_SCH_INDEXVEC_VALUES, esz, &v) != 1)
        return -1;
      if (k) dm[i].indices_type = type, dm[i].indices = v.data, dm[i].n_indices = v.n;
      else dm[i].segments_type = type, dm[i].segments = v.data, dm[i].n_segments = v.n;
    }
  }
  tl_tfl_sparsity sps = {ord, (int)order.n, block.n ? blk : NULL, (int)block.n, dm, (int)dims.n};
  return tl_tfl_set_tensor_sparsity(b, sg, t, &sps);
}

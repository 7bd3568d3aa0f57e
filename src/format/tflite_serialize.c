/* SPDX-License-Identifier: Apache-2.0
 * The .tflite writer's second half: checks the recorded model, serializes it with the FlatBuffers
 * builder (fb_builder.h), and writes files atomically (a temporary file, fsync, rename). */
#define _POSIX_C_SOURCE 200809L

#include "tflite_writer_impl.h"

#include "fb_builder.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__unix__) || defined(__APPLE__)
#define TL_WRITER_POSIX 1
#include <sys/stat.h>
#include <unistd.h>
#endif

/* Bytes per element of a TensorType with a fixed size, 0 for variable-size or packed types. */
static size_t type_size(int type) {
  switch (type) {
  case TL_TFL_FLOAT32:
  case TL_TFL_INT32:
  case TL_TFL_UINT32:
    return 4;
  case TL_TFL_FLOAT16:
  case TL_TFL_INT16:
  case TL_TFL_UINT16:
    return 2;
  case TL_TFL_UINT8:
  case TL_TFL_INT8:
  case TL_TFL_BOOL:
    return 1;
  case TL_TFL_INT64:
  case TL_TFL_FLOAT64:
  case TL_TFL_UINT64:
  case TL_TFL_COMPLEX64:
    return 8;
  case TL_TFL_COMPLEX128:
    return 16;
  default:
    return 0; /* STRING, RESOURCE, VARIANT, INT4 (packed), unknown */
  }
}

static int check_tensor_list(tl_tfl_builder *b, const wsubgraph *g, int s, const int32_t *t, int n, int allow_optional,
                             const char *what, int op) {
  for (int i = 0; i < n; i++) {
    if ((allow_optional && t[i] == -1) || (t[i] >= 0 && t[i] < g->nt)) continue;
    if (op >= 0) return tl_tfl_fail(b, "subgraph %d op %d: %s %d refers to tensor %d of %d", s, op, what, i, t[i], g->nt);
    return tl_tfl_fail(b, "subgraph %d: %s %d refers to tensor %d of %d", s, what, i, t[i], g->nt);
  }
  return 0;
}

static int validate(tl_tfl_builder *b) {
  if (b->err[0]) return -1;
  if (b->unchecked) return 0;
  for (int s = 0; s < b->nsg; s++) {
    const wsubgraph *g = &b->sgs[s];
    for (int i = 0; i < g->nt; i++) {
      const wtensor *t = &g->t[i];
      const char *nm = t->name ? t->name : "(unnamed)";
      if (t->buffer >= b->nbufs)
        return tl_tfl_fail(b, "subgraph %d tensor %d (%s): buffer %d of %d", s, i, nm, t->buffer, b->nbufs);
      size_t have = b->bufs[t->buffer].n, esz = type_size(t->type);
      if (t->buffer > 0 && have > 0 && esz && !t->sp) {
        uint64_t count = 1;
        for (int d = 0; d < t->ndim; d++) count *= (uint64_t)t->dims[d];
        if (count * esz != have)
          return tl_tfl_fail(b, "subgraph %d tensor %d (%s): buffer %d holds %zu bytes, shape needs %llu", s, i, nm, t->buffer,
                      have, (unsigned long long)(count * esz));
      }
    }
    for (int k = 0; k < g->nops; k++) {
      const wop *o = &g->ops[k];
      if (check_tensor_list(b, g, s, o->in, o->n_in, 1, "input", k) ||
          check_tensor_list(b, g, s, o->out, o->n_out, 0, "output", k) ||
          check_tensor_list(b, g, s, o->inter, o->n_inter, 0, "intermediate", k))
        return -1;
    }
    /* the main subgraph must produce something; others may not (e.g. CALL_ONCE init graphs) */
    if (s == 0 && (!g->io_set || g->n_out == 0)) return tl_tfl_fail(b, "subgraph 0 has no outputs (call tl_tfl_set_io)");
    if (check_tensor_list(b, g, s, g->in, g->n_in, 0, "graph input", -1) ||
        check_tensor_list(b, g, s, g->out, g->n_out, 0, "graph output", -1))
      return -1;
  }
  for (int i = 0; i < b->nmeta; i++)
    if (b->meta[i].buffer >= b->nbufs)
      return tl_tfl_fail(b, "metadata %s: buffer %d of %d", b->meta[i].name, b->meta[i].buffer, b->nbufs);
  for (int i = 0; i < b->nsigs; i++) {
    const wsig *sg = &b->sigs[i];
    if (sg->sg < 0 || sg->sg >= b->nsg) return tl_tfl_fail(b, "signature %s: no subgraph %d", sg->key, sg->sg);
    const wsubgraph *g = &b->sgs[sg->sg];
    if (check_tensor_list(b, g, sg->sg, sg->in_t, sg->n_in, 0, "signature input", -1) ||
        check_tensor_list(b, g, sg->sg, sg->out_t, sg->n_out, 0, "signature output", -1))
      return -1;
  }
  return 0;
}

static uint32_t ser_string(tl_fbb *f, const char *s) { return s ? tl_fbb_string(f, s, strlen(s)) : 0; }

static uint32_t ser_i32vec(tl_fbb *f, const int32_t *v, int n) { return tl_fbb_vec(f, v, (size_t)n, 4, 4); }

static uint32_t ser_quant(tl_fbb *f, const wquant *q) {
  uint32_t rmin = 0, rmax = 0, rscale = 0, rzp = 0;
  if (q->nmm) {
    rmin = tl_fbb_vec(f, q->min, q->nmm, 4, 4);
    rmax = tl_fbb_vec(f, q->max, q->nmm, 4, 4);
  }
  if (q->n) {
    rscale = tl_fbb_vec(f, q->scale, q->n, 4, 4);
    rzp = tl_fbb_vec(f, q->zp, q->n, 8, 8);
  }
  tl_fbb_table_start(f);
  tl_fbb_off(f, TL_SCH_QUANT_MIN, rmin);
  tl_fbb_off(f, TL_SCH_QUANT_MAX, rmax);
  tl_fbb_off(f, TL_SCH_QUANT_SCALE, rscale);
  tl_fbb_off(f, TL_SCH_QUANT_ZERO_POINT, rzp);
  if (q->qdim) tl_fbb_i32(f, TL_SCH_QUANT_QUANTIZED_DIMENSION, q->qdim);
  return tl_fbb_table_end(f);
}

/* SparseIndexVector union member table {values}; u16/u8 vectors have force_align 4. */
static uint32_t ser_index_vec(tl_fbb *f, int type, const void *v, size_t n) {
  uint32_t rv = tl_fbb_vec(f, v, n, tl_tfl_index_size(type), 4);
  tl_fbb_table_start(f);
  tl_fbb_off(f, TL_SCH_INDEXVEC_VALUES, rv);
  return tl_fbb_table_end(f);
}

static uint32_t ser_sparsity(tl_fbb *f, const wsparse *sp) {
  uint32_t *refs = calloc((size_t)(sp->n_dims ? sp->n_dims : 1), sizeof *refs);
  if (!refs) {
    tl_fbb_fail(f, "out of memory");
    return 0;
  }
  for (int i = 0; i < sp->n_dims; i++) {
    const wdim *d = &sp->dims[i];
    uint32_t rs = d->seg_type ? ser_index_vec(f, d->seg_type, d->seg, d->n_seg) : 0;
    uint32_t ri = d->idx_type ? ser_index_vec(f, d->idx_type, d->idx, d->n_idx) : 0;
    tl_fbb_table_start(f);
    if (d->dense_size) tl_fbb_i32(f, TL_SCH_DIMMETA_DENSE_SIZE, d->dense_size);
    tl_fbb_off(f, TL_SCH_DIMMETA_ARRAY_SEGMENTS, rs);
    tl_fbb_off(f, TL_SCH_DIMMETA_ARRAY_INDICES, ri);
    if (d->format) tl_fbb_u8(f, TL_SCH_DIMMETA_FORMAT, (unsigned)d->format);
    if (rs) tl_fbb_u8(f, TL_SCH_DIMMETA_ARRAY_SEGMENTS_TYPE, (unsigned)d->seg_type);
    if (ri) tl_fbb_u8(f, TL_SCH_DIMMETA_ARRAY_INDICES_TYPE, (unsigned)d->idx_type);
    refs[i] = tl_fbb_table_end(f);
  }
  uint32_t rdims = tl_fbb_vec_refs(f, refs, (size_t)sp->n_dims);
  free(refs);
  uint32_t rorder = ser_i32vec(f, sp->order, sp->n_order);
  uint32_t rblock = sp->n_block ? ser_i32vec(f, sp->block, sp->n_block) : 0;
  tl_fbb_table_start(f);
  tl_fbb_off(f, TL_SCH_SPARSITY_TRAVERSAL_ORDER, rorder);
  tl_fbb_off(f, TL_SCH_SPARSITY_BLOCK_MAP, rblock);
  tl_fbb_off(f, TL_SCH_SPARSITY_DIM_METADATA, rdims);
  return tl_fbb_table_end(f);
}

static uint32_t ser_tensor(tl_fbb *f, const wtensor *t) {
  uint32_t rsp = t->sp ? ser_sparsity(f, t->sp) : 0;
  uint32_t rname = ser_string(f, t->name);
  uint32_t rshape = ser_i32vec(f, t->dims, t->ndim);
  uint32_t rsig = t->sig ? ser_i32vec(f, t->sig, t->ndim) : 0;
  uint32_t rq = t->q ? ser_quant(f, t->q) : 0;
  tl_fbb_table_start(f);
  tl_fbb_off(f, TL_SCH_TENSOR_SHAPE, rshape);
  if (t->buffer) tl_fbb_u32(f, TL_SCH_TENSOR_BUFFER, (uint32_t)t->buffer);
  tl_fbb_off(f, TL_SCH_TENSOR_NAME, rname);
  tl_fbb_off(f, TL_SCH_TENSOR_QUANTIZATION, rq);
  tl_fbb_off(f, TL_SCH_TENSOR_SHAPE_SIGNATURE, rsig);
  tl_fbb_off(f, TL_SCH_TENSOR_SPARSITY, rsp);
  if (t->type) tl_fbb_u8(f, TL_SCH_TENSOR_TYPE, (unsigned)t->type);
  if (t->is_var) tl_fbb_u8(f, TL_SCH_TENSOR_IS_VARIABLE, 1);
  tl_fbb_u8(f, TL_SCH_TENSOR_HAS_RANK, 1); /* every tensor we write has a known rank */
  return tl_fbb_table_end(f);
}

/* Options table from a field list: vectors/strings first, then scalars largest first (packing). */
static uint32_t ser_fields(tl_fbb *f, const wop *o) {
  uint32_t refs[TL_TFL_MAX_FIELDS] = {0};
  for (int i = 0; i < o->n_fields; i++) {
    const wfield *w = &o->fields[i];
    if (w->kind == TL_TFL_F_STRING)
      refs[i] = tl_fbb_string(f, w->data, w->n);
    else if (tl_tfl_kind_is_vec(w->kind))
      refs[i] = tl_fbb_vec(f, w->data, w->n, tl_tfl_kind_size(w->kind), 4);
  }
  tl_fbb_table_start(f);
  for (int i = 0; i < o->n_fields; i++)
    if (refs[i]) tl_fbb_off(f, o->fields[i].id, refs[i]);
  for (size_t sz = 8; sz >= 1; sz /= 2) {
    for (int i = 0; i < o->n_fields; i++) {
      const wfield *w = &o->fields[i];
      if (!tl_tfl_kind_is_scalar(w->kind) || tl_tfl_kind_size(w->kind) != sz) continue;
      uint64_t v;
      if (w->kind == TL_TFL_F_F32) {
        float x = (float)w->f;
        uint32_t u;
        memcpy(&u, &x, 4);
        v = u;
      } else if (w->kind == TL_TFL_F_F64) {
        memcpy(&v, &w->f, 8);
      } else {
        v = (uint64_t)w->i;
      }
      tl_fbb_scalar(f, w->id, v, sz);
    }
  }
  return tl_fbb_table_end(f);
}

/* Verbatim copy of a decoded raw options table (see copy_raw_table). */
static uint32_t ser_raw(tl_fbb *f, const rawtab *r) {
  uint32_t refs[4] = {0};
  for (int i = 0; i < r->nrefs; i++) {
    const struct rawref *rr = &r->refs[i];
    /* data is little-endian already: write it as bytes with the element alignment */
    refs[i] = rr->str ? tl_fbb_string(f, (const char *)rr->data, rr->n) : tl_fbb_vec(f, rr->data, rr->n * rr->esz, 1, rr->esz);
    if (!rr->str && !f->err) tl_fbb_store_le(f->buf + f->cap - refs[i], rr->n, 4); /* element count */
  }
  /* Keep the table's position mod 8 equal to the source's so 8-byte fields stay aligned:
     * with the final size a multiple of minalign (>= 8), address = total - ref. */
  if (f->minalign < 8) f->minalign = 8;
  size_t pad = (size_t)(0 - (r->src_mod8 + f->size + r->inl_len)) & 7;
  tl_fbb_pad(f, pad);
  uint8_t *p = tl_fbb_claim(f, r->inl_len);
  if (!p) return 0;
  memcpy(p, r->inl, r->inl_len);
  uint32_t obj = (uint32_t)f->size;
  for (int i = 0; i < r->nrefs; i++) {
    uint32_t at = obj - r->refs[i].fo; /* ref of the uoffset field */
    tl_fbb_store_le(f->buf + f->cap - at, (uint64_t)(at - refs[i]), 4);
  }
  tl_fbb_place_vtable(f, r->vtb, r->vt_len, obj);
  return f->err ? 0 : obj;
}

static uint32_t ser_op(tl_fbb *f, const wop *o) {
  uint32_t rin = ser_i32vec(f, o->in, o->n_in);
  uint32_t rout = ser_i32vec(f, o->out, o->n_out);
  uint32_t rinter = o->n_inter ? ser_i32vec(f, o->inter, o->n_inter) : 0;
  uint32_t rcust = o->has_custom ? tl_fbb_vec(f, o->custom, o->n_custom, 1, 1) : 0;
  uint32_t ropt = 0;
  if (o->has_opts) ropt = o->raw ? ser_raw(f, o->raw) : ser_fields(f, o);
  tl_fbb_table_start(f);
  if (o->opcode) tl_fbb_u32(f, TL_SCH_OP_OPCODE_INDEX, (uint32_t)o->opcode);
  tl_fbb_off(f, TL_SCH_OP_INPUTS, rin);
  tl_fbb_off(f, TL_SCH_OP_OUTPUTS, rout);
  tl_fbb_off(f, o->union2 ? TL_SCH_OP_BUILTIN_OPTIONS_2 : TL_SCH_OP_BUILTIN_OPTIONS, ropt);
  tl_fbb_off(f, TL_SCH_OP_CUSTOM_OPTIONS, rcust);
  tl_fbb_off(f, TL_SCH_OP_INTERMEDIATES, rinter);
  if (ropt) tl_fbb_u8(f, o->union2 ? TL_SCH_OP_BUILTIN_OPTIONS_2_TYPE : TL_SCH_OP_BUILTIN_OPTIONS_TYPE, o->opt_type);
  return tl_fbb_table_end(f);
}

static uint32_t ser_subgraph(tl_fbb *f, const wsubgraph *g, uint32_t *scratch) {
  for (int i = 0; i < g->nt; i++) scratch[i] = ser_tensor(f, &g->t[i]);
  uint32_t rt = tl_fbb_vec_refs(f, scratch, (size_t)g->nt);
  for (int i = 0; i < g->nops; i++) scratch[i] = ser_op(f, &g->ops[i]);
  uint32_t rops = tl_fbb_vec_refs(f, scratch, (size_t)g->nops);
  uint32_t rin = ser_i32vec(f, g->in, g->n_in);
  uint32_t rout = ser_i32vec(f, g->out, g->n_out);
  uint32_t rname = ser_string(f, g->name);
  tl_fbb_table_start(f);
  tl_fbb_off(f, TL_SCH_SUBGRAPH_TENSORS, rt);
  tl_fbb_off(f, TL_SCH_SUBGRAPH_INPUTS, rin);
  tl_fbb_off(f, TL_SCH_SUBGRAPH_OUTPUTS, rout);
  tl_fbb_off(f, TL_SCH_SUBGRAPH_OPERATORS, rops);
  tl_fbb_off(f, TL_SCH_SUBGRAPH_NAME, rname);
  return tl_fbb_table_end(f);
}

static uint32_t ser_tensormaps(tl_fbb *f, char *const *names, const int32_t *t, int n, uint32_t *scratch) {
  for (int i = 0; i < n; i++) {
    uint32_t rn = ser_string(f, names[i]);
    tl_fbb_table_start(f);
    tl_fbb_off(f, TL_SCH_TENSORMAP_NAME, rn);
    if (t[i]) tl_fbb_u32(f, TL_SCH_TENSORMAP_TENSOR_INDEX, (uint32_t)t[i]);
    scratch[i] = tl_fbb_table_end(f);
  }
  return tl_fbb_vec_refs(f, scratch, (size_t)n);
}

/* Builds the whole file. Objects created first end up last in the file: buffers (bulk data) go to
 * the end as in TFLite's converter output, the model table and small tables near the front. */
static int serialize(tl_tfl_builder *b, tl_fbb *f) {
  size_t maxn = (size_t)(b->nbufs + b->ncodes + b->nmeta + b->nsigs + b->nsg + 1);
  for (int s = 0; s < b->nsg; s++) {
    const wsubgraph *g = &b->sgs[s];
    if ((size_t)g->nt > maxn) maxn = (size_t)g->nt;
    if ((size_t)g->nops > maxn) maxn = (size_t)g->nops;
  }
  for (int i = 0; i < b->nsigs; i++) {
    if ((size_t)b->sigs[i].n_in > maxn) maxn = (size_t)b->sigs[i].n_in;
    if ((size_t)b->sigs[i].n_out > maxn) maxn = (size_t)b->sigs[i].n_out;
  }
  uint32_t *scratch = calloc(maxn, sizeof *scratch), *scratch2 = calloc(maxn, sizeof *scratch2);
  if (!scratch || !scratch2) {
    free(scratch);
    free(scratch2);
    return tl_tfl_fail(b, "out of memory");
  }

  /* buffers: data vectors aligned to 16 (schema: force_align: 16) */
  for (int i = 0; i < b->nbufs; i++) {
    uint32_t rd = b->bufs[i].n ? tl_fbb_vec(f, b->bufs[i].data, b->bufs[i].n, 1, 16) : 0;
    tl_fbb_table_start(f);
    tl_fbb_off(f, TL_SCH_BUFFER_DATA, rd);
    scratch[i] = tl_fbb_table_end(f);
  }
  uint32_t rbufs = tl_fbb_vec_refs(f, scratch, (size_t)b->nbufs);

  /* subgraphs (a second scratch array holds the subgraph refs) */
  for (int s = 0; s < b->nsg; s++) scratch2[s] = ser_subgraph(f, &b->sgs[s], scratch);
  uint32_t rsgs = tl_fbb_vec_refs(f, scratch2, (size_t)b->nsg);

  /* operator codes: both the deprecated int8 code (capped at 127, the placeholder for larger
     * codes) and the int32 builtin_code, as TFLite >= 2.4 writes them */
  for (int i = 0; i < b->ncodes; i++) {
    const wopcode *c = &b->codes[i];
    uint32_t rc = ser_string(f, c->custom);
    tl_fbb_table_start(f);
    if (c->builtin) tl_fbb_i32(f, TL_SCH_OPCODE_BUILTIN_CODE, c->builtin);
    if (c->version != 1) tl_fbb_i32(f, TL_SCH_OPCODE_VERSION, c->version);
    tl_fbb_off(f, TL_SCH_OPCODE_CUSTOM_CODE, rc);
    int dep = c->builtin < 127 ? c->builtin : 127;
    if (dep) tl_fbb_u8(f, TL_SCH_OPCODE_DEPRECATED_BUILTIN_CODE, (unsigned)dep);
    scratch[i] = tl_fbb_table_end(f);
  }
  uint32_t rcodes = tl_fbb_vec_refs(f, scratch, (size_t)b->ncodes);

  uint32_t rmeta = 0, rsigs = 0;
  if (b->nmeta) {
    for (int i = 0; i < b->nmeta; i++) {
      uint32_t rn = ser_string(f, b->meta[i].name);
      tl_fbb_table_start(f);
      tl_fbb_off(f, TL_SCH_METADATA_NAME, rn);
      if (b->meta[i].buffer) tl_fbb_u32(f, TL_SCH_METADATA_BUFFER, (uint32_t)b->meta[i].buffer);
      scratch2[i] = tl_fbb_table_end(f);
    }
    rmeta = tl_fbb_vec_refs(f, scratch2, (size_t)b->nmeta);
  }
  if (b->nsigs) {
    uint32_t *sigrefs = calloc((size_t)b->nsigs, sizeof *sigrefs);
    if (!sigrefs) {
      free(scratch);
      free(scratch2);
      return tl_tfl_fail(b, "out of memory");
    }
    for (int i = 0; i < b->nsigs; i++) {
      const wsig *s = &b->sigs[i];
      uint32_t rin = ser_tensormaps(f, s->in_names, s->in_t, s->n_in, scratch);
      uint32_t rout = ser_tensormaps(f, s->out_names, s->out_t, s->n_out, scratch);
      uint32_t rkey = ser_string(f, s->key);
      tl_fbb_table_start(f);
      tl_fbb_off(f, TL_SCH_SIGDEF_INPUTS, rin);
      tl_fbb_off(f, TL_SCH_SIGDEF_OUTPUTS, rout);
      tl_fbb_off(f, TL_SCH_SIGDEF_SIGNATURE_KEY, rkey);
      if (s->sg) tl_fbb_u32(f, TL_SCH_SIGDEF_SUBGRAPH_INDEX, (uint32_t)s->sg);
      sigrefs[i] = tl_fbb_table_end(f);
    }
    rsigs = tl_fbb_vec_refs(f, sigrefs, (size_t)b->nsigs);
    free(sigrefs);
  }
  free(scratch);
  free(scratch2);

  uint32_t rdesc = ser_string(f, b->desc);
  tl_fbb_table_start(f);
  tl_fbb_u32(f, TL_SCH_MODEL_VERSION, TL_TFL_SCHEMA_VERSION);
  tl_fbb_off(f, TL_SCH_MODEL_OPERATOR_CODES, rcodes);
  tl_fbb_off(f, TL_SCH_MODEL_SUBGRAPHS, rsgs);
  tl_fbb_off(f, TL_SCH_MODEL_DESCRIPTION, rdesc);
  tl_fbb_off(f, TL_SCH_MODEL_BUFFERS, rbufs);
  tl_fbb_off(f, TL_SCH_MODEL_METADATA, rmeta);
  tl_fbb_off(f, TL_SCH_MODEL_SIGNATURE_DEFS, rsigs);
  uint32_t root = tl_fbb_table_end(f);
  tl_fbb_finish(f, root, TL_TFL_FILE_IDENTIFIER);
  if (f->err) return tl_tfl_fail(b, "serialize: %s", f->err);
  return 0;
}

static void set_err(char *err, size_t errlen, const char *msg) {
  if (err && errlen) snprintf(err, errlen, "%s", msg);
}

void tl_tfl_builder_set_unchecked(tl_tfl_builder *b, int on) {
  if (b) b->unchecked = on != 0;
}

int tl_tfl_finish(tl_tfl_builder *b, uint8_t **out, size_t *n, char *err, size_t errlen) {
  if (out) *out = NULL;
  if (n) *n = 0;
  if (!b || !out || !n) {
    set_err(err, errlen, "tl_tfl_finish: NULL argument");
    return -1;
  }
  tl_fbb f;
  memset(&f, 0, sizeof f);
  f.minalign = 1;
  if (validate(b) || serialize(b, &f)) {
    tl_fbb_free(&f);
    set_err(err, errlen, b->err);
    return -1;
  }
  /* hand the used tail of the buffer to the caller */
  uint8_t *res = malloc(f.size);
  if (!res) {
    tl_fbb_free(&f);
    tl_tfl_fail(b, "out of memory");
    set_err(err, errlen, b->err);
    return -1;
  }
  memcpy(res, f.buf + f.cap - f.size, f.size);
  *out = res;
  *n = f.size;
  tl_fbb_free(&f);
  return 0;
}

int tl_tfl_write_file(tl_tfl_builder *b, const char *path, char *err, size_t errlen) {
  uint8_t *data = NULL;
  size_t n = 0;
  if (!path) {
    set_err(err, errlen, "tl_tfl_write_file: NULL path");
    return -1;
  }
  if (tl_tfl_finish(b, &data, &n, err, errlen)) return -1;
  size_t plen = strlen(path);
  char *tmp = malloc(plen + 16);
  if (!tmp) {
    free(data);
    set_err(err, errlen, "out of memory");
    return -1;
  }
  memcpy(tmp, path, plen);
  memcpy(tmp + plen, ".tmp-XXXXXX", 12);
  int rc = 0;
  const char *what = "write";
#ifdef TL_WRITER_POSIX
  /* unique temporary name in the target directory, so rename() is atomic (same filesystem) */
  int fd = mkstemp(tmp);
  if (fd < 0) {
    if (err && errlen) snprintf(err, errlen, "%s: cannot create temporary file: %s", path, strerror(errno));
    free(tmp);
    free(data);
    return -1;
  }
  for (size_t off = 0; off < n && !rc;) {
    ssize_t w = write(fd, data + off, n - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0)
      rc = -1;
    else
      off += (size_t)w;
  }
  if (!rc && fchmod(fd, 0644)) {
    rc = -1;
    what = "chmod";
  } /* mkstemp creates 0600 */
  if (!rc && fsync(fd)) {
    rc = -1;
    what = "fsync";
  }
  if (close(fd) && !rc) {
    rc = -1;
    what = "close";
  }
#else
  FILE *fp = fopen(tmp, "wb");
  if (!fp) {
    if (err && errlen) snprintf(err, errlen, "%s: cannot create temporary file: %s", path, strerror(errno));
    free(tmp);
    free(data);
    return -1;
  }
  if (fwrite(data, 1, n, fp) != n) rc = -1;
  if (fclose(fp) && !rc) {
    rc = -1;
    what = "close";
  }
#endif
  if (!rc && rename(tmp, path)) {
    rc = -1;
    what = "rename";
  }
  if (rc) {
    if (err && errlen) snprintf(err, errlen, "%s: %s failed: %s", path, what, strerror(errno));
    remove(tmp);
  }
  free(tmp);
  free(data);
  return rc;
}

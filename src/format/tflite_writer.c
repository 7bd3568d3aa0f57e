/* SPDX-License-Identifier: Apache-2.0
 * .tflite writer: records a model (buffers, tensors, ops, signatures, metadata) and serializes it
 * with a back-to-front FlatBuffers builder of our own into TFLite's schema.fbs v3 ("TFL3"). */
#define _POSIX_C_SOURCE 200809L

#include "tflite_writer.h"

#include "flatbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__unix__) || defined(__APPLE__)
#define TL_WRITER_POSIX 1
#include <sys/stat.h>
#include <unistd.h>
#endif

/* =============================================================================================
 * Low-level FlatBuffers builder.
 *
 * Like the official builders it grows downwards: bytes are prepended, so every object is known
 * by its distance from the end of the buffer ("ref", > 0). A uoffset written at ref P pointing to
 * ref T stores P - T (always positive: children are created before their parents, so they sit
 * at higher addresses). Alignment is computed from the end; the final size is padded to the
 * largest alignment used (minalign), so alignment from the start is the same. Tables: fields are
 * pushed (scalars aligned to their size), then the soffset to the vtable, then the vtable
 * {vtable bytes, object bytes, field offsets...} which is shared with an identical earlier one.
 * ============================================================================================= */

#define FB_MAX_SIZE 0x7ffffff0u /* FlatBuffers' 2 GiB limit (signed 32-bit offsets) */
#define FB_MAX_FIELDS 64

typedef struct {
  uint8_t *buf; /* data occupies buf[cap - size, cap) */
  size_t cap, size, minalign;
  size_t tbl_start;
  int in_table, nfld;
  struct {
    uint16_t id;
    uint32_t pos;
  } fld[FB_MAX_FIELDS];
  uint32_t *vt; /* refs of vtables written so far, for deduplication */
  size_t nvt, capvt;
  const char *err; /* first error (static string), NULL if none */
} fbb;

static void fb_fail(fbb *f, const char *msg) {
  if (!f->err) f->err = msg;
}

/* Makes room for n more bytes and returns a pointer to them (the new front), or NULL on error. */
static uint8_t *fb_claim(fbb *f, size_t n) {
  if (f->err) return NULL;
  if (n > FB_MAX_SIZE || f->size + n > FB_MAX_SIZE) {
    fb_fail(f, "model exceeds the 2 GiB FlatBuffers limit");
    return NULL;
  }
  /* Reserve at least one byte so an empty builder's front is never NULL + 0. */
  if (f->cap - f->size < n || !f->buf) {
    size_t ncap = f->cap ? f->cap * 2 : 4096;
    while (ncap - f->size < n) ncap *= 2;
    uint8_t *nb = malloc(ncap);
    if (!nb) {
      fb_fail(f, "out of memory");
      return NULL;
    }
    if (f->size) memcpy(nb + ncap - f->size, f->buf + f->cap - f->size, f->size);
    free(f->buf);
    f->buf = nb;
    f->cap = ncap;
  }
  f->size += n;
  return f->buf + f->cap - f->size;
}

static void fb_pad(fbb *f, size_t n) {
  uint8_t *p = fb_claim(f, n);
  if (p) memset(p, 0, n);
}

/* Pads so that after writing `extra` more bytes the size is a multiple of align (power of 2). */
static void fb_prep(fbb *f, size_t align, size_t extra) {
  if (align > f->minalign) f->minalign = align;
  fb_pad(f, (size_t)(0 - (f->size + extra)) & (align - 1));
}

static void st_le(uint8_t *p, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void fb_push_le(fbb *f, uint64_t v, size_t n) {
  uint8_t *p = fb_claim(f, n);
  if (p) st_le(p, v, n);
}

static void fb_push_uoff(fbb *f, uint32_t ref) {
  fb_prep(f, 4, 0);
  if (ref == 0 || ref > f->size) {
    fb_fail(f, "internal error: bad reference");
    return;
  }
  fb_push_le(f, (uint64_t)(f->size + 4 - ref), 4);
}

static uint32_t fb_string(fbb *f, const char *s, size_t n) {
  if (f->in_table) fb_fail(f, "internal error: string inside table");
  fb_prep(f, 4, n + 1);
  uint8_t *p = fb_claim(f, n + 1);
  if (p) {
    if (n) memcpy(p, s, n);
    p[n] = 0;
  }
  fb_push_le(f, n, 4);
  return (uint32_t)f->size;
}

/* Vector of n scalars of esz bytes read from host memory; data aligned to max(esz, align). */
static uint32_t fb_vec(fbb *f, const void *data, size_t n, size_t esz, size_t align) {
  if (f->in_table) fb_fail(f, "internal error: vector inside table");
  if (n > FB_MAX_SIZE / (esz ? esz : 1)) {
    fb_fail(f, "vector too large");
    return 0;
  }
  size_t bytes = n * esz, a = align > esz ? align : esz;
  fb_prep(f, a < 4 ? 4 : a, bytes);
  uint8_t *p = fb_claim(f, bytes);
  if (p && bytes) {
    const uint8_t *s = data;
    if (esz == 1) {
      memcpy(p, s, bytes);
    } else {
      for (size_t i = 0; i < n; i++) { /* host order -> little-endian */
        uint64_t v = 0;
        if (esz == 2) {
          uint16_t t;
          memcpy(&t, s + i * 2, 2);
          v = t;
        } else if (esz == 4) {
          uint32_t t;
          memcpy(&t, s + i * 4, 4);
          v = t;
        } else {
          memcpy(&v, s + i * 8, 8);
        }
        st_le(p + i * esz, v, esz);
      }
    }
  }
  fb_push_le(f, n, 4);
  return (uint32_t)f->size;
}

static uint32_t fb_vec_refs(fbb *f, const uint32_t *refs, size_t n) {
  if (f->in_table) fb_fail(f, "internal error: vector inside table");
  fb_prep(f, 4, n * 4);
  for (size_t i = n; i-- > 0;) fb_push_uoff(f, refs[i]);
  fb_push_le(f, n, 4);
  return (uint32_t)f->size;
}

static void tb_start(fbb *f) {
  if (f->in_table) fb_fail(f, "internal error: nested table");
  f->in_table = 1;
  f->nfld = 0;
  f->tbl_start = f->size;
}

static void tb_rec(fbb *f, int id) {
  if (id < 0 || id >= FB_MAX_FIELDS || f->nfld >= FB_MAX_FIELDS) {
    fb_fail(f, "field id out of range");
    return;
  }
  for (int i = 0; i < f->nfld; i++)
    if (f->fld[i].id == id) {
      f->fld[i].pos = (uint32_t)f->size;
      return;
    }
  f->fld[f->nfld].id = (uint16_t)id;
  f->fld[f->nfld].pos = (uint32_t)f->size;
  f->nfld++;
}

static void tb_scalar(fbb *f, int id, uint64_t v, size_t n) {
  fb_prep(f, n, 0);
  fb_push_le(f, v, n);
  tb_rec(f, id);
}

static void tb_u8(fbb *f, int id, unsigned v) { tb_scalar(f, id, v & 0xffu, 1); }
static void tb_u32(fbb *f, int id, uint32_t v) { tb_scalar(f, id, v, 4); }
static void tb_i32(fbb *f, int id, int32_t v) { tb_scalar(f, id, (uint32_t)v, 4); }

static void tb_off(fbb *f, int id, uint32_t ref) {
  if (!ref) return; /* absent */
  fb_push_uoff(f, ref);
  tb_rec(f, id);
}

static uint32_t fb_read_u16(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }
static uint32_t fb_read_u32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Writes vtable bytes vtb (vt_len bytes, already little-endian) for the table whose soffset is at
 * ref obj, reusing an identical earlier vtable if there is one. */
static void fb_place_vtable(fbb *f, const uint8_t *vtb, size_t vt_len, uint32_t obj) {
  uint32_t use = 0;
  for (size_t i = 0; i < f->nvt && !f->err; i++) {
    uint32_t v = f->vt[i];
    const uint8_t *p = f->buf + f->cap - v;
    if (v >= vt_len && fb_read_u16(p) == vt_len && memcmp(p, vtb, vt_len) == 0) {
      use = v;
      break;
    }
  }
  if (!use) {
    uint8_t *p = fb_claim(f, vt_len); /* size is 4-aligned here: vtables need 2 */
    if (!p) return;
    memcpy(p, vtb, vt_len);
    use = (uint32_t)f->size;
    if (f->nvt == f->capvt) {
      size_t nc = f->capvt ? f->capvt * 2 : 64;
      uint32_t *nv = realloc(f->vt, nc * sizeof *nv);
      if (!nv) {
        fb_fail(f, "out of memory");
        return;
      }
      f->vt = nv;
      f->capvt = nc;
    }
    f->vt[f->nvt++] = use;
  }
  if (f->err) return;
  /* soffset at the table = table address - vtable address, i.e. use - obj in refs */
  st_le(f->buf + f->cap - obj, (uint32_t)((int64_t)use - (int64_t)obj), 4);
}

static uint32_t tb_end(fbb *f) {
  fb_prep(f, 4, 0);
  fb_push_le(f, 0, 4); /* soffset placeholder */
  uint32_t obj = (uint32_t)f->size;
  f->in_table = 0;
  if (f->err) return 0;
  int max_id = -1;
  for (int i = 0; i < f->nfld; i++)
    if (f->fld[i].id > max_id) max_id = f->fld[i].id;
  size_t vt_len = 4 + 2 * (size_t)(max_id + 1);
  size_t obj_size = obj - f->tbl_start;
  if (obj_size > 0xffff) {
    fb_fail(f, "table too large");
    return 0;
  }
  uint8_t vtb[4 + 2 * FB_MAX_FIELDS];
  memset(vtb, 0, sizeof vtb);
  st_le(vtb, vt_len, 2);
  st_le(vtb + 2, obj_size, 2);
  for (int i = 0; i < f->nfld; i++) st_le(vtb + 4 + 2 * f->fld[i].id, obj - f->fld[i].pos, 2);
  fb_place_vtable(f, vtb, vt_len, obj);
  return f->err ? 0 : obj;
}

static void fb_finish(fbb *f, uint32_t root, const char *ident) {
  fb_prep(f, f->minalign, 8);
  uint8_t *p = fb_claim(f, 4);
  if (p) memcpy(p, ident, 4);
  fb_push_uoff(f, root);
}

static void fb_free(fbb *f) {
  free(f->buf);
  free(f->vt);
}

/* =============================================================================================
 * Model description kept by the builder (deep copies of everything passed in).
 * ============================================================================================= */

typedef struct {
  uint8_t *data;
  size_t n;
} wbuf;

typedef struct {
  size_t n, nmm;
  float *scale, *min, *max;
  int64_t *zp;
  int32_t qdim;
} wquant;

typedef struct {
  int format, seg_type, idx_type;
  int32_t dense_size;
  void *seg, *idx;
  size_t n_seg, n_idx;
} wdim;

typedef struct {
  int32_t *order, *block;
  int n_order, n_block, n_dims;
  wdim *dims;
} wsparse;

typedef struct {
  char *name;
  int type, ndim, buffer, is_var;
  int32_t *dims, *sig;
  wquant *q;
  wsparse *sp;
} wtensor;

typedef struct {
  uint16_t id;
  uint8_t kind;
  int64_t i;
  double f;
  void *data;
  size_t n;
} wfield;

/* An options table copied verbatim from another FlatBuffer. */
typedef struct {
  uint8_t *vtb; /* vtable bytes as in the source (little-endian) */
  size_t vt_len;
  uint8_t *inl; /* the table's inline bytes, soffset included */
  size_t inl_len, src_mod8;
  struct rawref {
    uint16_t fo; /* field offset within the table */
    uint8_t esz; /* element size; 1 for strings */
    uint8_t str; /* 1 = string */
    uint8_t *data;
    size_t n;
  } refs[4];
  int nrefs;
} rawtab;

typedef struct {
  int opcode, n_in, n_out, n_inter, n_fields, has_custom;
  int32_t *in, *out, *inter;
  uint8_t opt_type, union2, has_opts;
  wfield *fields;
  rawtab *raw;
  uint8_t *custom;
  size_t n_custom;
} wop;

typedef struct {
  char *name;
  wtensor *t;
  int nt, capt;
  wop *ops;
  int nops, capops;
  int32_t *in, *out;
  int n_in, n_out, io_set;
} wsubgraph;

typedef struct {
  int builtin, version;
  char *custom;
} wopcode;

typedef struct {
  char *name;
  int buffer;
} wmeta;

typedef struct {
  char *key;
  int sg, n_in, n_out;
  char **in_names, **out_names;
  int32_t *in_t, *out_t;
} wsig;

struct tl_tfl_builder {
  wbuf *bufs;
  int nbufs, capbufs;
  wsubgraph *sgs;
  int nsg, capsg;
  wopcode *codes;
  int ncodes, capcodes;
  wmeta *meta;
  int nmeta, capmeta;
  wsig *sigs;
  int nsigs, capsigs;
  char *desc;
  int unchecked; /* tests of the reader: write malformed models as asked */
  char err[256];
};

static int fail(tl_tfl_builder *b, const char *fmt, ...) {
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

/* ---- public: options helpers ---------------------------------------------------------------- */

static int is_scalar_kind(int k) { return k >= TL_TFL_F_BOOL && k <= TL_TFL_F_F64; }
static int is_vec_kind(int k) { return k >= TL_TFL_F_VEC_U8 && k <= TL_TFL_F_VEC_F32; }

static size_t kind_size(int k) {
  switch (k) {
  case TL_TFL_F_BOOL:
  case TL_TFL_F_I8:
  case TL_TFL_F_U8:
  case TL_TFL_F_VEC_U8:
    return 1;
  case TL_TFL_F_I16:
  case TL_TFL_F_U16:
    return 2;
  case TL_TFL_F_I32:
  case TL_TFL_F_U32:
  case TL_TFL_F_F32:
  case TL_TFL_F_VEC_I32:
  case TL_TFL_F_VEC_F32:
    return 4;
  case TL_TFL_F_I64:
  case TL_TFL_F_U64:
  case TL_TFL_F_F64:
  case TL_TFL_F_VEC_I64:
    return 8;
  default:
    return 1;
  }
}

tl_tfl_options tl_tfl_opts_empty(int union_type) {
  tl_tfl_options o;
  memset(&o, 0, sizeof o);
  o.type = (uint8_t)union_type;
  return o;
}

static int opts_add(tl_tfl_options *o, int id, int kind, int64_t i, double f, const void *data, size_t n) {
  if (!o || o->n_fields >= TL_TFL_MAX_FIELDS || id < 0 || id >= FB_MAX_FIELDS) return -1;
  tl_tfl_field *fl = &o->fields[o->n_fields++];
  memset(fl, 0, sizeof *fl);
  fl->id = (uint16_t)id;
  fl->kind = (uint8_t)kind;
  fl->i = i;
  fl->f = f;
  fl->data = data;
  fl->n = n;
  return 0;
}

int tl_tfl_opts_set_int(tl_tfl_options *o, int id, tl_tfl_field_kind kind, int64_t v) {
  if (!is_scalar_kind((int)kind) || kind == TL_TFL_F_F32 || kind == TL_TFL_F_F64) return -1;
  return opts_add(o, id, (int)kind, v, 0.0, NULL, 0);
}

int tl_tfl_opts_set_float(tl_tfl_options *o, int id, tl_tfl_field_kind kind, double v) {
  if (kind != TL_TFL_F_F32 && kind != TL_TFL_F_F64) return -1;
  return opts_add(o, id, (int)kind, 0, v, NULL, 0);
}

int tl_tfl_opts_set_vec(tl_tfl_options *o, int id, tl_tfl_field_kind kind, const void *data, size_t n) {
  if (!is_vec_kind((int)kind) || (n && !data)) return -1;
  return opts_add(o, id, (int)kind, 0, 0.0, data, n);
}

int tl_tfl_opts_set_string(tl_tfl_options *o, int id, const char *s) {
  if (!s) return -1;
  return opts_add(o, id, TL_TFL_F_STRING, 0, 0.0, s, strlen(s));
}

/* The typed helpers omit fields equal to the schema default, like FlatBuffers' builders do. */
static void opt_i(tl_tfl_options *o, int id, int kind, int64_t v, int64_t dflt) {
  if (v != dflt) opts_add(o, id, kind, v, 0.0, NULL, 0);
}

tl_tfl_options tl_tfl_opts_conv2d(int padding, int stride_w, int stride_h, int activation, int dilation_w,
                                  int dilation_h) {
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_CONV2D);
  opt_i(&o, TL_SCH_OPT_CONV_PADDING, TL_TFL_F_I8, padding, 0);
  opt_i(&o, TL_SCH_OPT_CONV_STRIDE_W, TL_TFL_F_I32, stride_w, 0);
  opt_i(&o, TL_SCH_OPT_CONV_STRIDE_H, TL_TFL_F_I32, stride_h, 0);
  opt_i(&o, TL_SCH_OPT_CONV_ACTIVATION, TL_TFL_F_I8, activation, 0);
  opt_i(&o, TL_SCH_OPT_CONV_DILATION_W, TL_TFL_F_I32, dilation_w, 1);
  opt_i(&o, TL_SCH_OPT_CONV_DILATION_H, TL_TFL_F_I32, dilation_h, 1);
  return o;
}

tl_tfl_options tl_tfl_opts_depthwise_conv2d(int padding, int stride_w, int stride_h, int depth_multiplier,
                                            int activation, int dilation_w, int dilation_h) {
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_DEPTHWISE_CONV2D);
  opt_i(&o, TL_SCH_OPT_DW_PADDING, TL_TFL_F_I8, padding, 0);
  opt_i(&o, TL_SCH_OPT_DW_STRIDE_W, TL_TFL_F_I32, stride_w, 0);
  opt_i(&o, TL_SCH_OPT_DW_STRIDE_H, TL_TFL_F_I32, stride_h, 0);
  opt_i(&o, TL_SCH_OPT_DW_DEPTH_MULTIPLIER, TL_TFL_F_I32, depth_multiplier, 0);
  opt_i(&o, TL_SCH_OPT_DW_ACTIVATION, TL_TFL_F_I8, activation, 0);
  opt_i(&o, TL_SCH_OPT_DW_DILATION_W, TL_TFL_F_I32, dilation_w, 1);
  opt_i(&o, TL_SCH_OPT_DW_DILATION_H, TL_TFL_F_I32, dilation_h, 1);
  return o;
}

tl_tfl_options tl_tfl_opts_fully_connected(int activation, int weights_format, int keep_num_dims,
                                           int asymmetric_quantize_inputs) {
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_FULLY_CONNECTED);
  opt_i(&o, TL_SCH_OPT_FC_ACTIVATION, TL_TFL_F_I8, activation, 0);
  opt_i(&o, TL_SCH_OPT_FC_WEIGHTS_FORMAT, TL_TFL_F_I8, weights_format, 0);
  opt_i(&o, TL_SCH_OPT_FC_KEEP_NUM_DIMS, TL_TFL_F_BOOL, keep_num_dims != 0, 0);
  opt_i(&o, TL_SCH_OPT_FC_ASYMMETRIC_QUANTIZE_INPUTS, TL_TFL_F_BOOL, asymmetric_quantize_inputs != 0, 0);
  return o;
}

tl_tfl_options tl_tfl_opts_pool2d(int padding, int stride_w, int stride_h, int filter_w, int filter_h, int activation) {
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_POOL2D);
  opt_i(&o, TL_SCH_OPT_POOL_PADDING, TL_TFL_F_I8, padding, 0);
  opt_i(&o, TL_SCH_OPT_POOL_STRIDE_W, TL_TFL_F_I32, stride_w, 0);
  opt_i(&o, TL_SCH_OPT_POOL_STRIDE_H, TL_TFL_F_I32, stride_h, 0);
  opt_i(&o, TL_SCH_OPT_POOL_FILTER_W, TL_TFL_F_I32, filter_w, 0);
  opt_i(&o, TL_SCH_OPT_POOL_FILTER_H, TL_TFL_F_I32, filter_h, 0);
  opt_i(&o, TL_SCH_OPT_POOL_ACTIVATION, TL_TFL_F_I8, activation, 0);
  return o;
}

tl_tfl_options tl_tfl_opts_reshape(const int32_t *new_shape, int n) {
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_RESHAPE);
  if (new_shape && n >= 0)
    tl_tfl_opts_set_vec(&o, TL_SCH_OPT_RESHAPE_NEW_SHAPE, TL_TFL_F_VEC_I32, new_shape, (size_t)n);
  return o;
}

tl_tfl_options tl_tfl_opts_softmax(float beta) {
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_SOFTMAX);
  if (beta != 0.0f) opts_add(&o, TL_SCH_OPT_SOFTMAX_BETA, TL_TFL_F_F32, 0, beta, NULL, 0);
  return o;
}

static tl_tfl_options arith(int type, int activation) {
  tl_tfl_options o = tl_tfl_opts_empty(type);
  opt_i(&o, TL_SCH_OPT_ARITH_ACTIVATION, TL_TFL_F_I8, activation, 0);
  return o;
}

tl_tfl_options tl_tfl_opts_add(int activation) { return arith(TL_TFL_OPT_ADD, activation); }
tl_tfl_options tl_tfl_opts_sub(int activation) { return arith(TL_TFL_OPT_SUB, activation); }
tl_tfl_options tl_tfl_opts_mul(int activation) { return arith(TL_TFL_OPT_MUL, activation); }

tl_tfl_options tl_tfl_opts_concatenation(int axis, int activation) {
  tl_tfl_options o = tl_tfl_opts_empty(TL_TFL_OPT_CONCATENATION);
  opt_i(&o, TL_SCH_OPT_CONCAT_AXIS, TL_TFL_F_I32, axis, 0);
  opt_i(&o, TL_SCH_OPT_CONCAT_ACTIVATION, TL_TFL_F_I8, activation, 0);
  return o;
}

tl_tfl_options tl_tfl_opts_quantize(void) { return tl_tfl_opts_empty(TL_TFL_OPT_QUANTIZE); }
tl_tfl_options tl_tfl_opts_dequantize(void) { return tl_tfl_opts_empty(TL_TFL_OPT_DEQUANTIZE); }

tl_tfl_options tl_tfl_opts_raw(int union_type, const uint8_t *buf, size_t len, size_t table_pos) {
  tl_tfl_options o = tl_tfl_opts_empty(union_type);
  o.raw_buf = buf;
  o.raw_len = len;
  o.raw_table = table_pos;
  return o;
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
  if (n && !data) return fail(b, "add_buffer: NULL data with %zu bytes", n);
  if (n > FB_MAX_SIZE) return fail(b, "add_buffer: %zu bytes exceed the 2 GiB FlatBuffers limit", n);
  if (grow((void **)&b->bufs, &b->capbufs, b->nbufs, sizeof *b->bufs)) return fail(b, "out of memory");
  wbuf *w = &b->bufs[b->nbufs];
  w->n = n;
  w->data = n ? dup_mem(data, n) : NULL;
  if (n && !w->data) return fail(b, "out of memory (buffer of %zu bytes)", n);
  return b->nbufs++;
}

int tl_tfl_add_subgraph(tl_tfl_builder *b, const char *name) {
  if (!b) return -1;
  if (grow((void **)&b->sgs, &b->capsg, b->nsg, sizeof *b->sgs)) return fail(b, "out of memory");
  wsubgraph *g = &b->sgs[b->nsg];
  memset(g, 0, sizeof *g);
  if (name && !(g->name = dup_str(name))) return fail(b, "out of memory");
  return b->nsg++;
}

int tl_tfl_set_subgraph_name(tl_tfl_builder *b, int subgraph, const char *name) {
  wsubgraph *g = get_sg(b, subgraph);
  if (!g) return fail(b, "set_subgraph_name: no subgraph %d", subgraph);
  char *n = NULL;
  if (name && !(n = dup_str(name))) return fail(b, "out of memory");
  free(g->name);
  g->name = n;
  return 0;
}

int tl_tfl_add_tensor(tl_tfl_builder *b, int subgraph, const char *name, int type, int ndim, const int32_t *dims,
                      const int32_t *shape_signature, int buffer, const tl_tfl_quant *q, int is_variable) {
  wsubgraph *g = get_sg(b, subgraph);
  const char *nm = name ? name : "(unnamed)";
  if (!g) return fail(b, "add_tensor %s: no subgraph %d", nm, subgraph);
  if (type < 0 || type > 127) return fail(b, "add_tensor %s: bad type %d", nm, type);
  if (ndim < 0 || ndim > 64 || (ndim > 0 && !dims)) return fail(b, "add_tensor %s: bad rank %d", nm, ndim);
  for (int i = 0; i < ndim; i++)
    if (dims[i] < 0 && !b->unchecked)
      return fail(b, "add_tensor %s: negative dim %d (use shape_signature for -1)", nm, i);
  if (buffer < 0) return fail(b, "add_tensor %s: bad buffer index %d", nm, buffer);
  if (q && q->n && !q->scale) return fail(b, "add_tensor %s: quantization without scales", nm);
  if (q && q->n_minmax && (!q->min || !q->max)) return fail(b, "add_tensor %s: quantization min/max NULL", nm);
  if (q && q->n > 1 && !b->unchecked &&
      (q->quantized_dimension < 0 || q->quantized_dimension >= ndim || (size_t)dims[q->quantized_dimension] != q->n))
    return fail(b, "add_tensor %s: %zu scales do not match dimension %d of the shape", nm, q->n,
                (int)q->quantized_dimension);
  if (grow((void **)&g->t, &g->capt, g->nt, sizeof *g->t)) return fail(b, "out of memory");
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
    return fail(b, "out of memory");
  }
  return g->nt++;
}

int tl_tfl_add_const_tensor(tl_tfl_builder *b, int subgraph, const char *name, int type, int ndim, const int32_t *dims,
                            const void *data, size_t nbytes, const tl_tfl_quant *q) {
  int buf = tl_tfl_add_buffer(b, data, nbytes);
  if (buf < 0) return -1;
  return tl_tfl_add_tensor(b, subgraph, name, type, ndim, dims, NULL, buf, q, 0);
}

static size_t index_size(int type) {
  return type == TL_TFL_SPARSE_INDEX_I32 ? 4 : type == TL_TFL_SPARSE_INDEX_U16 ? 2 : 1;
}

int tl_tfl_set_tensor_sparsity(tl_tfl_builder *b, int subgraph, int tensor, const tl_tfl_sparsity *sp) {
  wsubgraph *g = get_sg(b, subgraph);
  if (!g || tensor < 0 || tensor >= g->nt)
    return fail(b, "set_tensor_sparsity: no tensor %d in subgraph %d", tensor, subgraph);
  if (!sp || sp->n_traversal_order < 0 || sp->n_block_map < 0 || sp->n_dim_metadata < 0 ||
      (sp->n_dim_metadata && !sp->dim_metadata))
    return fail(b, "set_tensor_sparsity: bad sparsity description for tensor %d", tensor);
  wsparse *w = calloc(1, sizeof *w);
  if (!w) return fail(b, "out of memory");
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
      return fail(b, "set_tensor_sparsity: bad dimension metadata %d for tensor %d", i, tensor);
    }
    if (o->seg_type) bad |= !(o->seg = dup_mem(d->segments, o->n_seg * index_size(o->seg_type)));
    if (o->idx_type) bad |= !(o->idx = dup_mem(d->indices, o->n_idx * index_size(o->idx_type)));
  }
  if (bad) {
    free_sparse(w);
    return fail(b, "out of memory or NULL arrays in sparsity of tensor %d", tensor);
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
  if (o->union2) return fail(b, "add_op: raw copy of builtin_options_2 tables is not supported");
  if (o->type == 0 || o->type > TL_TFL_OPT_LAST)
    return fail(b, "add_op: raw options of unknown union type %d", o->type);
  if (tp % 4 || tp > len || len - tp < 4) return fail(b, "add_op: raw options table at %zu out of range", tp);
  int64_t vtp = (int64_t)tp - (int32_t)fb_read_u32(buf + tp);
  if (vtp < 0 || vtp % 2 || (uint64_t)vtp + 4 > len) return fail(b, "add_op: raw options vtable out of range");
  size_t vt_len = fb_read_u16(buf + vtp), obj = fb_read_u16(buf + vtp + 2);
  if (vt_len < 4 || vt_len % 2 || (size_t)vtp + vt_len > len || obj < 4 || obj > len - tp)
    return fail(b, "add_op: raw options vtable malformed");
  rawtab *r = calloc(1, sizeof *r);
  if (!r) return fail(b, "out of memory");
  *out = r; /* freed by the caller's cleanup on failure */
  r->vt_len = vt_len;
  r->inl_len = obj;
  r->src_mod8 = tp % 8;
  r->vtb = dup_mem(buf + vtp, vt_len);
  r->inl = dup_mem(buf + tp, obj);
  if (!r->vtb || !r->inl) return fail(b, "out of memory");
  memset(r->inl, 0, 4); /* the soffset is rewritten */
  st_le(r->vtb + 2, obj, 2);
  for (size_t id = 0; id < (vt_len - 4) / 2; id++) {
    size_t fo = fb_read_u16(buf + vtp + 4 + 2 * id);
    if (fo && (fo < 4 || fo >= obj)) return fail(b, "add_op: raw options field %zu out of table", id);
  }
  for (size_t k = 0; k < sizeof k_offset_fields / sizeof k_offset_fields[0]; k++) {
    if (k_offset_fields[k].type != o->type) continue;
    size_t id = k_offset_fields[k].id;
    if (4 + 2 * id + 2 > vt_len) continue;
    size_t fo = fb_read_u16(buf + vtp + 4 + 2 * id);
    if (!fo) continue;
    if (fo + 4 > obj) return fail(b, "add_op: raw options offset field %zu out of table", id);
    uint64_t target = (uint64_t)tp + fo + fb_read_u32(buf + tp + fo);
    if (target + 4 > len) return fail(b, "add_op: raw options vector out of range");
    uint64_t n = fb_read_u32(buf + target), esz = k_offset_fields[k].esz;
    if (n > (len - target - 4) / esz || (k_offset_fields[k].str && target + 4 + n >= len))
      return fail(b, "add_op: raw options vector out of range");
    struct rawref *rr = &r->refs[r->nrefs++];
    rr->fo = (uint16_t)fo;
    rr->esz = (uint8_t)esz;
    rr->str = k_offset_fields[k].str;
    rr->n = (size_t)n;
    rr->data = dup_mem(buf + target + 4, (size_t)(n * esz)); /* little-endian bytes kept as is */
    if (!rr->data) return fail(b, "out of memory");
  }
  return 0;
}

static int add_op_common(tl_tfl_builder *b, int subgraph, int code, const char *custom, int version,
                         const int32_t *inputs, int n_in, const int32_t *outputs, int n_out, const tl_tfl_options *opts,
                         const uint8_t *cust, size_t n_cust) {
  wsubgraph *g = get_sg(b, subgraph);
  if (!g) return fail(b, "add_op: no subgraph %d", subgraph);
  if (version < 1) return fail(b, "add_op (code %d): version %d < 1", code, version);
  if (n_in < 0 || n_out < 0 || (n_in && !inputs) || (n_out && !outputs))
    return fail(b, "add_op (code %d): bad input/output lists", code);
  if (n_cust && !cust) return fail(b, "add_op: NULL custom options");
  if (grow((void **)&g->ops, &g->capops, g->nops, sizeof *g->ops)) return fail(b, "out of memory");
  int oc = opcode_index(b, code, custom, version);
  if (oc < 0) return fail(b, "out of memory");
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
    return fail(b, "out of memory");
  }
  if (opts && (opts->type || opts->n_fields || opts->raw_buf)) {
    o->has_opts = 1;
    o->opt_type = opts->type;
    o->union2 = opts->union2 != 0;
    if (!opts->type) {
      free_op(o);
      return fail(b, "add_op (code %d): options without a union type", code);
    }
    if (opts->raw_buf) {
      if (copy_raw_table(b, opts, &o->raw)) {
        free_op(o);
        return -1;
      }
    } else if (opts->n_fields) {
      if (opts->n_fields > TL_TFL_MAX_FIELDS) {
        free_op(o);
        return fail(b, "add_op (code %d): too many option fields", code);
      }
      o->fields = calloc(opts->n_fields, sizeof *o->fields);
      if (!o->fields) {
        free_op(o);
        return fail(b, "out of memory");
      }
      for (int i = 0; i < opts->n_fields; i++) {
        const tl_tfl_field *s = &opts->fields[i];
        wfield *d = &o->fields[o->n_fields++];
        d->id = s->id;
        d->kind = s->kind;
        d->i = s->i;
        d->f = s->f;
        d->n = s->n;
        if (s->id >= FB_MAX_FIELDS || s->kind > TL_TFL_F_STRING) {
          free_op(o);
          return fail(b, "add_op (code %d): bad option field id %d kind %d", code, s->id, s->kind);
        }
        if (!is_scalar_kind(s->kind)) {
          size_t bytes = s->n * kind_size(s->kind);
          if (s->n && !s->data) {
            free_op(o);
            return fail(b, "add_op (code %d): option field %d has NULL data", code, s->id);
          }
          if (!(d->data = dup_mem(s->data, bytes))) {
            free_op(o);
            return fail(b, "out of memory");
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
  if (builtin_code < 0 || builtin_code > 0x7fff || builtin_code == TL_TFL_OP_CUSTOM)
    return fail(b, "add_op: bad builtin code %d (CUSTOM ops: tl_tfl_add_custom_op)", builtin_code);
  return add_op_common(b, subgraph, builtin_code, NULL, version, inputs, n_in, outputs, n_out, opts, NULL, 0);
}

int tl_tfl_add_custom_op(tl_tfl_builder *b, int subgraph, const char *custom_code, int version, const int32_t *inputs,
                         int n_in, const int32_t *outputs, int n_out, const uint8_t *custom_options, size_t n_custom) {
  if (!b) return -1;
  if (!custom_code || !custom_code[0]) return fail(b, "add_custom_op: empty custom code");
  return add_op_common(b, subgraph, TL_TFL_OP_CUSTOM, custom_code, version, inputs, n_in, outputs, n_out, NULL,
                       custom_options, n_custom);
}

int tl_tfl_set_op_intermediates(tl_tfl_builder *b, int subgraph, int op, const int32_t *t, int n) {
  wsubgraph *g = get_sg(b, subgraph);
  if (!g || op < 0 || op >= g->nops) return fail(b, "set_op_intermediates: no op %d in subgraph %d", op, subgraph);
  int32_t *c = NULL;
  if (dup_i32(&c, t, n)) return fail(b, "set_op_intermediates: bad list");
  free(g->ops[op].inter);
  g->ops[op].inter = c;
  g->ops[op].n_inter = n;
  return 0;
}

int tl_tfl_set_io(tl_tfl_builder *b, int subgraph, const int32_t *inputs, int n_in, const int32_t *outputs, int n_out) {
  wsubgraph *g = get_sg(b, subgraph);
  if (!g) return fail(b, "set_io: no subgraph %d", subgraph);
  int32_t *in = NULL, *out = NULL;
  if (dup_i32(&in, inputs, n_in) || dup_i32(&out, outputs, n_out)) {
    free(in);
    return fail(b, "set_io: bad input/output lists");
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
  if (!key) return fail(b, "add_signature: NULL key");
  if (n_in < 0 || n_out < 0) return fail(b, "add_signature %s: bad counts", key);
  if (grow((void **)&b->sigs, &b->capsigs, b->nsigs, sizeof *b->sigs)) return fail(b, "out of memory");
  wsig *s = &b->sigs[b->nsigs];
  memset(s, 0, sizeof *s);
  s->sg = subgraph;
  s->n_in = n_in;
  s->n_out = n_out;
  int bad = !(s->key = dup_str(key)) || dup_names(&s->in_names, in_names, n_in) ||
            dup_names(&s->out_names, out_names, n_out) || dup_i32(&s->in_t, in_tensors, n_in) ||
            dup_i32(&s->out_t, out_tensors, n_out);
  b->nsigs++; /* kept even when incomplete, so tl_tfl_builder_free releases it */
  if (bad) return fail(b, "add_signature %s: NULL name/tensor list or out of memory", key);
  return b->nsigs - 1;
}

int tl_tfl_add_metadata(tl_tfl_builder *b, const char *name, int buffer) {
  if (!b) return -1;
  if (!name) return fail(b, "add_metadata: NULL name");
  if (buffer < 0) return fail(b, "add_metadata %s: bad buffer %d", name, buffer);
  if (grow((void **)&b->meta, &b->capmeta, b->nmeta, sizeof *b->meta)) return fail(b, "out of memory");
  wmeta *m = &b->meta[b->nmeta];
  m->buffer = buffer;
  if (!(m->name = dup_str(name))) return fail(b, "out of memory");
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
  if (description && !(d = dup_str(description))) return fail(b, "out of memory");
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

/* =============================================================================================
 * Validation and serialization.
 * ============================================================================================= */

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
    if (op >= 0) return fail(b, "subgraph %d op %d: %s %d refers to tensor %d of %d", s, op, what, i, t[i], g->nt);
    return fail(b, "subgraph %d: %s %d refers to tensor %d of %d", s, what, i, t[i], g->nt);
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
        return fail(b, "subgraph %d tensor %d (%s): buffer %d of %d", s, i, nm, t->buffer, b->nbufs);
      size_t have = b->bufs[t->buffer].n, esz = type_size(t->type);
      if (t->buffer > 0 && have > 0 && esz && !t->sp) {
        uint64_t count = 1;
        for (int d = 0; d < t->ndim; d++) count *= (uint64_t)t->dims[d];
        if (count * esz != have)
          return fail(b, "subgraph %d tensor %d (%s): buffer %d holds %zu bytes, shape needs %llu", s, i, nm, t->buffer,
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
    if (s == 0 && (!g->io_set || g->n_out == 0)) return fail(b, "subgraph 0 has no outputs (call tl_tfl_set_io)");
    if (check_tensor_list(b, g, s, g->in, g->n_in, 0, "graph input", -1) ||
        check_tensor_list(b, g, s, g->out, g->n_out, 0, "graph output", -1))
      return -1;
  }
  for (int i = 0; i < b->nmeta; i++)
    if (b->meta[i].buffer >= b->nbufs)
      return fail(b, "metadata %s: buffer %d of %d", b->meta[i].name, b->meta[i].buffer, b->nbufs);
  for (int i = 0; i < b->nsigs; i++) {
    const wsig *sg = &b->sigs[i];
    if (sg->sg < 0 || sg->sg >= b->nsg) return fail(b, "signature %s: no subgraph %d", sg->key, sg->sg);
    const wsubgraph *g = &b->sgs[sg->sg];
    if (check_tensor_list(b, g, sg->sg, sg->in_t, sg->n_in, 0, "signature input", -1) ||
        check_tensor_list(b, g, sg->sg, sg->out_t, sg->n_out, 0, "signature output", -1))
      return -1;
  }
  return 0;
}

static uint32_t ser_string(fbb *f, const char *s) { return s ? fb_string(f, s, strlen(s)) : 0; }

static uint32_t ser_i32vec(fbb *f, const int32_t *v, int n) { return fb_vec(f, v, (size_t)n, 4, 4); }

static uint32_t ser_quant(fbb *f, const wquant *q) {
  uint32_t rmin = 0, rmax = 0, rscale = 0, rzp = 0;
  if (q->nmm) {
    rmin = fb_vec(f, q->min, q->nmm, 4, 4);
    rmax = fb_vec(f, q->max, q->nmm, 4, 4);
  }
  if (q->n) {
    rscale = fb_vec(f, q->scale, q->n, 4, 4);
    rzp = fb_vec(f, q->zp, q->n, 8, 8);
  }
  tb_start(f);
  tb_off(f, TL_SCH_QUANT_MIN, rmin);
  tb_off(f, TL_SCH_QUANT_MAX, rmax);
  tb_off(f, TL_SCH_QUANT_SCALE, rscale);
  tb_off(f, TL_SCH_QUANT_ZERO_POINT, rzp);
  if (q->qdim) tb_i32(f, TL_SCH_QUANT_QUANTIZED_DIMENSION, q->qdim);
  return tb_end(f);
}

/* SparseIndexVector union member table {values}; u16/u8 vectors have force_align 4. */
static uint32_t ser_index_vec(fbb *f, int type, const void *v, size_t n) {
  uint32_t rv = fb_vec(f, v, n, index_size(type), 4);
  tb_start(f);
  tb_off(f, TL_SCH_INDEXVEC_VALUES, rv);
  return tb_end(f);
}

static uint32_t ser_sparsity(fbb *f, const wsparse *sp) {
  uint32_t *refs = calloc((size_t)(sp->n_dims ? sp->n_dims : 1), sizeof *refs);
  if (!refs) {
    fb_fail(f, "out of memory");
    return 0;
  }
  for (int i = 0; i < sp->n_dims; i++) {
    const wdim *d = &sp->dims[i];
    uint32_t rs = d->seg_type ? ser_index_vec(f, d->seg_type, d->seg, d->n_seg) : 0;
    uint32_t ri = d->idx_type ? ser_index_vec(f, d->idx_type, d->idx, d->n_idx) : 0;
    tb_start(f);
    if (d->dense_size) tb_i32(f, TL_SCH_DIMMETA_DENSE_SIZE, d->dense_size);
    tb_off(f, TL_SCH_DIMMETA_ARRAY_SEGMENTS, rs);
    tb_off(f, TL_SCH_DIMMETA_ARRAY_INDICES, ri);
    if (d->format) tb_u8(f, TL_SCH_DIMMETA_FORMAT, (unsigned)d->format);
    if (rs) tb_u8(f, TL_SCH_DIMMETA_ARRAY_SEGMENTS_TYPE, (unsigned)d->seg_type);
    if (ri) tb_u8(f, TL_SCH_DIMMETA_ARRAY_INDICES_TYPE, (unsigned)d->idx_type);
    refs[i] = tb_end(f);
  }
  uint32_t rdims = fb_vec_refs(f, refs, (size_t)sp->n_dims);
  free(refs);
  uint32_t rorder = ser_i32vec(f, sp->order, sp->n_order);
  uint32_t rblock = sp->n_block ? ser_i32vec(f, sp->block, sp->n_block) : 0;
  tb_start(f);
  tb_off(f, TL_SCH_SPARSITY_TRAVERSAL_ORDER, rorder);
  tb_off(f, TL_SCH_SPARSITY_BLOCK_MAP, rblock);
  tb_off(f, TL_SCH_SPARSITY_DIM_METADATA, rdims);
  return tb_end(f);
}

static uint32_t ser_tensor(fbb *f, const wtensor *t) {
  uint32_t rsp = t->sp ? ser_sparsity(f, t->sp) : 0;
  uint32_t rname = ser_string(f, t->name);
  uint32_t rshape = ser_i32vec(f, t->dims, t->ndim);
  uint32_t rsig = t->sig ? ser_i32vec(f, t->sig, t->ndim) : 0;
  uint32_t rq = t->q ? ser_quant(f, t->q) : 0;
  tb_start(f);
  tb_off(f, TL_SCH_TENSOR_SHAPE, rshape);
  if (t->buffer) tb_u32(f, TL_SCH_TENSOR_BUFFER, (uint32_t)t->buffer);
  tb_off(f, TL_SCH_TENSOR_NAME, rname);
  tb_off(f, TL_SCH_TENSOR_QUANTIZATION, rq);
  tb_off(f, TL_SCH_TENSOR_SHAPE_SIGNATURE, rsig);
  tb_off(f, TL_SCH_TENSOR_SPARSITY, rsp);
  if (t->type) tb_u8(f, TL_SCH_TENSOR_TYPE, (unsigned)t->type);
  if (t->is_var) tb_u8(f, TL_SCH_TENSOR_IS_VARIABLE, 1);
  tb_u8(f, TL_SCH_TENSOR_HAS_RANK, 1); /* every tensor we write has a known rank */
  return tb_end(f);
}

/* Options table from a field list: vectors/strings first, then scalars largest first (packing). */
static uint32_t ser_fields(fbb *f, const wop *o) {
  uint32_t refs[TL_TFL_MAX_FIELDS] = {0};
  for (int i = 0; i < o->n_fields; i++) {
    const wfield *w = &o->fields[i];
    if (w->kind == TL_TFL_F_STRING)
      refs[i] = fb_string(f, w->data, w->n);
    else if (is_vec_kind(w->kind))
      refs[i] = fb_vec(f, w->data, w->n, kind_size(w->kind), 4);
  }
  tb_start(f);
  for (int i = 0; i < o->n_fields; i++)
    if (refs[i]) tb_off(f, o->fields[i].id, refs[i]);
  for (size_t sz = 8; sz >= 1; sz /= 2) {
    for (int i = 0; i < o->n_fields; i++) {
      const wfield *w = &o->fields[i];
      if (!is_scalar_kind(w->kind) || kind_size(w->kind) != sz) continue;
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
      tb_scalar(f, w->id, v, sz);
    }
  }
  return tb_end(f);
}

/* Verbatim copy of a decoded raw options table (see copy_raw_table). */
static uint32_t ser_raw(fbb *f, const rawtab *r) {
  uint32_t refs[4] = {0};
  for (int i = 0; i < r->nrefs; i++) {
    const struct rawref *rr = &r->refs[i];
    /* data is little-endian already: write it as bytes with the element alignment */
    refs[i] = rr->str ? fb_string(f, (const char *)rr->data, rr->n) : fb_vec(f, rr->data, rr->n * rr->esz, 1, rr->esz);
    if (!rr->str && !f->err) st_le(f->buf + f->cap - refs[i], rr->n, 4); /* element count */
  }
  /* Keep the table's position mod 8 equal to the source's so 8-byte fields stay aligned:
     * with the final size a multiple of minalign (>= 8), address = total - ref. */
  if (f->minalign < 8) f->minalign = 8;
  size_t pad = (size_t)(0 - (r->src_mod8 + f->size + r->inl_len)) & 7;
  fb_pad(f, pad);
  uint8_t *p = fb_claim(f, r->inl_len);
  if (!p) return 0;
  memcpy(p, r->inl, r->inl_len);
  uint32_t obj = (uint32_t)f->size;
  for (int i = 0; i < r->nrefs; i++) {
    uint32_t at = obj - r->refs[i].fo; /* ref of the uoffset field */
    st_le(f->buf + f->cap - at, (uint64_t)(at - refs[i]), 4);
  }
  fb_place_vtable(f, r->vtb, r->vt_len, obj);
  return f->err ? 0 : obj;
}

static uint32_t ser_op(fbb *f, const wop *o) {
  uint32_t rin = ser_i32vec(f, o->in, o->n_in);
  uint32_t rout = ser_i32vec(f, o->out, o->n_out);
  uint32_t rinter = o->n_inter ? ser_i32vec(f, o->inter, o->n_inter) : 0;
  uint32_t rcust = o->has_custom ? fb_vec(f, o->custom, o->n_custom, 1, 1) : 0;
  uint32_t ropt = 0;
  if (o->has_opts) ropt = o->raw ? ser_raw(f, o->raw) : ser_fields(f, o);
  tb_start(f);
  if (o->opcode) tb_u32(f, TL_SCH_OP_OPCODE_INDEX, (uint32_t)o->opcode);
  tb_off(f, TL_SCH_OP_INPUTS, rin);
  tb_off(f, TL_SCH_OP_OUTPUTS, rout);
  tb_off(f, o->union2 ? TL_SCH_OP_BUILTIN_OPTIONS_2 : TL_SCH_OP_BUILTIN_OPTIONS, ropt);
  tb_off(f, TL_SCH_OP_CUSTOM_OPTIONS, rcust);
  tb_off(f, TL_SCH_OP_INTERMEDIATES, rinter);
  if (ropt) tb_u8(f, o->union2 ? TL_SCH_OP_BUILTIN_OPTIONS_2_TYPE : TL_SCH_OP_BUILTIN_OPTIONS_TYPE, o->opt_type);
  return tb_end(f);
}

static uint32_t ser_subgraph(fbb *f, const wsubgraph *g, uint32_t *scratch) {
  for (int i = 0; i < g->nt; i++) scratch[i] = ser_tensor(f, &g->t[i]);
  uint32_t rt = fb_vec_refs(f, scratch, (size_t)g->nt);
  for (int i = 0; i < g->nops; i++) scratch[i] = ser_op(f, &g->ops[i]);
  uint32_t rops = fb_vec_refs(f, scratch, (size_t)g->nops);
  uint32_t rin = ser_i32vec(f, g->in, g->n_in);
  uint32_t rout = ser_i32vec(f, g->out, g->n_out);
  uint32_t rname = ser_string(f, g->name);
  tb_start(f);
  tb_off(f, TL_SCH_SUBGRAPH_TENSORS, rt);
  tb_off(f, TL_SCH_SUBGRAPH_INPUTS, rin);
  tb_off(f, TL_SCH_SUBGRAPH_OUTPUTS, rout);
  tb_off(f, TL_SCH_SUBGRAPH_OPERATORS, rops);
  tb_off(f, TL_SCH_SUBGRAPH_NAME, rname);
  return tb_end(f);
}

static uint32_t ser_tensormaps(fbb *f, char *const *names, const int32_t *t, int n, uint32_t *scratch) {
  for (int i = 0; i < n; i++) {
    uint32_t rn = ser_string(f, names[i]);
    tb_start(f);
    tb_off(f, TL_SCH_TENSORMAP_NAME, rn);
    if (t[i]) tb_u32(f, TL_SCH_TENSORMAP_TENSOR_INDEX, (uint32_t)t[i]);
    scratch[i] = tb_end(f);
  }
  return fb_vec_refs(f, scratch, (size_t)n);
}

/* Builds the whole file. Objects created first end up last in the file: buffers (bulk data) go to
 * the end as in TFLite's converter output, the model table and small tables near the front. */
static int serialize(tl_tfl_builder *b, fbb *f) {
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
    return fail(b, "out of memory");
  }

  /* buffers: data vectors aligned to 16 (schema: force_align: 16) */
  for (int i = 0; i < b->nbufs; i++) {
    uint32_t rd = b->bufs[i].n ? fb_vec(f, b->bufs[i].data, b->bufs[i].n, 1, 16) : 0;
    tb_start(f);
    tb_off(f, TL_SCH_BUFFER_DATA, rd);
    scratch[i] = tb_end(f);
  }
  uint32_t rbufs = fb_vec_refs(f, scratch, (size_t)b->nbufs);

  /* subgraphs (a second scratch array holds the subgraph refs) */
  for (int s = 0; s < b->nsg; s++) scratch2[s] = ser_subgraph(f, &b->sgs[s], scratch);
  uint32_t rsgs = fb_vec_refs(f, scratch2, (size_t)b->nsg);

  /* operator codes: both the deprecated int8 code (capped at 127, the placeholder for larger
     * codes) and the int32 builtin_code, as TFLite >= 2.4 writes them */
  for (int i = 0; i < b->ncodes; i++) {
    const wopcode *c = &b->codes[i];
    uint32_t rc = ser_string(f, c->custom);
    tb_start(f);
    if (c->builtin) tb_i32(f, TL_SCH_OPCODE_BUILTIN_CODE, c->builtin);
    if (c->version != 1) tb_i32(f, TL_SCH_OPCODE_VERSION, c->version);
    tb_off(f, TL_SCH_OPCODE_CUSTOM_CODE, rc);
    int dep = c->builtin < 127 ? c->builtin : 127;
    if (dep) tb_u8(f, TL_SCH_OPCODE_DEPRECATED_BUILTIN_CODE, (unsigned)dep);
    scratch[i] = tb_end(f);
  }
  uint32_t rcodes = fb_vec_refs(f, scratch, (size_t)b->ncodes);

  uint32_t rmeta = 0, rsigs = 0;
  if (b->nmeta) {
    for (int i = 0; i < b->nmeta; i++) {
      uint32_t rn = ser_string(f, b->meta[i].name);
      tb_start(f);
      tb_off(f, TL_SCH_METADATA_NAME, rn);
      if (b->meta[i].buffer) tb_u32(f, TL_SCH_METADATA_BUFFER, (uint32_t)b->meta[i].buffer);
      scratch2[i] = tb_end(f);
    }
    rmeta = fb_vec_refs(f, scratch2, (size_t)b->nmeta);
  }
  if (b->nsigs) {
    uint32_t *sigrefs = calloc((size_t)b->nsigs, sizeof *sigrefs);
    if (!sigrefs) {
      free(scratch);
      free(scratch2);
      return fail(b, "out of memory");
    }
    for (int i = 0; i < b->nsigs; i++) {
      const wsig *s = &b->sigs[i];
      uint32_t rin = ser_tensormaps(f, s->in_names, s->in_t, s->n_in, scratch);
      uint32_t rout = ser_tensormaps(f, s->out_names, s->out_t, s->n_out, scratch);
      uint32_t rkey = ser_string(f, s->key);
      tb_start(f);
      tb_off(f, TL_SCH_SIGDEF_INPUTS, rin);
      tb_off(f, TL_SCH_SIGDEF_OUTPUTS, rout);
      tb_off(f, TL_SCH_SIGDEF_SIGNATURE_KEY, rkey);
      if (s->sg) tb_u32(f, TL_SCH_SIGDEF_SUBGRAPH_INDEX, (uint32_t)s->sg);
      sigrefs[i] = tb_end(f);
    }
    rsigs = fb_vec_refs(f, sigrefs, (size_t)b->nsigs);
    free(sigrefs);
  }
  free(scratch);
  free(scratch2);

  uint32_t rdesc = ser_string(f, b->desc);
  tb_start(f);
  tb_u32(f, TL_SCH_MODEL_VERSION, TL_TFL_SCHEMA_VERSION);
  tb_off(f, TL_SCH_MODEL_OPERATOR_CODES, rcodes);
  tb_off(f, TL_SCH_MODEL_SUBGRAPHS, rsgs);
  tb_off(f, TL_SCH_MODEL_DESCRIPTION, rdesc);
  tb_off(f, TL_SCH_MODEL_BUFFERS, rbufs);
  tb_off(f, TL_SCH_MODEL_METADATA, rmeta);
  tb_off(f, TL_SCH_MODEL_SIGNATURE_DEFS, rsigs);
  uint32_t root = tb_end(f);
  fb_finish(f, root, TL_TFL_FILE_IDENTIFIER);
  if (f->err) return fail(b, "serialize: %s", f->err);
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
  fbb f;
  memset(&f, 0, sizeof f);
  f.minalign = 1;
  if (validate(b) || serialize(b, &f)) {
    fb_free(&f);
    set_err(err, errlen, b->err);
    return -1;
  }
  /* hand the used tail of the buffer to the caller */
  uint8_t *res = malloc(f.size);
  if (!res) {
    fb_free(&f);
    fail(b, "out of memory");
    set_err(err, errlen, b->err);
    return -1;
  }
  memcpy(res, f.buf + f.cap - f.size, f.size);
  *out = res;
  *n = f.size;
  fb_free(&f);
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

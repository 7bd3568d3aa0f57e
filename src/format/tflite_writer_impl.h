/* SPDX-License-Identifier: Apache-2.0
 * The .tflite writer's internals, shared by the builder (tflite_writer.c), its options helpers
 * (tflite_writer_options.c) and the serializer (tflite_serialize.c). */
#ifndef TL_TFLITE_WRITER_IMPL_H
#define TL_TFLITE_WRITER_IMPL_H

#include "tflite_writer.h"

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

/* Records the first error (printf format) in b->err; returns -1. */
int tl_tfl_fail(tl_tfl_builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline int tl_tfl_kind_is_scalar(int k) { return k >= TL_TFL_F_BOOL && k <= TL_TFL_F_F64; }
static inline int tl_tfl_kind_is_vec(int k) { return k >= TL_TFL_F_VEC_U8 && k <= TL_TFL_F_VEC_F32; }

static inline size_t tl_tfl_kind_size(int k) {
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

static inline size_t tl_tfl_index_size(int type) {
  return type == TL_TFL_SPARSE_INDEX_I32 ? 4 : type == TL_TFL_SPARSE_INDEX_U16 ? 2 : 1;
}

#endif

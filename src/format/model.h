/* SPDX-License-Identifier: Apache-2.0
 * The in-memory description of a verified .tflite model. The reader fills it once; everything
 * it points to is either inside the model's bytes (zero copy) or owned by the model. */
#ifndef TL_MODEL_H
#define TL_MODEL_H

#include "flatbuf.h"
#include "tinylite.h"

typedef struct {
  const uint8_t *data; /* NULL when empty */
  size_t size;
} tl_mbuffer;

typedef struct {
  int32_t n;               /* number of scales (0 = not quantized) */
  float *scales;           /* n entries, owned by the model (copied so they are aligned) */
  int64_t *zero_points;    /* n entries */
  int32_t axis;            /* quantized_dimension */
} tl_mquant;

typedef struct {
  const char *name;
  int32_t type;
  int32_t ndim;
  int32_t *dims;           /* owned */
  int32_t *dims_sig;       /* owned, NULL when absent */
  int32_t buffer;
  const uint8_t *data;     /* constant data (inside the model), NULL for activations */
  size_t data_size;
  uint8_t is_variable;
  uint8_t has_sparsity;
  tl_fb_table sparsity;    /* SparsityParameters table (when has_sparsity) */
  tl_mquant q;
} tl_mtensor;

typedef struct {
  int32_t opcode;          /* index into model opcodes */
  int32_t builtin;         /* resolved builtin code: max(deprecated_builtin_code, builtin_code) */
  int32_t version;
  int32_t n_in, n_out, n_interm;
  int32_t *in, *out, *interm;    /* owned; -1 marks an omitted optional input */
  uint8_t options_type;    /* BuiltinOptions union type */
  tl_fb_table options;     /* the options table (ok == 0 when absent) */
  const uint8_t *custom;   /* custom_options bytes */
  uint32_t custom_size;
} tl_mop;

typedef struct {
  const char *name;
  int32_t n_tensors, n_in, n_out, n_ops;
  tl_mtensor *tensors;
  int32_t *in, *out;
  tl_mop *ops;
} tl_msubgraph;

typedef struct {
  int32_t builtin;
  int32_t version;
  const char *custom;
} tl_mopcode;

typedef struct {
  const char *name;
  int32_t tensor;
} tl_mtensormap;

typedef struct {
  const char *key;
  int32_t subgraph;
  int32_t n_in, n_out;
  tl_mtensormap *in, *out;
} tl_msignature;

typedef struct {
  const char *name;
  int32_t buffer;
} tl_mmetadata;

struct tl_model {
  const uint8_t *bytes;
  size_t size;
  void *mapping;          /* mmap base (to unmap), or NULL */
  void *owned;            /* malloc'ed copy of the file where mmap is not available, or NULL */
  uint32_t version;
  const char *description;
  int32_t n_opcodes, n_subgraphs, n_buffers, n_signatures, n_metadata;
  tl_mopcode *opcodes;
  tl_msubgraph *subgraphs;
  tl_mbuffer *buffers;
  tl_msignature *signatures;
  tl_mmetadata *metadata;
};

/* Parses and verifies bytes[0..size) into m (zeroed by the caller). On failure returns a status,
 * writes a message naming the problem, and leaves m safe to pass to tl_model_release. */
tl_status tl_model_parse(tl_model *m, char *err, size_t errlen);
/* Frees what tl_model_parse allocated (not the bytes). */
void tl_model_release(tl_model *m);

#endif

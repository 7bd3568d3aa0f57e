/* SPDX-License-Identifier: Apache-2.0
 * Writer of real .tflite files: a model builder (tensors, buffers, ops, signatures, metadata) over a
 * FlatBuffers builder of our own (no flatc), emitting TFLite's schema.fbs v3 with identifier "TFL3".
 * Used by the trainer's export and by `tinylite convert`. Tools-side code: it uses malloc.
 *
 * Usage: create a builder, add buffers/tensors/ops (any order, indices are returned), set the graph
 * inputs/outputs, optionally signatures and metadata, then tl_tfl_finish() or tl_tfl_write_file().
 *
 * Errors are sticky: the first failing call records a message (tl_tfl_builder_errmsg) and returns -1;
 * later calls keep working but tl_tfl_finish()/tl_tfl_write_file() then fail with that first message.
 * So a sequence of add calls can be checked once, at the end. All inputs (arrays, strings, data) are
 * copied: the caller may free them as soon as the call returns. A builder is not thread-safe.
 *
 * What the file holds: Model.version 3, description, buffers (data 16-byte aligned, buffer 0 empty),
 * operator codes (distinct (code, version, custom) in order of first use; deprecated_builtin_code =
 * min(code, 127) and builtin_code both written), subgraphs (tensors with has_rank = true, operators,
 * inputs, outputs, name), metadata, signature_defs. Fields equal to their schema default are omitted,
 * vtables are shared. Not supported: variant_tensors, buffers
 * stored outside the FlatBuffer (> 2 GiB models), the deprecated Model.metadata_buffer.
 */
#ifndef TL_FORMAT_TFLITE_WRITER_H
#define TL_FORMAT_TFLITE_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "schema.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tl_tfl_builder tl_tfl_builder;

/* Quantization parameters of a tensor (QuantizationParameters table). Per-tensor: n = 1.
 * Per-channel: n = size of shape[quantized_dimension]. zero_point may be NULL (all zeros).
 * min/max are optional (n_minmax = 0 to omit); TFLite's converter writes them for activations. */
typedef struct {
  size_t n; /* number of scales (and zero points); 0 = no scale/zero_point */
  const float *scale;
  const int64_t *zero_point; /* NULL = zeros */
  int32_t quantized_dimension;
  size_t n_minmax; /* number of min and max values (0 = omitted) */
  const float *min;
  const float *max;
} tl_tfl_quant;

/* ---- options of an operator (the BuiltinOptions union) -------------------------------------- */

/* Kinds of a generic options field. Scalars are written with their schema width (bool = 1 byte). */
typedef enum {
  TL_TFL_F_BOOL,
  TL_TFL_F_I8,
  TL_TFL_F_U8,
  TL_TFL_F_I16,
  TL_TFL_F_U16,
  TL_TFL_F_I32,
  TL_TFL_F_U32,
  TL_TFL_F_I64,
  TL_TFL_F_U64,
  TL_TFL_F_F32,
  TL_TFL_F_F64,
  TL_TFL_F_VEC_U8,
  TL_TFL_F_VEC_I32,
  TL_TFL_F_VEC_I64,
  TL_TFL_F_VEC_F32,
  TL_TFL_F_STRING
} tl_tfl_field_kind;

/* One field of an options table. Scalars: value in i (integers, bool) or f (floats).
 * Vectors: data points at n elements in host order; string: data points at n chars (no NUL needed).
 * Pointers are only read during tl_tfl_add_op() (which copies them). */
typedef struct {
  uint16_t id;  /* field id in the options table (declaration order in schema.fbs) */
  uint8_t kind; /* tl_tfl_field_kind */
  int64_t i;
  double f;
  const void *data;
  size_t n;
} tl_tfl_field;

#define TL_TFL_MAX_FIELDS 24

/* An options table. Either a field list, or (raw_buf != NULL) a verbatim copy of an options table
 * found in another FlatBuffer, e.g. an input model being converted: the table's bytes and vtable
 * are copied unchanged, and vector/string fields are deep-copied (the writer knows which fields of
 * the frozen BuiltinOptions union are vectors or strings). raw copies are supported for
 * builtin_options only, not builtin_options_2. Fields equal to the schema default may be omitted,
 * as FlatBuffers does; the typed helpers below omit them. */
typedef struct {
  uint8_t type;   /* union type id, TL_TFL_OPT_*; 0 = no options */
  uint8_t union2; /* 0: builtin_options (BuiltinOptions), 1: builtin_options_2 (BuiltinOptions2) */
  uint8_t n_fields;
  tl_tfl_field fields[TL_TFL_MAX_FIELDS];
  const uint8_t *raw_buf; /* whole source FlatBuffer; NULL = use fields */
  size_t raw_len;
  size_t raw_table; /* byte position of the options table inside raw_buf */
} tl_tfl_options;

/* Typed helpers (values use the schema's enums: TL_TFL_PAD_*, TL_TFL_ACT_*). Arrays passed to them
 * (reshape's new_shape) must stay valid until the tl_tfl_add_op() call that uses the options. */
tl_tfl_options tl_tfl_opts_empty(int union_type); /* e.g. TL_TFL_OPT_QUANTIZE, TL_TFL_OPT_DEQUANTIZE */
tl_tfl_options tl_tfl_opts_conv2d(int padding, int stride_w, int stride_h, int activation, int dilation_w,
                                  int dilation_h);
tl_tfl_options tl_tfl_opts_depthwise_conv2d(int padding, int stride_w, int stride_h, int depth_multiplier,
                                            int activation, int dilation_w, int dilation_h);
tl_tfl_options tl_tfl_opts_fully_connected(int activation, int weights_format, int keep_num_dims,
                                           int asymmetric_quantize_inputs);
tl_tfl_options tl_tfl_opts_pool2d(int padding, int stride_w, int stride_h, int filter_w, int filter_h, int activation);
tl_tfl_options tl_tfl_opts_reshape(const int32_t *new_shape, int n); /* new_shape NULL: empty table */
tl_tfl_options tl_tfl_opts_softmax(float beta);
tl_tfl_options tl_tfl_opts_add(int activation);
tl_tfl_options tl_tfl_opts_sub(int activation);
tl_tfl_options tl_tfl_opts_mul(int activation);
tl_tfl_options tl_tfl_opts_concatenation(int axis, int activation);
tl_tfl_options tl_tfl_opts_quantize(void);
tl_tfl_options tl_tfl_opts_dequantize(void);

/* Generic escape hatch: append a field to o. Return 0, or -1 if o already holds
 * TL_TFL_MAX_FIELDS fields or the kind is not a scalar (for _int/_float) or vector kind (_vec). */
int tl_tfl_opts_set_int(tl_tfl_options *o, int id, tl_tfl_field_kind kind, int64_t v);
int tl_tfl_opts_set_float(tl_tfl_options *o, int id, tl_tfl_field_kind kind, double v);
int tl_tfl_opts_set_vec(tl_tfl_options *o, int id, tl_tfl_field_kind kind, const void *data, size_t n);
int tl_tfl_opts_set_string(tl_tfl_options *o, int id, const char *s);

/* Options copied verbatim from the table at byte position table_pos of the FlatBuffer buf[0..len)
 * (e.g. the input model of the converter). buf must stay valid until tl_tfl_add_op() returns.
 * Bounds are checked by tl_tfl_add_op(), which fails with a message if the table is malformed.
 * With tinylite's reader (format/model.h), for an op `op` that has options (op->options.ok):
 *   tl_tfl_opts_raw(op->options_type, op->options.base, op->options.size, op->options.pos)
 * (tests/format/test_writer.c: copy_model() rebuilds any model this way). */
tl_tfl_options tl_tfl_opts_raw(int union_type, const uint8_t *buf, size_t len, size_t table_pos);

/* ---- builder ------------------------------------------------------------------------------------ */

/* New empty model: buffer 0 (the empty sentinel TFLite requires) and subgraph 0 named "main" exist
 * already; description "tinylite". Returns NULL only when out of memory. Free with
 * tl_tfl_builder_free(). */
tl_tfl_builder *tl_tfl_builder_new(void);

/* Frees the builder and everything it copied. NULL is accepted. */
void tl_tfl_builder_free(tl_tfl_builder *b);

/* First error recorded by the builder ("" if none). Valid until the builder is freed. */
const char *tl_tfl_builder_errmsg(const tl_tfl_builder *b);

/* Adds a buffer holding a copy of data[0..n) (n = 0: an empty buffer, data may be NULL).
 * Returns its index (>= 1), or -1 on error. The data is stored 16-byte aligned in the file. */
int tl_tfl_add_buffer(tl_tfl_builder *b, const void *data, size_t n);

/* Adds a subgraph (subgraph 0 exists already). name may be NULL. Returns its index, or -1. */
int tl_tfl_add_subgraph(tl_tfl_builder *b, const char *name);

/* Renames a subgraph (NULL: no name field). Returns 0 or -1. */
int tl_tfl_set_subgraph_name(tl_tfl_builder *b, int subgraph, const char *name);

/* Adds a tensor to a subgraph. type: TL_TFL_FLOAT32..., dims[0..ndim) its shape (ndim 0 = scalar),
 * shape_signature NULL or ndim dims with -1 for dynamic ones, buffer 0 for none (activations) or an
 * index from tl_tfl_add_buffer(), q NULL for no quantization, is_variable 0/1. name may be NULL.
 * Returns the tensor index within the subgraph, or -1. The buffer size is checked against the
 * shape and type when the model is finished. */
int tl_tfl_add_tensor(tl_tfl_builder *b, int subgraph, const char *name, int type, int ndim, const int32_t *dims,
                      const int32_t *shape_signature, int buffer, const tl_tfl_quant *q, int is_variable);

/* Convenience for constants: adds a buffer with a copy of data[0..nbytes) and a tensor that uses it
 * (no shape_signature, not variable). Returns the tensor index, or -1. */
int tl_tfl_add_const_tensor(tl_tfl_builder *b, int subgraph, const char *name, int type, int ndim, const int32_t *dims,
                            const void *data, size_t nbytes, const tl_tfl_quant *q);

/* Sparse tensors (SparsityParameters, read by DENSIFY and sparse kernels). One DimensionMetadata
 * per traversed dimension: DENSE gives dense_size; SPARSE_CSR gives segments and indices, each with
 * an element type TL_TFL_SPARSE_INDEX_I32/U16/U8 and n values in host order. */
typedef struct {
  int format; /* TL_TFL_DIM_DENSE or TL_TFL_DIM_SPARSE_CSR */
  int32_t dense_size;
  int segments_type; /* TL_TFL_SPARSE_INDEX_*, NONE for dense dimensions */
  const void *segments;
  size_t n_segments;
  int indices_type;
  const void *indices;
  size_t n_indices;
} tl_tfl_dim_metadata;

typedef struct {
  const int32_t *traversal_order;
  int n_traversal_order;
  const int32_t *block_map; /* NULL / 0 when not block-sparse */
  int n_block_map;
  const tl_tfl_dim_metadata *dim_metadata;
  int n_dim_metadata;
} tl_tfl_sparsity;

/* Makes a tensor sparse (copies sp; replaces earlier sparsity). Its buffer then holds only the
 * stored values, so the buffer-size check of tl_tfl_finish() is skipped for it. Returns 0 or -1. */
int tl_tfl_set_tensor_sparsity(tl_tfl_builder *b, int subgraph, int tensor, const tl_tfl_sparsity *sp);

/* Copies the SparsityParameters table `sparsity` (a tl_fb_table of a model read by tinylite's
 * reader, passed as const void * to keep this header free of reader types) onto tensor t of
 * subgraph sg. Returns 0, or -1 when the table is malformed or the builder refuses it. */
int tl_tfl_copy_tensor_sparsity(tl_tfl_builder *b, int sg, int t, const void *sparsity);

/* Adds an operator at the end of a subgraph's execution order. builtin_code: TL_TFL_OP_* (any
 * BuiltinOperator value; 32 = CUSTOM is refused, use tl_tfl_add_custom_op), version >= 1. inputs may
 * hold -1 for omitted optional inputs. opts may be NULL (no builtin options). The operator-code
 * table is built from the distinct (code, version) pairs in order of first use. Returns the operator
 * index within the subgraph, or -1. */
int tl_tfl_add_op(tl_tfl_builder *b, int subgraph, int builtin_code, int version, const int32_t *inputs, int n_in,
                  const int32_t *outputs, int n_out, const tl_tfl_options *opts);

/* Adds a CUSTOM operator with custom_code (e.g. "TFLite_Detection_PostProcess") and its opaque
 * custom_options bytes (FlexBuffers; may be NULL/0). Returns the operator index, or -1. */
int tl_tfl_add_custom_op(tl_tfl_builder *b, int subgraph, const char *custom_code, int version, const int32_t *inputs,
                         int n_in, const int32_t *outputs, int n_out, const uint8_t *custom_options, size_t n_custom);

/* Sets an operator's intermediates (tensors internal to an op, e.g. quantized LSTM). 0 or -1. */
int tl_tfl_set_op_intermediates(tl_tfl_builder *b, int subgraph, int op, const int32_t *t, int n);

/* Sets a subgraph's input and output tensor lists (replacing earlier ones). Returns 0 or -1. */
int tl_tfl_set_io(tl_tfl_builder *b, int subgraph, const int32_t *inputs, int n_in, const int32_t *outputs, int n_out);

/* Adds a SignatureDef (key e.g. "serving_default") mapping names to tensor indices of subgraph.
 * Returns the signature index, or -1. */
int tl_tfl_add_signature(tl_tfl_builder *b, const char *key, int subgraph, const char *const *in_names,
                         const int32_t *in_tensors, int n_in, const char *const *out_names, const int32_t *out_tensors,
                         int n_out);

/* Adds a Metadata entry {name, buffer} (buffer from tl_tfl_add_buffer). Returns its index, or -1. */
int tl_tfl_add_metadata(tl_tfl_builder *b, const char *name, int buffer);

/* Convenience: adds a buffer with data[0..n) and a Metadata entry naming it. Returns the buffer
 * index, or -1. E.g. ("min_runtime_version", "1.14.0\0...", 16) as TFLite's converter does. */
int tl_tfl_add_metadata_bytes(tl_tfl_builder *b, const char *name, const void *data, size_t n);

/* Sets the model description (default "tinylite"; NULL removes it). Returns 0 or -1. */
int tl_tfl_set_description(tl_tfl_builder *b, const char *description);

/* For tests of readers only: with on = 1 the builder skips its consistency checks (negative dims,
 * indices out of range, buffer sizes) so that deliberately malformed models can be written. */
void tl_tfl_builder_set_unchecked(tl_tfl_builder *b, int on);

/* Validates the model (indices in range, buffer sizes match shapes, subgraph 0 has outputs)
 * and serializes it. On success returns 0 and sets *out to a malloc'ed buffer of *n bytes that the
 * caller frees with free(); the builder is unchanged and may be finished again. On error returns -1,
 * writes a message to err (if err != NULL and errlen > 0) and leaves *out NULL. */
int tl_tfl_finish(tl_tfl_builder *b, uint8_t **out, size_t *n, char *err, size_t errlen);

/* tl_tfl_finish() then writes the file atomically: a temporary file in the same directory, flushed,
 * then renamed over path, so readers never see a partial file. Returns 0, or -1 with a message. */
int tl_tfl_write_file(tl_tfl_builder *b, const char *path, char *err, size_t errlen);

/* Number of tensors / operators / buffers so far (-1 for a bad subgraph). For tests and tools. */
int tl_tfl_num_tensors(const tl_tfl_builder *b, int subgraph);
int tl_tfl_num_ops(const tl_tfl_builder *b, int subgraph);
int tl_tfl_num_buffers(const tl_tfl_builder *b);

#ifdef __cplusplus
}
#endif

#endif /* TL_FORMAT_TFLITE_WRITER_H */

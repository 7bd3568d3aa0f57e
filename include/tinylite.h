/* SPDX-License-Identifier: Apache-2.0
 * tinylite: load TensorFlow Lite (.tflite) models and run them with TensorFlow Lite's semantics.
 * This is the library's only native public header; tensorflow/lite/c/c_api.h adds TensorFlow Lite's C API. */
#ifndef TINYLITE_H
#define TINYLITE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define TL_API __declspec(dllexport)
#else
#define TL_API __attribute__((visibility("default")))
#endif

/* The library's version; files tinylite writes name it in their description ("tinylite 0.2.0 ..."). */
#define TL_VERSION_STRING "0.2.0"

/* Status codes. Codes are only ever appended, never renumbered. */
typedef enum {
  TL_OK = 0,
  TL_ERR_ARG = 1,          /* a bad argument from the caller (NULL, index out of range, wrong size) */
  TL_ERR_MODEL = 2,        /* the model file is malformed or inconsistent */
  TL_ERR_UNSUPPORTED = 3,  /* valid model, but uses an op/type/version tinylite does not run */
  TL_ERR_NOMEM = 4,        /* out of memory, or the caller's arena is too small */
  TL_ERR_IO = 5,           /* could not open/read/map a file */
  TL_ERR_STATE = 6,        /* call made in the wrong order (e.g. invoke before allocate) */
  TL_ERR_RUNTIME = 7       /* a kernel hit bad data at run time (e.g. index out of range) */
} tl_status;

/* Tensor element types: the values of the .tflite schema's TensorType enum. */
typedef enum {
  TL_FLOAT32 = 0, TL_FLOAT16 = 1, TL_INT32 = 2, TL_UINT8 = 3, TL_INT64 = 4, TL_STRING = 5,
  TL_BOOL = 6, TL_INT16 = 7, TL_COMPLEX64 = 8, TL_INT8 = 9, TL_FLOAT64 = 10, TL_COMPLEX128 = 11,
  TL_UINT64 = 12, TL_RESOURCE = 13, TL_VARIANT = 14, TL_UINT32 = 15, TL_UINT16 = 16, TL_INT4 = 17
} tl_type;

#define TL_MAX_DIMS 8

typedef struct tl_model tl_model;
typedef struct tl_interp tl_interp;
typedef struct tl_tensor tl_tensor;

/* Short English text for a status. Never NULL. */
TL_API const char *tl_status_str(tl_status s);
/* Name of a type ("FLOAT32"...), "UNKNOWN" for values outside the enum. */
TL_API const char *tl_type_name(int type);
/* Size in bytes of one element, 0 for types without a fixed size (STRING, INT4, RESOURCE...). */
TL_API size_t tl_type_size(int type);
/* Name of a builtin operator code ("CONV_2D"...), "UNKNOWN" when out of range. */
TL_API const char *tl_op_name(int builtin_code);
/* The ops this build runs, i = 0, 1, ... until it returns 0: builtin code (32 = CUSTOM, then name is
 * the custom_code), name, and the dtypes its kernels take ("f32 i8 u8 ...", "hybrid" = float
 * activations with int8 weights, "any" = every fixed-size type). Every version of an op is accepted;
 * what a model asks is checked against its tensors and options. */
TL_API int tl_supported_op(int i, int *builtin, const char **name, const char **dtypes);

/* ---- Models ----------------------------------------------------------------------------------
 * A model is immutable once loaded and may be shared by any number of interpreters on any threads.
 * Loading verifies the whole file: every offset, length and index is checked, and semantic defects
 * (bad tensor indices, aliasing, cycles between subgraphs, absurd shapes...) are refused here with a
 * message, so nothing later reads outside the file. */

/* Opens a .tflite file, memory-mapped where available (zero copy). On failure *out is NULL and, when
 * err is not NULL, a message of at most errlen bytes (NUL-terminated) says what is wrong. */
TL_API tl_status tl_model_open(const char *path, tl_model **out, char *err, size_t errlen);
/* Loads a model from the caller's memory without copying it: data must stay valid and unchanged
 * until tl_model_close. data should be 16-byte aligned (otherwise constants may be copied). */
TL_API tl_status tl_model_from_memory(const void *data, size_t size, tl_model **out, char *err, size_t errlen);
/* Frees a model (NULL is fine). All interpreters made from it must be freed first. */
TL_API void tl_model_close(tl_model *m);

/* Read-only description of a model, for tools (tinylite info). Pointers live as long as the model. */
typedef struct {
  uint32_t version;           /* schema version (3) */
  const char *description;    /* converter string, "" when absent */
  int num_subgraphs;
  int num_buffers;
  int num_opcodes;
  int num_signatures;
  int num_metadata;
  size_t file_size;
} tl_model_info;
TL_API void tl_model_get_info(const tl_model *m, tl_model_info *out);
/* Operator code i: builtin code (0..), version and custom name ("" unless CUSTOM). */
TL_API tl_status tl_model_opcode(const tl_model *m, int i, int *builtin, int *version, const char **custom);
/* Metadata entry i: name and its buffer's bytes. */
TL_API tl_status tl_model_metadata(const tl_model *m, int i, const char **name, const uint8_t **data, size_t *size);
/* Buffer i's bytes (data NULL and size 0 for empty buffers). */
TL_API tl_status tl_model_buffer(const tl_model *m, int i, const uint8_t **data, size_t *size);
/* Subgraph i: counts and name. */
TL_API tl_status tl_model_subgraph(const tl_model *m, int i, const char **name, int *num_tensors, int *num_ops,
                                   int *num_inputs, int *num_outputs);
/* Tensor index of input (is_output = 0) or output (1) i of subgraph sg, -1 when out of range. */
TL_API int tl_model_io(const tl_model *m, int sg, int is_output, int i);
/* Operator j of subgraph i: opcode index, builtin code and version, inputs/outputs (tensor indices, -1 = none). */
TL_API tl_status tl_model_op(const tl_model *m, int sg, int j, int *builtin, int *version, const int32_t **inputs,
                             int *n_in, const int32_t **outputs, int *n_out);
/* Signature i: key, subgraph index, and counts of its named inputs/outputs. */
TL_API tl_status tl_model_signature(const tl_model *m, int i, const char **key, int *subgraph, int *n_in, int *n_out);
/* Signature i's input (is_output = 0) or output (1) j: name and tensor index. */
TL_API tl_status tl_model_signature_io(const tl_model *m, int i, int is_output, int j, const char **name, int *tensor);

/* Static description of tensor t of subgraph sg, as stored in the file (before allocation). */
typedef struct {
  const char *name;
  int type;
  int ndim;
  const int32_t *dims;             /* ndim entries */
  const int32_t *shape_signature;  /* ndim entries, -1 for dynamic dims, or NULL when absent */
  int buffer;                      /* buffer index (0 = none) */
  size_t const_bytes;              /* bytes of constant data (0 for activations) */
  int is_variable;
  int sparse;                      /* 1 if stored with sparsity parameters (DENSIFY input) */
  int quant_count;                 /* number of scales (0 = not quantized) */
  const float *scales;
  const int64_t *zero_points;
  int quant_axis;
} tl_tensor_info;
TL_API tl_status tl_model_tensor(const tl_model *m, int sg, int t, tl_tensor_info *out);

/* ---- Interpreters ----------------------------------------------------------------------------- */

typedef struct {
  int num_threads;      /* 0 or 1 = the calling thread only */
  void *arena;          /* optional caller memory for all tensors and kernel state (16-byte aligned); */
  size_t arena_size;    /* when NULL, tl_interp_allocate mallocs it once. */
  int preserve_all_tensors; /* 1: every tensor gets its own memory (no reuse by lifetime), so all
                             * intermediate values stay readable through tl_interp_tensor after
                             * invoke (calibration, per-layer debugging); costs arena size. */
  int preserve_inputs;      /* 1: input tensors keep their values through invoke, as in TensorFlow Lite.
                             * 0 (default, as in TensorFlow Lite Micro): an input's memory is reused
                             * once the graph has read it, so set the inputs before every invoke. */
  int subgraph;             /* the subgraph to run: 0, the main one, or a signature's (tl_model_signature
                             * gives each signature's subgraph); inputs and outputs are that subgraph's,
                             * and the by-name lookups take that signature's names. */
  size_t dynamic_size;      /* bytes for tensors whose shape is known only at invoke (RESHAPE to a
                             * computed shape, a slice sized by a loop counter): with a caller arena,
                             * whatever allocate leaves of it; otherwise this many, or when 0,
                             * 1 MiB plus twice the planned activations, reserved once by allocate.
                             * An invoke that needs more fails with TL_ERR_NOMEM and says how much. */
} tl_interp_options;

/* Creates an interpreter for subgraph opts->subgraph (0 when opts is NULL) of m, which must outlive it. */
TL_API tl_status tl_interp_new(const tl_model *m, const tl_interp_options *opts, tl_interp **out);
/* Frees an interpreter (NULL is fine). */
TL_API void tl_interp_free(tl_interp *ip);
/* The last error's message for this interpreter ("" when none). Valid until the next call on ip. */
TL_API const char *tl_interp_errmsg(const tl_interp *ip);

/* Changes input i's shape before tl_interp_allocate (e.g. a batch > 1 where shape_signature has -1). */
TL_API tl_status tl_interp_resize_input(tl_interp *ip, int i, int ndim, const int32_t *dims);
/* Checks every op, infers shapes, plans one arena with lifetime-based reuse and places every tensor.
 * After this call, tl_interp_invoke allocates nothing. */
TL_API tl_status tl_interp_allocate(tl_interp *ip);
/* Runs the graph on the current input data. */
TL_API tl_status tl_interp_invoke(tl_interp *ip);
/* Puts variable tensors (LSTM/SVDF state, resource variables) back to their initial values. */
TL_API tl_status tl_interp_reset_variables(tl_interp *ip);

TL_API int tl_interp_input_count(const tl_interp *ip);
TL_API int tl_interp_output_count(const tl_interp *ip);
/* Input/output tensors by position (NULL when out of range). Data pointers are valid after allocate. */
TL_API tl_tensor *tl_interp_input(tl_interp *ip, int i);
TL_API tl_tensor *tl_interp_output(tl_interp *ip, int i);
/* By name: a tensor name, or a signature's input/output name. NULL when not found. */
TL_API tl_tensor *tl_interp_input_by_name(tl_interp *ip, const char *name);
TL_API tl_tensor *tl_interp_output_by_name(tl_interp *ip, const char *name);
/* Every tensor of the running subgraph, by index. */
TL_API int tl_interp_tensor_count(const tl_interp *ip);
TL_API tl_tensor *tl_interp_tensor(tl_interp *ip, int index);
/* Bytes of arena planned by tl_interp_allocate: activations (reused by lifetime) and kernel state. */
TL_API size_t tl_interp_arena_used(const tl_interp *ip);
TL_API size_t tl_interp_arena_activations(const tl_interp *ip);

/* ---- Tensors ---------------------------------------------------------------------------------- */
TL_API int tl_tensor_type(const tl_tensor *t);
TL_API int tl_tensor_ndim(const tl_tensor *t);
TL_API int32_t tl_tensor_dim(const tl_tensor *t, int i);
TL_API size_t tl_tensor_bytes(const tl_tensor *t);
TL_API size_t tl_tensor_count(const tl_tensor *t);  /* number of elements */
TL_API void *tl_tensor_data(tl_tensor *t);          /* NULL before allocation */
TL_API const char *tl_tensor_name(const tl_tensor *t);
/* Per-tensor quantization (scale 0 and zero point 0 when not quantized; the first channel's when per-axis). */
TL_API float tl_tensor_scale(const tl_tensor *t);
TL_API int32_t tl_tensor_zero_point(const tl_tensor *t);
/* Per-axis quantization: count of scales (0 if none), arrays (count entries) and the axis. */
TL_API int tl_tensor_quant(const tl_tensor *t, const float **scales, const int64_t **zero_points, int *axis);
/* Copies exactly tl_tensor_bytes(t) bytes in or out; a different size is TL_ERR_ARG. */
TL_API tl_status tl_tensor_copy_from(tl_tensor *t, const void *src, size_t n);
TL_API tl_status tl_tensor_copy_to(const tl_tensor *t, void *dst, size_t n);

#ifdef __cplusplus
}
#endif
#endif

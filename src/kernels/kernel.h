/* SPDX-License-Identifier: Apache-2.0
 * The contract between the interpreter and op kernels. A kernel's prepare step checks everything
 * (types, shapes, options, quantization), infers output shapes, requests memory, precomputes what it
 * can, and picks the eval function; eval only computes and never allocates. */
#ifndef TL_KERNEL_H
#define TL_KERNEL_H

#include <stdarg.h>
#include <stdint.h>

#include "../format/schema.h"
#include "../format/model.h"
#include "tinylite.h"

/* Where a tensor's data lives. */
enum {
  TL_MEM_NONE = 0,    /* no data (not yet allocated) */
  TL_MEM_CONST,       /* read-only constant inside the model file (or a copy, if misaligned) */
  TL_MEM_ARENA,       /* activation, placed by the planner; lifetime = first to last use */
  TL_MEM_PERSIST,     /* lives as long as the interpreter: variables, values folded at prepare */
  TL_MEM_DYNAMIC,     /* shape known only at invoke: placed then in the arena's dynamic region */
};

/* Returned by a prepare function (through tl_kdefer) when an output's shape depends on values known
 * only at invoke; never leaves the interpreter. */
#define TL_KDEFER ((tl_status)100)

struct tl_tensor {
  int32_t index;         /* index in its subgraph */
  int32_t type;          /* tl_type */
  int32_t ndim;
  int32_t dims[TL_MAX_DIMS];
  void *data;
  size_t bytes;
  uint8_t mem;           /* TL_MEM_* */
  uint8_t known;         /* data is valid at prepare time (constant, or folded) */
  uint8_t is_variable;
  /* Quantization: scale/zero_point are the per-tensor values (channel 0 when per-axis). */
  float scale;
  int32_t zero_point;
  int32_t qcount;                 /* 0 = not quantized; > 1 = per-axis */
  const float *scales;            /* qcount entries */
  const int64_t *zero_points;     /* qcount entries */
  int32_t qaxis;
  const char *name;
  const tl_mtensor *m;            /* the file's description (sparsity, shape signature...) */
};

typedef struct tl_node tl_node;
typedef struct tl_kctx tl_kctx;
typedef tl_status (*tl_eval_fn)(tl_kctx *ctx, tl_node *node);
typedef tl_status (*tl_prepare_fn)(tl_kctx *ctx, tl_node *node);

struct tl_node {
  int32_t index;          /* position in the subgraph's op list */
  int32_t op;             /* builtin code */
  int32_t version;
  int32_t n_in, n_out;
  tl_tensor **in;         /* n_in entries; NULL where the model says -1 (omitted optional input) */
  tl_tensor **out;        /* n_out entries, never NULL after load checks */
  int32_t n_interm;
  tl_tensor **interm;     /* intermediates (quantized LSTM) */
  const tl_mop *m;        /* options table, custom data */
  tl_eval_fn eval;        /* chosen by prepare */
  void *state;            /* prepare's persistent data (tl_kpersist) */
  size_t scratch_size;    /* requested by prepare (tl_kscratch) */
  void *scratch;          /* valid during eval: scratch_size bytes, 16-aligned, shared between nodes */
  uint8_t folded;         /* computed at prepare time (all inputs known): skipped by invoke */
  uint8_t deferred;       /* output shapes depend on run-time values: prepared again at every invoke */
  tl_prepare_fn prepare;  /* the op's prepare function (run again at invoke when deferred) */
};

/* ---- The kernel context ----
 * Kernels see their runtime only through a tl_kctx: a few facts and a table of services the runtime
 * (the interpreter, or a test's stub) implements, so kernels link without it (kernels/context.c
 * turns the helpers below into calls through the table). */

typedef void (*tl_task_fn)(void *arg, int64_t begin, int64_t end, int thread);

/* One subgraph as control-flow kernels see it: its tensors and which are its inputs and outputs. */
typedef struct {
  int32_t index, n_in, n_out;
  const int32_t *in, *out;  /* tensor indices */
  tl_tensor *tensors;
  uint8_t prepared, in_progress;
} tl_ksubgraph;

/* A resource variable (VAR_HANDLE / READ_VARIABLE / ASSIGN_VARIABLE), keyed by container + shared_name. */
typedef struct {
  const char *container, *shared_name;
  tl_tensor value;  /* shape/type fixed by the first assignment; data in persistent memory */
  uint8_t assigned;
} tl_kresource;

typedef struct {
  void (*set_error)(void *host, const char *msg);
  void *(*persist)(void *host, size_t bytes);       /* zeroed, 16-aligned, lives as long as the host; NULL on OOM */
  void *(*dynamic)(void *host, size_t bytes);       /* from the dynamic region (this invoke); NULL and the error set when full */
  size_t (*dynamic_mark)(void *host);
  void (*dynamic_release)(void *host, size_t mark);
  void (*parallel)(void *host, int64_t n, tl_task_fn fn, void *arg); /* NULL: run serially */
  int (*subgraph)(void *host, int sg, tl_ksubgraph *view);           /* 0 when sg is out of range */
  tl_status (*prepare_subgraph)(void *host, int sg);
  tl_status (*invoke_subgraph)(void *host, int sg);
  int (*resource_id)(void *host, const char *container, const char *shared_name); /* found or added; -1 on OOM */
  tl_kresource *(*resource)(void *host, int id);                                    /* NULL when out of range */
} tl_khost;

struct tl_kctx {
  const tl_khost *svc;
  void *host;
  int32_t subgraph;                /* named in messages */
  int32_t threads;                 /* >= 1 */
  const struct tl_ukernels *uk;    /* NULL: the best for this CPU */
  uint8_t exact_float;
  uint8_t preparing;
  uint8_t at_invoke;               /* preparing a deferred node during invoke: memory from the dynamic region */
};

/* ---- Helpers kernels call (kernels/context.c) ---- */

/* Records "op <index> <NAME>: <message>" as the interpreter's error and returns TL_ERR_MODEL. */
tl_status tl_kfail(tl_kctx *ctx, const tl_node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same, returning TL_ERR_UNSUPPORTED (valid model, feature not implemented). */
tl_status tl_kunsupported(tl_kctx *ctx, const tl_node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same, returning TL_ERR_RUNTIME (bad data met during eval, e.g. an index out of range). */
tl_status tl_kruntime(tl_kctx *ctx, const tl_node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prepare only: an output's shape depends on a value not known yet (fmt says which). At allocate the
 * node is deferred: it and every op that reads its outputs are prepared again at each invoke, with
 * all their inputs known, and their outputs placed in the arena's dynamic region. */
tl_status tl_kdefer(tl_kctx *ctx, const tl_node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prepare only: zeroed, 16-byte aligned memory that lives as long as the interpreter (for a deferred
 * node, until the end of the invoke). NULL on OOM. */
void *tl_kpersist(tl_kctx *ctx, size_t bytes);
/* Prepare only: asks for `bytes` of scratch during this node's eval (node->scratch). */
tl_status tl_kscratch(tl_kctx *ctx, tl_node *n, size_t bytes);
/* Prepare only: sets an output tensor's shape (checks rank <= TL_MAX_DIMS, dims >= 0, size overflow)
 * and its byte size. */
tl_status tl_kset_shape(tl_kctx *ctx, tl_node *n, tl_tensor *t, int ndim, const int32_t *dims);
/* Number of threads the kernel may use (>= 1), and a parallel-for over [0, n) split in chunks. */
int tl_kthreads(const tl_kctx *ctx);
void tl_kparallel(tl_kctx *ctx, int64_t n, tl_task_fn fn, void *arg);
/* The microkernel table this interpreter uses (ukernels.h), chosen once when it was created. */
const struct tl_ukernels *tl_kukernels(const tl_kctx *ctx);
/* 1 when float kernels must sum in TensorFlow Lite's order (the model has hybrid ops, which turn a
 * last-bit difference upstream into a quantization step): float convolutions then take the scalar
 * table's GEMM (simd/scalar/igemm.c) instead of the fastest one. */
int tl_kexact_float(const tl_kctx *ctx);
/* Runs subgraph `sg` on its own tensors, preparing it first during prepare (CALL_ONCE, WHILE, IF). */
tl_status tl_kinvoke_subgraph(tl_kctx *ctx, tl_node *n, int sg);

/* ---- Small shared utilities (kutil.c) ---- */
int64_t tl_numel(const tl_tensor *t);
int tl_same_shape(const tl_tensor *a, const tl_tensor *b);
/* "[1,50,32]": a shape for error messages. */
typedef struct {
  char s[96];
} tl_shape_text;
tl_shape_text tl_shape_str(const tl_tensor *t);
/* Fused activations are schema.h's ActivationFunctionType (TL_TFL_ACT_*). */
/* Float range for act (TANH/SIGN_BIT are not clamps: callers apply them separately). */
void tl_act_range_f32(int act, float *lo, float *hi);
/* Quantized range for act given the output's scale and zero point and the type's limits. */
void tl_act_range_q(int act, float scale, int32_t zp, int32_t qmin, int32_t qmax, int32_t *lo, int32_t *hi);
/* Applies a fused activation to a float value: clamps for RELU*, tanh for TANH, sign bit for SIGN_BIT. */
float tl_act_f32(int act, float x);
/* TFLite padding (schema.h's TL_TFL_PAD_SAME / TL_TFL_PAD_VALID): output size and the leading padding.
 * Returns 0 on invalid parameters (stride/dilation < 1, filter < 1, output < 1). */
int tl_conv_out_size(int padding, int in, int filter, int stride, int dilation, int *out, int *pad_before,
                     int *pad_offset);
/* Broadcast helper: output shape of two inputs with numpy rules; 0 if incompatible. */
int tl_broadcast_shape(const tl_tensor *a, const tl_tensor *b, int *ndim, int32_t *dims);

/* ---- The op table (ops.def) ---- */
#define TL_OP(code, NAME, fn, types) tl_status fn(tl_kctx *ctx, tl_node *node);
#include "ops.def"
#undef TL_OP

/* Prepare function for a builtin code, NULL when tinylite has no kernel for it. */
tl_prepare_fn tl_kernel_lookup(int builtin);

/* ---- CUSTOM ops (custom_ops.def), found by custom_code ---- */
#define TL_CUSTOM_OP(name, NAME, fn, types) tl_status fn(tl_kctx *ctx, tl_node *node);
#include "custom_ops.def"
#undef TL_CUSTOM_OP

/* Prepare function for a CUSTOM op's custom_code (NULL name allowed), NULL when unknown. */
tl_prepare_fn tl_custom_lookup(const char *name);

#endif

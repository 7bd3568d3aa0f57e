/* SPDX-License-Identifier: Apache-2.0
 * The converter's editable copy of a model: tensors and ops of every subgraph that the passes
 * (dynamic range, float16, int8) rewrite, then written out through the FlatBuffers writer with
 * TensorFlow's bookkeeping (one version per operator code, min_runtime_version, unused tensors gone). */
#ifndef TL_QUANT_QGRAPH_H
#define TL_QUANT_QGRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "format/model.h"
#include "format/tflite_writer.h"
#include "quant.h"

typedef struct {
  char *name;               /* owned */
  int32_t type, ndim;
  int32_t dims[TL_MAX_DIMS];
  int32_t sig[TL_MAX_DIMS]; /* shape_signature when has_sig */
  uint8_t has_sig, is_variable;
  const uint8_t *data;      /* constant bytes: the input model's, or `owned` */
  size_t size;
  uint8_t *owned;
  const tl_mtensor *src;    /* tensor of the input model (sparsity is copied from it), NULL if new */
  int32_t qn, qaxis;        /* quantization: qn scales/zero points (0 = none) */
  float *scales;            /* owned */
  int64_t *zps;             /* owned */
} tl_qt;

typedef struct {
  int32_t builtin, version;
  int32_t n_in, n_out, n_interm;
  int32_t *in, *out, *interm; /* owned */
  const tl_mop *src;          /* op of the input model (options, custom data), NULL if new */
  const char *custom;         /* custom code of CUSTOM ops */
  uint8_t opts_set;           /* 1: write `opts` instead of src's options */
  tl_tfl_options opts;
} tl_qop;

typedef struct {
  const char *name;
  int32_t nt, ct;             /* tensors and capacity */
  tl_qt *t;
  int32_t nops, cops;
  tl_qop *ops;
  int32_t n_in, n_out;
  int32_t *in, *out;          /* owned */
} tl_qsub;

typedef struct {
  const tl_model *m;
  int32_t nsub;
  tl_qsub *subs;
  const char *mode_name;      /* for the description: "dynamic", "int8", ... */
} tl_qgraph;

/* Copies m into g (zeroed by the caller). Returns TL_OK or TL_ERR_NOMEM. */
tl_status tl_qg_from_model(tl_qgraph *g, const tl_model *m, char *err, size_t errlen);
void tl_qg_free(tl_qgraph *g);

/* Adds a tensor (no data, no quantization) and returns its index, or -1 when out of memory. The
 * pointer returned by earlier tl_qg_tensor calls may move. */
int tl_qg_add_tensor(tl_qsub *s, const char *name, int type, int ndim, const int32_t *dims);
/* A tensor with the name and shape of s->t[like] and another type. */
int tl_qg_add_like(tl_qsub *s, int like, const char *suffix, int type);
/* Gives tensor t owned constant data (takes ownership of data). */
void tl_qg_set_data(tl_qt *t, uint8_t *data, size_t size);
/* Sets quantization (copies scales; zps NULL = zeros). Returns 0 or -1 when out of memory. */
int tl_qg_set_quant(tl_qt *t, int n, const double *scales, const int64_t *zps, int axis);
int tl_qg_set_quant1(tl_qt *t, double scale, int64_t zp);

/* Appends a new op (in/out arrays copied) to the op list `ops` (grown as needed). -1 when out of memory. */
int tl_qg_push_op(tl_qop **ops, int32_t *n, int32_t *cap, int builtin, int version, const int32_t *in, int n_in,
                  const int32_t *out, int n_out);
/* Moves an existing op (its arrays) to the end of `ops`. */
int tl_qg_move_op(tl_qop **ops, int32_t *n, int32_t *cap, tl_qop *op);

/* Elements of tensor t (1 for scalars). */
int64_t tl_qg_numel(const tl_qt *t);
/* Number of ops of s reading tensor t (as an input) and whether it is a subgraph output. */
int tl_qg_uses(const tl_qsub *s, int t);
int tl_qg_is_output(const tl_qsub *s, int t);
int tl_qg_is_input(const tl_qsub *s, int t);

/* Serializes g: op versions unified per operator code (the highest of its ops, as TensorFlow's
 * exporter shares one OperatorCode), tensors no op or signature uses dropped, min_runtime_version
 * recomputed from the op versions, extra metadata (name/value, may be NULL) added. */
tl_status tl_qg_write(tl_qgraph *g, const char *extra_meta_name, const char *extra_meta_value, uint8_t **out,
                      size_t *out_size, char *err, size_t errlen);

/* TFLite's op version for op given its tensors' types (tensorflow/lite/tools/versioning rules for the
 * ops and types tinylite writes); never lower than the op's current version. */
int tl_q_op_version(const tl_qsub *s, const tl_qop *op);

/* Fused activation (ActivationFunctionType) of an op's options, 0 when it has none. */
int tl_q_fused_activation(const tl_qop *op);

#endif

/* SPDX-License-Identifier: Apache-2.0
 * Test helper: runs a .tflite file through the real TensorFlow Lite's builtin kernels
 * (../shared/tools/tflite-ref `run invoke ... --no-xnnpack`) on raw inputs, and through tinylite. */
#ifndef TL_TESTS_TFLITE_ORACLE_H
#define TL_TESTS_TFLITE_ORACLE_H
#include <stddef.h>

/* Runs `model` in TFLite with inputs ins[0..n_in) (raw bytes) and reads outputs 0..n_out) into
 * outs[j], each exactly out_bytes[j] long. flags: the runner's, NULL for "--no-xnnpack" (TFLite 2.9's builtin
 * kernels). 0 on success; -1 with the reference's message in err (it refused the model or failed to
 * start). */
int tl_oracle_tflite(const char *ref, const char *flags, const char *model, int n_in, const void *const *ins,
                     const size_t *in_bytes, int n_out, void *const *outs, const size_t *out_bytes, char *err,
                     size_t errlen);

/* The same in tinylite (load, allocate, copy inputs, invoke, copy the outputs). 0 on success, -1 with
 * tinylite's message in err. */
int tl_oracle_tinylite(const char *model, int n_in, const void *const *ins, const size_t *in_bytes, int n_out,
                       void *const *outs, const size_t *out_bytes, char *err, size_t errlen);
#endif

/* Runs `model` in both runtimes (TFLite's builtin kernels) on float outputs 0..n_out) and requires every
 * value within rel of its output's range (max - min over all outputs). what names the case in
 * messages. 1 when that holds; *max_diff (may be NULL) gets the largest difference. */
int tl_oracle_close(const char *ref, const char *model, int n_in, const void *const *ins, const size_t *in_bytes,
                    int n_out, const size_t *out_bytes, float rel, const char *what, float *max_diff);

/* ---- single-op models: build one, run it through both runtimes, compare every output byte ---- */
#include "format/tflite_writer.h"

enum { TL_OM_MAX = 8 };
typedef struct {
  tl_tfl_builder *b;
  int ins[TL_OM_MAX], n_ins, act[TL_OM_MAX], n_act, outs[TL_OM_MAX], n_outs;
  size_t act_bytes[TL_OM_MAX], out_bytes[TL_OM_MAX];
  const void *act_data[TL_OM_MAX]; /* NULL: random bytes */
  float rel; /* 0: every output byte agrees; else float32 outputs within rel of each output's range */
} tl_om;

void tl_om_init(tl_om *m);
/* An input fed at run time (data NULL: random bytes, seeded), or a constant, or an output. q may be NULL. */
void tl_om_input(tl_om *m, int type, int nd, const int32_t *dims, const tl_tfl_quant *q, const void *data);
void tl_om_const(tl_om *m, int type, int nd, const int32_t *dims, const void *data, const tl_tfl_quant *q);
void tl_om_output(tl_om *m, int type, int nd, const int32_t *dims, const tl_tfl_quant *q);
/* Adds op `code` v`version` (opts may be NULL), writes the model, frees the builder. With refuse_msg
 * NULL: both runtimes run it and every output byte must agree; else tinylite must refuse it with a
 * message containing refuse_msg. flags as tl_oracle_tflite. 1 when that holds (else prints why). */
int tl_om_check(const char *ref, const char *flags, tl_om *m, int code, int version, const tl_tfl_options *opts,
                const char *what, const char *refuse_msg);

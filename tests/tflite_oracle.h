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

/* SPDX-License-Identifier: Apache-2.0
 * Test helper: a model read by tinylite's reader, written again with tinylite's writer -- buffers,
 * tensors, ops, signatures and metadata -- optionally with some ops replaced by a hook. */
#ifndef TL_TESTS_MODEL_COPY_H
#define TL_TESTS_MODEL_COPY_H
#include <stddef.h>

#include "format/model.h"
#include "format/tflite_writer.h"

/* Called for each op before it is copied: returns how many ops it wrote into b in its place (it may
 * add tensors), or 0 to copy the op as it is. */
typedef int (*tl_test_op_hook)(tl_tfl_builder *b, int sg, const tl_model *m, int op, void *ctx);

/* The copy as a builder (caller frees), or NULL with err set. */
tl_tfl_builder *tl_test_copy_model(const tl_model *m, tl_test_op_hook hook, void *ctx, char *err, size_t errlen);

/* The twin of a model with per-channel int8 FULLY_CONNECTED weights that TensorFlow Lite 2.9's builtin
 * kernels can run: each such FULLY_CONNECTED becomes RESHAPE -> CONV_2D 1x1 with the same per-channel
 * weights, bias and activation -> RESHAPE, the same arithmetic. Writes it to dst; the number of ops
 * rewritten (0: nothing to rewrite), or -1 with err set. */
int tl_test_fc_conv_twin(const char *src, const char *dst, char *err, size_t errlen);
#endif

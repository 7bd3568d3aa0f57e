/* SPDX-License-Identifier: Apache-2.0
 * Feeding a preprocessed 28x28 digit to a tinylite model and reading its ten class probabilities,
 * one encoding for the CLI and the web app so both give the same digit and confidence. */
#ifndef TL_PREPROCESS_DIGIT_MODEL_H
#define TL_PREPROCESS_DIGIT_MODEL_H

#include <stddef.h>

#include "tinylite.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How pixel values 0..1 map to a float input: 0..1 (MNIST Keras tutorials), 0..255, or -1..1. */
typedef enum { TL_DIGIT_NORM_UNIT = 0, TL_DIGIT_NORM_RAW = 1, TL_DIGIT_NORM_SIGNED = 2 } tl_digit_norm;

/* Writes the 784 values of img (0..1, row-major 28x28) into input tensor t: float32 as `norm` says;
 * int8/uint8/int16 quantized with t's scale and zero point (a scale >= 0.5 means the model's real
 * range is raw 0..255 pixels); 3-channel inputs get the gray value on each channel; inputs holding
 * several images (batch) get this one first and zeros after. Returns TL_OK, or TL_ERR_ARG with a
 * message in err (at most errlen bytes) when t can't hold a 28x28 image or its type has no encoding. */
tl_status tl_digit_set_input(tl_tensor *t, const float *img, tl_digit_norm norm, char *err, size_t errlen);

/* Reads the first row of output tensor t ([..., 10] float32 or quantized) as ten probabilities:
 * dequantized, and put through a softmax unless they already are a distribution (all in [0, 1],
 * summing to 1 +- 0.01). Returns the index of the best class, or -1 when t is not a 10-class output
 * (or holds NaNs). */
int tl_digit_probabilities(const tl_tensor *t, float probs[10]);

/* Indices of the k best classes in descending probability (ties: lower digit first). k <= 10. */
void tl_digit_top(const float probs[10], int k, int *order);

#ifdef __cplusplus
}
#endif
#endif

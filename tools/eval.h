/* SPDX-License-Identifier: Apache-2.0
 * Shared by tinylite eval's files: per-model results, the SVG plots (eval_plot.c) and the per-layer
 * comparison of a float model with its quantized version (eval_layers.c). */
#ifndef TL_TOOLS_EVAL_H
#define TL_TOOLS_EVAL_H

#include "cli.h"
#include "data/mnist.h"

#define EVAL_CLASSES 10

enum { EVAL_HUMAN = 0, EVAL_JSON, EVAL_CSV };

typedef struct {
  const char *path;
  long size;          /* file bytes */
  int images, correct, classes;
  double accuracy, ms; /* ms: invoke time per image */
  int confusion[EVAL_CLASSES][EVAL_CLASSES]; /* [true][predicted] */
} eval_result;

/* Writes dir/confusion_<k>.svg for each model and dir/comparison.svg (creates dir). 0 or 1 (error printed). */
int eval_plot(const char *dir, const eval_result *r, int n);

/* Runs float_path and quant_path on the first n test images and prints, for every op output of the
 * quantized model matched to the float model's (by op position, else by tensor name), the SNR, cosine
 * similarity and max abs error of its dequantized values, worst first. 0 or 1 (error printed). */
int eval_per_layer(const char *float_path, const char *quant_path, const tl_mnist *test, int n, cli_norm norm,
                   int threads, int format);

#endif

/* SPDX-License-Identifier: Apache-2.0
 * Helpers of the writer tests (test_writer.c, test_writer_options.c): a temporary directory, file
 * bytes, the reference runtime, a finish-and-check of the FlatBuffer layout, and the two models
 * both files build (one FULLY_CONNECTED; the tutorial CNN's shape). */
#ifndef TL_TEST_WRITER_UTIL_H
#define TL_TEST_WRITER_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "format/tflite_writer.h"

#define CORPUS_VAR "TL_CORPUS_DIR"
#define CORPUS_DEF "../shared/tflite-corpus"

extern uint32_t rng;
#define C1 4
#define C2 4
typedef struct {
  float w1[C1 * 9], b1[C1], w2[C2 * 9 * C1], b2[C2], wf[10 * 12 * 12 * C2], bf[10];
} cnn_w;

float frand(void);
uint16_t f2h(float f);
float h2f(uint16_t h);
void remove_tmpdir(void);
const char *tmp_path(const char *name);
const char *runner_path(int which);
int write_bytes(const char *path, const void *d, size_t n);
uint8_t *read_bytes(const char *path, size_t *n);
void print_file(const char *path);
int ref_invoke(const char *ref, const char *model, const void *in, size_t in_n, void *out, size_t out_n, const char *flags);
int ref_loads(const char *ref, const char *model, const char *flags);
uint8_t *finish_and_check(tl_tfl_builder *b, const char *name, size_t *n_out);
tl_tfl_builder *build_fc(float *w, float *bias);
tl_tfl_builder *build_cnn(cnn_w *W);

#endif

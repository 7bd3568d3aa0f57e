/* SPDX-License-Identifier: Apache-2.0
 * Shared helpers for the tinylite command-line tool's subcommands. */
#ifndef TL_CLI_H
#define TL_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "tinylite.h"

/* Prints "tinylite <cmd>: <message>" to stderr; returns 1 (the exit code for errors). */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads a whole file into malloc'ed memory. Returns NULL with a message in err. */
uint8_t *cli_read_file(const char *path, size_t *size, char *err, size_t errlen);
/* Writes a file atomically (temp + rename). 0 on success. */
int cli_write_file(const char *path, const void *data, size_t n, char *err, size_t errlen);
/* Opens a model and an allocated interpreter; on failure prints the error and returns 1. */
int cli_load(const char *cmd, const char *path, int threads, tl_model **m, tl_interp **ip);
/* Monotonic time in seconds. */
double cli_now(void);
/* Parses a non-negative int option value; returns 0 on success. */
int cli_int(const char *s, int *out);

/* How 8-bit grayscale pixels are turned into a model's input (MNIST convention). */
typedef enum { NORM_UNIT, NORM_RAW, NORM_SIGNED } cli_norm;
/* Fills input tensor t with `count` images of `pixels` bytes each (t's batch), converting as the
 * model needs: float p/255 (or raw / signed), int8/uint8/int16 quantized with t's scale and zero
 * point, gray repeated over 3 channels for RGB inputs. Returns 0, or 1 with a message. */
int cli_fill_images(tl_tensor *t, const uint8_t *images, int count, int pixels, cli_norm norm, char *err,
                    size_t errlen);
/* Number of images one invoke consumes (the input's batch), or 0 when the input can't hold 28x28 images. */
int cli_images_per_input(const tl_tensor *t, int pixels);
/* Dequantized scores of row `row` of a [batch, classes] output into out (at most max entries). */
int cli_scores(const tl_tensor *t, int row, float *out, int max);

int cmd_info(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_convert(int argc, char **argv);
#endif

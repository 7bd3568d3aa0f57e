/* SPDX-License-Identifier: Apache-2.0
 * MNIST idx loader: reads the four standard idx files (gzipped or not) into memory and
 * validates magic numbers, dimensions, counts and sizes so bad files give clear errors.
 * Used by the trainer, the eval tool and the tests. */
#ifndef TL_DATA_MNIST_H
#define TL_DATA_MNIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  int count, rows, cols;
  uint8_t *images; /* count*rows*cols bytes, row-major, 0..255 */
  uint8_t *labels; /* count bytes, 0..9 */
} tl_mnist;

/* Loads "<dir>/<split>-images-idx3-ubyte[.gz]" and "<dir>/<split>-labels-idx1-ubyte[.gz]".
 * split: "train" or "t10k". dir NULL -> $MNIST_DIR -> error.
 * On success returns 0 and fills *out (owned by the caller, release with tl_mnist_free).
 * On error returns non-zero, leaves *out zeroed and writes a message to err (if errlen > 0);
 * when the files are missing the message says how to get MNIST (scripts/get_mnist.sh). */
int tl_mnist_load(const char *dir, const char *split, tl_mnist *out, char *err, size_t errlen);

/* Frees what tl_mnist_load allocated and zeroes *m. Accepts NULL and zeroed structs. */
void tl_mnist_free(tl_mnist *m);

/* $MNIST_DIR if set and non-empty, else NULL. */
const char *tl_mnist_default_dir(void);

/* Lower-level: parse an idx buffer already in memory (not gzipped). Expects magic 0x0000080N
 * (unsigned byte data) with ndim == expect_ndim; writes dims (up to 3) and a pointer into buf
 * for the payload. Returns 0 or non-zero with a message naming `what`. Used by tests. */
int tl_idx_parse(const uint8_t *buf, size_t len, int expect_ndim, const char *what, int dims[3],
                 const uint8_t **payload, char *err, size_t errlen);

#endif

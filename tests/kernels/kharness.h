/* SPDX-License-Identifier: Apache-2.0
 * Test harness for single kernels: builds tensors and nodes by hand, runs an op's prepare then eval
 * through the interpreter's tl_kctx, and writes small FlatBuffer tables (op options, sparsity
 * parameters) so kernels can be tested without a model file. */
#ifndef TL_TESTS_KHARNESS_H
#define TL_TESTS_KHARNESS_H

#include <stdint.h>

#include "../../src/kernels/kernel.h"

/* A tensor owned by the harness (freed by kh_reset). data is copied when not NULL; known marks it
 * valid at prepare time (a constant). Output tensors are made with ndim -1 (shape set by prepare). */
tl_tensor *kh_tensor(int type, int ndim, const int32_t *dims, const void *data, int known);
/* Sets a tensor's per-tensor quantization. */
void kh_quant(tl_tensor *t, float scale, int32_t zero_point);

/* ---- a tiny FlatBuffer writer (front to back, for tests only) ---- */
typedef struct {
  uint8_t *buf;     /* 16-aligned */
  uint32_t len, cap;
} kh_fb;
void kh_fb_init(kh_fb *b);
/* New table with room for fields 0..nfields-1; the first table made is the root. Returns its position. */
uint32_t kh_fb_table(kh_fb *b, int nfields);
void kh_fb_i32(kh_fb *b, uint32_t tab, int id, int32_t v);
void kh_fb_u8(kh_fb *b, uint32_t tab, int id, uint8_t v);
void kh_fb_f32(kh_fb *b, uint32_t tab, int id, float v);
void kh_fb_vec(kh_fb *b, uint32_t tab, int id, const void *data, uint32_t n, uint32_t elem);
/* Field id of tab points at table child (which must have been made after tab). */
void kh_fb_child(kh_fb *b, uint32_t tab, int id, uint32_t child);
/* A vector of n table offsets; fill with kh_fb_vec_set (children made afterwards). Returns its position. */
uint32_t kh_fb_vec_tables(kh_fb *b, uint32_t tab, int id, uint32_t n);
void kh_fb_vec_set(kh_fb *b, uint32_t vec, uint32_t i, uint32_t child);
/* The root table (first table made) as a tl_fb_table. */
tl_fb_table kh_fb_root(kh_fb *b);

/* A node: op code, inputs (NULL entries = omitted), outputs, options (NULL = none). */
tl_node *kh_node(int op, int n_in, tl_tensor **in, int n_out, tl_tensor **out, kh_fb *opts, int opts_type);
/* Makes n a CUSTOM op (builtin 32) named custom_code, with custom_options bytes (copied); its prepare
 * function then comes from the custom-op table. */
void kh_custom(tl_node *n, const char *custom_code, const uint8_t *opts, uint32_t n_opts);
/* Runs prepare (via the op table) then eval. Returns the first non-OK status; the message is in kh_err(). */
tl_status kh_run(tl_node *n);
/* Runs prepare only. */
tl_status kh_prepare(tl_node *n);
/* Runs eval only (after kh_prepare). */
tl_status kh_eval(tl_node *n);
const char *kh_err(void);
/* Frees everything the harness allocated. */
void kh_reset(void);

/* Output values as floats/ints. */
static inline float *kh_f32(tl_tensor *t) { return (float *)t->data; }
#endif

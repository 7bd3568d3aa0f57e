/* SPDX-License-Identifier: Apache-2.0
 * Test harness for single kernels (see kharness.h): drives an op's prepare and eval through a stub
 * kernel host of its own (no interpreter: these tests link the kernels without the runtime),
 * allocating outputs, scratch and persistent memory itself.
 * Outputs are poisoned (0xA5 bytes) before eval so unwritten elements are caught by the tests. */
#include "kharness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *g_allocs[4096];
static int g_nallocs;
/* custom_code of CUSTOM nodes (the node has no model to take it from) */
static struct {
  const tl_node *n;
  const char *code;
} g_custom[64];
static int g_ncustom;

static void *track(void *p) {
  if (p && g_nallocs < 4096) g_allocs[g_nallocs++] = p;
  return p;
}

/* The stub host: the error in a buffer, persistent memory from tracked calloc, one subgraph, no
 * resources, serial. Aligned to 16 as the interpreter's memory is. */
static char g_err[512];
static void stub_error(void *h, const char *msg) { (void)h, snprintf(g_err, sizeof g_err, "%s", msg); }
static void *stub_persist(void *h, size_t bytes) {
  (void)h;
  const size_t size = (bytes + 15) & ~(size_t)15;
  void *p = g_nallocs < 4096 ? aligned_alloc(16, size ? size : 16) : NULL;
  if (p) memset(p, 0, bytes);
  return track(p);
}
static size_t stub_mark(void *h) { return (void)h, 0; }
static void stub_release(void *h, size_t mark) { (void)h, (void)mark; }
static int stub_subgraph(void *h, int sg, tl_ksubgraph *v) { return (void)h, (void)sg, (void)v, 0; }
static tl_status stub_run(void *h, int sg) { return (void)h, (void)sg, TL_ERR_STATE; }
static int stub_resource_id(void *h, const char *c, const char *s) { return (void)h, (void)c, (void)s, -1; }
static tl_kresource *stub_resource(void *h, int id) { return (void)h, (void)id, NULL; }
static const tl_khost g_host = {stub_error, stub_persist, stub_persist, stub_mark, stub_release, NULL,
                                stub_subgraph, stub_run, stub_run, stub_resource_id, stub_resource};
static tl_kctx g_ctx = {&g_host, NULL, 0, 1, NULL, 0, 1, 0};

void kh_reset(void) {
  for (int i = 0; i < g_nallocs; i++) free(g_allocs[i]);
  g_nallocs = 0;
  g_err[0] = 0;
  g_ncustom = 0;
}

const char *kh_err(void) { return g_err; }

tl_tensor *kh_tensor(int type, int ndim, const int32_t *dims, const void *data, int known) {
  tl_tensor *t = track(calloc(1, sizeof *t));
  static int next_index;
  t->index = next_index++;
  t->type = type;
  t->name = "t";
  if (ndim >= 0) {
    t->ndim = ndim;
    size_t count = 1;
    for (int i = 0; i < ndim; i++) t->dims[i] = dims[i], count *= (size_t)dims[i];
    size_t es = tl_type_size(type);
    t->bytes = count * (es ? es : 1);
    t->data = track(calloc(1, t->bytes + 16));
    if (data) memcpy(t->data, data, t->bytes);
    t->mem = known ? TL_MEM_CONST : TL_MEM_ARENA;
    t->known = (uint8_t)(known != 0);
  }
  return t;
}

void kh_quant(tl_tensor *t, float scale, int32_t zero_point) {
  t->scale = scale;
  t->zero_point = zero_point;
  t->qcount = 1;
  float *s = track(malloc(sizeof *s));
  int64_t *z = track(malloc(sizeof *z));
  *s = scale;
  *z = zero_point;
  t->scales = s;
  t->zero_points = z;
}

/* ---- FlatBuffer writer ---- */
void kh_fb_init(kh_fb *b) {
  b->cap = 8192;
  b->buf = track(aligned_alloc(16, b->cap));
  memset(b->buf, 0, b->cap);
  b->len = 4; /* root uoffset */
}

static uint32_t fb_alloc(kh_fb *b, uint32_t n, uint32_t align) {
  while (b->len % align) b->len++;
  uint32_t p = b->len;
  b->len += n;
  if (b->len > b->cap) abort(); /* test bug */
  return p;
}

static void put32(kh_fb *b, uint32_t at, uint32_t v) { memcpy(b->buf + at, &v, 4); }
static void put16(kh_fb *b, uint32_t at, uint16_t v) { memcpy(b->buf + at, &v, 2); }

uint32_t kh_fb_table(kh_fb *b, int nfields) {
  uint32_t vt = fb_alloc(b, 4 + 2 * (uint32_t)nfields, 4);
  put16(b, vt, (uint16_t)(4 + 2 * nfields));
  put16(b, vt + 2, (uint16_t)(4 + 8 * nfields));
  uint32_t tab = fb_alloc(b, 4 + 8 * (uint32_t)nfields, 8);
  put32(b, tab, tab - vt); /* soffset: vtable = table - soffset */
  if (tab - vt > 0 && *(uint32_t *)b->buf == 0) put32(b, 0, tab);
  return tab;
}

static uint32_t field_at(kh_fb *b, uint32_t tab, int id) {
  int32_t so;
  memcpy(&so, b->buf + tab, 4);
  uint32_t vt = tab - (uint32_t)so;
  put16(b, vt + 4 + 2 * (uint32_t)id, (uint16_t)(4 + 8 * id));
  return tab + 4 + 8 * (uint32_t)id;
}

void kh_fb_i32(kh_fb *b, uint32_t tab, int id, int32_t v) { memcpy(b->buf + field_at(b, tab, id), &v, 4); }
void kh_fb_u8(kh_fb *b, uint32_t tab, int id, uint8_t v) { b->buf[field_at(b, tab, id)] = v; }
void kh_fb_f32(kh_fb *b, uint32_t tab, int id, float v) { memcpy(b->buf + field_at(b, tab, id), &v, 4); }

void kh_fb_vec(kh_fb *b, uint32_t tab, int id, const void *data, uint32_t n, uint32_t elem) {
  uint32_t f = field_at(b, tab, id);
  /* the length word sits right before naturally aligned data */
  while ((b->len + 4) % (elem > 4 ? elem : 4)) b->len++;
  uint32_t v = fb_alloc(b, 4 + n * elem, 4);
  put32(b, v, n);
  if (n) memcpy(b->buf + v + 4, data, (size_t)n * elem);
  put32(b, f, v - f);
}

void kh_fb_child(kh_fb *b, uint32_t tab, int id, uint32_t child) {
  uint32_t f = field_at(b, tab, id);
  put32(b, f, child - f);
}

uint32_t kh_fb_vec_tables(kh_fb *b, uint32_t tab, int id, uint32_t n) {
  uint32_t f = field_at(b, tab, id);
  uint32_t v = fb_alloc(b, 4 + 4 * n, 4);
  put32(b, v, n);
  put32(b, f, v - f);
  return v;
}

void kh_fb_vec_set(kh_fb *b, uint32_t vec, uint32_t i, uint32_t child) {
  uint32_t at = vec + 4 + 4 * i;
  put32(b, at, child - at);
}

tl_fb_table kh_fb_root(kh_fb *b) {
  tl_fb_table t;
  tl_fb_root(b->buf, b->len, &t);
  return t;
}

/* ---- nodes ---- */
tl_node *kh_node(int op, int n_in, tl_tensor **in, int n_out, tl_tensor **out, kh_fb *opts, int opts_type) {
  tl_node *n = track(calloc(1, sizeof *n));
  tl_mop *m = track(calloc(1, sizeof *m));
  n->op = op;
  n->version = 1;
  n->n_in = n_in;
  n->n_out = n_out;
  n->in = track(calloc((size_t)n_in + 1, sizeof *n->in));
  n->out = track(calloc((size_t)n_out + 1, sizeof *n->out));
  for (int i = 0; i < n_in; i++) n->in[i] = in[i];
  for (int i = 0; i < n_out; i++) n->out[i] = out[i];
  m->builtin = op;
  m->options_type = (uint8_t)opts_type;
  if (opts) m->options = kh_fb_root(opts);
  n->m = m;
  return n;
}

void kh_custom(tl_node *n, const char *custom_code, const uint8_t *opts, uint32_t n_opts) {
  tl_mop *m = (tl_mop *)n->m; /* allocated by kh_node */
  uint8_t *copy = track(malloc(n_opts ? n_opts : 1));
  if (n_opts) memcpy(copy, opts, n_opts);
  n->op = m->builtin = TL_BUILTIN_CUSTOM;
  m->custom = n_opts ? copy : NULL;
  m->custom_size = n_opts;
  if (g_ncustom < 64) g_custom[g_ncustom].n = n, g_custom[g_ncustom++].code = custom_code;
}

static tl_prepare_fn prepare_fn(const tl_node *n) {
  if (n->op != TL_BUILTIN_CUSTOM) return tl_kernel_lookup(n->op);
  for (int i = g_ncustom - 1; i >= 0; i--)
    if (g_custom[i].n == n) return tl_custom_lookup(g_custom[i].code);
  return NULL;
}

tl_status kh_prepare(tl_node *n) {
  g_err[0] = 0;
  tl_prepare_fn p = prepare_fn(n);
  if (!p) return tl_kunsupported(&g_ctx, n, "no kernel");
  tl_status s = p(&g_ctx, n);
  if (s != TL_OK) return s;
  if (!n->eval) return tl_kfail(&g_ctx, n, "prepare set no eval");
  for (int i = 0; i < n->n_out; i++) {
    tl_tensor *t = n->out[i];
    if (t->is_variable && t->data) continue;
    t->data = track(aligned_alloc(16, (t->bytes + 31) & ~(size_t)15));
    memset(t->data, 0xA5, t->bytes + 16); /* poison: unwritten outputs show up */
    t->mem = TL_MEM_ARENA;
  }
  if (n->scratch_size) n->scratch = track(aligned_alloc(16, (n->scratch_size + 15) & ~(size_t)15));
  return TL_OK;
}

tl_status kh_eval(tl_node *n) { return n->eval(&g_ctx, n); }

tl_status kh_run(tl_node *n) {
  tl_status s = kh_prepare(n);
  if (s != TL_OK) return s;
  return kh_eval(n);
}

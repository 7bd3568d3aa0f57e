/* SPDX-License-Identifier: Apache-2.0
 * Bounds-checked FlatBuffers primitives (see flatbuf.h). The rules follow the FlatBuffers
 * verifier: offsets stay inside the buffer, vtables and tables fit, vectors and strings fit and
 * are aligned, strings end in NUL. Reads are done with memcpy so unaligned data is never UB. */
#include "flatbuf.h"

static int fits(size_t size, uint64_t pos, uint64_t n) { return pos <= size && n <= size - pos; }

static int open_table(const uint8_t *base, size_t size, uint64_t pos, tl_fb_table *t) {
  memset(t, 0, sizeof *t);
  if (pos % 4 || !fits(size, pos, 4)) return 0;
  int64_t vt = (int64_t)pos - (int64_t)tl_fb_i32_at(base + pos);
  if (vt < 0 || vt % 2 || !fits(size, (uint64_t)vt, 4)) return 0;
  uint16_t vtlen = tl_fb_u16_at(base + vt), tlen = tl_fb_u16_at(base + vt + 2);
  if (vtlen < 4 || vtlen % 2 || !fits(size, (uint64_t)vt, vtlen)) return 0;
  if (tlen < 4 || !fits(size, pos, tlen)) return 0;
  t->base = base;
  t->size = size;
  t->pos = (uint32_t)pos;
  t->vt = (uint32_t)vt;
  t->vtlen = vtlen;
  t->tlen = tlen;
  t->ok = 1;
  return 1;
}

int tl_fb_table_at(const uint8_t *base, size_t size, uint32_t at, tl_fb_table *t) {
  memset(t, 0, sizeof *t);
  if (at % 4 || !fits(size, at, 4)) return 0;
  uint32_t off = tl_fb_u32_at(base + at);
  if (off == 0) return 0;
  return open_table(base, size, (uint64_t)at + off, t);
}

int tl_fb_root(const uint8_t *base, size_t size, tl_fb_table *t) {
  if (size > 0x7fffffffu) size = 0x7fffffffu; /* FlatBuffers' max; weights may follow the FlatBuffer */
  return tl_fb_table_at(base, size, 0, t);
}

uint32_t tl_fb_field_pos(const tl_fb_table *t, int id, uint32_t width) {
  if (!t->ok || id < 0) return 0;
  uint32_t slot = 4u + 2u * (uint32_t)id;
  if (slot + 2 > t->vtlen) return 0;
  uint16_t off = tl_fb_u16_at(t->base + t->vt + slot);
  if (off == 0 || (uint32_t)off + width > t->tlen) return 0;
  return t->pos + off;
}

#define SCALAR_GETTER(name, type, width)                                   \
  type name(const tl_fb_table *t, int id, type def) {                      \
    uint32_t p = tl_fb_field_pos(t, id, width);                            \
    if (!p) return def;                                                    \
    type v;                                                                \
    memcpy(&v, t->base + p, width);                                        \
    return v;                                                              \
  }
SCALAR_GETTER(tl_fb_i8, int8_t, 1)
SCALAR_GETTER(tl_fb_u8, uint8_t, 1)
SCALAR_GETTER(tl_fb_i16, int16_t, 2)
SCALAR_GETTER(tl_fb_i32, int32_t, 4)
SCALAR_GETTER(tl_fb_u32, uint32_t, 4)
SCALAR_GETTER(tl_fb_i64, int64_t, 8)
SCALAR_GETTER(tl_fb_u64, uint64_t, 8)
SCALAR_GETTER(tl_fb_f32, float, 4)

int tl_fb_subtable(const tl_fb_table *t, int id, tl_fb_table *out) {
  memset(out, 0, sizeof *out);
  uint32_t p = tl_fb_field_pos(t, id, 4);
  if (!p) return 0;
  return tl_fb_table_at(t->base, t->size, p, out) ? 1 : -1;
}

/* Resolves the uoffset at `at` to a length-prefixed vector of n*elem bytes. */
static int vector_at(const uint8_t *base, size_t size, uint32_t at, uint32_t elem, tl_fb_vec *out) {
  memset(out, 0, sizeof *out);
  if (at % 4 || !fits(size, at, 4)) return -1;
  uint64_t vpos = (uint64_t)at + tl_fb_u32_at(base + at);
  if (vpos % 4 || !fits(size, vpos, 4)) return -1;
  uint32_t n = tl_fb_u32_at(base + vpos);
  uint64_t data = vpos + 4;
  /* 8-byte elements are not required to be 8-aligned: some converters wrote them 4-aligned, TFLite
   * runs such files, and every read here goes through memcpy. */
  if (!fits(size, data, (uint64_t)n * elem)) return -1;
  out->data = base + data;
  out->n = n;
  out->ok = 1;
  return 1;
}

int tl_fb_vector(const tl_fb_table *t, int id, uint32_t elem, tl_fb_vec *out) {
  memset(out, 0, sizeof *out);
  uint32_t p = tl_fb_field_pos(t, id, 4);
  if (!p) return 0;
  return vector_at(t->base, t->size, p, elem, out);
}

int tl_fb_vec_table(const tl_fb_table *t, const tl_fb_vec *v, uint32_t i, tl_fb_table *out) {
  memset(out, 0, sizeof *out);
  if (!v->ok || i >= v->n) return -1;
  uint32_t at = (uint32_t)(v->data - t->base) + 4 * i;
  return tl_fb_table_at(t->base, t->size, at, out) ? 1 : -1;
}

static int string_at(const uint8_t *base, size_t size, uint32_t at, const char **s, uint32_t *len) {
  tl_fb_vec v;
  if (vector_at(base, size, at, 1, &v) != 1) return -1;
  if (!fits(size, (uint64_t)(v.data - base) + v.n, 1) || v.data[v.n] != 0) return -1;
  *s = (const char *)v.data;
  if (len) *len = v.n;
  return 1;
}

int tl_fb_string(const tl_fb_table *t, int id, const char **s, uint32_t *len) {
  *s = "";
  if (len) *len = 0;
  uint32_t p = tl_fb_field_pos(t, id, 4);
  if (!p) return 0;
  int r = string_at(t->base, t->size, p, s, len);
  if (r != 1) *s = "";
  return r;
}

int tl_fb_vec_string(const tl_fb_table *t, const tl_fb_vec *v, uint32_t i, const char **s, uint32_t *len) {
  *s = "";
  if (len) *len = 0;
  if (!v->ok || i >= v->n) return -1;
  int r = string_at(t->base, t->size, (uint32_t)(v->data - t->base) + 4 * i, s, len);
  if (r != 1) *s = "";
  return r;
}

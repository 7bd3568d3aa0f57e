/* SPDX-License-Identifier: Apache-2.0
 * Bounds-checked FlatBuffers reading primitives. Every access to model bytes goes through
 * these, so no byte sequence can make the library read outside the buffer it was given. */
#ifndef TL_FLATBUF_H
#define TL_FLATBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A table inside a FlatBuffer: base/size bound every read. `ok` is 0 for an absent table. */
typedef struct {
  const uint8_t *base;
  size_t size;
  uint32_t pos;    /* table start */
  uint32_t vt;     /* vtable start */
  uint16_t vtlen;  /* vtable length in bytes */
  uint16_t tlen;   /* inline table size in bytes */
  int ok;
} tl_fb_table;

/* A vector inside a FlatBuffer: `data` points at element 0, `n` elements. */
typedef struct {
  const uint8_t *data;
  uint32_t n;
  int ok;
} tl_fb_vec;

static inline uint32_t tl_fb_u32_at(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline int32_t tl_fb_i32_at(const uint8_t *p) { int32_t v; memcpy(&v, p, 4); return v; }
static inline uint16_t tl_fb_u16_at(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline int64_t tl_fb_i64_at(const uint8_t *p) { int64_t v; memcpy(&v, p, 8); return v; }
static inline float tl_fb_f32_at(const uint8_t *p) { float v; memcpy(&v, p, 4); return v; }

/* Opens the table whose uoffset is stored at `at`. Returns 0 and a !ok table on any bounds violation. */
int tl_fb_table_at(const uint8_t *base, size_t size, uint32_t at, tl_fb_table *t);
/* The root table of a buffer (uoffset at byte 0). */
int tl_fb_root(const uint8_t *base, size_t size, tl_fb_table *t);

/* Byte position of field `id` inside the buffer, or 0 when absent. Checks that `width` bytes fit in
 * the table's inline size. */
uint32_t tl_fb_field_pos(const tl_fb_table *t, int id, uint32_t width);

int8_t tl_fb_i8(const tl_fb_table *t, int id, int8_t def);
uint8_t tl_fb_u8(const tl_fb_table *t, int id, uint8_t def);
int16_t tl_fb_i16(const tl_fb_table *t, int id, int16_t def);
int32_t tl_fb_i32(const tl_fb_table *t, int id, int32_t def);
uint32_t tl_fb_u32(const tl_fb_table *t, int id, uint32_t def);
int64_t tl_fb_i64(const tl_fb_table *t, int id, int64_t def);
uint64_t tl_fb_u64(const tl_fb_table *t, int id, uint64_t def);
float tl_fb_f32(const tl_fb_table *t, int id, float def);

/* Sub-table field. Returns 1 if present and valid, 0 if absent, -1 if present but out of bounds. */
int tl_fb_subtable(const tl_fb_table *t, int id, tl_fb_table *out);
/* Vector field of elements `elem` bytes wide (1,2,4,8; 4 for vectors of offsets). Checks the whole
 * vector fits and is aligned to min(elem,4). Same return convention as tl_fb_subtable. */
int tl_fb_vector(const tl_fb_table *t, int id, uint32_t elem, tl_fb_vec *out);
/* Element i of a vector of tables. */
int tl_fb_vec_table(const tl_fb_table *t, const tl_fb_vec *v, uint32_t i, tl_fb_table *out);
/* String field: NUL-terminated inside the buffer. Same return convention; *s set to "" when absent. */
int tl_fb_string(const tl_fb_table *t, int id, const char **s, uint32_t *len);
/* Element i of a vector of strings. */
int tl_fb_vec_string(const tl_fb_table *t, const tl_fb_vec *v, uint32_t i, const char **s, uint32_t *len);

static inline int32_t tl_fb_vec_i32(const tl_fb_vec *v, uint32_t i) { return tl_fb_i32_at(v->data + 4 * (size_t)i); }
static inline int64_t tl_fb_vec_i64(const tl_fb_vec *v, uint32_t i) { return tl_fb_i64_at(v->data + 8 * (size_t)i); }
static inline float tl_fb_vec_f32(const tl_fb_vec *v, uint32_t i) { return tl_fb_f32_at(v->data + 4 * (size_t)i); }

#endif

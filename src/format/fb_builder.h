/* SPDX-License-Identifier: Apache-2.0
 * A FlatBuffers builder of tinylite's own, for the .tflite writer (and through it the trainer's
 * exporter and the converter). */
#ifndef TL_FB_BUILDER_H
#define TL_FB_BUILDER_H

#include <stddef.h>
#include <stdint.h>

/* =============================================================================================
 * Low-level FlatBuffers builder.
 *
 * Like the official builders it grows downwards: bytes are prepended, so every object is known
 * by its distance from the end of the buffer ("ref", > 0). A uoffset written at ref P pointing to
 * ref T stores P - T (always positive: children are created before their parents, so they sit
 * at higher addresses). Alignment is computed from the end; the final size is padded to the
 * largest alignment used (minalign), so alignment from the start is the same. Tables: fields are
 * pushed (scalars aligned to their size), then the soffset to the vtable, then the vtable
 * {vtable bytes, object bytes, field offsets...} which is shared with an identical earlier one.
 * ============================================================================================= */

#define TL_FBB_MAX_SIZE 0x7ffffff0u /* FlatBuffers' 2 GiB limit (signed 32-bit offsets) */
#define TL_FBB_MAX_FIELDS 64

typedef struct {
  uint8_t *buf; /* data occupies buf[cap - size, cap) */
  size_t cap, size, minalign;
  size_t tbl_start;
  int in_table, nfld;
  struct {
    uint16_t id;
    uint32_t pos;
  } fld[TL_FBB_MAX_FIELDS];
  uint32_t *vt; /* refs of vtables written so far, for deduplication */
  size_t nvt, capvt;
  const char *err; /* first error (static string), NULL if none */
} tl_fbb;

/* Little-endian stores and loads of n (<= 8) bytes. */
static inline void tl_fbb_store_le(uint8_t *p, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t tl_fbb_load_u16(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }
static inline uint32_t tl_fbb_load_u32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* A zeroed tl_fbb with minalign 1 is an empty builder. Every call is a no-op once f->err is set;
 * refs are distances from the end of the buffer, 0 meaning "absent". */
void tl_fbb_fail(tl_fbb *f, const char *msg);
uint8_t *tl_fbb_claim(tl_fbb *f, size_t n);          /* n bytes prepended, NULL on error */
void tl_fbb_pad(tl_fbb *f, size_t n);
void tl_fbb_prep(tl_fbb *f, size_t align, size_t extra); /* aligns so `extra` bytes then land aligned */
void tl_fbb_push_le(tl_fbb *f, uint64_t v, size_t n);
void tl_fbb_push_uoff(tl_fbb *f, uint32_t ref);
uint32_t tl_fbb_string(tl_fbb *f, const char *s, size_t n);
uint32_t tl_fbb_vec(tl_fbb *f, const void *data, size_t n, size_t esz, size_t align);
uint32_t tl_fbb_vec_refs(tl_fbb *f, const uint32_t *refs, size_t n); /* a vector of offsets */
/* Tables: start, fields (each records its id), end returns the table's ref. */
void tl_fbb_table_start(tl_fbb *f);
void tl_fbb_field(tl_fbb *f, int id);
void tl_fbb_scalar(tl_fbb *f, int id, uint64_t v, size_t n);
void tl_fbb_u8(tl_fbb *f, int id, unsigned v);
void tl_fbb_u32(tl_fbb *f, int id, uint32_t v);
void tl_fbb_i32(tl_fbb *f, int id, int32_t v);
void tl_fbb_off(tl_fbb *f, int id, uint32_t ref);
/* Writes vtable bytes vtb (already little-endian) for the table whose soffset is at ref obj,
 * reusing an identical earlier vtable. */
void tl_fbb_place_vtable(tl_fbb *f, const uint8_t *vtb, size_t vt_len, uint32_t obj);
uint32_t tl_fbb_table_end(tl_fbb *f);
void tl_fbb_finish(tl_fbb *f, uint32_t root, const char *ident); /* root offset and 4-byte file identifier */
void tl_fbb_free(tl_fbb *f);

#endif

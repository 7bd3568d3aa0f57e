/* SPDX-License-Identifier: Apache-2.0
 * A small, bounds-checked FlexBuffers reader (the schema-less format of CUSTOM ops' custom_options),
 * with flexbuffers.h's conversion rules, so no byte sequence can make it read outside its blob;
 * plus a writer for maps of scalars (the only kind of custom_options tinylite needs to produce). */
#ifndef TL_FORMAT_FLEXBUF_H
#define TL_FORMAT_FLEXBUF_H

#include <stddef.h>
#include <stdint.h>

/* FlexBuffers value types (the upper 6 bits of a packed type byte). */
enum {
  TL_FLEX_NULL = 0,
  TL_FLEX_INT = 1,
  TL_FLEX_UINT = 2,
  TL_FLEX_FLOAT = 3,
  TL_FLEX_KEY = 4,
  TL_FLEX_STRING = 5,
  TL_FLEX_INDIRECT_INT = 6,
  TL_FLEX_INDIRECT_UINT = 7,
  TL_FLEX_INDIRECT_FLOAT = 8,
  TL_FLEX_MAP = 9,
  TL_FLEX_VECTOR = 10,
  TL_FLEX_VECTOR_INT = 11,     /* typed vectors: 11..15 (INT, UINT, FLOAT, KEY, STRING) */
  TL_FLEX_VECTOR_STRING = 15,
  TL_FLEX_VECTOR_INT2 = 16,    /* fixed-length typed vectors: 16..24 (INT/UINT/FLOAT x 2,3,4) */
  TL_FLEX_VECTOR_FLOAT4 = 24,
  TL_FLEX_BLOB = 25,
  TL_FLEX_BOOL = 26,
  TL_FLEX_VECTOR_BOOL = 36,
};

/* A blob being read. err is the first problem met (NULL while everything read was in bounds and
 * well formed); while it is set every call fails at once, so a sequence of reads can be checked
 * once at the end. Setting it back to NULL lets reading go on elsewhere in the blob. */
typedef struct {
  const uint8_t *buf;
  size_t size;
  const char *err;
} tl_flex;

/* A value inside the blob: the slot at `pos` holds it inline (NULL/INT/UINT/FLOAT/BOOL, parent_width
 * bytes) or holds an offset back to it (other types, whose own width is byte_width). A missing value
 * (absent key, index past the end) is type TL_FLEX_NULL. */
typedef struct {
  size_t pos;
  uint8_t parent_width;
  uint8_t byte_width;
  uint8_t type;
} tl_flex_ref;

/* Opens a blob: the root is described by its last two bytes (packed type, then width). Returns 0, or
 * -1 with fx->err set (empty or truncated blob, a width other than 1/2/4/8). The blob is borrowed. */
int tl_flex_root(tl_flex *fx, const uint8_t *buf, size_t size, tl_flex_ref *root);

/* Looks key up in a map the way flexbuffers' Map::operator[] does (a binary search over the sorted
 * keys, glibc's bsearch probe order, so unsorted keys give the same answer as TFLite). A value that
 * is not a map reads as an empty map. Returns 1 found, 0 absent (out is NULL), -1 malformed. */
int tl_flex_map_get(tl_flex *fx, const tl_flex_ref *map, const char *key, tl_flex_ref *out);

/* Conversions with flexbuffers.h's rules (Reference::AsInt64/AsUInt64/AsDouble/AsBool): numbers
 * convert (floats truncate toward zero), NULL is 0, strings are parsed, vectors give their size,
 * other types give 0. AsInt32/AsFloat are these truncated (two's complement wrap, float rounding).
 * Return 0, or -1 if the value lies outside the blob. */
int tl_flex_int64(tl_flex *fx, const tl_flex_ref *r, int64_t *out);
int tl_flex_uint64(tl_flex *fx, const tl_flex_ref *r, uint64_t *out);
int tl_flex_double(tl_flex *fx, const tl_flex_ref *r, double *out);
int tl_flex_bool(tl_flex *fx, const tl_flex_ref *r, int *out);
int tl_flex_int32(tl_flex *fx, const tl_flex_ref *r, int32_t *out);
int tl_flex_float(tl_flex *fx, const tl_flex_ref *r, float *out);

/* Walking any value (for dumps and tests). Element count of a vector, typed vector, fixed typed
 * vector, map, string, key (its strlen) or blob; 0 for scalars. 0 or -1. */
int tl_flex_size(tl_flex *fx, const tl_flex_ref *r, uint64_t *n);
/* Element i of a vector, typed vector, fixed typed vector or map (its i-th value); NULL past the end
 * or for other types. 0 or -1. */
int tl_flex_at(tl_flex *fx, const tl_flex_ref *r, uint64_t i, tl_flex_ref *out);
/* The i-th key of a map (NUL-terminated inside the blob); *key = NULL past the end. 0 or -1. */
int tl_flex_map_key(tl_flex *fx, const tl_flex_ref *map, uint64_t i, const char **key);
/* A STRING or KEY value, NUL-terminated inside the blob ("" for other types). 0 or -1. */
int tl_flex_string(tl_flex *fx, const tl_flex_ref *r, const char **s, size_t *len);

/* ---- writing a map of scalars ---- */
typedef struct {
  const char *key;
  uint8_t type;     /* TL_FLEX_NULL, INT, UINT, FLOAT or BOOL */
  int64_t i;        /* INT, BOOL */
  uint64_t u;       /* UINT */
  double f;         /* FLOAT: stored as float32 when width is 4, float64 when 8 */
} tl_flex_entry;

/* Writes {key: value, ...} as a FlexBuffer whose slots (offsets and values) are all `width` bytes
 * (1, 2, 4 or 8; values must fit, floats need 4 or 8). At most 256 entries; keys must be
 * distinct and are sorted as the format requires. Returns the number of bytes written, the size needed if cap is too small (out may
 * be NULL to measure), or 0 on bad arguments. */
size_t tl_flex_write_map(const tl_flex_entry *e, int n, int width, uint8_t *out, size_t cap);

#endif

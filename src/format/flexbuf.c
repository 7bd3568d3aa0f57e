/* SPDX-License-Identifier: Apache-2.0
 * Bounds-checked FlexBuffers reader and a scalar-map writer (see flexbuf.h). Every byte read goes
 * through rd_u(), which checks the blob's bounds; offsets may only point backwards, as the format says. */
#include "flexbuf.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int bad(tl_flex *fx, const char *msg) {
  if (!fx->err) fx->err = msg;
  return -1;
}

static int valid_width(uint64_t w) { return w == 1 || w == 2 || w == 4 || w == 8; }

/* Little-endian unsigned value of w (1, 2, 4, 8) bytes at pos. */
static int rd_u(tl_flex *fx, size_t pos, unsigned w, uint64_t *v) {
  if (fx->err) return -1;
  if (pos > fx->size || w > fx->size - pos) return bad(fx, "a value lies outside the blob");
  uint64_t x = 0;
  for (unsigned i = w; i-- > 0;) x = x << 8 | fx->buf[pos + i];
  *v = x;
  return 0;
}

static int rd_i(tl_flex *fx, size_t pos, unsigned w, int64_t *v) {
  uint64_t u;
  if (rd_u(fx, pos, w, &u)) return -1;
  if (w < 8 && (u >> (8 * w - 1)) & 1) u |= ~(uint64_t)0 << (8 * w); /* sign-extend */
  memcpy(v, &u, sizeof *v);
  return 0;
}

/* flexbuffers' ReadDouble: widths 4 and 8 are IEEE floats; 1 and 2 hold int8/int16 (it has no
 * 8- or 16-bit floats and reads those widths as integers). */
static int rd_f(tl_flex *fx, size_t pos, unsigned w, double *v) {
  uint64_t u;
  if (rd_u(fx, pos, w, &u)) return -1;
  if (w == 8) {
    memcpy(v, &u, 8);
  } else if (w == 4) {
    uint32_t b = (uint32_t)u;
    float f;
    memcpy(&f, &b, 4);
    *v = f;
  } else {
    int64_t i;
    if (rd_i(fx, pos, w, &i)) return -1;
    *v = (double)i;
  }
  return 0;
}

/* The target of the offset stored at pos (w bytes): offsets count backwards from where they sit. */
static int indirect(tl_flex *fx, size_t pos, unsigned w, size_t *target) {
  uint64_t off;
  if (rd_u(fx, pos, w, &off)) return -1;
  if (off > pos) return bad(fx, "an offset points before the start of the blob");
  *target = pos - (size_t)off;
  return 0;
}

/* The size field (w bytes) just before data, for vectors, maps, strings and blobs. */
static int size_before(tl_flex *fx, size_t data, unsigned w, uint64_t *n) {
  if (data < w) return bad(fx, "a size field lies before the start of the blob");
  return rd_u(fx, data - w, w, n);
}

static tl_flex_ref make_ref(size_t pos, unsigned parent_width, uint8_t packed) {
  tl_flex_ref r = {pos, (uint8_t)parent_width, (uint8_t)(1u << (packed & 3)), (uint8_t)(packed >> 2)};
  return r;
}

static tl_flex_ref null_ref(void) {
  tl_flex_ref r = {0, 1, 1, TL_FLEX_NULL};
  return r;
}

/* NUL-terminated string at pos inside the blob. */
static int cstring(tl_flex *fx, size_t pos, const char **s, size_t *len) {
  if (fx->err) return -1;
  if (pos >= fx->size) return bad(fx, "a string lies outside the blob");
  const uint8_t *p = memchr(fx->buf + pos, 0, fx->size - pos);
  if (!p) return bad(fx, "a string runs past the end of the blob");
  *s = (const char *)(fx->buf + pos);
  if (len) *len = (size_t)(p - (fx->buf + pos));
  return 0;
}

int tl_flex_root(tl_flex *fx, const uint8_t *buf, size_t size, tl_flex_ref *root) {
  fx->buf = buf;
  fx->size = buf ? size : 0;
  fx->err = NULL;
  *root = null_ref();
  if (fx->size < 2) return bad(fx, "the blob is shorter than 2 bytes");
  uint8_t width = buf[size - 1], packed = buf[size - 2];
  if (!valid_width(width)) return bad(fx, "the root width is not 1, 2, 4 or 8");
  if (width > size - 2) return bad(fx, "the root value lies outside the blob");
  *root = make_ref(size - 2 - width, width, packed);
  return 0;
}

/* ---- vectors and maps ---- */

/* Where an untyped vector's (or map's) elements start, its element width and count. Counts too large
 * for the blob are refused here, so later index arithmetic cannot overflow. */
static int vec_info(tl_flex *fx, const tl_flex_ref *r, size_t *data, uint64_t *n) {
  if (indirect(fx, r->pos, r->parent_width, data) || size_before(fx, *data, r->byte_width, n)) return -1;
  if (*n > fx->size / r->byte_width) return bad(fx, "a vector is larger than the blob");
  return 0;
}

/* Element i of an untyped vector or map: the slot, then its packed type after all the slots. */
static int untyped_at(tl_flex *fx, const tl_flex_ref *r, uint64_t i, tl_flex_ref *out) {
  size_t data;
  uint64_t n;
  *out = null_ref();
  if (vec_info(fx, r, &data, &n)) return -1;
  if (i >= n) return 0;
  uint64_t types;
  size_t tpos = data + (size_t)n * r->byte_width + (size_t)i; /* n*w <= size: no overflow */
  if (tpos < data || rd_u(fx, tpos, 1, &types)) return bad(fx, "a vector's type bytes lie outside the blob");
  *out = make_ref(data + (size_t)i * r->byte_width, r->byte_width, (uint8_t)types);
  return 0;
}

static int is_typed_vector(int t) { return (t >= TL_FLEX_VECTOR_INT && t <= TL_FLEX_VECTOR_STRING) || t == TL_FLEX_VECTOR_BOOL; }
static int is_fixed_vector(int t) { return t >= TL_FLEX_VECTOR_INT2 && t <= TL_FLEX_VECTOR_FLOAT4; }

int tl_flex_size(tl_flex *fx, const tl_flex_ref *r, uint64_t *n) {
  *n = 0;
  if (fx->err) return -1;
  size_t data;
  if (is_fixed_vector(r->type)) {
    *n = (uint64_t)(r->type - TL_FLEX_VECTOR_INT2) / 3 + 2;
    return 0;
  }
  if (r->type == TL_FLEX_KEY) {
    const char *s;
    size_t len;
    if (indirect(fx, r->pos, r->parent_width, &data) || cstring(fx, data, &s, &len)) return -1;
    *n = len;
    return 0;
  }
  if (r->type == TL_FLEX_VECTOR || r->type == TL_FLEX_MAP || is_typed_vector(r->type) ||
      r->type == TL_FLEX_STRING || r->type == TL_FLEX_BLOB) {
    if (indirect(fx, r->pos, r->parent_width, &data)) return -1;
    return size_before(fx, data, r->byte_width, n);
  }
  return 0;
}

int tl_flex_at(tl_flex *fx, const tl_flex_ref *r, uint64_t i, tl_flex_ref *out) {
  *out = null_ref();
  if (fx->err) return -1;
  if (r->type == TL_FLEX_VECTOR || r->type == TL_FLEX_MAP) return untyped_at(fx, r, i, out);
  int typed = is_typed_vector(r->type), fixed = is_fixed_vector(r->type);
  if (!typed && !fixed) return 0;
  size_t data;
  uint64_t n;
  int elem;
  if (indirect(fx, r->pos, r->parent_width, &data)) return -1;
  if (typed) {
    if (size_before(fx, data, r->byte_width, &n)) return -1;
    elem = r->type - TL_FLEX_VECTOR_INT + TL_FLEX_INT; /* VECTOR_BOOL (36) maps to BOOL (26) too */
  } else {
    n = (uint64_t)(r->type - TL_FLEX_VECTOR_INT2) / 3 + 2;
    elem = (r->type - TL_FLEX_VECTOR_INT2) % 3 + TL_FLEX_INT;
  }
  if (i >= n) return 0;
  if (i > fx->size / r->byte_width) return bad(fx, "a vector element lies outside the blob");
  tl_flex_ref e = {data + (size_t)i * r->byte_width, r->byte_width, 1, (uint8_t)elem};
  uint64_t probe;
  if (rd_u(fx, e.pos, e.parent_width, &probe)) return -1; /* the slot itself must be inside */
  *out = e;
  return 0;
}

/* The keys vector of a map: three slots before its values hold (offset to keys, keys width, count). */
static int map_keys(tl_flex *fx, const tl_flex_ref *map, size_t *keys, unsigned *kw, uint64_t *nkeys) {
  size_t data, kf;
  uint64_t w;
  unsigned bw = map->byte_width;
  if (indirect(fx, map->pos, map->parent_width, &data)) return -1;
  if (data < 3 * (size_t)bw) return bad(fx, "a map's header lies before the start of the blob");
  kf = data - 3 * (size_t)bw;
  if (indirect(fx, kf, bw, keys) || rd_u(fx, kf + bw, bw, &w)) return -1;
  /* flexbuffers keeps the width as uint8_t and has no comparison for other widths (it would call a
   * NULL function pointer): refused. */
  w &= 0xff;
  if (!valid_width(w)) return bad(fx, "a map's key width is not 1, 2, 4 or 8");
  *kw = (unsigned)w;
  if (size_before(fx, *keys, *kw, nkeys)) return -1;
  if (*nkeys > fx->size / *kw) return bad(fx, "a map's key vector is larger than the blob");
  return 0;
}

/* strcmp(key, blob string at pos) without reading past the blob. */
static int key_cmp(tl_flex *fx, const char *key, size_t pos, int *cmp) {
  for (size_t k = 0;; k++) {
    if (pos + k >= fx->size) return bad(fx, "a map key runs past the end of the blob");
    unsigned char a = (unsigned char)key[k], b = fx->buf[pos + k];
    if (a != b || !a) {
      *cmp = (int)a - (int)b;
      return 0;
    }
  }
}

int tl_flex_map_get(tl_flex *fx, const tl_flex_ref *map, const char *key, tl_flex_ref *out) {
  *out = null_ref();
  if (fx->err) return -1;
  if (map->type != TL_FLEX_MAP) return 0; /* AsMap() of anything else is the empty map */
  size_t keys;
  unsigned kw;
  uint64_t nkeys;
  if (map_keys(fx, map, &keys, &kw, &nkeys)) return -1;
  /* glibc's bsearch: the probe sequence decides which entry wins when keys are unsorted. */
  uint64_t lo = 0, hi = nkeys;
  while (lo < hi) {
    uint64_t idx = (lo + hi) / 2;
    size_t s;
    int c;
    if (indirect(fx, keys + (size_t)idx * kw, kw, &s) || key_cmp(fx, key, s, &c)) return -1;
    if (c < 0) {
      hi = idx;
    } else if (c > 0) {
      lo = idx + 1;
    } else {
      /* the key's index picks the value; past the values' end it reads as NULL, like flexbuffers */
      return untyped_at(fx, map, idx, out) ? -1 : 1;
    }
  }
  return 0;
}

int tl_flex_map_key(tl_flex *fx, const tl_flex_ref *map, uint64_t i, const char **key) {
  *key = NULL;
  if (fx->err) return -1;
  if (map->type != TL_FLEX_MAP) return 0;
  size_t keys, s;
  unsigned kw;
  uint64_t nkeys;
  if (map_keys(fx, map, &keys, &kw, &nkeys)) return -1;
  if (i >= nkeys) return 0;
  if (indirect(fx, keys + (size_t)i * kw, kw, &s)) return -1;
  return cstring(fx, s, key, NULL);
}

int tl_flex_string(tl_flex *fx, const tl_flex_ref *r, const char **s, size_t *len) {
  *s = "";
  if (len) *len = 0;
  if (fx->err) return -1;
  if (r->type != TL_FLEX_STRING && r->type != TL_FLEX_KEY) return 0;
  size_t data;
  if (indirect(fx, r->pos, r->parent_width, &data)) return -1;
  return cstring(fx, data, s, len);
}

/* ---- conversions ---- */

/* double -> int64 as x86-64's cvttsd2si (what TFLite's build does for the C++ cast): truncation, and
 * INT64_MIN for NaN and out-of-range values (undefined in C, so spelled out). */
static int64_t d2i64(double x) {
  if (x != x || x >= 9223372036854775808.0 || x < -9223372036854775808.0) return INT64_MIN;
  return (int64_t)x;
}

/* double -> uint64 as GCC compiles it on x86-64 (values >= 2^63 are shifted down first). */
static uint64_t d2u64(double x) {
  const double two63 = 9223372036854775808.0;
  if (!(x >= two63)) return (uint64_t)d2i64(x);
  return (uint64_t)d2i64(x - two63) ^ ((uint64_t)1 << 63);
}

/* flatbuffers' StringToInt/StringToUInt: base 10, the whole string, in range, else 0. */
static int64_t str_to_i64(const char *s) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  return (end == s || *end || errno) ? 0 : (int64_t)v;
}

static uint64_t str_to_u64(const char *s) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  return (end == s || *end || errno) ? 0 : (uint64_t)v;
}

/* Size of the vector an offset slot points at (AsVector().size()). */
static int vector_size(tl_flex *fx, const tl_flex_ref *r, uint64_t *n) {
  size_t data;
  if (indirect(fx, r->pos, r->parent_width, &data)) return -1;
  return size_before(fx, data, r->byte_width, n);
}

int tl_flex_int64(tl_flex *fx, const tl_flex_ref *r, int64_t *out) {
  *out = 0;
  if (fx->err) return -1;
  size_t at;
  uint64_t u;
  double d;
  const char *s;
  switch (r->type) {
    case TL_FLEX_INT: case TL_FLEX_BOOL: return rd_i(fx, r->pos, r->parent_width, out);
    case TL_FLEX_INDIRECT_INT: return indirect(fx, r->pos, r->parent_width, &at) || rd_i(fx, at, r->byte_width, out) ? -1 : 0;
    case TL_FLEX_UINT:
      if (rd_u(fx, r->pos, r->parent_width, &u)) return -1;
      break;
    case TL_FLEX_INDIRECT_UINT:
      if (indirect(fx, r->pos, r->parent_width, &at) || rd_u(fx, at, r->byte_width, &u)) return -1;
      break;
    case TL_FLEX_FLOAT:
      if (rd_f(fx, r->pos, r->parent_width, &d)) return -1;
      *out = d2i64(d);
      return 0;
    case TL_FLEX_INDIRECT_FLOAT:
      if (indirect(fx, r->pos, r->parent_width, &at) || rd_f(fx, at, r->byte_width, &d)) return -1;
      *out = d2i64(d);
      return 0;
    case TL_FLEX_STRING:
      if (tl_flex_string(fx, r, &s, NULL)) return -1;
      *out = str_to_i64(s);
      return 0;
    case TL_FLEX_VECTOR:
      if (vector_size(fx, r, &u)) return -1;
      break;
    default: return 0;
  }
  memcpy(out, &u, sizeof u); /* two's complement reinterpretation, as static_cast does */
  return 0;
}

int tl_flex_uint64(tl_flex *fx, const tl_flex_ref *r, uint64_t *out) {
  *out = 0;
  if (fx->err) return -1;
  size_t at;
  int64_t i;
  double d;
  const char *s;
  switch (r->type) {
    case TL_FLEX_UINT: case TL_FLEX_BOOL: return rd_u(fx, r->pos, r->parent_width, out);
    case TL_FLEX_INDIRECT_UINT: return indirect(fx, r->pos, r->parent_width, &at) || rd_u(fx, at, r->byte_width, out) ? -1 : 0;
    case TL_FLEX_INT:
      if (rd_i(fx, r->pos, r->parent_width, &i)) return -1;
      *out = (uint64_t)i;
      return 0;
    case TL_FLEX_INDIRECT_INT:
      if (indirect(fx, r->pos, r->parent_width, &at) || rd_i(fx, at, r->byte_width, &i)) return -1;
      *out = (uint64_t)i;
      return 0;
    case TL_FLEX_FLOAT:
      if (rd_f(fx, r->pos, r->parent_width, &d)) return -1;
      *out = d2u64(d);
      return 0;
    case TL_FLEX_INDIRECT_FLOAT:
      if (indirect(fx, r->pos, r->parent_width, &at) || rd_f(fx, at, r->byte_width, &d)) return -1;
      *out = d2u64(d);
      return 0;
    case TL_FLEX_STRING:
      if (tl_flex_string(fx, r, &s, NULL)) return -1;
      *out = str_to_u64(s);
      return 0;
    case TL_FLEX_VECTOR: return vector_size(fx, r, out);
    default: return 0;
  }
}

int tl_flex_double(tl_flex *fx, const tl_flex_ref *r, double *out) {
  *out = 0;
  if (fx->err) return -1;
  size_t at;
  int64_t i;
  uint64_t u;
  const char *s;
  switch (r->type) {
    case TL_FLEX_FLOAT: return rd_f(fx, r->pos, r->parent_width, out);
    case TL_FLEX_INDIRECT_FLOAT: return indirect(fx, r->pos, r->parent_width, &at) || rd_f(fx, at, r->byte_width, out) ? -1 : 0;
    case TL_FLEX_INT:
      if (rd_i(fx, r->pos, r->parent_width, &i)) return -1;
      *out = (double)i;
      return 0;
    case TL_FLEX_INDIRECT_INT:
      if (indirect(fx, r->pos, r->parent_width, &at) || rd_i(fx, at, r->byte_width, &i)) return -1;
      *out = (double)i;
      return 0;
    case TL_FLEX_UINT: case TL_FLEX_BOOL:
      if (rd_u(fx, r->pos, r->parent_width, &u)) return -1;
      *out = (double)u;
      return 0;
    case TL_FLEX_INDIRECT_UINT:
      if (indirect(fx, r->pos, r->parent_width, &at) || rd_u(fx, at, r->byte_width, &u)) return -1;
      *out = (double)u;
      return 0;
    case TL_FLEX_STRING:
      if (tl_flex_string(fx, r, &s, NULL)) return -1;
      *out = strtod(s, NULL);
      return 0;
    case TL_FLEX_VECTOR:
      if (vector_size(fx, r, &u)) return -1;
      *out = (double)u;
      return 0;
    default: return 0;
  }
}

int tl_flex_bool(tl_flex *fx, const tl_flex_ref *r, int *out) {
  uint64_t u;
  *out = 0;
  if (tl_flex_uint64(fx, r, &u)) return -1;
  *out = u != 0;
  return 0;
}

int tl_flex_int32(tl_flex *fx, const tl_flex_ref *r, int32_t *out) {
  int64_t v;
  *out = 0;
  if (tl_flex_int64(fx, r, &v)) return -1;
  *out = (int32_t)(uint32_t)(uint64_t)v; /* static_cast<int32_t>: keeps the low 32 bits */
  return 0;
}

int tl_flex_float(tl_flex *fx, const tl_flex_ref *r, float *out) {
  double d;
  *out = 0;
  if (tl_flex_double(fx, r, &d)) return -1;
  *out = (float)d;
  return 0;
}

/* ---- writer ---- */

static int fits(const tl_flex_entry *e, int w) {
  int bits = 8 * w;
  switch (e->type) {
    case TL_FLEX_NULL: return 1;
    case TL_FLEX_BOOL: return e->i == 0 || e->i == 1;
    case TL_FLEX_INT: return bits == 64 || (e->i >= -((int64_t)1 << (bits - 1)) && e->i < ((int64_t)1 << (bits - 1)));
    case TL_FLEX_UINT: return bits == 64 || e->u < ((uint64_t)1 << bits);
    case TL_FLEX_FLOAT: return w == 4 || w == 8;
    default: return 0;
  }
}

static void put(uint8_t *out, size_t cap, size_t pos, uint64_t v, int w) {
  for (int k = 0; k < w; k++)
    if (out && pos + (size_t)k < cap) out[pos + (size_t)k] = (uint8_t)(v >> (8 * k));
}

size_t tl_flex_write_map(const tl_flex_entry *e, int n, int width, uint8_t *out, size_t cap) {
  if (n < 0 || n > 256 || (n && !e) || !valid_width((uint64_t)width)) return 0;
  int order[256];
  for (int i = 0; i < n; i++) {
    if (!e[i].key || !fits(&e[i], width)) return 0;
    /* insertion sort by strcmp: the byte order flexbuffers' binary search expects */
    int j = i;
    while (j > 0 && strcmp(e[order[j - 1]].key, e[i].key) > 0) order[j] = order[j - 1], j--;
    order[j] = i;
    if (j > 0 && !strcmp(e[order[j - 1]].key, e[i].key)) return 0;
    if (j < i && !strcmp(e[order[j + 1]].key, e[i].key)) return 0;
  }
  size_t w = (size_t)width, pos = 0, key_pos[256];
  for (int i = 0; i < n; i++) {
    size_t len = strlen(e[order[i]].key) + 1;
    key_pos[i] = pos;
    if (out && pos + len <= cap) memcpy(out + pos, e[order[i]].key, len);
    pos += len;
  }
  pos = (pos + w - 1) / w * w;
  size_t keys = pos + w; /* keys vector: count, then one offset per key */
  put(out, cap, pos, (uint64_t)n, width);
  for (int i = 0; i < n; i++) put(out, cap, keys + (size_t)i * w, keys + (size_t)i * w - key_pos[i], width);
  size_t hdr = keys + (size_t)n * w, vals = hdr + 3 * w;
  put(out, cap, hdr, hdr - keys, width); /* offset back to the keys */
  put(out, cap, hdr + w, w, width);       /* keys width */
  put(out, cap, hdr + 2 * w, (uint64_t)n, width);
  uint8_t wcode = (uint8_t)(width == 1 ? 0 : width == 2 ? 1 : width == 4 ? 2 : 3);
  for (int i = 0; i < n; i++) {
    const tl_flex_entry *x = &e[order[i]];
    uint64_t bits = 0;
    if (x->type == TL_FLEX_INT || x->type == TL_FLEX_BOOL) {
      bits = (uint64_t)x->i;
    } else if (x->type == TL_FLEX_UINT) {
      bits = x->u;
    } else if (x->type == TL_FLEX_FLOAT && width == 4) {
      float f = (float)x->f;
      uint32_t b;
      memcpy(&b, &f, 4);
      bits = b;
    } else if (x->type == TL_FLEX_FLOAT) {
      memcpy(&bits, &x->f, 8);
    }
    put(out, cap, vals + (size_t)i * w, bits, width);
    put(out, cap, vals + (size_t)n * w + (size_t)i, (uint64_t)(x->type << 2 | (x->type == TL_FLEX_BOOL ? 0 : wcode)), 1);
  }
  pos = vals + (size_t)n * w + (size_t)n;
  pos = (pos + w - 1) / w * w;
  put(out, cap, pos, pos - vals, width); /* root: offset to the map */
  put(out, cap, pos + w, (uint64_t)(TL_FLEX_MAP << 2 | wcode), 1);
  put(out, cap, pos + w + 1, (uint64_t)width, 1);
  size_t total = pos + w + 2;
  /* every offset must fit its slot (width 1 maps are tiny) */
  if (width < 8 && total >= ((size_t)1 << (8 * width))) return 0;
  return total;
}

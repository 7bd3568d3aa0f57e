/* SPDX-License-Identifier: Apache-2.0
 * The FlatBuffers builder (fb_builder.h): bytes prepended to a growing buffer, tables with shared
 * vtables. */
#include "fb_builder.h"

#include <stdlib.h>
#include <string.h>

void tl_fbb_fail(tl_fbb *f, const char *msg) {
  if (!f->err) f->err = msg;
}

/* Makes room for n more bytes and returns a pointer to them (the new front), or NULL on error. */
uint8_t *tl_fbb_claim(tl_fbb *f, size_t n) {
  if (f->err) return NULL;
  if (n > TL_FBB_MAX_SIZE || f->size + n > TL_FBB_MAX_SIZE) {
    tl_fbb_fail(f, "model exceeds the 2 GiB FlatBuffers limit");
    return NULL;
  }
  /* Reserve at least one byte so an empty builder's front is never NULL + 0. */
  if (f->cap - f->size < n || !f->buf) {
    size_t ncap = f->cap ? f->cap * 2 : 4096;
    while (ncap - f->size < n) ncap *= 2;
    uint8_t *nb = malloc(ncap);
    if (!nb) {
      tl_fbb_fail(f, "out of memory");
      return NULL;
    }
    if (f->size) memcpy(nb + ncap - f->size, f->buf + f->cap - f->size, f->size);
    free(f->buf);
    f->buf = nb;
    f->cap = ncap;
  }
  f->size += n;
  return f->buf + f->cap - f->size;
}

void tl_fbb_pad(tl_fbb *f, size_t n) {
  uint8_t *p = tl_fbb_claim(f, n);
  if (p) memset(p, 0, n);
}

/* Pads so that after writing `extra` more bytes the size is a multiple of align (power of 2). */
void tl_fbb_prep(tl_fbb *f, size_t align, size_t extra) {
  if (align > f->minalign) f->minalign = align;
  tl_fbb_pad(f, (size_t)(0 - (f->size + extra)) & (align - 1));
}


void tl_fbb_push_le(tl_fbb *f, uint64_t v, size_t n) {
  uint8_t *p = tl_fbb_claim(f, n);
  if (p) tl_fbb_store_le(p, v, n);
}

void tl_fbb_push_uoff(tl_fbb *f, uint32_t ref) {
  tl_fbb_prep(f, 4, 0);
  if (ref == 0 || ref > f->size) {
    tl_fbb_fail(f, "internal error: bad reference");
    return;
  }
  tl_fbb_push_le(f, (uint64_t)(f->size + 4 - ref), 4);
}

uint32_t tl_fbb_string(tl_fbb *f, const char *s, size_t n) {
  if (f->in_table) tl_fbb_fail(f, "internal error: string inside table");
  tl_fbb_prep(f, 4, n + 1);
  uint8_t *p = tl_fbb_claim(f, n + 1);
  if (p) {
    if (n) memcpy(p, s, n);
    p[n] = 0;
  }
  tl_fbb_push_le(f, n, 4);
  return (uint32_t)f->size;
}

/* Vector of n scalars of esz bytes read from host memory; data aligned to max(esz, align). */
uint32_t tl_fbb_vec(tl_fbb *f, const void *data, size_t n, size_t esz, size_t align) {
  if (f->in_table) tl_fbb_fail(f, "internal error: vector inside table");
  if (n > TL_FBB_MAX_SIZE / (esz ? esz : 1)) {
    tl_fbb_fail(f, "vector too large");
    return 0;
  }
  size_t bytes = n * esz, a = align > esz ? align : esz;
  tl_fbb_prep(f, a < 4 ? 4 : a, bytes);
  uint8_t *p = tl_fbb_claim(f, bytes);
  if (p && bytes) {
    const uint8_t *s = data;
    if (esz == 1) {
      memcpy(p, s, bytes);
    } else {
      for (size_t i = 0; i < n; i++) { /* host order -> little-endian */
        uint64_t v = 0;
        if (esz == 2) {
          uint16_t t;
          memcpy(&t, s + i * 2, 2);
          v = t;
        } else if (esz == 4) {
          uint32_t t;
          memcpy(&t, s + i * 4, 4);
          v = t;
        } else {
          memcpy(&v, s + i * 8, 8);
        }
        tl_fbb_store_le(p + i * esz, v, esz);
      }
    }
  }
  tl_fbb_push_le(f, n, 4);
  return (uint32_t)f->size;
}

uint32_t tl_fbb_vec_refs(tl_fbb *f, const uint32_t *refs, size_t n) {
  if (f->in_table) tl_fbb_fail(f, "internal error: vector inside table");
  tl_fbb_prep(f, 4, n * 4);
  for (size_t i = n; i-- > 0;) tl_fbb_push_uoff(f, refs[i]);
  tl_fbb_push_le(f, n, 4);
  return (uint32_t)f->size;
}

void tl_fbb_table_start(tl_fbb *f) {
  if (f->in_table) tl_fbb_fail(f, "internal error: nested table");
  f->in_table = 1;
  f->nfld = 0;
  f->tbl_start = f->size;
}

void tl_fbb_field(tl_fbb *f, int id) {
  if (id < 0 || id >= TL_FBB_MAX_FIELDS || f->nfld >= TL_FBB_MAX_FIELDS) {
    tl_fbb_fail(f, "field id out of range");
    return;
  }
  for (int i = 0; i < f->nfld; i++)
    if (f->fld[i].id == id) {
      f->fld[i].pos = (uint32_t)f->size;
      return;
    }
  f->fld[f->nfld].id = (uint16_t)id;
  f->fld[f->nfld].pos = (uint32_t)f->size;
  f->nfld++;
}

void tl_fbb_scalar(tl_fbb *f, int id, uint64_t v, size_t n) {
  tl_fbb_prep(f, n, 0);
  tl_fbb_push_le(f, v, n);
  tl_fbb_field(f, id);
}

void tl_fbb_u8(tl_fbb *f, int id, unsigned v) { tl_fbb_scalar(f, id, v & 0xffu, 1); }
void tl_fbb_u32(tl_fbb *f, int id, uint32_t v) { tl_fbb_scalar(f, id, v, 4); }
void tl_fbb_i32(tl_fbb *f, int id, int32_t v) { tl_fbb_scalar(f, id, (uint32_t)v, 4); }

void tl_fbb_off(tl_fbb *f, int id, uint32_t ref) {
  if (!ref) return; /* absent */
  tl_fbb_push_uoff(f, ref);
  tl_fbb_field(f, id);
}


/* Writes vtable bytes vtb (vt_len bytes, already little-endian) for the table whose soffset is at
 * ref obj, reusing an identical earlier vtable if there is one. */
void tl_fbb_place_vtable(tl_fbb *f, const uint8_t *vtb, size_t vt_len, uint32_t obj) {
  uint32_t use = 0;
  for (size_t i = 0; i < f->nvt && !f->err; i++) {
    uint32_t v = f->vt[i];
    const uint8_t *p = f->buf + f->cap - v;
    if (v >= vt_len && tl_fbb_load_u16(p) == vt_len && memcmp(p, vtb, vt_len) == 0) {
      use = v;
      break;
    }
  }
  if (!use) {
    uint8_t *p = tl_fbb_claim(f, vt_len); /* size is 4-aligned here: vtables need 2 */
    if (!p) return;
    memcpy(p, vtb, vt_len);
    use = (uint32_t)f->size;
    if (f->nvt == f->capvt) {
      size_t nc = f->capvt ? f->capvt * 2 : 64;
      uint32_t *nv = realloc(f->vt, nc * sizeof *nv);
      if (!nv) {
        tl_fbb_fail(f, "out of memory");
        return;
      }
      f->vt = nv;
      f->capvt = nc;
    }
    f->vt[f->nvt++] = use;
  }
  if (f->err) return;
  /* soffset at the table = table address - vtable address, i.e. use - obj in refs */
  tl_fbb_store_le(f->buf + f->cap - obj, (uint32_t)((int64_t)use - (int64_t)obj), 4);
}

uint32_t tl_fbb_table_end(tl_fbb *f) {
  tl_fbb_prep(f, 4, 0);
  tl_fbb_push_le(f, 0, 4); /* soffset placeholder */
  uint32_t obj = (uint32_t)f->size;
  f->in_table = 0;
  if (f->err) return 0;
  int max_id = -1;
  for (int i = 0; i < f->nfld; i++)
    if (f->fld[i].id > max_id) max_id = f->fld[i].id;
  size_t vt_len = 4 + 2 * (size_t)(max_id + 1);
  size_t obj_size = obj - f->tbl_start;
  if (obj_size > 0xffff) {
    tl_fbb_fail(f, "table too large");
    return 0;
  }
  uint8_t vtb[4 + 2 * TL_FBB_MAX_FIELDS];
  memset(vtb, 0, sizeof vtb);
  tl_fbb_store_le(vtb, vt_len, 2);
  tl_fbb_store_le(vtb + 2, obj_size, 2);
  for (int i = 0; i < f->nfld; i++) tl_fbb_store_le(vtb + 4 + 2 * f->fld[i].id, obj - f->fld[i].pos, 2);
  tl_fbb_place_vtable(f, vtb, vt_len, obj);
  return f->err ? 0 : obj;
}

void tl_fbb_finish(tl_fbb *f, uint32_t root, const char *ident) {
  tl_fbb_prep(f, f->minalign, 8);
  uint8_t *p = tl_fbb_claim(f, 4);
  if (p) memcpy(p, ident, 4);
  tl_fbb_push_uoff(f, root);
}

void tl_fbb_free(tl_fbb *f) {
  free(f->buf);
  free(f->vt);
}

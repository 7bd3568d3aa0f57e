/* SPDX-License-Identifier: Apache-2.0
 * MNIST idx loader (see mnist.h). zlib's gzread reads gzipped and plain files alike; the whole
 * file is read into memory, then the idx header is checked field by field against the payload
 * size and against the companion file, so truncated or mismatched downloads are reported. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "mnist.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define MAX_IDX_BYTES ((size_t)512 << 20) /* far above MNIST's 47 MB; guards against bombs */

static void set_err(char *err, size_t errlen, const char *fmt, ...) {
  if (!err || errlen == 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

const char *tl_mnist_default_dir(void) {
  const char *d = getenv("MNIST_DIR");
  return (d && *d) ? d : NULL;
}

static uint32_t be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

int tl_idx_parse(const uint8_t *buf, size_t len, int expect_ndim, const char *what, int dims[3],
                 const uint8_t **payload, char *err, size_t errlen) {
  if (len < 4) {
    set_err(err, errlen, "%s: file too short for an idx header (%zu bytes)", what, len);
    return 1;
  }
  uint32_t magic = be32(buf);
  if ((magic >> 16) != 0 || ((magic >> 8) & 0xff) != 0x08) {
    set_err(err, errlen,
            "%s: bad idx magic 0x%08x (expected 0x%08x: unsigned-byte idx with %d dims); "
            "not an MNIST idx file, or a gzip file that failed to decompress",
            what, (unsigned)magic, 0x800u + (unsigned)expect_ndim, expect_ndim);
    return 1;
  }
  int ndim = (int)(magic & 0xff);
  if (ndim != expect_ndim) {
    set_err(err, errlen, "%s: idx file has %d dimensions, expected %d", what, ndim, expect_ndim);
    return 1;
  }
  size_t hdr = 4 + 4 * (size_t)ndim;
  if (len < hdr) {
    set_err(err, errlen, "%s: truncated idx header (%zu bytes, need %zu)", what, len, hdr);
    return 1;
  }
  uint64_t total = 1;
  for (int i = 0; i < ndim; i++) {
    uint32_t d = be32(buf + 4 + 4 * i);
    if (d == 0 || d > 100000000u) {
      set_err(err, errlen, "%s: implausible dimension %d = %u", what, i, (unsigned)d);
      return 1;
    }
    dims[i] = (int)d;
    total *= d;
    if (total > MAX_IDX_BYTES) {
      set_err(err, errlen, "%s: idx payload too large", what);
      return 1;
    }
  }
  if (len - hdr != total) {
    set_err(err, errlen, "%s: %s: header says %llu data bytes, file has %zu", what,
            len - hdr < total ? "truncated" : "trailing bytes", (unsigned long long)total, len - hdr);
    return 1;
  }
  *payload = buf + hdr;
  return 0;
}

/* Finds "<dir>/<base>.gz" or "<dir>/<base>"; returns 0 and the path, or 1 if neither exists. */
static int find_file(const char *dir, const char *base, char *path, size_t pathlen) {
  struct stat st;
  snprintf(path, pathlen, "%s/%s.gz", dir, base);
  if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) return 0;
  snprintf(path, pathlen, "%s/%s", dir, base);
  if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) return 0;
  return 1;
}

static int read_all(const char *path, uint8_t **out, size_t *outlen, char *err, size_t errlen) {
  gzFile f = gzopen(path, "rb");
  if (!f) {
    set_err(err, errlen, "%s: cannot open: %s", path, strerror(errno ? errno : EIO));
    return 1;
  }
  gzbuffer(f, 1 << 17);
  size_t cap = 1 << 20, len = 0;
  uint8_t *buf = malloc(cap);
  if (!buf) {
    gzclose(f);
    set_err(err, errlen, "%s: out of memory", path);
    return 1;
  }
  for (;;) {
    if (len == cap) {
      if (cap >= MAX_IDX_BYTES) {
        set_err(err, errlen, "%s: larger than %zu MB, not an MNIST file", path, MAX_IDX_BYTES >> 20);
        goto fail;
      }
      uint8_t *nb = realloc(buf, cap * 2);
      if (!nb) {
        set_err(err, errlen, "%s: out of memory", path);
        goto fail;
      }
      buf = nb;
      cap *= 2;
    }
    unsigned want = (unsigned)((cap - len) > (1u << 30) ? (1u << 30) : (cap - len));
    int n = gzread(f, buf + len, want);
    if (n < 0) {
      int zerr;
      const char *msg = gzerror(f, &zerr);
      set_err(err, errlen, "%s: read/decompress error: %s (corrupt or truncated gzip?)", path, msg ? msg : "unknown");
      goto fail;
    }
    if (n == 0) break;
    len += (size_t)n;
  }
  /* gzread silently stops at a truncated gzip stream: check zlib's error state too */
  {
    int zerr = Z_OK;
    const char *msg = gzerror(f, &zerr);
    if (zerr != Z_OK && zerr != Z_STREAM_END) {
      set_err(err, errlen, "%s: decompress error: %s (corrupt or truncated gzip?)", path, msg ? msg : "unknown");
      goto fail;
    }
  }
  gzclose(f);
  *out = buf;
  *outlen = len;
  return 0;
fail:
  gzclose(f);
  free(buf);
  return 1;
}

#define HOWTO "get MNIST with: scripts/get_mnist.sh DIR, then pass --data DIR or set MNIST_DIR=DIR"

int tl_mnist_load(const char *dir, const char *split, tl_mnist *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  if (!split || (strcmp(split, "train") != 0 && strcmp(split, "t10k") != 0)) {
    set_err(err, errlen, "mnist: split must be \"train\" or \"t10k\" (got \"%s\")", split ? split : "(null)");
    return 1;
  }
  if (!dir) dir = tl_mnist_default_dir();
  if (!dir) {
    set_err(err, errlen, "mnist: no data directory given (--data) and MNIST_DIR is not set; " HOWTO);
    return 1;
  }
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    set_err(err, errlen, "mnist: data directory '%s' does not exist; " HOWTO, dir);
    return 1;
  }
  char ipath[4096], lpath[4096], base[64];
  snprintf(base, sizeof base, "%s-images-idx3-ubyte", split);
  if (find_file(dir, base, ipath, sizeof ipath)) {
    set_err(err, errlen, "mnist: %s/%s[.gz] not found; " HOWTO, dir, base);
    return 1;
  }
  snprintf(base, sizeof base, "%s-labels-idx1-ubyte", split);
  if (find_file(dir, base, lpath, sizeof lpath)) {
    set_err(err, errlen, "mnist: %s/%s[.gz] not found; " HOWTO, dir, base);
    return 1;
  }

  uint8_t *ibuf = NULL, *lbuf = NULL;
  size_t ilen = 0, llen = 0;
  int rc = 1;
  if (read_all(ipath, &ibuf, &ilen, err, errlen)) goto done;
  if (read_all(lpath, &lbuf, &llen, err, errlen)) goto done;

  int idims[3], ldims[3];
  const uint8_t *ipay, *lpay;
  if (tl_idx_parse(ibuf, ilen, 3, ipath, idims, &ipay, err, errlen)) goto done;
  if (tl_idx_parse(lbuf, llen, 1, lpath, ldims, &lpay, err, errlen)) goto done;
  if (idims[0] != ldims[0]) {
    set_err(err, errlen, "mnist: %s has %d images but %s has %d labels", ipath, idims[0], lpath, ldims[0]);
    goto done;
  }
  if (idims[1] != 28 || idims[2] != 28) {
    set_err(err, errlen, "mnist: %s: images are %dx%d, expected 28x28", ipath, idims[1], idims[2]);
    goto done;
  }
  for (int i = 0; i < ldims[0]; i++) {
    if (lpay[i] > 9) {
      set_err(err, errlen, "mnist: %s: label %d is %u, expected 0..9", lpath, i, lpay[i]);
      goto done;
    }
  }
  size_t npix = (size_t)idims[0] * (size_t)idims[1] * (size_t)idims[2];
  out->images = malloc(npix);
  out->labels = malloc((size_t)ldims[0]);
  if (!out->images || !out->labels) {
    tl_mnist_free(out);
    set_err(err, errlen, "mnist: out of memory");
    goto done;
  }
  memcpy(out->images, ipay, npix);
  memcpy(out->labels, lpay, (size_t)ldims[0]);
  out->count = idims[0];
  out->rows = idims[1];
  out->cols = idims[2];
  rc = 0;
done:
  free(ibuf);
  free(lbuf);
  return rc;
}

void tl_mnist_free(tl_mnist *m) {
  if (!m) return;
  free(m->images);
  free(m->labels);
  memset(m, 0, sizeof *m);
}

/* SPDX-License-Identifier: Apache-2.0
 * Trainer checkpoints: everything needed to continue a run bit-exactly (config, weights,
 * optimizer moments, step/epoch position, running epoch metrics, history) in a little-endian
 * file: "TLCKPT\1\0", u32 version, u64 payload length, payload, u32 CRC-32 of all before it.
 * Written to a temp file, fsync'ed, renamed over the target, then the directory is fsync'ed. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "trainer_internal.h"

/* ---- writer ---------------------------------------------------------------------------- */

typedef struct {
  uint8_t *p;
  size_t len, cap;
  int oom;
} wbuf;

static void put(wbuf *b, const void *src, size_t n) {
  if (b->oom) return;
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n) cap *= 2;
    uint8_t *np = realloc(b->p, cap);
    if (!np) {
      b->oom = 1;
      return;
    }
    b->p = np;
    b->cap = cap;
  }
  memcpy(b->p + b->len, src, n);
  b->len += n;
}

static void put_u32(wbuf *b, uint32_t v) {
  uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  put(b, x, 4);
}
static void put_u64(wbuf *b, uint64_t v) {
  put_u32(b, (uint32_t)v);
  put_u32(b, (uint32_t)(v >> 32));
}
static void put_i32(wbuf *b, int32_t v) { put_u32(b, (uint32_t)v); }
static void put_f64(wbuf *b, double d) {
  uint64_t v;
  memcpy(&v, &d, 8);
  put_u64(b, v);
}
static void put_f32s(wbuf *b, const float *f, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint32_t v;
    memcpy(&v, &f[i], 4);
    put_u32(b, v);
  }
}

static void put_payload(wbuf *b, const tl_trainer *t) {
  const tl_train_config *c = &t->cfg;
  uint32_t dl = (uint32_t)strlen(t->net->desc);
  put_u32(b, dl);
  put(b, t->net->desc, dl);
  put_i32(b, c->epochs);
  put_i32(b, c->batch);
  put_f64(b, c->lr);
  put_u64(b, c->seed);
  put_i32(b, (int32_t)c->opt);
  put_f64(b, c->beta1);
  put_f64(b, c->beta2);
  put_f64(b, c->eps);
  put_f64(b, c->momentum);
  put_i32(b, (int32_t)c->sched);
  put_f64(b, c->lr_min);
  put_f64(b, c->step_gamma);
  put_i32(b, c->step_every);
  put_i32(b, c->warmup_epochs);
  put_i32(b, c->augment);
  put_f32s(b, &c->aug_shift, 1);
  put_f32s(b, &c->aug_rot, 1);
  put_i32(b, c->train_limit);
  put_u64(b, (uint64_t)t->step);
  put_i32(b, t->epoch);
  put_i32(b, t->step_in_epoch);
  put_f64(b, t->ep_loss);
  put_u64(b, (uint64_t)t->ep_correct);
  put_u64(b, (uint64_t)t->ep_seen);
  put_f64(b, t->ep_seconds);
  put_f64(b, t->total_seconds);
  put_i32(b, t->nthreads);
  put_i32(b, t->nhist);
  for (int i = 0; i < t->nhist; i++) {
    put_f64(b, t->hist[i].train_loss);
    put_f64(b, t->hist[i].train_acc);
    put_f64(b, t->hist[i].test_loss);
    put_f64(b, t->hist[i].test_acc);
    put_f64(b, t->hist[i].seconds);
  }
  put_u64(b, (uint64_t)t->net->nparams);
  put_f32s(b, t->net->params, t->net->nparams);
  put_f32s(b, t->m, t->net->nparams);
  put_f32s(b, t->v, t->net->nparams);
  put_u64(b, (uint64_t)t->net->nstate);
  put_f32s(b, t->net->state, t->net->nstate);
}

/* Writes buf to path atomically: path.tmp.PID, fsync, rename, fsync(dir). */
static int write_atomic(const char *path, const uint8_t *buf, size_t len, char *err, size_t errlen) {
  char tmp[4200];
  if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp) {
    tl_train_set_err(err, errlen, "checkpoint path too long");
    return 1;
  }
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    tl_train_set_err(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
    return 1;
  }
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(fd, buf + off, len - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      tl_train_set_err(err, errlen, "%s: write failed: %s", tmp, strerror(errno));
      close(fd);
      unlink(tmp);
      return 1;
    }
    off += (size_t)w;
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    tl_train_set_err(err, errlen, "%s: fsync/close failed: %s", tmp, strerror(errno));
    unlink(tmp);
    return 1;
  }
  if (rename(tmp, path) != 0) {
    tl_train_set_err(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    unlink(tmp);
    return 1;
  }
  /* make the rename itself durable */
  char dir[4200];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (slash == dir)
    dir[1] = 0;
  else if (slash)
    *slash = 0;
  else
    snprintf(dir, sizeof dir, ".");
  int dfd = open(dir, O_RDONLY);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return 0;
}

int tl_trainer_save(const tl_trainer *t, const char *path, char *err, size_t errlen) {
  wbuf payload = {0}, file = {0};
  put_payload(&payload, t);
  put(&file, TL_CKPT_MAGIC, 8);
  put_u32(&file, TL_CKPT_VERSION);
  put_u64(&file, (uint64_t)payload.len);
  put(&file, payload.p, payload.len);
  if (!file.oom) put_u32(&file, (uint32_t)crc32(0L, file.p, (uInt)file.len));
  int rc = 1;
  if (payload.oom || file.oom)
    tl_train_set_err(err, errlen, "out of memory serialising checkpoint");
  else
    rc = write_atomic(path, file.p, file.len, err, errlen);
  free(payload.p);
  free(file.p);
  return rc;
}

/* ---- reader ---------------------------------------------------------------------------- */

typedef struct {
  const uint8_t *p;
  size_t len, off;
  int bad;
} rbuf;

static const uint8_t *take(rbuf *r, size_t n) {
  if (r->bad || n > r->len - r->off) {
    r->bad = 1;
    return NULL;
  }
  const uint8_t *p = r->p + r->off;
  r->off += n;
  return p;
}
static uint32_t get_u32(rbuf *r) {
  const uint8_t *x = take(r, 4);
  return x ? (uint32_t)x[0] | (uint32_t)x[1] << 8 | (uint32_t)x[2] << 16 | (uint32_t)x[3] << 24 : 0;
}
static uint64_t get_u64(rbuf *r) {
  uint64_t lo = get_u32(r);
  return lo | (uint64_t)get_u32(r) << 32;
}
static int32_t get_i32(rbuf *r) { return (int32_t)get_u32(r); }
static double get_f64(rbuf *r) {
  uint64_t v = get_u64(r);
  double d;
  memcpy(&d, &v, 8);
  return d;
}
static float get_f32(rbuf *r) {
  uint32_t v = get_u32(r);
  float f;
  memcpy(&f, &v, 4);
  return f;
}
static void get_f32s(rbuf *r, float *f, size_t n) {
  for (size_t i = 0; i < n && !r->bad; i++) f[i] = get_f32(r);
}

static int read_file(const char *path, uint8_t **out, size_t *len, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    tl_train_set_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return 1;
  }
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || st.st_size < 0 || st.st_size > ((off_t)1 << 32)) {
    tl_train_set_err(err, errlen, "%s: cannot stat or too large", path);
    fclose(f);
    return 1;
  }
  size_t n = (size_t)st.st_size;
  uint8_t *buf = malloc(n ? n : 1);
  if (!buf || fread(buf, 1, n, f) != n) {
    tl_train_set_err(err, errlen, "%s: read failed", path);
    free(buf);
    fclose(f);
    return 1;
  }
  fclose(f);
  *out = buf;
  *len = n;
  return 0;
}

/* Validates the envelope; on success r covers the payload. */
static int open_envelope(const char *path, const uint8_t *buf, size_t len, rbuf *r, char *err, size_t errlen) {
  if (len < 24 || memcmp(buf, TL_CKPT_MAGIC, 6) != 0) {
    tl_train_set_err(err, errlen, "%s: not a tinylite checkpoint (bad magic)", path);
    return 1;
  }
  rbuf h = {buf, len, 8, 0};
  uint32_t ver = get_u32(&h);
  if (ver != TL_CKPT_VERSION || memcmp(buf, TL_CKPT_MAGIC, 8) != 0) {
    tl_train_set_err(err, errlen, "%s: checkpoint version %u not supported (this build reads %u)", path, (unsigned)ver,
                     TL_CKPT_VERSION);
    return 1;
  }
  uint64_t plen = get_u64(&h);
  if (plen != len - 24) {
    tl_train_set_err(err, errlen, "%s: truncated or padded checkpoint (payload %llu bytes, file has room for %zu)",
                     path, (unsigned long long)plen, len - 24);
    return 1;
  }
  uint32_t want = (uint32_t)buf[len - 4] | (uint32_t)buf[len - 3] << 8 | (uint32_t)buf[len - 2] << 16 |
                  (uint32_t)buf[len - 1] << 24;
  uint32_t got = (uint32_t)crc32(0L, buf, (uInt)(len - 4));
  if (want != got) {
    tl_train_set_err(err, errlen, "%s: checkpoint is corrupt (CRC mismatch: stored %08x, computed %08x)", path,
                     (unsigned)want, (unsigned)got);
    return 1;
  }
  *r = (rbuf){buf + 20, (size_t)plen, 0, 0};
  return 0;
}

static int parse(const char *path, rbuf *r, tl_trainer *t, tl_net **netp, char *err, size_t errlen) {
  tl_train_config c;
  tl_train_config_default(&c);
  uint32_t dl = get_u32(r);
  const uint8_t *d = dl < sizeof c.net ? take(r, dl) : NULL;
  if (!d) goto bad;
  memcpy(c.net, d, dl);
  c.net[dl] = 0;
  c.epochs = get_i32(r);
  c.batch = get_i32(r);
  c.lr = get_f64(r);
  c.seed = get_u64(r);
  c.opt = (tl_opt_kind)get_i32(r);
  c.beta1 = get_f64(r);
  c.beta2 = get_f64(r);
  c.eps = get_f64(r);
  c.momentum = get_f64(r);
  c.sched = (tl_sched_kind)get_i32(r);
  c.lr_min = get_f64(r);
  c.step_gamma = get_f64(r);
  c.step_every = get_i32(r);
  c.warmup_epochs = get_i32(r);
  c.augment = get_i32(r);
  c.aug_shift = get_f32(r);
  c.aug_rot = get_f32(r);
  c.train_limit = get_i32(r);
  if (r->bad) goto bad;
  if (c.epochs < 1 || c.batch < 1 || c.batch > 65536 || (unsigned)c.opt > 1 || (unsigned)c.sched > 2) {
    tl_train_set_err(err, errlen, "%s: checkpoint has an invalid configuration", path);
    return 1;
  }
  tl_net *net;
  if (tl_net_new(c.net, &net, err, errlen)) return 1;
  *netp = net;
  if (t) {
    t->cfg = c;
    t->step = (int64_t)get_u64(r);
    t->epoch = get_i32(r);
    t->step_in_epoch = get_i32(r);
    t->ep_loss = get_f64(r);
    t->ep_correct = (int64_t)get_u64(r);
    t->ep_seen = (int64_t)get_u64(r);
    t->ep_seconds = get_f64(r);
    t->total_seconds = get_f64(r);
    (void)get_i32(r); /* thread count of the run that wrote it */
    int nh = get_i32(r);
    if (r->bad || nh < 0 || nh > 1000000 || t->epoch < 0 || t->step_in_epoch < 0 || t->step < 0) goto bad;
    if (nh) {
      t->hist = calloc((size_t)nh, sizeof *t->hist);
      if (!t->hist) goto oom;
      t->nhist = t->caphist = nh;
    }
    for (int i = 0; i < nh; i++) {
      t->hist[i].train_loss = get_f64(r);
      t->hist[i].train_acc = get_f64(r);
      t->hist[i].test_loss = get_f64(r);
      t->hist[i].test_acc = get_f64(r);
      t->hist[i].seconds = get_f64(r);
    }
  } else {
    /* skip the state block */
    take(r, 8 + 4 + 4 + 8 + 8 + 8 + 8 + 8 + 4);
    int nh = get_i32(r);
    if (nh < 0 || nh > 1000000) goto bad;
    take(r, (size_t)nh * 40);
  }
  uint64_t np = get_u64(r);
  if (r->bad || np != net->nparams) {
    if (!r->bad)
      tl_train_set_err(err, errlen, "%s: checkpoint holds %llu parameters but its network needs %zu", path,
                       (unsigned long long)np, net->nparams);
    else
      goto bad;
    return 1;
  }
  get_f32s(r, net->params, net->nparams);
  if (t) {
    t->m = calloc(np ? np : 1, sizeof(float));
    t->v = calloc(np ? np : 1, sizeof(float));
    if (!t->m || !t->v) goto oom;
    get_f32s(r, t->m, np);
    get_f32s(r, t->v, np);
  } else {
    take(r, (size_t)np * 8);
  }
  uint64_t ns = get_u64(r);
  if (r->bad || ns != net->nstate) goto bad;
  get_f32s(r, net->state, net->nstate);
  if (r->bad || r->off != r->len) goto bad;
  return 0;
bad:
  tl_train_set_err(err, errlen, "%s: checkpoint is malformed (fields do not match their sizes)", path);
  return 1;
oom:
  tl_train_set_err(err, errlen, "out of memory");
  return 1;
}

int tl_trainer_load(const char *path, int threads, tl_trainer **out, char *err, size_t errlen) {
  *out = NULL;
  uint8_t *buf;
  size_t len;
  if (read_file(path, &buf, &len, err, errlen)) return 1;
  rbuf r;
  tl_trainer *t = NULL;
  int rc = 1;
  if (open_envelope(path, buf, len, &r, err, errlen)) goto done;
  t = calloc(1, sizeof *t);
  if (!t) {
    tl_train_set_err(err, errlen, "out of memory");
    goto done;
  }
  t->perm_epoch = -1;
  if (parse(path, &r, t, &t->net, err, errlen)) goto done;
  if (tl_trainer_setup_threads(t, threads, err, errlen)) goto done;
  *out = t;
  t = NULL;
  rc = 0;
done:
  tl_trainer_free(t);
  free(buf);
  return rc;
}

int tl_checkpoint_load_net(const char *path, tl_net **out, char *err, size_t errlen) {
  *out = NULL;
  uint8_t *buf;
  size_t len;
  if (read_file(path, &buf, &len, err, errlen)) return 1;
  rbuf r;
  tl_net *net = NULL;
  int rc = 1;
  if (!open_envelope(path, buf, len, &r, err, errlen) && !parse(path, &r, NULL, &net, err, errlen)) {
    *out = net;
    net = NULL;
    rc = 0;
  }
  tl_net_free(net);
  free(buf);
  return rc;
}

/* SPDX-License-Identifier: Apache-2.0
 * Helpers for the converter's tests: shell commands (the tinylite CLI, the reference runtime), a
 * per-run temporary directory, files, and models opened through tinylite's reader. */
#ifndef TL_TESTS_QTEST_H
#define TL_TESTS_QTEST_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format/model.h"
#include "test.h"
#include "tinylite.h"

#define CORPUS_VAR "TL_CORPUS_DIR"
#define CORPUS_DEF "../shared/tflite-corpus"
#define MNIST_VAR "MNIST_DIR"
#define MNIST_DEF "../shared/data/mnist"

/* snprintf for commands and paths (a long path is cut, never overflows). */
static inline void qt_fmt(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline void qt_fmt(char *buf, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, n, fmt, ap);
  va_end(ap);
}

/* Runs a shell command with stdout+stderr captured into *out (malloc'ed, may be NULL); exit code. */
static inline int qt_run(const char *cmd, char **out) {
  if (out) *out = NULL;
  size_t len = strlen(cmd) + 8;
  char *full = malloc(len);
  if (!full) return -1;
  /* The caller always gets a string to print, even when popen fails. */
  qt_fmt(full, len, "%s 2>&1", cmd);
  FILE *p = popen(full, "r");
  free(full);
  size_t cap = 1 << 16, n = 0, r;
  char *buf = malloc(cap);
  while (p && buf && (r = fread(buf + n, 1, cap - n - 1, p)) > 0) {
    n += r;
    if (n + 1 >= cap) buf = realloc(buf, cap *= 2);
  }
  if (buf) buf[n] = 0;
  else buf = calloc(1, 1);
  int st = p ? pclose(p) : -1;
  if (out) *out = buf;
  else free(buf);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static inline const char *qt_tool(void) {
  static char path[4096];
  const char *b = getenv("TL_BUILD_DIR");
  snprintf(path, sizeof path, "%s/tinylite", b ? b : "build");
  return path;
}

static char qt_tmpdir_[256];
static inline void qt_rm_tmp_(void) {
  char cmd[400];
  if (getenv("TL_KEEP_TMP") || strncmp(qt_tmpdir_, "/tmp/tl_quant_", 14)) return;
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", qt_tmpdir_);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", qt_tmpdir_);
}

/* Path of `name` in this run's temporary directory (kept with TL_KEEP_TMP=1). Rotating slots: a
 * result stays valid for the next 63 calls. */
static inline const char *qt_tmp(const char *name) {
  static char p[64][600];
  static int slot;
  if (!qt_tmpdir_[0]) {
    snprintf(qt_tmpdir_, sizeof qt_tmpdir_, "/tmp/tl_quant_XXXXXX");
    if (!mkdtemp(qt_tmpdir_)) snprintf(qt_tmpdir_, sizeof qt_tmpdir_, "/tmp");
    atexit(qt_rm_tmp_);
  }
  char *s = p[slot++ % 64];
  snprintf(s, 600, "%s/%s", qt_tmpdir_, name);
  return s;
}

static inline uint8_t *qt_read(const char *path, size_t *n) {
  *n = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *d = malloc(sz > 0 ? (size_t)sz : 1);
  if (d && sz > 0 && fread(d, 1, (size_t)sz, f) != (size_t)sz) {
    free(d);
    d = NULL;
  }
  fclose(f);
  *n = sz > 0 ? (size_t)sz : 0;
  return d;
}

static inline int qt_write(const char *path, const void *d, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = fwrite(d, 1, n, f);
  return fclose(f) == 0 && w == n ? 0 : -1;
}

static inline long qt_size(const char *path) {
  struct stat st;
  return stat(path, &st) ? -1 : (long)st.st_size;
}

static inline int qt_exists(const char *path) { return qt_size(path) >= 0; }

#endif

/* SPDX-License-Identifier: Apache-2.0
 * A tiny dependency-free test harness: TEST(name) functions registered in a table, EXPECT_* macros
 * that print the failing values, skips counted apart, and a closing "N passed, N failed" line. */
#ifndef TL_TEST_H
#define TL_TEST_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*tl_test_fn)(void);
typedef struct { const char *name; tl_test_fn fn; } tl_test_case;
extern int tl_test_failed_now;
extern int tl_test_skipped_now;

#define TEST(name) static void name(void)
#define EXPECT(cond)                                                                     \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      fprintf(stderr, "  %s:%d: expected %s\n", __FILE__, __LINE__, #cond);              \
      tl_test_failed_now = 1;                                                            \
    }                                                                                    \
  } while (0)
#define EXPECT_EQ(a, b)                                                                  \
  do {                                                                                   \
    long long va_ = (long long)(a), vb_ = (long long)(b);                                \
    if (va_ != vb_) {                                                                    \
      fprintf(stderr, "  %s:%d: %s == %s: %lld != %lld\n", __FILE__, __LINE__, #a, #b, va_, vb_); \
      tl_test_failed_now = 1;                                                            \
    }                                                                                    \
  } while (0)
#define EXPECT_NEAR(a, b, tol)                                                           \
  do {                                                                                   \
    double va_ = (double)(a), vb_ = (double)(b);                                         \
    if (!(fabs(va_ - vb_) <= (tol))) {                                                   \
      fprintf(stderr, "  %s:%d: %s ~ %s: %.9g vs %.9g (tol %g)\n", __FILE__, __LINE__, #a, #b, va_, vb_, \
              (double)(tol));                                                            \
      tl_test_failed_now = 1;                                                            \
    }                                                                                    \
  } while (0)
#define EXPECT_STR_CONTAINS(hay, needle)                                                 \
  do {                                                                                   \
    const char *h_ = (hay), *n_ = (needle);                                              \
    if (!h_ || !strstr(h_, n_)) {                                                        \
      fprintf(stderr, "  %s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, h_ ? h_ : "(null)", n_); \
      tl_test_failed_now = 1;                                                            \
    }                                                                                    \
  } while (0)
/* Marks the current test skipped (with a reason) and returns from it. */
#define SKIP(...)                                                                        \
  do {                                                                                   \
    fprintf(stderr, "  skipped: ");                                                      \
    fprintf(stderr, __VA_ARGS__);                                                        \
    fprintf(stderr, "\n");                                                               \
    tl_test_skipped_now = 1;                                                             \
    return;                                                                              \
  } while (0)

/* Test data under ../shared: the directory from env var `var`, else `def` relative to the source
 * tree. Returns NULL when absent; under CI=true absence is a failure, not a skip. */
const char *tl_test_shared_path(const char *var, const char *def);
#define REQUIRE_SHARED(path, var, def)                                                   \
  const char *path = tl_test_shared_path(var, def);                                      \
  if (!path) SKIP("%s not found (set %s)", def, var)

/* The reference runner (../shared/tools/tflite-ref/run, or TFLITE_REF) when it and its installed
 * TFLite library exist, else NULL with *why saying what is missing. Only files decide: whether the
 * reference then works, or agrees with tinylite, is for the test to check, never a reason to skip. */
const char *tl_test_tflite_ref(const char **why);
#define REQUIRE_TFLITE_REF(path)                                                         \
  const char *why_##path;                                                                \
  const char *path = tl_test_tflite_ref(&why_##path);                                    \
  if (!path) SKIP("%s", why_##path)

int tl_test_main(int argc, char **argv, const tl_test_case *cases, int n);
#define TEST_MAIN(...)                                                                   \
  int main(int argc, char **argv) {                                                      \
    static const tl_test_case cases_[] = {__VA_ARGS__};                                  \
    return tl_test_main(argc, argv, cases_, (int)(sizeof cases_ / sizeof cases_[0]));    \
  }
#define T(fn) {#fn, fn}
#endif

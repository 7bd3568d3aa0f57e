/* SPDX-License-Identifier: Apache-2.0
 * Runner for tests/test.h: runs every case (or those named on the command line), prints one line
 * per case and a closing "N passed, N failed, N skipped" line; exit 77 when everything skipped, 2 when
 * a name matches no case. Under CI=true a skip counts as a failure. */
#include <sys/stat.h>

#include "test.h"

int tl_test_failed_now;
int tl_test_skipped_now;

#ifndef TL_SOURCE_DIR
#define TL_SOURCE_DIR "."
#endif

const char *tl_test_shared_path(const char *var, const char *def) {
  static char buf[8][4096];
  static int slot;
  const char *v = getenv(var);
  char *p = buf[slot++ % 8];
  const char *shared = getenv("TL_SHARED_DIR");
  if (v && *v)
    snprintf(p, 4096, "%s", v);
  else if (shared && *shared && !strncmp(def, "../shared/", 10)) /* the shared folder, wherever it is */
    snprintf(p, 4096, "%s/%s", shared, def + 10);
  else
    snprintf(p, 4096, "%s/%s", TL_SOURCE_DIR, def);
  struct stat st;
  return stat(p, &st) == 0 ? p : NULL;
}

const char *tl_test_tflite_ref(const char **why) {
  static char missing[4600];
  const char *run = tl_test_shared_path("TFLITE_REF", "../shared/tools/tflite-ref/run");
  *why = missing;
  if (!run) {
    snprintf(missing, sizeof missing, "../shared/tools/tflite-ref/run not found (set TFLITE_REF or TL_SHARED_DIR)");
    return NULL;
  }
  /* A fake runner named by TFLITE_REF has no installation to check. */
  if (getenv("TFLITE_REF") && *getenv("TFLITE_REF")) return run;
  const char *cache = getenv("PEERS_CACHE"), *home = getenv("HOME");
  char lib[4200];
  if (cache && *cache)
    snprintf(lib, sizeof lib, "%s/tflite-ref/tflite-c/libtensorflowlite_c.so", cache);
  else
    snprintf(lib, sizeof lib, "%s/.cache/peers/tflite-ref/tflite-c/libtensorflowlite_c.so", home ? home : "");
  struct stat st;
  if (stat(lib, &st) != 0) {
    snprintf(missing, sizeof missing, "%s not installed (run ../shared/tools/tflite-ref/setup.sh)", lib);
    return NULL;
  }
  return run;
}

/* 1 under CI=true, where every skip is a failure. */
static int ci_strict(void) {
  const char *ci = getenv("CI");
  return ci && !strcmp(ci, "true");
}

int tl_test_main(int argc, char **argv, const tl_test_case *cases, int n) {
  int passed = 0, failed = 0, skipped = 0;
  /* A name that matches no case is a typo, not an empty success. */
  for (int a = 1; a < argc; a++) {
    int found = 0;
    for (int i = 0; i < n && !found; i++) found = !strcmp(argv[a], cases[i].name);
    if (!found) {
      fprintf(stderr, "%s: no test case named '%s'; the cases are:", argv[0], argv[a]);
      for (int i = 0; i < n; i++) fprintf(stderr, " %s", cases[i].name);
      fprintf(stderr, "\n");
      return 2;
    }
  }
  for (int i = 0; i < n; i++) {
    if (argc > 1) {
      int want = 0;
      for (int a = 1; a < argc; a++) want |= !strcmp(argv[a], cases[i].name);
      if (!want) continue;
    }
    tl_test_failed_now = tl_test_skipped_now = 0;
    cases[i].fn();
    if (tl_test_failed_now) {
      failed++;
      printf("FAIL %s\n", cases[i].name);
    } else if (tl_test_skipped_now && ci_strict()) {
      /* A skip only ever means "data or a tool is absent"; CI must have them all. */
      failed++;
      printf("FAIL %s (skipped, and CI=true requires every test to run)\n", cases[i].name);
    } else if (tl_test_skipped_now) {
      skipped++;
      printf("SKIP %s\n", cases[i].name);
    } else {
      passed++;
      printf("ok   %s\n", cases[i].name);
    }
    fflush(stdout);
  }
  printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  if (failed) return 1;
  return (passed == 0 && skipped > 0) ? 77 : 0;
}

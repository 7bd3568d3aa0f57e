/* SPDX-License-Identifier: Apache-2.0
 * Runner for tests/test.h: runs every case (or those named on the command line), prints one line
 * per case and a closing "N passed, N failed, N skipped" line; exit 77 when everything skipped. */
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
  if (v && *v)
    snprintf(p, 4096, "%s", v);
  else
    snprintf(p, 4096, "%s/%s", TL_SOURCE_DIR, def);
  struct stat st;
  return stat(p, &st) == 0 ? p : NULL;
}

int tl_test_main(int argc, char **argv, const tl_test_case *cases, int n) {
  int passed = 0, failed = 0, skipped = 0;
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

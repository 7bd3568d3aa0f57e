/* SPDX-License-Identifier: Apache-2.0
 * `tinylite classify` end to end: digits drawn here at any size and polarity, saved as PNG and PGM,
 * classified by the CLI with a corpus model (--json, --top); truncated and bogus files must give a
 * clear error and a non-zero exit without stopping the other images. */
#include <png.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

static char dir[256];

/* Thick anti-aliased segment of colour ink on a w x h gray canvas (as in test_digit.c). */
static void line(uint8_t *c, int w, int h, double x0, double y0, double x1, double y1, double r, uint8_t ink) {
  double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      double px = x + 0.5, py = y + 0.5, t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0;
      t = t < 0 ? 0 : (t > 1 ? 1 : t);
      double d = hypot(x0 + t * dx - px, y0 + t * dy - py), cov = r + 0.5 - d;
      cov = cov < 0 ? 0 : (cov > 1 ? 1 : cov);
      uint8_t *p = &c[y * w + x];
      *p = (uint8_t)lround(*p + (ink - *p) * cov);
    }
}

static int write_png(const char *name, const uint8_t *g, int w, int h) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  png_image im;
  memset(&im, 0, sizeof im);
  im.version = PNG_IMAGE_VERSION;
  im.width = (png_uint_32)w;
  im.height = (png_uint_32)h;
  im.format = PNG_FORMAT_GRAY;
  return png_image_write_to_file(&im, path, 0, g, 0, NULL) ? 0 : -1;
}

static void write_bytes(const char *name, const void *data, size_t n) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (f) {
    fwrite(data, 1, n, f);
    fclose(f);
  }
}

/* Runs a shell command; its stdout goes into out (NUL-terminated); returns the exit status. */
static int run(const char *cmd, char *out, size_t cap) {
  FILE *p = popen(cmd, "r");
  if (!p) return -1;
  size_t n = fread(out, 1, cap - 1, p);
  out[n] = 0;
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(classify_png_pgm_json) {
  REQUIRE_SHARED(corpus, "TL_CORPUS_DIR", "../shared/tflite-corpus");
  const char *bd = getenv("TL_BUILD_DIR");
  char cli[512], model[512];
  snprintf(cli, sizeof cli, "%s/tinylite", bd ? bd : "build");
  snprintf(model, sizeof model, "%s/models/mnist-cnn-float-wcisang.tflite", corpus);
  if (access(cli, X_OK) != 0) SKIP("%s not built", cli);
  snprintf(dir, sizeof dir, "/tmp/tl_classify_%ld", (long)getpid());
  mkdir(dir, 0700);

  /* A 7, black on white, 400 x 300, off-centre; a 1, white on black, 60 x 90, as PGM; a 0 in a PNG;
   * a blank page; a truncated PNG; a file that is no image. */
  int w = 400, h = 300;
  uint8_t *c = malloc((size_t)w * h);
  memset(c, 255, (size_t)w * h);
  line(c, w, h, 230, 40, 360, 40, 9, 0);
  line(c, w, h, 360, 40, 270, 260, 9, 0);
  EXPECT_EQ(write_png("seven.png", c, w, h), 0);
  memset(c, 255, (size_t)w * h);
  EXPECT_EQ(write_png("blank.png", c, w, h), 0);
  memset(c, 255, (size_t)w * h);
  for (int k = 0; k < 64; k++) {
    double a0 = k * 2 * M_PI / 64, a1 = (k + 1) * 2 * M_PI / 64;
    line(c, w, h, 200 + 60 * cos(a0), 150 + 100 * sin(a0), 200 + 60 * cos(a1), 150 + 100 * sin(a1), 8, 0);
  }
  EXPECT_EQ(write_png("zero.png", c, w, h), 0);
  char path[600];
  snprintf(path, sizeof path, "%s/zero.png", dir);
  FILE *f = fopen(path, "rb");
  uint8_t buf[4096];
  size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
  if (f) fclose(f);
  write_bytes("truncated.png", buf, n / 2);
  write_bytes("bogus.png", "hello", 5);
  uint8_t one[16 + 60 * 90];
  int hl = snprintf((char *)one, 16, "P5 60 90 255\n");
  uint8_t *px = one + hl;
  memset(px, 0, 60 * 90);
  line(px, 60, 90, 32, 10, 28, 80, 3, 255);
  write_bytes("one.pgm", one, (size_t)hl + 60 * 90);
  free(c);

  char cmd[4096], out[8192];
  snprintf(cmd, sizeof cmd,
           "'%s' classify --json --top 3 '%s' %s/seven.png %s/one.pgm %s/zero.png %s/blank.png 2>/dev/null", cli,
           model, dir, dir, dir, dir);
  int rc = run(cmd, out, sizeof out);
  EXPECT_EQ(rc, 0);
  EXPECT_STR_CONTAINS(out, "seven.png\",\"digit\":7,");
  EXPECT_STR_CONTAINS(out, "one.pgm\",\"digit\":1,");
  EXPECT_STR_CONTAINS(out, "zero.png\",\"digit\":0,");
  EXPECT_STR_CONTAINS(out, "blank.png\",\"digit\":null,\"confidence\":0,\"empty\":true");
  EXPECT_STR_CONTAINS(out, "\"top\":[{\"digit\":7,\"p\":");
  if (tl_test_failed_now) fprintf(stderr, "  output:\n%s", out);

  /* Bad files: message on stderr, exit 1, and the good image after them is still classified. */
  snprintf(cmd, sizeof cmd, "'%s' classify '%s' %s/truncated.png %s/bogus.png %s/seven.png 2>&1", cli, model, dir,
           dir, dir);
  rc = run(cmd, out, sizeof out);
  EXPECT_EQ(rc, 1);
  EXPECT_STR_CONTAINS(out, "truncated.png: corrupt PNG");
  EXPECT_STR_CONTAINS(out, "bogus.png: not a PNG or PGM image");
  EXPECT_STR_CONTAINS(out, "seven.png: 7 (confidence");
  if (tl_test_failed_now) fprintf(stderr, "  output:\n%s", out);

  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "  could not remove %s\n", dir);
}

TEST_MAIN(T(classify_png_pgm_json))

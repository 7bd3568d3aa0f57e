/* SPDX-License-Identifier: Apache-2.0
 * tinylite classify: the digit in PNG/PGM images of any size and polarity, through the same
 * preprocessing (src/preprocess) and input encoding as the web app, so both give the same answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "image_io.h"
#include "preprocess/digit.h"
#include "preprocess/digit_model.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: tinylite classify MODEL IMAGE... [--top K] [--json] [--raw] [--norm unit|raw|signed]\n"
          "  IMAGE: PNG or PGM of any size, dark ink on light paper or the reverse. Each image is cropped\n"
          "  to its ink, fitted to 20x20 and centred by mass in 28x28 (MNIST's convention); a blank or\n"
          "  nearly blank image is reported as empty rather than guessed.\n"
          "  --top K     also list the K most likely digits (1..10)\n"
          "  --json      one JSON object per image: {\"file\":...,\"digit\":...,\"confidence\":...,\"top\":[...]}\n"
          "              (an empty image has \"digit\":null and \"empty\":true)\n"
          "  --raw       no preprocessing: 28x28 images already in MNIST's format (white on black)\n"
          "  --norm      float input range: unit 0..1 (default), raw 0..255, signed -1..1\n"
          "Exit status: 0 when every image was read and classified (empty ones included), 1 otherwise.\n");
}

/* Writes s as a JSON string literal. */
static void json_str(const char *s) {
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') printf("\\%c", *p);
    else if (*p < 0x20) printf("\\u%04x", *p);
    else putchar(*p);
  }
  putchar('"');
}

int cmd_classify(int argc, char **argv) {
  const char *path = NULL;
  int first = 0, json = 0, raw = 0, top = 0;
  tl_digit_norm norm = TL_DIGIT_NORM_UNIT;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(a, "--json")) json = 1;
    else if (!strcmp(a, "--raw")) raw = 1;
    else if (!strcmp(a, "--top")) {
      if (i + 1 >= argc || cli_int(argv[i + 1], &top) || top < 1 || top > 10)
        return cli_error("classify", "--top needs a number from 1 to 10");
      argv[i + 1] = NULL; /* consumed: not an image */
      i++;
    } else if (!strcmp(a, "--norm")) {
      const char *v = i + 1 < argc ? argv[i + 1] : "";
      if (!strcmp(v, "unit")) norm = TL_DIGIT_NORM_UNIT;
      else if (!strcmp(v, "raw")) norm = TL_DIGIT_NORM_RAW;
      else if (!strcmp(v, "signed")) norm = TL_DIGIT_NORM_SIGNED;
      else return cli_error("classify", "bad --norm '%s' (unit, raw or signed)", v);
      argv[i + 1] = NULL;
      i++;
    } else if (a[0] == '-' && a[1]) return cli_error("classify", "unknown option '%s' (see --help)", a);
    else if (!path) path = a;
    else if (!first) first = i;
  }
  if (!path || !first) {
    usage(stderr);
    return 1;
  }
  tl_model *m;
  tl_interp *ip;
  if (cli_load("classify", path, 1, &m, &ip)) return 1;
  int rc = 0;
  tl_tensor *in = tl_interp_input(ip, 0), *out = tl_interp_output(ip, 0);
  for (int i = first; i < argc; i++) {
    const char *file = argv[i];
    if (!file || (file[0] == '-' && file[1])) continue;
    char err[600] = "";
    int w, h;
    uint8_t *gray = tl_image_load(file, &w, &h, err, sizeof err);
    if (!gray) {
      rc = cli_error("classify", "%s", err);
      continue;
    }
    float img[TL_DIGIT_PIXELS];
    tl_digit_result r;
    if (raw) {
      if (w != TL_DIGIT_SIDE || h != TL_DIGIT_SIDE) {
        rc = cli_error("classify", "%s: --raw needs a 28x28 image, this one is %dx%d", file, w, h);
        free(gray);
        continue;
      }
      for (int k = 0; k < TL_DIGIT_PIXELS; k++) img[k] = gray[k] / 255.f;
      r = TL_DIGIT_OK;
    } else {
      r = tl_digit_prepare(gray, w, h, (size_t)w, NULL, img, NULL, NULL);
    }
    free(gray);
    if (r == TL_DIGIT_EMPTY) {
      if (json) {
        printf("{\"file\":");
        json_str(file);
        printf(",\"digit\":null,\"confidence\":0,\"empty\":true,\"top\":[]}\n");
      } else {
        printf("%s: empty (draw a digit)\n", file);
      }
      continue;
    }
    if (r != TL_DIGIT_OK) {
      rc = cli_error("classify", "%s: cannot preprocess a %dx%d image", file, w, h);
      continue;
    }
    float probs[10];
    int best = -1;
    tl_status st = tl_digit_set_input(in, img, norm, err, sizeof err);
    if (st == TL_OK) st = tl_interp_invoke(ip);
    if (st == TL_OK) best = tl_digit_probabilities(out, probs);
    if (st != TL_OK || best < 0) {
      rc = cli_error("classify", "%s: %s", file,
                     err[0] ? err : (st != TL_OK ? tl_interp_errmsg(ip) : "the model's output is not 10 classes"));
      if (best < 0 && st == TL_OK) break; /* the same for every image */
      continue;
    }
    int order[10], k = top ? top : 10;
    tl_digit_top(probs, k, order);
    if (json) {
      printf("{\"file\":");
      json_str(file);
      printf(",\"digit\":%d,\"confidence\":%.6f,\"top\":[", best, (double)probs[best]);
      for (int j = 0; j < k; j++)
        printf("%s{\"digit\":%d,\"p\":%.6f}", j ? "," : "", order[j], (double)probs[order[j]]);
      printf("]}\n");
    } else {
      printf("%s: %d (confidence %.4f)", file, best, (double)probs[best]);
      if (top) {
        printf("  top:");
        for (int j = 0; j < top; j++) printf(" %d %.4f%s", order[j], (double)probs[order[j]], j + 1 < top ? "," : "");
      }
      printf("\n");
    }
  }
  tl_interp_free(ip);
  tl_model_close(m);
  return rc;
}

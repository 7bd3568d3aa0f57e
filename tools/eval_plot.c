/* SPDX-License-Identifier: Apache-2.0
 * tinylite eval --plot: hand-written SVG pictures (no dependencies) of each model's confusion matrix
 * and of the models' size, accuracy and latency side by side. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "eval.h"

static const char *base(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

static void text_in(FILE *f, double x, double y, const char *anchor, int size, const char *color, const char *s) {
  fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\" fill=\"%s\">", x, y, anchor, size,
          color);
  for (; *s; s++) {
    if (*s == '<') fputs("&lt;", f);
    else if (*s == '>') fputs("&gt;", f);
    else if (*s == '&') fputs("&amp;", f);
    else fputc(*s, f);
  }
  fputs("</text>\n", f);
}

static void text(FILE *f, double x, double y, const char *anchor, int size, const char *s) {
  text_in(f, x, y, anchor, size, "black", s);
}

static int confusion_svg(const char *path, const eval_result *r) {
  FILE *f = fopen(path, "w");
  if (!f) return cli_error("eval", "%s: %s", path, strerror(errno));
  const int cell = 40, x0 = 70, y0 = 80, k = r->classes ? r->classes : EVAL_CLASSES;
  int w = x0 + k * cell + 30, h = y0 + k * cell + 60;
  fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\">\n", w, h);
  fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
  char buf[512];
  snprintf(buf, sizeof buf, "%s: accuracy %.2f%% (%d/%d)", base(r->path), 100 * r->accuracy, r->correct, r->images);
  text(f, w / 2.0, 25, "middle", 15, buf);
  text(f, x0 + k * cell / 2.0, 55, "middle", 12, "predicted digit");
  fprintf(f, "<text x=\"20\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 20 %.1f)\">true digit</text>\n",
          y0 + k * cell / 2.0, y0 + k * cell / 2.0);
  for (int t = 0; t < k; t++) {
    int row = 0;
    for (int c = 0; c < k; c++) row += r->confusion[t][c];
    snprintf(buf, sizeof buf, "%d", t);
    text(f, x0 + t * cell + cell / 2.0, y0 - 6, "middle", 12, buf);
    text(f, x0 - 8, y0 + t * cell + cell / 2.0 + 4, "end", 12, buf);
    for (int c = 0; c < k; c++) {
      int v = r->confusion[t][c];
      double share = row ? (double)v / row : 0;
      /* Correct predictions blue, mistakes red; the shade is the share of the true digit's images. */
      double a = v ? 0.15 + 0.85 * (t == c ? share : (share * 10 > 1 ? 1 : share * 10)) : 0;
      fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" fill-opacity=\"%.3f\" stroke=\"#ccc\"/>\n",
              x0 + c * cell, y0 + t * cell, cell, cell, t == c ? "#1f5fbf" : "#c62828", a);
      if (v) {
        snprintf(buf, sizeof buf, "%d", v);
        text_in(f, x0 + c * cell + cell / 2.0, y0 + t * cell + cell / 2.0 + 4, "middle", v >= 1000 ? 10 : 11,
                a > 0.6 ? "white" : "black", buf);
      }
    }
  }
  fprintf(f, "</svg>\n");
  if (fclose(f)) return cli_error("eval", "%s: write failed", path);
  return 0;
}

static int comparison_svg(const char *path, const eval_result *r, int n) {
  FILE *f = fopen(path, "w");
  if (!f) return cli_error("eval", "%s: %s", path, strerror(errno));
  const char *titles[3] = {"size (KB)", "accuracy (%)", "latency (ms / image)"};
  static const char *colors[] = {"#1f5fbf", "#e08b00", "#2e7d32", "#8e24aa", "#c62828", "#00838f"};
  const int pw = 60 + 70 * n, ph = 300, top = 50, bottom = 90;
  int w = 3 * pw + 40, h = top + ph + bottom;
  fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\">\n", w, h);
  fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
  char buf[256];
  for (int p = 0; p < 3; p++) {
    double vmax = 0, vmin = 1e300;
    for (int i = 0; i < n; i++) {
      double v = p == 0 ? r[i].size / 1024.0 : p == 1 ? 100 * r[i].accuracy : r[i].ms;
      if (v > vmax) vmax = v;
      if (v < vmin) vmin = v;
    }
    /* Accuracy bars start near the lowest value so that small drops are visible. */
    double lo = p == 1 ? (vmin - 1 > 0 ? (double)(int)(vmin - 1) : 0) : 0, hi = vmax > lo ? vmax : lo + 1;
    int px = 20 + p * pw;
    text(f, px + pw / 2.0, top - 20, "middle", 14, titles[p]);
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", px + 30, top + ph, px + pw - 10, top + ph);
    snprintf(buf, sizeof buf, "%g", lo);
    text(f, px + 26, top + ph + 4, "end", 10, buf);
    for (int i = 0; i < n; i++) {
      double v = p == 0 ? r[i].size / 1024.0 : p == 1 ? 100 * r[i].accuracy : r[i].ms;
      double bh = (v - lo) / (hi - lo) * (ph - 30);
      if (bh < 1) bh = 1;
      double bx = px + 40 + i * 70;
      fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"50\" height=\"%.1f\" fill=\"%s\"/>\n", bx, top + ph - bh, bh,
              colors[i % 6]);
      snprintf(buf, sizeof buf, p == 1 ? "%.2f" : p == 0 ? "%.1f" : "%.3f", v);
      text(f, bx + 25, top + ph - bh - 5, "middle", 11, buf);
      fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"end\" transform=\"rotate(-35 %.1f %d)\">",
              bx + 30, top + ph + 15, bx + 30, top + ph + 15);
      for (const char *s = base(r[i].path); *s; s++) {
        if (*s == '<') fputs("&lt;", f);
        else if (*s == '&') fputs("&amp;", f);
        else fputc(*s, f);
      }
      fputs("</text>\n", f);
    }
  }
  fprintf(f, "</svg>\n");
  if (fclose(f)) return cli_error("eval", "%s: write failed", path);
  return 0;
}

int eval_plot(const char *dir, const eval_result *r, int n) {
  if (mkdir(dir, 0777) && errno != EEXIST) return cli_error("eval", "cannot create %s: %s", dir, strerror(errno));
  char path[4096];
  for (int i = 0; i < n; i++) {
    snprintf(path, sizeof path, "%s/confusion_%d.svg", dir, i);
    if (confusion_svg(path, &r[i])) return 1;
  }
  snprintf(path, sizeof path, "%s/comparison.svg", dir);
  if (comparison_svg(path, r, n)) return 1;
  return 0;
}

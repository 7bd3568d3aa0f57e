/* SPDX-License-Identifier: Apache-2.0
 * SVG training curves for `tinylite train --plot`: two panels (loss, accuracy) with one point
 * per epoch for train and test, self-contained SVG with axes, ticks and a legend. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "train.h"

typedef struct {
  double x0, y0, w, h, vmin, vmax;
  int n;
} panel;

static double px(const panel *p, int i) { return p->x0 + (p->n > 1 ? p->w * i / (p->n - 1) : p->w / 2); }
static double py(const panel *p, double v) { return p->y0 + p->h - p->h * (v - p->vmin) / (p->vmax - p->vmin); }

static void series(FILE *f, const panel *p, const tl_epoch_stats *h, int n, size_t off, const char *color, int dashed) {
  fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"", color,
          dashed ? " stroke-dasharray=\"6,4\"" : "");
  for (int i = 0; i < n; i++) {
    double v = *(const double *)((const char *)&h[i] + off);
    fprintf(f, "%.1f,%.1f ", px(p, i), py(p, v));
  }
  fprintf(f, "\"/>\n");
  for (int i = 0; i < n; i++) {
    double v = *(const double *)((const char *)&h[i] + off);
    fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>epoch %d: %.5g</title></circle>\n", px(p, i),
            py(p, v), color, i + 1, v);
  }
}

static void axes(FILE *f, const panel *p, const char *title, int percent) {
  fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#fafafa\" stroke=\"#888\"/>\n", p->x0,
          p->y0, p->w, p->h);
  fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"15\" font-weight=\"bold\">%s</text>\n", p->x0, p->y0 - 10, title);
  for (int k = 0; k <= 4; k++) {
    double v = p->vmin + (p->vmax - p->vmin) * k / 4.0;
    double y = py(p, v);
    fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", p->x0, y, p->x0 + p->w, y);
    if (percent)
      fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%.2f%%</text>\n", p->x0 - 5, y + 4,
              100 * v);
    else
      fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%.3f</text>\n", p->x0 - 5, y + 4, v);
  }
  for (int i = 0; i < p->n; i++) {
    if (p->n > 20 && i % (p->n / 10) != 0) continue;
    fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"middle\">%d</text>\n", px(p, i),
            p->y0 + p->h + 15, i + 1);
  }
  fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"12\" text-anchor=\"middle\">epoch</text>\n", p->x0 + p->w / 2,
          p->y0 + p->h + 32);
}

static void range(const tl_epoch_stats *h, int n, size_t o1, size_t o2, double *lo, double *hi) {
  *lo = INFINITY;
  *hi = -INFINITY;
  for (int i = 0; i < n; i++) {
    double a = *(const double *)((const char *)&h[i] + o1), b = *(const double *)((const char *)&h[i] + o2);
    if (isfinite(a)) {
      if (a < *lo) *lo = a;
      if (a > *hi) *hi = a;
    }
    if (isfinite(b)) {
      if (b < *lo) *lo = b;
      if (b > *hi) *hi = b;
    }
  }
  if (!isfinite(*lo)) {
    *lo = 0;
    *hi = 1;
  }
  double pad = (*hi - *lo) * 0.08;
  if (pad <= 0) pad = 0.01;
  *lo -= pad;
  *hi += pad;
}

int tl_train_plot_svg(const char *path, const tl_epoch_stats *hist, int n, const char *title, char *err,
                      size_t errlen) {
  FILE *f = fopen(path, "w");
  if (!f) {
    tl_train_set_err(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    return 1;
  }
  const double W = 900, H = 420;
  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  fprintf(f,
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
          "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n",
          W, H, W, H);
  fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
  fprintf(f, "<text x=\"%.0f\" y=\"24\" font-size=\"16\" text-anchor=\"middle\">", W / 2);
  for (const char *c = title ? title : "tinylite train"; *c; c++) {
    if (*c == '<')
      fputs("&lt;", f);
    else if (*c == '>')
      fputs("&gt;", f);
    else if (*c == '&')
      fputs("&amp;", f);
    else
      fputc(*c, f);
  }
  fprintf(f, "</text>\n");
  panel lp = {70, 70, 340, 270, 0, 1, n}, ap = {520, 70, 340, 270, 0, 1, n};
  range(hist, n, offsetof(tl_epoch_stats, train_loss), offsetof(tl_epoch_stats, test_loss), &lp.vmin, &lp.vmax);
  if (lp.vmin < 0) lp.vmin = 0;
  range(hist, n, offsetof(tl_epoch_stats, train_acc), offsetof(tl_epoch_stats, test_acc), &ap.vmin, &ap.vmax);
  if (ap.vmax > 1) ap.vmax = 1;
  axes(f, &lp, "loss (cross-entropy)", 0);
  axes(f, &ap, "accuracy", 1);
  if (n > 0) {
    series(f, &lp, hist, n, offsetof(tl_epoch_stats, train_loss), "#1f77b4", 0);
    series(f, &lp, hist, n, offsetof(tl_epoch_stats, test_loss), "#d62728", 1);
    series(f, &ap, hist, n, offsetof(tl_epoch_stats, train_acc), "#1f77b4", 0);
    series(f, &ap, hist, n, offsetof(tl_epoch_stats, test_acc), "#d62728", 1);
  }
  fprintf(f,
          "<g font-size=\"12\"><line x1=\"330\" y1=\"395\" x2=\"360\" y2=\"395\" stroke=\"#1f77b4\" "
          "stroke-width=\"2\"/><text x=\"366\" y=\"399\">train</text>"
          "<line x1=\"430\" y1=\"395\" x2=\"460\" y2=\"395\" stroke=\"#d62728\" stroke-width=\"2\" "
          "stroke-dasharray=\"6,4\"/><text x=\"466\" y=\"399\">test</text></g>\n");
  if (n > 0)
    fprintf(f,
            "<text x=\"%.0f\" y=\"412\" font-size=\"11\" text-anchor=\"end\" fill=\"#555\">final test "
            "accuracy %.2f%%</text>\n",
            W - 40, 100 * hist[n - 1].test_acc);
  fprintf(f, "</svg>\n");
  if (fclose(f) != 0) {
    tl_train_set_err(err, errlen, "%s: write failed", path);
    return 1;
  }
  return 0;
}

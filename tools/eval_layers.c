/* SPDX-License-Identifier: Apache-2.0
 * tinylite eval --per-layer: where a quantized model loses accuracy. Both models run on the same images
 * with every tensor kept; each quantized op's output, dequantized, is compared with its float twin's
 * (matched by position among compute ops, else by name): SNR dB, cosine, max abs error, worst first. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"

typedef struct {
  int op, builtin, out; /* op index, builtin code, output tensor 0 */
} cop;

typedef struct {
  int qop, fop, builtin, qt, ft;
  const char *name;
  double sf2, se2, sfq, sq2, maxerr, maxabs;
  long long n;
  int mismatch; /* element counts differ */
} layer;

/* The compute ops of subgraph 0 (QUANTIZE/DEQUANTIZE are the converter's, not the network's). */
static int compute_ops(const tl_model *m, cop *v, int max) {
  const char *name;
  int nt, nops, ni, no, n = 0;
  if (tl_model_subgraph(m, 0, &name, &nt, &nops, &ni, &no)) return 0;
  for (int j = 0; j < nops && n < max; j++) {
    int b, ver, nin, nout;
    const int32_t *in, *out;
    if (tl_model_op(m, 0, j, &b, &ver, &in, &nin, &out, &nout) || nout < 1) continue;
    if (!strcmp(tl_op_name(b), "QUANTIZE") || !strcmp(tl_op_name(b), "DEQUANTIZE")) continue;
    v[n++] = (cop){j, b, out[0]};
  }
  return n;
}

static const char *tname(const tl_model *m, int t) {
  tl_tensor_info ti;
  return tl_model_tensor(m, 0, t, &ti) ? "" : (ti.name ? ti.name : "");
}

/* Length of name without the suffix the converter adds to the int8 version of a float tensor. */
static size_t base_len(const char *s) {
  size_t n = strlen(s);
  static const char *sfx[] = {"_int8", "_uint8", "_float", "_requantized"};
  for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
    size_t k = strlen(sfx[i]);
    if (n > k && !strcmp(s + n - k, sfx[i])) return n - k;
  }
  return n;
}

/* Value i of tensor t as a real number (dequantized with its per-tensor scale and zero point). */
static double value(const tl_tensor *t, size_t i) {
  const void *d = tl_tensor_data((tl_tensor *)t);
  float s = tl_tensor_scale(t);
  int32_t z = tl_tensor_zero_point(t);
  switch (tl_tensor_type(t)) {
    case TL_FLOAT32: return ((const float *)d)[i];
    case TL_INT8: return s > 0 ? (((const int8_t *)d)[i] - z) * (double)s : ((const int8_t *)d)[i];
    case TL_UINT8: return s > 0 ? (((const uint8_t *)d)[i] - z) * (double)s : ((const uint8_t *)d)[i];
    case TL_INT16: return s > 0 ? (((const int16_t *)d)[i] - z) * (double)s : ((const int16_t *)d)[i];
    case TL_INT32: return s > 0 ? (((const int32_t *)d)[i] - z) * (double)s : ((const int32_t *)d)[i];
    default: return 0;
  }
}

static int numeric(int type) {
  return type == TL_FLOAT32 || type == TL_INT8 || type == TL_UINT8 || type == TL_INT16 || type == TL_INT32;
}

static double snr_db(const layer *l) {
  if (l->se2 == 0) return INFINITY;
  if (l->sf2 == 0) return -INFINITY;
  return 10.0 * log10(l->sf2 / l->se2);
}

static double cosine(const layer *l) {
  if (l->sf2 == 0 || l->sq2 == 0) return l->sf2 == l->sq2 ? 1.0 : 0.0;
  return l->sfq / sqrt(l->sf2 * l->sq2);
}

static int by_snr(const void *a, const void *b) {
  const layer *x = a, *y = b;
  if (x->mismatch != y->mismatch) return x->mismatch - y->mismatch;
  double sx = snr_db(x), sy = snr_db(y);
  if (sx != sy) return sx < sy ? -1 : 1;
  return x->qop - y->qop;
}

static int open_preserving(const char *path, int threads, tl_model **m, tl_interp **ip) {
  char err[1024];
  *m = NULL;
  *ip = NULL;
  if (tl_model_open(path, m, err, sizeof err)) return cli_error("eval", "%s", err);
  tl_interp_options o;
  memset(&o, 0, sizeof o);
  o.num_threads = threads;
  o.preserve_all_tensors = 1; /* intermediate outputs stay readable after invoke */
  if (tl_interp_new(*m, &o, ip) || tl_interp_allocate(*ip)) {
    int rc = cli_error("eval", "%s: %s", path, *ip ? tl_interp_errmsg(*ip) : "cannot create an interpreter");
    tl_interp_free(*ip);
    tl_model_close(*m);
    *ip = NULL;
    *m = NULL;
    return rc;
  }
  return 0;
}

int eval_per_layer(const char *float_path, const char *quant_path, const tl_mnist *test, int n, cli_norm norm,
                   int threads, int format) {
  tl_model *fm = NULL, *qm = NULL;
  tl_interp *fi = NULL, *qi = NULL;
  cop *fc = NULL, *qc = NULL;
  layer *L = NULL;
  int rc = open_preserving(float_path, threads, &fm, &fi);
  if (!rc) rc = open_preserving(quant_path, threads, &qm, &qi);
  const char *name;
  int fnt = 0, fnops = 0, qnt = 0, qnops = 0, ni, no;
  if (!rc) {
    tl_model_subgraph(fm, 0, &name, &fnt, &fnops, &ni, &no);
    tl_model_subgraph(qm, 0, &name, &qnt, &qnops, &ni, &no);
    fc = malloc(((size_t)fnops + 1) * sizeof *fc);
    qc = malloc(((size_t)qnops + 1) * sizeof *qc);
    L = calloc((size_t)qnops + 1, sizeof *L);
    if (!fc || !qc || !L) rc = cli_error("eval", "out of memory");
  }
  int nl = 0;
  if (!rc) {
    int nf = compute_ops(fm, fc, fnops), nq = compute_ops(qm, qc, qnops);
    int positional = nf == nq;
    for (int i = 0; positional && i < nq; i++) positional = fc[i].builtin == qc[i].builtin;
    for (int i = 0; i < nq; i++) {
      int f = -1;
      if (positional) {
        f = i;
      } else { /* same output name (up to the converter's suffixes), else the same occurrence of the op */
        const char *qn = tname(qm, qc[i].out);
        size_t ql = base_len(qn);
        for (int j = 0; j < nf && f < 0; j++) {
          const char *fname = tname(fm, fc[j].out);
          if (base_len(fname) == ql && !strncmp(fname, qn, ql)) f = j;
        }
        if (f < 0) {
          int occ = 0;
          for (int j = 0; j < i; j++) occ += qc[j].builtin == qc[i].builtin;
          for (int j = 0; j < nf && f < 0; j++)
            if (fc[j].builtin == qc[i].builtin && occ-- == 0) f = j;
        }
      }
      if (f < 0) continue;
      layer *l = &L[nl++];
      l->qop = qc[i].op, l->fop = fc[f].op, l->builtin = qc[i].builtin, l->qt = qc[i].out, l->ft = fc[f].out;
      l->name = tname(qm, qc[i].out);
    }
    if (!nl) rc = cli_error("eval", "no op of %s matches an op of %s", quant_path, float_path);
  }
  tl_tensor *fin = fi ? tl_interp_input(fi, 0) : NULL, *qin = qi ? tl_interp_input(qi, 0) : NULL;
  int pixels = test->rows * test->cols;
  int fper = fin ? cli_images_per_input(fin, pixels) : 0, qper = qin ? cli_images_per_input(qin, pixels) : 0;
  if (!rc && (fper != 1 || qper != 1))
    rc = cli_error("eval", "--per-layer needs models that take one %dx%d image per run", test->rows, test->cols);
  if (n > test->count) n = test->count;
  char err[1024];
  for (int i = 0; i < n && !rc; i++) {
    const uint8_t *img = test->images + (size_t)i * pixels;
    if (cli_fill_images(fin, img, 1, pixels, norm, err, sizeof err) ||
        cli_fill_images(qin, img, 1, pixels, norm, err, sizeof err)) {
      rc = cli_error("eval", "%s", err);
      break;
    }
    if (tl_interp_invoke(fi) || tl_interp_invoke(qi)) {
      rc = cli_error("eval", "image %d: %s%s", i, tl_interp_errmsg(fi), tl_interp_errmsg(qi));
      break;
    }
    for (int k = 0; k < nl; k++) {
      layer *l = &L[k];
      const tl_tensor *ft = tl_interp_tensor(fi, l->ft), *qt = tl_interp_tensor(qi, l->qt);
      if (!ft || !qt || !tl_tensor_data((tl_tensor *)ft) || !tl_tensor_data((tl_tensor *)qt) ||
          tl_tensor_count(ft) != tl_tensor_count(qt) || !numeric(tl_tensor_type(ft)) || !numeric(tl_tensor_type(qt))) {
        l->mismatch = 1;
        continue;
      }
      size_t cnt = tl_tensor_count(ft);
      for (size_t e = 0; e < cnt; e++) {
        double f = value(ft, e), q = value(qt, e), d = f - q;
        l->sf2 += f * f, l->se2 += d * d, l->sfq += f * q, l->sq2 += q * q;
        if (fabs(d) > l->maxerr) l->maxerr = fabs(d);
        if (fabs(f) > l->maxabs) l->maxabs = fabs(f);
      }
      l->n += (long long)cnt;
    }
  }
  if (!rc) {
    qsort(L, (size_t)nl, sizeof *L, by_snr);
    if (format == EVAL_JSON) {
      for (int k = 0; k < nl; k++) {
        const layer *l = &L[k];
        double s = snr_db(l);
        printf("{\"op\":%d,\"float_op\":%d,\"type\":\"%s\",\"tensor\":%d,\"name\":\"", l->qop, l->fop,
               tl_op_name(l->builtin), l->qt);
        for (const char *p = l->name; *p; p++) {
          if (*p == '"' || *p == '\\') putchar('\\');
          putchar(*p);
        }
        if (l->mismatch) {
          printf("\",\"comparable\":false}\n");
          continue;
        }
        printf("\",\"snr_db\":");
        if (isinf(s)) printf("%s", s > 0 ? "null,\"identical\":true" : "null");
        else printf("%.3f", s);
        printf(",\"cosine\":%.6f,\"max_abs_error\":%.6g,\"max_abs_float\":%.6g,\"values\":%lld}\n", cosine(l), l->maxerr,
               l->maxabs, l->n);
      }
    } else if (format == EVAL_CSV) {
      printf("op,float_op,type,tensor,name,snr_db,cosine,max_abs_error,max_abs_float\n");
      for (int k = 0; k < nl; k++) {
        const layer *l = &L[k];
        if (l->mismatch) continue;
        printf("%d,%d,%s,%d,\"%s\",%.3f,%.6f,%.6g,%.6g\n", l->qop, l->fop, tl_op_name(l->builtin), l->qt, l->name,
               snr_db(l), cosine(l), l->maxerr, l->maxabs);
      }
    } else {
      printf("per-layer error of %s against %s on %d test images (worst SNR first)\n", quant_path, float_path, n);
      printf("%4s  %-24s  %9s  %9s  %12s  %12s  %s\n", "op", "type", "SNR dB", "cosine", "max |err|", "max |float|",
             "output tensor");
      for (int k = 0; k < nl; k++) {
        const layer *l = &L[k];
        if (l->mismatch) {
          printf("%4d  %-24s  (outputs not comparable)  %s\n", l->qop, tl_op_name(l->builtin), l->name);
          continue;
        }
        /* Converter-made names join every fused op's name: long ones are cut for the table. */
        int len = (int)strlen(l->name);
        printf("%4d  %-24s  %9.2f  %9.6f  %12.6g  %12.6g  %.*s%s\n", l->qop, tl_op_name(l->builtin), snr_db(l),
               cosine(l), l->maxerr, l->maxabs, len > 60 ? 57 : len, l->name, len > 60 ? "..." : "");
      }
    }
  }
  free(fc);
  free(qc);
  free(L);
  tl_interp_free(fi);
  tl_interp_free(qi);
  tl_model_close(fm);
  tl_model_close(qm);
  return rc;
}

/* SPDX-License-Identifier: Apache-2.0
 * Network construction for the trainer: named networks, the text description parser with
 * shape inference (TF's VALID/SAME rules), Keras-default initialisation, and the per-thread
 * workspace allocation (buffer aliasing for reshape/flatten, im2col scratch sizing). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/sgemm.h"
#include "net.h"
#include "rng.h"

int tl_conv_chunk(const tl_layer *L);
int tl_conv_direct(const tl_layer *L);
int tl_conv_indirect(const tl_layer *L);

void tl_train_set_err(char *err, size_t errlen, const char *fmt, ...) {
  if (!err || !errlen) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

static const struct {
  const char *name, *desc;
} named[] = {
    /* the Keras tutorial model (110,986 parameters) */
    {"tutorial", "conv:32:3:relu,conv:64:3:relu,maxpool:2,dropout:0.25,flatten,dense:10"},
    /* a small, fast CNN for CI and smoke tests */
    {"small", "conv:8:3:relu,maxpool:2,conv:16:3:relu,maxpool:2,flatten,dense:10"},
    {"mlp", "flatten,dense:128:relu,dropout:0.2,dense:10"},
    {"lenet",
     "conv:6:5:same:relu,maxpool:2,conv:16:5:relu,maxpool:2,flatten,dense:120:relu,"
     "dense:84:relu,dense:10"},
    {"bn", "conv:32:3:nobias,bn,relu,conv:64:3:nobias,bn,relu,maxpool:2,dropout:0.25,flatten,dense:10"},
};

const char *tl_net_named(const char *name) {
  for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
    if (strcmp(named[i].name, name) == 0) return named[i].desc;
  return NULL;
}

static int parse_int(const char *s, int lo, int hi, int *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (end == s || *end || v < lo || v > hi) return 1;
  *out = (int)v;
  return 0;
}

/* output size and leading pad for one spatial dim, TF rules */
static int out_dim(int in, int k, int s, int same, int *pad) {
  if (same) {
    int o = (in + s - 1) / s;
    int total = (o - 1) * s + k - in;
    if (total < 0) total = 0;
    *pad = total / 2;
    return o;
  }
  *pad = 0;
  return in < k ? 0 : (in - k) / s + 1;
}

#define MAXTOK 64
#define MAXLAYERS 64

int tl_net_new(const char *name_or_desc, tl_net **out, char *err, size_t errlen) {
  *out = NULL;
  if (!name_or_desc || !*name_or_desc) name_or_desc = "tutorial";
  const char *desc = tl_net_named(name_or_desc);
  if (!desc) desc = name_or_desc;
  if (strlen(desc) >= 900) {
    tl_train_set_err(err, errlen, "net description too long (max 900 characters)");
    return 1;
  }
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", desc);

  tl_layer layers[MAXLAYERS];
  int nl = 0;
  tl_shape3 input = {28, 28, 1}, cur;
  memset(layers, 0, sizeof layers);
  char *save = NULL;
  int first = 1;
  char canon[1024] = "";
  /* layer 0: Reshape(H,W,C) from the flat input, like the tutorial's Keras model */
  layers[nl++].kind = TL_LAYER_RESHAPE;
  for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save), first = 0) {
    while (*tok == ' ') tok++;
    size_t tl = strlen(tok);
    while (tl && tok[tl - 1] == ' ') tok[--tl] = 0;
    char orig[128];
    snprintf(orig, sizeof orig, "%s", tok);
    char *f[MAXTOK];
    int nf = 0;
    char *s2 = NULL;
    for (char *p = strtok_r(tok, ":", &s2); p && nf < MAXTOK; p = strtok_r(NULL, ":", &s2)) f[nf++] = p;
    if (nf == 0) {
      tl_train_set_err(err, errlen, "net description: empty layer token in \"%s\"", desc);
      return 1;
    }
    if (strcmp(f[0], "input") == 0) {
      if (!first || nf != 4 || parse_int(f[1], 1, 4096, &input.h) || parse_int(f[2], 1, 4096, &input.w) ||
          parse_int(f[3], 1, 4096, &input.c)) {
        tl_train_set_err(err, errlen, "net description: \"%s\": use input:H:W:C as the first token", orig);
        return 1;
      }
      continue;
    }
    if (nl >= MAXLAYERS) {
      tl_train_set_err(err, errlen, "net description: more than %d layers", MAXLAYERS - 1);
      return 1;
    }
    tl_layer *L = &layers[nl];
    L->sh = L->sw = 0;
    int need = 1, argi = 1;
    if (strcmp(f[0], "conv") == 0) {
      L->kind = TL_LAYER_CONV2D;
      L->bias = 1;
      need = 3;
    } else if (strcmp(f[0], "maxpool") == 0) {
      L->kind = TL_LAYER_MAXPOOL2D;
      need = 2;
    } else if (strcmp(f[0], "avgpool") == 0) {
      L->kind = TL_LAYER_AVGPOOL2D;
      need = 2;
    } else if (strcmp(f[0], "dropout") == 0) {
      L->kind = TL_LAYER_DROPOUT;
      need = 2;
    } else if (strcmp(f[0], "flatten") == 0) {
      L->kind = TL_LAYER_FLATTEN;
    } else if (strcmp(f[0], "dense") == 0) {
      L->kind = TL_LAYER_DENSE;
      L->bias = 1;
      need = 2;
    } else if (strcmp(f[0], "relu") == 0) {
      L->kind = TL_LAYER_RELU;
    } else if (strcmp(f[0], "bn") == 0 || strcmp(f[0], "batchnorm") == 0) {
      L->kind = TL_LAYER_BATCHNORM;
      L->momentum = 0.99f;
      L->eps = 1e-3f;
    } else {
      tl_train_set_err(err, errlen,
                       "net description: unknown layer \"%s\" (known: input conv maxpool avgpool dropout "
                       "flatten dense relu bn; named nets: tutorial small mlp lenet bn)",
                       f[0]);
      return 1;
    }
    if (nf < need) {
      tl_train_set_err(err, errlen, "net description: \"%s\" needs %d argument(s)", orig, need - 1);
      return 1;
    }
    if (L->kind == TL_LAYER_CONV2D) {
      char *x = strchr(f[2], 'x');
      if (x) *x = 0;
      if (parse_int(f[1], 1, 65536, &L->units) || parse_int(f[2], 1, 64, &L->kh) ||
          parse_int(x ? x + 1 : f[2], 1, 64, &L->kw)) {
        tl_train_set_err(err, errlen, "net description: \"%s\": conv:FILTERS:K[xK2]", orig);
        return 1;
      }
      argi = 3;
    } else if (L->kind == TL_LAYER_MAXPOOL2D || L->kind == TL_LAYER_AVGPOOL2D) {
      char *x = strchr(f[1], 'x');
      if (x) *x = 0;
      if (parse_int(f[1], 1, 64, &L->kh) || parse_int(x ? x + 1 : f[1], 1, 64, &L->kw)) {
        tl_train_set_err(err, errlen, "net description: \"%s\": pool size must be 1..64", orig);
        return 1;
      }
      L->sh = L->kh;
      L->sw = L->kw;
      argi = 2;
    } else if (L->kind == TL_LAYER_DROPOUT) {
      char *end;
      double r = strtod(f[1], &end);
      if (end == f[1] || *end || !(r >= 0.0 && r < 1.0)) {
        tl_train_set_err(err, errlen, "net description: \"%s\": dropout rate must be in [0,1)", orig);
        return 1;
      }
      L->rate = (float)r;
      argi = 2;
    } else if (L->kind == TL_LAYER_DENSE) {
      if (parse_int(f[1], 1, 1 << 20, &L->units)) {
        tl_train_set_err(err, errlen, "net description: \"%s\": dense:UNITS", orig);
        return 1;
      }
      argi = 2;
    }
    int conv_or_pool = L->kind == TL_LAYER_CONV2D || L->kind == TL_LAYER_MAXPOOL2D || L->kind == TL_LAYER_AVGPOOL2D;
    for (int i = argi; i < nf; i++) {
      const char *o = f[i];
      int v;
      if ((L->kind == TL_LAYER_CONV2D || L->kind == TL_LAYER_DENSE) && strcmp(o, "relu") == 0)
        L->relu = 1;
      else if ((L->kind == TL_LAYER_CONV2D || L->kind == TL_LAYER_DENSE) && strcmp(o, "nobias") == 0)
        L->bias = 0;
      else if (conv_or_pool && strcmp(o, "same") == 0)
        L->same = 1;
      else if (conv_or_pool && strcmp(o, "valid") == 0)
        L->same = 0;
      else if (conv_or_pool && o[0] == 's' && !parse_int(o + 1, 1, 64, &v))
        L->sh = L->sw = v;
      else {
        tl_train_set_err(err, errlen, "net description: \"%s\": unknown option \"%s\"", orig, o);
        return 1;
      }
    }
    if (L->kind == TL_LAYER_CONV2D && L->sh == 0) L->sh = L->sw = 1;
    size_t cl = strlen(canon);
    snprintf(canon + cl, sizeof canon - cl, "%s%s", cl ? "," : "", orig);
    nl++;
  }
  if (nl < 2) {
    tl_train_set_err(err, errlen, "net description \"%s\" has no layers", desc);
    return 1;
  }

  /* shape inference and parameter layout */
  tl_net *net = calloc(1, sizeof *net);
  if (!net) {
    tl_train_set_err(err, errlen, "out of memory");
    return 1;
  }
  net->input = input;
  cur = input;
  layers[0].in = (tl_shape3){1, 1, (int)tl_shape_size(input)};
  layers[0].out = input;
  layers[0].alias = 1;
  size_t np = 0, ns = 0;
  for (int l = 1; l < nl; l++) {
    tl_layer *L = &layers[l];
    L->in = cur;
    switch (L->kind) {
      case TL_LAYER_CONV2D:
      case TL_LAYER_MAXPOOL2D:
      case TL_LAYER_AVGPOOL2D: {
        int ph, pw;
        L->out.h = out_dim(cur.h, L->kh, L->sh, L->same, &ph);
        L->out.w = out_dim(cur.w, L->kw, L->sw, L->same, &pw);
        L->pad_t = ph;
        L->pad_l = pw;
        L->out.c = L->kind == TL_LAYER_CONV2D ? L->units : cur.c;
        if (L->out.h <= 0 || L->out.w <= 0) {
          tl_train_set_err(err, errlen,
                           "net description: layer %d (%s) gets a %dx%d input, smaller than its %dx%d window", l,
                           L->kind == TL_LAYER_CONV2D ? "conv" : "pool", cur.h, cur.w, L->kh, L->kw);
          goto fail;
        }
        if (L->kind == TL_LAYER_CONV2D) {
          L->w = np;
          L->nw = (size_t)L->kh * L->kw * cur.c * L->units;
          np += L->nw;
          if (L->bias) {
            L->b = np;
            L->nb = (size_t)L->units;
            np += L->nb;
          }
        }
        break;
      }
      case TL_LAYER_DENSE:
        if (cur.h != 1 || cur.w != 1) {
          tl_train_set_err(err, errlen,
                           "net description: dense (layer %d) needs a flat input; add \"flatten\" before it", l);
          goto fail;
        }
        L->out = (tl_shape3){1, 1, L->units};
        L->w = np;
        L->nw = (size_t)cur.c * L->units;
        np += L->nw;
        if (L->bias) {
          L->b = np;
          L->nb = (size_t)L->units;
          np += L->nb;
        }
        break;
      case TL_LAYER_FLATTEN:
        L->out = (tl_shape3){1, 1, (int)tl_shape_size(cur)};
        L->alias = 1;
        break;
      case TL_LAYER_BATCHNORM:
        if (cur.c > 1024) {
          tl_train_set_err(err, errlen, "net description: bn supports at most 1024 channels");
          goto fail;
        }
        L->out = cur;
        L->w = np;
        L->nw = (size_t)cur.c;
        np += L->nw;
        L->b = np;
        L->nb = (size_t)cur.c;
        np += L->nb;
        L->st = ns;
        ns += 2 * (size_t)cur.c;
        break;
      default: L->out = cur; break;
    }
    if (tl_shape_size(L->out) > ((size_t)1 << 26)) {
      tl_train_set_err(err, errlen, "net description: layer %d output too large", l);
      goto fail;
    }
    cur = L->out;
  }
  /* the gradient w.r.t. a layer's input is only needed if a parameterised layer precedes it */
  {
    int seen = 0;
    for (int l = 0; l < nl; l++) {
      layers[l].need_dx = seen;
      if (layers[l].nw || layers[l].nb) seen = 1;
    }
  }
  if (tl_shape_size(cur) < 2) {
    tl_train_set_err(err, errlen, "net description: the last layer must output the class logits (got %zu values)",
                     tl_shape_size(cur));
    goto fail;
  }
  net->nlayers = nl;
  net->layers = malloc(sizeof(tl_layer) * nl);
  net->nparams = np;
  net->params = calloc(np ? np : 1, sizeof(float));
  net->nstate = ns;
  net->state = calloc(ns ? ns : 1, sizeof(float));
  if (!net->layers || !net->params || !net->state) {
    tl_train_set_err(err, errlen, "out of memory");
    goto fail;
  }
  memcpy(net->layers, layers, sizeof(tl_layer) * nl);
  const int len = input.h == 28 && input.w == 28 && input.c == 1
                      ? snprintf(net->desc, sizeof net->desc, "%s", canon)
                      : snprintf(net->desc, sizeof net->desc, "input:%d:%d:%d,%s", input.h, input.w, input.c, canon);
  if (len < 0 || (size_t)len >= sizeof net->desc) {
    tl_train_set_err(err, errlen, "the network description is longer than %zu characters", sizeof net->desc - 1);
    goto fail;
  }
  *out = net;
  return 0;
fail:
  tl_net_free(net);
  return 1;
}

void tl_net_free(tl_net *net) {
  if (!net) return;
  free(net->layers);
  free(net->params);
  free(net->state);
  free(net);
}

int tl_net_classes(const tl_net *net) { return (int)tl_shape_size(net->layers[net->nlayers - 1].out); }

void tl_net_init(tl_net *net, uint64_t seed) {
  tl_rng r;
  tl_rng_seed(&r, tl_hash3(seed, 0x1417, 0));
  memset(net->params, 0, sizeof(float) * net->nparams);
  for (int l = 0; l < net->nlayers; l++) {
    tl_layer *L = &net->layers[l];
    if (L->kind == TL_LAYER_CONV2D || L->kind == TL_LAYER_DENSE) {
      /* Glorot uniform: fan_in = kh*kw*cin, fan_out = kh*kw*cout (Keras) */
      double rf = L->kind == TL_LAYER_CONV2D ? (double)L->kh * L->kw : 1.0;
      double fan_in = rf * (L->kind == TL_LAYER_CONV2D ? L->in.c : (int)tl_shape_size(L->in));
      double fan_out = rf * L->units;
      float lim = (float)sqrt(6.0 / (fan_in + fan_out));
      for (size_t i = 0; i < L->nw; i++) net->params[L->w + i] = (2.0f * tl_u01f(tl_rng_next(&r)) - 1.0f) * lim;
    } else if (L->kind == TL_LAYER_BATCHNORM) {
      for (size_t i = 0; i < L->nw; i++) net->params[L->w + i] = 1.0f;
      for (int c = 0; c < L->out.c; c++) {
        net->state[L->st + c] = 0.0f;
        net->state[L->st + L->out.c + c] = 1.0f;
      }
    }
  }
}

static const char *kind_name(tl_layer_kind k) {
  static const char *n[] = {"reshape", "conv2d", "maxpool2d", "avgpool2d", "dropout",
                            "flatten", "dense",  "relu",      "batchnorm"};
  return n[k];
}

void tl_net_summary(const tl_net *net, char *buf, size_t len) {
  size_t o = 0;
  buf[0] = 0;
  for (int l = 0; l < net->nlayers && o < len; l++) {
    const tl_layer *L = &net->layers[l];
    char extra[64] = "";
    if (L->kind == TL_LAYER_CONV2D)
      snprintf(extra, sizeof extra, " %dx%d/%d %s%s", L->kh, L->kw, L->sh, L->same ? "same" : "valid",
               L->relu ? " relu" : "");
    else if (L->kind == TL_LAYER_MAXPOOL2D || L->kind == TL_LAYER_AVGPOOL2D)
      snprintf(extra, sizeof extra, " %dx%d/%d%s", L->kh, L->kw, L->sh, L->same ? " same" : "");
    else if (L->kind == TL_LAYER_DROPOUT)
      snprintf(extra, sizeof extra, " %.2f", L->rate);
    else if (L->kind == TL_LAYER_DENSE && L->relu)
      snprintf(extra, sizeof extra, " relu");
    o += (size_t)snprintf(buf + o, len - o, "  %-10s -> %4dx%-4dx%-5d%-22s %8zu params\n", kind_name(L->kind), L->out.h,
                          L->out.w, L->out.c, extra, L->nw + L->nb);
  }
  if (o < len) snprintf(buf + o, len - o, "  total %zu parameters\n", net->nparams);
}

/* ---- workspace ------------------------------------------------------------------------- */

static void *xalloc(size_t floats) {
  size_t bytes = (floats * sizeof(float) + 63) & ~(size_t)63;
  void *p = aligned_alloc(64, bytes ? bytes : 64);
  if (p) memset(p, 0, bytes ? bytes : 64);
  return p;
}

void tl_ws_free(tl_ws *ws) {
  if (!ws) return;
  tl_net *net = ws->net;
  if (ws->y)
    for (int l = 0; l < net->nlayers; l++) {
      if (!net->layers[l].alias) {
        free(ws->y[l]);
        free(ws->dy[l]);
      } else if (l == 0) {
        free(ws->dy[l]);
      }
      if (ws->aux) free(ws->aux[l]);
    }
  free(ws->y);
  free(ws->dy);
  free(ws->aux);
  free(ws->x);
  free(ws->col);
  free(ws->ind);
  free(ws->gemm);
  free(ws->grads);
  free(ws->probs);
  free(ws);
}

tl_ws *tl_ws_new(tl_net *net, int nmax) {
  tl_ws *ws = calloc(1, sizeof *ws);
  if (!ws) return NULL;
  ws->net = net;
  ws->nmax = nmax;
  int L = net->nlayers;
  ws->y = calloc(L, sizeof(float *));
  ws->dy = calloc(L, sizeof(float *));
  ws->aux = calloc(L, sizeof(void *));
  ws->x = xalloc((size_t)nmax * tl_shape_size(net->input));
  ws->gemm = xalloc(TL_SGEMM_WS_FLOATS + 16);
  ws->grads = xalloc(net->nparams);
  ws->probs = xalloc((size_t)nmax * tl_net_classes(net));
  if (!ws->y || !ws->dy || !ws->aux || !ws->x || !ws->gemm || !ws->grads || !ws->probs) goto fail;
  size_t ncol = 0, nind = 0;
  for (int l = 0; l < L; l++) {
    const tl_layer *ly = &net->layers[l];
    size_t osz = (size_t)nmax * tl_shape_size(ly->out);
    if (ly->alias) {
      ws->y[l] = l == 0 ? ws->x : ws->y[l - 1];
      ws->dy[l] = l == 0 ? xalloc(osz) : ws->dy[l - 1];
      if (!ws->dy[l]) goto fail;
    } else {
      ws->y[l] = xalloc(osz);
      ws->dy[l] = xalloc(osz);
      if (!ws->y[l] || !ws->dy[l]) goto fail;
    }
    if (ly->kind == TL_LAYER_MAXPOOL2D || ly->kind == TL_LAYER_DROPOUT) {
      ws->aux[l] = xalloc(osz); /* int32 argmax or float mask: 4 bytes each */
      if (!ws->aux[l]) goto fail;
    } else if (ly->kind == TL_LAYER_BATCHNORM) {
      ws->aux[l] = xalloc(osz + ly->out.c); /* xhat, then 1/std per channel */
      if (!ws->aux[l]) goto fail;
    } else if (ly->kind == TL_LAYER_CONV2D && !tl_conv_direct(ly)) {
      int chunk = tl_conv_chunk(ly);
      if (chunk > nmax) chunk = nmax;
      size_t pix = (size_t)chunk * ly->out.h * ly->out.w;
      /* indirect convs need the col scratch only for dcol (the input gradient) */
      size_t c = !tl_conv_indirect(ly) || ly->need_dx ? pix * ly->kh * ly->kw * ly->in.c : 0;
      if (c > ncol) ncol = c;
      if (tl_conv_indirect(ly) && pix * ly->kh > nind) nind = pix * ly->kh;
    }
  }
  ws->ncol = ncol;
  if (ncol && !(ws->col = xalloc(ncol))) goto fail;
  if (nind && !(ws->ind = malloc(sizeof(float *) * nind))) goto fail;
  ws->seed = 0;
  return ws;
fail:
  tl_ws_free(ws);
  return NULL;
}

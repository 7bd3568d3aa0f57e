/* SPDX-License-Identifier: Apache-2.0
 * The training loop: a small pthread pool splits each mini-batch into fixed contiguous slices,
 * every thread runs forward/backward on its slice into private gradients, then each thread sums
 * all threads' gradients for its own range of parameters in thread order and applies the
 * optimizer there. Sums are in a fixed order, so a run is bit-reproducible for a thread count. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rng.h"
#include "trainer_internal.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

void tl_train_config_default(tl_train_config *c) {
  memset(c, 0, sizeof *c);
  snprintf(c->net, sizeof c->net, "tutorial");
  /* The default run (`tinylite train`): 12 epochs of batch 32, Adam peaking at 2e-3 after a
   * one-epoch linear warm-up, cosine decay to 0, random shifts/rotations. Without augmentation
   * the tutorial net overfits (train 99.9%, test ~99.2%); with it the test set gets ~99.4%. */
  c->epochs = 12;
  c->batch = 32;
  c->lr = 2e-3;
  c->seed = 1;
  c->opt = TL_OPT_ADAM;
  c->beta1 = 0.9;
  c->beta2 = 0.999;
  c->eps = 1e-7;
  c->momentum = 0.9;
  c->sched = TL_SCHED_COSINE;
  c->lr_min = 0.0;
  c->step_gamma = 0.1;
  c->step_every = 5;
  c->warmup_epochs = 1;
  c->augment = 1;
  c->aug_shift = 2.0f;
  c->aug_rot = 10.0f;
  c->train_limit = 0;
}

/* ---- thread pool ----------------------------------------------------------------------- */

static void pool_barrier(tl_sync *s) {
  tl_trainer *t = s->pool;
  pthread_barrier_wait(&t->barrier);
}

static void run_job(tl_trainer *t, int tid);

typedef struct {
  tl_trainer *t;
  int tid;
} thr_arg;

static void *worker_main(void *arg) {
  thr_arg a = *(thr_arg *)arg;
  free(arg);
  tl_trainer *t = a.t;
  int gen = 0;
  for (;;) {
    pthread_mutex_lock(&t->mu);
    while (t->gen == gen && !t->quit) pthread_cond_wait(&t->cv_start, &t->mu);
    if (t->quit) {
      pthread_mutex_unlock(&t->mu);
      return NULL;
    }
    gen = t->gen;
    pthread_mutex_unlock(&t->mu);
    run_job(t, a.tid);
    pthread_mutex_lock(&t->mu);
    if (--t->pending == 0) pthread_cond_signal(&t->cv_done);
    pthread_mutex_unlock(&t->mu);
  }
}

static void pool_run(tl_trainer *t) {
  if (t->nthreads > 1) {
    pthread_mutex_lock(&t->mu);
    t->pending = t->nthreads - 1;
    t->gen++;
    pthread_cond_broadcast(&t->cv_start);
    pthread_mutex_unlock(&t->mu);
  }
  run_job(t, 0);
  if (t->nthreads > 1) {
    pthread_mutex_lock(&t->mu);
    while (t->pending > 0) pthread_cond_wait(&t->cv_done, &t->mu);
    pthread_mutex_unlock(&t->mu);
  }
}

static void pool_stop(tl_trainer *t) {
  if (!t->pool_ok) return;
  pthread_mutex_lock(&t->mu);
  t->quit = 1;
  pthread_cond_broadcast(&t->cv_start);
  pthread_mutex_unlock(&t->mu);
  for (int i = 1; i < t->nthreads; i++) pthread_join(t->threads[i], NULL);
  pthread_barrier_destroy(&t->barrier);
  pthread_mutex_destroy(&t->mu);
  pthread_cond_destroy(&t->cv_start);
  pthread_cond_destroy(&t->cv_done);
  free(t->threads);
  t->threads = NULL;
  t->pool_ok = 0;
}

static void free_workers(tl_trainer *t) {
  pool_stop(t);
  if (t->ws)
    for (int i = 0; i < t->nthreads; i++) tl_ws_free(t->ws[i]);
  if (t->labels)
    for (int i = 0; i < t->nthreads; i++) free(t->labels[i]);
  free(t->ws);
  free(t->labels);
  free(t->th_loss);
  free(t->th_correct);
  free(t->sync.part);
  t->ws = NULL;
  t->labels = NULL;
  t->th_loss = NULL;
  t->th_correct = NULL;
  t->sync.part = NULL;
}

int tl_trainer_setup_threads(tl_trainer *t, int threads, char *err, size_t errlen) {
  free_workers(t);
  if (threads < 1) threads = 1;
  if (threads > 64) threads = 64;
  if (threads > t->cfg.batch) threads = t->cfg.batch;
  t->nthreads = threads;
  int nmax = (t->cfg.batch + threads - 1) / threads;
  t->ws = calloc(threads, sizeof *t->ws);
  t->labels = calloc(threads, sizeof *t->labels);
  t->th_loss = calloc(threads, sizeof *t->th_loss);
  t->th_correct = calloc(threads, sizeof *t->th_correct);
  if (!t->ws || !t->labels || !t->th_loss || !t->th_correct) goto oom;
  int nbn = 0;
  size_t maxc = 1;
  for (int l = 0; l < t->net->nlayers; l++)
    if (t->net->layers[l].kind == TL_LAYER_BATCHNORM) {
      nbn++;
      if ((size_t)t->net->layers[l].out.c > maxc) maxc = (size_t)t->net->layers[l].out.c;
    }
  t->sync.nthreads = threads;
  t->sync.maxc = maxc;
  t->sync.pool = t;
  t->sync.barrier = threads > 1 ? pool_barrier : NULL;
  t->sync.part = calloc((size_t)(nbn ? nbn : 1) * 2 * threads * 2 * maxc, sizeof(double));
  if (!t->sync.part) goto oom;
  for (int i = 0; i < threads; i++) {
    t->ws[i] = tl_ws_new(t->net, nmax);
    t->labels[i] = calloc((size_t)nmax, 1);
    if (!t->ws[i] || !t->labels[i]) goto oom;
    t->ws[i]->tid = i;
    t->ws[i]->sync = &t->sync;
  }
  if (threads > 1) {
    t->threads = calloc(threads, sizeof(pthread_t));
    if (!t->threads) goto oom;
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv_start, NULL);
    pthread_cond_init(&t->cv_done, NULL);
    pthread_barrier_init(&t->barrier, NULL, (unsigned)threads);
    t->gen = 0;
    t->quit = 0;
    t->pool_ok = 1;
    for (int i = 1; i < threads; i++) {
      thr_arg *a = malloc(sizeof *a);
      if (!a) goto oom;
      a->t = t;
      a->tid = i;
      if (pthread_create(&t->threads[i], NULL, worker_main, a) != 0) {
        free(a);
        /* run with the threads created so far is not possible (barrier count): give up */
        t->nthreads = i;
        pool_stop(t);
        t->nthreads = threads;
        tl_train_set_err(err, errlen, "cannot create thread %d", i);
        return 1;
      }
    }
  }
  return 0;
oom:
  tl_train_set_err(err, errlen, "out of memory allocating per-thread buffers");
  return 1;
}

/* ---- schedule, optimizer --------------------------------------------------------------- */

static int64_t steps_per_epoch(const tl_trainer *t) {
  int n = t->perm_n;
  return (n + t->cfg.batch - 1) / t->cfg.batch;
}

double tl_trainer_lr_at(const tl_trainer *t, int64_t step) {
  const tl_train_config *c = &t->cfg;
  int64_t spe = steps_per_epoch(t);
  int64_t total = spe * c->epochs, warm = spe * c->warmup_epochs;
  if (warm > 0 && step < warm) return c->lr * (double)(step + 1) / (double)warm;
  switch (c->sched) {
    case TL_SCHED_COSINE: {
      double span = (double)(total - warm);
      double p = span > 0 ? (double)(step - warm) / span : 1.0;
      if (p > 1) p = 1;
      double lo = c->lr * c->lr_min;
      return lo + (c->lr - lo) * 0.5 * (1.0 + cos(3.14159265358979323846 * p));
    }
    case TL_SCHED_STEP: {
      int e = (int)(step / (spe ? spe : 1));
      return c->lr * pow(c->step_gamma, c->step_every > 0 ? e / c->step_every : 0);
    }
    default: return c->lr;
  }
}

static void optimizer_range(tl_trainer *t, size_t lo, size_t hi) {
  const tl_train_config *c = &t->cfg;
  float *p = t->net->params, *m = t->m, *v = t->v;
  const int T = t->nthreads;
  float *g0 = t->ws[0]->grads;
  /* deterministic reduction: threads' gradients summed in thread order */
  for (int th = 1; th < T; th++) {
    const float *gt = t->ws[th]->grads;
    for (size_t i = lo; i < hi; i++) g0[i] += gt[i];
  }
  if (c->opt == TL_OPT_ADAM) {
    /* Keras (TF2) Adam: alpha = lr*sqrt(1-b2^t)/(1-b1^t); p -= alpha*m/(sqrt(v)+eps) */
    double tt = (double)(t->step + 1);
    float alpha = (float)(t->job_lr * sqrt(1.0 - pow(c->beta2, tt)) / (1.0 - pow(c->beta1, tt)));
    float b1 = (float)(1.0 - c->beta1), b2 = (float)(1.0 - c->beta2), eps = (float)c->eps;
    for (size_t i = lo; i < hi; i++) {
      float g = g0[i];
      m[i] += (g - m[i]) * b1;
      v[i] += (g * g - v[i]) * b2;
      p[i] -= alpha * m[i] / (sqrtf(v[i]) + eps);
    }
  } else {
    /* Keras SGD with momentum: vel = mom*vel - lr*g; p += vel */
    float lr = (float)t->job_lr, mom = (float)c->momentum;
    for (size_t i = lo; i < hi; i++) {
      m[i] = mom * m[i] - lr * g0[i];
      p[i] += m[i];
    }
  }
}

/* ---- jobs ------------------------------------------------------------------------------ */

static void load_inputs(tl_trainer *t, tl_ws *ws, uint8_t *labels, int lo, int k, int train) {
  const tl_mnist *d = t->data;
  const int H = t->net->input.h, W = t->net->input.w;
  const size_t isz = tl_shape_size(t->net->input), pix = (size_t)d->rows * d->cols;
  /* p/255 rounded once from double, the encoding of `tinylite eval` and TFLite's mnist-eval:
   * p * (1/255.f) differs in the last bit for half the pixel values, and the test accuracy
   * printed here should be the one the exported model gets */
  float lut[256];
  for (int p = 0; p < 256; p++) lut[p] = (float)(p / 255.0);
  for (int i = 0; i < k; i++) {
    int64_t pos = t->job_first + lo + i;
    int idx = train ? t->perm[pos] : (int)pos;
    const uint8_t *img = d->images + (size_t)idx * pix;
    float *x = ws->x + (size_t)i * isz;
    for (size_t j = 0; j < pix; j++) x[j] = lut[img[j]];
    if (train && t->cfg.augment) {
      float tmp[64 * 64];
      if (pix <= sizeof tmp / sizeof tmp[0] && H * W == (int)pix) {
        memcpy(tmp, x, sizeof(float) * pix);
        tl_augment_image(tmp, x, H, W, t->cfg.aug_shift, t->cfg.aug_rot,
                         tl_hash3(t->cfg.seed ^ 0xa0a0, (uint64_t)t->epoch, (uint64_t)pos));
      }
    }
    labels[i] = d->labels[idx];
  }
}

static void run_job(tl_trainer *t, int tid) {
  const int T = t->nthreads, n = t->job_n;
  const int lo = (int)((int64_t)n * tid / T), hi = (int)((int64_t)n * (tid + 1) / T), k = hi - lo;
  tl_ws *ws = t->ws[tid];
  uint8_t *labels = t->labels[tid];
  int correct = 0;
  if (t->job == 0) {
    load_inputs(t, ws, labels, lo, k, 1);
    ws->seed = t->cfg.seed;
    ws->epoch = (uint64_t)t->epoch;
    ws->sample0 = (uint64_t)(t->job_first + lo);
    memset(ws->grads, 0, sizeof(float) * t->net->nparams);
    tl_net_forward(ws, k, 1);
    t->th_loss[tid] = tl_net_loss(ws, k, labels, 1.0f / (float)n, &correct);
    t->th_correct[tid] = correct;
    tl_net_backward(ws, k);
    if (T > 1) pthread_barrier_wait(&t->barrier);
    size_t P = t->net->nparams;
    optimizer_range(t, P * tid / T, P * (tid + 1) / T);
  } else {
    load_inputs(t, ws, labels, lo, k, 0);
    tl_net_forward(ws, k, 0);
    t->th_loss[tid] = tl_net_loss(ws, k, labels, 0.0f, &correct);
    t->th_correct[tid] = correct;
  }
}

/* ---- trainer --------------------------------------------------------------------------- */

static int make_perm(tl_trainer *t, int n) {
  if (t->perm && t->perm_n == n && t->perm_epoch == t->epoch) return 0;
  if (!t->perm || t->perm_n != n) {
    free(t->perm);
    t->perm = malloc(sizeof(int32_t) * (size_t)n);
    if (!t->perm) return 1;
    t->perm_n = n;
  }
  /* the epoch's shuffle depends only on (seed, epoch): resuming regenerates it exactly */
  tl_rng r;
  tl_rng_seed(&r, tl_hash3(t->cfg.seed, 0x5eed5eedULL, (uint64_t)t->epoch));
  for (int i = 0; i < n; i++) t->perm[i] = i;
  for (int i = n - 1; i > 0; i--) {
    int j = (int)tl_rng_below(&r, (uint32_t)(i + 1));
    int32_t tmp = t->perm[i];
    t->perm[i] = t->perm[j];
    t->perm[j] = tmp;
  }
  t->perm_epoch = t->epoch;
  return 0;
}

int tl_trainer_new(const tl_train_config *cfg, int threads, tl_trainer **out, char *err, size_t errlen) {
  *out = NULL;
  if (cfg->epochs < 1 || cfg->epochs > 100000) {
    tl_train_set_err(err, errlen, "epochs must be in 1..100000 (got %d)", cfg->epochs);
    return 1;
  }
  if (cfg->batch < 1 || cfg->batch > 65536) {
    tl_train_set_err(err, errlen, "batch size must be in 1..65536 (got %d)", cfg->batch);
    return 1;
  }
  if (!(cfg->lr > 0 && cfg->lr < 100)) {
    tl_train_set_err(err, errlen, "learning rate must be in (0, 100) (got %g)", cfg->lr);
    return 1;
  }
  tl_trainer *t = calloc(1, sizeof *t);
  if (!t) {
    tl_train_set_err(err, errlen, "out of memory");
    return 1;
  }
  t->cfg = *cfg;
  t->perm_epoch = -1;
  if (tl_net_new(cfg->net, &t->net, err, errlen)) goto fail;
  snprintf(t->cfg.net, sizeof t->cfg.net, "%s", t->net->desc);
  tl_net_init(t->net, cfg->seed);
  t->m = calloc(t->net->nparams ? t->net->nparams : 1, sizeof(float));
  t->v = calloc(t->net->nparams ? t->net->nparams : 1, sizeof(float));
  if (!t->m || !t->v) {
    tl_train_set_err(err, errlen, "out of memory");
    goto fail;
  }
  if (tl_trainer_setup_threads(t, threads, err, errlen)) goto fail;
  *out = t;
  return 0;
fail:
  tl_trainer_free(t);
  return 1;
}

void tl_trainer_free(tl_trainer *t) {
  if (!t) return;
  free_workers(t);
  tl_net_free(t->net);
  free(t->m);
  free(t->v);
  free(t->hist);
  free(t->perm);
  free(t);
}

const tl_train_config *tl_trainer_config(const tl_trainer *t) { return &t->cfg; }
void tl_trainer_set_epochs(tl_trainer *t, int epochs) { t->cfg.epochs = epochs; }
tl_net *tl_trainer_net(tl_trainer *t) { return t->net; }
int tl_trainer_epoch(const tl_trainer *t) { return t->epoch; }
int tl_trainer_step_in_epoch(const tl_trainer *t) { return t->step_in_epoch; }
int tl_trainer_done(const tl_trainer *t) { return t->epoch >= t->cfg.epochs; }

int tl_trainer_history(const tl_trainer *t, const tl_epoch_stats **hist) {
  *hist = t->hist;
  return t->nhist;
}

static int check_data(const tl_trainer *t, const tl_mnist *d, char *err, size_t errlen) {
  if (!d || d->count <= 0 || !d->images || !d->labels) {
    tl_train_set_err(err, errlen, "no data");
    return 1;
  }
  if ((size_t)d->rows * d->cols != tl_shape_size(t->net->input)) {
    tl_train_set_err(err, errlen, "data images are %dx%d but the network takes %dx%dx%d inputs", d->rows, d->cols,
                     t->net->input.h, t->net->input.w, t->net->input.c);
    return 1;
  }
  if (tl_net_classes(t->net) < 10) {
    tl_train_set_err(err, errlen, "the network outputs %d logits; MNIST needs 10", tl_net_classes(t->net));
    return 1;
  }
  return 0;
}

int tl_trainer_run_epoch(tl_trainer *t, const tl_mnist *train, volatile sig_atomic_t *stop, tl_progress_fn progress,
                         void *user, char *err, size_t errlen) {
  if (check_data(t, train, err, errlen)) return -1;
  int n = train->count;
  if (t->cfg.train_limit > 0 && t->cfg.train_limit < n) n = t->cfg.train_limit;
  if (make_perm(t, n)) {
    tl_train_set_err(err, errlen, "out of memory");
    return -1;
  }
  const int64_t spe = steps_per_epoch(t);
  const double t0 = now_s(), sec0 = t->ep_seconds;
  int64_t seen0 = t->ep_seen;
  t->data = train;
  while (t->step_in_epoch < spe) {
    if (stop && *stop) return 1;
    int64_t first = (int64_t)t->step_in_epoch * t->cfg.batch;
    int bn = (int)(n - first < t->cfg.batch ? n - first : t->cfg.batch);
    t->job = 0;
    t->job_n = bn;
    t->job_first = first;
    t->job_lr = tl_trainer_lr_at(t, t->step);
    t->sync.batch = bn;
    pool_run(t);
    for (int i = 0; i < t->nthreads; i++) {
      t->ep_loss += t->th_loss[i];
      t->ep_correct += t->th_correct[i];
    }
    t->ep_seen += bn;
    t->step++;
    t->step_in_epoch++;
    double el = now_s() - t0;
    t->ep_seconds = sec0 + el;
    if (progress) {
      tl_progress p;
      p.epoch = t->epoch;
      p.epochs = t->cfg.epochs;
      p.step = t->step_in_epoch;
      p.steps = (int)spe;
      p.loss = t->ep_loss / (double)t->ep_seen;
      p.acc = (double)t->ep_correct / (double)t->ep_seen;
      p.img_per_s = el > 0 ? (double)(t->ep_seen - seen0) / el : 0;
      double left = (double)(spe - t->step_in_epoch) * t->cfg.batch + (double)(t->cfg.epochs - t->epoch - 1) * n;
      p.eta_s = p.img_per_s > 0 ? left / p.img_per_s : 0;
      p.lr = t->job_lr;
      progress(user, &p);
    }
  }
  return 0;
}

int tl_trainer_evaluate(tl_trainer *t, const tl_mnist *data, int limit, double *loss, double *acc, char *err,
                        size_t errlen) {
  if (check_data(t, data, err, errlen)) return -1;
  int n = data->count;
  if (limit > 0 && limit < n) n = limit;
  const int chunk = t->ws[0]->nmax * t->nthreads;
  double lsum = 0;
  int64_t ok = 0;
  t->data = data;
  for (int first = 0; first < n; first += chunk) {
    t->job = 1;
    t->job_n = n - first < chunk ? n - first : chunk;
    t->job_first = first;
    pool_run(t);
    for (int i = 0; i < t->nthreads; i++) {
      lsum += t->th_loss[i];
      ok += t->th_correct[i];
    }
  }
  *loss = lsum / n;
  *acc = (double)ok / n;
  return 0;
}

void tl_trainer_end_epoch(tl_trainer *t, double test_loss, double test_acc) {
  if (t->nhist == t->caphist) {
    int cap = t->caphist ? 2 * t->caphist : 16;
    tl_epoch_stats *h = realloc(t->hist, sizeof *h * cap);
    if (h) {
      t->hist = h;
      t->caphist = cap;
    }
  }
  if (t->nhist < t->caphist) {
    tl_epoch_stats *e = &t->hist[t->nhist++];
    e->train_loss = t->ep_seen ? t->ep_loss / t->ep_seen : 0;
    e->train_acc = t->ep_seen ? (double)t->ep_correct / t->ep_seen : 0;
    e->test_loss = test_loss;
    e->test_acc = test_acc;
    e->seconds = t->ep_seconds;
  }
  t->total_seconds += t->ep_seconds;
  t->epoch++;
  t->step_in_epoch = 0;
  t->ep_loss = 0;
  t->ep_correct = t->ep_seen = 0;
  t->ep_seconds = 0;
}

/* SPDX-License-Identifier: Apache-2.0
 * A fork-join thread pool for tl_kparallel: workers are started once (at allocate) and wait on a
 * condition variable; a job splits [0, n) into one contiguous chunk per thread, the caller taking
 * chunk 0. Built without pthreads (TL_NO_THREADS, e.g. wasm or MCU) it runs everything inline. */
#include <stdlib.h>

#include "interp_impl.h"

#ifndef TL_NO_THREADS
#include <pthread.h>

struct tl_threadpool {
  int n;                 /* threads including the caller */
  pthread_t *workers;
  pthread_mutex_t mu;
  pthread_cond_t go, done;
  uint64_t generation;   /* bumped per job */
  int pending;           /* workers still running the current job */
  int quit;
  int64_t count;
  tl_task_fn fn;
  void *arg;
};

typedef struct {
  tl_threadpool *p;
  int id;
} worker_arg;

static void run_chunk(tl_threadpool *p, int id) {
  int64_t per = p->count / p->n, rem = p->count % p->n;
  int64_t b = id * per + (id < rem ? id : rem), e = b + per + (id < rem);
  if (b < e) p->fn(p->arg, b, e, id);
}

static void *worker(void *a) {
  worker_arg *wa = a;
  tl_threadpool *p = wa->p;
  int id = wa->id;
  free(wa);
  uint64_t seen = 0;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (!p->quit && p->generation == seen) pthread_cond_wait(&p->go, &p->mu);
    if (p->quit) break;
    seen = p->generation;
    pthread_mutex_unlock(&p->mu);
    run_chunk(p, id);
    pthread_mutex_lock(&p->mu);
    if (--p->pending == 0) pthread_cond_signal(&p->done);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

tl_threadpool *tl_threadpool_new(int threads) {
  if (threads < 2) threads = 2;
  if (threads > 64) threads = 64;
  tl_threadpool *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->workers = calloc((size_t)threads, sizeof *p->workers);
  if (!p->workers) {
    free(p);
    return NULL;
  }
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->go, NULL);
  pthread_cond_init(&p->done, NULL);
  p->n = 1;
  for (int i = 1; i < threads; i++) {
    worker_arg *wa = malloc(sizeof *wa);
    if (!wa) break;
    wa->p = p;
    wa->id = i;
    if (pthread_create(&p->workers[i], NULL, worker, wa) != 0) {
      free(wa);
      break;
    }
    p->n++;
  }
  if (p->n < 2) {
    tl_threadpool_free(p);
    return NULL;
  }
  return p;
}

void tl_threadpool_free(tl_threadpool *p) {
  if (!p) return;
  pthread_mutex_lock(&p->mu);
  p->quit = 1;
  pthread_cond_broadcast(&p->go);
  pthread_mutex_unlock(&p->mu);
  for (int i = 1; i < p->n; i++) pthread_join(p->workers[i], NULL);
  pthread_mutex_destroy(&p->mu);
  pthread_cond_destroy(&p->go);
  pthread_cond_destroy(&p->done);
  free(p->workers);
  free(p);
}

int tl_threadpool_size(const tl_threadpool *p) { return p->n; }

void tl_threadpool_run(tl_threadpool *p, int64_t n, tl_task_fn fn, void *arg) {
  pthread_mutex_lock(&p->mu);
  p->count = n;
  p->fn = fn;
  p->arg = arg;
  p->pending = p->n - 1;
  p->generation++;
  pthread_cond_broadcast(&p->go);
  pthread_mutex_unlock(&p->mu);
  run_chunk(p, 0);
  pthread_mutex_lock(&p->mu);
  while (p->pending > 0) pthread_cond_wait(&p->done, &p->mu);
  pthread_mutex_unlock(&p->mu);
}

#else

tl_threadpool *tl_threadpool_new(int threads) { (void)threads; return NULL; }
void tl_threadpool_free(tl_threadpool *p) { (void)p; }
int tl_threadpool_size(const tl_threadpool *p) { (void)p; return 1; }
void tl_threadpool_run(tl_threadpool *p, int64_t n, tl_task_fn fn, void *arg) { (void)p; fn(arg, 0, n, 0); }

#endif

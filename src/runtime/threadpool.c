/* SPDX-License-Identifier: Apache-2.0
 * A fork-join thread pool for tl_kparallel: workers are started once (at allocate), spin briefly on
 * a job counter and then wait on a condition variable; a job splits [0, n) into one contiguous chunk
 * per thread, the caller taking chunk 0. Built without pthreads (TL_NO_THREADS, e.g. wasm or MCU) it
 * runs everything inline. */
#include <stdlib.h>

#include "interp_impl.h"

#ifndef TL_NO_THREADS
#include <pthread.h>
#include <stdatomic.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

/* Waiting threads spin up to SPIN_NS on the job counter before sleeping on the condition variable:
 * a batch-1 inference runs a parallel region every few tens of microseconds, and a futex wake-up
 * costs as much as the region itself (pthreadpool spins the same way). Kept short so that an idle
 * pool does not take CPU time from other processes. */
#define SPIN_NS 30000
#include <time.h>

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Spins until *v differs from `old` (generation) or SPIN_NS pass; returns the last value read. */
static uint64_t spin_changed(atomic_uint_fast64_t *v, uint64_t old) {
  uint64_t g = atomic_load_explicit(v, memory_order_acquire);
  const int64_t t0 = now_ns();
  for (int i = 1; g == old; i++) {
    CPU_RELAX();
    g = atomic_load_explicit(v, memory_order_acquire);
    if ((i & 31) == 0 && now_ns() - t0 > SPIN_NS) break;
  }
  return g;
}

/* Spins until *v is 0 or SPIN_NS pass. */
static void spin_zero(atomic_int *v) {
  const int64_t t0 = now_ns();
  for (int i = 1; atomic_load_explicit(v, memory_order_acquire) > 0; i++) {
    CPU_RELAX();
    if ((i & 31) == 0 && now_ns() - t0 > SPIN_NS) break;
  }
}

struct tl_threadpool {
  int n;                 /* threads including the caller */
  pthread_t *workers;
  pthread_mutex_t mu;
  pthread_cond_t go, done;
  atomic_uint_fast64_t generation; /* bumped per job (release: the job's fields are visible) */
  atomic_int pending;    /* workers still running the current job */
  atomic_int sleepers;   /* workers waiting on `go` (changed under mu) */
  atomic_int_fast64_t next; /* next chunk to take: chunks are handed out dynamically, so a thread
                             * the OS preempts holds up one small chunk, not a whole share */
  int64_t chunks;
  int quit;
  int64_t count;
  tl_task_fn fn;
  void *arg;
};

typedef struct {
  tl_threadpool *p;
  int id;
} worker_arg;

static void run_chunks(tl_threadpool *p, int id) {
  const int64_t per = p->count / p->chunks, rem = p->count % p->chunks;
  for (;;) {
    const int64_t c = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
    if (c >= p->chunks) break;
    const int64_t b = c * per + (c < rem ? c : rem), e = b + per + (c < rem);
    if (b < e) p->fn(p->arg, b, e, id);
  }
}

static void *worker(void *a) {
  worker_arg *wa = a;
  tl_threadpool *p = wa->p;
  int id = wa->id;
  free(wa);
  uint64_t seen = 0;
  for (;;) {
    uint64_t g = spin_changed(&p->generation, seen);
    if (g == seen) {
      pthread_mutex_lock(&p->mu);
      atomic_fetch_add(&p->sleepers, 1);
      while (!p->quit && (g = atomic_load(&p->generation)) == seen) pthread_cond_wait(&p->go, &p->mu);
      atomic_fetch_sub(&p->sleepers, 1);
      const int quit = p->quit;
      pthread_mutex_unlock(&p->mu);
      if (quit) break;
    }
    seen = g;
    run_chunks(p, id);
    if (atomic_fetch_sub_explicit(&p->pending, 1, memory_order_acq_rel) == 1) {
      pthread_mutex_lock(&p->mu); /* the caller may be asleep on `done` */
      pthread_cond_signal(&p->done);
      pthread_mutex_unlock(&p->mu);
    }
  }
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
  atomic_init(&p->generation, 0);
  atomic_init(&p->pending, 0);
  atomic_init(&p->sleepers, 0);
  atomic_init(&p->next, 0);
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
  /* a spinning worker sees no new job, falls through to the mutex and finds quit */
  for (int i = 1; i < p->n; i++) pthread_join(p->workers[i], NULL);
  pthread_mutex_destroy(&p->mu);
  pthread_cond_destroy(&p->go);
  pthread_cond_destroy(&p->done);
  free(p->workers);
  free(p);
}

int tl_threadpool_size(const tl_threadpool *p) { return p->n; }

void tl_threadpool_run(tl_threadpool *p, int64_t n, tl_task_fn fn, void *arg) {
  p->count = n;
  p->fn = fn;
  p->arg = arg;
  /* four chunks per thread: small enough to rebalance, few enough to keep per-chunk overhead low */
  p->chunks = n < 4 * (int64_t)p->n ? n : 4 * (int64_t)p->n;
  atomic_store_explicit(&p->next, 0, memory_order_relaxed);
  atomic_store_explicit(&p->pending, p->n - 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&p->generation, 1, memory_order_seq_cst); /* publishes the fields above */
  if (atomic_load(&p->sleepers) > 0) {
    pthread_mutex_lock(&p->mu);
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
  }
  run_chunks(p, 0);
  spin_zero(&p->pending);
  if (atomic_load_explicit(&p->pending, memory_order_acquire) > 0) {
    pthread_mutex_lock(&p->mu);
    while (atomic_load_explicit(&p->pending, memory_order_acquire) > 0) pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
  }
}

#else

tl_threadpool *tl_threadpool_new(int threads) { (void)threads; return NULL; }
void tl_threadpool_free(tl_threadpool *p) { (void)p; }
int tl_threadpool_size(const tl_threadpool *p) { (void)p; return 1; }
void tl_threadpool_run(tl_threadpool *p, int64_t n, tl_task_fn fn, void *arg) { (void)p; fn(arg, 0, n, 0); }

#endif

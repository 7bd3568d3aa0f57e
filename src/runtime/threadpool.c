/* SPDX-License-Identifier: Apache-2.0
 * A fork-join thread pool for tl_kparallel: workers start once (at allocate), spin briefly and then
 * sleep between jobs; a job's [0, n) goes out in chunks claimed by whichever thread comes first, the
 * caller included. Built without pthreads (TL_NO_THREADS: wasm, MCU) it runs everything inline. */
#include <stdlib.h>
#include <time.h>

#include "interp_impl.h"

#ifndef TL_NO_THREADS
#include <pthread.h>
#include <stdatomic.h>

#include "../kernels/simd/cpu_relax.h"

/* Waiting threads spin up to SPIN_NS on the job counter before sleeping on the condition variable:
 * a batch-1 inference runs a parallel region every few tens of microseconds, and a futex wake-up
 * costs as much as the region itself (pthreadpool spins the same way). Kept short so that an idle
 * pool does not take CPU time from other processes. */
#define SPIN_NS 30000

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
    tl_cpu_relax();
    g = atomic_load_explicit(v, memory_order_acquire);
    if ((i & 31) == 0 && now_ns() - t0 > SPIN_NS) break;
  }
  return g;
}

/* Spins until *v reaches `target` or SPIN_NS pass. */
static void spin_done(atomic_int_fast64_t *v, int64_t target) {
  const int64_t t0 = now_ns();
  for (int i = 1; atomic_load_explicit(v, memory_order_acquire) < target; i++) {
    tl_cpu_relax();
    if ((i & 31) == 0 && now_ns() - t0 > SPIN_NS) break;
  }
}

/* A job is handed out in chunks through one atomic ticket, (generation << 32) | (chunks << 16) | next
 * chunk: a thread claims a chunk with a compare-and-swap that also proves the job is still the
 * current one, so a worker that wakes late (or is preempted) can neither run a stale job nor hold up
 * the caller, which waits only for the chunks to be done, not for every worker to show up. Job
 * descriptions alternate between two slots; a slot is rewritten only two jobs later, after every
 * claimed chunk of its job has finished. */
typedef struct {
  tl_task_fn fn;
  void *arg;
  int64_t count, chunks;
} job_t;

struct tl_threadpool {
  int n;                 /* threads including the caller */
  pthread_t *workers;
  pthread_mutex_t mu;
  pthread_cond_t go, done_cv;
  atomic_uint_fast64_t generation; /* bumped per job: what idle workers watch */
  atomic_uint_fast64_t ticket;
  atomic_int_fast64_t done;        /* chunks of the current job finished */
  atomic_int sleepers;   /* workers waiting on `go` (changed under mu) */
  atomic_int caller_waiting;
  int quit;
  uint64_t gen;          /* the caller's job counter */
  job_t job[2];
};

typedef struct {
  tl_threadpool *p;
  int id;
} worker_arg;

/* Runs chunks of job `gen` until none is left (or a newer job replaced it). */
static void run_chunks(tl_threadpool *p, uint64_t gen, int id) {
  for (;;) {
    uint_fast64_t t = atomic_load_explicit(&p->ticket, memory_order_acquire);
    int64_t c;
    for (;;) {
      if ((t >> 32) != (gen & 0xFFFFFFFFu)) return;
      c = (int64_t)(t & 0xFFFF);
      if (c >= (int64_t)((t >> 16) & 0xFFFF)) return;
      if (atomic_compare_exchange_weak_explicit(&p->ticket, &t, t + 1, memory_order_acq_rel, memory_order_acquire))
        break;
    }
    const job_t *j = &p->job[gen & 1];
    const int64_t chunks = j->chunks, per = j->count / chunks, rem = j->count % chunks;
    const int64_t b = c * per + (c < rem ? c : rem), e = b + per + (c < rem);
    if (b < e) j->fn(j->arg, b, e, id);
    /* after this increment the job may be over and its slot reused: nothing of j is read past it */
    if (atomic_fetch_add(&p->done, 1) + 1 == chunks && /* seq_cst: pairs with caller_waiting */
        atomic_load(&p->caller_waiting)) {
      pthread_mutex_lock(&p->mu);
      pthread_cond_signal(&p->done_cv);
      pthread_mutex_unlock(&p->mu);
    }
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
    run_chunks(p, g, id);
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
  pthread_cond_init(&p->done_cv, NULL);
  atomic_init(&p->generation, 0);
  atomic_init(&p->ticket, 0);
  atomic_init(&p->done, 0);
  atomic_init(&p->sleepers, 0);
  atomic_init(&p->caller_waiting, 0);
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
  pthread_cond_destroy(&p->done_cv);
  free(p->workers);
  free(p);
}

int tl_threadpool_size(const tl_threadpool *p) { return p->n; }

void tl_threadpool_run(tl_threadpool *p, int64_t n, tl_task_fn fn, void *arg) {
  /* four chunks per thread: small enough to rebalance, few enough to keep per-chunk overhead low
   * (and below the ticket's 16-bit fields) */
  const int64_t chunks = n < 4 * (int64_t)p->n ? n : 4 * (int64_t)p->n;
  const uint64_t gen = ++p->gen;
  job_t *j = &p->job[gen & 1];
  j->fn = fn, j->arg = arg, j->count = n, j->chunks = chunks;
  atomic_store_explicit(&p->done, 0, memory_order_relaxed);
  atomic_store_explicit(&p->ticket, ((gen & 0xFFFFFFFFu) << 32) | ((uint64_t)chunks << 16), memory_order_release);
  atomic_store_explicit(&p->generation, gen, memory_order_seq_cst);
  if (atomic_load(&p->sleepers) > 0) {
    pthread_mutex_lock(&p->mu);
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
  }
  run_chunks(p, gen, 0);
  spin_done(&p->done, chunks);
  if (atomic_load_explicit(&p->done, memory_order_acquire) < chunks) {
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->caller_waiting, 1);
    while (atomic_load(&p->done) < chunks) pthread_cond_wait(&p->done_cv, &p->mu);
    atomic_store(&p->caller_waiting, 0);
    pthread_mutex_unlock(&p->mu);
  }
}

#else

tl_threadpool *tl_threadpool_new(int threads) { (void)threads; return NULL; }
void tl_threadpool_free(tl_threadpool *p) { (void)p; }
int tl_threadpool_size(const tl_threadpool *p) { (void)p; return 1; }
void tl_threadpool_run(tl_threadpool *p, int64_t n, tl_task_fn fn, void *arg) { (void)p; fn(arg, 0, n, 0); }

#endif

/* SPDX-License-Identifier: Apache-2.0
 * Internal state of tl_trainer, shared by trainer.c (training loop, thread pool) and
 * checkpoint.c (serialisation). Not part of the library's interface. */
#ifndef TL_TRAIN_TRAINER_INTERNAL_H
#define TL_TRAIN_TRAINER_INTERNAL_H

#include <pthread.h>

#include "train.h"

struct tl_trainer {
  tl_train_config cfg;
  tl_net *net;
  int nthreads;
  tl_ws **ws;
  uint8_t **labels;  /* per thread, nmax labels */
  float *m, *v;      /* optimizer state (Adam moments / SGD velocity in m) */
  int64_t step;      /* optimizer steps done (Adam's t) */
  int epoch;         /* completed epochs */
  int step_in_epoch; /* steps done in the current epoch */
  double ep_loss;    /* summed loss over the current epoch's samples so far */
  int64_t ep_correct, ep_seen;
  double ep_seconds; /* training time spent in the current epoch (across resumes) */
  double total_seconds;
  tl_epoch_stats *hist;
  int nhist, caphist;
  /* permutation of the current epoch */
  int32_t *perm;
  int perm_epoch, perm_n;
  /* thread pool */
  pthread_t *threads;
  pthread_mutex_t mu;
  pthread_cond_t cv_start, cv_done;
  pthread_barrier_t barrier;
  int pool_ok, gen, pending, quit;
  tl_sync sync;
  /* current job */
  int job; /* 0 train step, 1 eval */
  const tl_mnist *data;
  int job_n;         /* samples in this batch */
  int64_t job_first; /* train: position of the batch in the epoch permutation; eval: first index */
  double job_lr;
  double *th_loss;
  int *th_correct;
};

#define TL_CKPT_MAGIC "TLCKPT\x01\x00"
#define TL_CKPT_VERSION 1u

/* (Re)builds per-thread workspaces and the pool for t->net and nthreads. */
int tl_trainer_setup_threads(tl_trainer *t, int threads, char *err, size_t errlen);

#endif

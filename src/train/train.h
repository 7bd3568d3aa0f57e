/* SPDX-License-Identifier: Apache-2.0
 * The tinylite training library (tinylite_train): a trainer that runs shuffled mini-batch
 * training of a tl_net on MNIST-shaped data with Adam or SGD+momentum, an LR schedule, threads
 * with deterministic gradient reduction, checkpoints that resume bit-exactly, and SVG plots. */
#ifndef TL_TRAIN_TRAIN_H
#define TL_TRAIN_TRAIN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "data/mnist.h"
#include "net.h"

typedef enum { TL_OPT_ADAM = 0, TL_OPT_SGD = 1 } tl_opt_kind;
typedef enum { TL_SCHED_CONST = 0, TL_SCHED_COSINE = 1, TL_SCHED_STEP = 2 } tl_sched_kind;

typedef struct {
  char net[1024];           /* name or description (tl_net_new) */
  int epochs;               /* default 12 */
  int batch;                /* default 32 */
  double lr;                /* peak learning rate, default 2e-3 (Keras Adam's default is 1e-3) */
  uint64_t seed;            /* default 1 */
  tl_opt_kind opt;          /* default Adam */
  double beta1, beta2, eps; /* Adam, Keras defaults 0.9, 0.999, 1e-7 */
  double momentum;          /* SGD, default 0.9 */
  tl_sched_kind sched;      /* default cosine */
  double lr_min;            /* cosine floor as a fraction of lr (default 0) */
  double step_gamma;        /* step schedule: lr *= gamma every step_every epochs */
  int step_every;
  int warmup_epochs; /* linear warm-up (default 1) */
  int augment;       /* random shifts/rotations of training images (default on) */
  float aug_shift;   /* max shift in pixels (default 2) */
  float aug_rot;     /* max rotation in degrees (default 10) */
  int train_limit;   /* use only the first N training images (0 = all) */
} tl_train_config;

/* Fills the defaults listed above. */
void tl_train_config_default(tl_train_config *c);

typedef struct {
  double train_loss, train_acc, test_loss, test_acc, seconds;
} tl_epoch_stats;

typedef struct {
  int epoch, epochs;       /* 0-based current epoch */
  int step, steps;         /* steps done in this epoch, steps per epoch */
  double loss, acc;        /* running mean over this epoch */
  double img_per_s, eta_s; /* throughput of this epoch so far, time left for the run */
  double lr;
} tl_progress;

typedef void (*tl_progress_fn)(void *user, const tl_progress *p);

typedef struct tl_trainer tl_trainer;

/* Creates a trainer with a freshly initialised network. threads >= 1 (the thread count changes
 * the summation order of gradients, so bit-identical results need the same count).
 * Returns 0, or non-zero with a message in err. */
int tl_trainer_new(const tl_train_config *cfg, int threads, tl_trainer **out, char *err, size_t errlen);

/* Restores a trainer from a checkpoint written by tl_trainer_save: configuration, weights,
 * optimizer state, position (epoch/step) and history. Training continues exactly where it
 * stopped (bit-identical for the same thread count). */
int tl_trainer_load(const char *path, int threads, tl_trainer **out, char *err, size_t errlen);

void tl_trainer_free(tl_trainer *t);

/* Configuration in use (a resumed trainer reports the checkpoint's); epochs may be changed
 * with tl_trainer_set_epochs (it also stretches the LR schedule). */
const tl_train_config *tl_trainer_config(const tl_trainer *t);
void tl_trainer_set_epochs(tl_trainer *t, int epochs);
tl_net *tl_trainer_net(tl_trainer *t);
int tl_trainer_epoch(const tl_trainer *t);                                /* completed epochs */
int tl_trainer_step_in_epoch(const tl_trainer *t);                        /* steps done in the current epoch */
int tl_trainer_history(const tl_trainer *t, const tl_epoch_stats **hist); /* returns count */
int tl_trainer_done(const tl_trainer *t);                                 /* epoch >= epochs */

/* Trains until the end of the current epoch, or until *stop becomes non-zero (checked after
 * every step; then returns 1 with the position saved in the trainer). Returns 0 at the end of
 * the epoch (the epoch's stats are appended to the history once tl_trainer_end_epoch runs),
 * or -1 with a message on error. progress may be NULL; it is called after every step. */
int tl_trainer_run_epoch(tl_trainer *t, const tl_mnist *train, volatile sig_atomic_t *stop, tl_progress_fn progress,
                         void *user, char *err, size_t errlen);

/* Evaluates on a data set (no dropout, BN running stats): mean loss and accuracy in [0,1].
 * limit > 0 uses only the first limit images. */
int tl_trainer_evaluate(tl_trainer *t, const tl_mnist *data, int limit, double *loss, double *acc, char *err,
                        size_t errlen);

/* Closes the epoch that tl_trainer_run_epoch finished: records test metrics in the history
 * and advances the epoch counter. */
void tl_trainer_end_epoch(tl_trainer *t, double test_loss, double test_acc);

/* Writes a checkpoint atomically (temp file, fsync, rename, fsync of the directory). */
int tl_trainer_save(const tl_trainer *t, const char *path, char *err, size_t errlen);

/* Learning rate at a global step under the trainer's schedule. */
double tl_trainer_lr_at(const tl_trainer *t, int64_t step);

/* Loads just the network (weights) of a checkpoint, for evaluation or export. */
int tl_checkpoint_load_net(const char *path, tl_net **out, char *err, size_t errlen);

/* Writes an SVG with loss and accuracy per epoch (train and test). */
int tl_train_plot_svg(const char *path, const tl_epoch_stats *hist, int n, const char *title, char *err, size_t errlen);

/* Exports a trained network as a .tflite file (float32), in the graph TF's converter emits for
 * the equivalent Keras model. Returns 0, or non-zero with a message (e.g. unsupported layer). */
int tl_train_export_tflite(const tl_net *net, const char *path, char *err, size_t errlen);

/* Augments one 28x28-like image (H x W floats in [0,1]): rotation by up to rot degrees and
 * shift by up to shift pixels, bilinear, drawn from the 64-bit key. */
void tl_augment_image(const float *src, float *dst, int h, int w, float shift, float rot, uint64_t key);

#endif

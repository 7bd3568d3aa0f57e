/* SPDX-License-Identifier: Apache-2.0
 * Training networks: layer descriptions with shape inference, the flat parameter vector, and
 * the per-thread workspace that forward/backward passes run in. Forward and backward of each
 * layer live side by side in layers.c; net.c parses descriptions and sizes everything. */
#ifndef TL_TRAIN_NET_H
#define TL_TRAIN_NET_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
  TL_LAYER_RESHAPE = 0,
  TL_LAYER_CONV2D,
  TL_LAYER_MAXPOOL2D,
  TL_LAYER_AVGPOOL2D,
  TL_LAYER_DROPOUT,
  TL_LAYER_FLATTEN,
  TL_LAYER_DENSE,
  TL_LAYER_RELU,
  TL_LAYER_BATCHNORM,
} tl_layer_kind;

typedef struct {
  int h, w, c;
} tl_shape3; /* per-sample NHWC shape; a vector is 1 x 1 x n */

typedef struct {
  tl_layer_kind kind;
  tl_shape3 in, out;
  int units;           /* conv filters / dense units */
  int kh, kw, sh, sw;  /* conv kernel / pool window, strides */
  int same;            /* SAME padding (else VALID) */
  int pad_t, pad_l;    /* derived from SAME like TF: total pad split, extra at bottom/right */
  int relu;            /* fused ReLU on conv/dense */
  int bias;            /* conv/dense have a bias */
  float rate;          /* dropout rate */
  float momentum, eps; /* batchnorm (Keras defaults 0.99, 1e-3) */
  size_t w, nw;        /* weights (conv HWIO [kh][kw][cin][cout], dense [in][out]; BN gamma) */
  size_t b, nb;        /* bias (BN beta) */
  size_t st;           /* BN: offset of running mean (then var) in net->state */
  int alias;           /* reshape/flatten: output shares the input buffer */
  int need_dx;         /* some earlier layer needs the gradient of this layer's input */
} tl_layer;

typedef struct tl_net {
  int nlayers;
  tl_layer *layers;
  tl_shape3 input;
  size_t nparams;
  float *params;
  size_t nstate; /* non-trainable state (BN running statistics) */
  float *state;
  char desc[1024]; /* canonical text description, round-trips through tl_net_new */
} tl_net;

/* Description of a named network ("tutorial", "small", "mlp", "lenet", "bn"), or NULL. */
const char *tl_net_named(const char *name);

/* Builds a network from a name or a text description, e.g.
 *   "conv:32:3:relu,conv:64:3:relu,maxpool:2,dropout:0.25,flatten,dense:10"
 * Tokens (comma separated, options after colons in any order):
 *   input:H:W:C (optional, first; default 28:28:1; the network takes H*W*C floats and starts with
 *   a Reshape like the Keras tutorial), conv:FILTERS:K[xK2][:sS][:same|valid][:relu][:nobias],
 *   maxpool:K[:sS][:same], avgpool:K[:sS][:same], dropout:RATE, flatten, dense:UNITS[:relu][:nobias],
 *   relu, bn. The last layer's outputs are the logits of the softmax cross-entropy loss.
 * Parameters are allocated zeroed; call tl_net_init. Returns 0, or non-zero with a message. */
int tl_net_new(const char *name_or_desc, tl_net **out, char *err, size_t errlen);
void tl_net_free(tl_net *net);

/* Keras defaults: Glorot-uniform kernels, zero biases, BN gamma 1 beta 0, running var 1. */
void tl_net_init(tl_net *net, uint64_t seed);

/* Per-sample float count of a shape. */
static inline size_t tl_shape_size(tl_shape3 s) { return (size_t)s.h * s.w * s.c; }

/* Number of classes (size of the last layer's output). */
int tl_net_classes(const tl_net *net);

/* One line per layer ("conv2d 26x26x32 relu 320 params"), written into buf. */
void tl_net_summary(const tl_net *net, char *buf, size_t len);

/* Synchronisation for batch statistics (BatchNorm) when a batch is split across threads. */
typedef struct tl_sync {
  int nthreads;
  int batch;    /* samples in the whole batch, over all threads */
  double *part; /* [nbn][2 phases][nthreads][2*maxc] partial sums */
  size_t maxc;
  void (*barrier)(struct tl_sync *s); /* NULL when nthreads == 1 */
  void *pool;
} tl_sync;

/* Per-thread workspace: activations and gradients for up to nmax samples, scratch, gradients. */
typedef struct tl_ws {
  tl_net *net;
  int nmax, tid;
  float *x;   /* input, nmax * input size */
  float **y;  /* y[l]: output of layer l */
  float **dy; /* dy[l]: gradient of the loss w.r.t. y[l] */
  void **aux; /* per layer: maxpool argmax (int32), dropout mask, BN xhat/invstd */
  float *col; /* im2col / col2im scratch */
  size_t ncol;
  const float **ind; /* row pointers of indirect convolutions (tl_sgemm_indirect) */
  float *gemm;       /* tl_sgemm pack buffers */
  float *grads;      /* gradient of the loss w.r.t. net->params (accumulated) */
  float *probs;      /* softmax outputs, nmax * classes */
  tl_sync *sync;     /* may be NULL: single thread */
  /* randomness of this call: dropout masks depend on (seed, epoch, global sample index) */
  uint64_t seed, epoch, sample0;
  int train; /* mode of the last forward pass (backward of BN depends on it) */
} tl_ws;

/* The training library's one error helper: printf into err (errlen bytes; err may be NULL). */
void tl_train_set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

tl_ws *tl_ws_new(tl_net *net, int nmax);
void tl_ws_free(tl_ws *ws);

/* Forward pass over n samples in ws->x. train: dropout active, BN uses batch statistics. */
void tl_net_forward(tl_ws *ws, int n, int train);

/* Softmax cross-entropy on the last layer's output against labels; writes ws->probs, the
 * gradient (p - onehot) * scale into dy of the last layer, returns the summed loss and the
 * number of correct argmax predictions in *correct. labels may be NULL (no loss, no grad). */
double tl_net_loss(tl_ws *ws, int n, const uint8_t *labels, float scale, int *correct);

/* Backward pass: accumulates parameter gradients into ws->grads (not zeroed here). */
void tl_net_backward(tl_ws *ws, int n);

/* single layers, for gradient checks: in/out/din/dout follow the ws buffers of layer l */
void tl_layer_forward(tl_ws *ws, int l, int n, int train);
void tl_layer_backward(tl_ws *ws, int l, int n);

#endif

/* SPDX-License-Identifier: Apache-2.0
 * TensorFlow Lite's signature runners on tinylite: each runner is an interpreter of its own over the
 * signature's subgraph (tl_interp_options.subgraph), addressed by the signature's input and output
 * names. */
#include <stdlib.h>
#include <string.h>

#include "tensorflow/lite/c/c_api_experimental.h"
#include "tflite_c_api_impl.h"

struct TfLiteSignatureRunner {
  const tl_model *m;
  int sig, subgraph;
  tl_interp *ip;
};

int32_t TfLiteInterpreterGetSignatureCount(const TfLiteInterpreter *it) {
  if (!it) return 0;
  tl_model_info mi;
  tl_model_get_info(it->model->m, &mi);
  return mi.num_signatures;
}

const char *TfLiteInterpreterGetSignatureKey(const TfLiteInterpreter *it, int32_t i) {
  const char *key = NULL;
  if (!it || tl_model_signature(it->model->m, i, &key, NULL, NULL, NULL) != TL_OK) return NULL;
  return key;
}

const char *TfLiteInterpreterGetSignatureName(const TfLiteInterpreter *it, int32_t i) {
  return TfLiteInterpreterGetSignatureKey(it, i);
}

TfLiteSignatureRunner *TfLiteInterpreterGetSignatureRunner(const TfLiteInterpreter *it, const char *key) {
  if (!it || !key) return NULL;
  const tl_model *m = it->model->m;
  for (int i = 0; i < TfLiteInterpreterGetSignatureCount(it); i++) {
    const char *k;
    int sg;
    if (tl_model_signature(m, i, &k, &sg, NULL, NULL) != TL_OK || strcmp(k, key)) continue;
    TfLiteSignatureRunner *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    tl_interp_options o = {.num_threads = it->opt.threads > 0 ? it->opt.threads : 1, .preserve_inputs = 1, .subgraph = sg};
    if (tl_interp_new(m, &o, &r->ip) != TL_OK) {
      free(r);
      return NULL;
    }
    r->m = m, r->sig = i, r->subgraph = sg;
    return r;
  }
  return NULL;
}

static size_t io_count(const TfLiteSignatureRunner *r, int output) {
  int n_in = 0, n_out = 0;
  if (!r || tl_model_signature(r->m, r->sig, NULL, NULL, &n_in, &n_out) != TL_OK) return 0;
  return (size_t)(output ? n_out : n_in);
}

static const char *io_name(const TfLiteSignatureRunner *r, int output, int32_t i) {
  const char *name = NULL;
  if (!r || tl_model_signature_io(r->m, r->sig, output, i, &name, NULL) != TL_OK) return NULL;
  return name;
}

size_t TfLiteSignatureRunnerGetInputCount(const TfLiteSignatureRunner *r) { return io_count(r, 0); }
size_t TfLiteSignatureRunnerGetOutputCount(const TfLiteSignatureRunner *r) { return io_count(r, 1); }
const char *TfLiteSignatureRunnerGetInputName(const TfLiteSignatureRunner *r, int32_t i) { return io_name(r, 0, i); }
const char *TfLiteSignatureRunnerGetOutputName(const TfLiteSignatureRunner *r, int32_t i) { return io_name(r, 1, i); }

TfLiteStatus TfLiteSignatureRunnerResizeInputTensor(TfLiteSignatureRunner *r, const char *name, const int *dims,
                                                    int32_t ndim) {
  if (!r || !name || ndim < 0 || ndim > TL_MAX_DIMS) return kTfLiteError;
  /* the signature names a tensor of the subgraph; resize takes its position among the inputs */
  for (size_t j = 0; j < io_count(r, 0); j++) {
    const char *n;
    int tensor;
    if (tl_model_signature_io(r->m, r->sig, 0, (int)j, &n, &tensor) != TL_OK || strcmp(n, name)) continue;
    for (int k = 0; k < tl_interp_input_count(r->ip); k++) {
      if (tl_model_io(r->m, r->subgraph, 0, k) != tensor) continue;
      int32_t d[TL_MAX_DIMS];
      for (int q = 0; q < ndim; q++) d[q] = dims[q];
      return tl_interp_resize_input(r->ip, k, ndim, d) == TL_OK ? kTfLiteOk : kTfLiteError;
    }
  }
  return kTfLiteError;
}

TfLiteStatus TfLiteSignatureRunnerAllocateTensors(TfLiteSignatureRunner *r) {
  return r && tl_interp_allocate(r->ip) == TL_OK ? kTfLiteOk : kTfLiteError;
}

TfLiteStatus TfLiteSignatureRunnerInvoke(TfLiteSignatureRunner *r) {
  return r && tl_interp_invoke(r->ip) == TL_OK ? kTfLiteOk : kTfLiteError;
}

TfLiteTensor *TfLiteSignatureRunnerGetInputTensor(TfLiteSignatureRunner *r, const char *name) {
  return r ? (TfLiteTensor *)tl_interp_input_by_name(r->ip, name) : NULL;
}

const TfLiteTensor *TfLiteSignatureRunnerGetOutputTensor(const TfLiteSignatureRunner *r, const char *name) {
  return r ? (const TfLiteTensor *)tl_interp_output_by_name(r->ip, name) : NULL;
}

void TfLiteSignatureRunnerDelete(TfLiteSignatureRunner *r) {
  if (!r) return;
  tl_interp_free(r->ip);
  free(r);
}

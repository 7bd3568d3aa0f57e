/* SPDX-License-Identifier: Apache-2.0
 * TensorFlow Lite's C API on top of tinylite's own API: thin wrappers that map names, enum values
 * (TfLiteType differs from the file's TensorType) and ownership rules. */
#include <stdio.h>
#include <stdlib.h>

#include "tensorflow/lite/c/c_api.h"
#include "tensorflow/lite/c/common.h"
#include "tflite_c_api_impl.h"

static void report(const struct TfLiteInterpreterOptions *o, const char *fmt, ...) {
  if (!o || !o->reporter) return; /* the library never writes to stderr on its own */
  va_list ap;
  va_start(ap, fmt);
  o->reporter(o->user_data, fmt, ap);
  va_end(ap);
}

const char *TfLiteVersion(void) { return "2.9.0-tinylite"; }

TfLiteModel *TfLiteModelCreate(const void *model_data, size_t model_size) {
  TfLiteModel *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  if (tl_model_from_memory(model_data, model_size, &m->m, NULL, 0) != TL_OK) {
    free(m);
    return NULL;
  }
  return m;
}

TfLiteModel *TfLiteModelCreateFromFile(const char *model_path) {
  TfLiteModel *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  if (tl_model_open(model_path, &m->m, NULL, 0) != TL_OK) {
    free(m);
    return NULL;
  }
  return m;
}

void TfLiteModelDelete(TfLiteModel *model) {
  if (!model) return;
  tl_model_close(model->m);
  free(model);
}

TfLiteInterpreterOptions *TfLiteInterpreterOptionsCreate(void) { return calloc(1, sizeof(TfLiteInterpreterOptions)); }
void TfLiteInterpreterOptionsDelete(TfLiteInterpreterOptions *options) { free(options); }
void TfLiteInterpreterOptionsSetNumThreads(TfLiteInterpreterOptions *options, int32_t num_threads) {
  if (options) options->threads = num_threads;
}
void TfLiteInterpreterOptionsAddDelegate(TfLiteInterpreterOptions *options, TfLiteDelegate *delegate) {
  if (options && delegate) options->delegates++; /* reported when an interpreter is created */
}
void TfLiteInterpreterOptionsSetErrorReporter(TfLiteInterpreterOptions *options,
                                              void (*reporter)(void *user_data, const char *format, va_list args),
                                              void *user_data) {
  if (!options) return;
  options->reporter = reporter;
  options->user_data = user_data;
}

TfLiteInterpreter *TfLiteInterpreterCreate(const TfLiteModel *model, const TfLiteInterpreterOptions *optional_options) {
  if (!model) return NULL;
  TfLiteInterpreter *it = calloc(1, sizeof *it);
  if (!it) return NULL;
  if (optional_options) it->opt = *optional_options;
  it->model = (TfLiteModel *)model;
  if (it->opt.delegates)
    report(&it->opt, "tinylite: %d delegate(s) accepted but not applied: tinylite runs the graph with its own kernels",
           (int)it->opt.delegates);
  /* TensorFlow Lite never overwrites graph inputs during invoke; programs may rely on it. */
  tl_interp_options o = {.num_threads = it->opt.threads > 0 ? it->opt.threads : 1, .preserve_inputs = 1};
  if (tl_interp_new(model->m, &o, &it->ip) != TL_OK) {
    report(&it->opt, "tinylite: could not create an interpreter");
    free(it);
    return NULL;
  }
  return it;
}

void TfLiteInterpreterDelete(TfLiteInterpreter *interpreter) {
  if (!interpreter) return;
  tl_interp_free(interpreter->ip);
  free(interpreter);
}

int32_t TfLiteInterpreterGetInputTensorCount(const TfLiteInterpreter *it) {
  return it ? tl_interp_input_count(it->ip) : 0;
}

TfLiteTensor *TfLiteInterpreterGetInputTensor(const TfLiteInterpreter *it, int32_t input_index) {
  return it ? (TfLiteTensor *)tl_interp_input(it->ip, input_index) : NULL;
}

TfLiteStatus TfLiteInterpreterResizeInputTensor(TfLiteInterpreter *it, int32_t input_index, const int *input_dims,
                                                int32_t input_dims_size) {
  if (!it) return kTfLiteError;
  int32_t dims[TL_MAX_DIMS];
  if (input_dims_size < 0 || input_dims_size > TL_MAX_DIMS) return kTfLiteError;
  for (int i = 0; i < input_dims_size; i++) dims[i] = input_dims[i];
  if (tl_interp_resize_input(it->ip, input_index, input_dims_size, dims) != TL_OK) {
    report(&it->opt, "%s", tl_interp_errmsg(it->ip));
    return kTfLiteError;
  }
  return kTfLiteOk;
}

TfLiteStatus TfLiteInterpreterAllocateTensors(TfLiteInterpreter *it) {
  if (!it) return kTfLiteError;
  tl_status st = tl_interp_allocate(it->ip);
  if (st == TL_OK) return kTfLiteOk;
  report(&it->opt, "%s", tl_interp_errmsg(it->ip));
  return st == TL_ERR_UNSUPPORTED ? kTfLiteUnresolvedOps : kTfLiteError;
}

TfLiteStatus TfLiteInterpreterInvoke(TfLiteInterpreter *it) {
  if (!it) return kTfLiteError;
  if (tl_interp_invoke(it->ip) == TL_OK) return kTfLiteOk;
  report(&it->opt, "%s", tl_interp_errmsg(it->ip));
  return kTfLiteError;
}

int32_t TfLiteInterpreterGetOutputTensorCount(const TfLiteInterpreter *it) {
  return it ? tl_interp_output_count(it->ip) : 0;
}

const TfLiteTensor *TfLiteInterpreterGetOutputTensor(const TfLiteInterpreter *it, int32_t output_index) {
  return it ? (const TfLiteTensor *)tl_interp_output(it->ip, output_index) : NULL;
}

/* Schema TensorType -> TfLiteType. */
TfLiteType TfLiteTensorType(const TfLiteTensor *tensor) {
  static const TfLiteType map[] = {kTfLiteFloat32, kTfLiteFloat16, kTfLiteInt32,  kTfLiteUInt8,     kTfLiteInt64,
                                   kTfLiteString,  kTfLiteBool,    kTfLiteInt16,  kTfLiteComplex64, kTfLiteInt8,
                                   kTfLiteFloat64, kTfLiteComplex128, kTfLiteUInt64, kTfLiteResource, kTfLiteVariant,
                                   kTfLiteUInt32,  kTfLiteUInt16,  kTfLiteInt4};
  int t = tl_tensor_type((const tl_tensor *)tensor);
  return (t >= 0 && t < (int)(sizeof map / sizeof map[0])) ? map[t] : kTfLiteNoType;
}

int32_t TfLiteTensorNumDims(const TfLiteTensor *tensor) { return tl_tensor_ndim((const tl_tensor *)tensor); }
int32_t TfLiteTensorDim(const TfLiteTensor *tensor, int32_t dim_index) {
  return tl_tensor_dim((const tl_tensor *)tensor, dim_index);
}
size_t TfLiteTensorByteSize(const TfLiteTensor *tensor) { return tl_tensor_bytes((const tl_tensor *)tensor); }
void *TfLiteTensorData(const TfLiteTensor *tensor) { return tl_tensor_data((tl_tensor *)tensor); }
const char *TfLiteTensorName(const TfLiteTensor *tensor) { return tl_tensor_name((const tl_tensor *)tensor); }

TfLiteQuantizationParams TfLiteTensorQuantizationParams(const TfLiteTensor *tensor) {
  TfLiteQuantizationParams q = {tl_tensor_scale((const tl_tensor *)tensor),
                                tl_tensor_zero_point((const tl_tensor *)tensor)};
  return q;
}

TfLiteStatus TfLiteTensorCopyFromBuffer(TfLiteTensor *tensor, const void *input_data, size_t input_data_size) {
  return tl_tensor_copy_from((tl_tensor *)tensor, input_data, input_data_size) == TL_OK ? kTfLiteOk : kTfLiteError;
}

TfLiteStatus TfLiteTensorCopyToBuffer(const TfLiteTensor *tensor, void *output_data, size_t output_data_size) {
  return tl_tensor_copy_to((const tl_tensor *)tensor, output_data, output_data_size) == TL_OK ? kTfLiteOk
                                                                                                : kTfLiteError;
}

const char *TfLiteTypeGetName(TfLiteType type) {
  static const char *const names[] = {"NOTYPE", "FLOAT32", "INT32", "UINT8", "INT64", "STRING", "BOOL",
                                      "INT16", "COMPLEX64", "INT8", "FLOAT16", "FLOAT64", "COMPLEX128",
                                      "UINT64", "RESOURCE", "VARIANT", "UINT32", "UINT16", "INT4"};
  return ((int)type >= 0 && (int)type < (int)(sizeof names / sizeof names[0])) ? names[type] : "Unknown type";
}

/* SPDX-License-Identifier: Apache-2.0
 * The C API's opaque objects, shared by the compat files (tflite_c_api.c, tflite_signature_runner.c). */
#ifndef TL_COMPAT_TFLITE_C_API_IMPL_H
#define TL_COMPAT_TFLITE_C_API_IMPL_H

#include <stdarg.h>

#include "tensorflow/lite/c/c_api.h"
#include "tinylite.h"

struct TfLiteModel {
  tl_model *m;
};

struct TfLiteInterpreterOptions {
  int32_t threads;
  int32_t delegates; /* how many were added: accepted, reported, not called */
  void (*reporter)(void *, const char *, va_list);
  void *user_data;
};

struct TfLiteInterpreter {
  tl_interp *ip;
  TfLiteModel *model; /* not owned */
  struct TfLiteInterpreterOptions opt;
};

#endif

/* SPDX-License-Identifier: Apache-2.0
 * Signature runners of TensorFlow Lite's C API, as tinylite provides them: run a model's signature
 * (a named subgraph with named inputs and outputs) by key. TfLiteInterpreterGetSignatureName is the
 * TFLite 2.9 spelling of TfLiteInterpreterGetSignatureKey. */
#ifndef TENSORFLOW_LITE_C_C_API_EXPERIMENTAL_H_
#define TENSORFLOW_LITE_C_C_API_EXPERIMENTAL_H_

#include "tensorflow/lite/c/c_api.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct TfLiteSignatureRunner TfLiteSignatureRunner;

TFL_CAPI_EXPORT extern int32_t TfLiteInterpreterGetSignatureCount(const TfLiteInterpreter *interpreter);
TFL_CAPI_EXPORT extern const char *TfLiteInterpreterGetSignatureKey(const TfLiteInterpreter *interpreter,
                                                                   int32_t signature_index);
TFL_CAPI_EXPORT extern const char *TfLiteInterpreterGetSignatureName(const TfLiteInterpreter *interpreter,
                                                                    int32_t signature_index);
/* NULL when no signature has this key. The runner has its own tensors; delete it before the model. */
TFL_CAPI_EXPORT extern TfLiteSignatureRunner *TfLiteInterpreterGetSignatureRunner(const TfLiteInterpreter *interpreter,
                                                                                 const char *signature_key);
TFL_CAPI_EXPORT extern size_t TfLiteSignatureRunnerGetInputCount(const TfLiteSignatureRunner *runner);
TFL_CAPI_EXPORT extern const char *TfLiteSignatureRunnerGetInputName(const TfLiteSignatureRunner *runner,
                                                                    int32_t input_index);
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteSignatureRunnerResizeInputTensor(TfLiteSignatureRunner *runner,
                                                                          const char *input_name, const int *input_dims,
                                                                          int32_t input_dims_size);
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteSignatureRunnerAllocateTensors(TfLiteSignatureRunner *runner);
TFL_CAPI_EXPORT extern TfLiteTensor *TfLiteSignatureRunnerGetInputTensor(TfLiteSignatureRunner *runner,
                                                                        const char *input_name);
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteSignatureRunnerInvoke(TfLiteSignatureRunner *runner);
TFL_CAPI_EXPORT extern size_t TfLiteSignatureRunnerGetOutputCount(const TfLiteSignatureRunner *runner);
TFL_CAPI_EXPORT extern const char *TfLiteSignatureRunnerGetOutputName(const TfLiteSignatureRunner *runner,
                                                                     int32_t output_index);
TFL_CAPI_EXPORT extern const TfLiteTensor *TfLiteSignatureRunnerGetOutputTensor(const TfLiteSignatureRunner *runner,
                                                                               const char *output_name);
TFL_CAPI_EXPORT extern void TfLiteSignatureRunnerDelete(TfLiteSignatureRunner *runner);

#ifdef __cplusplus
}
#endif
#endif

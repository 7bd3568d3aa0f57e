/* SPDX-License-Identifier: Apache-2.0
 * TensorFlow Lite's common C types (the subset the C API uses), provided by tinylite. */
#ifndef TINYLITE_TFLITE_COMMON_H
#define TINYLITE_TFLITE_COMMON_H
#include "c_api_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* TensorFlow Lite's delegate interface, with its layout, so that clients can pass a delegate to
 * TfLiteInterpreterOptionsAddDelegate. tinylite runs every node itself: it accepts the delegate, says
 * so through the error reporter, and never calls these functions. */
typedef int TfLiteBufferHandle;
struct TfLiteContext;
typedef enum TfLiteDelegateFlags {
  kTfLiteDelegateFlagsNone = 0,
  kTfLiteDelegateFlagsAllowDynamicTensors = 1,
  kTfLiteDelegateFlagsRequirePropagatedShapes = 2
} TfLiteDelegateFlags;
struct TfLiteDelegate {
  void *data_;
  TfLiteStatus (*Prepare)(struct TfLiteContext *context, struct TfLiteDelegate *delegate);
  TfLiteStatus (*CopyFromBufferHandle)(struct TfLiteContext *context, struct TfLiteDelegate *delegate,
                                       TfLiteBufferHandle buffer_handle, TfLiteTensor *tensor);
  TfLiteStatus (*CopyToBufferHandle)(struct TfLiteContext *context, struct TfLiteDelegate *delegate,
                                     TfLiteBufferHandle buffer_handle, TfLiteTensor *tensor);
  void (*FreeBufferHandle)(struct TfLiteContext *context, struct TfLiteDelegate *delegate, TfLiteBufferHandle *handle);
  int64_t flags;
};

#ifdef __cplusplus
}
#endif
#endif

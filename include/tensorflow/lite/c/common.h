/* SPDX-License-Identifier: Apache-2.0
 * TensorFlow Lite's common C types (the subset the C API uses), provided by tinylite. */
#ifndef TINYLITE_TFLITE_COMMON_H
#define TINYLITE_TFLITE_COMMON_H
#include "c_api_types.h"
#endif

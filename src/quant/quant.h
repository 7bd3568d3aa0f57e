/* SPDX-License-Identifier: Apache-2.0
 * tinylite's model converter (static library tinylite_quant): rewrites a float .tflite model the way
 * TensorFlow's converter does for its post-training quantization modes, and records activation ranges
 * from a representative dataset (calibration). Used by `tinylite convert` and the tests. */
#ifndef TL_QUANT_H
#define TL_QUANT_H

#include <stddef.h>
#include <stdint.h>

#include "tinylite.h"

typedef enum {
  TL_QMODE_NONE = 0, /* copy the model (rewritten through the writer, unused tensors dropped) */
  TL_QMODE_DYNAMIC,  /* dynamic range: int8 weights, float activations (TF's Optimize.DEFAULT) */
  TL_QMODE_INT8,     /* full integer post-training quantization from calibration ranges */
  TL_QMODE_FLOAT16   /* float16 weights dequantized at run time */
} tl_qmode;

typedef struct {
  tl_qmode mode;
  /* int8: type of the model's float inputs and outputs. TL_FLOAT32 (0, the default) keeps them float
   * with QUANTIZE/DEQUANTIZE ops at the edges, TL_INT8 or TL_UINT8 changes them (TF's
   * inference_input_type / inference_output_type). */
  int io_type;
  /* 1: per-tensor weights everywhere (TF's disable_per_channel). */
  int per_tensor;
  /* 1: FULLY_CONNECTED weights per-tensor (TF's disable_per_channel_quantization_for_dense_layers): the
   * hybrid FC is then version 9 and the int8 FC per-tensor, which TFLite runtimes before 2.15 run. */
  int per_tensor_fc;
  /* dynamic: constant weights with fewer elements stay float (0 means TF's default, 1024). */
  int min_elements;
  /* int8: keep ops the int8 path cannot quantize in float, with QUANTIZE/DEQUANTIZE around them (TF's
   * default when the supported ops are not restricted to TFLITE_BUILTINS_INT8). 0: such an op is an
   * error that names it. */
  int allow_float;
} tl_qoptions;

/* Activation ranges of subgraph 0's tensors, from calibration (or set by hand). Arrays have
 * n_tensors entries; seen[i] = 0 for tensors never observed. */
typedef struct {
  int n_tensors;
  float *min, *max;
  uint8_t *seen;
  int samples; /* calibration samples recorded */
} tl_qranges;

/* What a conversion did, for the tool's summary. */
typedef struct {
  int weights_quantized;  /* constant tensors rewritten (int8 / int32 bias / float16) */
  int ops_quantized;      /* int8: ops that now run on integers */
  int ops_float;          /* int8 with allow_float: ops left in float */
  int ops_inserted;       /* QUANTIZE / DEQUANTIZE ops added */
  char notes[2048];       /* one line per op kept in float or weight left as it was, and why */
} tl_qreport;

/* Converts m as o says and serializes the result into a malloc'ed buffer (*out, *out_size; the
 * caller frees it). ranges is required for TL_QMODE_INT8 (subgraph 0 of m) and ignored otherwise.
 * report may be NULL. On failure returns TL_ERR_ARG (bad options, already quantized model, empty
 * calibration), TL_ERR_UNSUPPORTED (an op the int8 path cannot quantize, named with its index) or
 * another status, with a message in err. Never prints; m is only read. */
tl_status tl_quantize(const tl_model *m, const tl_qoptions *o, const tl_qranges *ranges, tl_qreport *report,
                      uint8_t **out, size_t *out_size, char *err, size_t errlen);

/* 1 when m already holds quantized or float16 data (tensors with quantization parameters, float16
 * tensors, QUANTIZE/DEQUANTIZE ops), with the first such thing described in why. 0 for a float model. */
int tl_quant_is_quantized(const tl_model *m, char *why, size_t whylen);

/* ---- calibration -------------------------------------------------------------------------------
 * Runs the float model with every tensor kept in its own memory and records each float32 tensor's
 * running min/max over all samples (TensorFlow's calibrator keeps the same global min/max). */
typedef struct tl_qcalib tl_qcalib;

/* Creates a calibrator for m (which must outlive it). threads as for tl_interp_options. */
tl_status tl_qcalib_new(const tl_model *m, int threads, tl_qcalib **out, char *err, size_t errlen);
/* The calibrator's interpreter: fill its inputs (tl_interp_input) before each tl_qcalib_run. */
tl_interp *tl_qcalib_interp(tl_qcalib *c);
/* Invokes the model on the current inputs and folds every float32 tensor into the ranges. */
tl_status tl_qcalib_run(tl_qcalib *c, char *err, size_t errlen);
/* The ranges so far (valid until tl_qcalib_free). */
const tl_qranges *tl_qcalib_ranges(const tl_qcalib *c);
void tl_qcalib_free(tl_qcalib *c);

/* ---- quantization arithmetic (TensorFlow's rules; exposed for the tests) -----------------------
 * Activation parameters from a range: the range is widened to hold 0 and to at least 1e-6, then
 * scale = (max - min) / 255 and the zero point is nudged to an integer in [-128, 127]. */
void tl_q_activation_params(double min, double max, double *scale, int32_t *zero_point);
/* Symmetric int8 weights in [-127, 127]: per channel along axis (or per tensor when axis < 0).
 * scales gets one entry per channel (dims[axis]) or one; q gets count(dims) values. */
void tl_q_weights_symmetric(const float *w, int ndim, const int32_t *dims, int axis, double *scales, int8_t *q);
/* IEEE half from float: round to nearest even, clamped to +-65504 as TF's float16 conversion. */
uint16_t tl_q_f32_to_f16(float f);
float tl_q_f16_to_f32(uint16_t h);

#endif

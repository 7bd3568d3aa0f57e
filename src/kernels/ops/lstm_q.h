/* SPDX-License-Identifier: Apache-2.0
 * Integer (8x8_16) UNIDIRECTIONAL_SEQUENCE_LSTM, called by the op's prepare for int8 inputs. */
#ifndef TL_KERNELS_REF_LSTM_Q_H
#define TL_KERNELS_REF_LSTM_Q_H

#include "kcommon.h"

/* Validates an int8 LSTM (int8 weights, int32 biases, int8 output state, int16 cell state, 5
 * intermediates), precomputes TFLite's effective scales and zero-point-folded biases, and sets eval. */
tl_status tl_lstm_q_prepare(tl_kctx *ctx, tl_node *node);

#endif

/* SPDX-License-Identifier: Apache-2.0
 * The double-precision FFT behind RFFT2D and AudioSpectrogram (TFLite runs both through the fft2d
 * library in double and rounds once, so any accurate double FFT gives its float results). */
#ifndef TL_KERNELS_REF_FFT_H
#define TL_KERNELS_REF_FFT_H

#include <stddef.h>

#include "../kernel.h"

/* e^{-2 pi i k / n} for k < n / 2 as (cos, sin) pairs, in persistent memory; NULL on OOM. */
const double *tl_fft_twiddles(tl_kctx *ctx, int n);
/* In-place radix-2 forward FFT of n (a power of two) complex doubles, interleaved (re, im), element
 * k at a + 2 * k * step; tw from tl_fft_twiddles(n). */
void tl_fft(double *a, int n, size_t step, const double *tw);
#endif

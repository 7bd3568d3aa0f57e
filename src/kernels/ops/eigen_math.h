/* SPDX-License-Identifier: Apache-2.0
 * The float functions TFLite's x86 build takes from Eigen instead of libm, evaluated the way Eigen's
 * non-FMA packet code does (Horner, separate multiply and add), so results agree bit for bit. */
#ifndef TL_KERNELS_REF_EIGEN_MATH_H
#define TL_KERNELS_REF_EIGEN_MATH_H

#include <math.h>

/* Eigen's erf: an odd/even rational polynomial on [-4, 4]. */
static inline float tl_eigen_erf(float a) {
  static const float num[7] = {-2.72614225801306e-10f, 2.77068142495902e-08f, -2.10102402082508e-06f, -5.69250639462346e-05f,
                               -7.34990630326855e-04f, -2.95459980854025e-03f, -1.60960333262415e-02f};
  static const float den[5] = {-1.45660718464996e-05f, -2.13374055278905e-04f, -1.68282697438203e-03f,
                               -7.37332916720468e-03f, -1.42647390514189e-02f};
  const float x = a > 4.f ? 4.f : a < -4.f ? -4.f : a, x2 = x * x;
  float p = num[0], q = den[0];
  for (int i = 1; i < 7; i++) p = x2 * p + num[i];
  for (int i = 1; i < 5; i++) q = x2 * q + den[i];
  return x * p / q;
}
/* Eigen's tanh: a rational polynomial on [-7.905, 7.905], x itself below 0.0004 in magnitude. */
static inline float tl_eigen_tanh(float a) {
  static const float num[7] = {-2.76076847742355e-16f, 2.00018790482477e-13f, -8.60467152213735e-11f, 5.12229709037114e-08f,
                               1.48572235717979e-05f, 6.37261928875436e-04f, 4.89352455891786e-03f};
  static const float den[4] = {1.19825839466702e-06f, 1.18534705686654e-04f, 2.26843463243900e-03f, 4.89352518554385e-03f};
  const float c = 7.90531110763549805f, x = a > c ? c : a < -c ? -c : a, x2 = x * x;
  if (fabsf(a) < 0.0004f) return x;
  float p = num[0], q = den[0];
  for (int i = 1; i < 7; i++) p = x2 * p + num[i];
  for (int i = 1; i < 4; i++) q = x2 * q + den[i];
  return x * p / q;
}
#endif

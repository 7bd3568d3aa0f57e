/* SPDX-License-Identifier: Apache-2.0
 * A strided N-d gather into a dense output, by element size: the data-movement core of TRANSPOSE,
 * STRIDED_SLICE, SLICE and PAD. The innermost dim is a memcpy when its input stride is 1. */
#include "kcommon.h"

#define ROW(T)                                                          \
  do {                                                                  \
    const T *restrict s_ = (const T *)src + off;                        \
    T *restrict d_ = (T *)dst + o;                                      \
    for (int64_t i_ = 0; i_ < n; i_++) d_[i_] = s_[i_ * st];            \
  } while (0)

void tl_ref_strided_copy(size_t esize, int nd, const int32_t *odims, const int64_t *istride, const void *src,
                         void *dst) {
  if (nd == 0) {
    memcpy(dst, src, esize);
    return;
  }
  for (int k = 0; k < nd; k++)
    if (odims[k] <= 0) return;
  int64_t idx[TL_MAX_DIMS] = {0};
  const int64_t n = odims[nd - 1], st = istride[nd - 1];
  int64_t off = 0, o = 0;
  for (;;) {
    if (st == 1) {
      const int64_t es = (int64_t)esize; /* signed: negative strides move back from src */
      memcpy((uint8_t *)dst + o * es, (const uint8_t *)src + off * es, (size_t)n * esize);
    } else {
      switch (esize) {
        case 1: ROW(uint8_t); break;
        case 2: ROW(uint16_t); break;
        case 4: ROW(uint32_t); break;
        default: ROW(uint64_t); break;
      }
    }
    o += n;
    /* odometer over the outer dims */
    int k = nd - 2;
    for (; k >= 0; k--) {
      off += istride[k];
      if (++idx[k] < odims[k]) break;
      off -= istride[k] * odims[k];
      idx[k] = 0;
    }
    if (k < 0) return;
  }
}

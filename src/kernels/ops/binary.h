/* SPDX-License-Identifier: Apache-2.0
 * Shared prepare and row-loop generator for the broadcasting binary ops (ADD, SUB, MUL, DIV, MAXIMUM,
 * MINIMUM). Each op file keeps its own <op>_eval_f32 (and, later, <op>_eval_s8/_s16) next to it. */
#ifndef TL_KERNELS_REF_BINARY_H
#define TL_KERNELS_REF_BINARY_H

#include "kcommon.h"

typedef struct {
  tl_bcast bc;
  int act;          /* fused activation (schema enum) */
  float lo, hi;     /* float clamp of the fused activation */
  /* Room for the integer kernels' precomputed parameters (multipliers, shifts, offsets). */
  int32_t q[16];
} tl_binary_state;

/* Checks 2 inputs / 1 output, same dtype everywhere, the fused activation (has_act: options field 0
 * of Add/Sub/Mul/DivOptions; only clamps are accepted), broadcasts, and stores the state in node->state. */
tl_status tl_ref_binary_prepare(tl_kctx *ctx, tl_node *node, int has_act, tl_binary_state **st);

/* Integer ADD/SUB/MUL (binary_q.c): checks quantization, precomputes TFLite's multipliers into p->q and
 * sets node->eval for int8/uint8/int16. op is TL_BUILTIN_ADD, _SUB or _MUL. */
tl_status tl_ref_binary_q_prepare(tl_kctx *ctx, tl_node *node, tl_binary_state *p, int op);

/* ADD/SUB/MUL on int32/int64 (binary_int.c), with the fused activation as an integer clamp. */
tl_status tl_ref_binary_int_prepare(tl_kctx *ctx, tl_node *node, tl_binary_state *p, int op);

/* Defines `static void name(...)`: a tl_bcast_row_fn computing out = clamp(EXPR(x, y)) for type T, with
 * separate loops for the stride patterns so each one vectorizes. */
#define TL_BINARY_ROW(name, T, EXPR, CLAMP)                                                              \
  static void name(int64_t n, const void *a_, int64_t sa, const void *b_, int64_t sb, void *o_, const void *p_) { \
    const T *restrict a = (const T *)a_;                                                                 \
    const T *restrict b = (const T *)b_;                                                                 \
    T *restrict o = (T *)o_;                                                                             \
    const tl_binary_state *p = (const tl_binary_state *)p_;                                              \
    const float lo = p->lo, hi = p->hi;                                                                  \
    (void)lo, (void)hi;                                                                                  \
    if (sa && sb) {                                                                                      \
      for (int64_t i = 0; i < n; i++) { T x = a[i], y = b[i]; T r = (EXPR); o[i] = CLAMP(r); }          \
    } else if (sa) {                                                                                     \
      const T y = b[0];                                                                                  \
      for (int64_t i = 0; i < n; i++) { T x = a[i]; T r = (EXPR); o[i] = CLAMP(r); }                    \
    } else if (sb) {                                                                                     \
      const T x = a[0];                                                                                  \
      for (int64_t i = 0; i < n; i++) { T y = b[i]; T r = (EXPR); o[i] = CLAMP(r); }                    \
    } else {                                                                                             \
      const T x = a[0], y = b[0];                                                                        \
      T r = (EXPR);                                                                                      \
      r = CLAMP(r);                                                                                      \
      for (int64_t i = 0; i < n; i++) o[i] = r;                                                          \
    }                                                                                                    \
  }

/* Float clamp to [lo, hi] that lets NaN through, like TFLite's min(max(x, lo), hi). */
#define TL_CLAMP_F32(r) ((r) < lo ? lo : ((r) > hi ? hi : (r)))
#define TL_NO_CLAMP(r) (r)

#endif

/* SPDX-License-Identifier: Apache-2.0
 * The spin-wait hint of this CPU (the thread pool's workers spin briefly before sleeping). */
#ifndef TL_CPU_RELAX_H
#define TL_CPU_RELAX_H

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
static inline void tl_cpu_relax(void) { _mm_pause(); }
#elif defined(__aarch64__)
static inline void tl_cpu_relax(void) { __asm__ __volatile__("yield"); }
#else
static inline void tl_cpu_relax(void) {}
#endif

#endif

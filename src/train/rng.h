/* SPDX-License-Identifier: Apache-2.0
 * Deterministic random numbers for the trainer: xoshiro256** streams for init/shuffles and a
 * counter-based hash (splitmix64) for dropout and augmentation, so each sample's randomness
 * depends only on (seed, epoch, sample position) and never on thread count or call order. */
#ifndef TL_TRAIN_RNG_H
#define TL_TRAIN_RNG_H

#include <stdint.h>

typedef struct {
  uint64_t s[4];
} tl_rng;

static inline uint64_t tl_mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* hash of several words, used as a counter-based generator */
static inline uint64_t tl_hash3(uint64_t a, uint64_t b, uint64_t c) { return tl_mix64(tl_mix64(tl_mix64(a) ^ b) ^ c); }

static inline void tl_rng_seed(tl_rng *r, uint64_t seed) {
  uint64_t z = seed;
  for (int i = 0; i < 4; i++) {
    z = tl_mix64(z);
    r->s[i] = z;
  }
  if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) r->s[0] = 1;
}

static inline uint64_t tl_rng_next(tl_rng *r) {
  uint64_t *s = r->s;
  uint64_t x = s[1] * 5;
  uint64_t result = ((x << 7) | (x >> 57)) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 45) | (s[3] >> 19);
  return result;
}

/* uniform in [0,1) with 24 random bits (exact in float) */
static inline float tl_u01f(uint64_t bits) { return (float)(bits >> 40) * (1.0f / 16777216.0f); }

/* uniform integer in [0, n) (n > 0), Lemire's multiply-shift; bias < 2^-32 for our n */
static inline uint32_t tl_rng_below(tl_rng *r, uint32_t n) {
  return (uint32_t)(((tl_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

#endif

/*
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): the one
 * definition of the counter-based generator, compiled for the host (native/cpu) and the device
 * (native/cuda) alike, so dropout masks and shuffles agree bit for bit across backends.
 * Java's copy, the tests' oracle: dev.nabla.backend.Philox.
 */
#ifndef NABLA_PHILOX_H
#define NABLA_PHILOX_H

#include <stdint.h>

#ifdef __CUDACC__
#define NABLA_HD __host__ __device__ __forceinline__
#else
#define NABLA_HD inline
#endif

/* Stream ids of the generator's users (the counter's last word). Dropout layers use their layer
   index; the epoch shuffle uses this one. */
#define NABLA_PHILOX_SHUFFLE_STREAM 0x53687566u /* "Shuf" */

NABLA_HD void nabla_philox_block(const uint32_t in[4], const uint32_t key[2], uint32_t out[4]) {
  uint32_t c0 = in[0], c1 = in[1], c2 = in[2], c3 = in[3];
  uint32_t k0 = key[0], k1 = key[1];
  for (int round = 0; round < 10; round++) {
    const uint64_t p0 = (uint64_t)0xD2511F53u * c0;
    const uint64_t p1 = (uint64_t)0xCD9E8D57u * c2;
    const uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    const uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    c0 = hi1 ^ c1 ^ k0;
    c2 = hi0 ^ c3 ^ k1;
    c1 = lo1;
    c3 = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

/* The epoch shuffle's sort key of sample i: samples are visited in increasing key order, where
   key = (philox(counter = (i / 4, epoch lo, epoch hi, SHUFFLE), key = seed)[i % 4] << 32) | i,
   compared unsigned (the low half makes keys distinct, so the order is a permutation). */
NABLA_HD uint64_t nabla_shuffle_key(uint64_t seed, uint64_t epoch, uint32_t i) {
  const uint32_t ctr[4] = {i >> 2, (uint32_t)epoch, (uint32_t)(epoch >> 32),
                           NABLA_PHILOX_SHUFFLE_STREAM};
  const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
  uint32_t bits[4];
  nabla_philox_block(ctr, key, bits);
  return ((uint64_t)bits[i & 3] << 32) | i;
}

#endif

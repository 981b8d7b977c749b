// Dropout with a counter-based mask (Philox4x32-10, Salmon et al., SC'11): the keep bit of element
// i at step s is a pure function of (seed, s, stream, i), so every backend draws the same mask,
// backward recomputes it instead of storing it, and a resumed run draws what it would have drawn.
// Reference: dev.nabla.backend.Philox.
#include "nabla/kernels.h"
#include "nabla/flush_denormals.h"
#include "nabla/philox.h"

namespace {
inline void philox(const uint32_t in[4], const uint32_t key[2], uint32_t out[4]) {
  nabla_philox_block(in, key, out);
}
}  // namespace

// The two integer-only entry points below keep the FTZ/DAZ guard too: one rule for every exported
// kernel is easy to check, and a guard costs a few nanoseconds per call.
extern "C" void nabla_philox4x32_10(const uint32_t counter[4], const uint32_t key[2],
                                    uint32_t out[4]) {
  NABLA_FLUSH_DENORMALS;
  philox(counter, key, out);
}

extern "C" void nabla_shuffle_keys(uint64_t seed, uint64_t epoch, int64_t n, uint64_t *keys) {
  NABLA_FLUSH_DENORMALS;
  for (int64_t i = 0; i < n; i++) keys[i] = nabla_shuffle_key(seed, epoch, (uint32_t)i);
}

// The fast path: eight Philox blocks (32 elements) per iteration in AVX2 registers, one block
// per 32-bit lane. _mm256_mul_epu32 multiplies the even lanes to 64 bits; the odd lanes go
// through a shifted copy; blends put the high and low halves back in lane order. The scalar
// block above is the definition this must match bit for bit (CpuKernelsTest checks it).
#include <immintrin.h>

namespace {
__attribute__((target("avx2"))) inline void mulhilo8(__m256i a, __m256i m, __m256i *hi,
                                                      __m256i *lo) {
  const __m256i even = _mm256_mul_epu32(a, m);
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
  *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

__attribute__((target("avx2"))) void dropout_avx2(const float *x, float *y, int64_t begin,
                                                  int64_t n, const uint32_t key[2],
                                                  uint32_t step_lo, uint32_t step_hi,
                                                  uint32_t stream, uint32_t threshold,
                                                  float scale, int64_t *done) {
  const __m256i M0 = _mm256_set1_epi32((int)0xD2511F53u), M1 = _mm256_set1_epi32((int)0xCD9E8D57u);
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  alignas(32) uint32_t bits[4][8];
  int64_t base = begin;
  for (; base + 32 <= n; base += 32) {
    __m256i c0 = _mm256_add_epi32(_mm256_set1_epi32((int)(uint32_t)(base >> 2)), lane);
    __m256i c1 = _mm256_set1_epi32((int)step_lo), c2 = _mm256_set1_epi32((int)step_hi);
    __m256i c3 = _mm256_set1_epi32((int)stream);
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; round++) {
      __m256i hi0, lo0, hi1, lo1;
      mulhilo8(c0, M0, &hi0, &lo0);
      mulhilo8(c2, M1, &hi1, &lo1);
      c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), _mm256_set1_epi32((int)k0));
      c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), _mm256_set1_epi32((int)k1));
      c1 = lo1;
      c3 = lo0;
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    _mm256_store_si256((__m256i *)bits[0], c0);
    _mm256_store_si256((__m256i *)bits[1], c1);
    _mm256_store_si256((__m256i *)bits[2], c2);
    _mm256_store_si256((__m256i *)bits[3], c3);
    for (int j = 0; j < 8; j++) {
      for (int w = 0; w < 4; w++) {
        const int64_t i = base + 4 * j + w;
        y[i] = (bits[w][j] >> 8) >= threshold ? x[i] * scale : 0.0f;
      }
    }
  }
  *done = base;
}
}  // namespace

extern "C" void nabla_dropout(const float *x, float *y, int64_t n, uint64_t seed, uint64_t step,
                              uint32_t stream, uint32_t threshold, float scale) {
  NABLA_FLUSH_DENORMALS;
  nabla_dropout_range(x, y, 0, n, seed, step, stream, threshold, scale);
}

extern "C" void nabla_dropout_range(const float *x, float *y, int64_t begin, int64_t end,
                                    uint64_t seed, uint64_t step, uint32_t stream,
                                    uint32_t threshold, float scale) {
  NABLA_FLUSH_DENORMALS;
  static const bool avx2 = __builtin_cpu_supports("avx2");
  const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
  const uint32_t step_lo = (uint32_t)step, step_hi = (uint32_t)(step >> 32);
  const int64_t n = end;
  int64_t base = begin;
  if (avx2 && begin % 4 == 0)
    dropout_avx2(x, y, begin, n, key, step_lo, step_hi, stream, threshold, scale, &base);
  uint32_t ctr[4] = {0, step_lo, step_hi, stream};
  uint32_t bits[4];
  while (base < n) {  // element i uses word i % 4 of block i / 4, wherever the range starts
    ctr[0] = (uint32_t)(base >> 2);
    philox(ctr, key, bits);
    for (int64_t j = base & 3; j < 4 && base < n; j++, base++)
      y[base] = (bits[j] >> 8) >= threshold ? x[base] * scale : 0.0f;
  }
}

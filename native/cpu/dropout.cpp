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

// The AVX2 path (CPUs without AVX-512): eight Philox blocks (32 elements) per iteration in AVX2
// registers, one block per 32-bit lane. _mm256_mul_epu32 multiplies the even lanes to 64 bits; the odd lanes go
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
  // (word >> 8) < 2^24, so any threshold from 2^24 up keeps nothing: clamping it there keeps
  // threshold - 1 in int range for the signed compare below.
  const uint32_t thr = threshold < (1u << 24) ? threshold : (1u << 24);
  const __m256i thr_minus_1 = _mm256_set1_epi32((int)thr - 1);
  const __m256 vscale = _mm256_set1_ps(scale);
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
    // Transpose the four word vectors (lane j = block j) into element order: after the two
    // unpack stages, t0 holds blocks 0 and 4, t1 blocks 1 and 5, and so on, one per 128-bit half.
    const __m256i u0 = _mm256_unpacklo_epi32(c0, c1), u1 = _mm256_unpackhi_epi32(c0, c1);
    const __m256i u2 = _mm256_unpacklo_epi32(c2, c3), u3 = _mm256_unpackhi_epi32(c2, c3);
    const __m256i t0 = _mm256_unpacklo_epi64(u0, u2), t1 = _mm256_unpackhi_epi64(u0, u2);
    const __m256i t2 = _mm256_unpacklo_epi64(u1, u3), t3 = _mm256_unpackhi_epi64(u1, u3);
    const __m256i e[4] = {_mm256_permute2x128_si256(t0, t1, 0x20),   // blocks 0, 1
                          _mm256_permute2x128_si256(t2, t3, 0x20),   // blocks 2, 3
                          _mm256_permute2x128_si256(t0, t1, 0x31),   // blocks 4, 5
                          _mm256_permute2x128_si256(t2, t3, 0x31)};  // blocks 6, 7
    for (int q = 0; q < 4; q++) {
      // word >> 8 and the clamped threshold are both in [0, 2^24], so the signed compare against
      // thr - 1 is the unsigned (word >> 8) >= threshold of the definition.
      const __m256i keep = _mm256_cmpgt_epi32(_mm256_srli_epi32(e[q], 8), thr_minus_1);
      const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + base + 8 * q), vscale);
      // Dropped lanes become +0 bits whatever x was (NaN and inf included), as in the scalar loop.
      _mm256_storeu_ps(y + base + 8 * q, _mm256_and_ps(v, _mm256_castsi256_ps(keep)));
    }
  }
  *done = base;
}

// GCC 12's AVX-512 intrinsics pass _mm512_undefined_epi32() (a deliberately uninitialised
// value) as the ignored passthrough operand, which -Wmaybe-uninitialized reports once they are
// inlined (GCC PR105593; later GCC releases fix it); the warning says nothing about this code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// The AVX-512 path: sixteen Philox blocks (64 elements) per iteration, one block per 32-bit zmm
// lane, and no scalar code between the words and the stores. Per round, a mulhilo is two
// _mm512_mul_epu32 (even lanes; the odd lanes via a pair-swapped copy) and two masked pair-swaps
// that move each product's wanted half into lane order; vpternlogd does each three-way xor.
// Each of the four word vectors then compares to a 16-bit keep mask (bit b = block b), _pdep_u64
// interleaves the four into one 64-bit mask in element order (element 4b + w <- bit b of word w),
// and _mm512_maskz_mul_ps writes x * scale where kept and +0 elsewhere, 16 elements at a time.
// (The shift-and-blend mulhilo of the AVX2 path measured ~20% slower here: two more ops a product.)
__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,bmi2"))) inline void mulhilo16(
    __m512i a, __m512i m, __m512i *hi, __m512i *lo) {
  const __m512i even = _mm512_mul_epu32(a, m);                                    // a[2j] * M
  const __m512i odd = _mm512_mul_epu32(_mm512_shuffle_epi32(a, _MM_PERM_CDAB), m);  // a[2j+1] * M
  // lo: even's low words stay in even lanes; odd's low words move up into the odd lanes.
  *lo = _mm512_mask_shuffle_epi32(even, 0xAAAA, odd, _MM_PERM_CDAB);
  // hi: odd's high words stay in odd lanes; even's high words move down into the even lanes.
  *hi = _mm512_mask_shuffle_epi32(odd, 0x5555, even, _MM_PERM_CDAB);
}

// Elements [base, base + 64) where `valid` has bit k set for element base + k; base % 4 == 0.
// Masked loads and stores touch nothing outside `valid`, so the tail needs no other path.
__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,bmi2"))) inline void dropout64_avx512(
    const float *x, float *y, int64_t base, uint64_t valid, const __m512i K0[10],
    const __m512i K1[10], __m512i c1init, __m512i c2init, __m512i c3init, __m512i thr,
    __m512 scale) {
  const __m512i M0 = _mm512_set1_epi32((int)0xD2511F53u), M1 = _mm512_set1_epi32((int)0xCD9E8D57u);
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  // uint32 counter arithmetic wraps exactly like the scalar (uint32_t)(i >> 2).
  __m512i c0 = _mm512_add_epi32(_mm512_set1_epi32((int)(uint32_t)(base >> 2)), lane);
  __m512i c1 = c1init, c2 = c2init, c3 = c3init;
  for (int round = 0; round < 10; round++) {
    __m512i hi0, lo0, hi1, lo1;
    mulhilo16(c0, M0, &hi0, &lo0);
    mulhilo16(c2, M1, &hi1, &lo1);
    c0 = _mm512_ternarylogic_epi32(hi1, c1, K0[round], 0x96);  // hi1 ^ c1 ^ k0
    c2 = _mm512_ternarylogic_epi32(hi0, c3, K1[round], 0x96);  // hi0 ^ c3 ^ k1
    c1 = lo1;
    c3 = lo0;
  }
  // keep iff (word >> 8) >= threshold, unsigned, exactly as the scalar test.
  const uint64_t m0 = _mm512_cmpge_epu32_mask(_mm512_srli_epi32(c0, 8), thr);
  const uint64_t m1 = _mm512_cmpge_epu32_mask(_mm512_srli_epi32(c1, 8), thr);
  const uint64_t m2 = _mm512_cmpge_epu32_mask(_mm512_srli_epi32(c2, 8), thr);
  const uint64_t m3 = _mm512_cmpge_epu32_mask(_mm512_srli_epi32(c3, 8), thr);
  const uint64_t keep = (_pdep_u64(m0, 0x1111111111111111ull) | _pdep_u64(m1, 0x2222222222222222ull) |
                         _pdep_u64(m2, 0x4444444444444444ull) | _pdep_u64(m3, 0x8888888888888888ull));
  if (valid == ~0ull) {
    for (int q = 0; q < 4; q++) {
      const __mmask16 k = (__mmask16)(keep >> (16 * q));
      const __m512 v = _mm512_loadu_ps(x + base + 16 * q);
      _mm512_storeu_ps(y + base + 16 * q, _mm512_maskz_mul_ps(k, v, scale));
    }
  } else {
    for (int q = 0; q < 4; q++) {
      const __mmask16 in = (__mmask16)(valid >> (16 * q));
      if (!in) break;  // valid is a prefix: nothing further is in range
      const __mmask16 k = (__mmask16)(keep >> (16 * q)) & in;
      const __m512 v = _mm512_maskz_loadu_ps(in, x + base + 16 * q);
      _mm512_mask_storeu_ps(y + base + 16 * q, in, _mm512_maskz_mul_ps(k, v, scale));
    }
  }
}

// Elements [begin, n), begin % 4 == 0, the tail included.
__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,bmi2"))) void dropout_avx512(
    const float *x, float *y, int64_t begin, int64_t n, const uint32_t key[2], uint32_t step_lo,
    uint32_t step_hi, uint32_t stream, uint32_t threshold, float scale) {
  __m512i K0[10], K1[10];
  uint32_t k0 = key[0], k1 = key[1];
  for (int round = 0; round < 10; round++) {
    K0[round] = _mm512_set1_epi32((int)k0);
    K1[round] = _mm512_set1_epi32((int)k1);
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  const __m512i c1 = _mm512_set1_epi32((int)step_lo), c2 = _mm512_set1_epi32((int)step_hi);
  const __m512i c3 = _mm512_set1_epi32((int)stream), thr = _mm512_set1_epi32((int)threshold);
  const __m512 s = _mm512_set1_ps(scale);
  int64_t base = begin;
  for (; base + 64 <= n; base += 64)
    dropout64_avx512(x, y, base, ~0ull, K0, K1, c1, c2, c3, thr, s);
  if (base < n)
    dropout64_avx512(x, y, base, (1ull << (n - base)) - 1, K0, K1, c1, c2, c3, thr, s);
}
#pragma GCC diagnostic pop
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
  static const bool avx512 = __builtin_cpu_supports("avx512f") &&
                             __builtin_cpu_supports("avx512bw") &&
                             __builtin_cpu_supports("avx512dq") &&
                             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("bmi2");
  static const bool avx2 = __builtin_cpu_supports("avx2");
  const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
  const uint32_t step_lo = (uint32_t)step, step_hi = (uint32_t)(step >> 32);
  const int64_t n = end;
  int64_t base = begin, scalar_end = n;
  if (avx512) {
    // The scalar loop below takes a start that is not a multiple of 4 up to the next block
    // boundary; the vector path does everything from there to the end, tail included.
    const int64_t head = (begin + 3) / 4 * 4;
    if (head < n) {
      dropout_avx512(x, y, head, n, key, step_lo, step_hi, stream, threshold, scale);
      scalar_end = head;
    }
  } else if (avx2 && begin % 4 == 0) {
    dropout_avx2(x, y, begin, n, key, step_lo, step_hi, stream, threshold, scale, &base);
  }
  uint32_t ctr[4] = {0, step_lo, step_hi, stream};
  uint32_t bits[4];
  while (base < scalar_end) {  // element i uses word i % 4 of block i / 4, wherever the range starts
    ctr[0] = (uint32_t)(base >> 2);
    philox(ctr, key, bits);
    for (int64_t j = base & 3; j < 4 && base < scalar_end; j++, base++)
      y[base] = (bits[j] >> 8) >= threshold ? x[base] * scale : 0.0f;
  }
}

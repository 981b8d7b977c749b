// nabla_sgemm's AVX-512 kernel: 6 x 64 tiles (24 zmm accumulators). Built with -mavx512f etc.
// (CMakeLists); called only when the CPU has AVX-512F (gemm.cpp checks).
#include "gemm_internal.h"
#include <immintrin.h>

namespace {
struct V512 {
  using T = __m512;
  using M = __mmask16;
  static constexpr int W = 16;
  static constexpr int NV = 4;  // 6 x 4 accumulators + 4 of B + 1 broadcast of 32 registers
  static T zero() { return _mm512_setzero_ps(); }
  static T set1(float x) { return _mm512_set1_ps(x); }
  static T bcast(const float *p) { return _mm512_set1_ps(*p); }
  static T load(const float *p) { return _mm512_loadu_ps(p); }
  static T loadm(const float *p, M m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float *p, T v) { _mm512_storeu_ps(p, v); }
  static void storem(float *p, M m, T v) { _mm512_mask_storeu_ps(p, m, v); }
  static T fma(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }
  static T mul(T a, T b) { return _mm512_mul_ps(a, b); }
  static T add(T a, T b) { return _mm512_add_ps(a, b); }
  static T sub(T a, T b) { return _mm512_sub_ps(a, b); }
  static bool all_zero(T a) {  // false for any NaN lane too
    return _mm512_cmp_ps_mask(a, _mm512_setzero_ps(), _CMP_NEQ_UQ) == 0;
  }
  static M mask(int n) { return (M)((1u << n) - 1u); }  // n in 1..16
  // bit i set iff p[i] != 0 (NaN counts as non-zero) for the lanes in m
  static unsigned nonzero(const float *p, M m) {
    return _mm512_mask_cmp_ps_mask(m, _mm512_maskz_loadu_ps(m, p), _mm512_setzero_ps(), _CMP_NEQ_UQ);
  }
  // writes base + i for each set bit i of bits, ascending; returns how many
  static int compress_indices(unsigned bits, int32_t base, int32_t *out) {
    const __m512i idx = _mm512_add_epi32(_mm512_set1_epi32(base),
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    _mm512_mask_compressstoreu_epi32(out, (__mmask16)bits, idx);
    return __builtin_popcount(bits);
  }
};
#include "gemm_kernel.h"
}  // namespace

int64_t nabla_gemm_avx512(const GemmArgs &g, int32_t *list) { return run<V512>(g, list); }

// nabla_sgemm's AVX2 + FMA kernel: 6 x 16 tiles (12 ymm accumulators + 2 of B + 1 broadcast of
// 16 registers, the classic Haswell shape). Built with -mavx2 -mfma (CMakeLists); called only
// when the CPU has both.
#include "gemm_internal.h"
#include <immintrin.h>

namespace {
struct V256 {
  using T = __m256;
  using M = __m256i;
  static constexpr int W = 8;
  static constexpr int NV = 2;
  static T zero() { return _mm256_setzero_ps(); }
  static T set1(float x) { return _mm256_set1_ps(x); }
  static T bcast(const float *p) { return _mm256_broadcast_ss(p); }
  static T load(const float *p) { return _mm256_loadu_ps(p); }
  static T loadm(const float *p, M m) { return _mm256_maskload_ps(p, m); }
  static void store(float *p, T v) { _mm256_storeu_ps(p, v); }
  static void storem(float *p, M m, T v) { _mm256_maskstore_ps(p, m, v); }
  static T fma(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }
  static T mul(T a, T b) { return _mm256_mul_ps(a, b); }
  static T add(T a, T b) { return _mm256_add_ps(a, b); }
  static T sub(T a, T b) { return _mm256_sub_ps(a, b); }
  static bool all_zero(T a) {  // false for any NaN lane too
    return _mm256_movemask_ps(_mm256_cmp_ps(a, _mm256_setzero_ps(), _CMP_NEQ_UQ)) == 0;
  }
  static M mask(int n) {  // lanes < n, n in 1..8
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static unsigned nonzero(const float *p, M m) {
    const __m256 x = _mm256_maskload_ps(p, m);
    return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_NEQ_UQ));
  }
  static int compress_indices(unsigned bits, int32_t base, int32_t *out) {
    int n = 0;
    while (bits) {
      out[n++] = base + __builtin_ctz(bits);
      bits &= bits - 1;
    }
    return n;
  }
};
#include "gemm_kernel.h"
}  // namespace

int64_t nabla_gemm_avx2(const GemmArgs &g, int32_t *list) { return run<V256>(g, list); }

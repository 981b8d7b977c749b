// The FMA peak of one core, measured: independent chains of register-only fused multiply-adds
// (no memory traffic), AVX-512 (zmm) and AVX2 (ymm), enough chains to cover the FMA latency on
// every current x86 core. Prints GFLOP/s (2 flops per lane per FMA); the gemm figures in
// run.sh are quoted against it. Single-threaded; run on an idle core.
#include <immintrin.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

template <int Chains>
__attribute__((target("avx512f,fma"))) double zmm(long iters) {
  __m512 a[Chains];
  for (int i = 0; i < Chains; i++) a[i] = _mm512_set1_ps(1.0f + i * 1e-3f);
  const __m512 b = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
  const auto t0 = std::chrono::steady_clock::now();
  for (long it = 0; it < iters; it++) {
#pragma GCC unroll 32
    for (int i = 0; i < Chains; i++) a[i] = _mm512_fmadd_ps(a[i], b, c);
  }
  const auto t1 = std::chrono::steady_clock::now();
  float s = 0;
  for (int i = 0; i < Chains; i++) s += _mm512_reduce_add_ps(a[i]);
  if (s == 12345.f) std::printf(" ");  // keeps the chains alive
  return iters * Chains * 16 * 2 / std::chrono::duration<double>(t1 - t0).count() / 1e9;
}

template <int Chains>
__attribute__((target("avx2,fma"))) double ymm(long iters) {
  __m256 a[Chains];
  for (int i = 0; i < Chains; i++) a[i] = _mm256_set1_ps(1.0f + i * 1e-3f);
  const __m256 b = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
  const auto t0 = std::chrono::steady_clock::now();
  for (long it = 0; it < iters; it++) {
#pragma GCC unroll 32
    for (int i = 0; i < Chains; i++) a[i] = _mm256_fmadd_ps(a[i], b, c);
  }
  const auto t1 = std::chrono::steady_clock::now();
  float t[8], s = 0;
  for (int i = 0; i < Chains; i++) { _mm256_storeu_ps(t, a[i]); s += t[0]; }
  if (s == 12345.f) std::printf(" ");
  return iters * Chains * 8 * 2 / std::chrono::duration<double>(t1 - t0).count() / 1e9;
}

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main() {
  __builtin_cpu_init();
  std::vector<double> z, y;
  for (int r = 0; r < 5; r++) {
    if (__builtin_cpu_supports("avx512f")) z.push_back(zmm<24>(12500000));
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) y.push_back(ymm<12>(25000000));
  }
  if (!z.empty()) std::printf("FMA peak, 1 core, AVX-512: %.1f GFLOP/s (median of 5)\n", median(z));
  if (!y.empty()) std::printf("FMA peak, 1 core, AVX2:    %.1f GFLOP/s (median of 5)\n", median(y));
}

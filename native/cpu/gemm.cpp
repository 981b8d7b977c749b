// nabla_sgemm: Nabla's own single-threaded sgemm (callers split work across threads), replacing
// OpenBLAS on the CPU backend. Why our own: at the training shapes (32..128) x 784 x 128 OpenBLAS
// ran at ~88 GFLOP/s on one Zen 5 core whose AVX-512 FMA peak is ~206 (its Haswell kernel is
// AVX2), and it cannot skip the zero pixels that make up ~81% of MNIST. See benchmarks/NOTES.md.
//
// Dispatch: AVX-512F -> gemm_avx512.cpp, AVX2 + FMA -> gemm_avx2.cpp, otherwise the plain loop
// below. Each path sums every output over p = 0 .. k-1 in order (FMA where the CPU has it), so
// its dense and sparse walks agree bit for bit.
#include "gemm_internal.h"
#include "nabla/flush_denormals.h"
#include <vector>

namespace {

int detect() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  // every extension the unit is compiled with (CMakeLists), not only the intrinsics it names:
  // GCC may use any of them anywhere in that unit
  const bool popcnt = __builtin_cpu_supports("popcnt");
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
      && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw")
      && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("avx2")
      && __builtin_cpu_supports("fma") && popcnt)
    return NABLA_ISA_AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && popcnt)
    return NABLA_ISA_AVX2;
#endif
  return NABLA_ISA_GENERIC;
}

// Pre-AVX2 CPUs: one output at a time, plain multiply-add (no FMA unit: it rounds differently
// from the vector paths); same p order, and no sparse walk whatever the mode.
int64_t generic(const GemmArgs &g) {
  for (int64_t i = 0; i < g.m; i++) {
    for (int64_t j = 0; j < g.n; j++) {
      float acc = 0.0f;
      for (int64_t p = 0; p < g.k; p++) {
        const float a = g.trans_a ? g.a[p * g.lda + i] : g.a[i * g.lda + p];
        acc = acc + a * g.b[p * g.ldb + j];
      }
      float *c = g.c + i * g.ldc + j;
      float out = g.alpha == 1.0f ? acc : g.alpha * acc;
      if (g.beta != 0.0f) out = out + g.beta * *c;
      *c = out;
    }
  }
  return (g.m + 5) / 6 * g.k;  // the dense count as the vector paths report it
}

// Per-thread scratch: the non-zero list (k entries) and a transposed B. Grows, never shrinks;
// at the training shapes it is a few kilobytes (B is transposed only for op(B) = B^T, which the
// seed network uses for its 10 x 128 output layer).
struct Scratch {
  std::vector<int32_t> list;
  std::vector<float> bt;
};
thread_local Scratch scratch;

}  // namespace

extern "C" int nabla_cpu_isa(void) {
  static const int isa = detect();
  return isa;
}

extern "C" int64_t nabla_sgemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                               float alpha, const float *a, int64_t lda, const float *b,
                               int64_t ldb, float beta, float *c, int64_t ldc, int mode, int isa) {
  NABLA_FLUSH_DENORMALS;
  const int best = nabla_cpu_isa();
  if (isa == NABLA_ISA_BEST || isa > best) isa = best;
  if (m <= 0 || n <= 0) return 0;
  GemmArgs g{trans_a != 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, mode, -1};
  if (trans_b) {  // op(B) = B^T with B n x k: copy into k x n so the kernels stream rows of it
    std::vector<float> &bt = scratch.bt;
    if ((int64_t)bt.size() < k * n) bt.resize((size_t)(k * n));
    for (int64_t j = 0; j < n; j++)
      for (int64_t p = 0; p < k; p++) bt[(size_t)(p * n + j)] = b[j * ldb + p];
    g.b = bt.data();
    g.ldb = n;
  }
  if (k > INT32_MAX) g.mode = NABLA_GEMM_DENSE;  // the sparse walk's lists hold int32 indices
  std::vector<int32_t> &list = scratch.list;  // k entries: compress stores write only the set lanes
  if (g.mode != NABLA_GEMM_DENSE && (int64_t)list.size() < k) list.resize((size_t)k);
  switch (isa) {
    case NABLA_ISA_AVX512: return nabla_gemm_avx512(g, list.data());
    case NABLA_ISA_AVX2: return nabla_gemm_avx2(g, list.data());
    default: return generic(g);
  }
}

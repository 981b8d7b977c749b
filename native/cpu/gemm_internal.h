// Shared between gemm.cpp (the entry point) and the per-instruction-set units.
#ifndef NABLA_GEMM_INTERNAL_H
#define NABLA_GEMM_INTERNAL_H
#include "nabla/kernels.h"
#include <stdint.h>

struct GemmArgs {
  bool trans_a;
  int64_t m, n, k;
  float alpha;
  const float *a;
  int64_t lda;
  const float *b;  // k x n, row-major, row stride ldb (never transposed here)
  int64_t ldb;
  float beta;
  float *c;
  int64_t ldc;
  int mode;  // NABLA_GEMM_AUTO, _DENSE or _SPARSE
  // whether every B value is finite: -1 = not yet checked (the first group that would take the
  // sparse walk checks, once per call; a non-finite B forces the dense walk, see gemm_kernel.h)
  mutable int b_finite;
};

// Each needs k int32 of scratch in list; defined only in units built for that instruction set.
int64_t nabla_gemm_avx512(const GemmArgs &g, int32_t *list);
int64_t nabla_gemm_avx2(const GemmArgs &g, int32_t *list);
#endif

// Dropout on the device with the CPU's generator (nabla/philox.h, the one definition): thread b
// computes Philox block b and masks elements 4b..4b+3, so for the same (seed, step, stream) the
// mask equals the CPU's bit for bit. Inverted dropout: kept values are scaled by 1 / (1 - rate)
// in the same pass; backward is the same call on the gradient (the mask is recomputed, never
// stored). step_dev, when not NULL, supplies the step from device memory, so a captured CUDA
// graph draws a fresh mask on every replay.
#include "nabla/cuda_kernels.h"
#include "nabla/philox.h"
#include "act.cuh"
#include <cuda_runtime.h>

namespace {
__global__ void dropout_kernel(const float *x, float *y, int64_t n, uint64_t seed, uint64_t step,
                               const uint64_t *step_dev, uint32_t stream, uint32_t threshold,
                               float scale) {
  if (step_dev) step = *step_dev;
  const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
  const int64_t blocks = (n + 3) / 4;
  for (int64_t b = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; b < blocks;
       b += (int64_t)gridDim.x * blockDim.x) {
    const uint32_t ctr[4] = {(uint32_t)b, (uint32_t)step, (uint32_t)(step >> 32), stream};
    uint32_t bits[4];
    nabla_philox_block(ctr, key, bits);
    const int64_t base = 4 * b;
#pragma unroll
    for (int j = 0; j < 4; j++) {
      if (base + j < n) y[base + j] = (bits[j] >> 8) >= threshold ? x[base + j] * scale : 0.0f;
    }
  }
}
}  // namespace

extern "C" int nabla_cuda_dropout(const float *x, float *y, int64_t n, uint64_t seed,
                                  uint64_t step, const uint64_t *step_dev, uint32_t stream_id,
                                  uint32_t threshold, float scale, void *stream) {
  if (n == 0) return 0;
  dropout_kernel<<<nabla_cuda::grid_for((n + 3) / 4), nabla_cuda::kThreads, 0,
                   (cudaStream_t)stream>>>(x, y, n, seed, step, step_dev, stream_id, threshold,
                                           scale);
  return (int)cudaGetLastError();
}

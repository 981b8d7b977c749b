// The data side of a device-resident epoch: the training set is uploaded once; each epoch's
// order is the argsort of per-sample Philox keys (nabla_shuffle_key, shared with the CPU path),
// sorted on the device with CUB's radix sort; each step gathers its batch rows by that order.
// Gather and the step counter read the batch index from device memory, so one captured CUDA
// graph serves every step of an epoch.
#include "nabla/cuda_kernels.h"
#include "nabla/philox.h"
#include "act.cuh"
#include <cub/device/device_radix_sort.cuh>
#include <cuda_runtime.h>

namespace {
using nabla_cuda::grid_for;
using nabla_cuda::kThreads;

__global__ void shuffle_keys_kernel(uint64_t *keys, int64_t n, uint64_t seed, uint64_t epoch) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    keys[i] = nabla_shuffle_key(seed, epoch, (uint32_t)i);
  }
}

__global__ void low_half_kernel(const uint64_t *keys, int32_t *order, int64_t n) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    order[i] = (int32_t)(uint32_t)keys[i];
  }
}

// dst row r = src row order[start + r] (identity when order is NULL), start = base + batch *
// stride with batch read from batch_dev when not NULL. One thread per float of the batch.
__global__ void gather_kernel(const float *src, int64_t width, const int32_t *order,
                              const int32_t *batch_dev, int64_t base, int64_t stride,
                              int64_t rows, float *dst) {
  const int64_t start = base + (batch_dev ? (int64_t)*batch_dev * stride : 0);
  const int64_t n = rows * width;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t r = i / width, c = i - r * width;
    const int64_t s = order ? order[start + r] : start + r;
    dst[i] = src[s * width + c];
  }
}

__global__ void advance_kernel(int32_t *batch, uint64_t *step) {
  if (batch) *batch += 1;
  if (step) *step += 1;
}
}  // namespace

extern "C" int nabla_cuda_shuffle_order(int64_t n, uint64_t seed, uint64_t epoch,
                                        uint64_t *keys, uint64_t *sorted, int32_t *order,
                                        void *temp, size_t *temp_bytes, void *stream) {
  if (n < 0 || n > INT32_MAX) return (int)cudaErrorInvalidValue;
  cudaStream_t st = (cudaStream_t)stream;
  if (temp == nullptr) {  // size query
    return (int)cub::DeviceRadixSort::SortKeys(nullptr, *temp_bytes, keys, sorted, (int)n, 0, 64,
                                               st);
  }
  if (n == 0) return 0;
  shuffle_keys_kernel<<<grid_for(n), kThreads, 0, st>>>(keys, n, seed, epoch);
  cudaError_t err = cub::DeviceRadixSort::SortKeys(temp, *temp_bytes, keys, sorted, (int)n, 0, 64,
                                                   st);
  if (err != cudaSuccess) return (int)err;
  low_half_kernel<<<grid_for(n), kThreads, 0, st>>>(sorted, order, n);
  return (int)cudaGetLastError();
}

extern "C" int nabla_cuda_gather_rows(const float *src, int64_t width, const int32_t *order,
                                      const int32_t *batch_dev, int64_t base, int64_t stride,
                                      int64_t rows, float *dst, void *stream) {
  if (rows * width == 0) return 0;
  gather_kernel<<<grid_for(rows * width), kThreads, 0, (cudaStream_t)stream>>>(
      src, width, order, batch_dev, base, stride, rows, dst);
  return (int)cudaGetLastError();
}

extern "C" int nabla_cuda_advance(int32_t *batch, uint64_t *step, void *stream) {
  advance_kernel<<<1, 1, 0, (cudaStream_t)stream>>>(batch, step);
  return (int)cudaGetLastError();
}

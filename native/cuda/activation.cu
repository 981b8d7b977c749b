// Bias + activation forward, activation backward and the bias gradient, for layers whose
// matmul did not fuse them (an Activation layer, a softmax output). Elementwise kernels are
// memory-bound: forward moves 12 bytes per element (read x, write z and y).
// Reference: native/cpu/activation.cpp (same formulas, act.cuh).
#include "nabla/cuda_kernels.h"
#include "act.cuh"
#include <cuda_runtime.h>

namespace {
using namespace nabla_cuda;

__global__ void bias_act_kernel(const float *x, const float *bias, float *z, float *y,
                                int64_t rows, int64_t cols, int act, float alpha) {
  const int64_t n = rows * cols;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const float v = x[i] + (bias ? bias[i % cols] : 0.0f);
    z[i] = v;
    y[i] = act_forward(v, act, alpha);
  }
}

__global__ void act_backward_kernel(const float *z, const float *y, const float *dy, float *dz,
                                    int64_t n, int act, float alpha) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    dz[i] = dy[i] * act_derivative(z[i], y[i], act, alpha);
  }
}

__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

__device__ __forceinline__ float warp_max(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// Softmax over each row, one warp per row: z = x + bias, y = exp(z - max) / sum.
__global__ void bias_softmax_kernel(const float *x, const float *bias, float *z, float *y,
                                    int64_t rows, int64_t cols) {
  const int lane = threadIdx.x & 31;
  const int64_t warps = (int64_t)gridDim.x * (blockDim.x >> 5);
  for (int64_t r = blockIdx.x * (int64_t)(blockDim.x >> 5) + (threadIdx.x >> 5); r < rows;
       r += warps) {
    const float *xr = x + r * cols;
    float *zr = z + r * cols, *yr = y + r * cols;
    float mx = -INFINITY;
    for (int64_t c = lane; c < cols; c += 32) {
      const float v = xr[c] + (bias ? bias[c] : 0.0f);
      zr[c] = v;
      mx = fmaxf(mx, v);
    }
    mx = warp_max(mx);
    float sum = 0.0f;
    for (int64_t c = lane; c < cols; c += 32) sum += expf(zr[c] - mx);
    const float inv = 1.0f / warp_sum(sum);
    for (int64_t c = lane; c < cols; c += 32) yr[c] = expf(zr[c] - mx) * inv;
  }
}

// Softmax's row Jacobian: dz = y * (dy - sum(dy * y)).
__global__ void softmax_backward_kernel(const float *y, const float *dy, float *dz, int64_t rows,
                                        int64_t cols) {
  const int lane = threadIdx.x & 31;
  const int64_t warps = (int64_t)gridDim.x * (blockDim.x >> 5);
  for (int64_t r = blockIdx.x * (int64_t)(blockDim.x >> 5) + (threadIdx.x >> 5); r < rows;
       r += warps) {
    const float *yr = y + r * cols, *gr = dy + r * cols;
    float dot = 0.0f;
    for (int64_t c = lane; c < cols; c += 32) dot += gr[c] * yr[c];
    dot = warp_sum(dot);
    float *dr = dz + r * cols;
    for (int64_t c = lane; c < cols; c += 32) dr[c] = yr[c] * (gr[c] - dot);
  }
}

// db[c] = sum_r dz[r, c]: one thread per column, rows walked in order (neighbouring threads
// read neighbouring columns: coalesced), summed in float in row order.
__global__ void bias_grad_kernel(const float *dz, float *db, int64_t rows, int64_t cols) {
  for (int64_t c = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; c < cols;
       c += (int64_t)gridDim.x * blockDim.x) {
    float s = 0.0f;
    for (int64_t r = 0; r < rows; r++) s += dz[r * cols + c];
    db[c] = s;
  }
}

unsigned row_grid(int64_t rows) {  // 8 warps per block, one row per warp
  const int64_t b = (rows + 7) / 8;
  return (unsigned)(b < 65535 ? (b > 0 ? b : 1) : 65535);
}
}  // namespace

extern "C" int nabla_cuda_bias_act_forward(const float *x, const float *bias, float *z, float *y,
                                           int64_t rows, int64_t cols, int act, float alpha,
                                           void *stream) {
  cudaStream_t st = (cudaStream_t)stream;
  if (rows * cols == 0) return 0;
  if (act == NABLA_ACT_SOFTMAX)
    bias_softmax_kernel<<<row_grid(rows), kThreads, 0, st>>>(x, bias, z, y, rows, cols);
  else
    bias_act_kernel<<<grid_for(rows * cols), kThreads, 0, st>>>(x, bias, z, y, rows, cols, act,
                                                                 alpha);
  return (int)cudaGetLastError();
}

extern "C" int nabla_cuda_act_backward(const float *z, const float *y, const float *dy, float *dz,
                                       int64_t rows, int64_t cols, int act, float alpha,
                                       void *stream) {
  cudaStream_t st = (cudaStream_t)stream;
  if (rows * cols == 0) return 0;
  if (act == NABLA_ACT_SOFTMAX)
    softmax_backward_kernel<<<row_grid(rows), kThreads, 0, st>>>(y, dy, dz, rows, cols);
  else
    act_backward_kernel<<<grid_for(rows * cols), kThreads, 0, st>>>(z, y, dy, dz, rows * cols,
                                                                     act, alpha);
  return (int)cudaGetLastError();
}

extern "C" int nabla_cuda_bias_grad(const float *dz, float *db, int64_t rows, int64_t cols,
                                    void *stream) {
  if (cols == 0) return 0;
  bias_grad_kernel<<<grid_for(cols), kThreads, 0, (cudaStream_t)stream>>>(dz, db, rows, cols);
  return (int)cudaGetLastError();
}

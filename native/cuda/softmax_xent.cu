// Fused softmax cross-entropy, one warp per row: max, log-sum-exp, the row's loss, the gradient
// w.r.t. the predictions (overwriting them when grad == pred) and whether the argmax hits the
// label, in one kernel. Loss and hit count accumulate on the device (double / u64 atomics) so a
// training step never synchronises with the host. Reads the row once for the reductions and once
// for the gradient: 8 bytes per element plus the write. Reference: native/cpu/softmax_xent.cpp.
#include "nabla/cuda_kernels.h"
#include "act.cuh"
#include <cuda_runtime.h>

namespace {
constexpr float kEps = 1e-7f;

__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// Warp-wide argmax: the first (lowest) index of the largest value, as the CPU kernel's loop.
__device__ __forceinline__ void warp_argmax(float &v, int64_t &i) {
  for (int o = 16; o > 0; o >>= 1) {
    const float ov = __shfl_xor_sync(0xffffffffu, v, o);
    const int64_t oi = __shfl_xor_sync(0xffffffffu, i, o);
    if (ov > v || (ov == v && oi < i)) { v = ov; i = oi; }
  }
}

__device__ __forceinline__ int64_t row_argmax(const float *p, int64_t cols, int lane) {
  float best = -INFINITY;
  int64_t at = INT64_MAX;
  for (int64_t c = lane; c < cols; c += 32)
    if (at == INT64_MAX || p[c] > best) { best = p[c]; at = c; }
  warp_argmax(best, at);
  return at;
}

__global__ void softmax_xent_kernel(const float *pred, const float *labels, float *row_loss,
                                    float *grad, int64_t rows, int64_t cols, int sparse,
                                    int from_logits, float ls, float grad_scale,
                                    double *loss_sum, unsigned long long *correct_sum) {
  const int lane = threadIdx.x & 31;
  const int64_t warps = (int64_t)gridDim.x * (blockDim.x >> 5);
  const float off = ls / (float)cols, on = 1.0f - ls;
  for (int64_t r = blockIdx.x * (int64_t)(blockDim.x >> 5) + (threadIdx.x >> 5); r < rows;
       r += warps) {
    const float *p = pred + r * cols;
    float *g = grad ? grad + r * cols : nullptr;
    const int64_t label = sparse ? (int64_t)labels[r] : -1;
    const float *y = sparse ? nullptr : labels + r * cols;
    auto target = [&](int64_t c) -> float {
      return sparse ? (c == label ? 1.0f : 0.0f) : y[c] * on + off;
    };
    const int64_t predicted = row_argmax(p, cols, lane);
    const int64_t truth = sparse ? label : row_argmax(y, cols, lane);
    float loss = 0.0f;
    if (from_logits) {
      float mx = -INFINITY;
      for (int64_t c = lane; c < cols; c += 32) mx = fmaxf(mx, p[c]);
      for (int o = 16; o > 0; o >>= 1) mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, o));
      float sum = 0.0f;
      for (int64_t c = lane; c < cols; c += 32) sum += expf(p[c] - mx);
      sum = warp_sum(sum);
      const float lse = mx + logf(sum);
      for (int64_t c = lane; c < cols; c += 32) {
        const float t = target(c);
        if (t != 0.0f) loss += t * (lse - p[c]);
      }
      loss = warp_sum(loss);
      if (g) {
        const float inv = 1.0f / sum;
        for (int64_t c = lane; c < cols; c += 32)
          g[c] = grad_scale * (expf(p[c] - mx) * inv - target(c));
      }
    } else {
      float s = 0.0f;
      for (int64_t c = lane; c < cols; c += 32) s += p[c];
      s = warp_sum(s);
      const float inv_s = 1.0f / s;
      float dot = 0.0f;  // sum_j dL/dq_j * q_j, the renormalisation's gradient
      for (int64_t c = lane; c < cols; c += 32) {
        const float q = p[c] * inv_s;
        const float cq = fminf(fmaxf(q, kEps), 1.0f - kEps);
        const float t = target(c);
        if (t != 0.0f) loss -= t * logf(cq);
        const float gq = (q >= kEps && q <= 1.0f - kEps) ? -t / cq : 0.0f;
        dot += gq * q;
        if (g) g[c] = gq;  // finished below, once the dot product is known
      }
      loss = warp_sum(loss);
      dot = warp_sum(dot);
      if (g)
        for (int64_t c = lane; c < cols; c += 32) g[c] = grad_scale * (g[c] - dot) * inv_s;
    }
    if (lane == 0) {
      if (row_loss) row_loss[r] = loss;
      if (loss_sum) atomicAdd(loss_sum, (double)loss);
      if (correct_sum && predicted == truth) atomicAdd(correct_sum, 1ull);
    }
  }
}
}  // namespace

extern "C" int nabla_cuda_softmax_xent(const float *pred, const float *labels, float *row_loss,
                                       float *grad, int64_t rows, int64_t cols, int sparse,
                                       int from_logits, float label_smoothing, float grad_scale,
                                       double *loss_sum, unsigned long long *correct_sum,
                                       void *stream) {
  if (rows == 0) return 0;
  const int64_t b = (rows + 7) / 8;  // 8 warps per block, one row per warp
  const unsigned grid = (unsigned)(b < 65535 ? b : 65535);
  softmax_xent_kernel<<<grid, nabla_cuda::kThreads, 0, (cudaStream_t)stream>>>(
      pred, labels, row_loss, grad, rows, cols, sparse, from_logits, label_smoothing, grad_scale,
      loss_sum, correct_sum);
  return (int)cudaGetLastError();
}

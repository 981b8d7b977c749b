// Fused softmax cross-entropy: max, log-sum-exp, the row's loss, the gradient w.r.t. the
// predictions (overwriting them when grad == pred) and whether the argmax hits the label, in one
// kernel; a thread per row up to 32 classes, a warp per row beyond. Loss and hit count
// accumulate on the device (one double / u64 atomic per block) so a training step never
// synchronises with the host. Minimum traffic: read the row, write the gradient (8 bytes per
// element) plus the label. Reference: native/cpu/softmax_xent.cpp.
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

// The loss, gradient and hit of one row, computed by one thread in the CPU kernel's order
// (native/cpu/softmax_xent.cpp): for narrow rows (MNIST's 10 classes) a warp per row would leave
// most lanes idle and spend its time in shuffles; a thread per row keeps the pass memory-bound
// (neighbouring threads read neighbouring rows: the warp's loads cover contiguous bytes).
__device__ __forceinline__ float row_thread(const float *p, const float *y, int64_t label,
                                            float *g, int64_t cols, int sparse, int from_logits,
                                            float on, float off, float grad_scale, bool *hit) {
  auto target = [&](int64_t c) -> float {
    return sparse ? (c == label ? 1.0f : 0.0f) : y[c] * on + off;
  };
  int64_t predicted = 0, truth = sparse ? label : 0;
  for (int64_t c = 1; c < cols; c++) {
    if (p[c] > p[predicted]) predicted = c;
    if (!sparse && y[c] > y[truth]) truth = c;
  }
  *hit = predicted == truth;
  float loss = 0.0f;
  if (from_logits) {
    float mx = p[0];
    for (int64_t c = 1; c < cols; c++) mx = fmaxf(mx, p[c]);
    float sum = 0.0f;
    for (int64_t c = 0; c < cols; c++) sum += expf(p[c] - mx);
    const float lse = mx + logf(sum);
    for (int64_t c = 0; c < cols; c++) {
      const float t = target(c);
      if (t != 0.0f) loss += t * (lse - p[c]);
    }
    if (g) {
      const float inv = 1.0f / sum;
      for (int64_t c = 0; c < cols; c++) g[c] = grad_scale * (expf(p[c] - mx) * inv - target(c));
    }
  } else {
    float s = 0.0f;
    for (int64_t c = 0; c < cols; c++) s += p[c];
    const float inv_s = 1.0f / s;
    float dot = 0.0f;
    for (int64_t c = 0; c < cols; c++) {
      const float q = p[c] * inv_s;
      const float cq = fminf(fmaxf(q, kEps), 1.0f - kEps);
      const float t = target(c);
      if (t != 0.0f) loss -= t * logf(cq);
      const float gq = (q >= kEps && q <= 1.0f - kEps) ? -t / cq : 0.0f;
      dot += gq * q;
      if (g) g[c] = gq;
    }
    if (g)
      for (int64_t c = 0; c < cols; c++) g[c] = grad_scale * (g[c] - dot) * inv_s;
  }
  return loss;
}

// Adds a block's loss and hits to the device tallies with one atomic each: 2^20 rows would
// otherwise queue 2^20 atomics on one address.
__device__ __forceinline__ void tally(double loss, unsigned long long hits, double *loss_sum,
                                      unsigned long long *correct_sum) {
  __shared__ double block_loss[32];
  __shared__ unsigned long long block_hits[32];
  for (int o = 16; o > 0; o >>= 1) {
    loss += __shfl_xor_sync(0xffffffffu, loss, o);
    hits += __shfl_xor_sync(0xffffffffu, hits, o);
  }
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  if (lane == 0) {
    block_loss[warp] = loss;
    block_hits[warp] = hits;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    double l = 0.0;
    unsigned long long h = 0;
    for (int w = 0; w < warps; w++) {
      l += block_loss[w];
      h += block_hits[w];
    }
    if (loss_sum) atomicAdd(loss_sum, l);
    if (correct_sum) atomicAdd(correct_sum, h);
  }
}

__global__ void softmax_xent_narrow(const float *pred, const float *labels, float *row_loss,
                                    float *grad, int64_t rows, int64_t cols, int sparse,
                                    int from_logits, float ls, float grad_scale,
                                    double *loss_sum, unsigned long long *correct_sum) {
  const float off = ls / (float)cols, on = 1.0f - ls;
  double loss = 0.0;
  unsigned long long hits = 0;
  // every thread of the block loops the same number of times, so all reach the tally's barrier
  const int64_t stride = (int64_t)gridDim.x * blockDim.x;
  const int64_t first = blockIdx.x * (int64_t)blockDim.x;
  for (int64_t base = first; base < rows; base += stride) {
    const int64_t r = base + threadIdx.x;
    if (r < rows) {
      bool hit;
      const float l = row_thread(pred + r * cols, sparse ? nullptr : labels + r * cols,
                                 sparse ? (int64_t)labels[r] : -1,
                                 grad ? grad + r * cols : nullptr, cols, sparse, from_logits, on,
                                 off, grad_scale, &hit);
      if (row_loss) row_loss[r] = l;
      loss += l;
      hits += hit ? 1 : 0;
    }
  }
  if (loss_sum || correct_sum) tally(loss, hits, loss_sum, correct_sum);
}

// Rows wider than a warp: one warp per row, lanes striding the columns.
__global__ void softmax_xent_wide(const float *pred, const float *labels, float *row_loss,
                                    float *grad, int64_t rows, int64_t cols, int sparse,
                                    int from_logits, float ls, float grad_scale,
                                    double *loss_sum, unsigned long long *correct_sum) {
  const int lane = threadIdx.x & 31;
  const int64_t warps = (int64_t)gridDim.x * (blockDim.x >> 5);
  const float off = ls / (float)cols, on = 1.0f - ls;
  double block_loss = 0.0;  // lane 0's rows
  unsigned long long block_hits = 0;
  // the loop's trip count is the same for every warp of a block only up to one: rows beyond the
  // end are skipped inside, so every thread reaches the tally's barrier
  const int64_t per_block = blockDim.x >> 5;
  for (int64_t base = blockIdx.x * per_block; base < rows; base += warps) {
    const int64_t r = base + (threadIdx.x >> 5);
    if (r >= rows) continue;
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
      block_loss += loss;
      block_hits += predicted == truth ? 1 : 0;
    }
  }
  if (loss_sum || correct_sum) tally(block_loss, block_hits, loss_sum, correct_sum);
}
}  // namespace

extern "C" int nabla_cuda_softmax_xent(const float *pred, const float *labels, float *row_loss,
                                       float *grad, int64_t rows, int64_t cols, int sparse,
                                       int from_logits, float label_smoothing, float grad_scale,
                                       double *loss_sum, unsigned long long *correct_sum,
                                       void *stream) {
  if (rows == 0) return 0;
  cudaStream_t st = (cudaStream_t)stream;
  if (cols <= 32) {  // a thread per row
    const int64_t b = (rows + nabla_cuda::kThreads - 1) / nabla_cuda::kThreads;
    const unsigned grid = (unsigned)(b < 65535 ? b : 65535);
    softmax_xent_narrow<<<grid, nabla_cuda::kThreads, 0, st>>>(
        pred, labels, row_loss, grad, rows, cols, sparse, from_logits, label_smoothing,
        grad_scale, loss_sum, correct_sum);
  } else {  // a warp per row, 8 rows per block
    const int64_t b = (rows + 7) / 8;
    const unsigned grid = (unsigned)(b < 65535 ? b : 65535);
    softmax_xent_wide<<<grid, nabla_cuda::kThreads, 0, st>>>(
        pred, labels, row_loss, grad, rows, cols, sparse, from_logits, label_smoothing,
        grad_scale, loss_sum, correct_sum);
  }
  return (int)cudaGetLastError();
}

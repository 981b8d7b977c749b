// Fused optimizer updates on the GPU: one launch updates every parameter of the model's flat
// buffer, with gradient scaling, clip-value and decoupled weight decay folded in. The rules are
// the CPU kernels' (native/cpu/optim.cpp) line for line, so both agree to float32 rounding.
// The segment table and hyperparameters travel as kernel arguments (no copies per step).
// Memory-bound: Adam moves 28 bytes per parameter (read w, g, m, v; write w, m, v).
#include "nabla/cuda_kernels.h"
#include "nabla/kernels.h"
#include <cuda_runtime.h>

namespace {

struct Hyper {
  float v[16];
};

struct SegTable {
  int64_t end[NABLA_CUDA_MAX_SEGMENTS];
  float gscale[NABLA_CUDA_MAX_SEGMENTS];
  float wd[NABLA_CUDA_MAX_SEGMENTS];
  const float *gscale_dev;  // when not null, the segments' scales live here (device clipnorm)
  int n;
};

__device__ __forceinline__ int segment_of(const SegTable &t, int64_t i) {
  int lo = 0, hi = t.n - 1;  // first segment whose end is > i
  while (lo < hi) {
    int mid = (lo + hi) >> 1;
    if (t.end[mid] > i) hi = mid; else lo = mid + 1;
  }
  return lo;
}

// The gradient after scale and clip; applies weight decay to w in place.
__device__ __forceinline__ float prepare(float *w, const float *g, int64_t i, const SegTable &t,
                                         int s, float decay_lr, float clipvalue) {
  float gi = g[i] * (t.gscale_dev ? t.gscale_dev[s] : t.gscale[s]);
  if (clipvalue > 0.0f) gi = fminf(fmaxf(gi, -clipvalue), clipvalue);
  const float d = t.wd[s];
  if (d != 0.0f) w[i] = w[i] - w[i] * d * decay_lr;
  return gi;
}

// The step's hyperparameters: the launch's copy, or row *hp_row of a device table (a captured
// CUDA graph replays its launch arguments unchanged, so per-step values must come from memory).
__device__ __forceinline__ const float *hyper(const Hyper &hp, const float *hp_table,
                                              const int32_t *hp_row) {
  return hp_table ? hp_table + 16 * (int64_t)*hp_row : hp.v;
}

__global__ void optimizer_kernel(int rule, Hyper hp, const float *hp_table, const int32_t *hp_row,
                                 float *w, const float *g, float *s0, float *s1, float *s2,
                                 int64_t n, SegTable t, float decay_lr, float clipvalue) {
  const float *h = hyper(hp, hp_table, hp_row);
  if (hp_table) decay_lr = h[15];
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int s = segment_of(t, i);
    const float gi = prepare(w, g, i, t, s, decay_lr, clipvalue);
    float wi = w[i];
    switch (rule) {
      case NABLA_OPT_SGD:
        if (h[1] == 0.0f) {
          wi = wi - h[0] * gi;
        } else {
          const float m = h[1] * s0[i] - h[0] * gi;
          s0[i] = m;
          wi = wi + (h[2] != 0.0f ? h[1] * m - h[0] * gi : m);
        }
        break;
      case NABLA_OPT_RMSPROP: {
        const float vel = h[1] * s0[i] + (1.0f - h[1]) * (gi * gi);
        s0[i] = vel;
        float denom;
        if (h[4] != 0.0f) {
          const float avg = h[1] * s2[i] + (1.0f - h[1]) * gi;
          s2[i] = avg;
          denom = vel - avg * avg + h[3];
        } else {
          denom = vel + h[3];
        }
        const float inc = (h[0] * gi) / sqrtf(denom);
        if (h[2] > 0.0f) {
          const float mv = h[2] * s1[i] + inc;
          s1[i] = mv;
          wi = wi - mv;
        } else {
          wi = wi - inc;
        }
        break;
      }
      case NABLA_OPT_ADAGRAD: {
        const float acc = s0[i] + gi * gi;
        s0[i] = acc;
        wi = wi - (h[0] * gi) / sqrtf(acc + h[1]);
        break;
      }
      case NABLA_OPT_ADADELTA: {
        const float ag = h[1] * s0[i] + (1.0f - h[1]) * (gi * gi);
        s0[i] = ag;
        const float delta = -((sqrtf(s1[i] + h[2]) * gi) / sqrtf(ag + h[2]));
        s1[i] = h[1] * s1[i] + (1.0f - h[1]) * (delta * delta);
        wi = wi + h[0] * delta;
        break;
      }
      case NABLA_OPT_ADAM: {
        const float m = s0[i] + (gi - s0[i]) * (1.0f - h[1]);
        float v = s1[i] + (gi * gi - s1[i]) * (1.0f - h[2]);
        s0[i] = m;
        s1[i] = v;
        if (h[4] != 0.0f) {
          v = fmaxf(s2[i], v);
          s2[i] = v;
        }
        wi = wi - (m * h[0]) / (sqrtf(v) + h[3]);
        break;
      }
      case NABLA_OPT_ADAMAX: {
        const float m = s0[i] + (gi - s0[i]) * (1.0f - h[1]);
        const float u = fmaxf(h[2] * s1[i], fabsf(gi));
        s0[i] = m;
        s1[i] = u;
        wi = wi - (h[0] * m) / (h[4] * (u + h[3]));
        break;
      }
      case NABLA_OPT_NADAM: {
        const float m = s0[i] + (gi - s0[i]) * (1.0f - h[1]);
        const float v = s1[i] + (gi * gi - s1[i]) * (1.0f - h[2]);
        s0[i] = m;
        s1[i] = v;
        const float m_hat = (h[4] * m) / h[5] + (h[6] * gi) / h[7];
        wi = wi - (m_hat * h[0]) / (sqrtf(v / h[8]) + h[3]);
        break;
      }
      case NABLA_OPT_FTRL: {
        const float lr = h[0], power = h[1], l1 = h[2], l2 = h[3], shrink = h[4];
        const float grad_to_use = gi + 2.0f * shrink * wi;
        const float acc = s0[i], new_acc = acc + gi * gi;
        // learning_rate_power -0.5 (Keras's default) is a square root, as on the CPU: sqrtf is
        // correctly rounded, powf(x, 0.5) is not, so the two backends would drift apart
        const bool root = power == -0.5f;
        const float r_new = root ? sqrtf(new_acc) : powf(new_acc, -power);
        const float r_old = root ? sqrtf(acc) : powf(acc, -power);
        const float lin = s1[i] + (grad_to_use - ((r_new - r_old) / lr) * wi);
        s1[i] = lin;
        const float quadratic = r_new / lr + 2.0f * l2;
        wi = (fminf(fmaxf(lin, -l1), l1) - lin) / quadratic;
        s0[i] = new_acc;
        break;
      }
      case NABLA_OPT_LION: {
        const float c = s0[i] * h[1] + gi * (1.0f - h[1]);
        wi = wi - h[0] * (float)((c > 0.0f) - (c < 0.0f));
        s0[i] = s0[i] * h[2] + gi * (1.0f - h[2]);
        break;
      }
      default:
        break;
    }
    w[i] = wi;
  }
}

// Per-segment sums in double, reproducible bit for bit: one block per segment (blockIdx.x), each
// thread summing a fixed stride of it in order, then a fixed tree over the block's threads. No
// atomics, so the order of additions never depends on scheduling (clipnorm and Lamb give the
// same bits on every run). Segments are few (<= 64); a block streams its whole segment.
constexpr int kSumThreads = 512;

__device__ __forceinline__ double block_sum(double v, double *shared) {
  shared[threadIdx.x] = v;
  __syncthreads();
  for (int half = kSumThreads / 2; half > 0; half >>= 1) {
    if (threadIdx.x < half) shared[threadIdx.x] += shared[threadIdx.x + half];
    __syncthreads();
  }
  const double total = shared[0];
  __syncthreads();  // shared is reused by the caller's next sum
  return total;
}

// Lamb, pass 1: moments, and per-segment sums of w^2 and u^2 into sums[2s], sums[2s + 1].
__global__ void lamb_moments(Hyper hp, const float *hp_table, const int32_t *hp_row, float *w, const float *g, float *m, float *v, int64_t n,
                             SegTable t, float decay_lr, float clipvalue, double *sums) {
  __shared__ double shared[kSumThreads];
  const float *h = hyper(hp, hp_table, hp_row);
  if (hp_table) decay_lr = h[15];
  const int s = blockIdx.x;
  const int64_t begin = s == 0 ? 0 : t.end[s - 1], end = t.end[s];
  double ww = 0.0, uu = 0.0;
  for (int64_t i = begin + threadIdx.x; i < end; i += kSumThreads) {
    const float gi = prepare(w, g, i, t, s, decay_lr, clipvalue);
    const float mi = m[i] + (gi - m[i]) * (1.0f - h[1]);
    const float vi = v[i] + (gi * gi - v[i]) * (1.0f - h[2]);
    m[i] = mi;
    v[i] = vi;
    const float u = (mi / h[4]) / (sqrtf(vi / h[5]) + h[3]);
    ww += (double)w[i] * w[i];
    uu += (double)u * u;
  }
  ww = block_sum(ww, shared);
  uu = block_sum(uu, shared);
  if (threadIdx.x == 0) {
    sums[2 * s] = ww;
    sums[2 * s + 1] = uu;
  }
}

// Lamb, pass 2: w -= ratio * lr * u with the segment's trust ratio.
__global__ void lamb_apply(Hyper hp, const float *hp_table, const int32_t *hp_row, float *w, const float *m, const float *v, int64_t n,
                           SegTable t, const double *sums) {
  const float *h = hyper(hp, hp_table, hp_row);
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    const int s = segment_of(t, i);
    const float wn = (float)sqrt(sums[2 * s]), un = (float)sqrt(sums[2 * s + 1]);
    const float ratio = (wn > 0.0f && un > 0.0f) ? wn / un : 1.0f;
    const float u = (m[i] / h[4]) / (sqrtf(v[i] / h[5]) + h[3]);
    w[i] = w[i] - ratio * h[0] * u;
  }
}

__global__ void sum_squares(const float *x, SegTable t, double *out) {
  __shared__ double shared[kSumThreads];
  const int s = blockIdx.x;
  const int64_t begin = s == 0 ? 0 : t.end[s - 1], end = t.end[s];
  double acc = 0.0;
  for (int64_t i = begin + threadIdx.x; i < end; i += kSumThreads) acc += (double)x[i] * x[i];
  acc = block_sum(acc, shared);
  if (threadIdx.x == 0) out[s] = acc;
}

// Per-segment gradient factors from the segments' sums of squares, in the optimizer base
// class's float arithmetic (dev.nabla.optimizers.Optimizer.setGradientScales): clipnorm per
// variable, or global_clipnorm over all of them (NaN when the norm is not finite), times pre.
// nseg <= 64 values: one thread.
__global__ void clip_scales_kernel(const double *sums, int nseg, float pre, float clipnorm,
                                   float global_clipnorm, float *gscale) {
  double total = 0.0;
  for (int s = 0; s < nseg; s++) {
    float scale = pre;
    if (clipnorm > 0.0f) {
      const float norm = (float)sqrt(sums[s]) * pre;
      const float mx = norm != norm ? norm : fmaxf(norm, clipnorm);  // Java's max keeps NaN
      scale = pre * (clipnorm / mx);
    }
    gscale[s] = scale;
    total += sums[s];
  }
  if (global_clipnorm > 0.0f) {
    const float norm = (float)sqrt(total) * pre;
    const float inv = 1.0f / norm, cap = 1.0f / global_clipnorm;
    const float mn = inv != inv ? inv : fminf(inv, cap);  // Java's min keeps NaN
    const float scale = __fadd_rn(__fmul_rn(global_clipnorm, mn), norm - norm);
    for (int s = 0; s < nseg; s++) gscale[s] = __fmul_rn(pre, scale);
  }
}

__global__ void axpy_kernel(float *y, const float *x, float a, int64_t n) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    y[i] += a * x[i];
  }
}

__global__ void ema_kernel(float *avg, const float *w, float momentum, int64_t n) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n;
       i += (int64_t)gridDim.x * blockDim.x) {
    avg[i] = momentum * avg[i] + (1.0f - momentum) * w[i];
  }
}

constexpr int kThreads = 256;

inline unsigned blocks(int64_t n) {
  const int64_t b = (n + kThreads - 1) / kThreads;
  return (unsigned)(b < 65535 * 8 ? (b > 0 ? b : 1) : 65535 * 8);  // grid-stride beyond that
}

inline int table(SegTable *t, int64_t nseg, const int64_t *end, const float *gscale,
                 const float *wd) {
  if (nseg < 1 || nseg > NABLA_CUDA_MAX_SEGMENTS) return (int)cudaErrorInvalidValue;
  t->n = (int)nseg;
  t->gscale_dev = nullptr;
  for (int64_t s = 0; s < nseg; s++) {
    t->end[s] = end[s];
    t->gscale[s] = gscale ? gscale[s] : 1.0f;
    t->wd[s] = wd ? wd[s] : 0.0f;
  }
  return 0;
}

int step(int rule, const float *hp_host, const float *hp_table, const int32_t *hp_row, float *w,
         const float *g, float *s0, float *s1, float *s2, int64_t nseg,
         const int64_t *seg_end_host, const float *gscale_host, const float *gscale_dev,
         const float *wd_host, float decay_lr, float clipvalue, double *lamb_scratch,
         void *stream) {
  SegTable t;
  if (int err = table(&t, nseg, seg_end_host, gscale_host, wd_host)) return err;
  t.gscale_dev = gscale_dev;
  Hyper hp = {};
  if (hp_host)
    for (int k = 0; k < 16; k++) hp.v[k] = hp_host[k];
  const int64_t n = seg_end_host[nseg - 1];
  cudaStream_t st = (cudaStream_t)stream;
  if (rule == NABLA_OPT_LAMB) {
    if (!lamb_scratch) return (int)cudaErrorInvalidValue;
    lamb_moments<<<(unsigned)nseg, kSumThreads, 0, st>>>(hp, hp_table, hp_row, w, g, s0, s1, n,
                                                         t, decay_lr, clipvalue, lamb_scratch);
    lamb_apply<<<blocks(n), kThreads, 0, st>>>(hp, hp_table, hp_row, w, s0, s1, n, t,
                                               lamb_scratch);
  } else {
    optimizer_kernel<<<blocks(n), kThreads, 0, st>>>(rule, hp, hp_table, hp_row, w, g, s0, s1, s2,
                                                     n, t, decay_lr, clipvalue);
  }
  return (int)cudaGetLastError();
}

}  // namespace

extern "C" int nabla_cuda_optimizer_step(int rule, const float *hp_host, float *w, const float *g,
                                         float *s0, float *s1, float *s2, int64_t nseg,
                                         const int64_t *seg_end_host, const float *gscale_host,
                                         const float *wd_host, float decay_lr, float clipvalue,
                                         double *lamb_scratch, void *stream) {
  if (!hp_host) return (int)cudaErrorInvalidValue;
  return step(rule, hp_host, nullptr, nullptr, w, g, s0, s1, s2, nseg, seg_end_host, gscale_host,
              nullptr, wd_host, decay_lr, clipvalue, lamb_scratch, stream);
}

extern "C" int nabla_cuda_optimizer_step_table(int rule, const float *hp_table,
                                               const int32_t *hp_row, float *w, const float *g,
                                               float *s0, float *s1, float *s2, int64_t nseg,
                                               const int64_t *seg_end_host,
                                               const float *gscale_host, const float *gscale_dev,
                                               const float *wd_host, float decay_lr,
                                               float clipvalue, double *lamb_scratch,
                                               void *stream) {
  if (!hp_table || !hp_row) return (int)cudaErrorInvalidValue;
  return step(rule, nullptr, hp_table, hp_row, w, g, s0, s1, s2, nseg, seg_end_host, gscale_host,
              gscale_dev, wd_host, decay_lr, clipvalue, lamb_scratch, stream);
}

extern "C" int nabla_cuda_clip_scales(const double *sums, int64_t nseg, float pre, float clipnorm,
                                      float global_clipnorm, float *gscale, void *stream) {
  if (nseg < 1 || nseg > NABLA_CUDA_MAX_SEGMENTS) return (int)cudaErrorInvalidValue;
  clip_scales_kernel<<<1, 1, 0, (cudaStream_t)stream>>>(sums, (int)nseg, pre, clipnorm,
                                                        global_clipnorm, gscale);
  return (int)cudaGetLastError();
}

extern "C" int nabla_cuda_segment_sum_squares(const float *x, int64_t nseg,
                                              const int64_t *seg_end_host, double *out,
                                              void *stream) {
  SegTable t;
  if (int err = table(&t, nseg, seg_end_host, nullptr, nullptr)) return err;
  sum_squares<<<(unsigned)nseg, kSumThreads, 0, (cudaStream_t)stream>>>(x, t, out);
  return (int)cudaGetLastError();
}

extern "C" int nabla_cuda_axpy(float *y, const float *x, float a, int64_t n, void *stream) {
  axpy_kernel<<<blocks(n), kThreads, 0, (cudaStream_t)stream>>>(y, x, a, n);
  return (int)cudaGetLastError();
}

extern "C" int nabla_cuda_ema_update(float *avg, const float *w, float momentum, int64_t n,
                                     void *stream) {
  ema_kernel<<<blocks(n), kThreads, 0, (cudaStream_t)stream>>>(avg, w, momentum, n);
  return (int)cudaGetLastError();
}

// The graph's light ops on the device: fill, unary and broadcast-binary maps and their
// gradients, row reductions, row scaling and the pointwise losses (mse, mae, bce). They carry
// custom losses and the loss reductions, so every op a graph can hold runs where its tensors
// live. All are memory-bound and tiny next to the gemms; they favour plain, exact code: sums in
// double, in a fixed order, one thread per output, so results do not change from run to run.
// Reference: dev.nabla.backend.JavaBackend (same formulas, same order of operations).
#include "nabla/cuda_kernels.h"
#include <cuda_runtime.h>
#include <math.h>

namespace {

constexpr int kThreads = 256;

inline unsigned blocks(int64_t n) {
  const int64_t b = (n + kThreads - 1) / kThreads;
  return (unsigned)(b < 65535 * 8 ? (b > 0 ? b : 1) : 65535 * 8);  // grid-stride beyond that
}

// Java's Math.max / min / signum keep a NaN, CUDA's fmax / fmin drop it: these keep it, so a NaN
// flows through the device's losses as through the reference's
__device__ __forceinline__ float keep_nan_max(float a, float b) { return a != a ? a : fmaxf(a, b); }
__device__ __forceinline__ double keep_nan_max(double a, double b) { return a != a ? a : fmax(a, b); }
__device__ __forceinline__ double keep_nan_min(double a, double b) { return a != a ? a : fmin(a, b); }
__device__ __forceinline__ float sign_of(float v) {
  return v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : v);  // +-0 stays, NaN stays
}
__device__ __forceinline__ double sign_of(double v) { return v > 0.0 ? 1.0 : (v < 0.0 ? -1.0 : v); }

#define NABLA_FOR_EACH(i, n)                                                     \
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < (n);      \
       i += (int64_t)gridDim.x * blockDim.x)

__global__ void fill_kernel(float *y, float v, int64_t n) {
  NABLA_FOR_EACH(i, n) y[i] = v;
}

__global__ void unary_kernel(int kind, const float *x, float *y, int64_t n, float c) {
  NABLA_FOR_EACH(i, n) {
    const float v = x[i];
    switch (kind) {
      case NABLA_UNARY_SCALE: y[i] = c * v; break;
      case NABLA_UNARY_SQUARE: y[i] = v * v; break;
      case NABLA_UNARY_ABS: y[i] = fabsf(v); break;
      default: y[i] = (float)log((double)keep_nan_max(v, c)); break;
    }
  }
}

__global__ void unary_backward_kernel(int kind, const float *x, const float *g, float *out,
                                      int64_t n, float c) {
  NABLA_FOR_EACH(i, n) {
    const float v = x[i];
    float d;
    switch (kind) {
      case NABLA_UNARY_SCALE: d = c; break;
      case NABLA_UNARY_SQUARE: d = 2.0f * v; break;
      case NABLA_UNARY_ABS: d = sign_of(v); break;
      default: d = v > c ? 1.0f / v : 0.0f; break;
    }
    out[i] = g[i] * d;
  }
}

__global__ void binary_kernel(int kind, const float *a, int64_t na, const float *b, int64_t nb,
                              float *y, int64_t n) {
  NABLA_FOR_EACH(i, n) {
    const float x = a[i % na], z = b[i % nb];
    y[i] = kind == NABLA_BINARY_ADD ? x + z : (kind == NABLA_BINARY_SUB ? x - z : x * z);
  }
}

// out[j] = sign * sum over i = j, j + m, ... < n of g[i] * other[i % no]: the gradient of a
// broadcast operand of m values summed over its repeats (m == n: no repeats).
__global__ void binary_grad_kernel(const float *g, const float *other, int64_t no, float *out,
                                   int64_t m, int64_t n, float sign) {
  NABLA_FOR_EACH(j, m) {
    double s = 0.0;
    for (int64_t i = j; i < n; i += m) s += (double)(g[i] * (other ? other[i % no] : 1.0f));
    out[j] = (float)(sign * s);
  }
}

// y[r] = sum over the row's group of x (times w) / divisor, summed in double.
__global__ void reduce_rows_kernel(const float *x, const float *w, float *y, int64_t rows,
                                   int64_t group, double divisor) {
  NABLA_FOR_EACH(r, rows) {
    double s = 0.0;
    const float *xr = x + r * group;
    const float *wr = w ? w + r * group : nullptr;
    for (int64_t c = 0; c < group; c++) s += (double)xr[c] * (wr ? (double)wr[c] : 1.0);
    y[r] = divisor == 0.0 ? 0.0f : (float)(s / divisor);
  }
}

__global__ void scale_rows_kernel(const float *g, const float *m, float *out, int64_t rows,
                                  int64_t group, float divisor) {
  const int64_t n = rows * group;
  NABLA_FOR_EACH(i, n) {
    const float up = g[i / group] / divisor;
    out[i] = m ? up * m[i] : up;
  }
}

// Keras's epsilon and 1 - epsilon as float32 values, the bounds its clip uses
#define NABLA_BCE_LOW ((double)1e-7f)
#define NABLA_BCE_HIGH ((double)(1.0f - 1e-7f))

__device__ double pointwise_value(int kind, double keep, double half, double y, double p) {
  switch (kind) {
    case NABLA_LOSS_MSE: return (p - y) * (p - y);
    case NABLA_LOSS_MAE: return fabs(p - y);
    case NABLA_LOSS_BCE: {
      const double t = y * keep + half;
      const double c = keep_nan_min(keep_nan_max(p, NABLA_BCE_LOW), NABLA_BCE_HIGH);
      return -(t * log(c) + (1 - t) * log(1 - c));
    }
    default: {  // from logits
      const double t = y * keep + half;
      return keep_nan_max(p, 0.0) - p * t + log1p(exp(-fabs(p)));
    }
  }
}

__device__ double pointwise_derivative(int kind, double keep, double half, double y, double p) {
  switch (kind) {
    case NABLA_LOSS_MSE: return 2 * (p - y);
    case NABLA_LOSS_MAE: return sign_of(p - y);
    case NABLA_LOSS_BCE: {
      if (p < NABLA_BCE_LOW || p > NABLA_BCE_HIGH) return 0.0;  // the clip's gradient
      const double t = y * keep + half;
      return -t / p + (1 - t) / (1 - p);
    }
    default: {
      const double t = y * keep + half;
      return 1 / (1 + exp(-p)) - t;
    }
  }
}

__global__ void pointwise_loss_kernel(int kind, double keep, double half, const float *y,
                                      const float *p, float *loss, int64_t rows, int64_t group) {
  NABLA_FOR_EACH(r, rows) {
    double s = 0.0;
    for (int64_t c = 0, o = r * group; c < group; c++) {
      s += pointwise_value(kind, keep, half, y[o + c], p[o + c]);
    }
    loss[r] = (float)(s / group);
  }
}

__global__ void pointwise_loss_backward_kernel(int kind, double keep, double half,
                                               const float *y, const float *p, const float *g,
                                               float *out, int64_t rows, int64_t group) {
  const int64_t n = rows * group;
  NABLA_FOR_EACH(i, n) {
    out[i] = (float)(g[i / group] * pointwise_derivative(kind, keep, half, y[i], p[i]) / group);
  }
}

}  // namespace

extern "C" int nabla_cuda_fill(float *y, float value, int64_t n, void *stream) {
  fill_kernel<<<blocks(n), kThreads, 0, (cudaStream_t)stream>>>(y, value, n);
  return (int)cudaGetLastError();
}

extern "C" int nabla_cuda_unary(int kind, const float *x, float *y, int64_t n, float c,
                                void *stream) {
  unary_kernel<<<blocks(n), kThreads, 0, (cudaStream_t)stream>>>(kind, x, y, n, c);
  return (int)cudaGetLastError();
}

extern "C" int nabla_cuda_unary_backward(int kind, const float *x, const float *g, float *out,
                                         int64_t n, float c, void *stream) {
  unary_backward_kernel<<<blocks(n), kThreads, 0, (cudaStream_t)stream>>>(kind, x, g, out, n, c);
  return (int)cudaGetLastError();
}

extern "C" int nabla_cuda_binary(int kind, const float *a, int64_t na, const float *b,
                                 int64_t nb, float *y, int64_t n, void *stream) {
  binary_kernel<<<blocks(n), kThreads, 0, (cudaStream_t)stream>>>(kind, a, na, b, nb, y, n);
  return (int)cudaGetLastError();
}

extern "C" int nabla_cuda_binary_grad(const float *g, const float *other, int64_t other_size,
                                      float *out, int64_t m, int64_t n, float sign,
                                      void *stream) {
  binary_grad_kernel<<<blocks(m), kThreads, 0, (cudaStream_t)stream>>>(g, other, other_size, out,
                                                                      m, n, sign);
  return (int)cudaGetLastError();
}

extern "C" int nabla_cuda_reduce_rows(const float *x, const float *w, float *y, int64_t rows,
                                      int64_t group, double divisor, void *stream) {
  reduce_rows_kernel<<<blocks(rows), kThreads, 0, (cudaStream_t)stream>>>(x, w, y, rows, group,
                                                                         divisor);
  return (int)cudaGetLastError();
}

extern "C" int nabla_cuda_scale_rows(const float *g, const float *m, float *out, int64_t rows,
                                     int64_t group, float divisor, void *stream) {
  scale_rows_kernel<<<blocks(rows * group), kThreads, 0, (cudaStream_t)stream>>>(g, m, out, rows,
                                                                                group, divisor);
  return (int)cudaGetLastError();
}

extern "C" int nabla_cuda_pointwise_loss(int kind, double label_smoothing, const float *y,
                                         const float *p, float *loss, int64_t rows,
                                         int64_t group, void *stream) {
  const double ls = label_smoothing;
  pointwise_loss_kernel<<<blocks(rows), kThreads, 0, (cudaStream_t)stream>>>(
      kind, 1 - ls, ls / 2, y, p, loss, rows, group);
  return (int)cudaGetLastError();
}

extern "C" int nabla_cuda_pointwise_loss_backward(int kind, double label_smoothing,
                                                  const float *y, const float *p, const float *g,
                                                  float *out, int64_t rows, int64_t group,
                                                  void *stream) {
  const double ls = label_smoothing;
  pointwise_loss_backward_kernel<<<blocks(rows * group), kThreads, 0, (cudaStream_t)stream>>>(
      kind, 1 - ls, ls / 2, y, p, g, out, rows, group);
  return (int)cudaGetLastError();
}

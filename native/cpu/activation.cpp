// Bias add + activation, forward and backward, and the bias gradient. Reference:
// dev.nabla.backend.JavaBackend (same names). One pass over memory each: these run right after
// an sgemm on data still in cache, so the point is to avoid extra passes, not to be clever.
#include "nabla/kernels.h"
#include "nabla/flush_denormals.h"
#include <cmath>
#include <algorithm>

namespace {
const float kInvSqrt2 = 0.70710678118654752f;
const float kInvSqrt2Pi = 0.39894228040143268f;
const float kSeluAlpha = 1.67326324f, kSeluScale = 1.05070098f;  // Keras's selu constants

inline float act_fwd(float z, int act, float alpha) {
  switch (act) {
    case NABLA_ACT_RELU: return z > 0.0f ? z : 0.0f;
    case NABLA_ACT_SIGMOID: return 1.0f / (1.0f + std::exp(-z));
    case NABLA_ACT_TANH: return std::tanh(z);
    case NABLA_ACT_GELU: return 0.5f * z * (1.0f + std::erf(z * kInvSqrt2));
    case NABLA_ACT_LEAKY_RELU: return z > 0.0f ? z : alpha * z;
    case NABLA_ACT_ELU: return z > 0.0f ? z : alpha * std::expm1(z);
    case NABLA_ACT_SELU: return kSeluScale * (z > 0.0f ? z : kSeluAlpha * std::expm1(z));
    case NABLA_ACT_SOFTPLUS: return std::max(z, 0.0f) + std::log1p(std::exp(-std::fabs(z)));
    case NABLA_ACT_SOFTSIGN: return z / (1.0f + std::fabs(z));
    case NABLA_ACT_SWISH: return z / (1.0f + std::exp(-z));
    case NABLA_ACT_EXPONENTIAL: return std::exp(z);
    case NABLA_ACT_HARD_SIGMOID: return std::min(std::max(z + 3.0f, 0.0f), 6.0f) / 6.0f;
    case NABLA_ACT_RELU6: return std::min(std::max(z, 0.0f), 6.0f);
    default: return z;
  }
}

inline float act_grad(float z, float y, int act, float alpha) {
  switch (act) {
    case NABLA_ACT_RELU: return z > 0.0f ? 1.0f : 0.0f;
    case NABLA_ACT_SIGMOID: return y * (1.0f - y);
    case NABLA_ACT_TANH: return 1.0f - y * y;
    case NABLA_ACT_GELU:
      return 0.5f * (1.0f + std::erf(z * kInvSqrt2)) + z * kInvSqrt2Pi * std::exp(-0.5f * z * z);
    case NABLA_ACT_LEAKY_RELU: return z > 0.0f ? 1.0f : alpha;
    case NABLA_ACT_ELU: return z > 0.0f ? 1.0f : alpha * std::exp(z);
    case NABLA_ACT_SELU: return kSeluScale * (z > 0.0f ? 1.0f : kSeluAlpha * std::exp(z));
    case NABLA_ACT_SOFTPLUS: return 1.0f / (1.0f + std::exp(-z));
    case NABLA_ACT_SOFTSIGN: { const float d = 1.0f + std::fabs(z); return 1.0f / (d * d); }
    case NABLA_ACT_SWISH: {
      const float s = 1.0f / (1.0f + std::exp(-z));
      return s + z * s * (1.0f - s);
    }
    case NABLA_ACT_EXPONENTIAL: return y;
    case NABLA_ACT_HARD_SIGMOID: return z > -3.0f && z < 3.0f ? 1.0f / 6.0f : 0.0f;
    case NABLA_ACT_RELU6: return z > 0.0f && z < 6.0f ? 1.0f : 0.0f;
    default: return 1.0f;
  }
}

// Row-wise softmax of z into y, max-subtracted for stability.
inline void softmax_row(const float *z, float *y, int64_t cols) {
  float mx = z[0];
  for (int64_t c = 1; c < cols; c++) mx = std::max(mx, z[c]);
  float sum = 0.0f;
  for (int64_t c = 0; c < cols; c++) { y[c] = std::exp(z[c] - mx); sum += y[c]; }
  const float inv = 1.0f / sum;
  for (int64_t c = 0; c < cols; c++) y[c] *= inv;
}
}  // namespace

#define NABLA_CLONES __attribute__((target_clones("avx2", "default")))

extern "C" NABLA_CLONES void nabla_bias_act_forward(const float *x, const float *bias, float *z,
                                                    float *y, int64_t rows, int64_t cols, int act,
                                                    float alpha) {
  NABLA_FLUSH_DENORMALS;
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    float *zr = z + r * cols;
    float *yr = y + r * cols;
    if (bias) {
      for (int64_t c = 0; c < cols; c++) zr[c] = xr[c] + bias[c];
    } else if (zr != xr) {
      for (int64_t c = 0; c < cols; c++) zr[c] = xr[c];
    }
    if (act == NABLA_ACT_SOFTMAX) {
      softmax_row(zr, yr, cols);
    } else if (act == NABLA_ACT_RELU) {  // the hot case: branch-free for the vectoriser
      for (int64_t c = 0; c < cols; c++) yr[c] = std::max(zr[c], 0.0f);
    } else if (act != NABLA_ACT_LINEAR || yr != zr) {
      for (int64_t c = 0; c < cols; c++) yr[c] = act_fwd(zr[c], act, alpha);
    }
  }
}

namespace {
// One activation's backward over n elements, with the activation fixed at compile time so the
// loop has no branches (ReLU and leaky ReLU vectorise; the others call libm per element).
template <int ACT>
inline void act_backward_loop(const float *__restrict z, const float *__restrict y,
                              const float *__restrict dy, float *dz, int64_t n, float alpha) {
  for (int64_t i = 0; i < n; i++) {
    const float d = dy[i];  // loaded unconditionally: lets GCC if-convert the select
    if constexpr (ACT == NABLA_ACT_RELU) dz[i] = z[i] > 0.0f ? d : 0.0f;
    else if constexpr (ACT == NABLA_ACT_LEAKY_RELU) dz[i] = z[i] > 0.0f ? d : d * alpha;
    else dz[i] = d * act_grad(z[i], y[i], ACT, alpha);
  }
}
}  // namespace

extern "C" NABLA_CLONES void nabla_act_backward(const float *z, const float *y, const float *dy,
                                                float *dz, int64_t rows, int64_t cols, int act,
                                                float alpha) {
  NABLA_FLUSH_DENORMALS;
  if (act == NABLA_ACT_SOFTMAX) {
    for (int64_t r = 0; r < rows; r++) {
      const float *yr = y + r * cols, *dyr = dy + r * cols;
      float *dzr = dz + r * cols;
      float dot = 0.0f;
      for (int64_t c = 0; c < cols; c++) dot += dyr[c] * yr[c];
      for (int64_t c = 0; c < cols; c++) dzr[c] = yr[c] * (dyr[c] - dot);
    }
    return;
  }
  const int64_t n = rows * cols;
  switch (act) {
    case NABLA_ACT_RELU: act_backward_loop<NABLA_ACT_RELU>(z, y, dy, dz, n, alpha); break;
    case NABLA_ACT_LEAKY_RELU: act_backward_loop<NABLA_ACT_LEAKY_RELU>(z, y, dy, dz, n, alpha); break;
    case NABLA_ACT_SIGMOID: act_backward_loop<NABLA_ACT_SIGMOID>(z, y, dy, dz, n, alpha); break;
    case NABLA_ACT_TANH: act_backward_loop<NABLA_ACT_TANH>(z, y, dy, dz, n, alpha); break;
    case NABLA_ACT_GELU: act_backward_loop<NABLA_ACT_GELU>(z, y, dy, dz, n, alpha); break;
    case NABLA_ACT_LINEAR: act_backward_loop<NABLA_ACT_LINEAR>(z, y, dy, dz, n, alpha); break;
    default:  // the activations Keras files carry: rarer, one switch per element is fine
      for (int64_t i = 0; i < n; i++) dz[i] = dy[i] * act_grad(z[i], y[i], act, alpha);
      break;
  }
}

extern "C" NABLA_CLONES void nabla_bias_grad(const float *dz, float *db, int64_t rows,
                                             int64_t cols) {
  NABLA_FLUSH_DENORMALS;
  for (int64_t c = 0; c < cols; c++) db[c] = 0.0f;
  for (int64_t r = 0; r < rows; r++) {
    const float *dr = dz + r * cols;
    for (int64_t c = 0; c < cols; c++) db[c] += dr[c];
  }
}

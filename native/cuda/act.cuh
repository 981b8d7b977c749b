// Activations on the device: the same formulas as native/cpu/activation.cpp (codes from
// kernels.h), kept in one place for the gemm epilogue and the elementwise kernels.
#pragma once
#include "nabla/kernels.h"

namespace nabla_cuda {

__device__ __forceinline__ float act_forward(float z, int act, float alpha) {
  switch (act) {
    case NABLA_ACT_RELU: return z > 0.0f ? z : 0.0f;
    case NABLA_ACT_SIGMOID: return 1.0f / (1.0f + expf(-z));
    case NABLA_ACT_TANH: return tanhf(z);
    case NABLA_ACT_GELU: return 0.5f * z * (1.0f + erff(z * 0.70710678118654752f));
    case NABLA_ACT_LEAKY_RELU: return z > 0.0f ? z : alpha * z;
    case NABLA_ACT_ELU: return z > 0.0f ? z : alpha * expm1f(z);
    case NABLA_ACT_SELU: return 1.05070098f * (z > 0.0f ? z : 1.67326324f * expm1f(z));
    case NABLA_ACT_SOFTPLUS: return fmaxf(z, 0.0f) + log1pf(expf(-fabsf(z)));
    case NABLA_ACT_SOFTSIGN: return z / (1.0f + fabsf(z));
    case NABLA_ACT_SWISH: return z / (1.0f + expf(-z));
    case NABLA_ACT_EXPONENTIAL: return expf(z);
    case NABLA_ACT_HARD_SIGMOID: return fminf(fmaxf(z + 3.0f, 0.0f), 6.0f) / 6.0f;
    case NABLA_ACT_RELU6: return fminf(fmaxf(z, 0.0f), 6.0f);
    default: return z;  // linear (softmax is a row op, never an elementwise epilogue)
  }
}

// d act / d z at z, given y = act(z) (sigmoid and tanh use y, as the CPU kernels do).
__device__ __forceinline__ float act_derivative(float z, float y, int act, float alpha) {
  switch (act) {
    case NABLA_ACT_RELU: return z > 0.0f ? 1.0f : 0.0f;
    case NABLA_ACT_SIGMOID: return y * (1.0f - y);
    case NABLA_ACT_TANH: return 1.0f - y * y;
    case NABLA_ACT_GELU: {
      const float cdf = 0.5f * (1.0f + erff(z * 0.70710678118654752f));
      const float pdf = 0.39894228040143268f * expf(-0.5f * z * z);
      return cdf + z * pdf;
    }
    case NABLA_ACT_LEAKY_RELU: return z > 0.0f ? 1.0f : alpha;
    case NABLA_ACT_ELU: return z > 0.0f ? 1.0f : alpha * expf(z);
    case NABLA_ACT_SELU: return 1.05070098f * (z > 0.0f ? 1.0f : 1.67326324f * expf(z));
    case NABLA_ACT_SOFTPLUS: return 1.0f / (1.0f + expf(-z));
    case NABLA_ACT_SOFTSIGN: {
      const float d = 1.0f + fabsf(z);
      return 1.0f / (d * d);
    }
    case NABLA_ACT_SWISH: {
      const float s = 1.0f / (1.0f + expf(-z));
      return s + z * s * (1.0f - s);
    }
    case NABLA_ACT_EXPONENTIAL: return expf(z);
    case NABLA_ACT_HARD_SIGMOID: return z > -3.0f && z < 3.0f ? 1.0f / 6.0f : 0.0f;
    case NABLA_ACT_RELU6: return z > 0.0f && z < 6.0f ? 1.0f : 0.0f;
    default: return 1.0f;
  }
}

constexpr int kThreads = 256;

inline unsigned grid_for(int64_t n) {
  const int64_t b = (n + kThreads - 1) / kThreads;
  return (unsigned)(b < 65535 * 8 ? (b > 0 ? b : 1) : 65535 * 8);  // grid-stride beyond that
}

}  // namespace nabla_cuda

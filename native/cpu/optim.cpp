// Fused optimizer updates: one call per step over the flat parameter buffer, so the whole model's
// update is a single streaming pass (read w, g and slots once, write w and slots once).
// Reference: the matching methods of dev.nabla.backend.JavaBackend; rules are Keras 3's.
#include "nabla/kernels.h"
#include <cmath>
#include <algorithm>

extern "C" void nabla_sgd_update(float *w, const float *g, float *velocity, int64_t n, float lr,
                                 float momentum, int nesterov) {
  if (momentum == 0.0f) {
    for (int64_t i = 0; i < n; i++) w[i] -= lr * g[i];
    return;
  }
  for (int64_t i = 0; i < n; i++) {
    const float m = momentum * velocity[i] - lr * g[i];
    velocity[i] = m;
    w[i] += nesterov ? momentum * m - lr * g[i] : m;
  }
}

extern "C" void nabla_adam_update(float *w, const float *g, float *m, float *v, float *vhat,
                                  int64_t n, float alpha, float beta1, float beta2, float epsilon,
                                  int amsgrad) {
  const float one_minus_b1 = 1.0f - beta1, one_minus_b2 = 1.0f - beta2;
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = m[i] + (gi - m[i]) * one_minus_b1;
    float vi = v[i] + (gi * gi - v[i]) * one_minus_b2;
    m[i] = mi;
    v[i] = vi;
    if (amsgrad) {
      vi = std::max(vhat[i], vi);
      vhat[i] = vi;
    }
    w[i] -= (mi * alpha) / (std::sqrt(vi) + epsilon);
  }
}

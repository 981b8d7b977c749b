// Fused softmax cross-entropy: loss, gradient and the accuracy count in one pass per row.
// Reference: JavaBackend.softmaxXent. From logits, d(loss)/d(logits) = softmax - target, so the
// gradient never needs the probabilities stored; from probabilities we follow Keras: renormalise,
// clip to [1e-7, 1 - 1e-7], and the clip's gradient is zero outside that range.
#include "nabla/kernels.h"
#include "nabla/flush_denormals.h"
#include <cmath>
#include <algorithm>

namespace {
const float kEps = 1e-7f;

inline int64_t argmax(const float *v, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; i++) if (v[i] > v[best]) best = i;
  return best;
}
}  // namespace

extern "C" double nabla_softmax_xent(const float *pred, const float *labels, float *row_loss,
                                     float *grad, int64_t rows, int64_t cols, int sparse,
                                     int from_logits, float label_smoothing, float grad_scale,
                                     int64_t *correct) {
  NABLA_FLUSH_DENORMALS;
  double total = 0.0;
  int64_t hits = 0;
  const float off = label_smoothing / (float)cols;  // target = y * (1 - ls) + ls / cols
  const float on = 1.0f - label_smoothing;
  for (int64_t r = 0; r < rows; r++) {
    const float *p = pred + r * cols;
    float *g = grad ? grad + r * cols : nullptr;
    const int64_t label = sparse ? (int64_t)labels[r] : -1;
    const float *y = sparse ? nullptr : labels + r * cols;
    auto target = [&](int64_t c) -> float {
      return sparse ? (c == label ? 1.0f : 0.0f) : y[c] * on + off;
    };
    const int64_t predicted = argmax(p, cols);
    if (predicted == (sparse ? label : argmax(y, cols))) hits++;
    float loss;
    if (from_logits) {
      float mx = p[0];
      for (int64_t c = 1; c < cols; c++) mx = std::max(mx, p[c]);
      float sum = 0.0f;
      for (int64_t c = 0; c < cols; c++) sum += std::exp(p[c] - mx);
      const float lse = mx + std::log(sum);
      loss = 0.0f;
      for (int64_t c = 0; c < cols; c++) {
        const float t = target(c);
        if (t != 0.0f) loss += t * (lse - p[c]);
      }
      if (g) {
        const float inv = 1.0f / sum;
        for (int64_t c = 0; c < cols; c++)
          g[c] = grad_scale * (std::exp(p[c] - mx) * inv - target(c));
      }
    } else {
      float s = 0.0f;
      for (int64_t c = 0; c < cols; c++) s += p[c];
      const float inv_s = 1.0f / s;
      loss = 0.0f;
      float gq_dot_q = 0.0f;  // sum_j dL/dq_j * q_j, for the renormalisation's gradient
      for (int64_t c = 0; c < cols; c++) {
        const float q = p[c] * inv_s;
        const float cq = std::min(std::max(q, kEps), 1.0f - kEps);
        const float t = target(c);
        if (t != 0.0f) loss -= t * std::log(cq);
        const float gq = (q >= kEps && q <= 1.0f - kEps) ? -t / cq : 0.0f;
        gq_dot_q += gq * q;
        if (g) g[c] = gq;  // finished below, once the dot product is known
      }
      if (g) for (int64_t c = 0; c < cols; c++) g[c] = grad_scale * (g[c] - gq_dot_q) * inv_s;
    }
    if (row_loss) row_loss[r] = loss;
    total += loss;
  }
  if (correct) *correct = hits;
  return total;
}

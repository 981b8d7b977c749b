// Fused optimizer updates: one call per step over the flat parameter buffer, so the whole model's
// update is a single streaming pass (read w, g and the slots once, write w and the slots once),
// with gradient scaling, clipping and decoupled weight decay folded into the same pass.
// Reference: JavaBackend.optimizerStep (same rules, same float32 operation order); rules are
// Keras 3's update_step of each optimizer.
#include "nabla/kernels.h"
#include <cmath>
#include <algorithm>

namespace {

struct Segment {
  int64_t begin, end;
  float gscale, wd;
};

// Applies `update(i, g)` to every element with the prepared gradient, segment by segment.
template <class F>
inline void for_each_prepared(float *w, const float *g, int64_t nseg, const int64_t *seg_end,
                              const float *gscale, const float *wd, float decay_lr,
                              float clipvalue, F update) {
  int64_t begin = 0;
  for (int64_t s = 0; s < nseg; s++) {
    const int64_t end = seg_end[s];
    const float gs = gscale ? gscale[s] : 1.0f;
    const float d = wd ? wd[s] : 0.0f;
    for (int64_t i = begin; i < end; i++) {
      float gi = g[i] * gs;
      if (clipvalue > 0.0f) gi = std::min(std::max(gi, -clipvalue), clipvalue);
      if (d != 0.0f) w[i] = w[i] - w[i] * d * decay_lr;
      update(i, gi);
    }
    begin = end;
  }
}

inline float sign(float x) { return (float)((x > 0.0f) - (x < 0.0f)); }

void lamb(const float *hp, float *w, const float *g, float *m, float *v, int64_t nseg,
          const int64_t *seg_end, const float *gscale, const float *wd, float decay_lr,
          float clipvalue) {
  const float lr = hp[0], b1 = hp[1], b2 = hp[2], eps = hp[3], c1 = hp[4], c2 = hp[5];
  int64_t begin = 0;
  for (int64_t s = 0; s < nseg; s++) {
    const int64_t end = seg_end[s];
    const float gs = gscale ? gscale[s] : 1.0f;
    const float d = wd ? wd[s] : 0.0f;
    double w_sq = 0.0, u_sq = 0.0;
    // pass 1: moments, and the norms of w (after decay) and of the Adam-style update
    for (int64_t i = begin; i < end; i++) {
      float gi = g[i] * gs;
      if (clipvalue > 0.0f) gi = std::min(std::max(gi, -clipvalue), clipvalue);
      if (d != 0.0f) w[i] = w[i] - w[i] * d * decay_lr;
      m[i] = m[i] + (gi - m[i]) * (1.0f - b1);
      v[i] = v[i] + (gi * gi - v[i]) * (1.0f - b2);
      const float u = (m[i] / c1) / (std::sqrt(v[i] / c2) + eps);
      w_sq += (double)w[i] * w[i];
      u_sq += (double)u * u;
    }
    const float w_norm = (float)std::sqrt(w_sq), u_norm = (float)std::sqrt(u_sq);
    const float ratio = (w_norm > 0.0f && u_norm > 0.0f) ? w_norm / u_norm : 1.0f;
    // pass 2: recompute the update from the stored moments and apply it
    for (int64_t i = begin; i < end; i++) {
      const float u = (m[i] / c1) / (std::sqrt(v[i] / c2) + eps);
      w[i] = w[i] - ratio * lr * u;
    }
    begin = end;
  }
}

}  // namespace

extern "C" void nabla_optimizer_step(int rule, const float *hp, float *w, const float *g,
                                     float *s0, float *s1, float *s2, int64_t nseg,
                                     const int64_t *seg_end, const float *gscale,
                                     const float *wd, float decay_lr, float clipvalue) {
  auto run = [&](auto update) {
    for_each_prepared(w, g, nseg, seg_end, gscale, wd, decay_lr, clipvalue, update);
  };
  switch (rule) {
    case NABLA_OPT_SGD: {
      const float lr = hp[0], mom = hp[1];
      const bool nesterov = hp[2] != 0.0f;
      if (mom == 0.0f) {
        run([&](int64_t i, float gi) { w[i] = w[i] - lr * gi; });
      } else {
        run([&](int64_t i, float gi) {
          const float m = mom * s0[i] - lr * gi;
          s0[i] = m;
          w[i] = w[i] + (nesterov ? mom * m - lr * gi : m);
        });
      }
      break;
    }
    case NABLA_OPT_RMSPROP: {
      const float lr = hp[0], rho = hp[1], mom = hp[2], eps = hp[3];
      const bool centered = hp[4] != 0.0f;
      run([&](int64_t i, float gi) {
        const float vel = rho * s0[i] + (1.0f - rho) * (gi * gi);
        s0[i] = vel;
        float denom;
        if (centered) {
          const float avg = rho * s2[i] + (1.0f - rho) * gi;
          s2[i] = avg;
          denom = vel - avg * avg + eps;
        } else {
          denom = vel + eps;
        }
        const float inc = (lr * gi) / std::sqrt(denom);
        if (mom > 0.0f) {
          const float mv = mom * s1[i] + inc;
          s1[i] = mv;
          w[i] = w[i] - mv;
        } else {
          w[i] = w[i] - inc;
        }
      });
      break;
    }
    case NABLA_OPT_ADAGRAD: {
      const float lr = hp[0], eps = hp[1];
      run([&](int64_t i, float gi) {
        const float acc = s0[i] + gi * gi;
        s0[i] = acc;
        w[i] = w[i] - (lr * gi) / std::sqrt(acc + eps);
      });
      break;
    }
    case NABLA_OPT_ADADELTA: {
      const float lr = hp[0], rho = hp[1], eps = hp[2];
      run([&](int64_t i, float gi) {
        const float ag = rho * s0[i] + (1.0f - rho) * (gi * gi);
        s0[i] = ag;
        const float delta = -((std::sqrt(s1[i] + eps) * gi) / std::sqrt(ag + eps));
        s1[i] = rho * s1[i] + (1.0f - rho) * (delta * delta);
        w[i] = w[i] + lr * delta;
      });
      break;
    }
    case NABLA_OPT_ADAM: {
      const float alpha = hp[0], b1 = hp[1], b2 = hp[2], eps = hp[3];
      const bool amsgrad = hp[4] != 0.0f;
      run([&](int64_t i, float gi) {
        const float m = s0[i] + (gi - s0[i]) * (1.0f - b1);
        float v = s1[i] + (gi * gi - s1[i]) * (1.0f - b2);
        s0[i] = m;
        s1[i] = v;
        if (amsgrad) {
          v = std::max(s2[i], v);
          s2[i] = v;
        }
        w[i] = w[i] - (m * alpha) / (std::sqrt(v) + eps);
      });
      break;
    }
    case NABLA_OPT_ADAMAX: {
      const float lr = hp[0], b1 = hp[1], b2 = hp[2], eps = hp[3], c1 = hp[4];
      run([&](int64_t i, float gi) {
        const float m = s0[i] + (gi - s0[i]) * (1.0f - b1);
        const float u = std::max(b2 * s1[i], std::fabs(gi));
        s0[i] = m;
        s1[i] = u;
        w[i] = w[i] - (lr * m) / (c1 * (u + eps));
      });
      break;
    }
    case NABLA_OPT_NADAM: {
      const float lr = hp[0], b1 = hp[1], b2 = hp[2], eps = hp[3];
      const float u_t_1 = hp[4], den_t_1 = hp[5], one_minus_u_t = hp[6], den_t = hp[7],
                  den_v = hp[8];
      run([&](int64_t i, float gi) {
        const float m = s0[i] + (gi - s0[i]) * (1.0f - b1);
        const float v = s1[i] + (gi * gi - s1[i]) * (1.0f - b2);
        s0[i] = m;
        s1[i] = v;
        const float m_hat = (u_t_1 * m) / den_t_1 + (one_minus_u_t * gi) / den_t;
        const float v_hat = v / den_v;
        w[i] = w[i] - (m_hat * lr) / (std::sqrt(v_hat) + eps);
      });
      break;
    }
    case NABLA_OPT_FTRL: {
      const float lr = hp[0], power = hp[1], l1 = hp[2], l2 = hp[3], shrink = hp[4];
      run([&](int64_t i, float gi) {
        const float grad_to_use = gi + 2.0f * shrink * w[i];
        const float acc = s0[i], new_acc = acc + gi * gi;
        const float lin = s1[i] + (grad_to_use
            - ((std::pow(new_acc, -power) - std::pow(acc, -power)) / lr) * w[i]);
        s1[i] = lin;
        const float quadratic = std::pow(new_acc, -power) / lr + 2.0f * l2;
        const float clipped = std::min(std::max(lin, -l1), l1);
        w[i] = (clipped - lin) / quadratic;
        s0[i] = new_acc;
      });
      break;
    }
    case NABLA_OPT_LION: {
      const float lr = hp[0], b1 = hp[1], b2 = hp[2];
      run([&](int64_t i, float gi) {
        w[i] = w[i] - lr * sign(s0[i] * b1 + gi * (1.0f - b1));
        s0[i] = s0[i] * b2 + gi * (1.0f - b2);
      });
      break;
    }
    case NABLA_OPT_LAMB:
      lamb(hp, w, g, s0, s1, nseg, seg_end, gscale, wd, decay_lr, clipvalue);
      break;
    default:
      break;
  }
}

extern "C" void nabla_segment_sum_squares(const float *x, int64_t nseg, const int64_t *seg_end,
                                          double *out) {
  int64_t begin = 0;
  for (int64_t s = 0; s < nseg; s++) {
    double acc = 0.0;
    for (int64_t i = begin; i < seg_end[s]; i++) acc += (double)x[i] * x[i];
    out[s] = acc;
    begin = seg_end[s];
  }
}

extern "C" void nabla_axpy(float *y, const float *x, float a, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] += a * x[i];
}

extern "C" void nabla_ema_update(float *avg, const float *w, float momentum, int64_t n) {
  for (int64_t i = 0; i < n; i++) avg[i] = momentum * avg[i] + (1.0f - momentum) * w[i];
}

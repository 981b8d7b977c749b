// Fused optimizer updates: one call per step over the flat parameter buffer, so the whole model's
// update is a single streaming pass (read w, g and the slots once, write w and the slots once),
// with gradient scaling, clip-value and decoupled weight decay folded into the same pass.
// Reference: JavaBackend.optimizerStep (same rules, same float32 operation order); rules are
// Keras 3's update_step of each optimizer.
//
// Speed: each rule is a functor whose loop body has no branches (configuration choices are
// template parameters, resolved once per call), so GCC vectorises it; target_clones builds
// AVX-512 and AVX2 copies, one chosen at load time. No FMA contraction (-ffp-contract=off), so
// the SSE, AVX2 and AVX-512 paths and the Java reference round identically.
#include "nabla/kernels.h"
#include "nabla/flush_denormals.h"
#include <cmath>
#include <algorithm>

namespace {

template <bool CLIP, bool DECAY, class Rule>
inline void segment_loop(Rule &rule, float *__restrict w, const float *__restrict g,
                         int64_t begin, int64_t end, float gs, float d, float decay_lr,
                         float clip) {
  for (int64_t i = begin; i < end; i++) {
    float gi = g[i] * gs;
    if constexpr (CLIP) gi = std::min(std::max(gi, -clip), clip);
    float wi = w[i];
    if constexpr (DECAY) wi = wi - wi * d * decay_lr;
    w[i] = rule(i, wi, gi);
  }
}

// Runs `rule` over every segment, choosing the loop without the unused steps.
template <class Rule>
inline void run(Rule rule, float *w, const float *g, int64_t nseg, const int64_t *seg_end,
                const float *gscale, const float *wd, float decay_lr, float clip) {
  int64_t begin = 0;
  for (int64_t s = 0; s < nseg; s++) {
    const int64_t end = seg_end[s];
    const float gs = gscale ? gscale[s] : 1.0f;
    const float d = wd ? wd[s] : 0.0f;
    if (clip > 0.0f) {
      if (d != 0.0f) segment_loop<true, true>(rule, w, g, begin, end, gs, d, decay_lr, clip);
      else segment_loop<true, false>(rule, w, g, begin, end, gs, d, decay_lr, clip);
    } else {
      if (d != 0.0f) segment_loop<false, true>(rule, w, g, begin, end, gs, d, decay_lr, clip);
      else segment_loop<false, false>(rule, w, g, begin, end, gs, d, decay_lr, clip);
    }
    begin = end;
  }
}

// ---- the rules: operator()(i, w, g) returns the new w and updates the slots --------------

template <int KIND>  // 0 plain, 1 momentum, 2 nesterov
struct Sgd {
  float *__restrict m;
  float lr, mom;
  float operator()(int64_t i, float w, float g) const {
    if constexpr (KIND == 0) {
      return w - lr * g;
    } else {
      const float v = mom * m[i] - lr * g;
      m[i] = v;
      if constexpr (KIND == 2) return w + (mom * v - lr * g);
      else return w + v;
    }
  }
};

template <bool CENTERED, bool MOMENTUM>
struct Rmsprop {
  float *__restrict vel, *__restrict mom_buf, *__restrict avg;
  float lr, rho, mom, eps;
  float operator()(int64_t i, float w, float g) const {
    const float v = rho * vel[i] + (1.0f - rho) * (g * g);
    vel[i] = v;
    float denom;
    if constexpr (CENTERED) {
      const float a = rho * avg[i] + (1.0f - rho) * g;
      avg[i] = a;
      denom = v - a * a + eps;
    } else {
      denom = v + eps;
    }
    const float inc = (lr * g) / std::sqrt(denom);
    if constexpr (MOMENTUM) {
      const float mv = mom * mom_buf[i] + inc;
      mom_buf[i] = mv;
      return w - mv;
    } else {
      return w - inc;
    }
  }
};

struct Adagrad {
  float *__restrict acc;
  float lr, eps;
  float operator()(int64_t i, float w, float g) const {
    const float a = acc[i] + g * g;
    acc[i] = a;
    return w - (lr * g) / std::sqrt(a + eps);
  }
};

struct Adadelta {
  float *__restrict eg, *__restrict edx;
  float lr, rho, eps;
  float operator()(int64_t i, float w, float g) const {
    const float a = rho * eg[i] + (1.0f - rho) * (g * g);
    eg[i] = a;
    const float delta = -((std::sqrt(edx[i] + eps) * g) / std::sqrt(a + eps));
    edx[i] = rho * edx[i] + (1.0f - rho) * (delta * delta);
    return w + lr * delta;
  }
};

template <bool AMSGRAD>
struct Adam {
  float *__restrict m, *__restrict v, *__restrict vhat;
  float alpha, b1, b2, eps;
  float operator()(int64_t i, float w, float g) const {
    const float mi = m[i] + (g - m[i]) * (1.0f - b1);
    float vi = v[i] + (g * g - v[i]) * (1.0f - b2);
    m[i] = mi;
    v[i] = vi;
    if constexpr (AMSGRAD) {
      vi = std::max(vhat[i], vi);
      vhat[i] = vi;
    }
    return w - (mi * alpha) / (std::sqrt(vi) + eps);
  }
};

struct Adamax {
  float *__restrict m, *__restrict u;
  float lr, b1, b2, eps, c1;
  float operator()(int64_t i, float w, float g) const {
    const float mi = m[i] + (g - m[i]) * (1.0f - b1);
    const float ui = std::max(b2 * u[i], std::fabs(g));
    m[i] = mi;
    u[i] = ui;
    return w - (lr * mi) / (c1 * (ui + eps));
  }
};

struct Nadam {
  float *__restrict m, *__restrict v;
  float lr, b1, b2, eps, u_t_1, den_t_1, one_minus_u_t, den_t, den_v;
  float operator()(int64_t i, float w, float g) const {
    const float mi = m[i] + (g - m[i]) * (1.0f - b1);
    const float vi = v[i] + (g * g - v[i]) * (1.0f - b2);
    m[i] = mi;
    v[i] = vi;
    const float m_hat = (u_t_1 * mi) / den_t_1 + (one_minus_u_t * g) / den_t;
    const float v_hat = vi / den_v;
    return w - (m_hat * lr) / (std::sqrt(v_hat) + eps);
  }
};

// learning_rate_power -0.5 (Keras's default) makes n^-p a square root, which vectorises.
template <bool SQRT>
struct Ftrl {
  float *__restrict acc, *__restrict lin;
  float lr, power, l1, l2, shrink;
  float root(float x) const {
    if constexpr (SQRT) return std::sqrt(x);
    else return std::pow(x, -power);
  }
  float operator()(int64_t i, float w, float g) const {
    const float grad_to_use = g + 2.0f * shrink * w;
    const float a = acc[i], na = a + g * g;
    const float z = lin[i] + (grad_to_use - ((root(na) - root(a)) / lr) * w);
    lin[i] = z;
    const float quadratic = root(na) / lr + 2.0f * l2;
    acc[i] = na;
    return (std::min(std::max(z, -l1), l1) - z) / quadratic;
  }
};

struct Lion {
  float *__restrict m;
  float lr, b1, b2;
  float operator()(int64_t i, float w, float g) const {
    const float c = m[i] * b1 + g * (1.0f - b1);
    const float sign = (float)(c > 0.0f) - (float)(c < 0.0f);
    m[i] = m[i] * b2 + g * (1.0f - b2);
    return w - lr * sign;
  }
};

// Lamb, pass 1: decay, moments. (Norms and the update follow in vectorised passes.)
struct LambMoments {
  float *__restrict m, *__restrict v;
  float b1, b2;
  float operator()(int64_t i, float w, float g) const {
    m[i] = m[i] + (g - m[i]) * (1.0f - b1);
    v[i] = v[i] + (g * g - v[i]) * (1.0f - b2);
    return w;
  }
};

inline float lamb_update(float m, float v, float c1, float c2, float eps) {
  return (m / c1) / (std::sqrt(v / c2) + eps);
}

// Three streaming passes per call: moments (with clip and decay), the per-segment norms of w
// and of the update (a reduction the vectoriser may reorder: OpenMP simd semantics, sums in
// double), then w -= ratio * lr * u. Recomputing u beats storing it: no extra buffer.
void lamb(const float *hp, float *__restrict w, const float *__restrict g, float *__restrict m,
          float *__restrict v, int64_t nseg, const int64_t *seg_end, const float *gscale,
          const float *wd, float decay_lr, float clipvalue) {
  const float lr = hp[0], b1 = hp[1], b2 = hp[2], eps = hp[3], c1 = hp[4], c2 = hp[5];
  run(LambMoments{m, v, b1, b2}, w, g, nseg, seg_end, gscale, wd, decay_lr, clipvalue);
  int64_t begin = 0;
  for (int64_t s = 0; s < nseg; s++) {
    const int64_t end = seg_end[s];
    double w_sq = 0.0, u_sq = 0.0;
#pragma omp simd reduction(+ : w_sq, u_sq)
    for (int64_t i = begin; i < end; i++) {
      const float u = lamb_update(m[i], v[i], c1, c2, eps);
      w_sq += (double)w[i] * w[i];
      u_sq += (double)u * u;
    }
    const float w_norm = (float)std::sqrt(w_sq), u_norm = (float)std::sqrt(u_sq);
    const float ratio = (w_norm > 0.0f && u_norm > 0.0f) ? w_norm / u_norm : 1.0f;
    for (int64_t i = begin; i < end; i++) {
      w[i] = w[i] - ratio * lr * lamb_update(m[i], v[i], c1, c2, eps);
    }
    begin = end;
  }
}

}  // namespace

#define NABLA_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

extern "C" NABLA_CLONES void nabla_optimizer_step(int rule, const float *hp, float *w,
                                                  const float *g, float *s0, float *s1,
                                                  float *s2, int64_t nseg,
                                                  const int64_t *seg_end, const float *gscale,
                                                  const float *wd, float decay_lr,
                                                  float clip) {
  NABLA_FLUSH_DENORMALS;
#define RUN(r) run(r, w, g, nseg, seg_end, gscale, wd, decay_lr, clip)
  switch (rule) {
    case NABLA_OPT_SGD:
      if (hp[1] == 0.0f) RUN((Sgd<0>{s0, hp[0], hp[1]}));
      else if (hp[2] != 0.0f) RUN((Sgd<2>{s0, hp[0], hp[1]}));
      else RUN((Sgd<1>{s0, hp[0], hp[1]}));
      break;
    case NABLA_OPT_RMSPROP: {
      const bool centered = hp[4] != 0.0f, momentum = hp[2] > 0.0f;
      if (centered && momentum) RUN((Rmsprop<true, true>{s0, s1, s2, hp[0], hp[1], hp[2], hp[3]}));
      else if (centered) RUN((Rmsprop<true, false>{s0, s1, s2, hp[0], hp[1], hp[2], hp[3]}));
      else if (momentum) RUN((Rmsprop<false, true>{s0, s1, s2, hp[0], hp[1], hp[2], hp[3]}));
      else RUN((Rmsprop<false, false>{s0, s1, s2, hp[0], hp[1], hp[2], hp[3]}));
      break;
    }
    case NABLA_OPT_ADAGRAD:
      RUN((Adagrad{s0, hp[0], hp[1]}));
      break;
    case NABLA_OPT_ADADELTA:
      RUN((Adadelta{s0, s1, hp[0], hp[1], hp[2]}));
      break;
    case NABLA_OPT_ADAM:
      if (hp[4] != 0.0f) RUN((Adam<true>{s0, s1, s2, hp[0], hp[1], hp[2], hp[3]}));
      else RUN((Adam<false>{s0, s1, s2, hp[0], hp[1], hp[2], hp[3]}));
      break;
    case NABLA_OPT_ADAMAX:
      RUN((Adamax{s0, s1, hp[0], hp[1], hp[2], hp[3], hp[4]}));
      break;
    case NABLA_OPT_NADAM:
      RUN((Nadam{s0, s1, hp[0], hp[1], hp[2], hp[3], hp[4], hp[5], hp[6], hp[7], hp[8]}));
      break;
    case NABLA_OPT_FTRL:
      if (hp[1] == -0.5f) RUN((Ftrl<true>{s0, s1, hp[0], hp[1], hp[2], hp[3], hp[4]}));
      else RUN((Ftrl<false>{s0, s1, hp[0], hp[1], hp[2], hp[3], hp[4]}));
      break;
    case NABLA_OPT_LION:
      RUN((Lion{s0, hp[0], hp[1], hp[2]}));
      break;
    case NABLA_OPT_LAMB:
      lamb(hp, w, g, s0, s1, nseg, seg_end, gscale, wd, decay_lr, clip);
      break;
    default:
      break;
  }
#undef RUN
}

extern "C" NABLA_CLONES void nabla_segment_sum_squares(const float *x, int64_t nseg,
                                                       const int64_t *seg_end, double *out) {
  NABLA_FLUSH_DENORMALS;
  int64_t begin = 0;
  for (int64_t s = 0; s < nseg; s++) {
    double acc = 0.0;
#pragma omp simd reduction(+ : acc)
    for (int64_t i = begin; i < seg_end[s]; i++) acc += (double)x[i] * x[i];
    out[s] = acc;
    begin = seg_end[s];
  }
}

extern "C" NABLA_CLONES void nabla_axpy(float *__restrict y, const float *__restrict x, float a,
                                        int64_t n) {
  NABLA_FLUSH_DENORMALS;
  for (int64_t i = 0; i < n; i++) y[i] += a * x[i];
}

extern "C" NABLA_CLONES void nabla_ema_update(float *__restrict avg, const float *__restrict w,
                                              float momentum, int64_t n) {
  NABLA_FLUSH_DENORMALS;
  for (int64_t i = 0; i < n; i++) avg[i] = momentum * avg[i] + (1.0f - momentum) * w[i];
}

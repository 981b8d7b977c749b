/*
 * Nabla's plain C kernel API. The CPU implementations live in native/cpu, one file per kernel
 * family; the CUDA ones will have the same names with a nabla_cuda_ prefix. No library headers
 * here, so the JavaCPP glue compiles against it with g++ alone.
 *
 * Conventions: row-major float32, n/rows/cols are element counts (int64), outputs may alias
 * inputs where stated. Activation codes match dev.nabla.backend.Activation.ordinal().
 */
#ifndef NABLA_KERNELS_H
#define NABLA_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum nabla_act {
  NABLA_ACT_LINEAR = 0,
  NABLA_ACT_RELU = 1,
  NABLA_ACT_SIGMOID = 2,
  NABLA_ACT_TANH = 3,
  NABLA_ACT_GELU = 4,       /* exact (erf) form, Keras's default approximate=False */
  NABLA_ACT_LEAKY_RELU = 5, /* y = x > 0 ? x : alpha * x */
  NABLA_ACT_SOFTMAX = 6     /* over the last axis (cols) */
};

/* ---- bias + activation (activation.cpp) ---- */

/* z = x + bias (bias broadcast over rows; bias may be NULL), y = act(z).
   (rows, cols). z may alias x; y may alias z (then z is lost; pass z != y when backward needs it). */
void nabla_bias_act_forward(const float *x, const float *bias, float *z, float *y,
                            int64_t rows, int64_t cols, int act, float alpha);

/* dz = dy * act'(z), using z (pre-activation) and y (output). dz may alias dy. */
void nabla_act_backward(const float *z, const float *y, const float *dy, float *dz,
                        int64_t rows, int64_t cols, int act, float alpha);

/* db[c] = sum_r dz[r, c] (overwrites db). (rows, cols) -> (cols) */
void nabla_bias_grad(const float *dz, float *db, int64_t rows, int64_t cols);

/* ---- softmax cross-entropy, fused forward + gradient (softmax_xent.cpp) ---- */

/* One pass per row over predictions (rows, cols):
     from_logits = 1: pred are logits; p = softmax(pred).
     from_logits = 0: pred are probabilities; they are renormalised and clipped to [1e-7, 1 - 1e-7]
                      as Keras does.
   Labels: sparse = 1: labels (rows) hold class indices as floats; sparse = 0: labels (rows, cols)
   hold target distributions. label_smoothing (one-hot only) mixes targets with the uniform one.
   Writes row_loss[r] (may be NULL) and, when grad != NULL, grad = grad_scale * dLoss/dpred
   (grad may alias pred). Returns the sum of row losses in double; *correct (may be NULL) gets the
   number of rows whose argmax of pred equals the label's argmax. */
double nabla_softmax_xent(const float *pred, const float *labels, float *row_loss, float *grad,
                          int64_t rows, int64_t cols, int sparse, int from_logits,
                          float label_smoothing, float grad_scale, int64_t *correct);

/* ---- dropout (dropout.cpp) ---- */

/* Philox4x32-10 counter-based mask: element i of stream `stream` at step `step` is kept iff
   (philox(key = seed, counter = (i / 4, step, stream))[i % 4] >> 8) >= threshold, where
   threshold = round(rate * 2^24). y = keep ? x * scale : 0 (scale = 1 / (1 - rate)).
   The same function computes backward (x = dy, y = dx). y may alias x. */
void nabla_dropout(const float *x, float *y, int64_t n, uint64_t seed, uint64_t step,
                   uint32_t stream, uint32_t threshold, float scale);

/* The raw Philox4x32-10 block, exposed so the Java reference can be checked against it. */
void nabla_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);

/* ---- fused optimizer updates over flat buffers (optim.cpp) ---- */

/* Keras SGD: if momentum == 0: w -= lr * g; else m = momentum * m - lr * g and
   w += nesterov ? momentum * m - lr * g : m. velocity may be NULL when momentum == 0. */
void nabla_sgd_update(float *w, const float *g, float *velocity, int64_t n, float lr,
                      float momentum, int nesterov);

/* Keras Adam: m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2); if amsgrad vhat = max(vhat, v), v' = vhat;
   w -= alpha * m / (sqrt(v') + eps) with alpha = lr * sqrt(1 - b2^t) / (1 - b1^t) given by the
   caller (computed once per step in float, as Keras does). vhat may be NULL unless amsgrad. */
void nabla_adam_update(float *w, const float *g, float *m, float *v, float *vhat, int64_t n,
                       float alpha, float beta1, float beta2, float epsilon, int amsgrad);

#ifdef __cplusplus
}
#endif
#endif

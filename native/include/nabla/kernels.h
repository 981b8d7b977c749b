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
  NABLA_ACT_SOFTMAX = 6,    /* over the last axis (cols) */
  /* the ones Keras files commonly carry (Keras 3's formulas, keras/src/activations): */
  NABLA_ACT_ELU = 7,          /* x > 0 ? x : alpha (exp(x) - 1) */
  NABLA_ACT_SELU = 8,         /* 1.05070098 (x > 0 ? x : 1.67326324 (exp(x) - 1)) */
  NABLA_ACT_SOFTPLUS = 9,     /* log(1 + exp(x)) */
  NABLA_ACT_SOFTSIGN = 10,    /* x / (1 + |x|) */
  NABLA_ACT_SWISH = 11,       /* x sigmoid(x), also called silu */
  NABLA_ACT_EXPONENTIAL = 12, /* exp(x) */
  NABLA_ACT_HARD_SIGMOID = 13,/* relu6(x + 3) / 6 */
  NABLA_ACT_RELU6 = 14        /* min(max(x, 0), 6) */
};

/* ---- matrix product (gemm.cpp) ---- */

/* nabla_sgemm's mode: AUTO walks, per group of 6 rows of op(A), only the k indices where one of
   them is non-zero when fewer than 85% are; DENSE always walks all k; SPARSE always lists. */
enum nabla_gemm_mode { NABLA_GEMM_AUTO = 0, NABLA_GEMM_DENSE = 1, NABLA_GEMM_SPARSE = 2 };

/* Instruction sets nabla_sgemm can use; BEST = the CPU's best. A request above what the CPU has
   is lowered to it (so tests may ask for each path on any machine). */
enum nabla_isa { NABLA_ISA_BEST = 0, NABLA_ISA_GENERIC = 1, NABLA_ISA_AVX2 = 2, NABLA_ISA_AVX512 = 3 };

/* The best instruction set nabla_sgemm finds on this CPU (a nabla_isa value). */
int nabla_cpu_isa(void);

/* C = alpha op(A) op(B) + beta C, row-major, single-threaded; op(X) = X^T when trans_x != 0.
   op(A) is m x k, op(B) k x n, C m x n; lda, ldb, ldc are row strides of A, B, C as stored.
   beta == 0: C is only written (may hold NaN). Every output is summed over k in ascending order
   (one FMA chain on AVX2/AVX-512; a multiply and an add on older CPUs, which round differently),
   so all modes give the same bits up to the sign of a zero result (a B holding Inf or NaN takes
   the dense walk, so 0 * Inf still makes NaN). Unlike BLAS, alpha == 0 still reads A and B.
   The sparse walk needs k <= INT32_MAX (beyond, the walk is dense). Returns the k steps taken summed over row groups (ceil(m / 6) * k when
   dense): how much the sparse walk skipped. C must not alias A or B. mode: a nabla_gemm_mode;
   isa: a nabla_isa. Runs with flush-to-zero and denormals-are-zero (nabla/flush_denormals.h). */
int64_t nabla_sgemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                    const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
                    int64_t ldc, int mode, int isa);

/* ---- batch gather (gather.cpp) ---- */

/* dst row r = src row idx[r] for r < rows, rows of width floats (a training step's batch from a
   shuffled data set). */
void nabla_gather_rows(const float *src, int64_t width, const int32_t *idx, int64_t rows,
                       float *dst);

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

/* nabla_dropout over elements [begin, end) of x and y only (the same mask bits as the whole call):
   lets threads split one dropout pass. */
void nabla_dropout_range(const float *x, float *y, int64_t begin, int64_t end, uint64_t seed,
                         uint64_t step, uint32_t stream, uint32_t threshold, float scale);

/* The raw Philox4x32-10 block, exposed so the Java reference can be checked against it. */
void nabla_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);

/* keys[i] = nabla_shuffle_key(seed, epoch, i) for i < n (nabla/philox.h): the epoch shuffle's sort
   keys, exposed so the Java reference and the device's sort can be checked against them. */
void nabla_shuffle_keys(uint64_t seed, uint64_t epoch, int64_t n, uint64_t *keys);

/* ---- fused optimizer updates over flat buffers (optim.cpp) ---- */

/* Update rules, Keras 3's; the code matches dev.nabla.backend.OptimizerRule.ordinal(). */
enum nabla_optim_rule {
  NABLA_OPT_SGD = 0,      /* hp: lr, momentum, nesterov            slots: velocity */
  NABLA_OPT_RMSPROP = 1,  /* hp: lr, rho, momentum, epsilon, centered   slots: velocity, momentum, average_grad */
  NABLA_OPT_ADAGRAD = 2,  /* hp: lr, epsilon                       slots: accumulator */
  NABLA_OPT_ADADELTA = 3, /* hp: lr, rho, epsilon                  slots: accumulated_grad, accumulated_delta_var */
  NABLA_OPT_ADAM = 4,     /* hp: alpha = lr sqrt(1-b2^t)/(1-b1^t), beta_1, beta_2, epsilon, amsgrad   slots: m, v, vhat */
  NABLA_OPT_ADAMAX = 5,   /* hp: lr, beta_1, beta_2, epsilon, 1 - beta_1^t   slots: m, u */
  NABLA_OPT_NADAM = 6,    /* hp: lr, beta_1, beta_2, epsilon, u_t_1, 1 - u_prod_t_1, 1 - u_t, 1 - u_prod_t, 1 - beta_2^t   slots: m, v */
  NABLA_OPT_FTRL = 7,     /* hp: lr, learning_rate_power, l1, l2 + beta / (2 lr), l2_shrinkage   slots: accumulator, linear */
  NABLA_OPT_LION = 8,     /* hp: lr, beta_1, beta_2                slots: m */
  NABLA_OPT_LAMB = 9      /* hp: lr, beta_1, beta_2, epsilon, 1 - beta_1^t, 1 - beta_2^t   slots: m, v */
};

/* One optimizer step over every parameter in one flat buffer, split into nseg segments (the
   model's variables): segment s is [seg_end[s-1], seg_end[s]). Per element, in Keras's order:
     g' = g * gscale[s]                  (loss-scale, accumulation average and clip-norm factors)
     g' = clamp(g', -clipvalue, clipvalue)  when clipvalue > 0
     w  = w - w * wd[s] * decay_lr       (decoupled weight decay; wd[s] = 0 where excluded)
     rule(w, g', slots)
   gscale and wd may be NULL (1 and 0). Unused slots may be NULL. Lamb's trust ratio is computed
   per segment. */
void nabla_optimizer_step(int rule, const float *hp, float *w, const float *g, float *s0,
                          float *s1, float *s2, int64_t nseg, const int64_t *seg_end,
                          const float *gscale, const float *wd, float decay_lr, float clipvalue);

/* out[s] = sum of squares of x over segment s, in double (for clipnorm / global_clipnorm). */
void nabla_segment_sum_squares(const float *x, int64_t nseg, const int64_t *seg_end, double *out);

/* y += a * x (gradient accumulation). */
void nabla_axpy(float *y, const float *x, float a, int64_t n);

/* avg = momentum * avg + (1 - momentum) * w (the optimizer's EMA of the weights). */
void nabla_ema_update(float *avg, const float *w, float momentum, int64_t n);

#ifdef __cplusplus
}
#endif
#endif

/*
 * Nabla's CUDA kernels behind a plain C launch API: no CUDA headers here, so JNI glue compiles
 * against it with g++ alone. Pointers are device pointers unless named *_host; `stream` is a
 * cudaStream_t passed as void* (NULL = the default stream). Each function returns the
 * cudaError_t of its launch as an int (0 = success). Same rules and argument meanings as the
 * CPU kernels in kernels.h.
 */
#ifndef NABLA_CUDA_KERNELS_H
#define NABLA_CUDA_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- device and runtime (device.cu; a stub without nvcc) ---- */

/* How many CUDA devices the runtime sees. Returns the cudaError_t (0 = success); without a driver
   this is 35 (insufficient driver) or 100 (no device). The stub built without nvcc returns -1. */
int nabla_cuda_device_count(int *count);

/* The runtime's text for an error code from these functions (a static string). */
const char *nabla_cuda_error_string(int error);

/* CUDA runtime and driver versions (e.g. 13000 = 13.0); the driver is 0 when none is installed. */
int nabla_cuda_versions(int *runtime, int *driver);

/* The name of device `device` into buf (len bytes), and its compute capability. */
int nabla_cuda_device_info(int device, char *buf, int len, int *major, int *minor);

/* The most segments (variables) one fused optimizer launch takes: the segment table travels as
   a kernel argument, so a step needs no host-to-device copy. */
#define NABLA_CUDA_MAX_SEGMENTS 64

/* nabla_optimizer_step on the device. hp_host (16 floats), seg_end_host, gscale_host and
   wd_host (nseg each) are host arrays, copied into the launch's arguments. lamb_scratch: a
   device buffer of 2 * nseg doubles (only Lamb uses it; may be NULL otherwise). */
int nabla_cuda_optimizer_step(int rule, const float *hp_host, float *w, const float *g,
                              float *s0, float *s1, float *s2, int64_t nseg,
                              const int64_t *seg_end_host, const float *gscale_host,
                              const float *wd_host, float decay_lr, float clipvalue,
                              double *lamb_scratch, void *stream);

/* out[s] (device, nseg doubles) = sum of squares of x over segment s. */
int nabla_cuda_segment_sum_squares(const float *x, int64_t nseg, const int64_t *seg_end_host,
                                   double *out, void *stream);

/* y += a * x. */
int nabla_cuda_axpy(float *y, const float *x, float a, int64_t n, void *stream);

/* avg = momentum * avg + (1 - momentum) * w. */
int nabla_cuda_ema_update(float *avg, const float *w, float momentum, int64_t n, void *stream);


/* ---- matmul (gemm.cu) ---- */

/* Precision of nabla_cuda_gemm: fp32 FMA (default) or TF32 tensor cores (inputs rounded to a
   10-bit mantissa, fp32 accumulation; about 1e-3 relative error). */
#define NABLA_GEMM_FP32 0
#define NABLA_GEMM_TF32 1

/* C (m x n) = act(alpha * op(A) * op(B) + beta * C + bias), row-major. op(A) is (m x k): A is
   stored (m x k), or (k x m) when trans_a; op(B) is (k x n): B is (k x n), or (n x k) when
   trans_b. Epilogue: bias (n, may be NULL) is added per column; z (m x n, may be NULL) receives
   the pre-activation value; act is an elementwise nabla_act code (not SOFTMAX). db (n, may be
   NULL) receives the column sums of op(B) (the bias gradient when op(B) = dZ): the reduction
   rides on the B tiles the kernel stages anyway.
   Then, in this order, when enabled:
   - drop_scale != 0: dropout of the activated value, element i = row * n + col kept as
     nabla_dropout keeps it for (drop_seed, step, drop_stream, drop_threshold), step read from
     drop_step_dev when not NULL, else drop_step; kept values times drop_scale (forward, or the
     backward of a dropout when the gemm computes its output's gradient);
   - bwd_z != NULL: times act'(bwd_z) for activation bwd_act (the backward of the activation
     below, from its pre-activation values; with act = LINEAR).
   workspace (device, workspace_floats floats; may be NULL) allows split-K: when the output has
   too few tiles for the SMs and k >= 256 (and db is NULL), k is cut into slices summed through
   the workspace by a second kernel that then applies the epilogue. */
int nabla_cuda_gemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                    const float *a, const float *b, float beta, float *c, const float *bias,
                    float *z, int act, float act_alpha, float *db, float drop_scale,
                    uint64_t drop_seed, uint64_t drop_step, const uint64_t *drop_step_dev,
                    uint32_t drop_stream, uint32_t drop_threshold, const float *bwd_z,
                    int bwd_act, float bwd_alpha, float *workspace, int64_t workspace_floats,
                    int precision, void *stream);

/* ---- bias + activation (activation.cu), as nabla_bias_act_forward etc. in kernels.h ---- */

int nabla_cuda_bias_act_forward(const float *x, const float *bias, float *z, float *y,
                                int64_t rows, int64_t cols, int act, float alpha, void *stream);

int nabla_cuda_act_backward(const float *z, const float *y, const float *dy, float *dz,
                            int64_t rows, int64_t cols, int act, float alpha, void *stream);

int nabla_cuda_bias_grad(const float *dz, float *db, int64_t rows, int64_t cols, void *stream);

/* ---- softmax cross-entropy (softmax_xent.cu) ---- */

/* nabla_softmax_xent on the device. Instead of returning them, the summed loss is added to
   *loss_sum (a device double, may be NULL) and the argmax hits to *correct_sum (a device u64, may
   be NULL): callers zero them when a tally starts and read them when they need the figure. */
int nabla_cuda_softmax_xent(const float *pred, const float *labels, float *row_loss, float *grad,
                            int64_t rows, int64_t cols, int sparse, int from_logits,
                            float label_smoothing, float grad_scale, double *loss_sum,
                            unsigned long long *correct_sum, void *stream);

/* ---- dropout (dropout.cu) ---- */

/* nabla_dropout on the device, bit-identical masks. When step_dev (a device u64) is not NULL the
   step is read from it at run time instead of `step`. */
int nabla_cuda_dropout(const float *x, float *y, int64_t n, uint64_t seed, uint64_t step,
                       const uint64_t *step_dev, uint32_t stream_id, uint32_t threshold,
                       float scale, void *stream);

/* ---- a device-resident epoch (data.cu) ---- */

/* order (n int32) = the epoch's visiting order: argsort of nabla_shuffle_key(seed, epoch, i)
   (nabla/philox.h). keys and sorted are device scratch of n u64 each. Call first with
   temp = NULL to get the sort's scratch size in *temp_bytes, then with a buffer that large. */
int nabla_cuda_shuffle_order(int64_t n, uint64_t seed, uint64_t epoch, uint64_t *keys,
                             uint64_t *sorted, int32_t *order, void *temp, size_t *temp_bytes,
                             void *stream);

/* dst (rows x width) row r = src row order[start + r], start = base + (*batch_dev) * stride
   (batch_dev may be NULL: start = base; order may be NULL: the identity). */
int nabla_cuda_gather_rows(const float *src, int64_t width, const int32_t *order,
                           const int32_t *batch_dev, int64_t base, int64_t stride, int64_t rows,
                           float *dst, void *stream);

/* *batch += 1 and *step += 1 (either may be NULL): the last node of a captured training step. */
int nabla_cuda_advance(int32_t *batch, uint64_t *step, void *stream);

/* nabla_cuda_optimizer_step with the hyperparameters read on the device from row *hp_row of
   hp_table (rows of 16 floats), so a captured graph applies each step's values. A row's float 15
   is that step's weight-decay learning rate (decay_lr is then ignored). gscale_dev (device,
   may be NULL) replaces gscale_host with factors computed on the device. */
int nabla_cuda_optimizer_step_table(int rule, const float *hp_table, const int32_t *hp_row,
                                    float *w, const float *g, float *s0, float *s1, float *s2,
                                    int64_t nseg, const int64_t *seg_end_host,
                                    const float *gscale_host, const float *gscale_dev,
                                    const float *wd_host, float decay_lr, float clipvalue,
                                    double *lamb_scratch, void *stream);

/* gscale (device, nseg floats) from the segments' sums of squares (device doubles, from
   nabla_cuda_segment_sum_squares), as the optimizer base class computes them on the host:
   clipnorm > 0: pre * clipnorm / max(norm, clipnorm), norm = sqrt(sum) * pre, per segment;
   global_clipnorm > 0: pre * gc * min(1 / norm, 1 / gc), norm over all segments (NaN when not
   finite); neither: pre. Pass the result as gscale_dev of nabla_cuda_optimizer_step_table. */
int nabla_cuda_clip_scales(const double *sums, int64_t nseg, float pre, float clipnorm,
                           float global_clipnorm, float *gscale, void *stream);

/* ---- the graph's light ops (elementwise.cu); reference: dev.nabla.backend.JavaBackend ---- */

#define NABLA_UNARY_SCALE 0  /* c * x */
#define NABLA_UNARY_SQUARE 1 /* x * x */
#define NABLA_UNARY_ABS 2    /* |x| */
#define NABLA_UNARY_LOG 3    /* log(max(x, c)) */
#define NABLA_BINARY_ADD 0
#define NABLA_BINARY_SUB 1
#define NABLA_BINARY_MUL 2
#define NABLA_LOSS_MSE 0        /* (p - y)^2 */
#define NABLA_LOSS_MAE 1        /* |p - y| */
#define NABLA_LOSS_BCE 2        /* binary cross-entropy of probabilities, clipped as Keras */
#define NABLA_LOSS_BCE_LOGITS 3 /* binary cross-entropy of logits */

/* y[i] = value for i < n. */
int nabla_cuda_fill(float *y, float value, int64_t n, void *stream);

/* y = f(x) elementwise for a NABLA_UNARY_ kind with constant c; the backward writes
   out = g * f'(x). */
int nabla_cuda_unary(int kind, const float *x, float *y, int64_t n, float c, void *stream);
int nabla_cuda_unary_backward(int kind, const float *x, const float *g, float *out, int64_t n,
                              float c, void *stream);

/* y[i] = a[i % na] op b[i % nb] for i < n (trailing broadcast). */
int nabla_cuda_binary(int kind, const float *a, int64_t na, const float *b, int64_t nb, float *y,
                      int64_t n, void *stream);

/* out[j] = sign * sum over i = j, j + m, ... < n of g[i] * other[i % other_size] (other may be
   NULL: 1), summed in double: the gradient of a broadcast operand of m values. */
int nabla_cuda_binary_grad(const float *g, const float *other, int64_t other_size, float *out,
                           int64_t m, int64_t n, float sign, void *stream);

/* y[r] = (sum over c < group of x[r * group + c] * w[r * group + c]) / divisor, in double (w may
   be NULL: 1; divisor 0 gives 0). */
int nabla_cuda_reduce_rows(const float *x, const float *w, float *y, int64_t rows, int64_t group,
                           double divisor, void *stream);

/* out[i] = (g[i / group] / divisor) * m[i] for i < rows * group (m may be NULL: 1). */
int nabla_cuda_scale_rows(const float *g, const float *m, float *out, int64_t rows,
                          int64_t group, float divisor, void *stream);

/* loss[r] = mean over c < group of the NABLA_LOSS_ kind's value at (y, p)[r * group + c], in
   double; labels y smoothed as y (1 - ls) + ls / 2 for the cross-entropies. The backward writes
   out[i] = g[i / group] * dvalue/dp / group. */
int nabla_cuda_pointwise_loss(int kind, double label_smoothing, const float *y, const float *p,
                              float *loss, int64_t rows, int64_t group, void *stream);
int nabla_cuda_pointwise_loss_backward(int kind, double label_smoothing, const float *y,
                                       const float *p, const float *g, float *out, int64_t rows,
                                       int64_t group, void *stream);

#ifdef __cplusplus
}
#endif
#endif

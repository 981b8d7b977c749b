/*
 * Nabla's CUDA kernels behind a plain C launch API: no CUDA headers here, so JNI glue compiles
 * against it with g++ alone. Pointers are device pointers unless named *_host; `stream` is a
 * cudaStream_t passed as void* (NULL = the default stream). Each function returns the
 * cudaError_t of its launch as an int (0 = success). Same rules and argument meanings as the
 * CPU kernels in kernels.h.
 */
#ifndef NABLA_CUDA_KERNELS_H
#define NABLA_CUDA_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif
#endif

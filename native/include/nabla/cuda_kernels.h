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

#ifdef __cplusplus
}
#endif
#endif

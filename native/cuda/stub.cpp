// libnabla_cuda without nvcc: the same C API, every call answering "not compiled with CUDA", so
// the JNI glue links on any machine and the probe can say why CUDA is unavailable.
#include "nabla/cuda_kernels.h"

namespace {
constexpr int kNotBuilt = -1;
}

extern "C" int nabla_cuda_device_count(int *count) {
  *count = 0;
  return kNotBuilt;
}

extern "C" const char *nabla_cuda_error_string(int error) {
  return error == kNotBuilt
      ? "libnabla_cuda was built without a CUDA compiler (install the CUDA toolkit and rebuild)"
      : "unknown error";
}

extern "C" int nabla_cuda_versions(int *runtime, int *driver) {
  *runtime = 0;
  *driver = 0;
  return kNotBuilt;
}

extern "C" int nabla_cuda_device_info(int, char *buf, int len, int *major, int *minor) {
  if (len > 0) buf[0] = '\0';
  *major = *minor = 0;
  return kNotBuilt;
}

extern "C" int nabla_cuda_optimizer_step(int, const float *, float *, const float *, float *,
                                         float *, float *, int64_t, const int64_t *,
                                         const float *, const float *, float, float, double *,
                                         void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_segment_sum_squares(const float *, int64_t, const int64_t *, double *,
                                              void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_axpy(float *, const float *, float, int64_t, void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_ema_update(float *, const float *, float, int64_t, void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_gemm(int, int, int64_t, int64_t, int64_t, float, const float *,
                               const float *, float, float *, const float *, float *, int, float,
                               float *, float, uint64_t, uint64_t, const uint64_t *, uint32_t,
                               uint32_t, const float *, int, float, float *, int64_t, int,
                               void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_bias_act_forward(const float *, const float *, float *, float *, int64_t,
                                           int64_t, int, float, void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_act_backward(const float *, const float *, const float *, float *,
                                       int64_t, int64_t, int, float, void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_bias_grad(const float *, float *, int64_t, int64_t, void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_softmax_xent(const float *, const float *, float *, float *, int64_t,
                                       int64_t, int, int, float, float, double *,
                                       unsigned long long *, void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_dropout(const float *, float *, int64_t, uint64_t, uint64_t,
                                  const uint64_t *, uint32_t, uint32_t, float, void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_shuffle_order(int64_t, uint64_t, uint64_t, uint64_t *, uint64_t *,
                                        int32_t *, void *, size_t *, void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_gather_rows(const float *, int64_t, const int32_t *, const int32_t *,
                                      int64_t, int64_t, int64_t, float *, void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_advance(int32_t *, uint64_t *, void *) { return kNotBuilt; }

extern "C" int nabla_cuda_optimizer_step_table(int, const float *, const int32_t *, float *,
                                               const float *, float *, float *, float *, int64_t,
                                               const int64_t *, const float *, const float *,
                                               const float *, float, float, double *, void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_clip_scales(const double *, int64_t, float, float, float, float *,
                                      void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_fill(float *, float, int64_t, void *) { return kNotBuilt; }

extern "C" int nabla_cuda_unary(int, const float *, float *, int64_t, float, void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_unary_backward(int, const float *, const float *, float *, int64_t,
                                         float, void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_binary(int, const float *, int64_t, const float *, int64_t, float *,
                                 int64_t, void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_binary_grad(const float *, const float *, int64_t, float *, int64_t,
                                      int64_t, float, void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_reduce_rows(const float *, const float *, float *, int64_t, int64_t,
                                      double, void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_scale_rows(const float *, const float *, float *, int64_t, int64_t,
                                     float, void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_pointwise_loss(int, double, const float *, const float *, float *,
                                         int64_t, int64_t, void *) {
  return kNotBuilt;
}

extern "C" int nabla_cuda_pointwise_loss_backward(int, double, const float *, const float *,
                                                  const float *, float *, int64_t, int64_t,
                                                  void *) {
  return kNotBuilt;
}

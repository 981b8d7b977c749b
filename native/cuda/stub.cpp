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

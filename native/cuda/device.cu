// Device discovery for the Java side's probe: the runtime is linked statically (cudart_static), so
// this library loads on any machine; without a driver the calls return cudaErrorInsufficientDriver
// (35) or cudaErrorNoDevice (100) and the probe reports that in one line.
#include "nabla/cuda_kernels.h"
#include <cuda_runtime.h>
#include <cstring>

extern "C" int nabla_cuda_device_count(int *count) {
  *count = 0;
  return (int)cudaGetDeviceCount(count);
}

extern "C" const char *nabla_cuda_error_string(int error) {
  return cudaGetErrorString((cudaError_t)error);
}

extern "C" int nabla_cuda_versions(int *runtime, int *driver) {
  *runtime = 0;
  *driver = 0;
  cudaRuntimeGetVersion(runtime);
  return (int)cudaDriverGetVersion(driver);
}

extern "C" int nabla_cuda_device_info(int device, char *buf, int len, int *major, int *minor) {
  cudaDeviceProp prop;
  const cudaError_t err = cudaGetDeviceProperties(&prop, device);
  if (err != cudaSuccess) return (int)err;
  std::strncpy(buf, prop.name, (size_t)len - 1);
  buf[len - 1] = '\0';
  *major = prop.major;
  *minor = prop.minor;
  return 0;
}

# libnabla_cuda: the CUDA kernels behind include/nabla/cuda_kernels.h. NABLA_CUDA: AUTO (default:
# build them when a CUDA compiler is found), ON (fail without one), OFF. Without CUDA, a stub with
# the same C API is built instead, so the JNI glue links everywhere and reports why at run time.
# Architectures: sm_80 and sm_90 machine code plus PTX for newer GPUs (CUDA 13 no longer targets
# sm_70 and older; "native" needs a GPU at build time). The runtime is linked statically so the
# library loads on machines without a CUDA install (calls then report "insufficient driver").
set(NABLA_CUDA "AUTO" CACHE STRING "Build the CUDA kernels: AUTO, ON or OFF")
set(NABLA_HAVE_CUDA FALSE)
if(NOT NABLA_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(NABLA_HAVE_CUDA TRUE)
  elseif(NABLA_CUDA STREQUAL "ON")
    message(FATAL_ERROR "NABLA_CUDA=ON but no CUDA compiler was found (install the CUDA toolkit or use -DNABLA_CUDA=OFF)")
  endif()
endif()

if(NABLA_HAVE_CUDA)
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    set(CMAKE_CUDA_ARCHITECTURES "80-real;90")
  endif()
  enable_language(CUDA)
  add_library(nabla_cuda SHARED cuda/device.cu cuda/gemm.cu cuda/activation.cu
    cuda/softmax_xent.cu cuda/dropout.cu cuda/data.cu cuda/optim.cu cuda/elementwise.cu)
  set_target_properties(nabla_cuda PROPERTIES CUDA_STANDARD 17 CUDA_RUNTIME_LIBRARY Static)
  # -ftz=true: subnormal float results flush to zero (and subnormal inputs read as zero) in device
  # code, as the CPU kernels do under MXCSR FTZ/DAZ (native/include/nabla/flush_denormals.h) and
  # TensorFlow does: decaying optimizer state (Adam's m where a gradient stays zero) never turns
  # subnormal. Division and sqrt stay IEEE-rounded (-prec-div/-prec-sqrt default to true).
  target_compile_options(nabla_cuda PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:-O3 -ftz=true -Xcompiler=-Wall>)
  message(STATUS "nabla: building CUDA kernels with ${CMAKE_CUDA_COMPILER} for ${CMAKE_CUDA_ARCHITECTURES}")
else()
  add_library(nabla_cuda SHARED cuda/stub.cpp)
  message(STATUS "nabla: no CUDA compiler; libnabla_cuda is a stub that reports it")
endif()
target_include_directories(nabla_cuda PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)

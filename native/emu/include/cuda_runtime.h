/*
 * A CUDA emulator for tests on machines without a GPU: this header stands in for the toolkit's
 * cuda_runtime.h when native/cuda/*.cu are compiled by g++ (see hostify.py and
 * cmake/NablaCudaEmu.cmake). Kernels run unchanged on the CPU: each block's threads are fibers
 * (ucontext) scheduled round-robin in one OS thread, __syncthreads and warp shuffles are real
 * barriers between them, __shared__ is block-wide storage (one block runs at a time), and
 * atomics are plain adds (no preemption between fibers). Slow, exact in indexing, and blind to
 * races the hardware would expose; a check of logic, not of speed.
 */
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(...)

typedef void *cudaStream_t;
typedef int cudaError_t;
enum { cudaSuccess = 0, cudaErrorInvalidValue = 1, cudaErrorLaunchFailure = 719 };
enum cudaDeviceAttr { cudaDevAttrMultiProcessorCount = 16 };

struct dim3 {
  unsigned x, y, z;
  dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

namespace nabla_emu {
struct uint3_ { unsigned x, y, z; };

/* The running fiber's coordinates. */
const uint3_ &thread_idx();
const uint3_ &block_idx();
const uint3_ &block_dim();
const uint3_ &grid_dim();

void syncthreads();
/* Exchanges 64-bit words across the calling thread's warp: returns lane (lane ^ xor_mask)'s. */
uint64_t shfl_xor_bits(uint64_t bits, int xor_mask);

/* Runs body once per thread of every block of the grid (blocks in order, one at a time). */
void run_grid(dim3 grid, dim3 block, const std::function<void()> &body);

/* The emulated device's SM count, which the gemm's tile choice reads (tests vary it). */
int sm_count();
void set_sm_count(int n);

/* The launch syntax after hostify.py: cfg(grid, block, smem, stream)(kernel)(args...). */
struct Launch {
  dim3 grid, block;
  template <class K>
  auto operator()(K kernel) const {
    dim3 g = grid, b = block;
    return [=](auto... args) { run_grid(g, b, [&] { kernel(args...); }); };
  }
};
inline Launch cfg(dim3 grid, dim3 block, size_t = 0, cudaStream_t = nullptr) {
  return Launch{grid, block};
}

/* tf32 rounding of cvt.rna.tf32.f32: to 10 mantissa bits, nearest, ties away from zero. */
inline uint32_t to_tf32(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  if ((u & 0x7f800000u) != 0x7f800000u) u = (u + 0x1000u) & 0xffffe000u;
  return u;
}

/* mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 across the calling warp, from the PTX
   ISA's fragment layout (g = lane / 4, t = lane % 4): a0 (g, t) a1 (g+8, t) a2 (g, t+4)
   a3 (g+8, t+4); b0 (t, g) b1 (t+4, g); c0 (g, 2t) c1 (g, 2t+1) c2 (g+8, 2t) c3 (g+8, 2t+1). */
void mma_tf32(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]);
}  // namespace nabla_emu

#define threadIdx (::nabla_emu::thread_idx())
#define blockIdx (::nabla_emu::block_idx())
#define blockDim (::nabla_emu::block_dim())
#define gridDim (::nabla_emu::grid_dim())

inline void __syncthreads() { nabla_emu::syncthreads(); }

template <class T>
inline T __shfl_xor_sync(unsigned, T v, int mask) {
  static_assert(sizeof(T) <= 8, "shuffle of at most 64 bits");
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(T));
  bits = nabla_emu::shfl_xor_bits(bits, mask);
  T r;
  std::memcpy(&r, &bits, sizeof(T));
  return r;
}

/* Fibers never run concurrently, so a read-modify-write is atomic. */
template <class T>
inline T atomicAdd(T *p, T v) {
  T old = *p;
  *p = old + v;
  return old;
}

/* Round-to-nearest float ops that a compiler may not fuse (the emulator builds with
   -ffp-contract=off, so plain operators are exactly that). */
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }

inline cudaError_t cudaGetLastError() { return cudaSuccess; }
inline const char *cudaGetErrorString(cudaError_t) { return "emulated CUDA error"; }
inline cudaError_t cudaGetDevice(int *d) { *d = 0; return cudaSuccess; }
inline cudaError_t cudaDeviceGetAttribute(int *v, cudaDeviceAttr, int) {
  *v = nabla_emu::sm_count();
  return cudaSuccess;
}
inline cudaError_t cudaMemsetAsync(void *p, int value, size_t n, cudaStream_t = nullptr) {
  std::memset(p, value, n);
  return cudaSuccess;
}

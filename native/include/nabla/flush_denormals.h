/*
 * Flush-to-zero and denormals-are-zero for the duration of one native call.
 *
 * Why: Adam's moments decay by beta per step where a gradient is zero (MNIST's border pixels) and
 * reach the subnormal range after ~830 steps; Intel cores take a microcode assist on every
 * subnormal operand or result (tens to hundreds of cycles), so later epochs ran slower than the
 * first. TensorFlow (hence Keras on CPU) runs its kernels with FTZ/DAZ set; so do we.
 *
 * Why per call: HotSpot's compiled Java code must see IEEE subnormals (Java's float semantics),
 * and JNI does not restore MXCSR on return by default, so every exported entry point sets the two
 * bits on entry and restores the caller's MXCSR on exit. Use one NABLA_FLUSH_DENORMALS; at the
 * top of each extern "C" kernel (a couple of nanoseconds per call).
 */
#ifndef NABLA_FLUSH_DENORMALS_H
#define NABLA_FLUSH_DENORMALS_H

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>

namespace nabla {
class FlushDenormalsScope {
 public:
  FlushDenormalsScope() : saved_(_mm_getcsr()) {
    _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero);
  }
  ~FlushDenormalsScope() { _mm_setcsr(saved_); }
  FlushDenormalsScope(const FlushDenormalsScope &) = delete;
  FlushDenormalsScope &operator=(const FlushDenormalsScope &) = delete;

 private:
  static constexpr unsigned kFlushToZero = 0x8000;      // MXCSR bit 15 (FTZ)
  static constexpr unsigned kDenormalsAreZero = 0x0040; // MXCSR bit 6 (DAZ)
  unsigned saved_;
};
} // namespace nabla
#define NABLA_FLUSH_DENORMALS ::nabla::FlushDenormalsScope nabla_flush_denormals_scope_
#else
// Other architectures: no such mode bits here (AArch64's FPCR.FZ would be the analogue).
#define NABLA_FLUSH_DENORMALS ((void)0)
#endif

#endif

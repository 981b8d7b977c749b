package dev.nabla.backend.cuda;

import dev.nabla.backend.Backends;
import dev.nabla.backend.jni.NablaCudaEmu;

/**
 * The kernel checks on the CPU emulator of native/cuda (libnabla_cuda_emu): the same kernel
 * source, each block's threads run as fibers with real barriers and warp shuffles. It proves the
 * kernels' indexing, bounds, reductions and fusions everywhere; speed, races and the hardware's
 * own rounding (TF32 included: the emulator rounds as the PTX ISA documents) are for the GPU.
 * The matmul runs under 1, 4 and 132 SMs so each of its three tile shapes is taken.
 */
class EmulatedCudaKernelsTest extends CudaKernelChecks {
  @Override
  DeviceOps device() {
    return Backends.probeCpu().isEmpty() ? new EmulatedCudaOps() : null;
  }

  @Override
  String skipReason() {
    return "CPU libraries unavailable: " + Backends.probeCpu();
  }

  @Override
  int[] smCounts() {
    return new int[] {1, 4, 132};
  }

  @Override
  void setSmCount(int n) {
    NablaCudaEmu.nabla_emu_set_sm_count(n);
  }

  @Override
  boolean small() {
    return true;
  }
}

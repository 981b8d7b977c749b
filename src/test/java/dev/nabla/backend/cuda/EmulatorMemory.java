package dev.nabla.backend.cuda;

import dev.nabla.backend.Backend;

/** What the CUDA emulator holds, for tests outside this package that check for leaks. */
public final class EmulatorMemory {
  private EmulatorMemory() {}

  /** Bytes of emulated device memory in use on {@code b}'s device. */
  public static long deviceBytes(Backend b) {
    return ops(b).liveBytes;
  }

  /** Page-locked host blocks (batch staging) not yet freed on {@code b}'s device. */
  public static int pinnedBlocks(Backend b) {
    return ops(b).liveHostBlocks();
  }

  private static EmulatedCudaOps ops(Backend b) {
    return (EmulatedCudaOps) ((CudaBackend) b).ops();
  }
}

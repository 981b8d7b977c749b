package dev.nabla;

import org.bytedeco.javacpp.Pointer;

/**
 * Where a tensor's memory lives: {@link #HOST} (off-heap host memory, read by the Java and CPU
 * backends) or an accelerator's memory (a CUDA device, or the CUDA emulator's stand-in for one).
 * Copies between devices are always explicit ({@link Tensor#to}, {@link Tensor#copyFrom}); an op
 * given tensors on two devices fails with a message naming both.
 *
 * <p>A device's memory is addressed by plain {@code long} addresses: what its kernels take. The
 * transfer methods are the device's primitives; tensors call them, users call the tensor's.
 *
 * <p>Thread-safe: its transfer methods may be called from any thread (a CUDA device's go through
 * its backend's lock).
 */
public abstract class Device {
  /** Host memory: the Java and CPU backends' device. */
  public static final Device HOST = new Device() {
    @Override
    public String name() {
      return "host";
    }

    @Override
    public long malloc(long bytes) {
      throw hostOnly();
    }

    @Override
    public void free(long address) {
      throw hostOnly();
    }

    @Override
    public void zero(long address, long bytes) {
      throw hostOnly();
    }

    @Override
    public void upload(long dst, Pointer src, long bytes) {
      throw hostOnly();
    }

    @Override
    public void download(Pointer dst, long src, long bytes) {
      throw hostOnly();
    }

    @Override
    public void copy(long dst, long src, long bytes) {
      throw hostOnly();
    }

    @Override
    public long mallocHost(long bytes) {
      throw hostOnly();
    }

    @Override
    public void freeHost(long address) {
      throw hostOnly();
    }

    private IllegalStateException hostOnly() {
      return new IllegalStateException("host tensors own JavaCPP memory; no device transfer");
    }
  };

  /** A short name for messages, e.g. "host", "cuda:0", "cuda-emulated". */
  public abstract String name();

  public boolean isHost() {
    return this == HOST;
  }

  /** Device memory of at least {@code bytes}, aligned for any float access; contents undefined. */
  public abstract long malloc(long bytes);

  public abstract void free(long address);

  /** Zeroes {@code bytes} at {@code address}, in the order of the device's other work. */
  public abstract void zero(long address, long bytes);

  /** Copies host memory (a JavaCPP pointer, its position honoured) to the device; waits. */
  public abstract void upload(long dst, Pointer src, long bytes);

  /** Waits for the device's queued work, then copies device memory to the host. */
  public abstract void download(Pointer dst, long src, long bytes);

  /** Copies within the device, in the order of its other work. */
  public abstract void copy(long dst, long src, long bytes);

  /**
   * Page-locked host memory that this device copies to and from by DMA (cudaMallocHost): the
   * staging of batches that go up every step. Contents undefined.
   */
  public abstract long mallocHost(long bytes);

  public abstract void freeHost(long address);

  @Override
  public String toString() {
    return name();
  }

  /** A device allocation that failed for want of memory (callers may fall back to the host). */
  public static final class OutOfMemory extends RuntimeException {
    public OutOfMemory(String message) {
      super(message);
    }
  }
}

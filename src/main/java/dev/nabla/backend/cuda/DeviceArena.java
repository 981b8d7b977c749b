package dev.nabla.backend.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * Device memory owned explicitly: a model's buffers are carved from a few large blocks
 * (256-byte aligned, as cudaMalloc's own) and all freed in {@link #close}, never by the garbage
 * collector. Blocks are allocated on demand, so callers need not know the total in advance.
 *
 * <p>Not thread-safe: one owner allocates from it.
 */
public final class DeviceArena implements AutoCloseable {
  private static final long ALIGN = 256, BLOCK = 64L << 20;
  private final DeviceOps ops;
  private final List<Long> blocks = new ArrayList<>();
  private long cursor, end;
  private long reserved;
  private boolean closed;

  public DeviceArena(DeviceOps ops) {
    this.ops = ops;
  }

  /** {@code bytes} of device memory (contents undefined), alive until this arena closes. */
  public long alloc(long bytes) {
    if (closed) {
      throw new IllegalStateException("device arena is closed: its memory was freed");
    }
    long size = Math.max(ALIGN, (bytes + ALIGN - 1) / ALIGN * ALIGN);
    if (cursor + size > end || cursor == 0) {
      long block = Math.max(BLOCK, size);
      long base = ops.malloc(block);
      blocks.add(base);
      cursor = base;
      end = base + block;
      reserved += block;
    }
    long p = cursor;
    cursor += size;
    return p;
  }

  public long allocFloats(long n) {
    return alloc(n * Float.BYTES);
  }

  /** Bytes reserved on the device so far. */
  public long reservedBytes() {
    return reserved;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      for (long b : blocks) {
        ops.free(b);
      }
      blocks.clear();
    }
  }
}

package dev.nabla.backend;

import dev.nabla.Tensor;
import dev.nabla.backend.jni.NablaCpu;
import org.bytedeco.javacpp.IntPointer;

/**
 * {@link Backend#gatherOnHost} through libnabla_cpu's nabla_gather_rows where that library
 * loads: it prefetches the batch's rows a few ahead, where a Java copy waited on DRAM row by row
 * (a batch of 128 MNIST rows: ~73 -> ~59 us, benchmarks/NOTES.md). Arguments are checked here,
 * as the Java copy's bounds checks did. Thread-safe: each thread stages its batch's row indices
 * in a buffer of its own.
 */
final class NativeGather {
  static final boolean AVAILABLE = Backends.probeCpu().isEmpty();
  private static final ThreadLocal<IntPointer[]> INDICES = ThreadLocal.withInitial(
      () -> new IntPointer[1]);

  private NativeGather() {}

  static void gather(Tensor src, int width, int[] order, int start, int rows, Tensor dst) {
    long srcRows = src.size() / Math.max(1, width);
    if (start < 0 || rows < 0 || start + rows > order.length || (long) rows * width > dst.size()) {
      throw new IndexOutOfBoundsException("gather of " + rows + " rows from order[" + start
          + "..] (length " + order.length + ") into " + dst.size() + " values of width " + width);
    }
    for (int r = 0; r < rows; r++) {
      int i = order[start + r];
      if (i < 0 || i >= srcRows) {
        throw new IndexOutOfBoundsException("order[" + (start + r) + "] = " + i
            + " is not a row of the source (" + srcRows + " rows)");
      }
    }
    IntPointer[] holder = INDICES.get();
    if (holder[0] == null || holder[0].capacity() < rows) {
      if (holder[0] != null) {
        holder[0].close();
      }
      holder[0] = new IntPointer(Math.max(rows, 256));
    }
    IntPointer idx = holder[0];
    idx.put(order, start, rows);
    NablaCpu.nabla_gather_rows(src.pointer(), width, idx, rows, dst.pointer());
  }
}

package dev.nabla.backend;

import dev.nabla.Tensor;
import dev.nabla.backend.jni.NablaCpu;
import org.bytedeco.javacpp.IntPointer;

/**
 * {@link Backend#gatherOnHost} through libnabla_cpu's nabla_gather_rows where that library
 * loads (it prefetches the batch's rows a few ahead; a Java copy waited on DRAM row by row:
 * 73 -> see benchmarks/NOTES.md). Thread-safe: each thread stages its batch's row indices in a
 * buffer of its own.
 */
final class NativeGather {
  static final boolean AVAILABLE = Backends.probeCpu().isEmpty();
  private static final ThreadLocal<IntPointer[]> INDICES = ThreadLocal.withInitial(
      () -> new IntPointer[1]);

  private NativeGather() {}

  static void gather(Tensor src, int width, int[] order, int start, int rows, Tensor dst) {
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

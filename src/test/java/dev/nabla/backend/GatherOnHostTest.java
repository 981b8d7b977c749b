package dev.nabla.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The host batch gather (native with prefetching where libnabla_cpu loads) row for row. */
class GatherOnHostTest {
  @Test
  void copiesTheOrderedRowsAndNothingElse() {
    assertTrue(NativeGather.AVAILABLE, "libnabla_cpu must load in the test suite");
    SplittableRandom rng = new SplittableRandom(5);
    for (int width : new int[] {1, 3, 16, 784}) {
      int n = 300;
      float[] src = new float[n * width];
      for (int i = 0; i < src.length; i++) {
        src[i] = (float) rng.nextDouble();
      }
      int[] order = rng.ints(n, 0, n).toArray();
      for (int[] startRows : new int[][] {{0, 1}, {7, 128}, {299, 1}, {100, 200}, {0, 0}}) {
        int start = startRows[0], rows = startRows[1];
        float[] want = new float[(rows + 1) * width];
        for (int r = 0; r < rows; r++) {
          System.arraycopy(src, order[start + r] * width, want, r * width, width);
        }
        java.util.Arrays.fill(want, rows * width, want.length, -1f); // beyond rows: untouched
        float[] poisoned = new float[(rows + 1) * width];
        java.util.Arrays.fill(poisoned, -1f);
        try (Tensor s = Tensor.of(src, n, width); Tensor d = Tensor.of(poisoned, rows + 1, width)) {
          Backend.gatherOnHost(s, width, order, start, rows, d);
          assertArrayEquals(want, d.toFloatArray(), "width " + width + " start " + start
              + " rows " + rows);
        }
      }
    }
  }
}

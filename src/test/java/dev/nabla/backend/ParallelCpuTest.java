package dev.nabla.backend;

import static dev.nabla.TestUtil.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nabla.Tensor;
import dev.nabla.TestUtil;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend's own threads: split optimizer steps give the single thread's results bit for
 * bit, split matmuls to float rounding.
 */
class ParallelCpuTest {
  @Test
  void everyPartRunsOnceAndFailuresReachTheCaller() {
    Parallel p = new Parallel(3);
    try {
      for (int round = 0; round < 200; round++) {
        int parts = 1 + round % 7;
        AtomicIntegerArray hits = new AtomicIntegerArray(parts);
        p.forEach(parts, hits::incrementAndGet);
        for (int i = 0; i < parts; i++) {
          assertEquals(1, hits.get(i), "part " + i + " of " + parts + ", round " + round);
        }
      }
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.forEach(4, i -> {
        if (i == 2) {
          throw new IllegalStateException("part 2 failed");
        }
      }));
      assertEquals("part 2 failed", e.getMessage());
      AtomicIntegerArray after = new AtomicIntegerArray(2);
      p.forEach(2, after::incrementAndGet); // still usable after a failure
      assertEquals(1, after.get(1));
    } finally {
      p.close();
    }
  }

  @Test
  void splitMatmulsEqualTheWholeCall() {
    CpuBackend one = new CpuBackend(1), two = new CpuBackend(2), three = new CpuBackend(3);
    SplittableRandom rng = new SplittableRandom(4);
    int[][] shapes = {{128, 128, 784}, {784, 128, 128}, {32, 128, 784}, {33, 129, 500},
        {1000, 17, 300}, {17, 1000, 300}};
    for (int[] s : shapes) {
      int m = s[0], n = s[1], k = s[2];
      for (int t = 0; t < 4; t++) {
        boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
        try (Tensor a = TestUtil.randomTensor(rng, 1, m * k);
            Tensor b = TestUtil.randomTensor(rng, 1, k * n);
            Tensor c0 = TestUtil.randomTensor(rng, 1, m * n)) {
          float[] expect = null;
          for (CpuBackend be : new CpuBackend[] {one, two, three}) {
            try (Tensor c = Tensor.of(c0.toFloatArray(), m * n)) {
              be.gemm(ta, tb, m, n, k, 0.5f, a, b, 0.25f, c);
              if (expect == null) {
                expect = c.toFloatArray();
              } else {
                // a smaller block may take another OpenBLAS kernel: float rounding of k-term sums
                assertClose(expect, c.toFloatArray(), 1e-5, 2e-5, m + "x" + n + "x" + k + " t" + t
                    + " threads " + be.threads());
              }
            }
          }
        }
      }
    }
    two.setThreads(1);
    three.setThreads(1);
  }

  @Test
  void splitOptimizerStepsEqualTheWholeCall() {
    CpuBackend one = new CpuBackend(1), two = new CpuBackend(2), three = new CpuBackend(3);
    SplittableRandom rng = new SplittableRandom(5);
    long[] ends = {100_352, 100_480, 100_480, 101_760, 101_770}; // the seed network, + an empty one
    int n = 101_770;
    for (OptimizerRule rule : OptimizerRule.values()) {
      float[] hp = CpuKernelsTest.hyper(rule, 1);
      float[][] init = new float[4][];
      for (int k = 0; k < 4; k++) {
        init[k] = TestUtil.random(rng, n, k == 0 ? 1 : 0.1);
        if (k > 0) {
          for (int i = 0; i < n; i++) {
            init[k][i] = Math.abs(init[k][i]) + (k == 1 ? 1f : 0f);
          }
        }
      }
      float[] g = TestUtil.random(rng, n, 1);
      float[][] expect = null;
      for (CpuBackend be : new CpuBackend[] {one, two, three}) {
        Segments seg = new Segments(ends);
        for (int s = 0; s < ends.length; s++) {
          seg.gscale[s] = 0.5f + s;
          seg.wd[s] = s % 2 == 0 ? 0.004f : 0f;
        }
        Tensor[] t = new Tensor[4];
        for (int k = 0; k < 4; k++) {
          t[k] = Tensor.of(init[k], n);
        }
        try (Tensor tg = Tensor.of(g, n)) {
          for (int step = 0; step < 2; step++) {
            be.optimizerStep(rule, hp, t[0], tg, t[1], t[2], t[3], seg, 0.01f, 0.3f);
          }
          float[][] got = new float[4][];
          for (int k = 0; k < 4; k++) {
            got[k] = t[k].toFloatArray();
            t[k].close();
          }
          if (expect == null) {
            expect = got;
          } else {
            for (int k = 0; k < 4; k++) {
              assertArrayEquals(expect[k], got[k], rule + " buffer " + k + ", threads "
                  + be.threads());
            }
          }
        }
      }
    }
    two.setThreads(1);
    three.setThreads(1);
  }

  @Test
  void splitElementwisePassesEqualTheWholeCall() {
    CpuBackend one = new CpuBackend(1), three = new CpuBackend(3);
    SplittableRandom rng = new SplittableRandom(6);
    for (int[] s : new int[][] {{128, 128}, {129, 1000}, {7, 10_000}}) {
      int rows = s[0], cols = s[1], n = rows * cols;
      for (Activation act : Activation.values()) {
        try (Tensor x = TestUtil.randomTensor(rng, 2, n); Tensor bias = TestUtil.randomTensor(rng,
            1, cols); Tensor dy = TestUtil.randomTensor(rng, 1, n)) {
          float[][] out = new float[2][];
          int i = 0;
          for (CpuBackend be : new CpuBackend[] {one, three}) {
            try (Tensor z = Tensor.zeros(n); Tensor y = Tensor.zeros(n); Tensor dz = Tensor.zeros(n);
                Tensor d = Tensor.zeros(n)) {
              be.biasActForward(x, bias, z, y, rows, cols, act, 0.2f);
              be.actBackward(z, y, dy, dz, rows, cols, act, 0.2f);
              be.dropout(x, d, n - 5, 77, 3, 1, 0.3f); // a length that ends mid-block
              float[] all = new float[3 * n];
              System.arraycopy(y.toFloatArray(), 0, all, 0, n);
              System.arraycopy(dz.toFloatArray(), 0, all, n, n);
              System.arraycopy(d.toFloatArray(), 0, all, 2 * n, n);
              out[i++] = all;
            }
          }
          assertArrayEquals(out[0], out[1], act + " " + rows + "x" + cols);
        }
      }
    }
    three.setThreads(1);
  }

  @Test
  void dropoutRangesMatchTheWholeMaskFromAnyStart() {
    SplittableRandom rng = new SplittableRandom(7);
    int n = 1003;
    try (Tensor x = TestUtil.randomTensor(rng, 1, n); Tensor whole = Tensor.zeros(n);
        Tensor parts = Tensor.zeros(n)) {
      dev.nabla.backend.jni.NablaCpu.nabla_dropout(x.pointer(), whole.pointer(), n, 9, 4, 2,
          Philox.threshold(0.5), 2f);
      int[] cuts = {0, 1, 6, 37, 64, 65, 500, 1003};
      for (int c = 0; c + 1 < cuts.length; c++) {
        dev.nabla.backend.jni.NablaCpu.nabla_dropout_range(x.pointer(), parts.pointer(), cuts[c],
            cuts[c + 1], 9, 4, 2, Philox.threshold(0.5), 2f);
      }
      assertArrayEquals(whole.toFloatArray(), parts.toFloatArray());
    }
  }
}

package dev.nabla.backend;

import static dev.nabla.TestUtil.assertClose;
import static dev.nabla.TestUtil.poisoned;
import static dev.nabla.TestUtil.randomTensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Tensor;
import dev.nabla.TestUtil;
import dev.nabla.backend.jni.NablaCpu;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.IntPointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every CPU kernel against the Java reference on random shapes (odd sizes, 1s) and random nonzero
 * values, outputs poisoned with NaN first. Tolerances: float32 kernels against a reference that
 * sums in double; rtol 1e-5 for elementwise ops, 1e-4 for reductions over up to ~1000 terms.
 */
class CpuKernelsTest {
  static Backend cpu;
  static final Backend ref = new JavaBackend();
  static final int[][] SHAPES = {{1, 1}, {1, 7}, {3, 1}, {5, 10}, {32, 128}, {17, 33}, {64, 3}};

  @BeforeAll
  static void load() {
    String why = Backends.probeCpu();
    assertEquals("", why, "the CPU backend must load in the test suite");
    cpu = Backends.select("cpu", 1).backend();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3})
  void gemmMatchesReference(int transposes) {
    boolean ta = (transposes & 1) != 0, tb = (transposes & 2) != 0;
    SplittableRandom rng = new SplittableRandom(11 + transposes);
    int[][] mnk = {{1, 1, 1}, {3, 5, 7}, {32, 128, 784}, {17, 10, 128}, {128, 784, 32}, {1, 9, 2}};
    for (int[] s : mnk) {
      int m = s[0], n = s[1], k = s[2];
      Tensor a = randomTensor(rng, 1, ta ? new int[] {k, m} : new int[] {m, k});
      Tensor b = randomTensor(rng, 1, tb ? new int[] {n, k} : new int[] {k, n});
      Tensor c0 = randomTensor(rng, 1, m, n);
      for (float beta : new float[] {0f, 1f, 0.5f}) {
        Tensor expected = Tensor.of(c0.toFloatArray(), m, n);
        Tensor actual = Tensor.of(c0.toFloatArray(), m, n);
        ref.gemm(ta, tb, m, n, k, 0.75f, a, b, beta, expected);
        cpu.gemm(ta, tb, m, n, k, 0.75f, a, b, beta, actual);
        assertClose(expected.toFloatArray(), actual.toFloatArray(), 1e-4, 1e-4 * Math.sqrt(k),
            "gemm ta=" + ta + " tb=" + tb + " " + m + "x" + n + "x" + k + " beta=" + beta);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Activation.class)
  void biasActivationForwardAndBackward(Activation act) {
    SplittableRandom rng = new SplittableRandom(act.ordinal());
    for (int[] s : SHAPES) {
      int rows = s[0], cols = s[1];
      Tensor x = randomTensor(rng, 3, rows, cols);
      Tensor bias = randomTensor(rng, 1, cols);
      Tensor zRef = poisoned(rows, cols), yRef = poisoned(rows, cols);
      Tensor z = poisoned(rows, cols), y = poisoned(rows, cols);
      ref.biasActForward(x, bias, zRef, yRef, rows, cols, act, Activation.LEAKY_RELU_SLOPE);
      cpu.biasActForward(x, bias, z, y, rows, cols, act, Activation.LEAKY_RELU_SLOPE);
      assertClose(zRef.toFloatArray(), z.toFloatArray(), 1e-6, 1e-6, act + " z " + rows + "x" + cols);
      assertClose(yRef.toFloatArray(), y.toFloatArray(), 1e-5, 1e-6, act + " y " + rows + "x" + cols);

      Tensor dy = randomTensor(rng, 1, rows, cols);
      Tensor dzRef = poisoned(rows, cols), dz = poisoned(rows, cols);
      ref.actBackward(zRef, yRef, dy, dzRef, rows, cols, act, Activation.LEAKY_RELU_SLOPE);
      cpu.actBackward(zRef, yRef, dy, dz, rows, cols, act, Activation.LEAKY_RELU_SLOPE);
      assertClose(dzRef.toFloatArray(), dz.toFloatArray(), 1e-5, 1e-6, act + " dz " + rows + "x" + cols);
    }
  }

  @Test
  void biasActivationWithoutBiasAndInPlace() {
    SplittableRandom rng = new SplittableRandom(3);
    Tensor x = randomTensor(rng, 2, 9, 13);
    Tensor yRef = poisoned(9, 13), zRef = poisoned(9, 13);
    ref.biasActForward(x, null, zRef, yRef, 9, 13, Activation.RELU, 0f);
    Tensor inPlace = Tensor.of(x.toFloatArray(), 9, 13);
    cpu.biasActForward(inPlace, null, inPlace, inPlace, 9, 13, Activation.RELU, 0f);
    assertClose(yRef.toFloatArray(), inPlace.toFloatArray(), 0, 0, "relu in place, no bias");
  }

  @Test
  void biasGradMatchesReference() {
    SplittableRandom rng = new SplittableRandom(5);
    for (int[] s : SHAPES) {
      Tensor dz = randomTensor(rng, 1, s[0], s[1]);
      Tensor a = poisoned(s[1]), b = poisoned(s[1]);
      ref.biasGrad(dz, a, s[0], s[1]);
      cpu.biasGrad(dz, b, s[0], s[1]);
      assertClose(a.toFloatArray(), b.toFloatArray(), 1e-5, 1e-5, "bias grad " + s[0] + "x" + s[1]);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4, 5})
  void softmaxCrossEntropyMatchesReference(int variant) {
    boolean sparse = variant % 2 == 0;
    boolean fromLogits = variant < 2 || variant >= 4;
    float smoothing = (variant >= 4 && !sparse) ? 0.1f : 0f;
    SplittableRandom rng = new SplittableRandom(100 + variant);
    for (int[] s : SHAPES) {
      int rows = s[0], cols = s[1];
      Tensor pred = fromLogits ? randomTensor(rng, 5, rows, cols) : probabilities(rng, rows, cols);
      Tensor labels = sparse ? classIndices(rng, rows, cols) : distributions(rng, rows, cols);
      Tensor lossRef = poisoned(rows), loss = poisoned(rows);
      Tensor gRef = poisoned(rows, cols), g = poisoned(rows, cols);
      long[] hitsRef = {-1}, hits = {-1};
      double totalRef = ref.softmaxXent(pred, labels, lossRef, gRef, rows, cols, sparse,
          fromLogits, smoothing, 0.5f, hitsRef);
      double total = cpu.softmaxXent(pred, labels, loss, g, rows, cols, sparse, fromLogits,
          smoothing, 0.5f, hits);
      String what = "xent sparse=" + sparse + " logits=" + fromLogits + " ls=" + smoothing + " "
          + rows + "x" + cols;
      assertEquals(totalRef, total, 1e-4 * Math.max(1, Math.abs(totalRef)), what + " total");
      assertClose(lossRef.toFloatArray(), loss.toFloatArray(), 1e-4, 1e-5, what + " row loss");
      assertClose(gRef.toFloatArray(), g.toFloatArray(), 1e-4, 1e-5, what + " grad");
      assertEquals(hitsRef[0], hits[0], what + " correct count");
    }
  }

  @Test
  void philoxMatchesPublishedVectorsAndJava() {
    // Known-answer vectors of Random123's philox4x32_10 (kat_vectors).
    int[][][] kat = {
        {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
        {{-1, -1, -1, -1}, {-1, -1}, {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
        {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
            {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}}};
    for (int[][] v : kat) {
      int[] java = new int[4];
      Philox.block(v[0][0], v[0][1], v[0][2], v[0][3], v[1][0], v[1][1], java);
      assertArrayEquals(v[2], java, "Java Philox");
      try (IntPointer c = new IntPointer(v[0]); IntPointer k = new IntPointer(v[1]);
          IntPointer out = new IntPointer(4)) {
        NablaCpu.nabla_philox4x32_10(c, k, out);
        int[] nat = new int[4];
        out.get(nat);
        assertArrayEquals(v[2], nat, "native Philox");
      }
    }
  }

  @Test
  void dropoutMasksAreBitIdenticalAndKeepTheRate() {
    SplittableRandom rng = new SplittableRandom(9);
    for (int n : new int[] {1, 3, 4, 5, 4097, 100_003}) {
      for (float rate : new float[] {0.2f, 0.5f, 0.9f}) {
        Tensor x = randomTensor(rng, 1, n);
        Tensor a = poisoned(n), b = poisoned(n);
        long seed = rng.nextLong(), step = rng.nextInt(1 << 20);
        ref.dropout(x, a, n, seed, step, 3, rate);
        cpu.dropout(x, b, n, seed, step, 3, rate);
        assertArrayEquals(a.toFloatArray(), b.toFloatArray(), "dropout n=" + n + " rate=" + rate);
        if (n > 10_000) {
          long dropped = 0;
          float[] y = b.toFloatArray(), xs = x.toFloatArray();
          for (int i = 0; i < n; i++) {
            if (y[i] == 0f) {
              dropped++;
            } else {
              assertEquals(xs[i] / (1f - rate), y[i], 1e-6 * Math.abs(y[i]) + 1e-7);
            }
          }
          double observed = dropped / (double) n;
          assertTrue(Math.abs(observed - rate) < 0.01, "drop fraction " + observed + " vs " + rate);
        }
      }
    }
  }

  /**
   * nabla_dropout_range against the Java reference's whole-tensor mask, for ranges that start at
   * multiples of 4 and of 32 (the vector paths' starts), at odd offsets (the scalar head), and
   * that end mid-block and mid-vector (the masked tails): inside [begin, end) the reference's
   * values bit for bit, outside it the NaN poison untouched. Lengths around the AVX-512 path's 64
   * elements per iteration; seeds, steps and streams with both 32-bit halves in use.
   */
  @Test
  void dropoutRangesMatchTheJavaMaskFromAnyStartAndEnd() {
    SplittableRandom rng = new SplittableRandom(15);
    long[][] draws = { // seed, step, stream
        {1234, 0, 0}, {0x9E3779B97F4A7C15L, (1L << 32) + 5, -7}, {-1, 0xFFFF_FFFFL, 0x7FFF_FFFF}};
    for (int n : new int[] {1, 3, 63, 64, 65, 1000, 16384}) {
      Tensor x = randomTensor(rng, 1, n);
      for (long[] d : draws) {
        float rate = n % 2 == 0 ? 0.2f : 0.5f;
        Tensor whole = poisoned(n);
        ref.dropout(x, whole, n, d[0], d[1], (int) d[2], rate);
        float[] expectedWhole = whole.toFloatArray();
        whole.close();
        int half = n / 2;
        int[] begins = {0, 1, 4, 6, 32, 60, 64, 96, half / 4 * 4, half / 32 * 32, n - 1};
        for (int begin : begins) {
          if (begin < 0 || begin > n) {
            continue;
          }
          int[] ends = {begin, begin + 1, begin + 5, begin + 64, begin + 65, n - 3, n};
          for (int end : ends) {
            if (end < begin || end > n) {
              continue;
            }
            try (Tensor y = poisoned(n)) {
              NablaCpu.nabla_dropout_range(x.pointer(), y.pointer(), begin, end, d[0], d[1],
                  (int) d[2], Philox.threshold(rate), 1f / (1f - rate));
              float[] expected = new float[n];
              java.util.Arrays.fill(expected, Float.NaN);
              System.arraycopy(expectedWhole, begin, expected, begin, end - begin);
              assertArrayEquals(expected, y.toFloatArray(), "dropout range [" + begin + ", " + end
                  + ") of n=" + n + " seed=" + d[0] + " step=" + d[1] + " stream=" + d[2]);
            }
          }
        }
      }
      x.close();
    }
  }

  @Test
  void dropoutMaskDependsOnSeedStepAndStream() {
    Tensor x = Tensor.of(filled(4096, 1f), 4096);
    Tensor base = Tensor.zeros(4096), other = Tensor.zeros(4096);
    cpu.dropout(x, base, 4096, 1, 7, 0, 0.5f);
    for (long[] change : new long[][] {{2, 7, 0}, {1, 8, 0}, {1, 7, 1}}) {
      cpu.dropout(x, other, 4096, change[0], change[1], (int) change[2], 0.5f);
      assertTrue(!java.util.Arrays.equals(base.toFloatArray(), other.toFloatArray()),
          "mask must change with seed/step/stream " + java.util.Arrays.toString(change));
    }
    cpu.dropout(x, other, 4096, 1, 7, 0, 0.5f);
    assertArrayEquals(base.toFloatArray(), other.toFloatArray(), "same inputs, same mask");
  }

  /** Hyperparameters for each rule, in the layout of nabla_optimizer_step. */
  static float[] hyper(OptimizerRule rule, int variant) {
    boolean alt = variant % 2 == 1;
    switch (rule) {
      case SGD: return new float[] {0.01f, alt ? 0.9f : 0f, variant == 3 ? 1f : 0f};
      case RMSPROP: return new float[] {0.001f, 0.9f, alt ? 0.5f : 0f, 1e-7f, variant >= 2 ? 1f : 0f};
      case ADAGRAD: return new float[] {0.01f, 1e-7f};
      case ADADELTA: return new float[] {1f, 0.95f, 1e-6f};
      case ADAM: return new float[] {0.003f, 0.9f, 0.999f, 1e-7f, alt ? 1f : 0f};
      case ADAMAX: return new float[] {0.002f, 0.9f, 0.999f, 1e-7f, 0.19f};
      case NADAM: return new float[] {0.002f, 0.9f, 0.999f, 1e-7f, 0.46f, 0.8f, 0.55f, 0.6f, 0.002f};
      case FTRL: return new float[] {0.1f, -0.5f, alt ? 0.01f : 0f, alt ? 0.2f : 0f, alt ? 0.1f : 0f};
      case LION: return new float[] {0.001f, 0.9f, 0.99f};
      case LAMB: return new float[] {0.01f, 0.9f, 0.999f, 1e-7f, 0.19f, 0.002f};
      default: throw new IllegalArgumentException(rule.toString());
    }
  }

  @ParameterizedTest
  @EnumSource(OptimizerRule.class)
  void fusedOptimizerStepMatchesReference(OptimizerRule rule) {
    SplittableRandom rng = new SplittableRandom(21 + rule.ordinal());
    for (int variant = 0; variant < 4; variant++) {
      for (long[] ends : new long[][] {{1}, {7}, {5, 5, 12}, {1000, 1003, 5000}, {101_770}}) {
        int n = (int) ends[ends.length - 1];
        Segments a = new Segments(ends), b = new Segments(ends);
        for (int s = 0; s < ends.length; s++) {
          a.gscale[s] = b.gscale[s] = variant >= 2 ? (float) (0.5 + rng.nextDouble()) : 1f;
          a.wd[s] = b.wd[s] = variant % 2 == 1 && s % 2 == 0 ? 0.004f : 0f;
        }
        float clip = variant == 3 ? 0.3f : 0f;
        Tensor[] r = new Tensor[4], c = new Tensor[4];
        for (int k = 0; k < 4; k++) { // weights, then 3 slots (accumulators must stay >= 0)
          float[] init = TestUtil.random(rng, n, k == 0 ? 1 : 0.1);
          if (k > 0) {
            for (int i = 0; i < n; i++) { // centered RMSprop needs velocity >= mean^2
              init[i] = Math.abs(init[i]) + (k == 1 && rule == OptimizerRule.RMSPROP ? 1f : 0f);
            }
          }
          r[k] = Tensor.of(init, n);
          c[k] = Tensor.of(init, n);
        }
        float[] hp = hyper(rule, variant);
        for (int step = 0; step < 3; step++) {
          Tensor g = randomTensor(rng, 1, n);
          ref.optimizerStep(rule, hp, r[0], g, r[1], r[2], r[3], a, 0.01f, clip);
          cpu.optimizerStep(rule, hp, c[0], g, c[1], c[2], c[3], b, 0.01f, clip);
        }
        for (int k = 0; k < 4; k++) {
          assertClose(r[k].toFloatArray(), c[k].toFloatArray(), 2e-5, 1e-6,
              rule + " variant " + variant + " buffer " + k + " n=" + n);
        }
      }
    }
  }

  @Test
  void optimizerHelperKernelsMatchReference() {
    SplittableRandom rng = new SplittableRandom(31);
    long[] ends = {3, 3, 1000, 1201};
    Segments seg = new Segments(ends);
    Tensor x = randomTensor(rng, 1, 1201);
    double[] a = new double[4], b = new double[4];
    ref.segmentSumSquares(x, seg, a);
    cpu.segmentSumSquares(x, seg, b);
    for (int s = 0; s < 4; s++) {
      assertEquals(a[s], b[s], 1e-9 * Math.max(1, a[s]), "sum of squares, segment " + s);
    }
    assertEquals(0.0, b[1], "empty segment");
    Tensor y1 = randomTensor(rng, 1, 1201), y2 = Tensor.of(y1.toFloatArray(), 1201);
    ref.axpy(y1, x, 0.3f, 1201);
    cpu.axpy(y2, x, 0.3f, 1201);
    assertClose(y1.toFloatArray(), y2.toFloatArray(), 1e-6, 1e-7, "axpy");
    ref.emaUpdate(y1, x, 0.99f, 1201);
    cpu.emaUpdate(y2, x, 0.99f, 1201);
    assertClose(y1.toFloatArray(), y2.toFloatArray(), 1e-6, 1e-7, "ema");
  }

  // ---- inputs -----------------------------------------------------------------------------------

  static Tensor probabilities(SplittableRandom rng, int rows, int cols) {
    return Tensor.of(TestUtil.distributions(rng, rows, cols), rows, cols);
  }

  static Tensor distributions(SplittableRandom rng, int rows, int cols) {
    return probabilities(rng, rows, cols);
  }

  static Tensor classIndices(SplittableRandom rng, int rows, int cols) {
    return Tensor.of(TestUtil.classIndices(rng, rows, cols), rows);
  }

  static float[] filled(int n, float value) {
    float[] v = new float[n];
    java.util.Arrays.fill(v, value);
    return v;
  }

}

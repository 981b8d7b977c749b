package dev.nabla.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nabla.backend.jni.NablaCpu;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * nabla_sgemm (native/cpu/gemm*.cpp) on every instruction-set path this CPU has (AVX-512, AVX2,
 * generic; a path the CPU lacks is lowered to one it has: the CPU's best is printed) and every
 * mode (auto, dense, sparse), against a double-precision reference on random shapes, strides,
 * transposes, alpha and beta. Tolerance: |error| <= 2e-6 * sum_k |a b| + 1e-6 |beta c| (float32
 * rounding error of a k-term sum is at most ~k 2^-24 of sum |a b|, relative; k here is at most
 * 784, and the FMA chains' error grows far slower than that bound).
 */
class CpuGemmTest {
  static final int[] ISAS = {NablaCpu.NABLA_ISA_AVX512, NablaCpu.NABLA_ISA_AVX2,
      NablaCpu.NABLA_ISA_GENERIC};
  static final int[] MODES = {NablaCpu.NABLA_GEMM_AUTO, NablaCpu.NABLA_GEMM_DENSE,
      NablaCpu.NABLA_GEMM_SPARSE};

  @BeforeAll
  static void load() {
    assertEquals("", Backends.probeCpu(), "libnabla_cpu must load in the test suite");
    System.out.println("CpuGemmTest: this CPU's best sgemm path is nabla_isa "
        + NablaCpu.nabla_cpu_isa() + " (3 avx512, 2 avx2, 1 generic)");
  }

  /** Empty products: m or n = 0 writes nothing; k = 0 gives beta C (alpha times an empty sum). */
  @ParameterizedTest(name = "isa {0}")
  @ValueSource(ints = {NablaCpu.NABLA_ISA_AVX512, NablaCpu.NABLA_ISA_AVX2,
      NablaCpu.NABLA_ISA_GENERIC})
  void emptyShapes(int isa) {
    for (int mode : MODES) {
      float[] c = {3f, -4f, 5f, 6f};
      gemm(false, false, 0, 2, 3, 1f, new float[6], 3, new float[6], 2, 0f, c, 2, mode, isa);
      gemm(false, false, 2, 0, 3, 1f, new float[6], 3, new float[6], 2, 0f, c, 2, mode, isa);
      assertArrayEquals(new float[] {3f, -4f, 5f, 6f}, c, "m or n = 0 must not write C");
      gemm(true, true, 2, 2, 0, 1f, new float[1], 2, new float[1], 1, 0.5f, c, 2, mode, isa);
      assertArrayEquals(new float[] {1.5f, -2f, 2.5f, 3f}, c, "k = 0: C = beta C");
      gemm(false, false, 2, 2, 0, 1f, new float[1], 1, new float[1], 2, 0f, c, 2, mode, isa);
      assertArrayEquals(new float[4], c, "k = 0, beta = 0: C = 0");
    }
  }

  /** A random matrix stored rows x cols with row stride ld >= cols, a fraction zeroFraction 0. */
  static float[] matrix(SplittableRandom rng, int rows, int ld, double zeroFraction) {
    float[] x = new float[Math.max(1, rows * ld)];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextDouble() < zeroFraction ? 0f : (float) (rng.nextDouble() * 2 - 1);
    }
    return x;
  }

  static long gemm(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int lda,
      float[] b, int ldb, float beta, float[] c, int ldc, int mode, int isa) {
    try (FloatPointer pa = new FloatPointer(a); FloatPointer pb = new FloatPointer(b);
        FloatPointer pc = new FloatPointer(c)) {
      long steps = NablaCpu.nabla_sgemm(ta ? 1 : 0, tb ? 1 : 0, m, n, k, alpha, pa, lda, pb, ldb,
          beta, pc, ldc, mode, isa);
      pc.get(c);
      return steps;
    }
  }

  @ParameterizedTest(name = "isa {0}")
  @ValueSource(ints = {NablaCpu.NABLA_ISA_AVX512, NablaCpu.NABLA_ISA_AVX2,
      NablaCpu.NABLA_ISA_GENERIC})
  void matchesDoubleReference(int isa) {
    SplittableRandom rng = new SplittableRandom(100 + isa);
    for (int trial = 0; trial < 300; trial++) {
      int m = 1 + rng.nextInt(40), n = 1 + rng.nextInt(150), k = rng.nextInt(300);
      if (trial < 4) { // the seed network's shapes at batch 13
        int[][] s = {{13, 128, 784}, {784, 128, 13}, {13, 10, 128}, {13, 128, 10}};
        m = s[trial][0];
        n = s[trial][1];
        k = s[trial][2];
      }
      boolean ta = rng.nextBoolean(), tb = rng.nextBoolean();
      int lda = (ta ? m : k) + rng.nextInt(3), ldb = (tb ? k : n) + rng.nextInt(3);
      int ldc = n + rng.nextInt(3);
      float alpha = rng.nextInt(3) == 0 ? 0.5f : 1f;
      float beta = new float[] {0f, 1f, -0.7f}[rng.nextInt(3)];
      int mode = MODES[rng.nextInt(3)];
      float[] a = matrix(rng, ta ? k : m, lda, rng.nextBoolean() ? 0.8 : 0.0);
      float[] b = matrix(rng, tb ? n : k, ldb, 0.0);
      float[] c0 = matrix(rng, m, ldc, 0.0);
      if (beta == 0f) {
        for (int i = 0; i < c0.length; i++) {
          c0[i] = i % 2 == 0 ? Float.NaN : c0[i]; // beta 0: C is not read
        }
      }
      float[] c = c0.clone();
      gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, mode, isa);
      String what = "isa " + isa + " mode " + mode + " ta=" + ta + " tb=" + tb + " m=" + m + " n="
          + n + " k=" + k + " alpha=" + alpha + " beta=" + beta;
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < ldc; j++) {
          float got = c[i * ldc + j];
          if (j >= n) { // padding between rows is never written
            assertEquals(Float.floatToRawIntBits(c0[i * ldc + j]), Float.floatToRawIntBits(got),
                what + ": wrote the padding at (" + i + ", " + j + ")");
            continue;
          }
          double sum = 0, abs = 0;
          for (int p = 0; p < k; p++) {
            double x = ta ? a[p * lda + i] : a[i * lda + p];
            double y = tb ? b[j * ldb + p] : b[p * ldb + j];
            sum += x * y;
            abs += Math.abs(x * y);
          }
          double cij = beta == 0f ? 0 : c0[i * ldc + j];
          double want = alpha * sum + beta * cij;
          double tol = 2e-6 * abs + 1e-6 * Math.abs(beta * cij) + 1e-30;
          if (!(Math.abs(got - want) <= tol)) {
            fail(what + ": C(" + i + ", " + j + ") = " + got + ", want " + want + " +- " + tol);
          }
        }
      }
    }
  }

  /**
   * The three modes give the same bits on sparse and dense inputs (every output is one FMA chain
   * over k in order; skipping a zero a changes nothing), and the sparse walk takes fewer steps
   * than the dense one where rows are mostly zero: MNIST-like rows (a zero border, a blob of
   * non-zero pixels) at the seed network's shapes, both products of its first layer.
   */
  @ParameterizedTest(name = "isa {0}")
  @ValueSource(ints = {NablaCpu.NABLA_ISA_AVX512, NablaCpu.NABLA_ISA_AVX2,
      NablaCpu.NABLA_ISA_GENERIC})
  void sparseAndDenseWalksAgreeBitForBit(int isa) {
    SplittableRandom rng = new SplittableRandom(7);
    int batch = 37;
    float[] x = new float[batch * 784];
    for (int r = 0; r < batch; r++) { // a random 10x12 blob inside the 28x28 frame per row
      int top = 4 + rng.nextInt(12), left = 4 + rng.nextInt(12);
      for (int i = top; i < top + 10; i++) {
        for (int j = left; j < left + 12; j++) {
          x[r * 784 + i * 28 + j] = rng.nextInt(4) == 0 ? 0f : (float) rng.nextDouble();
        }
      }
    }
    float[] w = matrix(rng, 784, 128, 0.0), dz = matrix(rng, batch, 128, 0.0);
    boolean vector = NablaCpu.nabla_cpu_isa() >= NablaCpu.NABLA_ISA_AVX2
        && isa != NablaCpu.NABLA_ISA_GENERIC;
    for (boolean backward : new boolean[] {false, true}) {
      int m = backward ? 784 : batch, k = backward ? batch : 784;
      float[] b = backward ? dz : w;
      float[][] out = new float[3][m * 128];
      long[] steps = new long[3];
      for (int i = 0; i < 3; i++) {
        steps[i] = gemm(backward, false, m, 128, k, 1f, x, 784, b, 128, 0f, out[i], 128, MODES[i],
            isa);
      }
      String what = (backward ? "X^T dZ" : "X W") + " isa " + isa;
      for (int i = 1; i < 3; i++) {
        for (int e = 0; e < out[0].length; e++) {
          if (Float.floatToRawIntBits(out[0][e] + 0f) != Float.floatToRawIntBits(out[i][e] + 0f)) {
            fail(what + ": mode " + MODES[i] + " differs from auto at " + e + ": " + out[i][e]
                + " vs " + out[0][e]);
          }
        }
      }
      long denseSteps = (long) ((m + 5) / 6) * k;
      if (vector) {
        assertEquals(denseSteps, steps[1], what + ": dense walk steps");
        assertTrue(steps[2] < denseSteps / 2, what + ": the sparse walk took " + steps[2]
            + " of " + denseSteps + " steps on rows ~85% zero");
        // auto lists per group of 6 rows and walks densely where a group is >= 85% non-zero
        assertTrue(steps[0] >= steps[2] && steps[0] < denseSteps / 2,
            what + ": auto took " + steps[0] + " steps (sparse " + steps[2] + ", dense "
            + denseSteps + ")");
      }
    }
    // on a dense input auto walks densely (the list would not pay)
    float[] full = matrix(rng, batch, 784, 0.0), c = new float[batch * 128];
    if (vector) {
      assertEquals((long) ((batch + 5) / 6) * 784, gemm(false, false, batch, 128, 784, 1f, full,
          784, w, 128, 0f, c, 128, NablaCpu.NABLA_GEMM_AUTO, isa));
    }
  }

  /**
   * 0 * Inf is NaN in every mode: a B holding an Inf or NaN where A is zero makes NaN outputs as
   * a dense product does (a diverged model's loss must turn NaN for TerminateOnNaN), and a NaN in
   * A is never skipped as a zero.
   */
  @ParameterizedTest(name = "isa {0}")
  @ValueSource(ints = {NablaCpu.NABLA_ISA_AVX512, NablaCpu.NABLA_ISA_AVX2,
      NablaCpu.NABLA_ISA_GENERIC})
  void zeroTimesInfinityIsNaNOnEveryWalk(int isa) {
    int m = 7, n = 20, k = 50;
    for (boolean ta : new boolean[] {false, true}) {
      for (float bad : new float[] {Float.POSITIVE_INFINITY, Float.NaN}) {
        float[] a = new float[m * k]; // all zero but A(i, 3) = 1 for i >= 1
        for (int i = 1; i < m; i++) {
          a[ta ? 3 * m + i : i * k + 3] = 1f;
        }
        float[] b = new float[k * n];
        b[40 * n + 5] = bad; // row 40 of B, where every A value is zero
        for (int mode : MODES) {
          float[] c = new float[m * n];
          gemm(ta, false, m, n, k, 1f, a, ta ? m : k, b, n, 0f, c, n, mode, isa);
          for (int i = 0; i < m; i++) {
            assertTrue(Float.isNaN(c[i * n + 5]), "ta=" + ta + " B=" + bad + " mode " + mode
                + ": C(" + i + ", 5) = " + c[i * n + 5] + ", want NaN (0 * " + bad + ")");
          }
        }
        float[] an = new float[m * k];
        an[ta ? 2 * m : 2] = Float.NaN; // A(0, 2) = NaN, B finite: row 0 of C is NaN
        float[] bf = matrix(new SplittableRandom(3), k, n, 0.0), c = new float[m * n];
        gemm(ta, false, m, n, k, 1f, an, ta ? m : k, bf, n, 0f, c, n,
            NablaCpu.NABLA_GEMM_SPARSE, isa);
        assertTrue(Float.isNaN(c[0]) && !Float.isNaN(c[n]), "a NaN in A: C row 0 NaN, row 1 not");
      }
    }
  }

  /**
   * Flush-to-zero inside the call (a product of 1e-20 and 1e-20 is subnormal: 0 here, as
   * TensorFlow's kernels give), denormals-are-zero on inputs, and the caller's floating-point
   * mode restored on return: Java code after the call still sees subnormals.
   */
  @Test
  void flushesSubnormalsInsideAndRestoresJavasMode() {
    float[] a = {1e-20f, Float.MIN_NORMAL / 8}, b = {1e-20f, 1e30f}, c = {5f};
    gemm(false, false, 1, 1, 2, 1f, a, 2, b, 1, 0f, c, 1, NablaCpu.NABLA_GEMM_DENSE,
        NablaCpu.NABLA_ISA_BEST);
    // 1e-40 flushes to 0; the subnormal input reads as 0 (1.47e-39 * 1e30 would be 1.5e-9)
    assertEquals(0f, c[0], "product of a subnormal result and a subnormal input");
    assertTrue(half(Float.MIN_NORMAL) > 0f, "Java lost subnormals after a native gemm");
  }

  private static volatile float sink;

  /** x / 2 computed by compiled Java code at run time (through a volatile, so not folded). */
  static float half(float x) {
    sink = x;
    return sink / 2f;
  }
}

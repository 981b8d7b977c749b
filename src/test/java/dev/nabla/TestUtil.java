package dev.nabla;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

/** Random inputs and float comparisons with stated tolerances, shared by the tests. */
public final class TestUtil {
  private TestUtil() {}

  /** Uniform values in [-scale, scale], never exactly zero. */
  public static float[] random(SplittableRandom rng, int n, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      double x;
      do {
        x = (rng.nextDouble() * 2 - 1) * scale;
      } while (x == 0);
      v[i] = (float) x;
    }
    return v;
  }

  /** rows x cols probability rows: each row positive (>= 0.01 before scaling) and summing to 1. */
  public static float[] distributions(SplittableRandom rng, int rows, int cols) {
    float[] v = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      double s = 0;
      for (int c = 0; c < cols; c++) {
        v[r * cols + c] = (float) (0.01 + rng.nextDouble());
        s += v[r * cols + c];
      }
      for (int c = 0; c < cols; c++) {
        v[r * cols + c] /= (float) s;
      }
    }
    return v;
  }

  /** rows class indices in [0, classes), as floats (the sparse losses' labels). */
  public static float[] classIndices(SplittableRandom rng, int rows, int classes) {
    float[] v = new float[rows];
    for (int r = 0; r < rows; r++) {
      v[r] = rng.nextInt(classes);
    }
    return v;
  }

  public static Tensor randomTensor(SplittableRandom rng, double scale, int... shape) {
    return Tensor.of(random(rng, Math.toIntExact(Tensor.sizeOf(shape)), scale), shape);
  }

  /** A tensor filled with NaN, so a kernel that skips an output is caught. */
  public static Tensor poisoned(int... shape) {
    float[] v = new float[Math.toIntExact(Tensor.sizeOf(shape))];
    java.util.Arrays.fill(v, Float.NaN);
    return Tensor.of(v, shape);
  }

  /** |a - e| <= atol + rtol |e| elementwise, with the first offender in the message. */
  public static void assertClose(float[] expected, float[] actual, double rtol, double atol,
      String what) {
    if (expected.length != actual.length) {
      fail(what + ": length " + actual.length + ", expected " + expected.length);
    }
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i], a = actual[i];
      if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
        fail(String.format("%s: element %d is %.9g, expected %.9g (rtol %.1g, atol %.1g)", what,
            i, a, e, rtol, atol));
      }
    }
  }

  /**
   * Skips the calling test class or test unless a GPU can be used, printing why on the console
   * (the runner's "skipped" alone does not say).
   */
  public static void assumeCuda(String what) {
    String why = dev.nabla.backend.Backends.probeCuda();
    if (!why.isEmpty()) {
      System.out.println(what + " skipped: " + why);
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(why.isEmpty(), why);
  }
}

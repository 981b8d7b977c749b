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
}

package dev.nabla.nn.initializers;

import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Weight initializers with Keras's names and formulas. fanIn/fanOut are those of a Dense kernel
 * (input units, output units). The normal variants are Keras's truncated normals: drawn within
 * two standard deviations, with the stddev divided by 0.8796... so the variance is the target.
 *
 * <p>Implementations are thread-safe: an initializer is a function of its arguments and the
 * generator passed in.
 */
@FunctionalInterface
public interface Initializer {
  void fill(float[] out, int fanIn, int fanOut, SplittableRandom rng);

  /** Keras's truncated-normal correction: stddev of a unit normal truncated to [-2, 2]. */
  double TRUNCATED_STDDEV = 0.87962566103423978;

  static Initializer get(String name) {
    Initializer i = REGISTRY.get(name.toLowerCase(Locale.ROOT).replace("_", ""));
    if (i == null) {
      throw new IllegalArgumentException("unknown initializer '" + name + "'; accepted: "
          + "glorot_uniform, glorot_normal, he_uniform, he_normal, zeros, ones");
    }
    return i;
  }

  static Initializer uniform(double scale,
      boolean fanInOnly) {
    return (out, fanIn, fanOut, rng) -> {
      double fan = fanInOnly ? fanIn : (fanIn + fanOut) / 2.0;
      double limit = Math.sqrt(3.0 * scale / Math.max(1.0, fan));
      for (int i = 0; i < out.length; i++) {
        out[i] = (float) ((rng.nextDouble() * 2 - 1) * limit);
      }
    };
  }

  static Initializer truncatedNormal(double scale, boolean fanInOnly) {
    return (out, fanIn, fanOut, rng) -> {
      double fan = fanInOnly ? fanIn : (fanIn + fanOut) / 2.0;
      double stddev = Math.sqrt(scale / Math.max(1.0, fan)) / TRUNCATED_STDDEV;
      for (int i = 0; i < out.length; i++) {
        double z;
        do {
          z = gaussian(rng);
        } while (Math.abs(z) > 2.0);
        out[i] = (float) (z * stddev);
      }
    };
  }

  /** A standard normal draw (Box-Muller; SplittableRandom has no nextGaussian on Java 17). */
  private static double gaussian(SplittableRandom rng) {
    double u = 1.0 - rng.nextDouble();
    double v = rng.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
  }

  static Initializer constant(float c) {
    return (out, fanIn, fanOut, rng) -> java.util.Arrays.fill(out, c);
  }

  Map<String, Initializer> REGISTRY = new TreeMap<>(Map.of(
      "glorotuniform", uniform(1.0, false), // limit sqrt(6 / (fanIn + fanOut))
      "glorotnormal", truncatedNormal(1.0, false), // stddev sqrt(2 / (fanIn + fanOut))
      "heuniform", uniform(2.0, true), // limit sqrt(6 / fanIn)
      "henormal", truncatedNormal(2.0, true), // stddev sqrt(2 / fanIn)
      "zeros", constant(0f),
      "ones", constant(1f)));
}

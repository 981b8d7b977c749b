package dev.nabla.nn.initializers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Keras's variance-scaling initializers: the sample variance matches the target within 3%
 * (400k draws), the uniform ones stay within their limit, the truncated normals within two
 * (corrected) standard deviations.
 */
class InitializerTest {
  @ParameterizedTest
  @CsvSource({
      "glorot_uniform, 784, 128, 0.0021929824, 0.0811107",   // 2/(fi+fo); limit sqrt(6/(fi+fo))
      "glorot_normal,  784, 128, 0.0021929824, 0.1064755",   // bound 2*sqrt(2/(fi+fo))/0.8796
      "he_uniform,     784, 128, 0.0025510204, 0.0874818",   // 2/fi; limit sqrt(6/fi)
      "he_normal,      784, 128, 0.0025510204, 0.1148389",
      "GlorotUniform,  128, 10,  0.0144927536, 0.2085144"})
  void varianceAndBoundsMatchKeras(String name, int fanIn, int fanOut, double variance,
      double bound) {
    float[] w = new float[400_000];
    Initializer.get(name).fill(w, fanIn, fanOut, new SplittableRandom(1));
    double sum = 0, sq = 0;
    for (float v : w) {
      assertTrue(Math.abs(v) <= bound + 1e-6, name + ": " + v + " beyond " + bound);
      sum += v;
      sq += (double) v * v;
    }
    double mean = sum / w.length;
    assertEquals(0, mean, 3 * Math.sqrt(variance / w.length) + 1e-6, name + " mean");
    assertEquals(variance, sq / w.length - mean * mean, 0.03 * variance, name + " variance");
  }

  @ParameterizedTest
  @CsvSource({"zeros, 0", "ones, 1", "Zeros, 0"})
  void constants(String name, float value) {
    float[] w = new float[17];
    Initializer.get(name).fill(w, 3, 4, new SplittableRandom(2));
    for (float v : w) {
      assertEquals(value, v);
    }
  }

  @ParameterizedTest
  @CsvSource({"xavier", "random_normal"})
  void unknownNamesAreRejectedWithTheAcceptedOnes(String name) {
    String e = assertThrows(IllegalArgumentException.class, () -> Initializer.get(name))
        .getMessage();
    assertTrue(e.contains(name) && e.contains("he_normal"), e);
  }
}

package dev.nabla.nn.layers;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras's LeakyReLU layer: x > 0 ? x : negative_slope x, over any shape. Default slope 0.3 (the
 * layer's default in Keras 2, where it is called alpha, and Keras 3; the leaky_relu function's is
 * 0.2).
 */
public final class LeakyReLU extends ParameterFreeActivation {
  /** Keras's default negative_slope of the layer. */
  public static final double DEFAULT_SLOPE = 0.3;
  private final float negativeSlope;

  public LeakyReLU() {
    this(DEFAULT_SLOPE);
  }

  /** @throws IllegalArgumentException if the slope is negative or not finite (as Keras refuses) */
  public LeakyReLU(double negativeSlope) {
    super(dev.nabla.backend.Activation.LEAKY_RELU, check(negativeSlope));
    this.negativeSlope = (float) negativeSlope;
  }

  private static float check(double s) {
    float v = finite("LeakyReLU", "negative_slope", s);
    if (v < 0) {
      throw new IllegalArgumentException("LeakyReLU: 'negative_slope' must be >= 0, got " + s);
    }
    return v;
  }

  public float negativeSlope() {
    return negativeSlope;
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("negative_slope", (double) negativeSlope);
    return m;
  }
}

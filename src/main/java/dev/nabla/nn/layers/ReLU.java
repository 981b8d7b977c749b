package dev.nabla.nn.layers;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras's ReLU layer, in the forms Nabla has kernels for: ReLU() (relu), ReLU(6.0, 0, 0)
 * (relu6) and ReLU(null, slope, 0) (a leaky relu). Keras's general form (a threshold, or a
 * max_value other than 6, or both a max_value and a slope) is refused with the values named.
 */
public final class ReLU extends ParameterFreeActivation {
  private final Double maxValue;
  private final float negativeSlope, threshold;

  public ReLU() {
    this(null, 0, 0);
  }

  /**
   * @param maxValue Keras's max_value (null: none)
   * @throws IllegalArgumentException for the forms above that Nabla lacks
   */
  public ReLU(Double maxValue, double negativeSlope, double threshold) {
    super(kind(maxValue, negativeSlope, threshold), (float) negativeSlope);
    this.maxValue = maxValue;
    this.negativeSlope = (float) negativeSlope;
    this.threshold = (float) threshold;
  }

  private static dev.nabla.backend.Activation kind(Double max, double slope, double threshold) {
    if (threshold == 0 && slope == 0 && max == null) {
      return dev.nabla.backend.Activation.RELU;
    }
    if (threshold == 0 && slope == 0 && max != null && max == 6.0) {
      return dev.nabla.backend.Activation.RELU6;
    }
    if (threshold == 0 && max == null && slope > 0 && Double.isFinite(slope)) {
      return dev.nabla.backend.Activation.LEAKY_RELU;
    }
    throw new IllegalArgumentException("ReLU with max_value=" + max + ", negative_slope=" + slope
        + ", threshold=" + threshold + " is not supported; Nabla has relu, relu6 "
        + "(max_value=6) and a leaky relu (negative_slope > 0), each with threshold 0");
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("max_value", maxValue);
    m.put("negative_slope", (double) negativeSlope);
    m.put("threshold", (double) threshold);
    return m;
  }
}

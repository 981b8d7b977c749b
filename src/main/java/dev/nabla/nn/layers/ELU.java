package dev.nabla.nn.layers;

import java.util.LinkedHashMap;
import java.util.Map;

/** Keras's ELU layer: x > 0 ? x : alpha (exp(x) - 1), over any shape. Default alpha 1. */
public final class ELU extends ParameterFreeActivation {
  private final float alpha;

  /** Keras's {@code ELU()}: alpha 1. */
  public ELU() {
    this(1.0);
  }

  /** Keras's {@code ELU(alpha)}; IllegalArgumentException unless alpha is finite. */
  public ELU(double alpha) {
    super(dev.nabla.backend.Activation.ELU, finite("ELU", "alpha", alpha));
    this.alpha = (float) alpha;
  }

  /** The slope of the negative part's saturation, alpha (exp(x) - 1). */
  public float alpha() {
    return alpha;
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("alpha", (double) alpha);
    return m;
  }
}

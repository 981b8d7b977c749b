package dev.nabla.nn.layers;

import java.util.LinkedHashMap;
import java.util.Map;

/** Keras's ELU layer: x > 0 ? x : alpha (exp(x) - 1), over any shape. Default alpha 1. */
public final class ELU extends ParameterFreeActivation {
  private final float alpha;

  public ELU() {
    this(1.0);
  }

  public ELU(double alpha) {
    super(dev.nabla.backend.Activation.ELU, finite("ELU", "alpha", alpha));
    this.alpha = (float) alpha;
  }

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

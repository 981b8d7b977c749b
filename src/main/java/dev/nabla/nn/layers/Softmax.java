package dev.nabla.nn.layers;

import java.util.LinkedHashMap;
import java.util.Map;

/** Keras's Softmax layer over the last axis (axis=-1, Keras's default; other axes are refused). */
public final class Softmax extends ParameterFreeActivation {
  public Softmax() {
    super(dev.nabla.backend.Activation.SOFTMAX, 0f);
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("axis", -1);
    return m;
  }
}

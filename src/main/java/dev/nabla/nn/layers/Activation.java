package dev.nabla.nn.layers;

/**
 * Keras's Activation layer: applies an activation by name over the last axis.
 *
 * <p>Thread-safe once its model is built (see {@link Layer}).
 */
public final class Activation extends ParameterFreeActivation {
  /** Keras's {@code Activation(name)}; IllegalArgumentException for an unknown name. */
  public Activation(String activation) {
    this(dev.nabla.backend.Activation.get(activation));
  }

  private Activation(dev.nabla.backend.Activation activation) {
    super(activation, activation.defaultAlpha()); // by name: the activation's own parameter
  }

  @Override
  public java.util.Map<String, Object> config() {
    return java.util.Map.of("activation", activation().kerasName());
  }
}

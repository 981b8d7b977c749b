package dev.nabla.optimizers;

import dev.nabla.Config;
import dev.nabla.Tensor;
import dev.nabla.backend.Backend;
import java.util.Map;

/**
 * Keras SGD: w -= lr g; with momentum, m = momentum m - lr g and w += m, or with nesterov
 * w += momentum m - lr g. Defaults: learning_rate 0.01, momentum 0, nesterov false.
 */
public final class SGD extends Optimizer {
  private final float momentum;
  private final boolean nesterov;

  public SGD(Map<String, ?> config) {
    this(new Config("sgd", config));
  }

  private SGD(Config c) {
    super("sgd", c, 0.01);
    this.momentum = (float) c.number("momentum", 0.0, 0.0, 1.0);
    this.nesterov = c.bool("nesterov", false);
    c.done();
  }

  @Override
  protected int slotCount() {
    return momentum == 0f ? 0 : 1;
  }

  @Override
  protected void update(Backend b, Tensor w, Tensor g, Tensor[] slots, long step, float lr) {
    b.sgdUpdate(w, g, momentum == 0f ? null : slots[0], w.size(), lr, momentum, nesterov);
  }

  @Override
  public Map<String, Object> config() {
    return Map.of("learning_rate", learningRate, "momentum", momentum, "nesterov", nesterov);
  }
}

package dev.nabla.optimizers;

import dev.nabla.Config;
import dev.nabla.backend.OptimizerRule;
import java.util.Map;

/**
 * Keras SGD: w -= lr g; with momentum, m = momentum m - lr g and w += m, or with nesterov
 * w += momentum m - lr g. Defaults: learning_rate 0.01, momentum 0, nesterov false.
 *
 * <p>Not thread-safe (see {@link Optimizer}).
 */
public final class SGD extends Optimizer {
  private final float momentum;
  private final boolean nesterov;

  public SGD(Map<String, ?> config) {
    this(new Config("sgd", config));
  }

  private SGD(Config c) {
    super("sgd", OptimizerRule.SGD, c, 0.01, null);
    momentum = (float) c.number("momentum", 0.0, 0.0, 1.0);
    nesterov = c.bool("nesterov", false);
    c.done();
  }

  @Override
  protected int slotCount() {
    return momentum == 0f ? 0 : 1;
  }

  @Override
  protected void prepareStep(long step, float lr) {
    hp[0] = lr;
    hp[1] = momentum;
    hp[2] = nesterov ? 1f : 0f;
  }

  @Override
  protected Map<String, Object> ruleConfig() {
    return map("momentum", momentum, "nesterov", nesterov);
  }
}

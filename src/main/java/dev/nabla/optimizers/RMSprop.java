package dev.nabla.optimizers;

import dev.nabla.Config;
import dev.nabla.backend.OptimizerRule;
import java.util.Map;

/**
 * Keras RMSprop: v = rho v + (1 - rho) g^2; centered subtracts the squared mean gradient;
 * increment = lr g / sqrt(v + eps); with momentum, m = momentum m + increment and w -= m.
 * Defaults: learning_rate 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered false.
 *
 * <p>Not thread-safe (see {@link Optimizer}).
 */
public final class RMSprop extends Optimizer {
  private final float rho, momentum, epsilon;
  private final boolean centered;

  public RMSprop(Map<String, ?> config) {
    this(new Config("rmsprop", config));
  }

  private RMSprop(Config c) {
    super("rmsprop", OptimizerRule.RMSPROP, c, 0.001, null);
    rho = (float) c.number("rho", 0.9, 0, 1);
    momentum = (float) c.number("momentum", 0.0, 0, 1);
    epsilon = (float) c.number("epsilon", 1e-7, 0, Double.MAX_VALUE);
    if (!(epsilon > 0f)) {
      throw new IllegalArgumentException("rmsprop: 'epsilon' must be positive, got " + epsilon);
    }
    centered = c.bool("centered", false);
    c.done();
  }

  @Override
  protected int slotCount() {
    return centered ? 3 : momentum > 0 ? 2 : 1; // velocity, momentum, average gradient
  }

  @Override
  protected void prepareStep(long step, float lr) {
    hp[0] = lr;
    hp[1] = rho;
    hp[2] = momentum;
    hp[3] = epsilon;
    hp[4] = centered ? 1f : 0f;
  }

  @Override
  protected Map<String, Object> ruleConfig() {
    return map("rho", rho, "momentum", momentum, "epsilon", epsilon, "centered", centered);
  }
}

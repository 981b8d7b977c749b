package dev.nabla.optimizers;

import dev.nabla.Config;
import dev.nabla.backend.OptimizerRule;
import java.util.Map;

/**
 * Keras Lion: w -= lr sign(b1 m + (1 - b1) g); m = b2 m + (1 - b2) g.
 * Defaults: learning_rate 0.001, beta_1 0.9, beta_2 0.99.
 *
 * <p>Not thread-safe (see {@link Optimizer}).
 */
public final class Lion extends Optimizer {
  private final float beta1, beta2;

  public Lion(Map<String, ?> config) {
    this(new Config("lion", config));
  }

  private Lion(Config c) {
    super("lion", OptimizerRule.LION, c, 0.001, null);
    beta1 = (float) c.number("beta_1", 0.9, 0, 1);
    if (beta1 <= 0f) {
      throw new IllegalArgumentException("lion: 'beta_1' must be in (0, 1], got " + beta1);
    }
    beta2 = (float) c.number("beta_2", 0.99, 0, 1);
    c.done();
  }

  @Override
  protected int slotCount() {
    return 1;
  }

  @Override
  protected void prepareStep(long step, float lr) {
    hp[0] = lr;
    hp[1] = beta1;
    hp[2] = beta2;
  }

  @Override
  protected Map<String, Object> ruleConfig() {
    return map("beta_1", beta1, "beta_2", beta2);
  }
}

package dev.nabla.optimizers;

import dev.nabla.Config;
import dev.nabla.backend.OptimizerRule;
import java.util.Map;

/**
 * Keras Adamax: m += (g - m)(1 - b1); u = max(b2 u, |g|); w -= lr m / ((1 - b1^t)(u + eps)).
 * Defaults: learning_rate 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7.
 *
 * <p>Not thread-safe (see {@link Optimizer}).
 */
public final class Adamax extends Optimizer {
  private final Moments moments;

  public Adamax(Map<String, ?> config) {
    this(new Config("adamax", config));
  }

  private Adamax(Config c) {
    super("adamax", OptimizerRule.ADAMAX, c, 0.001, null);
    moments = Moments.read(c);
    c.done();
  }

  @Override
  protected int slotCount() {
    return 2;
  }

  @Override
  protected void prepareStep(long step, float lr) {
    hp[0] = lr;
    moments.fill(hp);
    hp[4] = 1f - powf(moments.beta1(), step);
  }

  @Override
  protected Map<String, Object> ruleConfig() {
    return moments.config();
  }
}

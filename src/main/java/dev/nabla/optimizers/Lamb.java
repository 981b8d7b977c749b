package dev.nabla.optimizers;

import dev.nabla.Config;
import dev.nabla.backend.OptimizerRule;
import java.util.Map;

/**
 * Keras Lamb: Adam's bias-corrected update u = m_hat / (sqrt(v_hat) + eps), scaled per variable
 * by the trust ratio ||w|| / ||u|| (1 when either is 0): w -= ratio lr u.
 * Defaults: learning_rate 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7.
 *
 * <p>Not thread-safe (see {@link Optimizer}).
 */
public final class Lamb extends Optimizer {
  private final Moments moments;

  public Lamb(Map<String, ?> config) {
    this(new Config("lamb", config));
  }

  private Lamb(Config c) {
    super("lamb", OptimizerRule.LAMB, c, 0.001, null);
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
    hp[5] = 1f - powf(moments.beta2(), step);
  }

  @Override
  protected Map<String, Object> ruleConfig() {
    return moments.config();
  }
}

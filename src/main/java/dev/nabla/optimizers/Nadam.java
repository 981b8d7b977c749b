package dev.nabla.optimizers;

import dev.nabla.Config;
import dev.nabla.backend.OptimizerRule;
import java.util.Map;

/**
 * Keras Nadam: Adam with Nesterov momentum and the momentum schedule
 * u_t = b1 (1 - 0.5 * 0.96^t), whose running product is the optimizer's own state.
 * Defaults: learning_rate 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7.
 *
 * <p>Not thread-safe (see {@link Optimizer}).
 */
public final class Nadam extends Optimizer {
  private final Moments moments;
  private float uProduct = 1f;

  public Nadam(Map<String, ?> config) {
    this(new Config("nadam", config));
  }

  private Nadam(Config c) {
    super("nadam", OptimizerRule.NADAM, c, 0.001, null);
    moments = Moments.read(c);
    c.done();
  }

  @Override
  protected int slotCount() {
    return 2;
  }

  @Override
  protected void prepareStep(long step, float lr) {
    float uT = moments.beta1() * (1f - 0.5f * powf(0.96f, step));
    float uT1 = moments.beta1() * (1f - 0.5f * powf(0.96f, step + 1));
    // Keras updates the product first, as (product * beta_1) * (...): not product * uT in float
    uProduct = uProduct * moments.beta1() * (1f - 0.5f * powf(0.96f, step));
    float uProductT1 = uProduct * uT1;
    hp[0] = lr;
    moments.fill(hp);
    hp[4] = uT1;
    hp[5] = 1f - uProductT1;
    hp[6] = 1f - uT;
    hp[7] = 1f - uProduct;
    hp[8] = 1f - powf(moments.beta2(), step);
  }

  @Override
  protected float[] ruleState() {
    return new float[] {uProduct};
  }

  @Override
  protected void loadRuleState(float[] state) {
    if (state.length != 1) {
      throw new IllegalArgumentException("nadam state: expected the momentum-cache product");
    }
    uProduct = state[0];
  }

  @Override
  protected Map<String, Object> ruleConfig() {
    return moments.config();
  }
}

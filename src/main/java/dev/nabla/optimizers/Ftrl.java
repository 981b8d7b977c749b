package dev.nabla.optimizers;

import dev.nabla.Config;
import dev.nabla.backend.OptimizerRule;
import java.util.Map;

/**
 * Keras Ftrl (follow the regularized leader): per weight an accumulator n and a linear term z;
 * w = (clip(z, -l1, l1) - z) / (n^-p / lr + 2 (l2 + beta / (2 lr))). Defaults: learning_rate
 * 0.001, learning_rate_power -0.5, initial_accumulator_value 0.1, l1, l2 and l2_shrinkage
 * regularization strengths 0, beta 0.
 *
 * <p>Not thread-safe (see {@link Optimizer}).
 */
public final class Ftrl extends Optimizer {
  private final float power, initialAccumulator, l1, l2, l2Shrinkage, beta;

  public Ftrl(Map<String, ?> config) {
    this(new Config("ftrl", config));
  }

  private Ftrl(Config c) {
    super("ftrl", OptimizerRule.FTRL, c, 0.001, null);
    power = (float) c.number("learning_rate_power", -0.5, -Double.MAX_VALUE, 0);
    initialAccumulator = (float) c.number("initial_accumulator_value", 0.1, 0, Double.MAX_VALUE);
    l1 = (float) c.number("l1_regularization_strength", 0, 0, Double.MAX_VALUE);
    l2 = (float) c.number("l2_regularization_strength", 0, 0, Double.MAX_VALUE);
    l2Shrinkage = (float) c.number("l2_shrinkage_regularization_strength", 0, 0,
        Double.MAX_VALUE);
    beta = (float) c.number("beta", 0, -Double.MAX_VALUE, Double.MAX_VALUE);
    c.done();
  }

  @Override
  protected int slotCount() {
    return 2; // accumulator, linear
  }

  @Override
  protected float slotInitialValue(int k) {
    return k == 0 ? initialAccumulator : 0f;
  }

  @Override
  protected void prepareStep(long step, float lr) {
    hp[0] = lr;
    hp[1] = power;
    hp[2] = l1;
    hp[3] = l2 + beta / (2f * lr);
    hp[4] = l2Shrinkage;
  }

  @Override
  protected Map<String, Object> ruleConfig() {
    return map("learning_rate_power", power, "initial_accumulator_value", initialAccumulator,
        "l1_regularization_strength", l1, "l2_regularization_strength", l2,
        "l2_shrinkage_regularization_strength", l2Shrinkage, "beta", beta);
  }
}

package dev.nabla.optimizers;

import dev.nabla.Config;
import dev.nabla.backend.OptimizerRule;
import java.util.Map;

/**
 * Keras Adagrad: acc += g^2; w -= lr g / sqrt(acc + eps). Defaults: learning_rate 0.001,
 * initial_accumulator_value 0.1, epsilon 1e-7.
 *
 * <p>Not thread-safe (see {@link Optimizer}).
 */
public final class Adagrad extends Optimizer {
  private final float initialAccumulator, epsilon;

  public Adagrad(Map<String, ?> config) {
    this(new Config("adagrad", config));
  }

  private Adagrad(Config c) {
    super("adagrad", OptimizerRule.ADAGRAD, c, 0.001, null);
    initialAccumulator = (float) c.number("initial_accumulator_value", 0.1, 0, Double.MAX_VALUE);
    epsilon = (float) c.number("epsilon", 1e-7, 0, Double.MAX_VALUE);
    c.done();
  }

  @Override
  protected int slotCount() {
    return 1;
  }

  @Override
  protected float slotInitialValue(int k) {
    return initialAccumulator;
  }

  @Override
  protected void prepareStep(long step, float lr) {
    hp[0] = lr;
    hp[1] = epsilon;
  }

  @Override
  protected Map<String, Object> ruleConfig() {
    return map("initial_accumulator_value", initialAccumulator, "epsilon", epsilon);
  }
}

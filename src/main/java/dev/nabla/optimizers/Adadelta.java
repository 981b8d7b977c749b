package dev.nabla.optimizers;

import dev.nabla.Config;
import dev.nabla.backend.OptimizerRule;
import java.util.Map;

/**
 * Keras Adadelta: E[g^2] = rho E[g^2] + (1 - rho) g^2; delta = -sqrt(E[dx^2] + eps) g /
 * sqrt(E[g^2] + eps); E[dx^2] = rho E[dx^2] + (1 - rho) delta^2; w += lr delta.
 * Defaults: learning_rate 0.001, rho 0.95, epsilon 1e-7.
 *
 * <p>Not thread-safe (see {@link Optimizer}).
 */
public final class Adadelta extends Optimizer {
  private final float rho, epsilon;

  public Adadelta(Map<String, ?> config) {
    this(new Config("adadelta", config));
  }

  private Adadelta(Config c) {
    super("adadelta", OptimizerRule.ADADELTA, c, 0.001, null);
    rho = (float) c.number("rho", 0.95, 0, 1);
    epsilon = (float) c.number("epsilon", 1e-7, 0, Double.MAX_VALUE);
    c.done();
  }

  @Override
  protected int slotCount() {
    return 2;
  }

  @Override
  protected void prepareStep(long step, float lr) {
    hp[0] = lr;
    hp[1] = rho;
    hp[2] = epsilon;
  }

  @Override
  protected Map<String, Object> ruleConfig() {
    return map("rho", rho, "epsilon", epsilon);
  }
}

package dev.nabla.optimizers;

import dev.nabla.Config;
import java.util.Map;

/**
 * The arguments the Adam family shares (Adam, AdamW, Adamax, Nadam, Lamb): beta_1, beta_2 and
 * epsilon, read once with Keras's defaults and ranges.
 */
record Moments(float beta1, float beta2, float epsilon) {
  static Moments read(Config c) {
    return new Moments((float) c.number("beta_1", 0.9, 0, 1),
        (float) c.number("beta_2", 0.999, 0, 1),
        (float) c.number("epsilon", 1e-7, 0, Double.MAX_VALUE));
  }

  /** The shared slots of a rule's hyperparameters: hp[1..3] = beta_1, beta_2, epsilon. */
  void fill(float[] hp) {
    hp[1] = beta1;
    hp[2] = beta2;
    hp[3] = epsilon;
  }

  Map<String, Object> config() {
    return Optimizer.map("beta_1", beta1, "beta_2", beta2, "epsilon", epsilon);
  }
}

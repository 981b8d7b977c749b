package dev.nabla.optimizers;

import dev.nabla.Config;
import dev.nabla.Tensor;
import dev.nabla.backend.Backend;
import java.util.Map;

/**
 * Keras Adam: m += (g - m)(1 - b1), v += (g^2 - v)(1 - b2), optionally vhat = max(vhat, v),
 * w -= alpha m / (sqrt(v) + eps) with alpha = lr sqrt(1 - b2^t) / (1 - b1^t) in float32.
 * Defaults: learning_rate 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7, amsgrad false.
 */
public final class Adam extends Optimizer {
  private final float beta1, beta2, epsilon;
  private final boolean amsgrad;

  public Adam(Map<String, ?> config) {
    this(new Config("adam", config));
  }

  private Adam(Config c) {
    super("adam", c, 0.001);
    this.beta1 = (float) c.number("beta_1", 0.9, 0.0, 1.0);
    this.beta2 = (float) c.number("beta_2", 0.999, 0.0, 1.0);
    this.epsilon = (float) c.number("epsilon", 1e-7, 0.0, Double.MAX_VALUE);
    this.amsgrad = c.bool("amsgrad", false);
    c.done();
  }

  @Override
  protected int slotCount() {
    return amsgrad ? 3 : 2;
  }

  @Override
  protected void update(Backend b, Tensor w, Tensor g, Tensor[] slots, long step, float lr) {
    // float32 throughout, like Keras: powers of the betas rounded to float before use
    float beta1Power = (float) Math.pow(beta1, (float) step);
    float beta2Power = (float) Math.pow(beta2, (float) step);
    float alpha = lr * (float) Math.sqrt(1f - beta2Power) / (1f - beta1Power);
    b.adamUpdate(w, g, slots[0], slots[1], amsgrad ? slots[2] : null, w.size(), alpha, beta1,
        beta2, epsilon, amsgrad);
  }

  @Override
  public Map<String, Object> config() {
    return Map.of("learning_rate", learningRate, "beta_1", beta1, "beta_2", beta2, "epsilon",
        epsilon, "amsgrad", amsgrad);
  }
}

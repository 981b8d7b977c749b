package dev.nabla.optimizers;

import dev.nabla.Config;
import dev.nabla.backend.OptimizerRule;
import java.util.Map;

/**
 * Keras Adam: m += (g - m)(1 - b1), v += (g^2 - v)(1 - b2), optionally vhat = max(vhat, v),
 * w -= alpha m / (sqrt(v) + eps) with alpha = lr sqrt(1 - b2^t) / (1 - b1^t) in float32.
 * Defaults: learning_rate 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7, amsgrad false.
 * AdamW is this rule with a default weight_decay of 0.004.
 *
 * <p>Not thread-safe (see {@link Optimizer}).
 */
public class Adam extends Optimizer {
  private final Moments moments;
  private final boolean amsgrad;

  public Adam(Map<String, ?> config) {
    this("adam", new Config("adam", config), null);
  }

  Adam(String name, Config c, Double defaultWeightDecay) {
    super(name, OptimizerRule.ADAM, c, 0.001, defaultWeightDecay);
    moments = Moments.read(c);
    amsgrad = c.bool("amsgrad", false);
    c.done();
  }

  @Override
  protected int slotCount() {
    return amsgrad ? 3 : 2;
  }

  @Override
  protected void prepareStep(long step, float lr) {
    float beta1Power = powf(moments.beta1(), step), beta2Power = powf(moments.beta2(), step);
    hp[0] = lr * (float) Math.sqrt(1f - beta2Power) / (1f - beta1Power);
    moments.fill(hp);
    hp[4] = amsgrad ? 1f : 0f;
  }

  @Override
  protected Map<String, Object> ruleConfig() {
    Map<String, Object> m = moments.config();
    m.put("amsgrad", amsgrad);
    return m;
  }
}

package dev.nabla.optimizers;

import dev.nabla.Config;
import java.util.Map;

/**
 * Keras AdamW: Adam with decoupled weight decay, weight_decay 0.004 by default.
 *
 * <p>Not thread-safe (see {@link Optimizer}).
 */
public final class AdamW extends Adam {
  public AdamW(Map<String, ?> config) {
    super("adamw", check(new Config("adamw", config)), 0.004);
  }

  private static Config check(Config c) {
    if (c.has("weight_decay") && c.raw("weight_decay") == null) {
      throw new IllegalArgumentException("adamw: 'weight_decay' cannot be None for AdamW");
    }
    return c;
  }
}

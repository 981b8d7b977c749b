package dev.nabla.nn.layers;

import java.util.List;
import java.util.Map;

/**
 * Rebuilds layers from Keras-style (class name, config) pairs, as saved model files hold them.
 *
 * <p>Thread-safe: a factory of new layers.
 */
public final class Layers {
  private Layers() {}

  public static final List<String> NAMES = List.of("Flatten", "Dense", "Dropout", "Activation");

  public static Layer fromConfig(String className, Map<String, ?> config) {
    switch (className) {
      case "Flatten": {
        Object shape = config.get("input_shape");
        return new Flatten(shape == null ? new int[0] : ints(shape));
      }
      case "Dense":
        return new Dense(number(config, "units").intValue(), (String) config.get("activation"))
            .useBias(!Boolean.FALSE.equals(config.get("use_bias")))
            .kernelInitializer(string(config, "kernel_initializer", "glorot_uniform"))
            .biasInitializer(string(config, "bias_initializer", "zeros"));
      case "Dropout":
        return new Dropout(number(config, "rate").doubleValue());
      case "Activation":
        return new Activation((String) config.get("activation"));
      default:
        throw new IllegalArgumentException("unknown layer class '" + className + "'; accepted: "
            + String.join(", ", NAMES));
    }
  }

  private static Number number(Map<String, ?> c, String key) {
    Object v = c.get(key);
    if (!(v instanceof Number)) {
      throw new IllegalArgumentException("layer config: '" + key + "' must be a number, got " + v);
    }
    return (Number) v;
  }

  private static String string(Map<String, ?> c, String key, String fallback) {
    Object v = c.get(key);
    return v == null ? fallback : v.toString();
  }

  private static int[] ints(Object v) {
    if (v instanceof int[]) {
      return (int[]) v;
    }
    if (v instanceof List<?>) {
      return ((List<?>) v).stream().mapToInt(x -> ((Number) x).intValue()).toArray();
    }
    throw new IllegalArgumentException("layer config: input_shape must be a list, got " + v);
  }
}

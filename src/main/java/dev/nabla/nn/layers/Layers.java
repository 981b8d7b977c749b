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

  public static final List<String> NAMES = List.of("Flatten", "Dense", "Dropout", "Activation",
      "ReLU", "LeakyReLU", "ELU", "Softmax");

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
      case "ReLU": {
        Object max = config.get("max_value");
        if (max != null && !(max instanceof Number)) {
          throw new IllegalArgumentException("layer config: 'max_value' must be a number or null, "
              + "got " + max);
        }
        return new ReLU(max == null ? null : ((Number) max).doubleValue(),
            optional(config, "negative_slope", 0), optional(config, "threshold", 0));
      }
      case "LeakyReLU": // Keras 3's negative_slope, Keras 2's alpha
        return new LeakyReLU(config.containsKey("negative_slope")
            ? number(config, "negative_slope").doubleValue()
            : optional(config, "alpha", LeakyReLU.DEFAULT_SLOPE));
      case "ELU":
        return new ELU(optional(config, "alpha", 1.0));
      case "Softmax": {
        Object axis = config.get("axis");
        boolean last = axis == null || axis instanceof Number && ((Number) axis).intValue() == -1
            || axis instanceof List<?> && ((List<?>) axis).size() == 1
                && ((List<?>) axis).get(0) instanceof Number
                && ((Number) ((List<?>) axis).get(0)).intValue() == -1;
        if (!last) {
          throw new IllegalArgumentException("Softmax over axis " + axis + " is not supported; "
              + "Nabla's is over the last axis (axis=-1)");
        }
        return new Softmax();
      }
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

  private static double optional(Map<String, ?> c, String key, double fallback) {
    return c.get(key) == null ? fallback : number(c, key).doubleValue();
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

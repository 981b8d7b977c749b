package dev.nabla.backend;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Activations by Keras name. The ordinal is the code of native/include/nabla/kernels.h.
 *
 * <p>Thread-safe: an enum.
 */
public enum Activation {
  LINEAR, RELU, SIGMOID, TANH, GELU, LEAKY_RELU, SOFTMAX;

  /** Keras 3's default negative slope for leaky_relu. */
  public static final float LEAKY_RELU_SLOPE = 0.2f;

  public String kerasName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Looks up a Keras name ("relu", "softmax", ...); null or "" or "linear" mean no activation. */
  public static Activation get(String name) {
    if (name == null || name.isEmpty() || name.equalsIgnoreCase("none")) {
      return LINEAR;
    }
    String key = name.toUpperCase(Locale.ROOT).replace("LEAKYRELU", "LEAKY_RELU");
    for (Activation a : values()) {
      if (a.name().equals(key)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "unknown activation '" + name + "'; accepted: "
            + Arrays.stream(values()).map(Activation::kerasName).collect(Collectors.joining(", ")));
  }
}

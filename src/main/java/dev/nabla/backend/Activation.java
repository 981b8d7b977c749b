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
  LINEAR, RELU, SIGMOID, TANH, GELU, LEAKY_RELU, SOFTMAX,
  /** x > 0 ? x : alpha (exp(x) - 1); alpha 1 by default (the ELU layer sets it). */
  ELU,
  /** scale * elu(x, alpha) with Keras's alpha 1.67326324 and scale 1.05070098. */
  SELU,
  /** log(1 + exp(x)). */
  SOFTPLUS,
  /** x / (1 + |x|). */
  SOFTSIGN,
  /** x sigmoid(x); Keras also calls it silu. */
  SWISH,
  /** exp(x). */
  EXPONENTIAL,
  /** Keras 3's relu6(x + 3) / 6 (Keras 2's was the clipped 0.2 x + 0.5: not this one). */
  HARD_SIGMOID,
  /** min(max(x, 0), 6). */
  RELU6;

  /** Keras 3's default negative slope for leaky_relu. */
  public static final float LEAKY_RELU_SLOPE = 0.2f;
  /** Keras's selu constants (keras/src/activations/activations.py). */
  public static final double SELU_ALPHA = 1.67326324, SELU_SCALE = 1.05070098;

  public String kerasName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The parameter the backends' {@code alpha} argument carries when the activation is used by
   * name (Keras's function defaults): leaky_relu's slope 0.2, elu's alpha 1; 0 for the others.
   */
  public float defaultAlpha() {
    return this == LEAKY_RELU ? LEAKY_RELU_SLOPE : this == ELU ? 1f : 0f;
  }

  /** Looks up a Keras name ("relu", "softmax", "silu", ...); null or "" or "linear" mean none. */
  public static Activation get(String name) {
    if (name == null || name.isEmpty() || name.equalsIgnoreCase("none")) {
      return LINEAR;
    }
    String key = name.toUpperCase(Locale.ROOT).replace("LEAKYRELU", "LEAKY_RELU")
        .replace("HARDSIGMOID", "HARD_SIGMOID");
    if (key.equals("SILU")) {
      return SWISH;
    }
    for (Activation a : values()) {
      if (a.name().equals(key)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "unknown activation '" + name + "'; accepted: "
            + Arrays.stream(values()).map(Activation::kerasName).collect(Collectors.joining(", "))
            + ", silu");
  }
}

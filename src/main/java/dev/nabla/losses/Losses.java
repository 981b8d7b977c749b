package dev.nabla.losses;

import dev.nabla.Config;
import java.util.List;
import java.util.Map;

/**
 * Looks losses up by Keras name (case-insensitive, snake_case or class name) with Keras's
 * arguments.
 *
 * <p>Thread-safe: a factory of new losses.
 */
public final class Losses {
  private Losses() {}

  public static final List<String> NAMES = List.of("binary_crossentropy",
      "categorical_crossentropy", "sparse_categorical_crossentropy", "mean_squared_error (mse)",
      "mean_absolute_error (mae)");

  public static Loss get(String name) {
    return get(name, Map.of());
  }

  public static Loss get(String name, Map<String, ?> config) {
    if (name == null) {
      throw new IllegalArgumentException("loss name is null; accepted: " + String.join(", ", NAMES));
    }
    Config c = new Config(name, config);
    c.ignore("name");
    String reduction = c.string("reduction", "sum_over_batch_size");
    if (!reduction.equals("sum_over_batch_size")) {
      throw new IllegalArgumentException(name + ": reduction '" + reduction
          + "' is not supported; accepted: sum_over_batch_size");
    }
    Loss loss;
    switch (Config.key(name)) {
      case "binarycrossentropy":
      case "bce":
        loss = Pointwise.binaryCrossentropy(c.bool("from_logits", false),
            c.number("label_smoothing", 0, 0, 1));
        break;
      case "categoricalcrossentropy":
      case "cce":
        loss = new CrossEntropy(false, c.bool("from_logits", false),
            (float) c.number("label_smoothing", 0, 0, 1));
        break;
      case "sparsecategoricalcrossentropy":
      case "scce":
        loss = new CrossEntropy(true, c.bool("from_logits", false), 0f);
        c.ignore("ignore_class");
        if (c.raw("ignore_class") != null) {
          throw new IllegalArgumentException(name + ": ignore_class is not supported");
        }
        break;
      case "meansquarederror":
      case "mse":
        loss = Pointwise.meanSquaredError();
        break;
      case "meanabsoluteerror":
      case "mae":
        loss = Pointwise.meanAbsoluteError();
        break;
      default:
        throw Config.unknown("loss", name, NAMES);
    }
    c.done();
    loss.setConfig(config == null ? Map.of() : config);
    return loss;
  }
}

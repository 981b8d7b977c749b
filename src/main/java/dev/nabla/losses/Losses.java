package dev.nabla.losses;

import dev.nabla.Config;
import java.util.List;
import java.util.Map;

/**
 * Looks losses up by Keras name (case-insensitive, snake_case or class name) with Keras's
 * arguments. Every loss takes {@code reduction} ("sum_over_batch_size", the default; "sum",
 * "mean", "mean_with_sample_weight", "none" or null for per-sample values; see
 * {@link Reduction}) and ignores {@code name}. binary_crossentropy takes {@code from_logits},
 * {@code label_smoothing}; categorical_crossentropy those and {@code axis}; the sparse one those
 * and {@code ignore_class}. Unknown keys, wrong types and values out of range are refused with
 * the key named.
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

  /**
   * @throws IllegalArgumentException for an unknown name or key, or a bad value (named)
   */
  public static Loss get(String name, Map<String, ?> config) {
    if (name == null) {
      throw new IllegalArgumentException("loss name is null; accepted: " + String.join(", ", NAMES));
    }
    Config c = new Config(name, config);
    c.ignore("name");
    Reduction reduction = reduction(name, c);
    Loss loss;
    switch (Config.key(name)) {
      case "binarycrossentropy":
      case "bce":
        loss = Pointwise.binaryCrossentropy(c.bool("from_logits", false),
            c.number("label_smoothing", 0, 0, 1), reduction);
        break;
      case "categoricalcrossentropy":
      case "cce":
        loss = new CrossEntropy(false, c.bool("from_logits", false),
            (float) c.number("label_smoothing", 0, 0, 1), integer(name, c, "axis", -1), null,
            reduction);
        break;
      case "sparsecategoricalcrossentropy":
      case "scce": {
        Object ignore = c.raw("ignore_class");
        loss = new CrossEntropy(true, c.bool("from_logits", false),
            (float) c.number("label_smoothing", 0, 0, 1), integer(name, c, "axis", -1),
            ignore == null ? null : integer(name, c, "ignore_class", 0), reduction);
        break;
      }
      case "meansquarederror":
      case "mse":
        loss = Pointwise.meanSquaredError(reduction);
        break;
      case "meanabsoluteerror":
      case "mae":
        loss = Pointwise.meanAbsoluteError(reduction);
        break;
      default:
        throw Config.unknown("loss", name, NAMES);
    }
    c.done();
    return loss;
  }

  /** Keras's reduction argument: a name, or null (Python's None) for none. */
  private static Reduction reduction(String owner, Config c) {
    if (!c.has("reduction")) {
      c.raw("reduction");
      return Reduction.SUM_OVER_BATCH_SIZE;
    }
    Object r = c.raw("reduction");
    if (r != null && !(r instanceof String)) {
      throw new IllegalArgumentException(owner + ": 'reduction' must be a string or null, got "
          + r + " (" + r.getClass().getSimpleName() + ")");
    }
    return Reduction.of(owner, (String) r);
  }

  /** An integer argument (a whole number of any numeric type, as JSON gives them back). */
  private static int integer(String owner, Config c, String key, int fallback) {
    double v = c.number(key, fallback);
    if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(owner + ": '" + key + "' must be an integer, got " + v);
    }
    return (int) v;
  }
}

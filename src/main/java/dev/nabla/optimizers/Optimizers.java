package dev.nabla.optimizers;

import dev.nabla.Config;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Optimizers by Keras name (case-insensitive, snake_case or class name) and Keras arguments.
 *
 * <p>Thread-safe: a factory of new optimizers.
 */
public final class Optimizers {
  private Optimizers() {}

  /** The optimizers, as Keras's dir(keras.optimizers) lists their classes. */
  public static final List<String> NAMES = List.of("Adadelta", "Adagrad", "Adam", "AdamW",
      "Adamax", "Ftrl", "Lamb", "Lion", "Nadam", "RMSprop", "SGD");

  private static final Map<String, Function<Map<String, ?>, Optimizer>> REGISTRY = Map.ofEntries(
      Map.entry("adadelta", Adadelta::new), Map.entry("adagrad", Adagrad::new),
      Map.entry("adam", Adam::new), Map.entry("adamw", AdamW::new),
      Map.entry("adamax", Adamax::new), Map.entry("ftrl", Ftrl::new),
      Map.entry("lamb", Lamb::new), Map.entry("lion", Lion::new),
      Map.entry("nadam", Nadam::new), Map.entry("rmsprop", RMSprop::new),
      Map.entry("sgd", SGD::new));

  public static Optimizer get(String name) {
    return get(name, Map.of());
  }

  public static Optimizer get(String name, Map<String, ?> config) {
    Function<Map<String, ?>, Optimizer> make = name == null ? null
        : REGISTRY.get(Config.key(name));
    if (make == null) {
      throw Config.unknown("optimizer", String.valueOf(name), NAMES);
    }
    return make.apply(config == null ? Map.of() : config);
  }
}

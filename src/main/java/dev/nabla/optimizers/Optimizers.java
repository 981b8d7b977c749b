package dev.nabla.optimizers;

import dev.nabla.Config;
import java.util.List;
import java.util.Map;

/** Optimizers by Keras name (case-insensitive, snake_case or class name) and Keras arguments. */
public final class Optimizers {
  private Optimizers() {}

  /** The names {@link #get} accepts, as Keras's dir(keras.optimizers) lists their classes. */
  public static final List<String> NAMES = List.of("Adam", "SGD");

  public static Optimizer get(String name) {
    return get(name, Map.of());
  }

  public static Optimizer get(String name, Map<String, ?> config) {
    if (name == null) {
      throw Config.unknown("optimizer", "null", NAMES);
    }
    switch (Config.key(name)) {
      case "adam":
        return new Adam(config);
      case "sgd":
        return new SGD(config);
      default:
        throw Config.unknown("optimizer", name, NAMES);
    }
  }
}

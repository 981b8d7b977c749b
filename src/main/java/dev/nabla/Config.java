package dev.nabla;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a Keras-style config map (argument name -> value) for one named thing, with the checks
 * every registry needs: unknown keys and wrong types throw IllegalArgumentException naming the
 * key, the thing, and what is accepted. Call {@link #done()} after reading every key.
 *
 * <p>Thread-safe: immutable once made.
 */
public final class Config {
  private final String owner;
  private final Map<String, ?> values;
  private final Set<String> read = new HashSet<>();
  private final Set<String> known = new TreeSet<>();

  public Config(String owner, Map<String, ?> values) {
    this.owner = owner;
    this.values = values == null ? Map.of() : values;
  }

  /** The map as given. */
  public Map<String, ?> values() {
    return values;
  }

  public boolean has(String key) {
    known.add(key);
    return values.containsKey(key);
  }

  public Object raw(String key) {
    known.add(key);
    read.add(key);
    return values.get(key);
  }

  public double number(String key, double fallback) {
    Object v = raw(key);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Number) {
      return ((Number) v).doubleValue();
    }
    throw new IllegalArgumentException(owner + ": '" + key + "' must be a number, got " + v
        + " (" + v.getClass().getSimpleName() + ")");
  }

  public float floatValue(String key, double fallback) {
    return (float) number(key, fallback);
  }

  /** A number within [min, max]; the message names the key and the range. */
  public double number(String key, double fallback, double min, double max) {
    double v = number(key, fallback);
    if (!(v >= min && v <= max)) {
      throw new IllegalArgumentException(owner + ": '" + key + "' must be in [" + min + ", "
          + max + "], got " + v);
    }
    return v;
  }

  public boolean bool(String key, boolean fallback) {
    Object v = raw(key);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Boolean) {
      return (Boolean) v;
    }
    throw new IllegalArgumentException(owner + ": '" + key + "' must be true or false, got " + v);
  }

  public String string(String key, String fallback) {
    Object v = raw(key);
    return v == null ? fallback : v.toString();
  }

  /** Accepts and ignores keys that Keras allows but that change nothing here (e.g. "name"). */
  public void ignore(String... keys) {
    for (String k : keys) {
      raw(k);
    }
  }

  /** Throws if the map had a key nobody read. */
  public void done() {
    for (String k : values.keySet()) {
      if (!read.contains(k)) {
        throw new IllegalArgumentException(owner + ": unknown argument '" + k + "'; accepted: "
            + String.join(", ", known));
      }
    }
  }

  /** Registry key: case-insensitive, snake_case or ClassName ("mean_squared_error" = "MeanSquaredError"). */
  public static String key(String name) {
    return name.toLowerCase(Locale.ROOT).replace("_", "");
  }

  /** The message for an unknown registry name. */
  public static IllegalArgumentException unknown(String what, String name, List<String> accepted) {
    return new IllegalArgumentException("unknown " + what + " '" + name + "'; accepted: "
        + String.join(", ", accepted));
  }
}

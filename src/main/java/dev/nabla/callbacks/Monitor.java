package dev.nabla.callbacks;

import java.util.Locale;
import java.util.Map;

/**
 * A monitored quantity with Keras's mode rules: "min", "max", or "auto" (max when the name
 * contains "acc" or "auc", else min). Shared by EarlyStopping, ModelCheckpoint, ReduceLROnPlateau.
 */
final class Monitor {
  final String name;
  final boolean maximize;

  Monitor(String name, String mode) {
    this.name = name;
    switch (mode.toLowerCase(Locale.ROOT)) {
      case "min": maximize = false; break;
      case "max": maximize = true; break;
      case "auto":
        maximize = name.contains("acc") || name.contains("auc");
        break;
      default:
        throw new IllegalArgumentException("mode must be auto, min or max, got '" + mode + "'");
    }
  }

  /** The worst possible value, the starting "best". */
  double initial() {
    return maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
  }

  /** Whether {@code current} beats {@code best} by more than {@code minDelta}. */
  boolean improves(double current, double best, double minDelta) {
    return maximize ? current - minDelta > best : current + minDelta < best;
  }

  /** The value in logs, or null (with a warning once) when the metric is absent. */
  Float read(Map<String, Float> logs, String owner) {
    Float v = logs.get(name);
    if (v == null && !warned) {
      warned = true;
      System.err.println("nabla: " + owner + " monitors '" + name + "', which is not in the logs "
          + "(available: " + logs.keySet() + "); it does nothing");
    }
    return v;
  }

  private boolean warned;
}

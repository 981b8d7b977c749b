package dev.nabla.metrics;

import dev.nabla.Config;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * Keras's metrics by name, and the "accuracy" resolution Keras applies at compile time.
 *
 * <p>Thread-safe: a factory of new metrics.
 */
public final class Metrics {
  private Metrics() {}

  public static final List<String> NAMES = List.of("accuracy (acc)", "binary_accuracy",
      "categorical_accuracy", "sparse_categorical_accuracy", "mean_absolute_error (mae)",
      "mean_squared_error (mse)", "mean (the loss tracker)");

  public static Metric get(String name, Map<String, ?> config) {
    Config c = new Config(name, config);
    String display = c.string("name", null);
    Metric m;
    switch (Config.key(name)) {
      case "binaryaccuracy": {
        double threshold = c.number("threshold", 0.5);
        if (!(threshold > 0 && threshold < 1)) { // Keras: strictly between 0 and 1
          throw new IllegalArgumentException(name + ": 'threshold' must be in (0, 1), got "
              + threshold);
        }
        m = binaryAccuracy(display == null ? "binary_accuracy" : display, threshold);
        break;
      }
      case "categoricalaccuracy":
        m = categoricalAccuracy(display == null ? "categorical_accuracy" : display);
        break;
      case "sparsecategoricalaccuracy":
        m = sparseCategoricalAccuracy(display == null ? "sparse_categorical_accuracy" : display);
        break;
      case "meanabsoluteerror":
      case "mae":
        m = meanError(display == null ? (name.equalsIgnoreCase("mae") ? "mae"
            : "mean_absolute_error") : display, false);
        break;
      case "meansquarederror":
      case "mse":
        m = meanError(display == null ? (name.equalsIgnoreCase("mse") ? "mse"
            : "mean_squared_error") : display, true);
        break;
      case "accuracy":
      case "acc":
        throw new IllegalArgumentException("'" + name + "' depends on the loss and output shape; "
            + "use Metrics.resolveAccuracy, or name the accuracy: binary_accuracy, "
            + "categorical_accuracy, sparse_categorical_accuracy");
      default:
        throw Config.unknown("metric", name, NAMES);
    }
    c.done();
    return m;
  }

  /**
   * Keras's choice for "accuracy": binary when the model has one output unit or a binary loss,
   * sparse categorical when labels are class indices, categorical otherwise. Logged as "accuracy".
   */
  public static Metric resolveAccuracy(String displayName, boolean sparseLabels, int outputUnits,
      boolean binaryLoss) {
    if (binaryLoss || outputUnits == 1) {
      return binaryAccuracy(displayName, 0.5);
    }
    return sparseLabels ? sparseCategoricalAccuracy(displayName)
        : categoricalAccuracy(displayName);
  }

  public static Metric binaryAccuracy(String name, double threshold) {
    return new Metric(name) {
      @Override
      protected double sampleValue(FloatBuffer t, int to, int tw, FloatBuffer p, int po, int pw) {
        double hits = 0;
        for (int i = 0; i < pw; i++) {
          float predicted = p.get(po + i) > threshold ? 1f : 0f;
          hits += predicted == t.get(to + Math.min(i, tw - 1)) ? 1 : 0;
        }
        return hits / pw;
      }
    };
  }

  public static Metric categoricalAccuracy(String name) {
    return new Metric(name) {
      @Override
      protected double sampleValue(FloatBuffer t, int to, int tw, FloatBuffer p, int po, int pw) {
        return Metric.argmax(t, to, tw) == Metric.argmax(p, po, pw) ? 1 : 0;
      }
    };
  }

  public static Metric sparseCategoricalAccuracy(String name) {
    return new Metric(name) {
      @Override
      protected double sampleValue(FloatBuffer t, int to, int tw, FloatBuffer p, int po, int pw) {
        return (int) t.get(to) == Metric.argmax(p, po, pw) ? 1 : 0;
      }
    };
  }

  public static Metric meanError(String name, boolean squared) {
    return new Metric(name) {
      @Override
      protected double sampleValue(FloatBuffer t, int to, int tw, FloatBuffer p, int po, int pw) {
        double s = 0;
        for (int i = 0; i < pw; i++) {
          double d = p.get(po + i) - t.get(to + i);
          s += squared ? d * d : Math.abs(d);
        }
        return s / pw;
      }
    };
  }

  /** A plain weighted mean fed with {@link Metric#updateMean}: the loss tracker. */
  public static Metric mean(String name) {
    return new Metric(name) {
      @Override
      protected double sampleValue(FloatBuffer t, int to, int tw, FloatBuffer p, int po, int pw) {
        throw new UnsupportedOperationException(name + " is fed with updateMean");
      }
    };
  }
}

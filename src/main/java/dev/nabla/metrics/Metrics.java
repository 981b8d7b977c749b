package dev.nabla.metrics;

import dev.nabla.Config;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Keras's metrics by name ({@code keras.metrics.get}), and the "accuracy" resolution Keras's
 * compile applies. Names are case-insensitive, snake_case or the class name ("top_k_categorical_
 * accuracy" = "TopKCategoricalAccuracy"); the config map takes the class's Keras arguments
 * ("name" included) and refuses unknown keys and wrong types, naming them.
 *
 * <p>Thread-safe: a factory of new metrics.
 */
public final class Metrics {
  private Metrics() {}

  public static final List<String> NAMES = List.of("accuracy (element-wise; in compile "
      + "\"accuracy\"/\"acc\" resolve from shapes)", "binary_accuracy", "categorical_accuracy",
      "sparse_categorical_accuracy", "top_k_categorical_accuracy",
      "sparse_top_k_categorical_accuracy", "mean_squared_error (mse)",
      "mean_absolute_error (mae)", "root_mean_squared_error", "precision", "recall", "auc",
      "mean", "sum");

  /** {@link #get(String, Map)} with the defaults. */
  public static Metric get(String name) {
    return get(name, Map.of());
  }

  /**
   * A new metric by its Keras name, configured by Keras's constructor arguments.
   *
   * @throws IllegalArgumentException for an unknown name or key, a wrong type, or a value the
   *     class refuses (each message names it)
   */
  public static Metric get(String name, Map<String, ?> config) {
    Config c = new Config(name, config);
    String display = c.string("name", null);
    Metric m;
    switch (Config.key(name)) {
      case "accuracy":
        m = new Accuracy(or(display, "accuracy"));
        break;
      case "binaryaccuracy":
        m = new BinaryAccuracy(or(display, "binary_accuracy"), c.number("threshold", 0.5));
        break;
      case "categoricalaccuracy":
        m = new CategoricalAccuracy(or(display, "categorical_accuracy"));
        break;
      case "sparsecategoricalaccuracy":
        m = new SparseCategoricalAccuracy(or(display, "sparse_categorical_accuracy"));
        break;
      case "topkcategoricalaccuracy":
        m = new TopKCategoricalAccuracy(or(display, "top_k_categorical_accuracy"),
            integer(c, name, "k", 5));
        break;
      case "sparsetopkcategoricalaccuracy":
        m = new SparseTopKCategoricalAccuracy(or(display, "sparse_top_k_categorical_accuracy"),
            integer(c, name, "k", 5), c.bool("from_sorted_ids", false));
        break;
      case "meanabsoluteerror":
      case "mae":
        m = new MeanAbsoluteError(or(display, name.equalsIgnoreCase("mae") ? "mae"
            : "mean_absolute_error"));
        break;
      case "meansquarederror":
      case "mse":
        m = new MeanSquaredError(or(display, name.equalsIgnoreCase("mse") ? "mse"
            : "mean_squared_error"));
        break;
      case "rootmeansquarederror":
        m = new RootMeanSquaredError(or(display, "root_mean_squared_error"));
        break;
      case "precision":
        m = new Precision(or(display, "precision"), numbers(c, name, "thresholds"),
            optionalInteger(c, name, "top_k"), optionalInteger(c, name, "class_id"));
        break;
      case "recall":
        m = new Recall(or(display, "recall"), numbers(c, name, "thresholds"),
            optionalInteger(c, name, "top_k"), optionalInteger(c, name, "class_id"));
        break;
      case "auc":
        m = new AUC(or(display, "auc"), integer(c, name, "num_thresholds", 200),
            c.string("curve", "ROC"), c.string("summation_method", "interpolation"),
            numbers(c, name, "thresholds"), c.bool("multi_label", false),
            optionalInteger(c, name, "num_labels"), numbers(c, name, "label_weights"),
            c.bool("from_logits", false));
        break;
      case "mean":
        m = new Mean(or(display, "mean"));
        break;
      case "sum":
        m = new Sum(or(display, "sum"));
        break;
      case "acc":
        throw new IllegalArgumentException("'" + name + "' is resolved by compile from the "
            + "output and label shapes (Metrics.resolveAccuracy); standalone, name the accuracy: "
            + "binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, or accuracy "
            + "(element-wise equality)");
      default:
        throw Config.unknown("metric", name, NAMES);
    }
    c.done();
    return m;
  }

  private static String or(String display, String fallback) {
    return display == null ? fallback : display;
  }

  private static int integer(Config c, String owner, String key, int fallback) {
    Integer v = optionalInteger(c, owner, key);
    return v == null ? fallback : v;
  }

  /** A whole number, or null when absent or null. */
  private static Integer optionalInteger(Config c, String owner, String key) {
    Object v = c.raw(key);
    if (v == null) {
      return null;
    }
    if (v instanceof Number) {
      double d = ((Number) v).doubleValue();
      if (d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
        return (int) d;
      }
    }
    throw new IllegalArgumentException(owner + ": '" + key + "' must be a whole number, got "
        + v);
  }

  /** A number or a list of numbers (Keras's float-or-list arguments), or null. */
  private static double[] numbers(Config c, String owner, String key) {
    Object v = c.raw(key);
    if (v == null) {
      return null;
    }
    if (v instanceof Number) {
      return new double[] {((Number) v).doubleValue()};
    }
    if (v instanceof double[]) {
      return ((double[]) v).clone();
    }
    if (v instanceof float[]) {
      float[] f = (float[]) v;
      double[] out = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        out[i] = f[i];
      }
      return out;
    }
    if (v instanceof List) {
      List<?> list = (List<?>) v;
      double[] out = new double[list.size()];
      for (int i = 0; i < out.length; i++) {
        if (!(list.get(i) instanceof Number)) {
          throw new IllegalArgumentException(owner + ": '" + key + "' must hold numbers, got "
              + list);
        }
        out[i] = ((Number) list.get(i)).doubleValue();
      }
      return out;
    }
    throw new IllegalArgumentException(owner + ": '" + key + "' must be a number or a list of "
        + "numbers, got " + v + " (" + v.getClass().getSimpleName() + ")");
  }

  /**
   * Keras 3 compile's choice for "accuracy" / "acc" (keras/src/trainers/compile_utils.py,
   * get_metric): binary accuracy when the model has one output unit (y_pred's last dim is 1);
   * sparse categorical when the labels are class indices (y_true of lower rank than y_pred, or
   * y_true's last dim 1 against several outputs); categorical otherwise. The loss plays no part.
   *
   * @param displayName the name it logs under (Keras: the string given to compile)
   * @param yTrueShape the labels' shape, batch axis included
   * @param yPredShape the predictions' shape, batch axis included
   */
  public static MeanMetric resolveAccuracy(String displayName, int[] yTrueShape,
      int[] yPredShape) {
    if (yPredShape.length == 0 || yTrueShape.length == 0) {
      throw new IllegalArgumentException("'" + displayName + "' needs labels and predictions "
          + "with a batch axis; got y_true " + Arrays.toString(yTrueShape) + ", y_pred "
          + Arrays.toString(yPredShape));
    }
    int predLast = yPredShape[yPredShape.length - 1];
    int trueLast = yTrueShape[yTrueShape.length - 1];
    if (predLast == 1) {
      return new BinaryAccuracy(displayName, 0.5);
    }
    boolean sparse = yTrueShape.length < yPredShape.length || trueLast == 1 && predLast > 1;
    return sparse ? new SparseCategoricalAccuracy(displayName)
        : new CategoricalAccuracy(displayName);
  }

  /**
   * The same rule from a model's facts: binary when {@code outputUnits} is 1, else sparse when
   * the labels are class indices, else categorical.
   *
   * @param binaryLoss ignored: Keras 3 resolves from shapes, whatever the loss
   * @deprecated use {@link #resolveAccuracy(String, int[], int[])}, which reads the shapes
   */
  @Deprecated
  public static Metric resolveAccuracy(String displayName, boolean sparseLabels, int outputUnits,
      boolean binaryLoss) {
    if (outputUnits == 1) {
      return new BinaryAccuracy(displayName, 0.5);
    }
    return sparseLabels ? new SparseCategoricalAccuracy(displayName)
        : new CategoricalAccuracy(displayName);
  }

  /** A {@link BinaryAccuracy} with that name and threshold. */
  public static Metric binaryAccuracy(String name, double threshold) {
    return new BinaryAccuracy(name, threshold);
  }

  /** A {@link CategoricalAccuracy} with that name. */
  public static Metric categoricalAccuracy(String name) {
    return new CategoricalAccuracy(name);
  }

  /** A {@link SparseCategoricalAccuracy} with that name. */
  public static Metric sparseCategoricalAccuracy(String name) {
    return new SparseCategoricalAccuracy(name);
  }

  /** A {@link MeanSquaredError} (squared) or {@link MeanAbsoluteError} with that name. */
  public static Metric meanError(String name, boolean squared) {
    return squared ? new MeanSquaredError(name) : new MeanAbsoluteError(name);
  }

  /** A {@link Mean} with that name, fed with {@link Mean#updateMean}: the loss tracker. */
  public static Mean mean(String name) {
    return new Mean(name);
  }
}

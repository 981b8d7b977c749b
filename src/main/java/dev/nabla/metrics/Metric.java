package dev.nabla.metrics;

import dev.nabla.Tensor;
import java.util.Map;

/**
 * Keras's {@code keras.metrics.Metric}: state accumulated across {@link #update} calls (Keras's
 * {@code update_state}), read with {@link #result()} ({@code result}) and cleared with
 * {@link #reset()} ({@code reset_state}). Metrics run on the host over copies of the tensors
 * given (device tensors are downloaded).
 *
 * <p>Two kinds derive from it: {@link MeanMetric}, a weighted mean of per-sample values (the
 * accuracies, the regression errors; Keras's {@code MeanMetricWrapper}), and the
 * confusion-matrix metrics ({@link Precision}, {@link Recall}, {@link AUC}), whose state is
 * weighted counts per threshold and whose result is a ratio or an area, not a mean. The
 * standalone reductions {@link Mean} and {@link Sum} take values instead of labels and
 * predictions.
 *
 * <p>Sample weights follow Keras: none (every value weighs 1), a scalar, one weight per sample,
 * or per element, broadcast against the values as Keras broadcasts them; a shape that cannot
 * broadcast is refused naming both shapes.
 *
 * <p>The classes here are the metrics there are: every one can be rebuilt from
 * {@link #className()} and {@link #config()} (what compile and model files rely on), so the
 * update hook is package-private and a metric cannot be defined outside this package yet.
 *
 * <p>Not thread-safe.
 */
public abstract class Metric {
  private final String name;

  protected Metric(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a metric needs a non-empty name");
    }
    this.name = name;
  }

  /** The name the metric is logged under (Keras's {@code name}). */
  public String name() {
    return name;
  }

  /** Keras's class name, e.g. "BinaryAccuracy": what {@link Metrics#get} rebuilds it from. */
  public abstract String className();

  /**
   * Keras's {@code get_config()}: the arguments that rebuild this metric through
   * {@code Metrics.get(className(), config())}, "name" included.
   */
  public abstract Map<String, Object> config();

  /** Keras's {@code update_state(y_true, y_pred)}: every value weighs 1. */
  public void update(Tensor yTrue, Tensor yPred) {
    update(yTrue, yPred, null);
  }

  /**
   * Keras's {@code update_state(y_true, y_pred, sample_weight)}.
   *
   * @param sampleWeight null, a scalar, one weight per sample, or per element (broadcast as
   *     Keras does)
   * @throws IllegalArgumentException when the shapes do not fit together (the message names
   *     them)
   */
  public void update(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
    accumulate(Arr.of(yTrue), Arr.of(yPred), Arr.of(sampleWeight));
  }

  /**
   * Updates from the first {@code rows} samples only (the first axis), e.g. a model's partial
   * last batch held in a larger buffer; weights, when given, are cut likewise unless scalar.
   */
  public void update(Tensor yTrue, Tensor yPred, Tensor sampleWeight, int rows) {
    if (rows == 0) {
      return;
    }
    accumulate(Arr.of(yTrue, rows), Arr.of(yPred, rows),
        sampleWeight == null || sampleWeight.rank() == 0 ? Arr.of(sampleWeight)
            : Arr.of(sampleWeight, rows));
  }

  /** Adds one batch to the state (null weight: every value weighs 1). */
  abstract void accumulate(Arr yTrue, Arr yPred, Arr sampleWeight);

  /** The value accumulated so far (Keras's {@code result()}); 0 before any update. */
  public abstract float result();

  /**
   * Every value of the result: one per threshold for {@link Precision} and {@link Recall} with
   * several thresholds, else the single {@link #result()}.
   */
  public float[] results() {
    return new float[] {result()};
  }

  /** Clears the state (Keras's {@code reset_state()}). */
  public abstract void reset();

  /** Keras's {@code metric(y_true, y_pred)}: update, then the result. */
  public float call(Tensor yTrue, Tensor yPred) {
    update(yTrue, yPred);
    return result();
  }

  /** Keras's {@code metric(y_true, y_pred, sample_weight=...)}: update, then the result. */
  public float call(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
    update(yTrue, yPred, sampleWeight);
    return result();
  }

  /** The config keys every metric shares. */
  Map<String, Object> baseConfig() {
    Map<String, Object> c = new java.util.LinkedHashMap<>();
    c.put("name", name);
    return c;
  }

  @Override
  public String toString() {
    return className() + config();
  }
}

package dev.nabla.metrics;

/**
 * Keras's {@code keras.metrics.Precision}: of the predictions counted positive, the weighted
 * fraction whose label is true, {@code tp / (tp + fp)} (0 while nothing was predicted
 * positive). A prediction is positive when {@code y_pred > threshold}; a label is true when not
 * 0. Labels and predictions pair element by element (shapes equal, or differing by a trailing
 * axis of 1); multi-column data is flattened.
 *
 * <ul>
 *   <li>{@code thresholds}: one or several values in [0, 1]; several give one result per
 *       threshold ({@link #results()}). Default 0.5 (without top_k).
 *   <li>{@code top_k}: only the k largest predictions of each row can be positive (ties: lower
 *       index first); the default threshold is then NEG_INF (-1e10), so every top-k prediction
 *       is positive.
 *   <li>{@code class_id}: count only that column of the last axis (y_pred must be
 *       {@code (n, classes)}).
 * </ul>
 *
 * <p>Sample weights: a scalar, per sample or per element, broadcast to y_pred. Default name
 * "precision".
 *
 * <p>Errors: the constructors throw IllegalArgumentException for a threshold outside [0, 1], top_k &lt; 1 or
 *     class_id &lt; 0; (update) for class_id on rank-1 predictions or shapes that do not pair
 */
public final class Precision extends ThresholdMetric {
  public Precision() {
    this("precision", null, null, null);
  }

  /**
   * @param thresholds null for the default, else values in [0, 1]
   * @param topK null, or at least 1
   * @param classId null, or a class index
   */
  public Precision(String name, double[] thresholds, Integer topK, Integer classId) {
    super(name, thresholds, topK, classId);
  }

  @Override
  public String className() {
    return "Precision";
  }

  /** The weighted false positives so far, one per threshold. */
  public double[] falsePositives() {
    return column(other);
  }

  @Override
  void accumulate(Arr yTrue, Arr yPred, Arr sampleWeight) {
    ConfusionMatrix.update(truePositives, other, null, null, yTrue, yPred, sampleWeight,
        thresholds, evenly, topK, classId, false, null, name());
  }
}

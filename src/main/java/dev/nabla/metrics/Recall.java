package dev.nabla.metrics;

/**
 * Keras's {@code keras.metrics.Recall}: of the true labels, the weighted fraction predicted
 * positive, {@code tp / (tp + fn)} (0 while no label was true). Thresholds, top_k, class_id,
 * shapes, weights and errors as {@link Precision}. Default name "recall".
 */
public final class Recall extends ThresholdMetric {
  public Recall() {
    this("recall", null, null, null);
  }

  /**
   * @param thresholds null for the default, else values in [0, 1]
   * @param topK null, or at least 1
   * @param classId null, or a class index
   */
  public Recall(String name, double[] thresholds, Integer topK, Integer classId) {
    super(name, thresholds, topK, classId);
  }

  @Override
  public String className() {
    return "Recall";
  }

  /** The weighted false negatives so far, one per threshold. */
  public double[] falseNegatives() {
    return column(other);
  }

  @Override
  void accumulate(Arr yTrue, Arr yPred, Arr sampleWeight) {
    ConfusionMatrix.update(truePositives, null, null, other, yTrue, yPred, sampleWeight,
        thresholds, evenly, topK, classId, false, null, name());
  }
}

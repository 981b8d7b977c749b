package dev.nabla.metrics;

/**
 * Keras's {@code keras.metrics.Accuracy}: how often predictions equal labels, element by element
 * (1 where {@code y_pred == y_true}, else 0), averaged. Predictions are compared as given, so it
 * suits class indices or already-thresholded outputs, not probabilities. Shapes: equal, or
 * differing by a trailing axis of 1 (e.g. {@code (n)} against {@code (n, 1)}), or broadcastable.
 * Default name "accuracy".
 *
 * <p>In {@code compile}, the names "accuracy" and "acc" do not mean this class: as in Keras they
 * are resolved from the output and label shapes ({@link Metrics#resolveAccuracy}); pass an
 * instance to {@code compile} for element-wise equality.
 */
public final class Accuracy extends MeanMetric {
  public Accuracy() {
    this("accuracy");
  }

  public Accuracy(String name) {
    super(name);
  }

  @Override
  public String className() {
    return "Accuracy";
  }

  @Override
  Arr values(Arr yTrue, Arr yPred) {
    Arr[] tp = Arr.squeezeOrExpand(yTrue, yPred, true);
    return Arr.zip(tp[0], tp[1], name() + ": y_true and y_pred", (t, p) -> t == p ? 1f : 0f);
  }
}

package dev.nabla.metrics;

/**
 * Keras's {@code keras.metrics.MeanSquaredError}: the weighted mean over samples of
 * {@code mean((y_true - y_pred)^2)} over the last axis. Shapes: equal, or differing by a
 * trailing axis of 1. Weights: a scalar or one per sample ({@code (n)} or {@code (n, 1)});
 * per-element weights do not broadcast to the per-sample values and are refused, as in Keras.
 * Default name "mean_squared_error" ("mse" when made by that name).
 */
public final class MeanSquaredError extends MeanMetric {
  public MeanSquaredError() {
    this("mean_squared_error");
  }

  public MeanSquaredError(String name) {
    super(name);
  }

  @Override
  public String className() {
    return "MeanSquaredError";
  }

  @Override
  Arr values(Arr yTrue, Arr yPred) {
    return error(yTrue, yPred, name(), true).meanLast();
  }

  /** Element-wise squared or absolute error after Keras's squeeze_or_expand_to_same_rank. */
  static Arr error(Arr yTrue, Arr yPred, String metric, boolean squared) {
    Arr[] tp = Arr.squeezeOrExpand(yTrue, yPred, true);
    return Arr.zip(tp[0], tp[1], metric + ": y_true and y_pred", (t, p) -> {
      float d = p - t;
      return squared ? d * d : Math.abs(d);
    });
  }
}

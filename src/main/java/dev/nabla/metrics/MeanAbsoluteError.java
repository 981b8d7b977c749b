package dev.nabla.metrics;

/**
 * Keras's {@code keras.metrics.MeanAbsoluteError}: the weighted mean over samples of
 * {@code mean(|y_true - y_pred|)} over the last axis. Shapes and weights as
 * {@link MeanSquaredError}. Default name "mean_absolute_error" ("mae" when made by that name).
 */
public final class MeanAbsoluteError extends MeanMetric {
  public MeanAbsoluteError() {
    this("mean_absolute_error");
  }

  public MeanAbsoluteError(String name) {
    super(name);
  }

  @Override
  public String className() {
    return "MeanAbsoluteError";
  }

  @Override
  Arr values(Arr yTrue, Arr yPred) {
    return MeanSquaredError.error(yTrue, yPred, name(), false).meanLast();
  }
}

package dev.nabla.metrics;

/**
 * Keras's {@code keras.metrics.RootMeanSquaredError}: {@code sqrt} of the weighted mean of the
 * element-wise squared errors {@code (y_pred - y_true)^2}, accumulated across updates (the root
 * of the running mean, not a mean of per-batch roots). Shapes: equal, or differing by a trailing
 * axis of 1. Weights: a scalar, per sample, or per element (the errors are per element, so any
 * shape broadcastable to them fits). Default name "root_mean_squared_error".
 */
public final class RootMeanSquaredError extends MeanMetric {
  public RootMeanSquaredError() {
    this("root_mean_squared_error");
  }

  public RootMeanSquaredError(String name) {
    super(name);
  }

  @Override
  public String className() {
    return "RootMeanSquaredError";
  }

  @Override
  Arr values(Arr yTrue, Arr yPred) {
    return MeanSquaredError.error(yTrue, yPred, name(), true);
  }

  @Override
  public float result() {
    return (float) Math.sqrt(super.result());
  }
}

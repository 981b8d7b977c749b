package dev.nabla.metrics;

/**
 * Keras's {@code keras.metrics.Sum}: the weighted sum of the values given, across updates. Like
 * {@link Mean} it takes values ({@code update(values)}, {@code update(values, sampleWeight)}),
 * not labels and predictions; weights broadcast against the values as Keras broadcasts them
 * (a {@code (1, k)} row applies to every sample). Default name "sum"; 0 before any update. Not
 * usable in {@code compile}.
 */
public final class Sum extends Mean {
  public Sum() {
    this("sum");
  }

  public Sum(String name) {
    super(name);
  }

  @Override
  public String className() {
    return "Sum";
  }

  @Override
  boolean reducesByMean() {
    return false;
  }

  @Override
  public float result() {
    return (float) total();
  }

  /** Refused: a Sum has no count to divide by. */
  @Override
  public void updateMean(double mean, double weight) {
    throw new UnsupportedOperationException(name() + ": a Sum has no mean to update; use "
        + "update(values)");
  }
}

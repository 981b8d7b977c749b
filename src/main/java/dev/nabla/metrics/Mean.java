package dev.nabla.metrics;

import dev.nabla.Tensor;
import java.util.Map;

/**
 * Keras's {@code keras.metrics.Mean}: the weighted mean of the values given, across updates.
 * Unlike the other metrics it takes values, not labels and predictions: {@code update(values)}
 * and {@code update(values, sampleWeight)} are Keras's {@code update_state(values,
 * sample_weight)}. Values of any rank are averaged per sample first (the mean over their
 * trailing axes); weights broadcast as described in {@link MeanMetric} (a scalar weight counts
 * the whole update as that many samples). The result is {@code total / count}, 0 while the count
 * is 0 (also with weights summing to 0). Default name "mean".
 *
 * <p>Not usable in {@code compile}: Keras's compile would hand it labels and predictions. The
 * model's loss tracker is a Mean fed with {@link #updateMean}.
 */
public class Mean extends Metric {
  private double total;
  private double count;

  public Mean() {
    this("mean");
  }

  public Mean(String name) {
    super(name);
  }

  @Override
  public String className() {
    return "Mean";
  }

  /** Keras's {@code update_state(values)}: each sample weighs 1. */
  public void update(Tensor values) {
    accumulate(Arr.of(values), null, null);
  }

  /**
   * Keras's {@code update_state(values, sample_weight)} (the two-tensor form of this class reads
   * values and weights, not labels and predictions).
   */
  @Override
  public void update(Tensor values, Tensor sampleWeight) {
    accumulate(Arr.of(values), Arr.of(sampleWeight), null);
  }

  /** Refused: a Mean takes values and weights, not labels, predictions and weights. */
  @Override
  public void update(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
    throw takesValues();
  }

  private IllegalArgumentException takesValues() {
    return new IllegalArgumentException(name() + ": a " + className() + " takes values (and "
        + "their weights), not labels and predictions: call update(values) or update(values, "
        + "sampleWeight)");
  }

  @Override
  void accumulate(Arr values, Arr weight, Arr unused) {
    if (unused != null) {
      throw takesValues();
    }
    double[] tc = MeanMetric.reduce(values, weight, reducesByMean(), name());
    total += tc[0];
    count += tc[1];
  }

  boolean reducesByMean() {
    return true;
  }

  /** Adds an already-reduced mean over {@code weight} samples (e.g. a batch's loss). */
  public void updateMean(double mean, double weight) {
    total += mean * weight;
    count += weight;
  }

  double total() {
    return total;
  }

  @Override
  public float result() {
    return count == 0 ? 0f : (float) (total / count);
  }

  @Override
  public void reset() {
    total = 0;
    count = 0;
  }

  @Override
  public Map<String, Object> config() {
    return baseConfig();
  }
}

package dev.nabla.metrics;

import java.util.Map;

/**
 * A weighted mean of per-sample (or per-element) values computed from labels and predictions:
 * Keras's {@code MeanMetricWrapper}. The state is a weighted total and a total weight
 * ({@code total / count}, 0 while the count is 0, as Keras's {@code divide_no_nan}).
 *
 * <p>Weights reduce as Keras's {@code reduce_to_samplewise_values}: values and weights are first
 * brought to the same rank (a trailing axis of 1 squeezed or added), values of higher rank are
 * averaged down to the weights' rank, the weights are broadcast to the values, and per-element
 * weights count by their mean per sample. So a scalar weight {@code w} counts the whole batch as
 * {@code w} samples of its mean (Keras's rule, not {@code w} per sample), one weight per sample
 * counts each sample by its weight, and a {@code (1, k)} weight row is broadcast over the batch.
 */
public abstract class MeanMetric extends Metric {
  private double total;
  private double count;

  protected MeanMetric(String name) {
    super(name);
  }

  /**
   * The metric function's values for one batch (Keras's {@code fn(y_true, y_pred)}): per sample,
   * or per element for the element-wise accuracies.
   */
  abstract Arr values(Arr yTrue, Arr yPred);

  @Override
  void accumulate(Arr yTrue, Arr yPred, Arr sampleWeight) {
    double[] tc = reduce(values(yTrue, yPred), sampleWeight, true, name());
    total += tc[0];
    count += tc[1];
  }

  /**
   * Adds an already-reduced mean over {@code weight} samples: a batch's loss for the loss
   * tracker, or a device step run's argmax hits over the samples seen.
   */
  public void updateMean(double mean, double weight) {
    total += mean * weight;
    count += weight;
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

  /**
   * Keras's reduce_to_samplewise_values followed by Mean's (or Sum's) update: returns {the sum
   * of the weighted values, the samples counted}.
   *
   * @param mean true for Mean's reduction (mean over trailing axes), false for Sum's
   */
  static double[] reduce(Arr values, Arr weight, boolean mean, String metric) {
    if (weight != null) {
      Arr[] vw = Arr.squeezeOrExpand(values, weight, true);
      values = vw[0];
      weight = vw[1];
      int weightRank = weight.rank();
      if (values.rank() > weightRank) {
        values = values.reduceFrom(weightRank, mean);
      }
      weight = weight.broadcastTo(values.shape, metric + ": sample_weight of shape "
          + weight + " against values of shape " + values
          + (weightRank > values.rank() ? " (per-sample errors reduce the last axis: give "
              + "(n, 1) labels and predictions for one weight per sample)" : ""));
      float[] weighted = new float[values.size()];
      for (int i = 0; i < weighted.length; i++) {
        weighted[i] = values.v[i] * weight.v[i];
      }
      values = new Arr(weighted, values.shape);
      if (weightRank > 1) {
        weight = weight.reduceFrom(1, mean);
      }
    }
    if (values.rank() > 1) {
      values = values.reduceFrom(1, mean);
    }
    double count = weight != null ? weight.sum() : values.rank() >= 1 ? values.shape[0] : 1;
    return new double[] {values.sum(), count};
  }
}

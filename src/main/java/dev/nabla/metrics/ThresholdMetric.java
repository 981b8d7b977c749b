package dev.nabla.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@link Precision} and {@link Recall} share: thresholds, top_k and class_id as Keras takes
 * them, and true positives with one other count per threshold. The result is a ratio of counts
 * (0 where the denominator is 0, as Keras's divide_no_nan), one per threshold.
 */
abstract class ThresholdMetric extends Metric {
  private final double[] initThresholds; // as given (null: the default)
  final double[] thresholds;
  final boolean evenly;
  final Integer topK;
  final Integer classId;
  final double[][] truePositives;
  final double[][] other; // false positives (precision) or false negatives (recall)

  ThresholdMetric(String name, double[] thresholds, Integer topK, Integer classId) {
    super(name);
    if (topK != null && topK < 1) {
      throw new IllegalArgumentException(name + ": 'top_k' must be at least 1, got " + topK);
    }
    if (classId != null && classId < 0) {
      throw new IllegalArgumentException(name + ": 'class_id' must be >= 0, got " + classId);
    }
    if (thresholds != null && thresholds.length == 0) {
      throw new IllegalArgumentException(name + ": 'thresholds' is empty; give at least one");
    }
    this.initThresholds = thresholds == null ? null : thresholds.clone();
    this.thresholds = thresholds != null ? ConfusionMatrix.checkThresholds(thresholds.clone(), name)
        : new double[] {topK == null ? 0.5 : ConfusionMatrix.NEG_INF};
    this.evenly = ConfusionMatrix.evenlyDistributed(this.thresholds);
    this.topK = topK;
    this.classId = classId;
    this.truePositives = new double[this.thresholds.length][1];
    this.other = new double[this.thresholds.length][1];
  }

  /** The thresholds in use (the default: 0.5, or NEG_INF = -1e10 with top_k). */
  public double[] thresholds() {
    return thresholds.clone();
  }

  public Integer topK() {
    return topK;
  }

  public Integer classId() {
    return classId;
  }

  /** The weighted true positives so far, one per threshold. */
  public double[] truePositives() {
    return column(truePositives);
  }

  static double[] column(double[][] counts) {
    double[] out = new double[counts.length];
    for (int t = 0; t < out.length; t++) {
      out[t] = counts[t][0];
    }
    return out;
  }

  @Override
  public float[] results() {
    float[] out = new float[thresholds.length];
    for (int t = 0; t < out.length; t++) {
      double tp = truePositives[t][0], denominator = tp + other[t][0];
      out[t] = denominator == 0 ? 0f : (float) (tp / denominator);
    }
    return out;
  }

  /**
   * The ratio at the single threshold.
   *
   * @throws IllegalStateException when there are several thresholds (read {@link #results()})
   */
  @Override
  public float result() {
    if (thresholds.length != 1) {
      throw new IllegalStateException(name() + " has " + thresholds.length
          + " thresholds, so one value per threshold: read results()");
    }
    return results()[0];
  }

  @Override
  public void reset() {
    for (int t = 0; t < thresholds.length; t++) {
      truePositives[t][0] = 0;
      other[t][0] = 0;
    }
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> c = baseConfig();
    if (initThresholds == null) {
      c.put("thresholds", null);
    } else {
      List<Double> list = new ArrayList<>();
      for (double t : initThresholds) {
        list.add(t);
      }
      c.put("thresholds", list.size() == 1 ? list.get(0) : list);
    }
    c.put("top_k", topK);
    c.put("class_id", classId);
    return c;
  }
}

package dev.nabla.metrics;

import java.util.Map;

/**
 * Keras's {@code keras.metrics.TopKCategoricalAccuracy}: how often the labelled class (the
 * argmax of one-hot {@code y_true}) is among the {@code k} largest predictions. Shapes: both
 * {@code (n, classes)}; higher-rank predictions are flattened to rows of their last axis. Ties
 * follow TensorFlow's {@code in_top_k} (Keras's default backend): the class is in the top k when
 * fewer than k classes score strictly more; a non-finite score never is. Default name
 * "top_k_categorical_accuracy", default {@code k} 5.
 *
 * <p>Errors: the constructors throw IllegalArgumentException when k &lt; 1
 */
public final class TopKCategoricalAccuracy extends MeanMetric {
  private final int k;

  public TopKCategoricalAccuracy() {
    this("top_k_categorical_accuracy", 5);
  }

  public TopKCategoricalAccuracy(String name, int k) {
    super(name);
    if (k < 1) {
      throw new IllegalArgumentException(name + ": 'k' must be at least 1, got " + k);
    }
    this.k = k;
  }

  public int k() {
    return k;
  }

  @Override
  public String className() {
    return "TopKCategoricalAccuracy";
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> c = baseConfig();
    c.put("k", k);
    return c;
  }

  @Override
  Arr values(Arr yTrue, Arr yPred) {
    Arr t = yTrue.argmaxLast();
    return inTopK(t, yPred, k, name());
  }

  /**
   * Keras's in_top_k over rows of the last axis, the result shaped as {@code targets}: 1 where
   * fewer than k entries of the row exceed the target's own score.
   */
  static Arr inTopK(Arr targets, Arr yPred, int k, String metric) {
    if (yPred.rank() == 0) {
      throw new IllegalArgumentException(metric + ": y_pred must have a class axis, got a scalar");
    }
    int classes = yPred.last();
    int rows = classes == 0 ? 0 : yPred.size() / classes;
    if (targets.size() != rows) {
      throw new IllegalArgumentException(metric + ": " + targets.size() + " labels for " + rows
          + " rows of predictions (y_pred shape " + yPred + ")");
    }
    float[] out = new float[rows];
    for (int r = 0; r < rows; r++) {
      float target = targets.v[r];
      int c = (int) target; // Keras casts the labels to int32
      if (c < 0 || c >= classes) {
        continue; // an out-of-range class is in no top k
      }
      float score = yPred.v[r * classes + c];
      if (!Float.isFinite(score)) {
        continue;
      }
      int above = 0;
      for (int j = 0; j < classes; j++) {
        if (yPred.v[r * classes + j] > score) {
          above++;
        }
      }
      out[r] = above < k ? 1f : 0f;
    }
    return new Arr(out, targets.shape);
  }
}

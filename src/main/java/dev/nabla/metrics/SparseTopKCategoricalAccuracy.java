package dev.nabla.metrics;

import java.util.Map;

/**
 * Keras's {@code keras.metrics.SparseTopKCategoricalAccuracy}: how often the integer label is
 * among the {@code k} largest predictions (ties as in {@link TopKCategoricalAccuracy}). Shapes:
 * labels {@code (n)} or {@code (n, 1)}, predictions {@code (n, classes)}. With
 * {@code fromSortedIds} the predictions are instead class ids sorted by score, best first, and a
 * sample counts when its label is among the first k ids. Default name
 * "sparse_top_k_categorical_accuracy", default {@code k} 5, {@code from_sorted_ids} false.
 *
 * <p>Errors: the constructors throw IllegalArgumentException when k &lt; 1
 */
public final class SparseTopKCategoricalAccuracy extends MeanMetric {
  private final int k;
  private final boolean fromSortedIds;

  public SparseTopKCategoricalAccuracy() {
    this("sparse_top_k_categorical_accuracy", 5, false);
  }

  public SparseTopKCategoricalAccuracy(String name, int k, boolean fromSortedIds) {
    super(name);
    if (k < 1) {
      throw new IllegalArgumentException(name + ": 'k' must be at least 1, got " + k);
    }
    this.k = k;
    this.fromSortedIds = fromSortedIds;
  }

  public int k() {
    return k;
  }

  public boolean fromSortedIds() {
    return fromSortedIds;
  }

  @Override
  public String className() {
    return "SparseTopKCategoricalAccuracy";
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> c = baseConfig();
    c.put("k", k);
    if (fromSortedIds) {
      c.put("from_sorted_ids", true);
    }
    return c;
  }

  @Override
  Arr values(Arr yTrue, Arr yPred) {
    Arr t = yTrue;
    if (!fromSortedIds) { // Keras converts the labels to int32 (truncation) before comparing
      float[] ints = new float[t.size()];
      for (int i = 0; i < ints.length; i++) {
        ints[i] = (int) t.v[i];
      }
      t = new Arr(ints, t.shape);
      return TopKCategoricalAccuracy.inTopK(t, yPred, k, name());
    }
    int ids = yPred.last();
    int rows = ids == 0 ? 0 : yPred.size() / ids;
    if (t.size() != rows) {
      throw new IllegalArgumentException(name() + ": " + t.size() + " labels for " + rows
          + " rows of sorted ids (y_pred shape " + yPred + ")");
    }
    float[] out = new float[rows];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < Math.min(k, ids); j++) {
        if (yPred.v[r * ids + j] == t.v[r]) {
          out[r] = 1f;
          break;
        }
      }
    }
    return new Arr(out, t.shape);
  }
}

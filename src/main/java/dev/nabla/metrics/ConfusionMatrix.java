package dev.nabla.metrics;

import java.util.Arrays;

/**
 * Keras's metrics_utils.update_confusion_matrix_variables: weighted true/false positive and
 * negative counts per threshold (and per label for a multi-label AUC), added to the caller's
 * arrays, indexed [threshold][label]. A prediction is positive at threshold t when
 * {@code y_pred > t} (float32, strictly); a label is true when it is not 0.
 *
 * <p>Two paths, as in Keras, because they differ at bucket edges: thresholds evenly spread over
 * [0, 1] (three or more) bucket each prediction by {@code ceil(p * (T - 1)) - 1} after clipping p
 * to [0, 1] (with thresholds padded by epsilon, as AUC's are, a prediction of exactly 0 still
 * lands in the first bucket); any other thresholds compare each prediction with each threshold.
 */
final class ConfusionMatrix {
  /** Keras's NEG_INF: the default threshold with top_k, and the score outside the top k. */
  static final float NEG_INF = -1e10f;

  private ConfusionMatrix() {}

  /** Keras's parse_init_thresholds check: every threshold in [0, 1]. */
  static double[] checkThresholds(double[] thresholds, String metric) {
    for (double t : thresholds) {
      if (!(t >= 0 && t <= 1)) {
        throw new IllegalArgumentException(metric + ": threshold values must be in [0, 1], got "
            + Arrays.toString(thresholds));
      }
    }
    return thresholds;
  }

  /** Keras's is_evenly_distributed_thresholds: three or more, allclose to i / (n - 1). */
  static boolean evenlyDistributed(double[] thresholds) {
    int n = thresholds.length;
    if (n < 3) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      double even = (float) i / (float) (n - 1); // NumPy: float32 arange / (n - 1)
      even = (float) even;
      if (!(Math.abs(thresholds[i] - even) <= 1e-7 + 1e-5 * Math.abs(even))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Adds one batch's counts. {@code tp}, {@code fp}, {@code tn}, {@code fn} may be null when not
   * needed.
   *
   * @param topK null, or keep only the k largest predictions of each row as candidates
   * @param classId null, or count only that class (the last axis of y_pred)
   * @param multiLabel count each label (column of a rank-2 y_pred) separately
   * @param labelWeights null, or (flattened data only) one weight per label, multiplied in
   */
  static void update(double[][] tp, double[][] fp, double[][] tn, double[][] fn, Arr yTrue,
      Arr yPred, Arr sampleWeight, double[] thresholds, boolean evenly, Integer topK,
      Integer classId, boolean multiLabel, float[] labelWeights, String metric) {
    Arr[] pt = Arr.squeezeOrExpand(yPred, yTrue, true);
    yPred = pt[0];
    yTrue = pt[1];
    Arr w = sampleWeight;
    if (w != null) {
      w = Arr.squeezeOrExpand(yTrue, w.expandLast(), false)[1];
    }
    if (topK != null) {
      yPred = filterTopK(yPred, topK, metric);
    }
    if (classId != null) {
      if (yPred.rank() == 1) {
        throw new IllegalArgumentException(metric + ": when class_id is provided, y_pred must be "
            + "a 2D array with shape (num_samples, num_classes), found shape: " + yPred);
      }
      yTrue = column(yTrue, classId, metric + ": y_true");
      yPred = column(yPred, classId, metric + ": y_pred");
    }
    if (!Arrays.equals(yTrue.shape, yPred.shape)) {
      throw new IllegalArgumentException(metric + ": y_true of shape " + yTrue + " does not "
          + "match y_pred of shape " + yPred + " (labels and predictions pair element by element)");
    }
    float[] weights = w == null ? null
        : w.broadcastTo(yPred.shape, metric + ": sample_weight of shape " + w + " against y_pred")
            .v;
    if (labelWeights != null) {
      Arr lw = new Arr(labelWeights, 1, labelWeights.length).broadcastTo(yPred.shape,
          metric + ": label_weights of " + labelWeights.length + " against y_pred");
      weights = weights == null ? lw.v.clone() : weights.clone();
      if (w != null) {
        for (int i = 0; i < weights.length; i++) {
          weights[i] *= lw.v[i];
        }
      }
    }
    int labels = multiLabel ? yPred.last() : 1;
    int n = thresholds.length;
    float[] thr = new float[n];
    for (int i = 0; i < n; i++) {
      thr[i] = (float) thresholds[i]; // Keras casts the thresholds to float32
    }
    if (evenly) {
      boolean withEpsilon = thresholds[0] < 0 || thresholds[n - 1] > 1;
      double[][] tpBucket = new double[n][labels], fpBucket = new double[n][labels];
      double[] totalTrue = new double[labels], totalFalse = new double[labels];
      for (int i = 0; i < yPred.size(); i++) {
        int label = i % labels;
        float weight = weights == null ? 1f : weights[i];
        float truth = yTrue.v[i] != 0 ? 1f : 0f;
        float p = Math.min(Math.max(yPred.v[i], 0f), 1f);
        int bucket = (int) Math.ceil(p * (float) (n - 1)) - 1;
        if (withEpsilon) {
          bucket = Math.max(bucket, 0);
        }
        float trueLabel = truth * weight, falseLabel = (1f - truth) * weight;
        totalTrue[label] += trueLabel;
        totalFalse[label] += falseLabel;
        if (bucket >= 0) { // Keras's segment_sum drops the -1 bucket (p == 0, no epsilon)
          tpBucket[bucket][label] += trueLabel;
          fpBucket[bucket][label] += falseLabel;
        }
      }
      for (int label = 0; label < labels; label++) {
        double cumTp = 0, cumFp = 0;
        for (int t = n - 1; t >= 0; t--) { // a prediction above threshold t is above all lower
          cumTp += tpBucket[t][label];
          cumFp += fpBucket[t][label];
          add(tp, t, label, cumTp);
          add(fp, t, label, cumFp);
          add(tn, t, label, totalFalse[label] - cumFp);
          add(fn, t, label, totalTrue[label] - cumTp);
        }
      }
      return;
    }
    for (int i = 0; i < yPred.size(); i++) {
      int label = i % labels;
      double weight = weights == null ? 1.0 : weights[i];
      boolean truth = yTrue.v[i] != 0;
      for (int t = 0; t < n; t++) {
        boolean positive = yPred.v[i] > thr[t];
        if (truth) {
          add(positive ? tp : fn, t, label, weight);
        } else {
          add(positive ? fp : tn, t, label, weight);
        }
      }
    }
  }

  private static void add(double[][] counts, int t, int label, double x) {
    if (counts != null) {
      counts[t][label] += x;
    }
  }

  /** y[..., c, None]: one column of the last axis, kept as an axis of 1. */
  private static Arr column(Arr a, int c, String what) {
    int width = a.last();
    if (c < 0 || c >= width) {
      throw new IllegalArgumentException(what + ": class_id " + c + " is outside [0, " + width
          + ") for shape " + a);
    }
    int rows = a.size() / width;
    float[] out = new float[rows];
    for (int r = 0; r < rows; r++) {
      out[r] = a.v[r * width + c];
    }
    int[] s = a.shape.clone();
    s[s.length - 1] = 1;
    return new Arr(out, s);
  }

  /**
   * Keras's _filter_top_k: keeps the k largest values of each row of the last axis (on ties the
   * lower index first, as top_k) and sets the others to NEG_INF.
   */
  static Arr filterTopK(Arr x, int k, String metric) {
    int width = x.rank() == 0 ? 1 : x.last();
    if (k > width) {
      throw new IllegalArgumentException(metric + ": top_k " + k + " exceeds the " + width
          + " predictions per row (y_pred shape " + x + ")");
    }
    int rows = width == 0 ? 0 : x.size() / width;
    float[] out = new float[x.size()];
    Integer[] order = new Integer[width];
    for (int r = 0; r < rows; r++) {
      int base = r * width;
      for (int i = 0; i < width; i++) {
        order[i] = i;
      }
      // stable sort, descending: equal values keep their index order
      Arrays.sort(order, (a, b) -> Float.compare(x.v[base + b], x.v[base + a]));
      Arrays.fill(out, base, base + width, NEG_INF);
      for (int j = 0; j < k; j++) {
        out[base + order[j]] = x.v[base + order[j]];
      }
    }
    return new Arr(out, x.shape);
  }
}

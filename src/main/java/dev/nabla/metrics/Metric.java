package dev.nabla.metrics;

import dev.nabla.Tensor;
import java.nio.FloatBuffer;

/**
 * A Keras metric: a weighted mean of per-sample values, accumulated across batches until
 * {@link #reset()}. Runs on the host over the batch's labels and predictions.
 *
 * <p>Not thread-safe: a metric accumulates (update, result, reset) for one caller at a time; a
 * model makes new ones for each evaluate call.
 */
public abstract class Metric {
  private final String name;
  private double total;
  private double count;

  protected Metric(String name) {
    this.name = name;
  }

  public String name() {
    return name;
  }

  /** The per-sample value for sample r (its labels and predictions at the given offsets). */
  protected abstract double sampleValue(FloatBuffer yTrue, int trueOffset, int trueWidth,
      FloatBuffer yPred, int predOffset, int predWidth);

  public void update(Tensor yTrue, Tensor yPred) {
    update(yTrue, yPred, null);
  }

  public void update(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
    update(yTrue, yPred, sampleWeight, yPred.shape().length == 0 ? 1 : yPred.dim(0));
  }

  /** Updates from the first {@code rows} samples (a model's last batch may be partial). */
  public void update(Tensor yTrue, Tensor yPred, Tensor sampleWeight, int rows) {
    if (rows == 0) {
      return;
    }
    int predWidth = Math.toIntExact(yPred.size() / Math.max(1, yPred.shape().length == 0 ? 1
        : yPred.dim(0)));
    int trueWidth = Math.toIntExact(yTrue.size() / Math.max(1, yTrue.shape().length == 0 ? 1
        : yTrue.dim(0)));
    FloatBuffer t = yTrue.buffer(), p = yPred.buffer();
    FloatBuffer w = sampleWeight == null ? null : sampleWeight.buffer();
    for (int r = 0; r < rows; r++) {
      double weight = w == null ? 1.0 : w.get(r);
      total += weight * sampleValue(t, r * trueWidth, trueWidth, p, r * predWidth, predWidth);
      count += weight;
    }
  }

  /** Adds an already-reduced mean over {@code weight} samples (e.g. a batch's loss). */
  public void updateMean(double mean, double weight) {
    total += mean * weight;
    count += weight;
  }

  public float result() {
    return count == 0 ? 0f : (float) (total / count);
  }

  public void reset() {
    total = 0;
    count = 0;
  }

  static int argmax(FloatBuffer b, int off, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (b.get(off + i) > b.get(off + best)) {
        best = i;
      }
    }
    return best;
  }
}

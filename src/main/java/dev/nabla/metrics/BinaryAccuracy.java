package dev.nabla.metrics;

import java.util.Map;

/**
 * Keras's {@code keras.metrics.BinaryAccuracy}: how often a thresholded prediction
 * ({@code y_pred > threshold}, strictly) equals its 0/1 label, element by element, averaged
 * (a sample with several outputs counts the mean of its elements). Shapes: equal, or differing
 * by a trailing axis of 1 ({@code (n)} labels against {@code (n, 1)} predictions). Default name
 * "binary_accuracy", default threshold 0.5.
 *
 * <p>Errors: the constructors throw IllegalArgumentException unless 0 &lt; threshold &lt; 1
 */
public final class BinaryAccuracy extends MeanMetric {
  private final double threshold; // as given (the config)
  private final float cut; // Keras compares float32 predictions with a float32 threshold

  public BinaryAccuracy() {
    this("binary_accuracy", 0.5);
  }

  public BinaryAccuracy(String name, double threshold) {
    super(name);
    if (!(threshold > 0 && threshold < 1)) { // Keras: strictly between 0 and 1
      throw new IllegalArgumentException(name + ": 'threshold' must be in (0, 1), got "
          + threshold);
    }
    this.threshold = threshold;
    this.cut = (float) threshold;
  }

  public double threshold() {
    return threshold;
  }

  @Override
  public String className() {
    return "BinaryAccuracy";
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> c = baseConfig();
    c.put("threshold", threshold);
    return c;
  }

  @Override
  Arr values(Arr yTrue, Arr yPred) {
    Arr[] tp = Arr.squeezeOrExpand(yTrue, yPred, true);
    return Arr.zip(tp[0], tp[1], name() + ": y_true and y_pred",
        (t, p) -> (p > cut ? 1f : 0f) == t ? 1f : 0f);
  }
}

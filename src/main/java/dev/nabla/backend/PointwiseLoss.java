package dev.nabla.backend;

/**
 * A loss computed per element and averaged over the last axis (Keras's mean_squared_error,
 * mean_absolute_error, binary_crossentropy): {@link #value} and {@link #derivative} in p, in
 * double, as the Java backend computes them; the native backends compute the same formulas
 * (kind ordinals = NABLA_LOSS_ codes).
 *
 * @param labelSmoothing binary cross-entropy's: y becomes y (1 - ls) + ls / 2; 0 otherwise
 *
 * <p>Thread-safe: immutable.
 */
public record PointwiseLoss(Kind kind, double labelSmoothing) {
  public enum Kind {
    MSE, MAE,
    /** Binary cross-entropy of probabilities, p clipped to [1e-7, 1 - 1e-7] in float32. */
    BCE,
    /** Binary cross-entropy of logits: max(x, 0) - x y + log(1 + e^-|x|). */
    BCE_LOGITS
  }

  // Keras's epsilon and 1 - epsilon as float32 values, the bounds its clip uses
  private static final double LOW = 1e-7f;
  private static final double HIGH = 1f - 1e-7f;

  public double value(double y, double p) {
    double t = y * (1 - labelSmoothing) + labelSmoothing / 2;
    switch (kind) {
      case MSE:
        return (p - y) * (p - y);
      case MAE:
        return Math.abs(p - y);
      case BCE: {
        double c = Math.min(Math.max(p, LOW), HIGH);
        return -(t * Math.log(c) + (1 - t) * Math.log(1 - c));
      }
      default:
        return Math.max(p, 0) - p * t + Math.log1p(Math.exp(-Math.abs(p)));
    }
  }

  public double derivative(double y, double p) {
    double t = y * (1 - labelSmoothing) + labelSmoothing / 2;
    switch (kind) {
      case MSE:
        return 2 * (p - y);
      case MAE:
        return Math.signum(p - y);
      case BCE:
        if (p < LOW || p > HIGH) {
          return 0; // the clip's gradient
        }
        return -t / p + (1 - t) / (1 - p);
      default:
        return 1 / (1 + Math.exp(-p)) - t;
    }
  }
}

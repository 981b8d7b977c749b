package dev.nabla.losses;

import dev.nabla.graph.Graph;
import dev.nabla.graph.Node;
import dev.nabla.graph.PointwiseLoss;

/** The elementwise losses, averaged over the last axis: bce, mse, mae. */
public final class Pointwise extends Loss {
  // Keras's epsilon and 1 - epsilon as float32 values, the bounds its clip uses
  private static final double LOW = 1e-7f;
  private static final double HIGH = 1f - 1e-7f;
  private final PointwiseLoss rule;

  private Pointwise(String name, PointwiseLoss rule) {
    super(name);
    this.rule = rule;
  }

  @Override
  public Node perSample(Graph g, Node yTrue, Node yPred) {
    return g.pointwiseLoss(yTrue, yPred, rule);
  }

  public static Pointwise meanSquaredError() {
    return new Pointwise("mean_squared_error", new PointwiseLoss() {
      public double value(double y, double p) { return (p - y) * (p - y); }
      public double derivative(double y, double p) { return 2 * (p - y); }
    });
  }

  public static Pointwise meanAbsoluteError() {
    return new Pointwise("mean_absolute_error", new PointwiseLoss() {
      public double value(double y, double p) { return Math.abs(p - y); }
      public double derivative(double y, double p) { return Math.signum(p - y); }
    });
  }

  /**
   * Keras 3's binary_crossentropy. From probabilities: p clipped to [1e-7, 1 - 1e-7] in float32
   * (the upper bound rounds to 1 - 2^-23), then -(y log p + (1 - y) log(1 - p)). From logits:
   * max(x, 0) - x y + log(1 + e^-|x|). Label smoothing: y -> y (1 - ls) + ls / 2.
   */
  public static Pointwise binaryCrossentropy(boolean fromLogits, double labelSmoothing) {
    if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
      throw new IllegalArgumentException("binary_crossentropy: label_smoothing must be in [0, 1],"
          + " got " + labelSmoothing);
    }
    double keep = 1 - labelSmoothing, half = labelSmoothing / 2;
    PointwiseLoss rule = fromLogits ? new PointwiseLoss() {
      public double value(double y, double x) {
        double t = y * keep + half;
        return Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
      }

      public double derivative(double y, double x) {
        double t = y * keep + half;
        return 1 / (1 + Math.exp(-x)) - t;
      }
    } : new PointwiseLoss() {
      public double value(double y, double p) {
        double t = y * keep + half;
        double c = Math.min(Math.max(p, LOW), HIGH);
        return -(t * Math.log(c) + (1 - t) * Math.log(1 - c));
      }

      public double derivative(double y, double p) {
        if (p < LOW || p > HIGH) {
          return 0; // the clip's gradient
        }
        double t = y * keep + half;
        return -t / p + (1 - t) / (1 - p);
      }
    };
    return new Pointwise("binary_crossentropy", rule);
  }
}

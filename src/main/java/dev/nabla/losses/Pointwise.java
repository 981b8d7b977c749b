package dev.nabla.losses;

import dev.nabla.graph.Graph;
import dev.nabla.graph.Node;
import dev.nabla.graph.PointwiseLoss;

/** The elementwise losses, averaged over the last axis: bce, mse, mae. */
public final class Pointwise extends Loss {
  private static final double EPS = 1e-7;
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
   * Keras 3's binary_crossentropy. From probabilities: p clipped to [eps, 1 - eps], then
   * -(y log(p + eps) + (1 - y) log(1 - p + eps)). From logits: max(x, 0) - x y + log(1 + e^-|x|).
   * Label smoothing: y -> y (1 - ls) + ls / 2.
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
        double c = Math.min(Math.max(p, EPS), 1 - EPS);
        return -(t * Math.log(c + EPS) + (1 - t) * Math.log(1 - c + EPS));
      }

      public double derivative(double y, double p) {
        if (p < EPS || p > 1 - EPS) {
          return 0; // the clip's gradient
        }
        double t = y * keep + half;
        return -t / (p + EPS) + (1 - t) / (1 - p + EPS);
      }
    };
    return new Pointwise("binary_crossentropy", rule);
  }
}

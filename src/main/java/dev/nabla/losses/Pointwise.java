package dev.nabla.losses;

import dev.nabla.backend.PointwiseLoss;
import dev.nabla.graph.Graph;
import dev.nabla.graph.Node;

/**
 * The elementwise losses, averaged over the last axis: bce, mse, mae.
 *
 * <p>Thread-safe once configured (see {@link Loss}).
 */
public final class Pointwise extends Loss {
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
    return new Pointwise("mean_squared_error", new PointwiseLoss(PointwiseLoss.Kind.MSE, 0));
  }

  public static Pointwise meanAbsoluteError() {
    return new Pointwise("mean_absolute_error", new PointwiseLoss(PointwiseLoss.Kind.MAE, 0));
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
    return new Pointwise("binary_crossentropy", new PointwiseLoss(
        fromLogits ? PointwiseLoss.Kind.BCE_LOGITS : PointwiseLoss.Kind.BCE, labelSmoothing));
  }
}

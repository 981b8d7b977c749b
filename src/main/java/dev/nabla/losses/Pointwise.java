package dev.nabla.losses;

import dev.nabla.backend.PointwiseLoss;
import dev.nabla.graph.Graph;
import dev.nabla.graph.Node;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The elementwise losses, averaged over the last axis: bce, mse, mae. Their per-sample values
 * have y_pred's shape without the last axis (a rank-1 y_pred is one value per sample).
 *
 * <p>Thread-safe once configured (see {@link Loss}).
 */
public final class Pointwise extends Loss {
  private final PointwiseLoss rule;

  private Pointwise(String name, PointwiseLoss rule, Reduction reduction) {
    super(name, reduction);
    this.rule = rule;
  }

  @Override
  public Node perSample(Graph g, Node yTrue, Node yPred) {
    return g.pointwiseLoss(yTrue, yPred, rule);
  }

  @Override
  protected Map<String, Object> arguments() {
    if (rule.kind() != PointwiseLoss.Kind.BCE && rule.kind() != PointwiseLoss.Kind.BCE_LOGITS) {
      return Map.of();
    }
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("from_logits", rule.kind() == PointwiseLoss.Kind.BCE_LOGITS);
    c.put("label_smoothing", rule.labelSmoothing());
    return c;
  }

  /** Keras's {@code MeanSquaredError()}: reduction sum_over_batch_size. */
  public static Pointwise meanSquaredError() {
    return meanSquaredError(Reduction.SUM_OVER_BATCH_SIZE);
  }

  /** Keras's mean_squared_error: mean over the last axis of (y - p)^2, then {@code reduction}. */
  public static Pointwise meanSquaredError(Reduction reduction) {
    return new Pointwise("mean_squared_error", new PointwiseLoss(PointwiseLoss.Kind.MSE, 0),
        reduction);
  }

  /** Keras's {@code MeanAbsoluteError()}: reduction sum_over_batch_size. */
  public static Pointwise meanAbsoluteError() {
    return meanAbsoluteError(Reduction.SUM_OVER_BATCH_SIZE);
  }

  /** Keras's mean_absolute_error: mean over the last axis of |y - p|, then {@code reduction}. */
  public static Pointwise meanAbsoluteError(Reduction reduction) {
    return new Pointwise("mean_absolute_error", new PointwiseLoss(PointwiseLoss.Kind.MAE, 0),
        reduction);
  }

  /**
   * Keras's {@code BinaryCrossentropy(from_logits, label_smoothing)}, reduction
   * sum_over_batch_size; IllegalArgumentException unless label_smoothing is in [0, 1].
   */
  public static Pointwise binaryCrossentropy(boolean fromLogits, double labelSmoothing) {
    return binaryCrossentropy(fromLogits, labelSmoothing, Reduction.SUM_OVER_BATCH_SIZE);
  }

  /**
   * Keras 3's binary_crossentropy. From probabilities: p clipped to [1e-7, 1 - 1e-7] in float32
   * (the upper bound rounds to 1 - 2^-23), then -(y log p + (1 - y) log(1 - p)). From logits:
   * max(x, 0) - x y + log(1 + e^-|x|). Label smoothing: y -> y (1 - ls) + ls / 2. After a
   * sigmoid layer the graph reads its logits, whatever from_logits says, as Keras's TensorFlow
   * backend does.
   */
  public static Pointwise binaryCrossentropy(boolean fromLogits, double labelSmoothing,
      Reduction reduction) {
    if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
      throw new IllegalArgumentException("binary_crossentropy: label_smoothing must be in [0, 1],"
          + " got " + labelSmoothing);
    }
    return new Pointwise("binary_crossentropy", new PointwiseLoss(
        fromLogits ? PointwiseLoss.Kind.BCE_LOGITS : PointwiseLoss.Kind.BCE, labelSmoothing),
        reduction);
  }
}

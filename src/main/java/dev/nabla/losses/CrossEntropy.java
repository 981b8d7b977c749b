package dev.nabla.losses;

import dev.nabla.Tensor;
import dev.nabla.graph.Graph;
import dev.nabla.graph.Node;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras's categorical_crossentropy and sparse_categorical_crossentropy, on the fused softmax
 * cross-entropy kernel. From probabilities, Keras renormalises and clips to [1e-7, 1 - 1e-7];
 * after a softmax layer the graph reads its logits instead, whatever from_logits says, as
 * Keras's TensorFlow backend does (see Graph#softmaxCrossEntropy).
 *
 * <p>Arguments (Keras's): {@code from_logits} (false), {@code label_smoothing} in [0, 1] (0; the
 * target becomes y (1 - ls) + ls / classes, for class indices too), {@code axis} (-1: the class
 * axis; the sparse loss takes only the last, as Keras's TensorFlow backend), and for the sparse
 * loss {@code ignore_class} (null: none; labels equal to it add nothing and count in no
 * denominator).
 *
 * <p>Thread-safe once configured (see {@link Loss}).
 */
public final class CrossEntropy extends Loss {
  private final boolean sparse, fromLogits;
  private final float labelSmoothing;
  private final int axis;
  private final Integer ignoreClass;

  /** Keras's defaults for the rest: sum_over_batch_size, axis -1, no ignore_class. */
  public CrossEntropy(boolean sparse, boolean fromLogits, float labelSmoothing) {
    this(sparse, fromLogits, labelSmoothing, -1, null, Reduction.SUM_OVER_BATCH_SIZE);
  }

  /**
   * @throws IllegalArgumentException for label_smoothing outside [0, 1], ignore_class on the
   *     categorical (one-hot) loss, or an axis other than -1 on the sparse one
   */
  public CrossEntropy(boolean sparse, boolean fromLogits, float labelSmoothing, int axis,
      Integer ignoreClass, Reduction reduction) {
    super(sparse ? "sparse_categorical_crossentropy" : "categorical_crossentropy", reduction);
    if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
      throw new IllegalArgumentException(name() + ": label_smoothing must be in [0, 1], got "
          + labelSmoothing);
    }
    if (ignoreClass != null && !sparse) {
      throw new IllegalArgumentException(name() + ": ignore_class needs class indices; use "
          + "sparse_categorical_crossentropy");
    }
    if (sparse && axis != -1) {
      throw new IllegalArgumentException(name() + ": only axis=-1 is supported (as in Keras's "
          + "TensorFlow backend); got axis=" + axis + ". Move the class axis last, or use "
          + "categorical_crossentropy with one-hot labels");
    }
    this.sparse = sparse;
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
    this.axis = axis;
    this.ignoreClass = ignoreClass;
  }

  public boolean fromLogits() {
    return fromLogits;
  }

  public float labelSmoothing() {
    return labelSmoothing;
  }

  /** The class axis (negative: counted from the end). */
  public int axis() {
    return axis;
  }

  /** The label that adds nothing to the loss, or null. */
  public Integer ignoreClass() {
    return ignoreClass;
  }

  @Override
  public boolean sparseLabels() {
    return sparse;
  }

  @Override
  protected Map<String, Object> arguments() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("from_logits", fromLogits);
    c.put("label_smoothing", (double) labelSmoothing);
    c.put("axis", axis);
    if (ignoreClass != null) {
      c.put("ignore_class", ignoreClass);
    }
    return c;
  }

  @Override
  public boolean deviceTallied() {
    return axis == -1 && ignoreClass == null && !(sparse && labelSmoothing != 0f)
        && (reduction() == Reduction.SUM_OVER_BATCH_SIZE || reduction() == Reduction.MEAN);
  }

  /**
   * Sparse labels must be class indices of y_pred's last axis (or ignore_class): anything else
   * would silently count as an all-zero target.
   */
  @Override
  public void checkLabels(Tensor yTrue, int[] yPredShape, String what) {
    if (!sparse) {
      return;
    }
    int classes = yPredShape.length == 0 ? 1 : yPredShape[yPredShape.length - 1];
    float[] labels = yTrue.toFloatArray();
    for (int i = 0; i < labels.length; i++) {
      float v = labels[i];
      if (ignoreClass != null && v == ignoreClass) {
        continue;
      }
      if (v != Math.rint(v) || v < 0 || v >= classes) {
        throw new IllegalArgumentException(what + ": label " + v + " at index " + i
            + " is not a class index in [0, " + classes + ")"
            + (ignoreClass != null ? " nor ignore_class " + ignoreClass : "")
            + " (y_pred has " + classes + " classes on its last axis)");
      }
    }
  }

  @Override
  public Node perSample(Graph g, Node yTrue, Node yPred) {
    return g.softmaxCrossEntropy(yTrue, yPred, sparse, fromLogits, labelSmoothing, axis,
        ignoreClass);
  }
}

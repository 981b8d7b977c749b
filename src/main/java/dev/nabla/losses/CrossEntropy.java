package dev.nabla.losses;

import dev.nabla.graph.Graph;
import dev.nabla.graph.Node;

/**
 * categorical_crossentropy and sparse_categorical_crossentropy, on the fused softmax
 * cross-entropy kernel. From probabilities, Keras renormalises and clips to [1e-7, 1 - 1e-7];
 * after a softmax layer the graph reads its logits instead (see Graph#softmaxCrossEntropy).
 *
 * <p>Thread-safe once configured (see {@link Loss}).
 */
public final class CrossEntropy extends Loss {
  private final boolean sparse, fromLogits;
  private final float labelSmoothing;

  public CrossEntropy(boolean sparse, boolean fromLogits, float labelSmoothing) {
    super(sparse ? "sparse_categorical_crossentropy" : "categorical_crossentropy");
    if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
      throw new IllegalArgumentException(name() + ": label_smoothing must be in [0, 1], got "
          + labelSmoothing);
    }
    this.sparse = sparse;
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
  }

  public boolean fromLogits() {
    return fromLogits;
  }

  public float labelSmoothing() {
    return labelSmoothing;
  }

  @Override
  public boolean sparseLabels() {
    return sparse;
  }

  @Override
  public Node perSample(Graph g, Node yTrue, Node yPred) {
    return g.softmaxCrossEntropy(yTrue, yPred, sparse, fromLogits, labelSmoothing);
  }
}

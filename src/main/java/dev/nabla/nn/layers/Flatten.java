package dev.nabla.nn.layers;

import dev.nabla.Tensor;
import dev.nabla.graph.Graph;
import dev.nabla.graph.Node;
import java.util.List;

/**
 * Keras's {@code Flatten}: each sample's values in one dimension, row-major (a (28, 28) image
 * becomes 784 values). {@code new Flatten(28, 28)} also declares the model's input shape per
 * sample (Keras's {@code input_shape}); {@code new Flatten()} takes it from the data at fit.
 * No weights.
 *
 * <p>Thread-safe once its model is built (see {@link Layer}).
 */
public final class Flatten extends Layer {
  private final int[] inputShape;

  /** {@code inputShape}: the shape of one sample (no batch axis), or nothing to infer it. */
  public Flatten(int... inputShape) {
    this.inputShape = inputShape.length == 0 ? null : inputShape.clone();
  }

  @Override
  public int[] declaredInputShape() {
    return inputShape == null ? null : inputShape.clone();
  }

  @Override
  public java.util.Map<String, Object> config() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("input_shape", inputShape);
    return m;
  }

  @Override
  public int[] outputShape(int[] in) {
    return new int[] {Math.toIntExact(Tensor.sizeOf(in))};
  }

  @Override
  public Node apply(Graph g, Node x, List<Node> params, int index) {
    int[] s = x.shape();
    return s.length == 2 ? x : g.reshape(x, s[0], Math.toIntExact(x.size() / s[0]));
  }
}

package dev.nabla.nn.layers;

import dev.nabla.Tensor;
import dev.nabla.graph.Graph;
import dev.nabla.graph.Node;
import java.util.List;

/**
 * Flattens each sample to one dimension. {@code new Flatten(28, 28)} also declares the input shape.
 *
 * <p>Thread-safe once its model is built (see {@link Layer}).
 */
public final class Flatten extends Layer {
  private final int[] inputShape;

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

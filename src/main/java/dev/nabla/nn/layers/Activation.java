package dev.nabla.nn.layers;

import dev.nabla.graph.Graph;
import dev.nabla.graph.Node;
import java.util.List;

/**
 * Keras's Activation layer: applies an activation by name over the last axis.
 *
 * <p>Thread-safe once its model is built (see {@link Layer}).
 */
public final class Activation extends Layer {
  private final dev.nabla.backend.Activation activation;

  public Activation(String activation) {
    this.activation = dev.nabla.backend.Activation.get(activation);
  }

  public dev.nabla.backend.Activation activation() {
    return activation;
  }

  @Override
  public java.util.Map<String, Object> config() {
    return java.util.Map.of("activation", activation.kerasName());
  }

  @Override
  public int[] outputShape(int[] in) {
    return in.clone();
  }

  @Override
  public Node apply(Graph g, Node x, List<Node> params, int index) {
    int[] s = x.shape();
    if (s.length == 2) {
      return g.activation(x, activation);
    }
    int last = s[s.length - 1];
    Node rows = g.reshape(x, Math.toIntExact(x.size() / last), last);
    return g.reshape(g.activation(rows, activation), s);
  }
}

package dev.nabla.nn.layers;

import dev.nabla.graph.Graph;
import dev.nabla.graph.Node;
import java.util.List;

/** Keras's parameter-free activation layers (ReLU, LeakyReLU, ELU, Softmax): over the last axis. */
abstract class ParameterFreeActivation extends Layer {
  private final dev.nabla.backend.Activation activation;
  private final float alpha;

  ParameterFreeActivation(dev.nabla.backend.Activation activation, float alpha) {
    this.activation = activation;
    this.alpha = alpha;
  }

  /** The activation this layer applies. */
  public dev.nabla.backend.Activation activation() {
    return activation;
  }

  @Override
  public int[] outputShape(int[] in) {
    return in.clone();
  }

  @Override
  public Node apply(Graph g, Node x, List<Node> params, int index) {
    int[] s = x.shape();
    if (s.length == 2) {
      return g.activation(x, activation, alpha);
    }
    int last = s[s.length - 1];
    Node rows = g.reshape(x, Math.toIntExact(x.size() / last), last);
    return g.reshape(g.activation(rows, activation, alpha), s);
  }

  static float finite(String layer, String key, double v) {
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException(layer + ": '" + key + "' must be finite, got " + v);
    }
    return (float) v;
  }
}

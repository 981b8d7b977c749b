package dev.nabla.nn.layers;

import dev.nabla.graph.Graph;
import dev.nabla.graph.Node;
import java.util.List;

/**
 * Inverted dropout: active in fit, the identity in evaluate and predict.
 *
 * <p>Thread-safe once its model is built (see {@link Layer}).
 */
public final class Dropout extends Layer {
  private final float rate;

  public Dropout(double rate) {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException("Dropout rate must be in [0, 1), got " + rate);
    }
    this.rate = (float) rate;
  }

  public float rate() {
    return rate;
  }

  @Override
  public java.util.Map<String, Object> config() {
    return java.util.Map.of("rate", (double) rate);
  }

  @Override
  public int[] outputShape(int[] in) {
    return in.clone();
  }

  @Override
  public Node apply(Graph g, Node x, List<Node> params, int index) {
    return g.dropout(x, rate, index);
  }
}

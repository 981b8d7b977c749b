package dev.nabla.nn.layers;

import dev.nabla.graph.Graph;
import dev.nabla.graph.Node;
import java.util.List;

/**
 * Keras's {@code Dropout(rate)}: in fit (training) each value is zeroed with probability
 * {@code rate} and the rest scaled by 1 / (1 - rate) (inverted dropout); in evaluate and predict
 * the identity. Any input shape; output shape = input shape. The mask is a function of the
 * model's seed, the step and the position (Philox), the same on every backend, so a resumed run
 * drops the same values.
 *
 * <p>Thread-safe once its model is built (see {@link Layer}).
 */
public final class Dropout extends Layer {
  private final float rate;

  /** @throws IllegalArgumentException unless 0 &lt;= rate &lt; 1 */
  public Dropout(double rate) {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException("Dropout rate must be in [0, 1), got " + rate);
    }
    this.rate = (float) rate;
  }

  /** Keras's rate: the fraction of values dropped in training. */
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

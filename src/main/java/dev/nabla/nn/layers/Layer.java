package dev.nabla.nn.layers;

import dev.nabla.graph.Graph;
import dev.nabla.graph.Node;
import dev.nabla.nn.initializers.Initializer;
import java.util.List;

/**
 * A Keras layer: a shape rule, the parameters it owns, and how it adds itself to a graph.
 * Shapes exclude the batch dimension, as Keras prints them after "None".
 *
 * <p>Threads: configure a layer on one thread; once its model is built a layer only reads its
 * configuration when a graph is planned, so the concurrent predictions of its model share it.
 */
public abstract class Layer {
  private String name;

  /** A parameter the layer needs: Keras's weight name, shape and initializer. */
  public record ParamSpec(String name, int[] shape, Initializer initializer, int fanIn,
      int fanOut) {}

  /** Keras's class name, e.g. "Dense". */
  public String className() {
    return getClass().getSimpleName();
  }

  public String name() {
    return name;
  }

  /** Set by the model when the layer is added: Keras's snake_case name plus a counter. */
  public void setName(String name) {
    this.name = name;
  }

  /** The input shape the layer was told (Keras's input_shape), or null. */
  public int[] declaredInputShape() {
    return null;
  }

  public abstract int[] outputShape(int[] inputShape);

  /** Keras's get_config: the constructor arguments, enough for {@link Layers#fromConfig}. */
  public abstract java.util.Map<String, Object> config();

  /** The parameters for this input shape, in Keras's order (kernel, then bias). */
  public List<ParamSpec> params(int[] inputShape) {
    return List.of();
  }

  /**
   * Adds the layer's ops to {@code g}. {@code params} are the graph nodes of {@link #params}, in
   * order; {@code index} is the layer's position, used as its dropout stream.
   */
  public abstract Node apply(Graph g, Node x, List<Node> params, int index);
}

package dev.nabla.nn.layers;

import dev.nabla.backend.Activation;
import dev.nabla.graph.Graph;
import dev.nabla.graph.Node;
import dev.nabla.nn.initializers.Initializer;
import java.util.ArrayList;
import java.util.List;

/**
 * y = activation(x kernel + bias): a matmul and one fused bias + activation pass.
 *
 * <p>Thread-safe once its model is built (see {@link Layer}).
 */
public final class Dense extends Layer {
  private final int units;
  private final Activation activation;
  private boolean useBias = true;
  private String kernelInitializer = "glorot_uniform";
  private String biasInitializer = "zeros";

  public Dense(int units) {
    this(units, null);
  }

  /** Keras's Dense(units, activation); activation null or "linear" for none. */
  public Dense(int units, String activation) {
    if (units <= 0) {
      throw new IllegalArgumentException("Dense units must be positive, got " + units);
    }
    this.units = units;
    this.activation = Activation.get(activation);
  }

  public Dense kernelInitializer(String name) {
    Initializer.get(name); // validate now, not at build time
    this.kernelInitializer = name;
    return this;
  }

  public Dense biasInitializer(String name) {
    Initializer.get(name);
    this.biasInitializer = name;
    return this;
  }

  public Dense useBias(boolean useBias) {
    this.useBias = useBias;
    return this;
  }

  public boolean hasBias() {
    return useBias;
  }

  public int units() {
    return units;
  }

  public Activation activation() {
    return activation;
  }

  @Override
  public java.util.Map<String, Object> config() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("units", units);
    m.put("activation", activation.kerasName());
    m.put("use_bias", useBias);
    m.put("kernel_initializer", kernelInitializer);
    m.put("bias_initializer", biasInitializer);
    return m;
  }

  @Override
  public int[] outputShape(int[] in) {
    if (in.length != 1) {
      throw new IllegalArgumentException(name() + " (Dense) expects a flat input per sample; got "
          + java.util.Arrays.toString(in) + " (add a Flatten layer before it)");
    }
    return new int[] {units};
  }

  @Override
  public List<ParamSpec> params(int[] in) {
    outputShape(in); // checks the input is flat
    int fanIn = in[0];
    List<ParamSpec> p = new ArrayList<>();
    p.add(new ParamSpec("kernel", new int[] {fanIn, units}, Initializer.get(kernelInitializer),
        fanIn, units));
    if (useBias) {
      p.add(new ParamSpec("bias", new int[] {units}, Initializer.get(biasInitializer), fanIn,
          units));
    }
    return p;
  }

  @Override
  public Node apply(Graph g, Node x, List<Node> params, int index) {
    Node z = g.matmul(x, params.get(0));
    return g.biasActivation(z, useBias ? params.get(1) : null, activation);
  }
}

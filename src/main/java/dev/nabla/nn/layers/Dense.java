package dev.nabla.nn.layers;

import dev.nabla.backend.Activation;
import dev.nabla.graph.Graph;
import dev.nabla.graph.Node;
import dev.nabla.nn.initializers.Initializer;
import java.util.ArrayList;
import java.util.List;

/**
 * Keras's {@code Dense}: {@code y = activation(x · kernel + bias)}. Input per sample: a vector of
 * {@code in} values (rank 1; put a {@link Flatten} before it for images); output per sample:
 * {@code units} values. Weights: {@code kernel} of shape (in, units), Keras's layout, initialised
 * glorot_uniform, and {@code bias} of shape (units), zeros. Computed as one matmul and one fused
 * bias + activation pass (fused into the matmul's epilogue on CUDA). Not thread-safe to configure;
 * see {@link dev.nabla.nn.Sequential} for use from several threads.
 */
public final class Dense extends Layer {
  private final int units;
  private final Activation activation;
  private boolean useBias = true;
  private String kernelInitializer = "glorot_uniform";
  private String biasInitializer = "zeros";

  /** Keras's Dense(units): no activation (linear). */
  public Dense(int units) {
    this(units, null);
  }

  /**
   * Keras's Dense(units, activation): {@code activation} by Keras name (relu, sigmoid, tanh,
   * softmax, gelu, leaky_relu, linear; null or "linear" for none).
   *
   * @throws IllegalArgumentException when units &lt;= 0 or the activation is unknown (the message
   *     lists the accepted names)
   */
  public Dense(int units, String activation) {
    if (units <= 0) {
      throw new IllegalArgumentException("Dense units must be positive, got " + units);
    }
    this.units = units;
    this.activation = Activation.get(activation);
  }

  /**
   * Keras's kernel_initializer by name (default "glorot_uniform"; also glorot_normal, he_uniform,
   * he_normal, lecun_uniform, lecun_normal, zeros, ones...). Checked now: an unknown name throws
   * IllegalArgumentException listing the accepted ones.
   */
  public Dense kernelInitializer(String name) {
    Initializer.get(name); // validate now, not at build time
    this.kernelInitializer = name;
    return this;
  }

  /** Keras's bias_initializer by name (default "zeros"); checked as {@link #kernelInitializer}. */
  public Dense biasInitializer(String name) {
    Initializer.get(name);
    this.biasInitializer = name;
    return this;
  }

  /** Keras's use_bias (default true); false: no bias weight, {@code y = activation(x · kernel)}. */
  public Dense useBias(boolean useBias) {
    this.useBias = useBias;
    return this;
  }

  /** Whether the layer has a bias (Keras's use_bias). */
  public boolean hasBias() {
    return useBias;
  }

  /** Keras's units: the output values per sample. */
  public int units() {
    return units;
  }

  /** The activation applied after the bias (LINEAR for none). */
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

package dev.nabla.losses;

import dev.nabla.Tensor;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.graph.Graph;
import dev.nabla.graph.Node;
import java.util.Map;

/**
 * A Keras loss: per-sample values, reduced by sum_over_batch_size (sum of weighted values over
 * their count). Subclasses add their per-sample rule to a graph; {@link #call} evaluates it once
 * on tensors, the way Keras's {@code loss(y_true, y_pred)} does.
 *
 * <p>Thread-safe once configured: a loss holds only its configuration, and each graph it builds
 * into is its caller's; concurrent evaluations of one model share it.
 */
public abstract class Loss {
  private final String name;
  private Map<String, Object> config = Map.of();

  protected Loss(String name) {
    this.name = name;
  }

  /** The name Keras logs it under, e.g. "sparse_categorical_crossentropy". */
  public String name() {
    return name;
  }

  /** The arguments it was made with (Losses.get's config), for saving. */
  public Map<String, Object> config() {
    return config;
  }

  void setConfig(Map<String, ?> config) {
    this.config = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(config));
  }

  /** Whether labels are class indices (one per sample) rather than arrays shaped like y_pred. */
  public boolean sparseLabels() {
    return false;
  }

  /** Adds the per-sample losses (any shape; reduced over all of it) to the graph. */
  public abstract Node perSample(Graph g, Node yTrue, Node yPred);

  /** Adds the reduced, scalar loss; {@code weights} (per sample) may be null. */
  public Node build(Graph g, Node yTrue, Node yPred, Node weights) {
    return g.sumOverBatchSize(perSample(g, yTrue, yPred), weights);
  }

  public float call(Tensor yTrue, Tensor yPred) {
    return call(yTrue, yPred, null);
  }

  /**
   * The reduced loss for these tensors (Keras's {@code loss(y_true, y_pred, sample_weight)}),
   * computed on the default backend ({@link Backends#defaultBackend()}: NABLA_DEVICE). The
   * tensors may live on any device; they are copied to the backend's.
   */
  public float call(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
    return call(Backends.defaultBackend(), yTrue, yPred, sampleWeight);
  }

  /** {@link #call(Tensor, Tensor, Tensor)} computed on {@code backend}. */
  public float call(Backend backend, Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
    try (Graph g = new Graph(backend, false)) {
      Node t = g.input(yTrue.shape());
      Node p = g.input(yPred.shape());
      Node w = sampleWeight == null ? null : g.input(sampleWeight.shape());
      Node loss = build(g, t, p, w);
      t.value().copyFrom(yTrue);
      p.value().copyFrom(yPred);
      if (w != null) {
        w.value().copyFrom(sampleWeight);
      }
      g.forward();
      return loss.value().get(0);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}

package dev.nabla.losses;

import dev.nabla.Tensor;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.graph.Graph;
import dev.nabla.graph.Node;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Keras loss ({@code keras.losses.Loss}): per-sample values, weighted by the sample weights
 * and reduced by its {@link Reduction} (Keras's default, sum_over_batch_size: the sum of the
 * weighted values over their count). Subclasses add their per-sample rule to a graph;
 * {@link #call} evaluates the reduced loss once on tensors, the way Keras's
 * {@code loss(y_true, y_pred, sample_weight)} does, and {@link #callPerSample} returns the
 * weighted values before the reduction (what Keras returns with {@code reduction=None}).
 *
 * <p>Thread-safe once configured: a loss holds only its configuration, and each graph it builds
 * into is its caller's; concurrent evaluations of one model share it.
 */
public abstract class Loss {
  private final String name;
  private final Reduction reduction;

  /** A loss with Keras's default reduction, sum_over_batch_size. */
  protected Loss(String name) {
    this(name, Reduction.SUM_OVER_BATCH_SIZE);
  }

  protected Loss(String name, Reduction reduction) {
    if (reduction == null) {
      throw new IllegalArgumentException(name + ": reduction is null; use Reduction.NONE for "
          + "per-sample values");
    }
    this.name = name;
    this.reduction = reduction;
  }

  /** The name Keras logs it under, e.g. "sparse_categorical_crossentropy". */
  public String name() {
    return name;
  }

  /** How the per-sample values become the loss (Keras's {@code reduction}). */
  public Reduction reduction() {
    return reduction;
  }

  /**
   * Keras's get_config: "reduction" and every argument of this loss, with the values in force
   * ({@code Losses.get(name(), config())} makes the same loss); what model files save.
   */
  public Map<String, Object> config() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("reduction", reduction.kerasName());
    c.putAll(arguments());
    return Collections.unmodifiableMap(c);
  }

  /** The loss's own arguments for {@link #config()} (Keras's names; none by default). */
  protected Map<String, Object> arguments() {
    return Map.of();
  }

  /** Whether labels are class indices (one per sample) rather than arrays shaped like y_pred. */
  public boolean sparseLabels() {
    return false;
  }

  /**
   * Checks the labels on the host before the loss is computed: a sparse loss refuses a label
   * that is not a class index of {@code yPredShape}'s last axis. Nothing to check by default.
   *
   * @param what the caller, for the message (e.g. "fit")
   * @throws IllegalArgumentException naming the bad label, its position and the valid range
   */
  public void checkLabels(Tensor yTrue, int[] yPredShape, String what) {}

  /**
   * Whether a device step run can sum this loss in its tally: the softmax cross-entropy with
   * the mean reduction and nothing the fused kernel cannot do. Any other loss runs in
   * host-staged steps (see dev.nabla.train.EpochRunner).
   */
  public boolean deviceTallied() {
    return false;
  }

  /** Adds the per-sample losses (any shape; unweighted, unreduced) to the graph. */
  public abstract Node perSample(Graph g, Node yTrue, Node yPred);

  /**
   * Adds the loss by this loss's reduction: a scalar node (for {@link Reduction#NONE}, the
   * weighted values). {@code weights} may be null, or hold one weight per per-sample value.
   */
  public Node build(Graph g, Node yTrue, Node yPred, Node weights) {
    return g.reduceLoss(perSample(g, yTrue, yPred), weights, reduction, 1);
  }

  public float call(Tensor yTrue, Tensor yPred) {
    return call(yTrue, yPred, null);
  }

  /**
   * The reduced loss for these tensors (Keras's {@code loss(y_true, y_pred, sample_weight)}),
   * computed on the default backend ({@link Backends#defaultBackend()}: NABLA_DEVICE). The
   * tensors may live on any device; they are copied to the backend's.
   *
   * @param sampleWeight null, a scalar (shape [] or [1]), one weight per sample, or one per loss
   *     value: any shape Keras accepts, broadcast as Keras broadcasts it (a trailing axis of 1 is
   *     squeezed or added to match the values' rank, then numpy broadcasting)
   * @throws IllegalStateException when the reduction is none (use {@link #callPerSample})
   * @throws IllegalArgumentException for shapes that do not fit, or (sparse losses) a label
   *     that is not a class index
   */
  public float call(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
    return call(Backends.defaultBackend(), yTrue, yPred, sampleWeight);
  }

  /** {@link #call(Tensor, Tensor, Tensor)} with a scalar sample weight (Keras's {@code 2.3}). */
  public float call(Tensor yTrue, Tensor yPred, float sampleWeight) {
    try (Tensor w = Tensor.of(new float[] {sampleWeight})) {
      return call(yTrue, yPred, w);
    }
  }

  /** {@link #call(Tensor, Tensor, Tensor)} computed on {@code backend}. */
  public float call(Backend backend, Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
    if (!reduction.scalar()) {
      throw new IllegalStateException(name + ": reduction 'none' gives one value per sample, "
          + "not one number: read them with callPerSample");
    }
    try (Tensor out = evaluate(backend, yTrue, yPred, sampleWeight, reduction)) {
      return out.get(0);
    }
  }

  /**
   * The weighted per-sample values, before any reduction: what Keras's loss returns with
   * {@code reduction=None} (for any reduction this loss has). Shape: y_pred's without its last
   * axis (one value per sample; per timestep for sequences), or with the rank Keras gives when
   * the sample weight has a trailing axis of 1 more. Entries that ignore_class masks are 0. A new
   * host tensor: close it.
   */
  public Tensor callPerSample(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
    return callPerSample(Backends.defaultBackend(), yTrue, yPred, sampleWeight);
  }

  public Tensor callPerSample(Tensor yTrue, Tensor yPred) {
    return callPerSample(yTrue, yPred, null);
  }

  /** {@link #callPerSample(Tensor, Tensor, Tensor)} computed on {@code backend}. */
  public Tensor callPerSample(Backend backend, Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
    return evaluate(backend, yTrue, yPred, sampleWeight, Reduction.NONE);
  }

  /** One graph run on {@code backend}; the result in host memory. */
  private Tensor evaluate(Backend backend, Tensor yTrue, Tensor yPred, Tensor sampleWeight,
      Reduction r) {
    checkLabels(yTrue, yPred.shape(), name);
    try (Graph g = new Graph(backend, false)) {
      Node t = g.input(yTrue.shape());
      Node p = g.input(yPred.shape());
      Node values = perSample(g, t, p);
      SampleWeights.Broadcast bw = sampleWeight == null ? null
          : SampleWeights.broadcast(name, sampleWeight, values.shape());
      Node w = bw == null ? null : g.input(values.shape());
      Node out = g.reduceLoss(values, w, r, bw == null ? 1 : bw.repeat());
      t.value().copyFrom(yTrue);
      p.value().copyFrom(yPred);
      if (w != null) {
        w.value().copyFrom(bw.values());
      }
      g.forward();
      int[] shape = r.scalar() ? new int[0]
          : bw == null ? values.shape() : bw.valuesShape();
      Tensor result = Tensor.zeros(shape);
      result.copyFrom(out.value());
      return result;
    }
  }

  @Override
  public String toString() {
    return name;
  }

  /** For messages: a shape as Keras prints it. */
  static String shape(int[] s) {
    return Arrays.toString(s).replace('[', '(').replace(']', ')');
  }
}

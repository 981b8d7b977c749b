package dev.nabla.graph;

import dev.nabla.Tensor;
import dev.nabla.Variable;
import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Elementwise;
import dev.nabla.losses.Reduction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A reverse-mode autodiff tape, planned once for fixed shapes and run many times.
 *
 * <p>Building the graph (the op methods below) allocates every buffer; {@link #forward()} and
 * {@link #backward(Node)} then run the ops in order and in reverse, allocating nothing. A model
 * keeps one graph per batch shape (the last partial batch gets its own).
 *
 * <p>Dropout masks are drawn from (seed, {@link #setStep step}, the op's stream), so they are the
 * same on every backend and a resumed run redraws the masks it would have drawn.
 *
 * <p>Not thread-safe: a planned graph's buffers belong to one running pass at a time (a model gives
 * each concurrent prediction a graph of its own).
 */
public final class Graph implements AutoCloseable {
  private final Backend backend;
  private final boolean training;
  private final List<Node> nodes = new ArrayList<>();
  private final List<Tensor> owned = new ArrayList<>();
  private final List<Node> params = new ArrayList<>();
  private long seed;
  private long step;
  private boolean fused;
  private boolean predictionsNeeded = true;

  /**
   * @param training whether the graph computes gradients (and drops out); an inference graph
   *     allocates no gradient buffers.
   */
  public Graph(Backend backend, boolean training) {
    this.backend = backend;
    this.training = training;
  }

  public Backend backend() {
    return backend;
  }

  public boolean training() {
    return training;
  }

  public void setSeed(long seed) {
    this.seed = seed;
  }

  public long seed() {
    return seed;
  }

  /**
   * Whether a training pass must compute the model's probabilities when a fused cross-entropy
   * loss reads the logits instead (metrics on the host need them; device tallies do not).
   */
  public void setPredictionsNeeded(boolean needed) {
    this.predictionsNeeded = needed;
  }

  public boolean predictionsNeeded() {
    return predictionsNeeded;
  }

  /** The training step whose dropout masks the next forward pass draws. */
  public void setStep(long step) {
    this.step = step;
  }

  public long step() {
    return step;
  }

  // ---- leaves ------------------------------------------------------------------------------

  /** A value fed from outside before each run (a batch of inputs or labels). */
  public Node input(int... shape) {
    return add(new Leaf(this, shape, alloc(shape), null));
  }

  /** A trainable value: reads {@code variable}, writes its gradient into {@code grad}. */
  public Node param(Variable variable, Tensor grad) {
    if (grad != null && grad.size() != variable.size()) {
      throw new IllegalArgumentException("gradient buffer size " + grad.size()
          + " does not match variable " + variable.name() + " of size " + variable.size());
    }
    backend.requireDevice(variable, "variable " + variable.name());
    backend.requireDevice(grad, "the gradient buffer of " + variable.name());
    Leaf leaf = new Leaf(this, variable.shape(), variable, training ? grad : null);
    leaf.requiresGrad = training && grad != null;
    params.add(leaf);
    return add(leaf);
  }

  // ---- ops -----------------------------------------------------------------------------------

  /** (m, k) x (k, n) -> (m, n). */
  public Node matmul(Node a, Node b) {
    return add(new Ops.MatMul(this, a, b));
  }

  /** act(x + bias): Dense's epilogue, fused. bias may be null. */
  public Node biasActivation(Node x, Node bias, Activation act) {
    return add(new Ops.BiasActivation(this, x, bias, act, act.defaultAlpha()));
  }

  public Node activation(Node x, Activation act) {
    return biasActivation(x, null, act);
  }

  /** act(x) with its parameter: leaky_relu's slope, elu's alpha (ignored by the others). */
  public Node activation(Node x, Activation act, float alpha) {
    return add(new Ops.BiasActivation(this, x, null, act, alpha));
  }

  /** Inverted dropout with the given rate; the identity in an inference graph. */
  public Node dropout(Node x, float rate, int stream) {
    if (!training || rate == 0f) {
      return x;
    }
    return add(new Ops.Dropout(this, x, rate, stream));
  }

  /** The same values seen with another shape (Flatten, Reshape). */
  public Node reshape(Node x, int... shape) {
    if (Tensor.sizeOf(shape) != x.size()) {
      throw new IllegalArgumentException("cannot reshape " + Arrays.toString(x.shape) + " to "
          + Arrays.toString(shape));
    }
    return add(new Ops.Reshape(this, x, shape));
  }

  /** a + b, elementwise; either may be a single value (broadcast). */
  public Node add(Node a, Node b) {
    return add(new Ops.Binary(this, a, b, Elementwise.Binary.ADD));
  }

  /** a - b, elementwise; either may be a single value (broadcast). */
  public Node sub(Node a, Node b) {
    return add(new Ops.Binary(this, a, b, Elementwise.Binary.SUB));
  }

  /** a * b, elementwise; either may be a single value (broadcast). */
  public Node mul(Node a, Node b) {
    return add(new Ops.Binary(this, a, b, Elementwise.Binary.MUL));
  }

  /** c * x for a constant c. */
  public Node scale(Node x, float c) {
    return add(new Ops.Unary(this, x, Elementwise.Unary.SCALE, c));
  }

  public Node square(Node x) {
    return add(new Ops.Unary(this, x, Elementwise.Unary.SQUARE, 0f));
  }

  public Node abs(Node x) {
    return add(new Ops.Unary(this, x, Elementwise.Unary.ABS, 0f));
  }

  /** Natural log of max(x, floor): pass floor = 0 for a plain log. */
  public Node log(Node x, float floor) {
    return add(new Ops.Unary(this, x, Elementwise.Unary.LOG, floor));
  }

  /** Sum of all elements -> a scalar (shape []). */
  public Node sum(Node x) {
    return add(new Ops.Reduce(this, x, false, false));
  }

  /** Mean of all elements -> a scalar. */
  public Node mean(Node x) {
    return add(new Ops.Reduce(this, x, true, false));
  }

  /** Mean over the last axis: (..., n) -> (...). */
  public Node meanLastAxis(Node x) {
    return add(new Ops.Reduce(this, x, true, true));
  }

  /**
   * Per-sample softmax cross-entropy (rows). When {@code pred} is a softmax whose only consumer
   * is this loss, the loss reads the softmax's logits instead (exact log-softmax, gradient
   * softmax - target), whatever {@code fromLogits} says: TensorFlow-Keras does the same (and
   * warns, once, when fromLogits is true).
   */
  public Node softmaxCrossEntropy(Node labels, Node pred, boolean sparse, boolean fromLogits,
      float labelSmoothing) {
    return softmaxCrossEntropy(labels, pred, sparse, fromLogits, labelSmoothing, -1, null);
  }

  /**
   * Softmax cross-entropy over the class axis {@code axis} (negative: from the end) of
   * {@code pred}: one value per entry of pred's shape without that axis. Sparse labels hold class
   * indices (one per value); {@code labelSmoothing} mixes the target with the uniform one, for
   * sparse labels too; labels equal to {@code ignoreClass} (null: none) give 0 and are masked
   * out of the reduction ({@link Node#mask()}), as Keras's ignore_class.
   *
   * @throws IllegalArgumentException for an axis out of range, shapes that do not match, or
   *     ignore_class on one-hot labels
   */
  public Node softmaxCrossEntropy(Node labels, Node pred, boolean sparse, boolean fromLogits,
      float labelSmoothing, int axis, Integer ignoreClass) {
    int rank = pred.shape.length;
    int a = axis < 0 ? axis + rank : axis;
    if (rank == 0 || a < 0 || a >= rank) {
      throw new IllegalArgumentException("cross-entropy: axis " + axis + " is out of range for "
          + "predictions of shape " + Arrays.toString(pred.shape));
    }
    if (a != rank - 1) {
      if (sparse) {
        throw new IllegalArgumentException("sparse_categorical_crossentropy: only axis=-1 is "
            + "supported (as in Keras's TensorFlow backend); got axis=" + axis);
      }
      if (!Arrays.equals(labels.shape, pred.shape)) {
        throw new IllegalArgumentException("categorical_crossentropy: labels of shape "
            + Arrays.toString(labels.shape) + " do not match predictions of shape "
            + Arrays.toString(pred.shape));
      }
      labels = add(new Ops.MoveAxisLast(this, labels, a));
      pred = add(new Ops.MoveAxisLast(this, pred, a));
    }
    Ops.IgnoreClassMask mask = ignoreClass == null ? null
        : add(new Ops.IgnoreClassMask(this, labels, ignoreClass));
    return add(new Ops.SoftmaxCrossEntropy(this, labels, pred, sparse, fromLogits,
        labelSmoothing, mask));
  }

  /** Per-sample loss over the last axis for the pointwise losses (bce, mse, mae). */
  public Node pointwiseLoss(Node labels, Node pred, dev.nabla.backend.PointwiseLoss loss) {
    return add(new Ops.Pointwise(this, labels, pred, loss));
  }

  /** Keras's sum_over_batch_size: sum(loss * weight) / number of loss values. weights may be null. */
  public Node sumOverBatchSize(Node perSample, Node weights) {
    return reduceLoss(perSample, weights, Reduction.SUM_OVER_BATCH_SIZE, 1);
  }

  /**
   * Keras's reduction of loss values (see {@link Reduction}): a scalar, or for
   * {@link Reduction#NONE} the weighted values (the values' shape). {@code weights} (null: none)
   * hold one weight per value; {@code weightRepeat} says how many values each given sample
   * weight was broadcast to (1 when they were given per value), which mean_with_sample_weight
   * divides out of its weight sum. The values' {@link Node#mask()}, if any, is applied.
   */
  public Node reduceLoss(Node values, Node weights, Reduction reduction, double weightRepeat) {
    return add(new Ops.LossReduction(this, values, weights, reduction, weightRepeat));
  }

  // ---- running -----------------------------------------------------------------------------

  public void forward() {
    if (!fused) { // fusions are chosen once, when the plan first runs
      fused = true;
      if (backend.fusesEpilogues()) {
        Ops.fuseEpilogues(nodes);
      }
      Ops.fuseLossMean(nodes);
    }
    if (OpProfile.ENABLED) {
      for (Node n : nodes) {
        long t0 = System.nanoTime();
        n.forward();
        OpProfile.add(n, false, System.nanoTime() - t0);
      }
      return;
    }
    for (Node n : nodes) {
      n.forward();
    }
  }

  /** Back-propagates from a scalar {@code loss}; parameter gradients land in their buffers. */
  public void backward(Node loss) {
    if (!training) {
      throw new IllegalStateException("backward() on an inference graph");
    }
    if (loss.size() != 1) {
      throw new IllegalArgumentException("backward() needs a scalar loss, got " + loss);
    }
    if (!loss.requiresGrad) {
      throw new IllegalArgumentException("nothing trainable feeds " + loss);
    }
    for (Node n : nodes) {
      n.gradWritten = false;
    }
    if (!loss.seedsOwnGradient()) {
      backend.fill(loss.grad, 1f, 1);
    }
    loss.gradWritten = true;
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Node n = nodes.get(i);
      if (n.requiresGrad && n.gradWritten && n.inputs.length > 0) {
        if (OpProfile.ENABLED) {
          long t0 = System.nanoTime();
          n.backward();
          OpProfile.add(n, true, System.nanoTime() - t0);
        } else {
          n.backward();
        }
      }
    }
    for (Node p : params) { // a parameter no path reached has gradient zero, not last step's
      if (p.requiresGrad && !p.gradWritten) {
        backend.fill(p.grad, 0f, p.grad.size());
      }
    }
  }

  /** Frees every buffer this graph allocated (not the variables or their gradients). */
  @Override
  public void close() {
    for (Tensor t : owned) {
      t.close();
    }
    owned.clear();
    nodes.clear();
  }

  // ---- planning ----------------------------------------------------------------------------

  private <N extends Node> N add(N node) {
    if (node.requiresGrad && node.grad == null && training) {
      node.grad = alloc(node.shape);
    }
    nodes.add(node);
    return node;
  }

  Tensor alloc(int... shape) {
    Tensor t = backend.zeros(shape);
    owned.add(t);
    return t;
  }

  /** A leaf: an input fed from outside or a parameter. */
  static final class Leaf extends Node {
    Leaf(Graph g, int[] shape, Tensor value, Tensor grad) {
      super(g, shape);
      this.value = value;
      this.grad = grad;
    }

    @Override
    protected void forward() {}

    @Override
    protected void backward() {}
  }
}

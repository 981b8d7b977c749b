package dev.nabla.graph;

import dev.nabla.Tensor;
import java.util.Arrays;

/**
 * One value in a {@link Graph}: its buffer, its gradient buffer (when something trainable feeds
 * it), and the op that computes it. Buffers are allocated once when the graph is planned; running
 * the graph allocates nothing.
 *
 * <p>Gradients are written, not pre-zeroed: the first op to send a gradient to a node overwrites
 * its buffer, later ones add (see {@link #claimGrad()}), so a training step never clears memory
 * it is about to overwrite.
 *
 * <p>Not thread-safe: part of one {@link Graph}, run by one thread at a time.
 */
public abstract class Node {
  protected final Graph graph;
  protected final int[] shape;
  protected final Node[] inputs;
  protected Tensor value;
  protected Tensor grad;
  /**
   * Keras's mask on these values (0: the entry counts nowhere, 1: it counts), a node of the same
   * shape, or null: set by a loss whose values some entries must not enter (ignore_class).
   */
  protected Node mask;
  boolean requiresGrad;
  boolean gradWritten;
  int consumers;

  protected Node(Graph graph, int[] shape, Node... inputs) {
    this.graph = graph;
    this.shape = shape.clone();
    this.inputs = inputs;
    for (Node in : inputs) {
      if (in != null) {
        in.consumers++;
        requiresGrad |= in.requiresGrad;
      }
    }
  }

  /** Whether this node's forward pass already wrote what its gradient seed would start (a fused loss). */
  boolean seedsOwnGradient() {
    return false;
  }

  /** Computes {@link #value} from the inputs' values. */
  protected abstract void forward();

  /** Sends {@link #grad} (dLoss/dthis) to the inputs that require gradients. */
  protected abstract void backward();

  public int[] shape() {
    return shape.clone();
  }

  public long size() {
    return Tensor.sizeOf(shape);
  }

  /**
   * The value of the last forward pass. On a backend that fuses (CUDA), a node folded into a
   * fused matmul chain (see Graph#forward) is not written: read the chain's last node.
   */
  public Tensor value() {
    return value;
  }

  /** dLoss/dthis after {@link Graph#backward}; null for nodes no trainable value feeds. */
  public Tensor grad() {
    return grad;
  }

  /** Keras's mask on these values (see {@link #mask}), or null. */
  public Node mask() {
    return mask;
  }

  public boolean requiresGrad() {
    return requiresGrad;
  }

  /** Rows = all leading dimensions; cols = the last one (1 for scalars). */
  protected int rows() {
    return shape.length == 0 ? 1 : Math.toIntExact(size() / shape[shape.length - 1]);
  }

  protected int cols() {
    return shape.length == 0 ? 1 : shape[shape.length - 1];
  }

  /**
   * Called by an op about to write this node's gradient: returns false the first time in a
   * backward pass (overwrite) and true afterwards (accumulate).
   */
  protected boolean claimGrad() {
    boolean accumulate = gradWritten;
    gradWritten = true;
    return accumulate;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + Arrays.toString(shape);
  }
}

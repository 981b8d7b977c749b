package dev.nabla.graph;

import dev.nabla.Tensor;
import dev.nabla.backend.Activation;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The graph's ops: each a forward rule and a backward rule. Heavy ops (matmul, bias+activation,
 * dropout, softmax cross-entropy) call the backend's kernels; the light elementwise ops used by
 * custom losses loop over host memory here.
 */
final class Ops {
  private Ops() {}

  /** Where an op writes dLoss/d(in): the input's own buffer, or scratch to add in afterwards. */
  private static Tensor gradTarget(Node op, Node in, boolean accumulate) {
    return accumulate ? scratchFor(op, in) : in.grad;
  }

  private static Tensor scratchFor(Node op, Node in) {
    if (op instanceof HasScratch) {
      HasScratch s = (HasScratch) op;
      if (s.scratch() == null || s.scratch().size() < in.size()) {
        s.setScratch(op.graph.alloc(Math.toIntExact(in.size()))); // once per graph, lazily
      }
      return s.scratch().view(0, in.shape);
    }
    throw new IllegalStateException(op + " cannot accumulate gradients");
  }

  private static void addInto(Tensor dst, Tensor src, long n) {
    FloatBuffer d = dst.buffer(), s = src.buffer();
    for (int i = 0; i < n; i++) {
      d.put(i, d.get(i) + s.get(i));
    }
  }

  interface HasScratch {
    Tensor scratch();

    void setScratch(Tensor t);
  }

  abstract static class ScratchNode extends Node implements HasScratch {
    private Tensor scratch;

    ScratchNode(Graph g, int[] shape, Node... inputs) {
      super(g, shape, inputs);
    }

    @Override
    public Tensor scratch() {
      return scratch;
    }

    @Override
    public void setScratch(Tensor t) {
      scratch = t;
    }

    /** Writes into in's gradient via {@code writer}, adding if another op already wrote it. */
    void sendGrad(Node in, java.util.function.Consumer<Tensor> writer) {
      boolean acc = in.claimGrad();
      Tensor target = gradTarget(this, in, acc);
      writer.accept(target);
      if (acc) {
        addInto(in.grad, target, in.size());
      }
    }
  }

  static int[] requireRank2(Node n, String op) {
    if (n.shape.length != 2) {
      throw new IllegalArgumentException(op + " needs a 2-d input (batch, features), got shape "
          + Arrays.toString(n.shape));
    }
    return n.shape;
  }

  // ---------------------------------------------------------------------------------------------

  /** C = A B: (m, k) x (k, n). Backward: dA = dC B^T, dB = A^T dC, both as sgemm with beta. */
  static final class MatMul extends Node {
    private final Node a, b;
    private final int m, k, n;

    MatMul(Graph g, Node a, Node b) {
      super(g, new int[] {requireRank2(a, "matmul")[0], requireRank2(b, "matmul")[1]}, a, b);
      if (a.shape[1] != b.shape[0]) {
        throw new IllegalArgumentException("matmul: inner dimensions differ: "
            + Arrays.toString(a.shape) + " x " + Arrays.toString(b.shape));
      }
      this.a = a;
      this.b = b;
      this.m = a.shape[0];
      this.k = a.shape[1];
      this.n = b.shape[1];
      this.value = g.alloc(shape);
    }

    @Override
    protected void forward() {
      graph.backend().gemm(false, false, m, n, k, 1f, a.value, b.value, 0f, value);
    }

    @Override
    protected void backward() {
      if (b.requiresGrad) {
        float beta = b.claimGrad() ? 1f : 0f;
        graph.backend().gemm(true, false, k, n, m, 1f, a.value, grad, beta, b.grad);
      }
      if (a.requiresGrad) {
        float beta = a.claimGrad() ? 1f : 0f;
        graph.backend().gemm(false, true, m, k, n, 1f, grad, b.value, beta, a.grad);
      }
    }
  }

  /**
   * y = act(x + bias), Dense's epilogue in one pass. Keeps z = x + bias for the backward pass.
   * When a cross-entropy loss fused itself into this softmax ({@link #lossFused}), the gradient
   * arriving here is already dLoss/dz and the softmax Jacobian is skipped.
   */
  static final class BiasActivation extends ScratchNode {
    final Node x, bias;
    final Activation act;
    final Tensor z;
    boolean lossFused;
    private Tensor biasScratch;

    BiasActivation(Graph g, Node x, Node bias, Activation act) {
      super(g, x.shape, x, bias);
      this.x = x;
      this.bias = bias;
      this.act = act;
      if (bias != null && (bias.shape.length != 1 || bias.shape[0] != cols())) {
        throw new IllegalArgumentException("bias of shape " + Arrays.toString(bias.shape)
            + " does not match " + cols() + " features");
      }
      this.value = g.alloc(shape);
      this.z = act == Activation.LINEAR ? value : g.alloc(shape);
    }

    @Override
    protected void forward() {
      graph.backend().biasActForward(x.value, bias == null ? null : bias.value, z, value, rows(),
          cols(), act, Activation.LEAKY_RELU_SLOPE);
    }

    @Override
    protected void backward() {
      boolean passThrough = act == Activation.LINEAR || lossFused;
      Tensor dz;
      boolean xAcc = false;
      if (x.requiresGrad) {
        xAcc = x.claimGrad();
        dz = gradTarget(this, x, xAcc);
      } else {
        dz = scratchFor(this, x);
      }
      if (passThrough) {
        dz.copyFrom(grad);
      } else {
        graph.backend().actBackward(z, value, grad, dz, rows(), cols(), act,
            Activation.LEAKY_RELU_SLOPE);
      }
      if (bias != null && bias.requiresGrad) {
        if (bias.claimGrad()) {
          if (biasScratch == null) {
            biasScratch = graph.alloc(bias.shape);
          }
          graph.backend().biasGrad(dz, biasScratch, rows(), cols());
          addInto(bias.grad, biasScratch, bias.size());
        } else {
          graph.backend().biasGrad(dz, bias.grad, rows(), cols());
        }
      }
      if (x.requiresGrad && xAcc) {
        addInto(x.grad, dz, x.size());
      }
    }
  }

  /** Inverted dropout; the mask is recomputed from (seed, step, stream) in backward, not stored. */
  static final class Dropout extends ScratchNode {
    private final Node x;
    private final float rate;
    private final int stream;

    Dropout(Graph g, Node x, float rate, int stream) {
      super(g, x.shape, x);
      if (!(rate >= 0f && rate < 1f)) {
        throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
      }
      this.x = x;
      this.rate = rate;
      this.stream = stream;
      this.value = g.alloc(shape);
    }

    @Override
    protected void forward() {
      graph.backend().dropout(x.value, value, size(), graph.seed(), graph.step(), stream, rate);
    }

    @Override
    protected void backward() {
      if (x.requiresGrad) {
        sendGrad(x, t -> graph.backend().dropout(grad, t, size(), graph.seed(), graph.step(),
            stream, rate));
      }
    }
  }

  /** A view with another shape; its gradient is copied (or added) back. */
  static final class Reshape extends ScratchNode {
    private final Node x;

    Reshape(Graph g, Node x, int[] shape) {
      super(g, shape, x);
      this.x = x;
      this.value = x.value.reshape(shape);
    }

    @Override
    protected void forward() {}

    @Override
    protected void backward() {
      sendGrad(x, t -> t.copyFrom(grad));
    }
  }

  /**
   * Elementwise a op b with numpy's trailing broadcast: the smaller operand's shape must be a
   * suffix of the larger's (a bias row, a single value), and repeats over the leading dims.
   */
  static final class Binary extends ScratchNode {
    enum Kind { ADD, SUB, MUL }

    private final Node a, b;
    private final Kind kind;

    Binary(Graph g, Node a, Node b, Kind kind) {
      super(g, a.size() >= b.size() ? a.shape : b.shape, a, b);
      Node small = a.size() >= b.size() ? b : a;
      if (small.size() != 1 && !isSuffix(small.shape, shape)) {
        throw new IllegalArgumentException(kind.name().toLowerCase() + ": shapes "
            + Arrays.toString(a.shape) + " and " + Arrays.toString(b.shape)
            + " do not broadcast (the smaller must match the larger's trailing dimensions)");
      }
      this.a = a;
      this.b = b;
      this.kind = kind;
      this.value = g.alloc(shape);
    }

    private static boolean isSuffix(int[] small, int[] big) {
      int off = big.length - small.length;
      if (off < 0) {
        return false;
      }
      for (int i = 0; i < small.length; i++) {
        if (small[i] != big[off + i]) {
          return false;
        }
      }
      return true;
    }

    /** Element i of the output read from an operand of {@code size} values (broadcast by modulo). */
    private static float at(FloatBuffer buf, long size, int i) {
      return buf.get((int) (i % size));
    }

    @Override
    protected void forward() {
      FloatBuffer A = a.value.buffer(), B = b.value.buffer(), Y = value.buffer();
      long sa = a.size(), sb = b.size();
      for (int i = 0, n = (int) size(); i < n; i++) {
        float x = at(A, sa, i), y = at(B, sb, i);
        Y.put(i, kind == Kind.ADD ? x + y : kind == Kind.SUB ? x - y : x * y);
      }
    }

    @Override
    protected void backward() {
      if (a.requiresGrad) {
        sendGrad(a, t -> reduceInto(t, a.size(), kind == Kind.MUL ? b : null, 1f));
      }
      if (b.requiresGrad) {
        sendGrad(b, t -> reduceInto(t, b.size(), kind == Kind.MUL ? a : null,
            kind == Kind.SUB ? -1f : 1f));
      }
    }

    /** t = sign * grad * other, summed over the repeats when the target was broadcast. */
    private void reduceInto(Tensor t, long targetSize, Node other, float sign) {
      FloatBuffer G = grad.buffer(), T = t.buffer();
      FloatBuffer O = other == null ? null : other.value.buffer();
      long so = other == null ? 1 : other.size();
      int n = (int) size();
      int m = (int) targetSize;
      for (int j = 0; j < m; j++) {
        double s = 0;
        for (int i = j; i < n; i += m) {
          s += G.get(i) * (O == null ? 1f : at(O, so, i));
        }
        T.put(j, (float) (sign * s));
      }
    }
  }

  /** Elementwise functions of one input. */
  static final class Unary extends ScratchNode {
    enum Kind { SCALE, SQUARE, ABS, LOG }

    private final Node x;
    private final Kind kind;
    private final float c;

    Unary(Graph g, Node x, Kind kind, float c) {
      super(g, x.shape, x);
      this.x = x;
      this.kind = kind;
      this.c = c;
      this.value = g.alloc(shape);
    }

    @Override
    protected void forward() {
      FloatBuffer X = x.value.buffer(), Y = value.buffer();
      for (int i = 0, n = (int) size(); i < n; i++) {
        float v = X.get(i);
        switch (kind) {
          case SCALE: Y.put(i, c * v); break;
          case SQUARE: Y.put(i, v * v); break;
          case ABS: Y.put(i, Math.abs(v)); break;
          default: Y.put(i, (float) Math.log(Math.max(v, c)));
        }
      }
    }

    @Override
    protected void backward() {
      sendGrad(x, t -> {
        FloatBuffer X = x.value.buffer(), G = grad.buffer(), T = t.buffer();
        for (int i = 0, n = (int) size(); i < n; i++) {
          float v = X.get(i);
          float d;
          switch (kind) {
            case SCALE: d = c; break;
            case SQUARE: d = 2f * v; break;
            case ABS: d = Math.signum(v); break;
            default: d = v > c ? 1f / v : 0f;
          }
          T.put(i, G.get(i) * d);
        }
      });
    }
  }

  /** Sum or mean over everything, or mean over the last axis. Sums in double. */
  static final class Reduce extends ScratchNode {
    private final Node x;
    private final boolean mean, lastAxis;

    Reduce(Graph g, Node x, boolean mean, boolean lastAxis) {
      super(g, lastAxis ? Arrays.copyOf(x.shape, Math.max(0, x.shape.length - 1)) : new int[0], x);
      this.x = x;
      this.mean = mean;
      this.lastAxis = lastAxis;
      this.value = g.alloc(shape);
    }

    private int group() {
      return lastAxis ? x.cols() : (int) x.size();
    }

    @Override
    protected void forward() {
      FloatBuffer X = x.value.buffer(), Y = value.buffer();
      int group = group();
      for (int r = 0, rows = (int) (x.size() / Math.max(group, 1)); r < rows; r++) {
        double s = 0;
        for (int c = 0; c < group; c++) {
          s += X.get(r * group + c);
        }
        Y.put(r, (float) (mean ? s / group : s));
      }
    }

    @Override
    protected void backward() {
      sendGrad(x, t -> {
        FloatBuffer G = grad.buffer(), T = t.buffer();
        int group = group();
        float k = mean ? 1f / group : 1f;
        for (int i = 0, n = (int) x.size(); i < n; i++) {
          T.put(i, G.get(i / group) * k);
        }
      });
    }
  }

  /**
   * Per-sample softmax cross-entropy by the fused backend kernel: one pass computes each row's
   * loss and its gradient (kept in {@code rowGrad}); backward scales rows by the upstream
   * gradient, which is uniform 1/batch for the plain mean.
   */
  static final class SoftmaxCrossEntropy extends ScratchNode {
    private final Node labels, target;
    private final Tensor input;
    private final boolean sparse, fromLogits;
    private final float labelSmoothing;
    private final Tensor rowGrad;
    private final int rows, cols;

    SoftmaxCrossEntropy(Graph g, Node labels, Node pred, boolean sparse, boolean fromLogits,
        float labelSmoothing) {
      super(g, new int[] {pred.rows()}, pred, labels);
      this.rows = pred.rows();
      this.cols = pred.cols();
      if (sparse ? labels.size() != rows : !Arrays.equals(labels.shape, pred.shape)) {
        throw new IllegalArgumentException((sparse ? "sparse " : "") + "cross-entropy: labels of"
            + " shape " + Arrays.toString(labels.shape) + " do not match predictions of shape "
            + Arrays.toString(pred.shape) + (sparse ? " (expected one class index per row)"
            : " (expected one target distribution per row; use the sparse loss for indices)"));
      }
      if (sparse && labelSmoothing != 0f) {
        throw new IllegalArgumentException("label_smoothing needs one-hot labels; "
            + "sparse_categorical_crossentropy has none (use categorical_crossentropy)");
      }
      boolean fuse = !fromLogits && pred instanceof BiasActivation
          && ((BiasActivation) pred).act == Activation.SOFTMAX && pred.consumers == 1;
      if (fuse) {
        ((BiasActivation) pred).lossFused = true;
      }
      this.target = pred;
      this.input = fuse ? ((BiasActivation) pred).z : pred.value;
      this.fromLogits = fromLogits || fuse;
      this.labels = labels;
      this.sparse = sparse;
      this.labelSmoothing = labelSmoothing;
      this.value = g.alloc(shape);
      this.rowGrad = pred.requiresGrad ? g.alloc(pred.shape) : null;
    }

    @Override
    protected void forward() {
      graph.backend().softmaxXent(input, labels.value, value, rowGrad, rows, cols, sparse,
          fromLogits, labelSmoothing, 1f, null);
    }

    @Override
    protected void backward() {
      if (!target.requiresGrad) {
        return;
      }
      sendGrad(target, t -> {
        FloatBuffer G = grad.buffer(), R = rowGrad.buffer(), T = t.buffer();
        for (int r = 0; r < rows; r++) {
          float up = G.get(r);
          for (int c = 0, o = r * cols; c < cols; c++) {
            T.put(o + c, up * R.get(o + c));
          }
        }
      });
    }
  }

  /** Mean over the last axis of loss(y, p) elementwise (bce, mse, mae). */
  static final class Pointwise extends ScratchNode {
    private final Node labels, pred;
    private final PointwiseLoss loss;

    Pointwise(Graph g, Node labels, Node pred, PointwiseLoss loss) {
      // (batch, n) -> (batch,); a (batch,) prediction is already one value per sample
      super(g, Arrays.copyOf(pred.shape, Math.max(1, pred.shape.length - 1)), pred, labels);
      if (labels.size() != pred.size()) {
        throw new IllegalArgumentException("loss: labels of shape " + Arrays.toString(labels.shape)
            + " do not match predictions of shape " + Arrays.toString(pred.shape));
      }
      this.labels = labels;
      this.pred = pred;
      this.loss = loss;
      this.value = g.alloc(shape);
    }

    private int group() {
      return pred.shape.length == 1 ? 1 : pred.cols();
    }

    @Override
    protected void forward() {
      FloatBuffer Y = labels.value.buffer(), P = pred.value.buffer(), L = value.buffer();
      int group = group();
      for (int r = 0, rows = (int) size(); r < rows; r++) {
        double s = 0;
        for (int c = 0, o = r * group; c < group; c++) {
          s += loss.value(Y.get(o + c), P.get(o + c));
        }
        L.put(r, (float) (s / group));
      }
    }

    @Override
    protected void backward() {
      if (!pred.requiresGrad) {
        return;
      }
      sendGrad(pred, t -> {
        FloatBuffer Y = labels.value.buffer(), P = pred.value.buffer(), G = grad.buffer();
        FloatBuffer T = t.buffer();
        int group = group();
        for (int i = 0, n = (int) pred.size(); i < n; i++) {
          T.put(i, (float) (G.get(i / group) * loss.derivative(Y.get(i), P.get(i)) / group));
        }
      });
    }
  }

  /** Keras's sum_over_batch_size reduction: sum(l * w) / count(l). */
  static final class SumOverBatchSize extends ScratchNode {
    private final Node losses, weights;

    SumOverBatchSize(Graph g, Node losses, Node weights) {
      super(g, new int[0], losses, weights);
      if (weights != null && weights.size() != losses.size()) {
        throw new IllegalArgumentException("sample_weight of shape "
            + Arrays.toString(weights.shape) + " does not match " + losses.size()
            + " per-sample losses");
      }
      this.losses = losses;
      this.weights = weights;
      this.value = g.alloc(shape);
    }

    @Override
    protected void forward() {
      FloatBuffer L = losses.value.buffer();
      FloatBuffer W = weights == null ? null : weights.value.buffer();
      double s = 0;
      int n = (int) losses.size();
      for (int i = 0; i < n; i++) {
        s += (double) L.get(i) * (W == null ? 1f : W.get(i));
      }
      value.buffer().put(0, (float) (n == 0 ? 0 : s / n));
    }

    @Override
    protected void backward() {
      if (!losses.requiresGrad) {
        return;
      }
      sendGrad(losses, t -> {
        FloatBuffer W = weights == null ? null : weights.value.buffer();
        FloatBuffer T = t.buffer();
        int n = (int) losses.size();
        float up = grad.buffer().get(0) / n;
        for (int i = 0; i < n; i++) {
          T.put(i, up * (W == null ? 1f : W.get(i)));
        }
      });
    }
  }
}

package dev.nabla.graph;

import dev.nabla.Tensor;
import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Elementwise;
import dev.nabla.backend.MatmulEpilogue;
import dev.nabla.backend.PointwiseLoss;
import java.util.Arrays;

/**
 * The graph's ops: each a forward rule and a backward rule, every one computed by the backend's
 * kernels (heavy ones such as matmul and softmax cross-entropy, and the light elementwise ones
 * used by custom losses alike), so a graph runs wherever its backend's tensors live.
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

  private static void addInto(Node op, Tensor dst, Tensor src, long n) {
    op.graph.backend().axpy(dst, src, 1f, n);
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
        addInto(this, in.grad, target, in.size());
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

  /**
   * C = A B: (m, k) x (k, n). Backward: dA = dC B^T, dB = A^T dC, both as sgemm with beta.
   *
   * <p>On a backend that fuses matmul epilogues, {@link #fuse} folds a Dense layer into it: the
   * forward writes act(A B + bias) (and dropout after it) into the last fused node's buffer; dB
   * also writes the bias gradient; and the matmul above a fused layer writes that layer's dZ
   * straight from dC B^T, times the dropout mask and the activation's derivative.
   */
  static final class MatMul extends Node {
    private final Node a, b;
    private final int m, k, n;
    // forward fusion: act(A B + bias) [-> dropout] written into the last node's buffer
    private BiasActivation fwdAct;
    private Dropout fwdDrop;
    // backward fusion: dB's epilogue sums dC's columns into this bias's gradient
    private Node dbBias;
    // backward fusion: dA = dC B^T written as the dZ of the matmul below (through dropout' act')
    private MatMul dxInto;
    private Dropout dxDrop;
    private BiasActivation dxAct;

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
      if (fwdAct == null) {
        graph.backend().gemm(false, false, m, n, k, 1f, a.value, b.value, 0f, value);
        return;
      }
      BiasActivation ba = fwdAct;
      Tensor bias = ba.bias == null ? null : ba.bias.value;
      if (ba.softmaxAfterMatmul) { // z = A B + bias; the softmax runs in ba's forward
        graph.backend().gemmEpilogue(false, false, m, n, k, a.value, b.value, ba.z,
            MatmulEpilogue.dense(bias, null, Activation.LINEAR), graph.seed(), graph.step());
        return;
      }
      MatmulEpilogue e = MatmulEpilogue.dense(bias, ba.act == Activation.LINEAR ? null : ba.z,
          ba.act);
      if (fwdDrop != null) {
        e = e.withDropout(fwdDrop.rate, fwdDrop.stream);
      }
      graph.backend().gemmEpilogue(false, false, m, n, k, a.value, b.value,
          fwdDrop != null ? fwdDrop.value : ba.value, e, graph.seed(), graph.step());
    }

    @Override
    protected void backward() {
      Backend be = graph.backend();
      if (b.requiresGrad) {
        boolean acc = b.claimGrad();
        boolean fuseDb = dbBias != null && dbBias.requiresGrad && !acc && !dbBias.gradWritten;
        if (fuseDb) {
          dbBias.claimGrad();
          be.gemmEpilogue(true, false, k, n, m, a.value, grad, b.grad,
              MatmulEpilogue.NONE.withBiasGrad(dbBias.grad), graph.seed(), graph.step());
        } else {
          be.gemm(true, false, k, n, m, 1f, a.value, grad, acc ? 1f : 0f, b.grad);
        }
      }
      if (dbBias != null && dbBias.requiresGrad && !dbBias.gradWritten) {
        dbBias.claimGrad(); // the weight needed no gradient: the bias alone
        be.biasGrad(grad, dbBias.grad, m, n);
      }
      if (dxInto != null) {
        if (dxInto.requiresGrad) {
          dxInto.claimGrad(); // its only path: fuse checked that nothing else writes it
          MatmulEpilogue e = MatmulEpilogue.NONE;
          if (dxDrop != null) {
            e = e.withDropout(dxDrop.rate, dxDrop.stream);
          }
          if (dxAct.act != Activation.LINEAR) {
            e = e.withActivationBackward(dxAct.z, dxAct.act);
          }
          be.gemmEpilogue(false, true, m, k, n, grad, b.value, dxInto.grad, e, graph.seed(),
              graph.step());
        }
      } else if (a.requiresGrad) {
        float beta = a.claimGrad() ? 1f : 0f;
        be.gemm(false, true, m, k, n, 1f, grad, b.value, beta, a.grad);
      }
    }
  }

  /**
   * Folds Dense layers into their matmuls on a backend that fuses epilogues (see
   * {@link MatMul}): matmul -> bias+activation [-> dropout] -> matmul chains whose links have
   * one consumer each. The intermediate values and gradients of a fused chain are never
   * written (the matmul's product, a dropped-out layer's activation, their gradients): after a
   * fused run, only the chain's last value and the parameters' gradients are meaningful. A softmax stays its own row op; when a cross-entropy loss reads its logits
   * its gradient buffer is the matmul's, and the matmul's dB sums the bias gradient.
   */
  static void fuseEpilogues(java.util.List<Node> nodes) {
    java.util.Map<Node, Node> consumer = new java.util.IdentityHashMap<>();
    for (Node node : nodes) {
      for (Node in : node.inputs) {
        if (in != null) {
          consumer.put(in, node);
        }
      }
    }
    for (Node node : nodes) {
      if (!(node instanceof MatMul) || node.consumers != 1
          || !(consumer.get(node) instanceof BiasActivation)) {
        continue;
      }
      MatMul mm = (MatMul) node;
      BiasActivation ba = (BiasActivation) consumer.get(node);
      // the bias must be a leaf read by this layer alone: a computed bias would be read before
      // its node ran, and its gradient written after its node's backward turn had passed
      boolean soleBias = ba.bias == null
          || ba.bias instanceof Graph.Leaf && ba.bias.consumers == 1;
      // an epilogue carries the activation's default parameter only (an ELU or LeakyReLU
      // layer's own alpha stays in its node)
      if (ba.x != mm || !soleBias || ba.alpha != ba.act.defaultAlpha()) {
        continue;
      }
      if (ba.act == Activation.SOFTMAX) { // the bias in the epilogue, the softmax a row op after
        mm.fwdAct = ba;
        ba.softmaxAfterMatmul = true;
        if (ba.lossFused && ba.grad != null && mm.grad != null && !ba.biasScratchUsed()) {
          ba.grad = mm.grad; // the loss writes dLoss/dlogits: the matmul's own dC
          ba.passThrough = true;
          mm.dbBias = ba.bias;
        }
        continue;
      }
      mm.fwdAct = ba;
      ba.fusedForward = true;
      mm.dbBias = ba.bias;
      ba.fusedBackward = true;
      Node top = ba;
      Dropout drop = null;
      if (ba.consumers == 1 && consumer.get(ba) instanceof Dropout) {
        drop = (Dropout) consumer.get(ba);
        top = drop;
      }
      Node up = top.consumers == 1 ? consumer.get(top) : null;
      // backward fusion writes mm's dZ from above: only when mm takes a gradient (a frozen
      // kernel with a trainable bias keeps the unfused path, which sums the bias gradient)
      if (mm.requiresGrad && up instanceof MatMul && ((MatMul) up).a == top) {
        MatMul above = (MatMul) up;
        above.dxInto = mm;
        above.dxDrop = drop;
        above.dxAct = ba;
        if (drop != null) {
          mm.fwdDrop = drop;
          drop.fused = true;
        }
      } else { // nothing above can write dZ: the activation's backward runs unfused
        ba.fusedBackward = false;
        mm.dbBias = null;
      }
    }
  }

  /**
   * The mean of a softmax cross-entropy as the loss itself, on every backend: one kernel computes
   * it and writes the gradient (scaled by 1 / batch) into the predictions' gradient, instead of
   * per-row losses and gradients, a mean, and a row scaling pass (four ops, three of them light
   * host loops, ~30 us of a ~400 us CPU step at batch 128).
   */
  static void fuseLossMean(java.util.List<Node> nodes) {
    for (Node node : nodes) {
      if (node instanceof LossReduction && node.consumers == 0) {
        LossReduction mean = (LossReduction) node;
        if (mean.plainMean() && mean.losses instanceof SoftmaxCrossEntropy
            && ((SoftmaxCrossEntropy) mean.losses).fusesMean()
            && mean.losses.consumers == 1
            && ((SoftmaxCrossEntropy) mean.losses).target.consumers == 1) {
          SoftmaxCrossEntropy ce = (SoftmaxCrossEntropy) mean.losses;
          ce.meanInto = mean;
          mean.fusedInto = ce;
        }
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
    /** The activation's parameter (leaky_relu's slope, elu's alpha); see Activation. */
    final float alpha;
    boolean lossFused;
    boolean fusedForward, fusedBackward; // folded into the matmuls below and above
    boolean passThrough; // a loss wrote dLoss/dz into the matmul's gradient (shared buffer)
    boolean softmaxAfterMatmul; // the matmul's epilogue wrote z; only the softmax is left
    private Tensor biasScratch;

    boolean biasScratchUsed() {
      return biasScratch != null;
    }

    BiasActivation(Graph g, Node x, Node bias, Activation act, float alpha) {
      super(g, x.shape, x, bias);
      this.x = x;
      this.bias = bias;
      this.act = act;
      this.alpha = alpha;
      if (bias != null && (bias.shape.length != 1 || bias.shape[0] != cols())) {
        throw new IllegalArgumentException("bias of shape " + Arrays.toString(bias.shape)
            + " does not match " + cols() + " features");
      }
      this.value = g.alloc(shape);
      this.z = act == Activation.LINEAR ? value : g.alloc(shape);
    }

    @Override
    protected void forward() {
      if (softmaxAfterMatmul) { // in training a fused loss reads z: probabilities only if asked
        if (!graph.training() || !lossFused || graph.predictionsNeeded()) {
          graph.backend().biasActForward(z, null, z, value, rows(), cols(), act, alpha);
        }
        return;
      }
      if (fusedForward) {
        return; // the matmul's epilogue wrote z and the value
      }
      graph.backend().biasActForward(x.value, bias == null ? null : bias.value, z, value, rows(),
          cols(), act, alpha);
    }

    @Override
    protected void backward() {
      if (fusedBackward) {
        return; // the matmul above wrote dz into x's gradient, the matmul below sums db
      }
      if (this.passThrough) {
        x.claimGrad(); // grad is x's buffer, already dLoss/dz; the matmul sums db
        return;
      }
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
        graph.backend().copy(grad, dz, size());
      } else {
        graph.backend().actBackward(z, value, grad, dz, rows(), cols(), act, alpha);
      }
      if (bias != null && bias.requiresGrad) {
        if (bias.claimGrad()) {
          if (biasScratch == null) {
            biasScratch = graph.alloc(bias.shape);
          }
          graph.backend().biasGrad(dz, biasScratch, rows(), cols());
          addInto(this, bias.grad, biasScratch, bias.size());
        } else {
          graph.backend().biasGrad(dz, bias.grad, rows(), cols());
        }
      }
      if (x.requiresGrad && xAcc) {
        addInto(this, x.grad, dz, x.size());
      }
    }
  }

  /** Inverted dropout; the mask is recomputed from (seed, step, stream) in backward, not stored. */
  static final class Dropout extends ScratchNode {
    private final Node x;
    private final float rate;
    private final int stream;
    boolean fused; // drawn in the matmul epilogues (forward below, backward above)

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
      if (!fused) {
        graph.backend().dropout(x.value, value, size(), graph.seed(), graph.step(), stream, rate);
      }
    }

    @Override
    protected void backward() {
      if (!fused && x.requiresGrad) {
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
      sendGrad(x, t -> graph.backend().copy(grad, t, size()));
    }
  }

  /**
   * Elementwise a op b with numpy's trailing broadcast: the smaller operand's shape must be a
   * suffix of the larger's (a bias row, a single value), and repeats over the leading dims.
   */
  static final class Binary extends ScratchNode {
    private final Node a, b;
    private final Elementwise.Binary kind;

    Binary(Graph g, Node a, Node b, Elementwise.Binary kind) {
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

    @Override
    protected void forward() {
      graph.backend().binary(kind, a.value, a.size(), b.value, b.size(), value, size());
    }

    @Override
    protected void backward() {
      boolean mul = kind == Elementwise.Binary.MUL;
      if (a.requiresGrad) {
        sendGrad(a, t -> graph.backend().binaryGrad(grad, mul ? b.value : null, b.size(), t,
            a.size(), size(), 1f));
      }
      if (b.requiresGrad) {
        sendGrad(b, t -> graph.backend().binaryGrad(grad, mul ? a.value : null, a.size(), t,
            b.size(), size(), kind == Elementwise.Binary.SUB ? -1f : 1f));
      }
    }
  }

  /** Elementwise functions of one input. */
  static final class Unary extends ScratchNode {
    private final Node x;
    private final Elementwise.Unary kind;
    private final float c;

    Unary(Graph g, Node x, Elementwise.Unary kind, float c) {
      super(g, x.shape, x);
      this.x = x;
      this.kind = kind;
      this.c = c;
      this.value = g.alloc(shape);
    }

    @Override
    protected void forward() {
      graph.backend().unary(kind, x.value, value, size(), c);
    }

    @Override
    protected void backward() {
      sendGrad(x, t -> graph.backend().unaryBackward(kind, x.value, grad, t, size(), c));
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

    private int groups() {
      return (int) (x.size() / Math.max(group(), 1));
    }

    @Override
    protected void forward() {
      int group = group();
      graph.backend().reduceRows(x.value, null, value, groups(), group, mean ? group : 1);
    }

    @Override
    protected void backward() {
      int group = group();
      sendGrad(x, t -> graph.backend().scaleRows(grad, null, t, groups(), group,
          mean ? group : 1));
    }
  }

  /** Keras's warning, once per loss per process, for from_logits=True on an activation's output. */
  static final java.util.Set<String> logitsWarned =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  static void warnFromLogitsOnActivation(String loss, String activation) {
    if (logitsWarned.add(loss)) {
      System.err.println("nabla: " + loss + " received from_logits=true, but the predictions "
          + "were produced by a " + activation + " activation and thus are not logits; the loss "
          + "reads that layer's logits instead, as Keras's TensorFlow backend does. Was this "
          + "intended?");
    }
  }

  /** Whether {@code pred} is an activation {@code act} read only by the loss being built. */
  static boolean soleActivation(Node pred, Activation act) {
    return pred instanceof BiasActivation && ((BiasActivation) pred).act == act
        && pred.consumers == 1;
  }

  /**
   * Per-sample softmax cross-entropy by the fused backend kernel: one pass computes each row's
   * loss and its gradient (kept in {@code rowGrad}); backward scales rows by the upstream
   * gradient, which is uniform 1/batch for the plain mean.
   *
   * <p>What the kernel does not do is composed around it with backend ops: label smoothing of
   * sparse labels is (1 - ls) times the sparse loss plus ls times the loss against the uniform
   * target (cross-entropy is linear in the target; Keras computes it the same way), and
   * ignore_class reads the labels through an {@link IgnoreClassMask} (ignored entries: label 0
   * for the kernel, then loss and gradient times 0).
   */
  static final class SoftmaxCrossEntropy extends ScratchNode {
    private final Node labels, target;
    private final IgnoreClassMask ignore;
    private final Tensor input;
    LossReduction meanInto; // fused: this loss's mean over the batch, the backward's root
    private final boolean sparse, fromLogits;
    private final float labelSmoothing;
    private final Tensor rowGrad;
    private final Tensor uniform, uniformLoss, uniformGrad; // sparse label smoothing only
    private final int rows, cols;

    SoftmaxCrossEntropy(Graph g, Node labels, Node pred, boolean sparse, boolean fromLogits,
        float labelSmoothing, IgnoreClassMask ignore) {
      super(g, valuesShape(pred), pred, labels, ignore);
      this.rows = pred.rows();
      this.cols = pred.cols();
      String name = sparse ? "sparse_categorical_crossentropy" : "categorical_crossentropy";
      if (sparse ? labels.size() != rows : !Arrays.equals(labels.shape, pred.shape)) {
        throw new IllegalArgumentException(name + ": labels of"
            + " shape " + Arrays.toString(labels.shape) + " do not match predictions of shape "
            + Arrays.toString(pred.shape) + (sparse ? " (expected one class index per row)"
            : " (expected one target distribution per row; use the sparse loss for indices)"));
      }
      if (ignore != null && !sparse) {
        throw new IllegalArgumentException("ignore_class needs class indices (the sparse loss)");
      }
      // After a softmax read by this loss alone, the loss reads the softmax's logits (exact
      // log-softmax, gradient softmax - target), whatever from_logits says: Keras's TensorFlow
      // backend does the same, warning when from_logits=True (the softmax would be applied twice)
      boolean fuse = soleActivation(pred, Activation.SOFTMAX);
      if (fuse) {
        ((BiasActivation) pred).lossFused = true;
        if (fromLogits) {
          warnFromLogitsOnActivation(name, "softmax");
        }
      }
      this.target = pred;
      this.input = fuse ? ((BiasActivation) pred).z : pred.value;
      this.fromLogits = fromLogits || fuse;
      this.labels = labels;
      this.ignore = ignore;
      this.sparse = sparse;
      this.labelSmoothing = labelSmoothing;
      this.value = g.alloc(shape);
      this.rowGrad = pred.requiresGrad ? g.alloc(pred.shape) : null;
      if (sparse && labelSmoothing != 0f) {
        uniform = g.alloc(rows, cols);
        g.backend().fill(uniform, 1f / cols, uniform.size()); // Keras: ones / num_classes
        uniformLoss = g.alloc(rows);
        uniformGrad = rowGrad == null ? null : g.alloc(rows, cols);
      } else {
        uniform = uniformLoss = uniformGrad = null;
      }
      if (ignore != null) {
        this.mask = ignore; // Keras's mask on the values: the reduction counts only these
      }
    }

    /** The predictions' shape without the class axis (the last). */
    private static int[] valuesShape(Node pred) {
      return pred.shape.length <= 1 ? new int[] {1}
          : Arrays.copyOf(pred.shape, pred.shape.length - 1);
    }

    /** Whether one kernel pass can compute this loss's plain mean and its gradient. */
    boolean fusesMean() {
      return uniform == null && ignore == null;
    }

    @Override
    protected void forward() {
      Backend be = graph.backend();
      if (meanInto != null) { // the loss's mean, and its gradient into the target's, at once
        Tensor g = graph.training() && target.requiresGrad ? target.grad : null;
        double sum = be.softmaxXent(input, labels.value, null, g, rows, cols,
            sparse, fromLogits, labelSmoothing, 1f / rows, null);
        // in a device step run the sum stays in the run's tally (NaN comes back); otherwise a
        // NaN is the loss itself (a diverged model: TerminateOnNaN must see it)
        if (!be.inStepRun()) {
          be.fill(meanInto.value, (float) (sum / rows), 1);
        }
        return;
      }
      Tensor kernelLabels = ignore != null ? ignore.kernelLabels : labels.value;
      be.softmaxXent(input, kernelLabels, value, rowGrad, rows, cols, sparse, fromLogits,
          sparse ? 0f : labelSmoothing, 1f, null);
      if (uniform != null) {
        be.softmaxXent(input, uniform, uniformLoss, uniformGrad, rows, cols, false, fromLogits,
            0f, 1f, null);
        float ls = labelSmoothing;
        be.unary(Elementwise.Unary.SCALE, value, value, rows, 1f - ls);
        be.axpy(value, uniformLoss, ls, rows);
        if (rowGrad != null) {
          be.unary(Elementwise.Unary.SCALE, rowGrad, rowGrad, rowGrad.size(), 1f - ls);
          be.axpy(rowGrad, uniformGrad, ls, rowGrad.size());
        }
      }
      if (ignore != null) { // ignored entries: loss 0 and no gradient, as Keras's where(mask, ...)
        be.binary(Elementwise.Binary.MUL, value, rows, ignore.value, rows, value, rows);
        if (rowGrad != null) {
          be.scaleRows(ignore.value, rowGrad, rowGrad, rows, cols, 1f);
        }
      }
    }

    @Override
    protected void backward() {
      if (!target.requiresGrad) {
        return;
      }
      if (meanInto != null) {
        target.claimGrad(); // written by the forward pass (its only consumer: this loss)
        return;
      }
      sendGrad(target, t -> graph.backend().scaleRows(grad, rowGrad, t, rows, cols, 1f));
    }
  }

  /**
   * sparse_categorical_crossentropy's ignore_class: the value is 1 where the label is not
   * {@code ignoreClass} and 0 where it is (Keras's mask on the loss values), and
   * {@link #kernelLabels} are the labels with the ignored ones replaced by class 0 (Keras does
   * the same before its kernel, then zeroes those losses). Computed on the host from the labels
   * (downloaded on a device backend): the backends have no comparison op, and a loss with
   * ignore_class never runs in a captured device step (see Loss#deviceTallied). {@link #count}
   * is the number of labels that count, for the reduction's divisor.
   */
  static final class IgnoreClassMask extends Node {
    private final Node labels;
    private final float ignoreClass;
    final Tensor kernelLabels;
    private final float[] host, remapped;
    long count;

    IgnoreClassMask(Graph g, Node labels, int ignoreClass) {
      super(g, labels.shape, labels);
      this.labels = labels;
      this.ignoreClass = ignoreClass;
      this.value = g.alloc(shape);
      this.kernelLabels = g.alloc(shape);
      this.host = new float[Math.toIntExact(labels.size())];
      this.remapped = new float[host.length];
      this.requiresGrad = false; // a function of the labels: no gradient flows through it
    }

    @Override
    protected void forward() {
      float[] l = labels.value.toFloatArray();
      long n = 0;
      for (int i = 0; i < l.length; i++) {
        boolean counts = l[i] != ignoreClass;
        host[i] = counts ? 1f : 0f;
        remapped[i] = counts ? l[i] : 0f;
        n += counts ? 1 : 0;
      }
      value.copyFrom(host);
      kernelLabels.copyFrom(remapped);
      count = n;
    }

    @Override
    protected void backward() {}
  }

  /**
   * The same values with one axis moved last: (pre, a, post) -> (pre, post, a), so that a loss
   * over the class axis {@code axis} reads rows (categorical_crossentropy's axis argument).
   * Backward moves the gradient back. The backends have no transpose kernel; this copies on the
   * host (through a download and an upload on a device backend), so such a loss runs only in
   * host-staged steps (see Loss#deviceTallied).
   */
  static final class MoveAxisLast extends ScratchNode {
    private final Node x;
    private final int pre, a, post;

    MoveAxisLast(Graph g, Node x, int axis) {
      super(g, moved(x.shape, axis), x);
      this.x = x;
      int p = 1;
      for (int i = 0; i < axis; i++) {
        p *= x.shape[i];
      }
      int q = 1;
      for (int i = axis + 1; i < x.shape.length; i++) {
        q *= x.shape[i];
      }
      this.pre = p;
      this.a = x.shape[axis];
      this.post = q;
      this.value = g.alloc(shape);
    }

    private static int[] moved(int[] s, int axis) {
      int[] out = new int[s.length];
      for (int i = 0, j = 0; i < s.length; i++) {
        if (i != axis) {
          out[j++] = s[i];
        }
      }
      out[s.length - 1] = s[axis];
      return out;
    }

    /** (pre, rowsIn, colsIn) -> (pre, colsIn, rowsIn), one matrix transpose per slab. */
    private static void transpose(Tensor from, Tensor to, int pre, int rowsIn, int colsIn) {
      float[] src = from.toFloatArray();
      float[] dst = new float[src.length];
      for (int s = 0, o = 0; s < pre; s++, o += rowsIn * colsIn) {
        for (int r = 0; r < rowsIn; r++) {
          for (int c = 0; c < colsIn; c++) {
            dst[o + c * rowsIn + r] = src[o + r * colsIn + c];
          }
        }
      }
      to.copyFrom(dst);
    }

    @Override
    protected void forward() {
      transpose(x.value, value, pre, a, post);
    }

    @Override
    protected void backward() {
      sendGrad(x, t -> transpose(grad, t, pre, post, a));
    }
  }

  /**
   * Mean over the last axis of loss(y, p) elementwise (bce, mse, mae). Binary cross-entropy on a
   * sigmoid read by this loss alone reads the sigmoid's logits (sigmoid cross-entropy with
   * logits), whatever from_logits says, as Keras's TensorFlow backend does (warning when
   * from_logits=True).
   */
  static final class Pointwise extends ScratchNode {
    private final Node labels, pred;
    private final PointwiseLoss loss;
    private final Tensor input;

    Pointwise(Graph g, Node labels, Node pred, PointwiseLoss loss) {
      // (batch, n) -> (batch,); a (batch,) prediction is already one value per sample
      super(g, Arrays.copyOf(pred.shape, Math.max(1, pred.shape.length - 1)), pred, labels);
      if (labels.size() != pred.size()) {
        throw new IllegalArgumentException("loss: labels of shape " + Arrays.toString(labels.shape)
            + " do not match predictions of shape " + Arrays.toString(pred.shape));
      }
      boolean bce = loss.kind() == PointwiseLoss.Kind.BCE
          || loss.kind() == PointwiseLoss.Kind.BCE_LOGITS;
      boolean logitsOfSigmoid = bce && soleActivation(pred, Activation.SIGMOID);
      if (logitsOfSigmoid) {
        ((BiasActivation) pred).lossFused = true; // the gradient arriving there is dLoss/dz
        if (loss.kind() == PointwiseLoss.Kind.BCE_LOGITS) {
          warnFromLogitsOnActivation("binary_crossentropy", "sigmoid");
        }
        loss = new PointwiseLoss(PointwiseLoss.Kind.BCE_LOGITS, loss.labelSmoothing());
      }
      this.labels = labels;
      this.pred = pred;
      this.loss = loss;
      this.input = logitsOfSigmoid ? ((BiasActivation) pred).z : pred.value;
      this.value = g.alloc(shape);
    }

    private int group() {
      return pred.shape.length == 1 ? 1 : pred.cols();
    }

    @Override
    protected void forward() {
      graph.backend().pointwiseLoss(loss, labels.value, input, value, (int) size(), group());
    }

    @Override
    protected void backward() {
      if (!pred.requiresGrad) {
        return;
      }
      sendGrad(pred, t -> graph.backend().pointwiseLossBackward(loss, labels.value, input,
          grad, t, (int) size(), group()));
    }
  }

  /**
   * Keras's reduction of loss values (see dev.nabla.losses.Reduction): the values times their
   * weights (null: 1) and times the values' mask (Node#mask: ignore_class), summed and divided
   * as the reduction says; for "none", the weighted values themselves. {@code weightRepeat}: how
   * many times each given sample weight was repeated to fill the values' shape (Keras's
   * mean_with_sample_weight divides by the sum of the weights as given).
   */
  static final class LossReduction extends ScratchNode {
    private final Node losses, weights, mask;
    private final dev.nabla.losses.Reduction reduction;
    private final double weightRepeat;
    private final Tensor combined, sum; // weights * mask; one float for a weight sum
    private double divisor;
    SoftmaxCrossEntropy fusedInto; // computes this mean (and the gradient) in its forward

    LossReduction(Graph g, Node losses, Node weights, dev.nabla.losses.Reduction reduction,
        double weightRepeat) {
      super(g, reduction.scalar() ? new int[0] : losses.shape, losses, weights);
      if (weights != null && weights.size() != losses.size()) {
        throw new IllegalArgumentException("sample_weight of shape "
            + Arrays.toString(weights.shape) + " does not match the " + losses.size()
            + " loss values of shape " + Arrays.toString(losses.shape));
      }
      this.losses = losses;
      this.weights = weights;
      this.mask = losses.mask;
      this.reduction = reduction;
      this.weightRepeat = weightRepeat;
      this.value = g.alloc(shape);
      this.combined = weights != null && mask != null ? g.alloc(losses.shape) : null;
      this.sum = mask != null
          || weights != null && reduction == dev.nabla.losses.Reduction.MEAN_WITH_SAMPLE_WEIGHT
          ? g.alloc(1) : null;
    }

    boolean plainMean() {
      return weights == null && mask == null
          && (reduction == dev.nabla.losses.Reduction.SUM_OVER_BATCH_SIZE
          || reduction == dev.nabla.losses.Reduction.MEAN);
    }

    /** The weight of each value (null: all 1), computed for this run. */
    private Tensor effectiveWeights() {
      int n = (int) losses.size();
      if (combined != null) {
        graph.backend().binary(Elementwise.Binary.MUL, weights.value, n, mask.value, n, combined,
            n);
        return combined;
      }
      return weights != null ? weights.value : mask != null ? mask.value : null;
    }

    /** Sum of t's n values, read back to the host. */
    private double total(Tensor t, int n) {
      graph.backend().reduceRows(t, null, sum, 1, n, 1);
      return sum.get(0);
    }

    @Override
    protected void forward() {
      if (fusedInto != null) {
        return;
      }
      int n = (int) losses.size();
      Tensor w = effectiveWeights();
      switch (reduction) {
        case NONE:
          if (w == null) {
            graph.backend().copy(losses.value, value, n);
          } else {
            graph.backend().binary(Elementwise.Binary.MUL, losses.value, n, w, n, value, n);
          }
          return;
        case SUM:
          divisor = 1;
          break;
        case SUM_OVER_BATCH_SIZE:
        case MEAN: // the count of values, or of unmasked ones: Keras's apply_mask rescaling
          divisor = mask == null ? n : total(mask.value, n);
          break;
        default: // MEAN_WITH_SAMPLE_WEIGHT
          divisor = mask != null ? total(w, n)
              : weights != null ? total(w, n) / weightRepeat : n;
      }
      graph.backend().reduceRows(losses.value, w, value, 1, n, divisor);
    }

    @Override
    boolean seedsOwnGradient() {
      return fusedInto != null;
    }

    @Override
    protected void backward() {
      if (!losses.requiresGrad) {
        return;
      }
      if (fusedInto != null) {
        losses.claimGrad(); // nothing to write: the loss's forward wrote the gradient below it
        return;
      }
      int n = (int) losses.size();
      Tensor w = combined != null ? combined : weights != null ? weights.value
          : mask != null ? mask.value : null;
      if (reduction == dev.nabla.losses.Reduction.NONE) {
        sendGrad(losses, t -> {
          if (w == null) {
            graph.backend().copy(grad, t, n);
          } else {
            graph.backend().binary(Elementwise.Binary.MUL, grad, n, w, n, t, n);
          }
        });
      } else if (divisor == 0) { // Keras's divide_no_nan: the loss is 0 whatever the values
        sendGrad(losses, t -> graph.backend().fill(t, 0f, n));
      } else {
        sendGrad(losses, t -> graph.backend().scaleRows(grad, w, t, 1, n, (float) divisor));
      }
    }
  }
}

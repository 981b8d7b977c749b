package dev.nabla.backend.cuda;

import dev.nabla.Tensor;
import dev.nabla.backend.Activation;
import dev.nabla.backend.OptimizerRule;
import dev.nabla.backend.Philox;
import dev.nabla.optimizers.Optimizer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;

/**
 * Trains a stack of Dense / Dropout / Activation layers under a softmax cross-entropy loss with
 * everything on the device: the training set is uploaded once; each epoch's order is sorted on
 * the device from Philox keys; each step gathers its batch there, runs forward, backward and the
 * fused optimizer update, and tallies loss and hits in device memory. The host reads the tally
 * only when the progress bar asks for it.
 *
 * <p>With fixed shapes a step is the same launches every time, so it is captured once as a
 * graph and replayed (one for full batches, one for the last partial batch). Everything that
 * changes between steps lives in device memory, never in launch arguments: the batch index
 * (which rows to gather, which hyperparameter row to apply) and the step counter (which dropout
 * mask to draw) are advanced by the step's last kernel, and the optimizer's per-step
 * hyperparameters are a table uploaded once per epoch.
 *
 * <p>Step of a Dense layer, forward: {@code Y = act(X W + b)} in one gemm with the epilogue,
 * {@code z} kept when the activation's derivative needs it; backward: {@code dZ = dY act'(z)},
 * {@code dW = X^T dZ} with {@code db = colsum(dZ)} in the same gemm, {@code dX = dZ W^T} only when
 * a layer below has parameters. A softmax output under a cross-entropy loss is fused as on the
 * CPU: the loss reads the logits and writes dLoss/dlogits.
 */
public final class ResidentTrainer implements AutoCloseable {
  /** One layer of the stack, in model order. Offsets index the model's flat parameters. */
  public record LayerSpec(Kind kind, int width, long kernelOffset, long biasOffset,
      Activation activation, float rate, int index) {
    public enum Kind { DENSE, DROPOUT, ACTIVATION }

    public static LayerSpec dense(int units, long kernelOffset, long biasOffset, Activation act) {
      return new LayerSpec(Kind.DENSE, units, kernelOffset, biasOffset, act, 0f, -1);
    }

    public static LayerSpec dropout(float rate, int layerIndex) {
      return new LayerSpec(Kind.DROPOUT, -1, -1, -1, Activation.LINEAR, rate, layerIndex);
    }

    public static LayerSpec activation(Activation act) {
      return new LayerSpec(Kind.ACTIVATION, -1, -1, -1, act, 0f, -1);
    }
  }

  /** The softmax cross-entropy loss: labels are class indices (sparse) or distributions. */
  public record LossSpec(boolean sparse, boolean fromLogits, float labelSmoothing) {}

  /** Running totals of an epoch: samples seen, summed row losses, argmax hits. */
  public record Tally(long samples, double lossSum, long correct) {
    public double meanLoss() {
      return samples == 0 ? 0 : lossSum / samples;
    }

    public double accuracy() {
      return samples == 0 ? 0 : (double) correct / samples;
    }
  }

  /** Called when the host wants the figures (progress bar, batch callbacks). */
  public interface Progress {
    void at(int stepsDone, Tally tally);
  }

  private final DeviceOps ops;
  private final DeviceArena arena;
  private final List<LayerSpec> layers;
  private final int[] widthIn, widthOut; // per layer, features per sample
  private final int features, classes;
  private final LossSpec loss;
  private final boolean fusedSoftmax; // the last Dense's softmax folded into the loss
  private final int firstParamLayer;
  private final boolean[] dropFused; // per Dropout layer: folded into the gemm epilogues
  private final Optimizer.DeviceStep step;
  private final long dropoutSeed;
  private final int precision;
  private final long paramCount;
  // device state
  private final long params, grads, slot0, slot1, slot2, lambScratch;
  private final long clipSums, clipScales; // per-segment sums of squares and factors, or 0
  private final long counters; // int32 batch index at +0, u64 step at +8
  /** Split-K partial sums for the gemms (1M floats: the first layer's 6 slices of 128 x 128). */
  private static final long SPLIT_K_FLOATS = 1 << 20;
  private final long splitK;
  private final long lossSum, correctSum; // double, u64
  private long trainX, trainY, order, keys, sorted, sortTemp, sortTempBytes, hpTable;
  private int trainRows = -1, hpRows;
  private final List<Plan> plans = new ArrayList<>();
  private boolean captureFailed; // said once
  private long evalX, evalY;
  private int evalRows = -1, evalCapacity;
  private Tensor evalSource; // the tensor evalX holds (validation data comes back each epoch)
  // host staging
  private final LongPointer counterHost = new LongPointer(2);
  private final DoublePointer lossHost = new DoublePointer(1);
  private final LongPointer correctHost = new LongPointer(1);
  private boolean closed;

  /**
   * Uploads the parameters ({@code params}, flat) and the optimizer slots. {@code precision} is
   * NABLA_GEMM_FP32 (0) or NABLA_GEMM_TF32 (1).
   */
  public ResidentTrainer(DeviceOps ops, List<LayerSpec> layers, int features, int classes,
      LossSpec loss, Tensor params, Optimizer.DeviceStep step, long dropoutSeed, int precision) {
    this.ops = ops;
    this.arena = new DeviceArena(ops);
    this.layers = List.copyOf(layers);
    this.features = features;
    this.classes = classes;
    this.loss = loss;
    this.step = step;
    this.dropoutSeed = dropoutSeed;
    this.precision = precision;
    this.paramCount = params.size();
    int n = layers.size();
    widthIn = new int[n];
    widthOut = new int[n];
    int w = features, first = n;
    LayerSpec lastDense = null;
    for (int i = 0; i < n; i++) {
      LayerSpec l = layers.get(i);
      widthIn[i] = w;
      if (l.kind() == LayerSpec.Kind.DENSE) {
        w = l.width();
        first = Math.min(first, i);
        lastDense = l;
      }
      widthOut[i] = w;
    }
    if (w != classes) {
      throw new IllegalArgumentException("the model ends with " + w + " features but the labels "
          + "have " + classes + " classes");
    }
    this.firstParamLayer = first;
    // Dense(act) -> Dropout -> Dense: the dropout runs in the lower Dense's gemm epilogue, and its
    // backward with the lower Dense's activation backward in the upper Dense's dX gemm epilogue
    // (so the lower Dense's own output, never written, is never read either)
    dropFused = new boolean[n];
    for (int i = 1; i + 1 < n; i++) {
      LayerSpec below = layers.get(i - 1);
      dropFused[i] = layers.get(i).kind() == LayerSpec.Kind.DROPOUT
          && below.kind() == LayerSpec.Kind.DENSE && below.activation() != Activation.SOFTMAX
          && below.activation() != Activation.LINEAR
          && layers.get(i + 1).kind() == LayerSpec.Kind.DENSE;
    }
    if (lastDense == null) {
      throw new IllegalArgumentException("the device trainer needs at least one Dense layer");
    }
    // as the CPU graph does: a final softmax (Dense's or an Activation layer's) under a
    // probabilities cross-entropy is computed from the logits, its Jacobian folded into the loss
    this.fusedSoftmax = !loss.fromLogits() && n > 0
        && layers.get(n - 1).activation() == Activation.SOFTMAX
        && layers.get(n - 1).kind() != LayerSpec.Kind.DROPOUT;
    try {
      this.params = arena.allocFloats(paramCount);
      this.grads = arena.allocFloats(paramCount);
      Tensor[] s = step.slots();
      this.slot0 = s.length > 0 ? arena.allocFloats(paramCount) : 0;
      this.slot1 = s.length > 1 ? arena.allocFloats(paramCount) : 0;
      this.slot2 = s.length > 2 ? arena.allocFloats(paramCount) : 0;
      this.lambScratch = step.rule() == OptimizerRule.LAMB
          ? arena.alloc(2L * step.segmentEnds().length * Double.BYTES) : 0;
      int segments = step.segmentEnds().length;
      this.clipSums = step.clipsNorm() ? arena.alloc(8L * segments) : 0;
      this.clipScales = step.clipsNorm() ? arena.alloc(4L * segments) : 0;
      this.counters = arena.alloc(16);
      this.splitK = arena.allocFloats(SPLIT_K_FLOATS);
      this.lossSum = arena.alloc(8);
      this.correctSum = arena.alloc(8);
      ops.upload(this.params, params.pointer(), paramCount * Float.BYTES);
      long[] slotAddr = {slot0, slot1, slot2};
      for (int k = 0; k < s.length; k++) {
        ops.upload(slotAddr[k], s[k].pointer(), paramCount * Float.BYTES);
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Bytes of device memory this trainer holds. */
  public long deviceBytes() {
    return arena.reservedBytes();
  }

  /** Uploads the first {@code rows} samples of x (rows, features) and y once for all epochs. */
  public void uploadTrainingSet(Tensor x, Tensor y, int rows) {
    if (trainRows >= 0) {
      throw new IllegalStateException("the training set is already on the device");
    }
    long labelWidth = loss.sparse() ? 1 : classes;
    if (x.size() < (long) rows * features || y.size() < rows * labelWidth) {
      throw new IllegalArgumentException("training set smaller than " + rows + " samples");
    }
    trainX = arena.allocFloats((long) rows * features);
    trainY = arena.allocFloats(rows * labelWidth);
    order = arena.alloc(4L * rows);
    keys = arena.alloc(8L * rows);
    sorted = arena.alloc(8L * rows);
    sortTempBytes = ops.shuffleScratchBytes(rows);
    sortTemp = arena.alloc(sortTempBytes);
    ops.upload(trainX, x.pointer(), (long) rows * features * Float.BYTES);
    ops.upload(trainY, y.pointer(), rows * labelWidth * Float.BYTES);
    trainRows = rows;
  }

  /**
   * One epoch over the uploaded set in batches of {@code batchSize}: visits samples in the
   * shuffled order of (shuffleSeed, epoch) or in order, takes the optimizer's steps, and calls
   * {@code progress} every {@code reportEvery} steps (0: never) and after the last.
   */
  public Tally epoch(long epoch, boolean shuffle, long shuffleSeed, int batchSize,
      Optimizer optimizer, int reportEvery, Progress progress) {
    if (trainRows < 0) {
      throw new IllegalStateException("upload the training set before training");
    }
    int steps = (trainRows + batchSize - 1) / batchSize;
    long firstStep = optimizer.steps(); // the dropout masks' step of this epoch's first batch
    float[] table = new float[16 * steps];
    optimizer.takeDeviceSteps(table, steps);
    if (steps > hpRows) {
      hpTable = arena.allocFloats(16L * steps);
      hpRows = steps;
    }
    try (FloatPointer t = new FloatPointer(table)) {
      ops.upload(hpTable, t, table.length * (long) Float.BYTES);
    }
    counterHost.put(0, 0L).put(1, firstStep);
    ops.upload(counters, counterHost, 16);
    ops.zero(lossSum, 8);
    ops.zero(correctSum, 8);
    if (shuffle) {
      ops.shuffleOrder(trainRows, shuffleSeed, epoch, keys, sorted, order, sortTemp,
          sortTempBytes);
    } else {
      try (IntPointer identity = new IntPointer(trainRows)) {
        for (int i = 0; i < trainRows; i++) {
          identity.put(i, i);
        }
        ops.upload(order, identity, 4L * trainRows);
      }
    }
    int full = Math.min(batchSize, trainRows), last = trainRows - (steps - 1) * batchSize;
    Plan fullPlan = plan(full, batchSize, true), lastPlan = plan(last, batchSize, true);
    for (int s = 0; s < steps; s++) {
      (s == steps - 1 ? lastPlan : fullPlan).run();
      boolean report = s == steps - 1 || reportEvery > 0 && (s + 1) % reportEvery == 0;
      if (report && progress != null) {
        progress.at(s + 1, tally(Math.min((long) (s + 1) * batchSize, trainRows)));
      }
    }
    return tally(trainRows);
  }

  /**
   * Loss and hits of the model on the first {@code n} samples of (x, y), on the device, without
   * dropout (Keras's evaluate; fit's validation). The set is uploaded on first use and kept while
   * the same tensors come back (each epoch's validation).
   */
  public Tally evaluate(Tensor x, Tensor y, int n, int batchSize) {
    long labelWidth = loss.sparse() ? 1 : classes;
    if (x != evalSource || n != evalRows) {
      if (n > evalCapacity) {
        evalX = arena.allocFloats((long) n * features);
        evalY = arena.allocFloats(n * labelWidth);
        evalCapacity = n;
      }
      ops.upload(evalX, x.pointer(), (long) n * features * Float.BYTES);
      ops.upload(evalY, y.pointer(), n * labelWidth * Float.BYTES);
      evalSource = x;
      evalRows = n;
    }
    ops.zero(lossSum, 8);
    ops.zero(correctSum, 8);
    for (int start = 0; start < n; start += batchSize) {
      int rows = Math.min(batchSize, n - start);
      plan(rows, 0, false).evaluate(start);
    }
    return tally(n);
  }

  /** Reads the device's running loss and hit counts (waits for the stream). */
  private Tally tally(long samples) {
    ops.download(lossHost, lossSum, 8);
    ops.download(correctHost, correctSum, 8);
    return new Tally(samples, lossHost.get(), correctHost.get());
  }

  /** Copies the device's parameters and optimizer slots back into the host buffers. */
  public void downloadState(Tensor hostParams) {
    ops.download(hostParams.pointer(), params, paramCount * Float.BYTES);
    Tensor[] s = step.slots();
    long[] slotAddr = {slot0, slot1, slot2};
    for (int k = 0; k < s.length; k++) {
      ops.download(s[k].pointer(), slotAddr[k], paramCount * Float.BYTES);
    }
  }

  /** The parameters' gradients of the last step, for tests. */
  public void downloadGradients(Tensor hostGrads) {
    ops.download(hostGrads.pointer(), grads, paramCount * Float.BYTES);
  }

  private Plan plan(int rows, int stride, boolean training) {
    for (Plan p : plans) {
      if (p.rows == rows && p.stride == stride && p.training == training) {
        return p;
      }
    }
    Plan p = new Plan(rows, stride, training);
    plans.add(p);
    return p;
  }

  /**
   * The buffers of one batch size: a training step (forward, loss, backward, update; captured as
   * a graph) or an evaluation batch (forward and loss; dropout is the identity, run eagerly).
   */
  private final class Plan {
    final int rows, stride;
    final boolean training;
    final long x, y;
    final long[] out, z, dOut;
    DeviceOps.Graph graph;
    boolean warmed, eager;

    Plan(int rows, int stride, boolean training) {
      this.rows = rows;
      this.stride = stride;
      this.training = training;
      int n = layers.size();
      x = arena.allocFloats((long) rows * features);
      y = arena.allocFloats((long) rows * (loss.sparse() ? 1 : classes));
      out = new long[n];
      z = new long[n];
      dOut = new long[n];
      for (int i = 0; i < n; i++) {
        LayerSpec l = layers.get(i);
        long size = (long) rows * widthOut[i];
        boolean identity = !training && l.kind() == LayerSpec.Kind.DROPOUT;
        out[i] = identity ? input(i) : arena.allocFloats(size); // evaluation: dropout aliases
        dOut[i] = training ? arena.allocFloats(size) : 0;
        // z: for the activation's backward, and for a softmax Dense (a row op after the gemm)
        boolean dense = l.kind() == LayerSpec.Kind.DENSE && !(fusedSoftmax && i == n - 1);
        boolean keepZ = dense && (training ? l.activation() != Activation.LINEAR
            : l.activation() == Activation.SOFTMAX);
        z[i] = keepZ ? arena.allocFloats(size) : 0;
      }
    }

    /**
     * One step. The first runs eagerly (it loads every kernel and settles the runtime's lazy
     * state, which a capture must not see); the second is captured and every later one replays
     * the graph. If the device cannot capture, the step stays eager, said once on stderr.
     */
    void run() {
      if (eager || !warmed) {
        record();
        warmed = true;
        return;
      }
      if (graph == null) {
        try {
          ops.beginCapture();
          try {
            record();
          } finally {
            graph = ops.endCapture();
          }
        } catch (CudaException e) {
          graph = null;
          eager = true;
          if (!captureFailed) {
            captureFailed = true;
            System.err.println("nabla: CUDA graph capture failed (" + e.getMessage()
                + "); running the training step without graphs");
          }
          record(); // the capture ran nothing: this step still has to happen
          return;
        }
      }
      graph.run();
    }

    private long input(int i) {
      return i == 0 ? x : out[i - 1];
    }

    /** An evaluation batch: rows [start, start + rows) of the evaluation set, eagerly. */
    void evaluate(int start) {
      ops.gatherRows(evalX, features, 0, 0, start, 0, rows, x);
      ops.gatherRows(evalY, loss.sparse() ? 1 : classes, 0, 0, start, 0, rows, y);
      forwardAndLoss();
    }

    /**
     * Forward through every layer and the loss (its gradient too when training). Returns the
     * number of layers run: a fused final Activation("softmax") is skipped, the loss reads its
     * input.
     */
    private int forwardAndLoss() {
      int n = layers.size();
      int top = fusedSoftmax && layers.get(n - 1).kind() == LayerSpec.Kind.ACTIVATION ? n - 1 : n;
      for (int i = 0; i < top; i++) {
        forward(i);
      }
      ops.softmaxXent(out[top - 1], y, 0, training ? dOut[top - 1] : 0, rows, classes,
          loss.sparse(), loss.fromLogits() || fusedSoftmax, loss.labelSmoothing(),
          training ? 1f / rows : 1f, lossSum, correctSum);
      return top;
    }

    /** The launches of one step, in order (recorded once, replayed every step). */
    private void record() {
      ops.gatherRows(trainX, features, order, counters, 0, stride, rows, x);
      ops.gatherRows(trainY, loss.sparse() ? 1 : classes, order, counters, 0, stride, rows, y);
      int top = forwardAndLoss();
      for (int i = top - 1; i >= 0; i--) {
        backward(i);
      }
      if (step.clipsNorm()) { // clipnorm / global_clipnorm: factors from this step's gradients
        ops.segmentSumSquares(grads, step.segmentEnds(), clipSums);
        ops.clipScales(clipSums, step.segmentEnds().length, step.pre(), step.clipnorm(),
            step.globalClipnorm(), clipScales);
      }
      ops.optimizerStepTable(step.rule().ordinal(), hpTable, counters, params, grads, slot0,
          slot1, slot2, step.segmentEnds(), step.gscale(), clipScales, step.wd(),
          step.clipValue(), lambScratch);
      ops.advance(counters, counters + 8);
    }

    private void forward(int i) {
      LayerSpec l = layers.get(i);
      if (l.kind() == LayerSpec.Kind.DROPOUT && (!training || dropFused[i])) {
        return; // the identity (its buffer is its input's), or done in the Dense's epilogue
      }
      long in = input(i);
      int wi = widthIn[i], wo = widthOut[i];
      int act = l.activation().ordinal();
      switch (l.kind()) {
        case DENSE: {
          long w = params + 4 * l.kernelOffset();
          long b = l.biasOffset() < 0 ? 0 : params + 4 * l.biasOffset();
          int lin = Activation.LINEAR.ordinal();
          if (l.activation() == Activation.LINEAR || fusedSoftmax && i == layers.size() - 1) {
            ops.gemm(false, false, rows, wo, wi, 1f, in, w, 0f, out[i],
                DeviceOps.Epilogue.dense(b, 0, lin, 0f, 0), splitK, SPLIT_K_FLOATS, precision);
          } else if (l.activation() == Activation.SOFTMAX) { // a row op: its own kernel
            ops.gemm(false, false, rows, wo, wi, 1f, in, w, 0f, z[i],
                DeviceOps.Epilogue.dense(b, 0, lin, 0f, 0), splitK, SPLIT_K_FLOATS, precision);
            ops.biasActForward(z[i], 0, z[i], out[i], rows, wo, act, 0f);
          } else {
            DeviceOps.Epilogue e = DeviceOps.Epilogue.dense(b, z[i], act,
                Activation.LEAKY_RELU_SLOPE, 0);
            if (training && i + 1 < layers.size() && dropFused[i + 1]) { // dropout(act(XW + b))
              LayerSpec d = layers.get(i + 1);
              ops.gemm(false, false, rows, wo, wi, 1f, in, w, 0f, out[i + 1],
                  e.dropout(dropoutSeed, counters + 8, d.index(), Philox.threshold(d.rate()),
                      1f / (1f - d.rate())), splitK, SPLIT_K_FLOATS, precision);
            } else {
              ops.gemm(false, false, rows, wo, wi, 1f, in, w, 0f, out[i], e, splitK, SPLIT_K_FLOATS, precision);
            }
          }
          break;
        }
        case DROPOUT:
          ops.dropout(in, out[i], (long) rows * wo, dropoutSeed, 0, counters + 8, l.index(),
              Philox.threshold(l.rate()), 1f / (1f - l.rate()));
          break;
        case ACTIVATION:
          ops.biasActForward(in, 0, in, out[i], rows, wo, act, Activation.LEAKY_RELU_SLOPE);
          break;
        default:
          throw new IllegalStateException(l.kind().toString());
      }
    }

    private void backward(int i) {
      LayerSpec l = layers.get(i);
      long in = input(i), g = dOut[i];
      boolean needDx = i > firstParamLayer;
      long dIn = i > 0 ? dOut[i - 1] : 0;
      int wi = widthIn[i], wo = widthOut[i];
      int act = l.activation().ordinal();
      switch (l.kind()) {
        case DENSE: {
          boolean fused = fusedSoftmax && i == layers.size() - 1;
          boolean dzReady = i + 1 < layers.size() && dropFused[i + 1]; // the layer above made dZ
          if (!fused && !dzReady && l.activation() != Activation.LINEAR) {
            ops.actBackward(z[i], out[i], g, g, rows, wo, act, Activation.LEAKY_RELU_SLOPE);
          }
          long dw = grads + 4 * l.kernelOffset();
          long db = l.biasOffset() < 0 ? 0 : grads + 4 * l.biasOffset();
          int lin = Activation.LINEAR.ordinal();
          ops.gemm(true, false, wi, wo, rows, 1f, in, g, 0f, dw,
              DeviceOps.Epilogue.dense(0, 0, lin, 0f, db), splitK, SPLIT_K_FLOATS, precision);
          if (needDx) {
            long w = params + 4 * l.kernelOffset();
            if (i >= 2 && dropFused[i - 1]) { // dZ below = dropout'(dZ W^T) * act'(z below)
              LayerSpec d = layers.get(i - 1), below = layers.get(i - 2);
              DeviceOps.Epilogue e = DeviceOps.Epilogue.dense(0, 0, lin, 0f, 0).dropout(
                  dropoutSeed, counters + 8, d.index(), Philox.threshold(d.rate()),
                  1f / (1f - d.rate()));
              if (below.activation() != Activation.LINEAR) {
                e = e.activationBackward(z[i - 2], below.activation().ordinal(),
                    Activation.LEAKY_RELU_SLOPE);
              }
              ops.gemm(false, true, rows, wi, wo, 1f, g, w, 0f, dOut[i - 2], e, splitK, SPLIT_K_FLOATS, precision);
            } else {
              ops.gemm(false, true, rows, wi, wo, 1f, g, w, 0f, dIn,
                  DeviceOps.Epilogue.NONE, splitK, SPLIT_K_FLOATS, precision);
            }
          }
          break;
        }
        case DROPOUT:
          if (needDx && !dropFused[i]) {
            ops.dropout(g, dIn, (long) rows * wo, dropoutSeed, 0, counters + 8, l.index(),
                Philox.threshold(l.rate()), 1f / (1f - l.rate()));
          }
          break;
        case ACTIVATION:
          if (needDx) {
            ops.actBackward(in, out[i], g, dIn, rows, wo, act, Activation.LEAKY_RELU_SLOPE);
          }
          break;
        default:
          throw new IllegalStateException(l.kind().toString());
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Plan p : plans) {
      if (p.graph != null) {
        p.graph.close();
      }
    }
    plans.clear();
    arena.close();
    counterHost.close();
    lossHost.close();
    correctHost.close();
  }
}

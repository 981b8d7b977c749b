package dev.nabla.backend;

import dev.nabla.Device;
import dev.nabla.Tensor;

/**
 * The op set the autodiff graph needs. Tensors passed in live on this backend's {@link #device()}
 * (host memory for the Java and CPU backends, device memory for CUDA); the graph checks that when
 * it is planned, and checks shapes, so implementations only assert what is cheap.
 *
 * <p>Kernels that overwrite their output take it last; "accumulate" variants add into it. The
 * Java backend is the reference for every op; each native op is tested against it.
 *
 * <p>Implementations say whether they are thread-safe. The three shipped ones ({@link JavaBackend},
 * {@link CpuBackend}, {@link dev.nabla.backend.cuda.CudaBackend}) are: any number of threads may
 * run ops on one backend at once, on tensors that no two of them write at the same time.
 */
public interface Backend {
  /** "java", "cpu", "cuda" or "cuda-emulated". */
  String name();

  /** One line for logs and `info`: what this backend runs on. */
  String describe();

  /** Where this backend's tensors live. */
  default Device device() {
    return Device.HOST;
  }

  /** A new zero-filled tensor on this backend's device. */
  default Tensor zeros(int... shape) {
    return Tensor.zeros(device(), shape);
  }

  /** Fails with a message naming both devices unless {@code t} lives on this backend's device. */
  default void requireDevice(Tensor t, String what) {
    if (t != null && t.device() != device()) {
      throw new IllegalArgumentException(what + " lives on " + t.device().name() + " but the "
          + name() + " backend computes on " + device().name() + ": move it with "
          + "tensor.to(device) or build the model on " + t.device().name());
    }
  }

  /** C (m x n) = alpha * op(A) (m x k) * op(B) (k x n) + beta * C, row-major, op = transpose or not. */
  void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, Tensor b,
      float beta, Tensor c);

  /**
   * Whether {@link #gemmEpilogue} runs as one fused kernel. The graph fuses a Dense layer's
   * matmul, bias, activation and dropout (and their backward) into it only on such backends;
   * elsewhere it runs the ops one by one, which is what the default below composes.
   */
  default boolean fusesEpilogues() {
    return false;
  }

  /**
   * C (m x n) = op(A) op(B) followed by {@code e} (see {@link MatmulEpilogue}); dropout masks at
   * (seed, step). This default is the reference: the unfused ops in the epilogue's order (db
   * needs an untransposed B).
   */
  default void gemmEpilogue(boolean transA, boolean transB, int m, int n, int k, Tensor a,
      Tensor b, Tensor c, MatmulEpilogue e, long seed, long step) {
    gemm(transA, transB, m, n, k, 1f, a, b, 0f, c);
    if (e.db() != null) {
      if (transB) {
        throw new IllegalArgumentException("gemmEpilogue: db needs an untransposed B");
      }
      biasGrad(b, e.db(), k, n);
    }
    if (e.bias() != null || e.z() != null || e.act() != Activation.LINEAR) {
      biasActForward(c, e.bias(), e.z() != null ? e.z() : c, c, m, n, e.act(),
          e.act().defaultAlpha());
    }
    if (e.dropRate() > 0f) {
      dropout(c, c, (long) m * n, seed, step, e.dropStream(), e.dropRate());
    }
    if (e.bwdZ() != null) {
      try (Tensor z = zeros(m, n); Tensor y = zeros(m, n)) {
        biasActForward(e.bwdZ(), null, z, y, m, n, e.bwdAct(), e.bwdAct().defaultAlpha());
        actBackward(e.bwdZ(), y, c, c, m, n, e.bwdAct(), e.bwdAct().defaultAlpha());
      }
    }
  }

  /** z = x + bias (per column; bias may be null), y = act(z). z may be x; y may be z. */
  void biasActForward(Tensor x, Tensor bias, Tensor z, Tensor y, int rows, int cols,
      Activation act, float alpha);

  /** dz = dy * act'(z) (softmax: the row Jacobian, from y). dz may be dy. */
  void actBackward(Tensor z, Tensor y, Tensor dy, Tensor dz, int rows, int cols, Activation act,
      float alpha);

  /** db = column sums of dz (overwrites). */
  void biasGrad(Tensor dz, Tensor db, int rows, int cols);

  /**
   * Fused softmax cross-entropy over (rows, cols) predictions; see nabla_softmax_xent in
   * native/include/nabla/kernels.h. rowLoss and grad may be null; correct (length >= 1, may be
   * null) receives the count of rows whose argmax matches the label. Returns the summed loss.
   */
  double softmaxXent(Tensor pred, Tensor labels, Tensor rowLoss, Tensor grad, int rows, int cols,
      boolean sparse, boolean fromLogits, float labelSmoothing, float gradScale, long[] correct);

  /** y = Philox keep-mask(seed, step, stream) * x / (1 - rate); also the backward pass. */
  void dropout(Tensor x, Tensor y, long n, long seed, long step, int stream, float rate);

  /**
   * One fused optimizer step over a flat buffer (see nabla_optimizer_step): per element, scale
   * the gradient by its segment's gscale, clip to clipValue when > 0, apply decoupled weight
   * decay w -= w * wd[s] * decayLr, then the rule. Slots the rule does not use may be null.
   */
  void optimizerStep(OptimizerRule rule, float[] hp, Tensor w, Tensor g, Tensor s0, Tensor s1,
      Tensor s2, Segments segments, float decayLr, float clipValue);

  /** out[s] = sum of squares of x over each segment, in double. */
  void segmentSumSquares(Tensor x, Segments segments, double[] out);

  /** y += a * x over n values. */
  void axpy(Tensor y, Tensor x, float a, long n);

  /** avg = momentum * avg + (1 - momentum) * w over n values. */
  void emaUpdate(Tensor avg, Tensor w, float momentum, long n);

  // ---- the light ops (custom losses, loss reductions, gradient plumbing) ---------------------

  /** dst = src over n values. */
  void copy(Tensor src, Tensor dst, long n);

  /** t = value over n values. */
  void fill(Tensor t, float value, long n);

  /** y = op(x) over n values with constant c (see {@link Elementwise.Unary}). */
  void unary(Elementwise.Unary op, Tensor x, Tensor y, long n, float c);

  /** out = g * op'(x) over n values. */
  void unaryBackward(Elementwise.Unary op, Tensor x, Tensor g, Tensor out, long n, float c);

  /** y[i] = a[i % na] op b[i % nb] for i &lt; n. */
  void binary(Elementwise.Binary op, Tensor a, long na, Tensor b, long nb, Tensor y, long n);

  /**
   * out[j] = sign * sum over i = j, j + m, ... &lt; n of g[i] * other[i % otherSize] (other may be
   * null: 1), summed in double: the gradient of a broadcast operand of m values.
   */
  void binaryGrad(Tensor g, Tensor other, long otherSize, Tensor out, long m, long n, float sign);

  /** y[r] = (sum over the r-th group of x, times w when not null) / divisor, in double. */
  void reduceRows(Tensor x, Tensor w, Tensor y, int rows, int group, double divisor);

  /** out[i] = (g[i / group] / divisor) * m[i] (m may be null: 1) for i &lt; rows * group. */
  void scaleRows(Tensor g, Tensor m, Tensor out, int rows, int group, float divisor);

  /** loss[r] = mean over the r-th group of loss.value(y, p), in double. */
  void pointwiseLoss(PointwiseLoss loss, Tensor y, Tensor p, Tensor out, int rows, int group);

  /** out[i] = g[i / group] * loss.derivative(y[i], p[i]) / group. */
  void pointwiseLossBackward(PointwiseLoss loss, Tensor y, Tensor p, Tensor g, Tensor out,
      int rows, int group);

  // ---- runs of training steps: per-step values in the backend's memory; capture ---------------

  /**
   * Whether fit runs its epochs as step runs on this backend: the training set in the backend's
   * memory, batches gathered there, the step's per-step values (dropout step, batch index, the
   * optimizer's hyperparameters) read by the kernels from the backend's memory, and the loss and
   * argmax hits summed there. A device backend says yes; the host backends run the same step
   * code with those values passed as arguments.
   */
  default boolean runsStepsOnDevice() {
    return false;
  }

  /**
   * Whether a step run is active on the calling thread: then sums such as
   * {@link #softmaxXent}'s stay in the run's tallies on the device and the call returns NaN
   * (not a loss). Host backends never are.
   */
  default boolean inStepRun() {
    return false;
  }

  /**
   * A run of steps: its own counters (step for dropout masks, batch index), visiting order,
   * table of optimizer hyperparameter rows (16 floats a step; float 15: the weight-decay learning
   * rate) and tallies (summed loss, argmax hits), in the backend's memory at addresses fixed for
   * the run's life, so a step captured in one epoch replays in the next. While a run is
   * {@link #begin begun} and not paused, a device backend's dropout and optimizer kernels read
   * its values and ignore the ones passed as arguments, gatherBatch reads its order and batch
   * index, and softmaxXent adds into its tallies and returns NaN. Only one run is active at a
   * time; another run (an evaluate inside a callback) has its own memory.
   */
  interface StepRun extends AutoCloseable {
    /** Arms the run: counters at (batch 0, firstStep), the order and rows uploaded, tallies 0. */
    void begin(long firstStep, int[] order, float[] hyperparameterRows);

    /** Ends one step: advances the step counter and the batch index (one kernel). */
    void endStep();

    /** The summed loss and argmax hits since begin (waits for the device). */
    double[] readTally();

    /** Lets calls made outside the run's steps (callbacks) take their arguments again. */
    void pause();

    void resume();

    /** Deactivates the run (until the next begin). */
    void end();

    /** Frees the run's memory. */
    @Override
    void close();
  }

  /**
   * A run for up to {@code orderCapacity} samples and {@code tableRows} steps. The host
   * backends' runs keep nothing: their kernels take the step's values as arguments.
   */
  default StepRun openRun(int orderCapacity, int tableRows) {
    return new StepRun() {
      @Override
      public void begin(long firstStep, int[] order, float[] hyperparameterRows) {}

      @Override
      public void endStep() {}

      @Override
      public double[] readTally() {
        throw new UnsupportedOperationException(name() + " keeps no tallies");
      }

      @Override
      public void pause() {}

      @Override
      public void resume() {}

      @Override
      public void end() {}

      @Override
      public void close() {}
    };
  }

  /**
   * dst rows r &lt; rows = src rows order[batch * batchSize + r] (each {@code width} values). In a
   * step run a device backend reads the batch index from its counter and the order it was given.
   */
  default void gatherBatch(Tensor src, int width, int[] order, int batch, int batchSize,
      int rows, Tensor dst) {
    gatherOnHost(src, width, order, batch * batchSize, rows, dst);
  }

  /** Host tensors: dst rows r &lt; rows = src rows order[start + r] (each {@code width} values). */
  static void gatherOnHost(Tensor src, int width, int[] order, int start, int rows, Tensor dst) {
    if (NativeGather.AVAILABLE) { // prefetches rows ahead: the copy is DRAM-latency bound
      NativeGather.gather(src, width, order, start, rows, dst);
      return;
    }
    java.nio.FloatBuffer s = src.buffer(), d = dst.buffer();
    for (int r = 0; r < rows; r++) {
      d.put(r * width, s, order[start + r] * width, width);
    }
  }

  /** A recorded sequence of this backend's launches, replayed as recorded (a CUDA graph). */
  interface CapturedStep extends AutoCloseable {
    void replay();

    @Override
    void close();
  }

  /**
   * Records the launches {@code step} makes, without running them, as a step to replay; null
   * where this backend cannot capture. A failed capture throws (the caller runs eagerly).
   */
  default CapturedStep capture(Runnable step) {
    return null;
  }

  /** Sets the threads this backend's kernels may use (the CPU backend's own helper threads). */
  default void setThreads(int threads) {}

  default int threads() {
    return 1;
  }
}

package dev.nabla.backend.cuda;

import dev.nabla.Device;
import dev.nabla.Tensor;
import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Elementwise;
import dev.nabla.backend.MatmulEpilogue;
import dev.nabla.backend.OptimizerRule;
import dev.nabla.backend.Philox;
import dev.nabla.backend.PointwiseLoss;
import dev.nabla.backend.Segments;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The CUDA backend: the graph's ops as native/cuda's kernels over tensors in device memory. The
 * same class runs the GPU ({@link CudaOps}) and the CPU emulator of the same kernels
 * ({@link EmulatedCudaOps}, the device name "cuda-emulated").
 *
 * <p>Kernels are queued on one stream; nothing waits for them except the calls that return a
 * value to the host (softmaxXent's summed loss and hit count, segmentSumSquares) and downloads.
 * Per-step values (the optimizer's hyperparameters) travel through device memory, never launch
 * arguments, so a captured sequence of these calls replays correctly.
 *
 * <p>One per device for the process (see {@link dev.nabla.backend.Backends}), like a CUDA
 * context: it holds its scratch until the process ends.
 *
 * <p>Thread-safe: any number of threads (and models) may use one device at once. The device has
 * one stream; each call's launches are queued whole under the device's lock ({@link SerialOps}),
 * and the calls that share scratch (a loss read back, a hyperparameter row, a capture) hold the
 * lock until they are done, so callers never see each other's values. What runs side by side is
 * the callers' host work; their kernels take turns on the one stream (a stream per caller is not
 * done). A step run's {@link StepRun#begin begin} activates it for the calling thread only, and
 * the matmul precision ({@link #setMatmulPrecision}) is the calling thread's: models set theirs
 * before each use.
 */
public final class CudaBackend implements Backend {
  /** Split-K partial sums for long-k products with few output tiles (MNIST's first layer). */
  private static final long SPLIT_K_FLOATS = 1 << 20;
  private final DeviceOps raw; // what ops() hands out (tests reach the emulator's counters)
  private final SerialOps ops; // every launch goes through the device's lock
  private final String name;
  private final Device device;
  // NABLA_GEMM_FP32 (0) or NABLA_GEMM_TF32 (1), per thread: each model sets its own before use
  private final ThreadLocal<Integer> precision = ThreadLocal.withInitial(() -> 0);
  // device scratch: split-K workspace, hyperparameter row (16 floats) and its index (int 0),
  // loss sum (double) and hit count (u64), segment sums (doubles) and Lamb's scratch
  private final long workspace, hpRow, hpIndex, lossSum, correctSum;
  // the step run whose values the calling thread's kernels read (none: null); per thread, so a
  // prediction on another thread during a fit never reads the fit's counters or tallies
  private final ThreadLocal<Run> active = new ThreadLocal<>();
  private final long sums, lambScratch;
  private final FloatPointer hpHost = new FloatPointer(16);
  private final DoublePointer doubleHost = new DoublePointer(1);
  private final LongPointer longHost = new LongPointer(1);

  /** The most variables one fused optimizer launch takes (NABLA_CUDA_MAX_SEGMENTS). */
  public static final int MAX_SEGMENTS = 64;

  /** A backend over {@code ops}, which it owns for the process's life. */
  public CudaBackend(String name, DeviceOps ops) {
    this.raw = ops;
    this.ops = new SerialOps(ops);
    this.name = name;
    this.device = new DeviceMemory(name.equals("cuda") ? "cuda:0" : name, this.ops);
    workspace = this.ops.malloc(SPLIT_K_FLOATS * Float.BYTES);
    hpRow = this.ops.malloc(16 * Float.BYTES);
    hpIndex = this.ops.malloc(Integer.BYTES);
    lossSum = this.ops.malloc(Double.BYTES);
    correctSum = this.ops.malloc(Long.BYTES);
    this.ops.zero(hpIndex, Integer.BYTES);
    // the most segments a launch takes, allocated once: never reallocated under a capture
    sums = this.ops.malloc((long) MAX_SEGMENTS * Double.BYTES);
    lambScratch = this.ops.malloc(2L * MAX_SEGMENTS * Double.BYTES);
  }

  /**
   * The device ops this backend launches on (memory, stream, capture), without the device's
   * lock: for tests and benchmarks on one thread.
   */
  public DeviceOps ops() {
    return raw;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String describe() {
    return ops.describe();
  }

  @Override
  public Device device() {
    return device;
  }

  /**
   * The matmul's precision for the calling thread's launches: 0 fp32 (default), 1 tf32 (tensor
   * cores, about 1e-3 relative).
   */
  public void setMatmulPrecision(int precision) {
    this.precision.set(precision);
  }

  private static long a(Tensor t) {
    return t == null ? 0 : t.address();
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a,
      Tensor b, float beta, Tensor c) {
    ops.gemm(transA, transB, m, n, k, alpha, a(a), a(b), beta, a(c), DeviceOps.Epilogue.NONE,
        workspace, SPLIT_K_FLOATS, precision.get());
  }

  @Override
  public boolean fusesEpilogues() {
    return true;
  }

  @Override
  public void gemmEpilogue(boolean transA, boolean transB, int m, int n, int k, Tensor a,
      Tensor b, Tensor c, MatmulEpilogue e, long seed, long step) {
    float rate = e.dropRate();
    // an epilogue's activation takes its default parameter (leaky_relu 0.2, elu 1): the graph
    // fuses no activation with another one
    DeviceOps.Epilogue d = new DeviceOps.Epilogue(a(e.bias()), a(e.z()), e.act().ordinal(),
        e.act().defaultAlpha(), a(e.db()), rate > 0f ? 1f / (1f - rate) : 0f, seed, step,
        stepDev(), e.dropStream(), rate > 0f ? Philox.threshold(rate) : 0, a(e.bwdZ()),
        e.bwdAct().ordinal(), e.bwdAct().defaultAlpha());
    ops.gemm(transA, transB, m, n, k, 1f, a(a), a(b), 0f, a(c), d, workspace, SPLIT_K_FLOATS,
        precision.get());
  }

  @Override
  public void biasActForward(Tensor x, Tensor bias, Tensor z, Tensor y, int rows, int cols,
      Activation act, float alpha) {
    ops.biasActForward(a(x), a(bias), a(z), a(y), rows, cols, act.ordinal(), alpha);
  }

  @Override
  public void actBackward(Tensor z, Tensor y, Tensor dy, Tensor dz, int rows, int cols,
      Activation act, float alpha) {
    ops.actBackward(a(z), a(y), a(dy), a(dz), rows, cols, act.ordinal(), alpha);
  }

  @Override
  public void biasGrad(Tensor dz, Tensor db, int rows, int cols) {
    ops.biasGrad(a(dz), a(db), rows, cols);
  }

  @Override
  public double softmaxXent(Tensor pred, Tensor labels, Tensor rowLoss, Tensor grad, int rows,
      int cols, boolean sparse, boolean fromLogits, float labelSmoothing, float gradScale,
      long[] correct) {
    Run run = current();
    if (run != null) { // the sums stay in the run's tallies: no wait, capturable
      ops.softmaxXent(a(pred), a(labels), a(rowLoss), a(grad), rows, cols, sparse, fromLogits,
          labelSmoothing, gradScale, run.lossSum, run.correctSum);
      return Double.NaN;
    }
    ops.lock().lock(); // the sums' scratch is the backend's: one caller from zero to read
    try {
      ops.zero(lossSum, Double.BYTES);
      ops.zero(correctSum, Long.BYTES);
      ops.softmaxXent(a(pred), a(labels), a(rowLoss), a(grad), rows, cols, sparse, fromLogits,
          labelSmoothing, gradScale, lossSum, correctSum);
      ops.download(doubleHost, lossSum, Double.BYTES);
      if (correct != null) {
        ops.download(longHost, correctSum, Long.BYTES);
        correct[0] = longHost.get(0);
      }
      return doubleHost.get(0);
    } finally {
      ops.lock().unlock();
    }
  }

  @Override
  public void dropout(Tensor x, Tensor y, long n, long seed, long step, int stream, float rate) {
    ops.dropout(a(x), a(y), n, seed, step, stepDev(), stream, Philox.threshold(rate),
        1f / (1f - rate));
  }

  @Override
  public void optimizerStep(OptimizerRule rule, float[] hp, Tensor w, Tensor g, Tensor s0,
      Tensor s1, Tensor s2, Segments segments, float decayLr, float clipValue) {
    int nseg = segments.count();
    if (nseg > MAX_SEGMENTS) {
      throw new IllegalArgumentException("the cuda optimizer step takes at most " + MAX_SEGMENTS
          + " variables in one group, got " + nseg);
    }
    Run run = current();
    ops.lock().lock(); // the hyperparameter row and Lamb's scratch are the backend's
    try {
      long rows = run == null ? 0 : run.table; // in a run: row [batch index] of its table
      long index = run == null ? 0 : run.counters;
      if (run == null) {
        // the row's float 15 is the weight-decay learning rate (nabla_cuda_optimizer_step_table)
        hpHost.put(hp, 0, 15).put(15, decayLr);
        ops.upload(hpRow, hpHost, 16 * Float.BYTES);
        rows = hpRow;
        index = hpIndex;
      }
      ops.optimizerStepTable(rule.ordinal(), rows, index, a(w), a(g), a(s0), a(s1), a(s2),
          segments.ends(), segments.gscale, 0, segments.wd, clipValue, lambScratch);
    } finally {
      ops.lock().unlock();
    }
  }

  @Override
  public void segmentSumSquares(Tensor x, Segments segments, double[] out) {
    int nseg = segments.count();
    if (nseg > MAX_SEGMENTS) {
      throw new IllegalArgumentException("the cuda backend sums at most " + MAX_SEGMENTS
          + " segments in one call, got " + nseg);
    }
    ops.lock().lock(); // the sums' scratch is the backend's: one caller from launch to read
    try (DoublePointer host = new DoublePointer(nseg)) {
      ops.segmentSumSquares(a(x), segments.ends(), sums);
      ops.download(host, sums, (long) nseg * Double.BYTES);
      host.get(out, 0, nseg);
    } finally {
      ops.lock().unlock();
    }
  }


  @Override
  public void axpy(Tensor y, Tensor x, float alpha, long n) {
    ops.axpy(a(y), a(x), alpha, n);
  }

  @Override
  public void emaUpdate(Tensor avg, Tensor w, float momentum, long n) {
    ops.emaUpdate(a(avg), a(w), momentum, n);
  }

  // ---- step runs and capture -----------------------------------------------------------------

  @Override
  public boolean runsStepsOnDevice() {
    return true;
  }

  /** The calling thread's begun, open step run, or null. */
  @Override
  public boolean inStepRun() {
    return current() != null;
  }

  private Run current() {
    Run run = active.get();
    return run != null && run.begun && !run.closed ? run : null;
  }

  /** Where dropout reads the training step: 0 = the value passed, else the active run's. */
  private long stepDev() {
    Run run = current();
    return run == null ? 0 : run.counters + 8;
  }

  @Override
  public StepRun openRun(int orderCapacity, int tableRows) {
    return new Run(orderCapacity, tableRows);
  }

  /** A run's device memory: counters (int32 batch at +0, u64 step at +8), order, table, tallies. */
  private final class Run implements StepRun {
    final long counters, order, table, lossSum, correctSum;
    final int orderCapacity, tableRows;
    private volatile boolean begun, closed;

    Run(int orderCapacity, int tableRows) {
      this.orderCapacity = orderCapacity;
      this.tableRows = tableRows;
      long[] blocks = new long[5];
      long[] sizes = {16, 4L * Math.max(1, orderCapacity), 64L * Math.max(1, tableRows),
          Double.BYTES, Long.BYTES};
      try {
        for (int i = 0; i < blocks.length; i++) {
          blocks[i] = ops.malloc(sizes[i]);
        }
      } catch (RuntimeException e) {
        for (long b : blocks) {
          ops.free(b); // 0 for the ones not allocated: a no-op
        }
        throw e;
      }
      counters = blocks[0];
      order = blocks[1];
      table = blocks[2];
      lossSum = blocks[3];
      correctSum = blocks[4];
    }

    @Override
    public void begin(long firstStep, int[] visit, float[] rows) {
      if (closed) {
        throw new IllegalStateException("step run is closed: its memory was freed");
      }
      if (visit.length > orderCapacity || rows.length > 16L * tableRows) {
        throw new IllegalArgumentException("step run sized for " + orderCapacity + " samples and "
            + tableRows + " steps, given " + visit.length + " and " + rows.length / 16);
      }
      try (IntPointer o = new IntPointer(visit); FloatPointer t = new FloatPointer(rows);
          LongPointer c = new LongPointer(2)) {
        ops.upload(order, o, 4L * visit.length);
        if (rows.length > 0) {
          ops.upload(table, t, 4L * rows.length);
        }
        c.put(0, 0L).put(1, firstStep); // batch 0 (int32 at +0, upper half padding), the step
        ops.upload(counters, c, 16);
      }
      ops.zero(lossSum, Double.BYTES);
      ops.zero(correctSum, Long.BYTES);
      begun = true;
      active.set(this);
    }

    @Override
    public void endStep() {
      ops.advance(counters, counters + 8);
    }

    @Override
    public double[] readTally() {
      ops.lock().lock(); // the host words it reads into are the backend's
      try {
        ops.download(doubleHost, lossSum, Double.BYTES);
        ops.download(longHost, correctSum, Long.BYTES);
        return new double[] {doubleHost.get(0), longHost.get(0)};
      } finally {
        ops.lock().unlock();
      }
    }

    @Override
    public void pause() {
      if (active.get() == this) {
        active.remove();
      }
    }

    @Override
    public void resume() {
      if (begun) {
        active.set(this);
      }
    }

    @Override
    public void end() {
      begun = false;
      pause();
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      end();
      ops.synchronize();
      for (long p : new long[] {counters, order, table, lossSum, correctSum}) {
        ops.free(p);
      }
    }
  }

  @Override
  public void gatherBatch(Tensor src, int width, int[] visit, int batch, int batchSize, int rows,
      Tensor dst) {
    Run run = current();
    if (run == null) {
      throw new IllegalStateException("gatherBatch on " + name + " needs an active step run");
    }
    ops.gatherRows(a(src), width, run.order, run.counters, 0, batchSize, rows, a(dst));
  }

  @Override
  public CapturedStep capture(Runnable step) {
    ops.beginCapture();
    RuntimeException failure = null;
    DeviceOps.Graph graph = null;
    try {
      step.run();
    } catch (RuntimeException e) {
      failure = e;
    }
    try {
      graph = ops.endCapture(); // ends the capture on every path, the failed one too
    } catch (RuntimeException e) {
      failure = failure == null ? e : failure;
    }
    if (failure != null) {
      if (graph != null) {
        graph.close(); // recorded half a step: never replayed, never leaked
      }
      throw failure;
    }
    DeviceOps.Graph g = graph;
    return new CapturedStep() {
      @Override
      public void replay() {
        g.run();
      }

      @Override
      public void close() {
        g.close();
      }
    };
  }

  // ---- the light ops -------------------------------------------------------------------------

  @Override
  public void copy(Tensor src, Tensor dst, long n) {
    ops.copy(a(dst), a(src), n * Float.BYTES);
  }

  @Override
  public void fill(Tensor t, float value, long n) {
    ops.fill(a(t), value, n);
  }

  @Override
  public void unary(Elementwise.Unary op, Tensor x, Tensor y, long n, float c) {
    ops.unary(op.ordinal(), a(x), a(y), n, c);
  }

  @Override
  public void unaryBackward(Elementwise.Unary op, Tensor x, Tensor g, Tensor out, long n,
      float c) {
    ops.unaryBackward(op.ordinal(), a(x), a(g), a(out), n, c);
  }

  @Override
  public void binary(Elementwise.Binary op, Tensor x, long na, Tensor y, long nb, Tensor out,
      long n) {
    ops.binary(op.ordinal(), a(x), na, a(y), nb, a(out), n);
  }

  @Override
  public void binaryGrad(Tensor g, Tensor other, long otherSize, Tensor out, long m, long n,
      float sign) {
    ops.binaryGrad(a(g), a(other), otherSize, a(out), m, n, sign);
  }

  @Override
  public void reduceRows(Tensor x, Tensor w, Tensor y, int rows, int group, double divisor) {
    ops.reduceRows(a(x), a(w), a(y), rows, group, divisor);
  }

  @Override
  public void scaleRows(Tensor g, Tensor m, Tensor out, int rows, int group, float divisor) {
    ops.scaleRows(a(g), a(m), a(out), rows, group, divisor);
  }

  @Override
  public void pointwiseLoss(PointwiseLoss loss, Tensor y, Tensor p, Tensor out, int rows,
      int group) {
    ops.pointwiseLoss(loss.kind().ordinal(), loss.labelSmoothing(), a(y), a(p), a(out), rows,
        group);
  }

  @Override
  public void pointwiseLossBackward(PointwiseLoss loss, Tensor y, Tensor p, Tensor g, Tensor out,
      int rows, int group) {
    ops.pointwiseLossBackward(loss.kind().ordinal(), loss.labelSmoothing(), a(y), a(p), a(g),
        a(out), rows, group);
  }

  /** A device's memory as the tensors see it, through the backend's ops. */
  private static final class DeviceMemory extends Device {
    private final String name;
    private final DeviceOps ops;

    DeviceMemory(String name, DeviceOps ops) {
      this.name = name;
      this.ops = ops;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public long malloc(long bytes) {
      return ops.malloc(bytes);
    }

    @Override
    public void free(long address) {
      ops.synchronize(); // kernels still queued may read it
      ops.free(address);
    }

    @Override
    public void zero(long address, long bytes) {
      ops.zero(address, bytes);
    }

    @Override
    public void upload(long dst, Pointer src, long bytes) {
      ops.upload(dst, src, bytes);
    }

    @Override
    public void download(Pointer dst, long src, long bytes) {
      ops.download(dst, src, bytes);
    }

    @Override
    public void copy(long dst, long src, long bytes) {
      ops.copy(dst, src, bytes);
    }

    @Override
    public long mallocHost(long bytes) {
      return ops.mallocHost(bytes);
    }

    @Override
    public void freeHost(long address) {
      ops.synchronize(); // a queued copy may still read it
      ops.freeHost(address);
    }
  }
}

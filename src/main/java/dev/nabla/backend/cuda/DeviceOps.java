package dev.nabla.backend.cuda;

import org.bytedeco.javacpp.Pointer;

/**
 * What a device-resident training step needs from a device: memory, one stream, graph capture,
 * and the kernels of native/include/nabla/cuda_kernels.h (same names, same argument meanings;
 * addresses are device addresses, 0 for NULL).
 *
 * <p>{@link CudaOps} is the GPU; {@link EmulatedCudaOps} runs the same kernels on the CPU. The
 * tests also use a host implementation whose "capture" records closures and replays them: a value
 * that a CUDA graph would freeze at capture time is frozen there too, so the trainer's step logic
 * is checked on any machine.
 *
 * <p>Implementations need not be thread-safe: {@link CudaBackend} makes every call under its
 * device's lock ({@link SerialOps}).
 */
public interface DeviceOps extends AutoCloseable {
  /** One line: the device's name and what it runs. */
  String describe();

  /** Device memory of at least {@code bytes}, aligned to 256 bytes; contents undefined. */
  long malloc(long bytes);

  void free(long address);

  /** Page-locked host memory of at least {@code bytes} (cudaMallocHost); contents undefined. */
  long mallocHost(long bytes);

  void freeHost(long address);

  /** Copies host memory to the device and waits for it. */
  void upload(long dst, Pointer src, long bytes);

  /** Waits for the stream, then copies device memory to the host. */
  void download(Pointer dst, long src, long bytes);

  /** Zeroes {@code bytes} at {@code dst}, in stream order (capturable). */
  void zero(long dst, long bytes);

  /** Waits until everything queued on the stream has run. */
  void synchronize();

  /** Starts recording this thread's launches on the stream instead of running them. */
  void beginCapture();

  /** Ends the recording: a replayable graph. */
  Graph endCapture();

  /** A recorded sequence of launches, replayed with {@link #run}. */
  interface Graph extends AutoCloseable {
    void run();

    @Override
    void close();
  }

  // ---- kernels -------------------------------------------------------------------------------

  /**
   * What nabla_cuda_gemm does after the product, in order (addresses 0 = off): + bias, z kept,
   * activation, the column sums of op(B) into db, dropout when dropScale != 0 (step from
   * dropStepDev when not 0), times act'(bwdZ) when bwdZ != 0.
   */
  record Epilogue(long bias, long z, int act, float actAlpha, long db, float dropScale,
      long dropSeed, long dropStep, long dropStepDev, int dropStream, int dropThreshold,
      long bwdZ, int bwdAct, float bwdAlpha) {
    public static final Epilogue NONE = new Epilogue(0, 0, 0, 0f, 0, 0f, 0, 0, 0, 0, 0, 0, 0, 0f);

    /** z = product + bias (kept when z != 0), C = act(z); the column sums of op(B) into db. */
    public static Epilogue dense(long bias, long z, int act, float actAlpha, long db) {
      return new Epilogue(bias, z, act, actAlpha, db, 0f, 0, 0, 0, 0, 0, 0, 0, 0f);
    }

    /** The same followed by dropout (the mask of nabla_dropout at the step in stepDev). */
    public Epilogue dropout(long seed, long stepDev, int stream, int threshold, float scale) {
      return new Epilogue(bias, z, act, actAlpha, db, scale, seed, 0, stepDev, stream, threshold,
          bwdZ, bwdAct, bwdAlpha);
    }

    /** The same followed by the derivative of activation act at bwdZ. */
    public Epilogue activationBackward(long bwdZ, int act, float alpha) {
      return new Epilogue(bias, z, this.act, actAlpha, db, dropScale, dropSeed, dropStep,
          dropStepDev, dropStream, dropThreshold, bwdZ, act, alpha);
    }
  }

  /**
   * nabla_cuda_gemm. workspace (workspaceFloats floats, may be 0) lets a long-k product with few
   * output tiles split k across more blocks (split-K).
   */
  void gemm(boolean transA, boolean transB, long m, long n, long k, float alpha, long a, long b,
      float beta, long c, Epilogue epilogue, long workspace, long workspaceFloats, int precision);

  void biasActForward(long x, long bias, long z, long y, long rows, long cols, int act,
      float alpha);

  void actBackward(long z, long y, long dy, long dz, long rows, long cols, int act, float alpha);

  void biasGrad(long dz, long db, long rows, long cols);

  void softmaxXent(long pred, long labels, long rowLoss, long grad, long rows, long cols,
      boolean sparse, boolean fromLogits, float labelSmoothing, float gradScale, long lossSum,
      long correctSum);

  void dropout(long x, long y, long n, long seed, long step, long stepDev, int stream,
      int threshold, float scale);

  /** Scratch bytes {@link #shuffleOrder} needs for n samples (CUB's radix sort). */
  long shuffleScratchBytes(long n);

  void shuffleOrder(long n, long seed, long epoch, long keys, long sorted, long order, long temp,
      long tempBytes);

  void gatherRows(long src, long width, long order, long batchDev, long base, long stride,
      long rows, long dst);

  void advance(long batch, long step);

  /** gscaleDev (0: use gscale) holds per-segment factors computed on the device. */
  void optimizerStepTable(int rule, long hpTable, long hpRow, long w, long g, long s0, long s1,
      long s2, long[] segEnd, float[] gscale, long gscaleDev, float[] wd, float clipValue,
      long lambScratch);

  /** out (device doubles, one per segment) = each segment's sum of squares of x. */
  void segmentSumSquares(long x, long[] segEnd, long out);

  /** gscale (device floats) from the sums, as nabla_cuda_clip_scales. */
  void clipScales(long sums, int nseg, float pre, float clipnorm, float globalClipnorm,
      long gscale);

  // ---- the graph's light ops (elementwise.cu; see cuda_kernels.h) ------------------------------

  /** Copies {@code bytes} within the device, in stream order. */
  void copy(long dst, long src, long bytes);

  void axpy(long y, long x, float a, long n);

  void emaUpdate(long avg, long w, float momentum, long n);

  void fill(long y, float value, long n);

  void unary(int kind, long x, long y, long n, float c);

  void unaryBackward(int kind, long x, long g, long out, long n, float c);

  void binary(int kind, long a, long na, long b, long nb, long y, long n);

  void binaryGrad(long g, long other, long otherSize, long out, long m, long n, float sign);

  void reduceRows(long x, long w, long y, long rows, long group, double divisor);

  void scaleRows(long g, long m, long out, long rows, long group, float divisor);

  void pointwiseLoss(int kind, double labelSmoothing, long y, long p, long loss, long rows,
      long group);

  void pointwiseLossBackward(int kind, double labelSmoothing, long y, long p, long g, long out,
      long rows, long group);

  @Override
  void close();
}

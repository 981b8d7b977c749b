package dev.nabla.backend.cuda;

import static org.bytedeco.cuda.global.cudart.*;

import dev.nabla.backend.jni.NablaCuda;
import org.bytedeco.cuda.cudart.CUgraphExec_st;
import org.bytedeco.cuda.cudart.CUgraph_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * The GPU: runtime calls through the bytedeco cudart preset, kernels through libnabla_cuda, all
 * on one non-blocking stream. Create it only after {@link dev.nabla.backend.Backends#probeCuda}
 * found a device: the preset's JNI library needs the driver to load at all.
 *
 * <p>Not thread-safe by itself (one stream, shared host scratch): {@link CudaBackend} makes each
 * call under its device's lock.
 */
public final class CudaOps implements DeviceOps {
  private final CUstream_st stream = new CUstream_st();
  private final long st;
  private final String description;
  // Host arrays the segment table is read from at launch (copied into kernel arguments).
  private LongPointer segEndHost = new LongPointer(1);
  private FloatPointer gscaleHost = new FloatPointer(1), wdHost = new FloatPointer(1);

  public CudaOps(String description) {
    check(cudaSetDevice(0), "cudaSetDevice(0)");
    check(cudaStreamCreateWithFlags(stream, cudaStreamNonBlocking), "cudaStreamCreate");
    this.st = stream.address();
    this.description = description;
  }

  /** The stream every launch goes to (for events and cuBLAS in the benchmarks). */
  public CUstream_st stream() {
    return stream;
  }

  @Override
  public String describe() {
    return description;
  }

  /** Throws a CudaException naming the call and the runtime's reason when err != 0. */
  public static void check(int err, String what) {
    if (err != 0) {
      throw new CudaException(what + " failed: " + cudaGetErrorString(err).getString()
          + " (CUDA error " + err + ")");
    }
  }

  private static void launched(int err, String kernel) {
    if (err != 0) {
      throw new CudaException(kernel + " launch failed: "
          + NablaCuda.nabla_cuda_error_string(err).getString() + " (CUDA error " + err + ")");
    }
  }

  @Override
  public long malloc(long bytes) {
    try (PointerPointer<Pointer> out = new PointerPointer<>(1)) {
      int err = cudaMalloc(out, Math.max(bytes, 1));
      String why = "cudaMalloc of " + bytes / (1 << 20) + " MiB failed: "
          + cudaGetErrorString(err).getString() + " (use a smaller batch or data set)";
      if (err == cudaErrorMemoryAllocation) {
        throw new dev.nabla.Device.OutOfMemory(why);
      }
      if (err != 0) {
        throw new CudaException(why);
      }
      return out.get(0).address();
    }
  }

  @Override
  public void free(long address) {
    if (address != 0) {
      check(cudaFree(Addresses.bytes(address, 0)), "cudaFree");
    }
  }

  @Override
  public long mallocHost(long bytes) {
    try (PointerPointer<Pointer> out = new PointerPointer<>(1)) {
      check(cudaMallocHost(out, Math.max(bytes, 1)), "cudaMallocHost of " + bytes + " bytes");
      return out.get(0).address();
    }
  }

  @Override
  public void freeHost(long address) {
    if (address != 0) {
      check(cudaFreeHost(Addresses.bytes(address, 0)), "cudaFreeHost");
    }
  }

  @Override
  public void upload(long dst, Pointer src, long bytes) {
    check(cudaMemcpyAsync(Addresses.bytes(dst, bytes), Addresses.bytesOf(src, bytes), bytes,
        cudaMemcpyHostToDevice, stream), "cudaMemcpy host to device");
    synchronize();
  }

  @Override
  public void download(Pointer dst, long src, long bytes) {
    check(cudaMemcpyAsync(Addresses.bytesOf(dst, bytes), Addresses.bytes(src, bytes), bytes,
        cudaMemcpyDeviceToHost, stream), "cudaMemcpy device to host");
    synchronize();
  }

  @Override
  public void zero(long dst, long bytes) {
    check(cudaMemsetAsync(Addresses.bytes(dst, bytes), 0, bytes, stream), "cudaMemsetAsync");
  }

  @Override
  public void synchronize() {
    check(cudaStreamSynchronize(stream), "cudaStreamSynchronize (a kernel failed)");
  }

  @Override
  public void beginCapture() {
    check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal),
        "cudaStreamBeginCapture");
  }

  @Override
  public Graph endCapture() {
    CUgraph_st graph = new CUgraph_st();
    check(cudaStreamEndCapture(stream, graph), "cudaStreamEndCapture");
    CUgraphExec_st exec = new CUgraphExec_st();
    int err = cudaGraphInstantiate(exec, graph, 0L);
    if (err != 0) {
      cudaGraphDestroy(graph); // the recorded graph would otherwise leak with the exception
      check(err, "cudaGraphInstantiate");
    }
    return new Graph() {
      private boolean closed;

      @Override
      public void run() {
        check(cudaGraphLaunch(exec, stream), "cudaGraphLaunch");
      }

      @Override
      public void close() {
        if (!closed) {
          closed = true;
          cudaGraphExecDestroy(exec);
          cudaGraphDestroy(graph);
        }
      }
    };
  }

  // ---- kernels -------------------------------------------------------------------------------

  @Override
  public void gemm(boolean transA, boolean transB, long m, long n, long k, float alpha, long a,
      long b, float beta, long c, Epilogue e, long workspace, long workspaceFloats,
      int precision) {
    launched(NablaCuda.nabla_cuda_gemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, b, beta,
        c, e.bias(), e.z(), e.act(), e.actAlpha(), e.db(), e.dropScale(), e.dropSeed(),
        e.dropStep(), e.dropStepDev(), e.dropStream(), e.dropThreshold(), e.bwdZ(), e.bwdAct(),
        e.bwdAlpha(), workspace, workspaceFloats, precision, st), "gemm");
  }

  @Override
  public void biasActForward(long x, long bias, long z, long y, long rows, long cols, int act,
      float alpha) {
    launched(NablaCuda.nabla_cuda_bias_act_forward(x, bias, z, y, rows, cols, act, alpha, st),
        "bias_act_forward");
  }

  @Override
  public void actBackward(long z, long y, long dy, long dz, long rows, long cols, int act,
      float alpha) {
    launched(NablaCuda.nabla_cuda_act_backward(z, y, dy, dz, rows, cols, act, alpha, st),
        "act_backward");
  }

  @Override
  public void biasGrad(long dz, long db, long rows, long cols) {
    launched(NablaCuda.nabla_cuda_bias_grad(dz, db, rows, cols, st), "bias_grad");
  }

  @Override
  public void softmaxXent(long pred, long labels, long rowLoss, long grad, long rows, long cols,
      boolean sparse, boolean fromLogits, float labelSmoothing, float gradScale, long lossSum,
      long correctSum) {
    launched(NablaCuda.nabla_cuda_softmax_xent(pred, labels, rowLoss, grad, rows, cols,
        sparse ? 1 : 0, fromLogits ? 1 : 0, labelSmoothing, gradScale, lossSum, correctSum, st),
        "softmax_xent");
  }

  @Override
  public void dropout(long x, long y, long n, long seed, long step, long stepDev, int streamId,
      int threshold, float scale) {
    launched(NablaCuda.nabla_cuda_dropout(x, y, n, seed, step, stepDev, streamId, threshold, scale,
        st), "dropout");
  }

  @Override
  public long shuffleScratchBytes(long n) {
    try (SizeTPointer bytes = new SizeTPointer(1)) {
      launched(NablaCuda.nabla_cuda_shuffle_order(n, 0, 0, 0, 0, 0, 0, bytes, st),
          "shuffle_order (size query)");
      return bytes.get();
    }
  }

  @Override
  public void shuffleOrder(long n, long seed, long epoch, long keys, long sorted, long order,
      long temp, long tempBytes) {
    try (SizeTPointer bytes = new SizeTPointer(1)) {
      bytes.put(tempBytes);
      launched(NablaCuda.nabla_cuda_shuffle_order(n, seed, epoch, keys, sorted, order, temp, bytes,
          st), "shuffle_order");
    }
  }

  @Override
  public void gatherRows(long src, long width, long order, long batchDev, long base, long stride,
      long rows, long dst) {
    launched(NablaCuda.nabla_cuda_gather_rows(src, width, order, batchDev, base, stride, rows, dst,
        st), "gather_rows");
  }

  @Override
  public void advance(long batch, long step) {
    launched(NablaCuda.nabla_cuda_advance(batch, step, st), "advance");
  }

  @Override
  public void optimizerStepTable(int rule, long hpTable, long hpRow, long w, long g, long s0,
      long s1, long s2, long[] segEnd, float[] gscale, long gscaleDev, float[] wd,
      float clipValue, long lambScratch) {
    int n = segmentTable(segEnd);
    gscaleHost.put(gscale, 0, n);
    wdHost.put(wd, 0, n);
    launched(NablaCuda.nabla_cuda_optimizer_step_table(rule, hpTable, hpRow, w, g, s0, s1, s2, n,
        segEndHost, gscaleHost, gscaleDev, wdHost, 0f, clipValue, lambScratch, st),
        "optimizer_step");
  }

  /** Copies segEnd into the reused host table (grown when needed); returns its length. */
  private int segmentTable(long[] segEnd) {
    int n = segEnd.length;
    if (segEndHost.capacity() < n) {
      segEndHost.close();
      gscaleHost.close();
      wdHost.close();
      segEndHost = new LongPointer(n);
      gscaleHost = new FloatPointer(n);
      wdHost = new FloatPointer(n);
    }
    segEndHost.put(segEnd, 0, n);
    return n;
  }

  @Override
  public void segmentSumSquares(long x, long[] segEnd, long out) {
    int n = segmentTable(segEnd);
    launched(NablaCuda.nabla_cuda_segment_sum_squares(x, n, segEndHost, out, st),
        "segment_sum_squares");
  }

  @Override
  public void clipScales(long sums, int nseg, float pre, float clipnorm, float globalClipnorm,
      long gscale) {
    launched(NablaCuda.nabla_cuda_clip_scales(sums, nseg, pre, clipnorm, globalClipnorm, gscale,
        st), "clip_scales");
  }

  // ---- the graph's light ops ------------------------------------------------------------------

  @Override
  public void copy(long dst, long src, long bytes) {
    check(cudaMemcpyAsync(Addresses.bytes(dst, bytes), Addresses.bytes(src, bytes), bytes,
        cudaMemcpyDeviceToDevice, stream), "cudaMemcpy device to device");
  }

  @Override
  public void axpy(long y, long x, float a, long n) {
    launched(NablaCuda.nabla_cuda_axpy(y, x, a, n, st), "axpy");
  }

  @Override
  public void emaUpdate(long avg, long w, float momentum, long n) {
    launched(NablaCuda.nabla_cuda_ema_update(avg, w, momentum, n, st), "ema_update");
  }

  @Override
  public void fill(long y, float value, long n) {
    launched(NablaCuda.nabla_cuda_fill(y, value, n, st), "fill");
  }

  @Override
  public void unary(int kind, long x, long y, long n, float c) {
    launched(NablaCuda.nabla_cuda_unary(kind, x, y, n, c, st), "unary");
  }

  @Override
  public void unaryBackward(int kind, long x, long g, long out, long n, float c) {
    launched(NablaCuda.nabla_cuda_unary_backward(kind, x, g, out, n, c, st), "unary_backward");
  }

  @Override
  public void binary(int kind, long a, long na, long b, long nb, long y, long n) {
    launched(NablaCuda.nabla_cuda_binary(kind, a, na, b, nb, y, n, st), "binary");
  }

  @Override
  public void binaryGrad(long g, long other, long otherSize, long out, long m, long n,
      float sign) {
    launched(NablaCuda.nabla_cuda_binary_grad(g, other, otherSize, out, m, n, sign, st),
        "binary_grad");
  }

  @Override
  public void reduceRows(long x, long w, long y, long rows, long group, double divisor) {
    launched(NablaCuda.nabla_cuda_reduce_rows(x, w, y, rows, group, divisor, st), "reduce_rows");
  }

  @Override
  public void scaleRows(long g, long m, long out, long rows, long group, float divisor) {
    launched(NablaCuda.nabla_cuda_scale_rows(g, m, out, rows, group, divisor, st), "scale_rows");
  }

  @Override
  public void pointwiseLoss(int kind, double labelSmoothing, long y, long p, long loss, long rows,
      long group) {
    launched(NablaCuda.nabla_cuda_pointwise_loss(kind, labelSmoothing, y, p, loss, rows, group,
        st), "pointwise_loss");
  }

  @Override
  public void pointwiseLossBackward(int kind, double labelSmoothing, long y, long p, long g,
      long out, long rows, long group) {
    launched(NablaCuda.nabla_cuda_pointwise_loss_backward(kind, labelSmoothing, y, p, g, out, rows,
        group, st), "pointwise_loss_backward");
  }

  @Override
  public void close() {
    if (!stream.isNull()) {
      cudaStreamSynchronize(stream);
      cudaStreamDestroy(stream);
      stream.setNull();
    }
    segEndHost.close();
    gscaleHost.close();
    wdHost.close();
  }
}

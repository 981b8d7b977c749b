package dev.nabla.backend.cuda;

import static dev.nabla.backend.cuda.Addresses.bytes;

import dev.nabla.backend.jni.NablaCudaEmu;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * A CUDA device emulated on the CPU (the device name "cuda-emulated"): device memory is host
 * memory, the kernels are native/cuda's own, compiled by g++ against the emulator in native/emu
 * (libnabla_cuda_emu: each block's threads as fibers, real barriers and warp shuffles), and a
 * capture records launches with the argument values they had and replays them as recorded, as a
 * CUDA graph does: a step that passed a per-step value as an argument instead of through memory
 * would replay a stale one here too. Slow (a thread per emulated thread), exact to the kernels.
 *
 * <p>Not thread-safe: one stream, used by one thread at a time ({@link CudaBackend} makes each
 * call under its device's lock).
 */
public class EmulatedCudaOps implements DeviceOps {
  private final Map<Long, Pointer> blocks = new HashMap<>();
  private final Map<Long, Pointer> hostBlocks = new HashMap<>();
  private List<Runnable> recording;
  int graphsCaptured, launches;
  /** The launches (kernels, memsets, copies) the last capture recorded: what one replay runs. */
  int lastCaptureLaunches;
  /** Makes every capture fail as a device without graph support would. */
  boolean failCaptures;
  long bytesAllocated;

  @Override
  public String describe() {
    return "cuda-emulated: the CUDA kernels of native/cuda on the CPU emulator (slow; for tests "
        + "and for checking the CUDA path without a GPU)";
  }

  void exec(Runnable kernel) {
    if (recording != null) {
      recording.add(kernel);
    } else {
      launches++;
      kernel.run();
    }
  }

  /** Bytes of emulated device memory in use, and the most a test lets it hold. */
  long liveBytes, memoryLimit = Long.MAX_VALUE;
  private final Map<Long, Long> sizes = new HashMap<>();

  @Override
  public long malloc(long size) {
    if (liveBytes + size > memoryLimit) { // as cudaMalloc on a full device
      throw new dev.nabla.Device.OutOfMemory("cudaMalloc of " + size + " bytes failed: out of "
          + "memory (emulated device limit " + memoryLimit + " bytes)");
    }
    Pointer p = Pointer.malloc(size + 256);
    if (p == null || p.isNull()) {
      throw new OutOfMemoryError("host device: malloc " + size);
    }
    long aligned = (p.address() + 255) & ~255L;
    blocks.put(aligned, p);
    sizes.put(aligned, size);
    liveBytes += size;
    bytesAllocated += size;
    Pointer.memset(bytes(aligned, size), 0x7f, size); // poison: nothing may rely on zeroed memory
    return aligned;
  }

  @Override
  public void free(long address) {
    if (address == 0) {
      return; // as cudaFree(NULL)
    }
    Pointer p = blocks.remove(address);
    if (p == null) {
      throw new IllegalStateException("host device: free of an unknown address");
    }
    liveBytes -= sizes.remove(address);
    Pointer.free(p);
  }

  @Override
  public long mallocHost(long bytes) {
    Pointer p = Pointer.malloc(Math.max(bytes, 1)); // the emulator's "device" is host memory
    if (p == null || p.isNull()) {
      throw new OutOfMemoryError("host device: malloc " + bytes);
    }
    hostBlocks.put(p.address(), p);
    return p.address();
  }

  @Override
  public void freeHost(long address) {
    Pointer p = hostBlocks.remove(address);
    if (p == null) {
      throw new IllegalStateException("host device: freeHost of an unknown address");
    }
    Pointer.free(p);
  }

  /** Page-locked host blocks (mallocHost) not yet freed. */
  int liveHostBlocks() {
    return hostBlocks.size();
  }

  int liveBlocks() {
    return blocks.size();
  }

  private void requireEager(String what) {
    if (recording != null) {
      throw new IllegalStateException(what + " during capture (a CUDA graph cannot hold it)");
    }
  }

  @Override
  public void upload(long dst, Pointer src, long n) {
    requireEager("synchronous upload");
    Pointer.memcpy(bytes(dst, n), Addresses.bytesOf(src, n), n);
  }

  @Override
  public void download(Pointer dst, long src, long n) {
    requireEager("synchronous download");
    Pointer.memcpy(Addresses.bytesOf(dst, n), bytes(src, n), n);
  }

  @Override
  public void zero(long dst, long n) {
    exec(() -> Pointer.memset(bytes(dst, n), 0, n));
  }

  @Override
  public void synchronize() {}

  @Override
  public void beginCapture() {
    requireEager("nested capture");
    recording = new ArrayList<>();
  }

  @Override
  public Graph endCapture() {
    List<Runnable> steps = List.copyOf(recording);
    recording = null;
    if (failCaptures) {
      throw new CudaException("cudaStreamEndCapture failed: operation not permitted when stream "
          + "is capturing (emulated)");
    }
    graphsCaptured++;
    lastCaptureLaunches = steps.size();
    return new Graph() {
      @Override
      public void run() {
        launches++;
        steps.forEach(Runnable::run);
      }

      @Override
      public void close() {}
    };
  }

  private static void check(int err, String kernel) {
    if (err != 0) {
      throw new CudaException(kernel + " failed in the emulator (error " + err + ")");
    }
  }

  // ---- kernels -------------------------------------------------------------------------------

  @Override
  public void gemm(boolean transA, boolean transB, long m, long n, long k, float alpha, long a,
      long b, float beta, long c, Epilogue e, long workspace, long workspaceFloats,
      int precision) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_gemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha,
        a, b, beta, c, e.bias(), e.z(), e.act(), e.actAlpha(), e.db(), e.dropScale(),
        e.dropSeed(), e.dropStep(), e.dropStepDev(), e.dropStream(), e.dropThreshold(), e.bwdZ(),
        e.bwdAct(), e.bwdAlpha(), workspace, workspaceFloats, precision, 0), "gemm"));
  }

  @Override
  public void biasActForward(long x, long bias, long z, long y, long rows, long cols, int act,
      float alpha) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_bias_act_forward(x, bias, z, y, rows, cols, act, alpha, 0),
        "bias_act_forward"));
  }

  @Override
  public void actBackward(long z, long y, long dy, long dz, long rows, long cols, int act,
      float alpha) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_act_backward(z, y, dy, dz, rows, cols, act, alpha, 0),
        "act_backward"));
  }

  @Override
  public void biasGrad(long dz, long db, long rows, long cols) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_bias_grad(dz, db, rows, cols, 0), "bias_grad"));
  }

  @Override
  public void softmaxXent(long pred, long labels, long rowLoss, long grad, long rows, long cols,
      boolean sparse, boolean fromLogits, float labelSmoothing, float gradScale, long lossSum,
      long correctSum) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_softmax_xent(pred, labels, rowLoss, grad, rows, cols,
        sparse ? 1 : 0, fromLogits ? 1 : 0, labelSmoothing, gradScale, lossSum, correctSum, 0),
        "softmax_xent"));
  }

  @Override
  public void dropout(long x, long y, long n, long seed, long step, long stepDev, int streamId,
      int threshold, float scale) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_dropout(x, y, n, seed, step, stepDev, streamId, threshold, scale,
        0), "dropout"));
  }

  @Override
  public long shuffleScratchBytes(long n) {
    try (SizeTPointer bytes = new SizeTPointer(1)) {
      check(NablaCudaEmu.nabla_cuda_shuffle_order(n, 0, 0, 0, 0, 0, 0, bytes, 0),
          "shuffle_order (size query)");
      return bytes.get();
    }
  }

  @Override
  public void shuffleOrder(long n, long seed, long epoch, long keys, long sorted, long order,
      long temp, long tempBytes) {
    exec(() -> {
      try (SizeTPointer bytes = new SizeTPointer(1)) {
        bytes.put(tempBytes);
        check(NablaCudaEmu.nabla_cuda_shuffle_order(n, seed, epoch, keys, sorted, order, temp,
            bytes, 0), "shuffle_order");
      }
    });
  }

  @Override
  public void gatherRows(long src, long width, long order, long batchDev, long base, long stride,
      long rows, long dst) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_gather_rows(src, width, order, batchDev, base, stride, rows, dst,
        0), "gather_rows"));
  }

  @Override
  public void advance(long batch, long step) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_advance(batch, step, 0), "advance"));
  }

  @Override
  public void optimizerStepTable(int rule, long hpTable, long hpRow, long w, long g, long s0,
      long s1, long s2, long[] segEnd, float[] gscale, long gscaleDev, float[] wd,
      float clipValue, long lambScratch) {
    long[] ends = segEnd.clone(); // a launch copies the table into its arguments
    float[] gs = gscale.clone(), wds = wd.clone();
    exec(() -> {
      try (LongPointer e = new LongPointer(ends); FloatPointer gp = new FloatPointer(gs);
          FloatPointer wp = new FloatPointer(wds)) {
        check(NablaCudaEmu.nabla_cuda_optimizer_step_table(rule, hpTable, hpRow, w, g, s0, s1, s2,
            ends.length, e, gp, gscaleDev, wp, 0f, clipValue, lambScratch, 0),
            "optimizer_step");
      }
    });
  }

  @Override
  public void segmentSumSquares(long x, long[] segEnd, long out) {
    long[] ends = segEnd.clone();
    exec(() -> {
      try (LongPointer e = new LongPointer(ends)) {
        check(NablaCudaEmu.nabla_cuda_segment_sum_squares(x, ends.length, e, out, 0),
            "segment_sum_squares");
      }
    });
  }

  @Override
  public void clipScales(long sums, int nseg, float pre, float clipnorm, float globalClipnorm,
      long gscale) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_clip_scales(sums, nseg, pre, clipnorm,
        globalClipnorm, gscale, 0), "clip_scales"));
  }

  // ---- the graph's light ops ------------------------------------------------------------------

  @Override
  public void copy(long dst, long src, long bytes) {
    exec(() -> Pointer.memcpy(bytes(dst, bytes), bytes(src, bytes), bytes));
  }

  @Override
  public void axpy(long y, long x, float a, long n) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_axpy(y, x, a, n, 0), "axpy"));
  }

  @Override
  public void emaUpdate(long avg, long w, float momentum, long n) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_ema_update(avg, w, momentum, n, 0), "ema_update"));
  }

  @Override
  public void fill(long y, float value, long n) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_fill(y, value, n, 0), "fill"));
  }

  @Override
  public void unary(int kind, long x, long y, long n, float c) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_unary(kind, x, y, n, c, 0), "unary"));
  }

  @Override
  public void unaryBackward(int kind, long x, long g, long out, long n, float c) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_unary_backward(kind, x, g, out, n, c, 0),
        "unary_backward"));
  }

  @Override
  public void binary(int kind, long a, long na, long b, long nb, long y, long n) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_binary(kind, a, na, b, nb, y, n, 0), "binary"));
  }

  @Override
  public void binaryGrad(long g, long other, long otherSize, long out, long m, long n,
      float sign) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_binary_grad(g, other, otherSize, out, m, n, sign, 0),
        "binary_grad"));
  }

  @Override
  public void reduceRows(long x, long w, long y, long rows, long group, double divisor) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_reduce_rows(x, w, y, rows, group, divisor, 0),
        "reduce_rows"));
  }

  @Override
  public void scaleRows(long g, long m, long out, long rows, long group, float divisor) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_scale_rows(g, m, out, rows, group, divisor, 0),
        "scale_rows"));
  }

  @Override
  public void pointwiseLoss(int kind, double labelSmoothing, long y, long p, long loss, long rows,
      long group) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_pointwise_loss(kind, labelSmoothing, y, p, loss, rows,
        group, 0), "pointwise_loss"));
  }

  @Override
  public void pointwiseLossBackward(int kind, double labelSmoothing, long y, long p, long g,
      long out, long rows, long group) {
    exec(() -> check(NablaCudaEmu.nabla_cuda_pointwise_loss_backward(kind, labelSmoothing, y, p, g,
        out, rows, group, 0), "pointwise_loss_backward"));
  }

  @Override
  public void close() {
    for (Pointer p : blocks.values()) {
      Pointer.free(p);
    }
    blocks.clear();
    for (Pointer p : hostBlocks.values()) {
      Pointer.free(p);
    }
    hostBlocks.clear();
  }
}

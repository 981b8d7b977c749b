package dev.nabla.backend.cuda;

import dev.nabla.backend.jni.NablaCudaEmu;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * The device ops of {@link CudaOps} with the kernels run by the CPU emulator of native/cuda
 * (libnabla_cuda_emu) in host memory: memory and capture are {@link HostOps}'s (a capture
 * records launches with their arguments and replays them, as a CUDA graph does).
 */
class EmuOps extends HostOps {
  @Override
  public String describe() {
    return "CUDA kernels on the CPU emulator (tests)";
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

}

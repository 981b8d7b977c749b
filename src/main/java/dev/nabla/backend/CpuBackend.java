package dev.nabla.backend;

import static org.bytedeco.openblas.global.openblas_full.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_full.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_full.CblasTrans;

import dev.nabla.Tensor;
import dev.nabla.backend.jni.NablaCpu;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.openblas.global.openblas_full;

/**
 * The CPU backend: OpenBLAS sgemm for matmul, our C++ kernels (native/cpu) for the rest.
 * Construct through {@link Backends}, which probes that both native libraries load.
 *
 * <p>Threads: OpenBLAS's pool is the only parallelism; our kernels are single-threaded passes
 * over data the sgemm just left in cache. On 2 shared cores an oversubscribed pool is
 * catastrophic (see shared GUIDE), so the default is 1 thread and callers choose more.
 */
public final class CpuBackend implements Backend {
  private final LongPointer correctOut = new LongPointer(1);
  private int threads;

  CpuBackend(int threads) {
    setThreads(threads);
  }

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public String describe() {
    return "cpu: OpenBLAS " + openblas_full.openblas_get_corename().getString() + " core, "
        + threads + " thread" + (threads == 1 ? "" : "s") + " + libnabla_cpu kernels";
  }

  @Override
  public void setThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    openblas_full.openblas_set_num_threads(threads);
  }

  @Override
  public int threads() {
    return threads;
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a,
      Tensor b, float beta, Tensor c) {
    openblas_full.cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
        transB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a.pointer(), transA ? m : k,
        b.pointer(), transB ? k : n, beta, c.pointer(), n);
  }

  @Override
  public void biasActForward(Tensor x, Tensor bias, Tensor z, Tensor y, int rows, int cols,
      Activation act, float alpha) {
    NablaCpu.nabla_bias_act_forward(x.pointer(), ptr(bias), z.pointer(), y.pointer(), rows, cols,
        act.ordinal(), alpha);
  }

  @Override
  public void actBackward(Tensor z, Tensor y, Tensor dy, Tensor dz, int rows, int cols,
      Activation act, float alpha) {
    NablaCpu.nabla_act_backward(z.pointer(), y.pointer(), dy.pointer(), dz.pointer(), rows, cols,
        act.ordinal(), alpha);
  }

  @Override
  public void biasGrad(Tensor dz, Tensor db, int rows, int cols) {
    NablaCpu.nabla_bias_grad(dz.pointer(), db.pointer(), rows, cols);
  }

  @Override
  public double softmaxXent(Tensor pred, Tensor labels, Tensor rowLoss, Tensor grad, int rows,
      int cols, boolean sparse, boolean fromLogits, float labelSmoothing, float gradScale,
      long[] correct) {
    double loss = NablaCpu.nabla_softmax_xent(pred.pointer(), labels.pointer(), ptr(rowLoss),
        ptr(grad), rows, cols, sparse ? 1 : 0, fromLogits ? 1 : 0, labelSmoothing, gradScale,
        correct == null ? null : correctOut);
    if (correct != null) {
      correct[0] = correctOut.get(0);
    }
    return loss;
  }

  @Override
  public void dropout(Tensor x, Tensor y, long n, long seed, long step, int stream, float rate) {
    NablaCpu.nabla_dropout(x.pointer(), y.pointer(), n, seed, step, stream,
        Philox.threshold(rate), 1f / (1f - rate));
  }

  /** Native copies of a Segments table and the per-step scalars, made once per table. */
  private static final class NativeSegments {
    final LongPointer ends;
    final FloatPointer gscale, wd;
    final DoublePointer sums;

    NativeSegments(Segments s) {
      ends = new LongPointer(s.ends());
      gscale = new FloatPointer(Math.max(1, s.count()));
      wd = new FloatPointer(Math.max(1, s.count()));
      sums = new DoublePointer(Math.max(1, s.count()));
    }
  }

  private final FloatPointer hyper = new FloatPointer(16);

  private static NativeSegments mirror(Segments s) {
    if (!(s.nativeCache instanceof NativeSegments)) {
      s.nativeCache = new NativeSegments(s); // once per segment table, not per step
    }
    return (NativeSegments) s.nativeCache;
  }

  @Override
  public void optimizerStep(OptimizerRule rule, float[] hp, Tensor w, Tensor g, Tensor s0,
      Tensor s1, Tensor s2, Segments seg, float decayLr, float clipValue) {
    NativeSegments n = mirror(seg);
    n.gscale.put(seg.gscale);
    n.wd.put(seg.wd);
    hyper.put(hp);
    NablaCpu.nabla_optimizer_step(rule.ordinal(), hyper, w.pointer(), g.pointer(), ptr(s0),
        ptr(s1), ptr(s2), seg.count(), n.ends, n.gscale, n.wd, decayLr, clipValue);
  }

  @Override
  public void segmentSumSquares(Tensor x, Segments seg, double[] out) {
    NativeSegments n = mirror(seg);
    NablaCpu.nabla_segment_sum_squares(x.pointer(), seg.count(), n.ends, n.sums);
    n.sums.get(out, 0, seg.count());
  }

  @Override
  public void axpy(Tensor y, Tensor x, float a, long n) {
    NablaCpu.nabla_axpy(y.pointer(), x.pointer(), a, n);
  }

  @Override
  public void emaUpdate(Tensor avg, Tensor w, float momentum, long n) {
    NablaCpu.nabla_ema_update(avg.pointer(), w.pointer(), momentum, n);
  }

  private static FloatPointer ptr(Tensor t) {
    return t == null ? null : t.pointer();
  }
}

package dev.nabla.backend;

import dev.nabla.Tensor;
import dev.nabla.backend.jni.NablaCpu;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import java.util.Locale;
import org.bytedeco.javacpp.LongPointer;

/**
 * The CPU backend: Nabla's C++ kernels (native/cpu), its own sgemm included (AVX-512 or AVX2
 * register tiles chosen by cpuid, skipping the zero entries of a sparse left operand such as
 * MNIST pixels). Construct through {@link Backends}, which probes that libnabla_cpu loads. Where
 * it does not (no kernels for the platform), {@link BlasOnlyCpuBackend} runs OpenBLAS instead.
 *
 * <p>Two system properties, read when the backend is made, exist for benchmarks and tests:
 * {@code nabla.cpu.gemm} = {@code auto} (default: the sparse walk where a group of rows is less
 * than 85% non-zero), {@code dense} or {@code sparse}; {@code nabla.cpu.isa} = {@code best}
 * (default), {@code avx512}, {@code avx2} or {@code generic} (lowered to what the CPU has). Every
 * mode sums each output over k in order, so the modes agree bit for bit up to the sign of a zero
 * (the generic path, a multiply and an add instead of FMA, has no sparse walk and rounds
 * differently from the vector paths).
 *
 * <p>Threads: with N > 1, large matmuls are split into N row (or column) blocks and the fused
 * optimizer step into N ranges, run on this backend's own threads ({@link Parallel}). Split
 * matmuls and optimizer steps are bit-identical to the whole call (each output's k-sum is one
 * FMA chain either way). On 2 shared cores oversubscription is catastrophic (see shared GUIDE),
 * so the default is 1 thread and callers choose more; a part is taken by whichever thread is
 * free, so a descheduled helper costs at most the single-threaded time.
 *
 * <p>Thread-safe: any number of threads may run ops on one CPU backend at once (each native
 * call is single-threaded; the few native scratch words are taken one caller at a time;
 * a caller that finds the helper threads busy runs its parts itself). {@link #setThreads} is not:
 * call it before the backend is shared.
 */
public final class CpuBackend implements Backend {
  private final LongPointer correctOut = new LongPointer(1);
  private int threads;
  private Parallel parallel; // null with 1 thread
  /** Matmuls below this many flops run whole: a fork-join costs a few microseconds. */
  private static final long SPLIT_FLOPS = 2_000_000;
  /** Optimizer steps over fewer parameters run whole. */
  private static final long SPLIT_PARAMS = 32_768;

  private final int gemmMode = gemmModeProperty();
  private final int isa = isaProperty();

  CpuBackend(int threads) {
    setThreads(threads);
  }

  private static int gemmModeProperty() {
    String v = System.getProperty("nabla.cpu.gemm", "auto").trim().toLowerCase(Locale.ROOT);
    switch (v) {
      case "auto": return NablaCpu.NABLA_GEMM_AUTO;
      case "dense": return NablaCpu.NABLA_GEMM_DENSE;
      case "sparse": return NablaCpu.NABLA_GEMM_SPARSE;
      default:
        throw new IllegalArgumentException("system property nabla.cpu.gemm is '" + v
            + "'; accepted: auto, dense, sparse");
    }
  }

  private static int isaProperty() {
    String v = System.getProperty("nabla.cpu.isa", "best").trim().toLowerCase(Locale.ROOT);
    switch (v) {
      case "best": return NablaCpu.NABLA_ISA_BEST;
      case "avx512": return NablaCpu.NABLA_ISA_AVX512;
      case "avx2": return NablaCpu.NABLA_ISA_AVX2;
      case "generic": return NablaCpu.NABLA_ISA_GENERIC;
      default:
        throw new IllegalArgumentException("system property nabla.cpu.isa is '" + v
            + "'; accepted: best, avx512, avx2, generic");
    }
  }

  /** The instruction set this backend's sgemm runs with: "avx512", "avx2" or "generic". */
  public String isa() {
    int best = NablaCpu.nabla_cpu_isa();
    int used = isa == NablaCpu.NABLA_ISA_BEST || isa > best ? best : isa;
    return used == NablaCpu.NABLA_ISA_AVX512 ? "avx512"
        : used == NablaCpu.NABLA_ISA_AVX2 ? "avx2" : "generic";
  }

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public String describe() {
    return "cpu: Nabla's kernels (libnabla_cpu), sgemm " + isa()
        + (isa().equals("generic") ? " (dense walk only)"
            : gemmMode == NablaCpu.NABLA_GEMM_AUTO ? " skipping zero inputs"
            : gemmMode == NablaCpu.NABLA_GEMM_DENSE ? " (dense walk forced)"
            : " (sparse walk forced)")
        + ", " + threads + " thread" + (threads == 1 ? "" : "s");
  }

  @Override
  public void setThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    if (parallel != null) {
      parallel.close();
    }
    parallel = threads > 1 ? new Parallel(threads) : null;
  }

  @Override
  public int threads() {
    return threads;
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a,
      Tensor b, float beta, Tensor c) {
    int lda = transA ? m : k, ldb = transB ? k : n;
    if (parallel == null || 2L * m * n * k < SPLIT_FLOPS) {
      sgemm(transA, transB, m, n, k, alpha, a.pointer(), lda, b.pointer(), ldb, beta, c.pointer(),
          n);
      return;
    }
    // split the larger of C's dimensions into blocks of at least 16 (the kernels' register tiles
    // are 6 rows x 16-64 columns); each block is op(A) or op(B) rows/columns at an offset
    boolean byRows = m >= n;
    int extent = byRows ? m : n;
    int parts = Math.max(1, Math.min(threads, extent / 16));
    FloatPointer pa = a.pointer(), pb = b.pointer(), pc = c.pointer();
    parallel.forEach(parts, p -> {
      int lo = (int) ((long) extent * p / parts), hi = (int) ((long) extent * (p + 1) / parts);
      if (byRows) { // C rows [lo, hi) = op(A) rows [lo, hi) x op(B)
        FloatPointer ap = at(pa, transA ? lo : (long) lo * k);
        sgemm(transA, transB, hi - lo, n, k, alpha, ap, lda, pb, ldb, beta,
            at(pc, (long) lo * n), n);
      } else { // C columns [lo, hi) = op(A) x op(B) columns [lo, hi)
        FloatPointer bp = at(pb, transB ? (long) lo * k : lo);
        sgemm(transA, transB, m, hi - lo, k, alpha, pa, lda, bp, ldb, beta, at(pc, lo), n);
      }
    });
  }

  private void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      FloatPointer a, int lda, FloatPointer b, int ldb, float beta, FloatPointer c, int ldc) {
    NablaCpu.nabla_sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c,
        ldc, gemmMode, isa);
  }

  /**
   * A bare pointer to p's memory shifted by offset floats: no native memory and, unlike
   * JavaCPP's copy constructor, no deallocator proxy (a GC-tracked reference whose registration
   * takes a global lock, which two threads making views contended for).
   */
  private static FloatPointer at(FloatPointer p, long offset) {
    long addr = p.address() + (p.position() + offset) * Float.BYTES;
    return new FloatPointer((org.bytedeco.javacpp.Pointer) null) {
      {
        address = addr;
      }
    };
  }

  /** Parts for a pass over rows x cols values: one per thread when it is worth a fork-join. */
  private int rowParts(int rows, long cols) {
    return parallel == null || rows * cols < SPLIT_ELEMENTS ? 1 : Math.min(threads, rows);
  }

  /** Elementwise passes over fewer values than this run whole. */
  private static final long SPLIT_ELEMENTS = 16_384;

  @Override
  public void biasActForward(Tensor x, Tensor bias, Tensor z, Tensor y, int rows, int cols,
      Activation act, float alpha) {
    int parts = rowParts(rows, cols);
    if (parts == 1) {
      NablaCpu.nabla_bias_act_forward(x.pointer(), ptr(bias), z.pointer(), y.pointer(), rows,
          cols, act.ordinal(), alpha);
      return;
    }
    parallel.forEach(parts, p -> { // rows are independent (softmax included)
      int lo = rows * p / parts, hi = rows * (p + 1) / parts;
      long off = (long) lo * cols;
      NablaCpu.nabla_bias_act_forward(at(x.pointer(), off), ptr(bias), at(z.pointer(), off),
          at(y.pointer(), off), hi - lo, cols, act.ordinal(), alpha);
    });
  }

  @Override
  public void actBackward(Tensor z, Tensor y, Tensor dy, Tensor dz, int rows, int cols,
      Activation act, float alpha) {
    int parts = rowParts(rows, cols);
    if (parts == 1) {
      NablaCpu.nabla_act_backward(z.pointer(), y.pointer(), dy.pointer(), dz.pointer(), rows,
          cols, act.ordinal(), alpha);
      return;
    }
    parallel.forEach(parts, p -> {
      int lo = rows * p / parts, hi = rows * (p + 1) / parts;
      long off = (long) lo * cols;
      NablaCpu.nabla_act_backward(at(z.pointer(), off), at(y.pointer(), off),
          at(dy.pointer(), off), at(dz.pointer(), off), hi - lo, cols, act.ordinal(), alpha);
    });
  }

  @Override
  public void biasGrad(Tensor dz, Tensor db, int rows, int cols) {
    NablaCpu.nabla_bias_grad(dz.pointer(), db.pointer(), rows, cols);
  }

  @Override
  public double softmaxXent(Tensor pred, Tensor labels, Tensor rowLoss, Tensor grad, int rows,
      int cols, boolean sparse, boolean fromLogits, float labelSmoothing, float gradScale,
      long[] correct) {
    if (correct == null) {
      return NablaCpu.nabla_softmax_xent(pred.pointer(), labels.pointer(), ptr(rowLoss),
          ptr(grad), rows, cols, sparse ? 1 : 0, fromLogits ? 1 : 0, labelSmoothing, gradScale,
          null);
    }
    synchronized (correctOut) { // one native word for the count: one caller at a time
      double loss = NablaCpu.nabla_softmax_xent(pred.pointer(), labels.pointer(), ptr(rowLoss),
          ptr(grad), rows, cols, sparse ? 1 : 0, fromLogits ? 1 : 0, labelSmoothing, gradScale,
          correctOut);
      correct[0] = correctOut.get(0);
      return loss;
    }
  }

  @Override
  public void dropout(Tensor x, Tensor y, long n, long seed, long step, int stream, float rate) {
    int threshold = Philox.threshold(rate);
    float scale = 1f / (1f - rate);
    if (parallel == null || n < SPLIT_ELEMENTS) {
      NablaCpu.nabla_dropout(x.pointer(), y.pointer(), n, seed, step, stream, threshold, scale);
      return;
    }
    int parts = threads;
    parallel.forEach(parts, p -> { // ranges start at multiples of 32: whole vector blocks
      long lo = n * p / parts / 32 * 32, hi = p == parts - 1 ? n : n * (p + 1) / parts / 32 * 32;
      NablaCpu.nabla_dropout_range(x.pointer(), y.pointer(), lo, hi, seed, step, stream,
          threshold, scale);
    });
  }

  /** Native copies of a Segments table and the per-step scalars, made once per table. */
  private static final class NativeSegments {
    final LongPointer ends;
    final FloatPointer gscale, wd;
    final DoublePointer sums;

    private RangeTables ranges;

    NativeSegments(Segments s) {
      ends = new LongPointer(s.ends());
      gscale = new FloatPointer(Math.max(1, s.count()));
      wd = new FloatPointer(Math.max(1, s.count()));
      sums = new DoublePointer(Math.max(1, s.count()));
    }

    RangeTables ranges(Segments s, int parts) {
      if (ranges == null || ranges.parts != parts) {
        ranges = new RangeTables(s, parts);
      }
      return ranges;
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
    synchronized (hyper) { // the hyperparameter words and segment mirrors are shared scratch
      step(rule, hp, w, g, s0, s1, s2, seg, decayLr, clipValue);
    }
  }

  private void step(OptimizerRule rule, float[] hp, Tensor w, Tensor g, Tensor s0, Tensor s1,
      Tensor s2, Segments seg, float decayLr, float clipValue) {
    NativeSegments n = mirror(seg);
    n.gscale.put(seg.gscale);
    n.wd.put(seg.wd);
    hyper.put(hp);
    long total = seg.total();
    // Lamb's trust ratio needs whole segments; every other rule is elementwise
    if (parallel == null || rule == OptimizerRule.LAMB || total < SPLIT_PARAMS) {
      NablaCpu.nabla_optimizer_step(rule.ordinal(), hyper, w.pointer(), g.pointer(), ptr(s0),
          ptr(s1), ptr(s2), seg.count(), n.ends, n.gscale, n.wd, decayLr, clipValue);
      return;
    }
    RangeTables r = n.ranges(seg, threads);
    r.fill(seg);
    parallel.forEach(r.parts, p -> {
      long lo = r.lo[p];
      NablaCpu.nabla_optimizer_step(rule.ordinal(), hyper, at(w.pointer(), lo),
          at(g.pointer(), lo), s0 == null ? null : at(s0.pointer(), lo),
          s1 == null ? null : at(s1.pointer(), lo), s2 == null ? null : at(s2.pointer(), lo),
          r.count[p], r.ends[p], r.gscale[p], r.wd[p], decayLr, clipValue);
    });
  }

  /**
   * The segment table cut into equal element ranges, one per thread: range p holds the pieces of
   * the segments it overlaps, with ends relative to its start. Made once per table.
   */
  private static final class RangeTables {
    final int parts;
    final long[] lo;
    final int[] count, first; // segments in range p, and the first one's index
    final LongPointer[] ends;
    final FloatPointer[] gscale, wd;

    RangeTables(Segments seg, int parts) {
      this.parts = parts;
      long total = seg.total();
      lo = new long[parts];
      count = new int[parts];
      first = new int[parts];
      ends = new LongPointer[parts];
      gscale = new FloatPointer[parts];
      wd = new FloatPointer[parts];
      for (int p = 0; p < parts; p++) {
        long a = total * p / parts, b = total * (p + 1) / parts;
        lo[p] = a;
        int s0 = 0;
        while (seg.end(s0) <= a) {
          s0++;
        }
        int s1 = s0;
        while (seg.end(s1) < b) {
          s1++;
        }
        first[p] = s0;
        count[p] = s1 - s0 + 1;
        long[] e = new long[count[p]];
        for (int s = s0; s <= s1; s++) {
          e[s - s0] = Math.min(seg.end(s), b) - a;
        }
        ends[p] = new LongPointer(e);
        gscale[p] = new FloatPointer(count[p]);
        wd[p] = new FloatPointer(count[p]);
      }
    }

    /** This step's per-segment factors into every range's table. */
    void fill(Segments seg) {
      for (int p = 0; p < parts; p++) {
        gscale[p].put(seg.gscale, first[p], count[p]);
        wd[p].put(seg.wd, first[p], count[p]);
      }
    }
  }

  @Override
  public void segmentSumSquares(Tensor x, Segments seg, double[] out) {
    synchronized (hyper) { // the segment mirror's sums are shared scratch
      NativeSegments n = mirror(seg);
      NablaCpu.nabla_segment_sum_squares(x.pointer(), seg.count(), n.ends, n.sums);
      n.sums.get(out, 0, seg.count());
    }
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

  // ---- the light ops: the Java reference's loops (host memory; too small to need kernels) ----

  private final JavaBackend light = new JavaBackend();

  @Override
  public void copy(Tensor src, Tensor dst, long n) {
    light.copy(src, dst, n);
  }

  @Override
  public void fill(Tensor t, float value, long n) {
    light.fill(t, value, n);
  }

  @Override
  public void unary(Elementwise.Unary op, Tensor x, Tensor y, long n, float c) {
    light.unary(op, x, y, n, c);
  }

  @Override
  public void unaryBackward(Elementwise.Unary op, Tensor x, Tensor g, Tensor out, long n,
      float c) {
    light.unaryBackward(op, x, g, out, n, c);
  }

  @Override
  public void binary(Elementwise.Binary op, Tensor a, long na, Tensor b, long nb, Tensor y,
      long n) {
    light.binary(op, a, na, b, nb, y, n);
  }

  @Override
  public void binaryGrad(Tensor g, Tensor other, long otherSize, Tensor out, long m, long n,
      float sign) {
    light.binaryGrad(g, other, otherSize, out, m, n, sign);
  }

  @Override
  public void reduceRows(Tensor x, Tensor w, Tensor y, int rows, int group, double divisor) {
    light.reduceRows(x, w, y, rows, group, divisor);
  }

  @Override
  public void scaleRows(Tensor g, Tensor m, Tensor out, int rows, int group, float divisor) {
    light.scaleRows(g, m, out, rows, group, divisor);
  }

  @Override
  public void pointwiseLoss(PointwiseLoss loss, Tensor y, Tensor p, Tensor out, int rows,
      int group) {
    light.pointwiseLoss(loss, y, p, out, rows, group);
  }

  @Override
  public void pointwiseLossBackward(PointwiseLoss loss, Tensor y, Tensor p, Tensor g, Tensor out,
      int rows, int group) {
    light.pointwiseLossBackward(loss, y, p, g, out, rows, group);
  }
}

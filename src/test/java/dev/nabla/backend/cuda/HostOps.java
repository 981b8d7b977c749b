package dev.nabla.backend.cuda;

import static dev.nabla.backend.cuda.Addresses.bytes;
import static dev.nabla.backend.cuda.Addresses.doubles;
import static dev.nabla.backend.cuda.Addresses.floats;
import static dev.nabla.backend.cuda.Addresses.ints;
import static dev.nabla.backend.cuda.Addresses.longs;

import dev.nabla.backend.jni.NablaCpu;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas;

/**
 * A {@link DeviceOps} in host memory, for tests: each kernel is the CPU kernel of the same name
 * (libnabla_cpu, OpenBLAS sgemm), so the device trainer's results can be compared with the host
 * graph's on any machine. Capture behaves as a CUDA graph does: launches are recorded with the
 * argument values they had, not run, and replayed as recorded. A trainer that passed a per-step
 * value as an argument instead of through memory would replay a stale one here too.
 */
class HostOps implements DeviceOps {
  private final Map<Long, Pointer> blocks = new HashMap<>();
  private List<Runnable> recording;
  int graphsCaptured, launches;
  /** Makes every capture fail as a device without graph support would. */
  boolean failCaptures;
  long bytesAllocated;

  @Override
  public String describe() {
    return "host emulation of the device ops (tests)";
  }

  void exec(Runnable kernel) {
    if (recording != null) {
      recording.add(kernel);
    } else {
      launches++;
      kernel.run();
    }
  }

  @Override
  public long malloc(long size) {
    Pointer p = Pointer.malloc(size + 256);
    if (p == null || p.isNull()) {
      throw new OutOfMemoryError("host device: malloc " + size);
    }
    long aligned = (p.address() + 255) & ~255L;
    blocks.put(aligned, p);
    bytesAllocated += size;
    Pointer.memset(bytes(aligned, size), 0x7f, size); // poison: nothing may rely on zeroed memory
    return aligned;
  }

  @Override
  public void free(long address) {
    Pointer p = blocks.remove(address);
    if (p == null) {
      throw new IllegalStateException("host device: free of an unknown address");
    }
    Pointer.free(p);
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

  // ---- kernels -------------------------------------------------------------------------------

  @Override
  public void gemm(boolean transA, boolean transB, long m, long n, long k, float alpha, long a,
      long b, float beta, long c, Epilogue e, long workspace, long workspaceFloats,
      int precision) {
    long bias = e.bias(), z = e.z(), db = e.db();
    int act = e.act();
    float actAlpha = e.actAlpha();
    exec(() -> {
      openblas.cblas_sgemm(openblas.CblasRowMajor,
          transA ? openblas.CblasTrans : openblas.CblasNoTrans,
          transB ? openblas.CblasTrans : openblas.CblasNoTrans, (int) m, (int) n, (int) k, alpha,
          floats(a, m * k), (int) (transA ? m : k), floats(b, k * n), (int) (transB ? k : n),
          beta, floats(c, m * n), (int) n);
      if (bias != 0 || z != 0 || act != 0) {
        NablaCpu.nabla_bias_act_forward(floats(c, m * n), bias == 0 ? null : floats(bias, n),
            floats(z != 0 ? z : c, m * n), floats(c, m * n), m, n, act, actAlpha);
      }
      if (db != 0) {
        if (transB) {
          throw new UnsupportedOperationException("host gemm: db with a transposed B");
        }
        NablaCpu.nabla_bias_grad(floats(b, k * n), floats(db, n), k, n);
      }
      if (e.dropScale() != 0f) { // the CPU kernels in the host graph's order: dropout, then act'
        long step = e.dropStepDev() != 0 ? longs(e.dropStepDev(), 1).get(0) : e.dropStep();
        NablaCpu.nabla_dropout(floats(c, m * n), floats(c, m * n), m * n, e.dropSeed(), step,
            e.dropStream(), e.dropThreshold(), e.dropScale());
      }
      if (e.bwdZ() != 0) {
        try (FloatPointer y = new FloatPointer(m * n)) {
          NablaCpu.nabla_bias_act_forward(floats(e.bwdZ(), m * n), null, y, y, m, n, e.bwdAct(),
              e.bwdAlpha());
          NablaCpu.nabla_act_backward(floats(e.bwdZ(), m * n), y, floats(c, m * n),
              floats(c, m * n), m, n, e.bwdAct(), e.bwdAlpha());
        }
      }
    });
  }

  @Override
  public void biasActForward(long x, long bias, long z, long y, long rows, long cols, int act,
      float alpha) {
    exec(() -> NablaCpu.nabla_bias_act_forward(floats(x, rows * cols),
        bias == 0 ? null : floats(bias, cols), floats(z, rows * cols), floats(y, rows * cols),
        rows, cols, act, alpha));
  }

  @Override
  public void actBackward(long z, long y, long dy, long dz, long rows, long cols, int act,
      float alpha) {
    exec(() -> NablaCpu.nabla_act_backward(floats(z, rows * cols), floats(y, rows * cols),
        floats(dy, rows * cols), floats(dz, rows * cols), rows, cols, act, alpha));
  }

  @Override
  public void biasGrad(long dz, long db, long rows, long cols) {
    exec(() -> NablaCpu.nabla_bias_grad(floats(dz, rows * cols), floats(db, cols), rows, cols));
  }

  @Override
  public void softmaxXent(long pred, long labels, long rowLoss, long grad, long rows, long cols,
      boolean sparse, boolean fromLogits, float labelSmoothing, float gradScale, long lossSum,
      long correctSum) {
    exec(() -> {
      try (LongPointer hits = new LongPointer(1)) {
        double sum = NablaCpu.nabla_softmax_xent(floats(pred, rows * cols),
            floats(labels, sparse ? rows : rows * cols),
            rowLoss == 0 ? null : floats(rowLoss, rows),
            grad == 0 ? null : floats(grad, rows * cols), rows, cols, sparse ? 1 : 0,
            fromLogits ? 1 : 0, labelSmoothing, gradScale, hits);
        if (lossSum != 0) {
          doubles(lossSum, 1).put(0, doubles(lossSum, 1).get(0) + sum);
        }
        if (correctSum != 0) {
          longs(correctSum, 1).put(0, longs(correctSum, 1).get(0) + hits.get());
        }
      }
    });
  }

  @Override
  public void dropout(long x, long y, long n, long seed, long step, long stepDev, int stream,
      int threshold, float scale) {
    exec(() -> NablaCpu.nabla_dropout(floats(x, n), floats(y, n), n, seed,
        stepDev != 0 ? longs(stepDev, 1).get(0) : step, stream, threshold, scale));
  }

  @Override
  public long shuffleScratchBytes(long n) {
    return 8;
  }

  @Override
  public void shuffleOrder(long n, long seed, long epoch, long keys, long sorted, long order,
      long temp, long tempBytes) {
    exec(() -> {
      LongPointer k = longs(keys, n);
      NablaCpu.nabla_shuffle_keys(seed, epoch, n, k);
      long[] v = new long[(int) n];
      k.get(v);
      for (int i = 0; i < n; i++) {
        v[i] ^= Long.MIN_VALUE; // unsigned order through a signed sort
      }
      Arrays.sort(v);
      for (int i = 0; i < n; i++) {
        ints(order, n).put(i, (int) (v[i] ^ Long.MIN_VALUE));
      }
    });
  }

  @Override
  public void gatherRows(long src, long width, long order, long batchDev, long base, long stride,
      long rows, long dst) {
    exec(() -> {
      long start = base + (batchDev != 0 ? ints(batchDev, 1).get(0) * stride : 0);
      for (long r = 0; r < rows; r++) {
        long s = order != 0 ? ints(order + 4 * (start + r), 1).get(0) : start + r;
        Pointer.memcpy(bytes(dst + 4 * r * width, 4 * width), bytes(src + 4 * s * width,
            4 * width), 4 * width);
      }
    });
  }

  @Override
  public void advance(long batch, long step) {
    exec(() -> {
      if (batch != 0) {
        ints(batch, 1).put(0, ints(batch, 1).get(0) + 1);
      }
      if (step != 0) {
        longs(step, 1).put(0, longs(step, 1).get(0) + 1);
      }
    });
  }

  @Override
  public void optimizerStepTable(int rule, long hpTable, long hpRow, long w, long g, long s0,
      long s1, long s2, long[] segEnd, float[] gscale, long gscaleDev, float[] wd,
      float clipValue, long lambScratch) {
    long[] ends = segEnd.clone();
    float[] gs = gscale.clone(), wds = wd.clone();
    long n = ends[ends.length - 1];
    exec(() -> {
      FloatPointer hp = floats(hpTable + 64L * ints(hpRow, 1).get(0), 16);
      try (LongPointer e = new LongPointer(ends); FloatPointer gp = gscaleDev != 0
          ? floats(gscaleDev, ends.length) : new FloatPointer(gs);
          FloatPointer wp = new FloatPointer(wds)) {
        NablaCpu.nabla_optimizer_step(rule, hp, floats(w, n), floats(g, n),
            s0 == 0 ? null : floats(s0, n), s1 == 0 ? null : floats(s1, n),
            s2 == 0 ? null : floats(s2, n), ends.length, e, gp, wp, hp.get(15), clipValue);
      }
    });
  }

  @Override
  public void segmentSumSquares(long x, long[] segEnd, long out) {
    long[] ends = segEnd.clone();
    exec(() -> {
      try (LongPointer e = new LongPointer(ends)) {
        NablaCpu.nabla_segment_sum_squares(floats(x, ends[ends.length - 1]), ends.length, e,
            doubles(out, ends.length));
      }
    });
  }

  /** The optimizer base class's own arithmetic (Optimizer.setGradientScales), on the host. */
  @Override
  public void clipScales(long sums, int nseg, float pre, float clipnorm, float globalClipnorm,
      long gscale) {
    exec(() -> {
      double total = 0;
      for (int s = 0; s < nseg; s++) {
        double sum = doubles(sums, nseg).get(s);
        float scale = pre;
        if (clipnorm > 0) {
          float norm = (float) Math.sqrt(sum) * pre;
          scale = pre * (clipnorm / Math.max(norm, clipnorm));
        }
        floats(gscale, nseg).put(s, scale);
        total += sum;
      }
      if (globalClipnorm > 0) {
        float norm = (float) Math.sqrt(total) * pre;
        float scale = globalClipnorm * Math.min(1f / norm, 1f / globalClipnorm) + (norm - norm);
        for (int s = 0; s < nseg; s++) {
          floats(gscale, nseg).put(s, pre * scale);
        }
      }
    });
  }

  @Override
  public void close() {
    for (Pointer p : blocks.values()) {
      Pointer.free(p);
    }
    blocks.clear();
  }
}

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
 * The emulated device with the heavy kernels replaced by the CPU kernels of the same name
 * (libnabla_cpu, OpenBLAS sgemm), for tests: device-resident logic checked against the host
 * graph's own kernels. Memory and capture are {@link EmulatedCudaOps}'s.
 */
class HostOps extends EmulatedCudaOps {
  @Override
  public String describe() {
    return "host emulation of the device ops with the CPU kernels (tests)";
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
}

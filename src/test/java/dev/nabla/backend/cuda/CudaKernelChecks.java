package dev.nabla.backend.cuda;

import static dev.nabla.TestUtil.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.Tensor;
import dev.nabla.TestUtil;
import dev.nabla.backend.Activation;
import dev.nabla.backend.Backends;
import dev.nabla.backend.Backend;
import dev.nabla.backend.OptimizerRule;
import dev.nabla.backend.Philox;
import dev.nabla.backend.Segments;
import dev.nabla.backend.Shuffle;
import dev.nabla.nn.FitOptions;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Dropout;
import dev.nabla.nn.layers.Flatten;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every CUDA kernel against a reference on random shapes (odd, not multiples of the tiles,
 * batch 1) and random non-zero values, outputs poisoned with NaN before each launch. The
 * reference is a double-precision loop for the matmul and the CPU kernels (themselves checked
 * against the Java oracle by CpuKernelsTest) for the rest. Run twice: on the GPU
 * ({@link CudaKernelsTest}, skipped with the probe's reason where there is none) and on the CPU
 * emulator of the same kernel source ({@link EmulatedCudaKernelsTest}, everywhere).
 */
abstract class CudaKernelChecks {
  static final Backend cpu = Backends.select("cpu", 1).backend();
  DeviceOps ops;
  private DeviceArena arena;

  /** The device under test, or null to skip (then {@link #skipReason} says why). */
  abstract DeviceOps device();

  abstract String skipReason();

  /** SM counts to run the matmul under (the tile choice depends on it; the emulator varies it). */
  abstract int[] smCounts();

  abstract void setSmCount(int n);

  /** A smaller shape list where the device is slow (the emulator). */
  abstract boolean small();

  @BeforeEach
  void open() {
    ops = device();
    assumeTrue(ops != null, skipReason());
    arena = new DeviceArena(ops);
  }

  @AfterEach
  void free() {
    if (arena != null) {
      arena.close();
    }
  }

  // ---- device buffers ---------------------------------------------------------------------------

  private long up(float[] v) {
    long a = arena.allocFloats(Math.max(1, v.length));
    try (FloatPointer p = new FloatPointer(v)) {
      ops.upload(a, p, 4L * v.length);
    }
    return a;
  }

  private long poison(int n) {
    float[] v = new float[n];
    Arrays.fill(v, Float.NaN);
    return up(v);
  }

  private float[] down(long a, int n) {
    try (FloatPointer p = new FloatPointer(Math.max(1, n))) {
      ops.download(p, a, 4L * n);
      float[] v = new float[n];
      p.get(v);
      return v;
    }
  }

  private static float[] random(SplittableRandom rng, int n) {
    return TestUtil.random(rng, n, 1);
  }

  // ---- matmul -----------------------------------------------------------------------------------

  private static final int[][] SHAPES = { // m, n, k
      {1, 1, 1}, {1, 10, 784}, {7, 13, 5}, {33, 65, 129}, {128, 128, 784}, {128, 10, 128},
      {784, 128, 32}, {300, 200, 100}, {257, 129, 1000}};
  private static final int[][] SMALL_SHAPES = {
      {1, 1, 1}, {1, 10, 70}, {7, 13, 5}, {33, 65, 29}, {130, 129, 17}, {64, 10, 33},
      {40, 30, 260}, {64, 33, 300}}; // the last two split k (few tiles, long k)
  /** Split-K workspace offered to every gemm check. */
  private static final long WORKSPACE = 1 << 20;

  private static float[] relu(float[] v) {
    float[] r = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      r[i] = Math.max(0f, v[i]);
    }
    return r;
  }

  private void gemmAll(int precision, double tol, SplittableRandom rng) {
    for (int sms : smCounts()) {
      setSmCount(sms);
      for (int[] s : small() ? SMALL_SHAPES : SHAPES) {
        for (int t = 0; t < 4; t++) {
          gemmCase(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, precision, tol, rng);
        }
      }
    }
  }

  /** |c - ref| <= tol * sum_k |a_ik b_kj| + 1e-6: the error bound of a k-term float sum. */
  private static void checkGemm(double[] ref, double[] bound, float[] got, double tol,
      String what) {
    for (int i = 0; i < ref.length; i++) {
      double err = Math.abs(got[i] - ref[i]);
      assertTrue(err <= tol * bound[i] + 1e-6, what + ": element " + i + " is " + got[i]
          + ", expected " + ref[i] + " (bound " + tol * bound[i] + ")");
    }
  }

  private void gemmCase(int m, int n, int k, boolean ta, boolean tb, int precision, double tol,
      SplittableRandom rng) {
    float[] a = random(rng, m * k), b = random(rng, k * n), c0 = random(rng, m * n);
    float[] bias = random(rng, n);
    double[] plain = new double[m * n], bound = new double[m * n];
    double[] colsum = new double[n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0, abs = 0;
        for (int p = 0; p < k; p++) {
          double x = ta ? a[p * m + i] : a[i * k + p];
          double y = tb ? b[j * k + p] : b[p * n + j];
          s += x * y;
          abs += Math.abs(x * y);
        }
        plain[i * n + j] = s;
        bound[i * n + j] = abs + 1;
      }
    }
    for (int j = 0; j < n; j++) {
      for (int p = 0; p < k; p++) {
        colsum[j] += tb ? b[j * k + p] : b[p * n + j];
      }
    }
    String what = (precision == 1 ? "tf32 " : "fp32 ") + m + "x" + n + "x" + k
        + (ta ? " A^T" : "") + (tb ? " B^T" : "");
    long da = up(a), db = up(b);
    // C = 0.75 A B - 0.5 C0
    long dc = up(c0);
    long ws = arena.allocFloats(WORKSPACE), wsn = WORKSPACE; // split-K allowed
    ops.gemm(ta, tb, m, n, k, 0.75f, da, db, -0.5f, dc, DeviceOps.Epilogue.NONE, ws, wsn,
        precision);
    double[] ref = new double[m * n];
    for (int i = 0; i < ref.length; i++) {
      ref[i] = 0.75 * plain[i] - 0.5 * c0[i];
    }
    checkGemm(ref, bound, down(dc, m * n), tol, what + " alpha/beta");
    // Dense forward: y = relu(A B + bias), z kept; bias gradient: column sums of op(B)
    long dy = poison(m * n), dz = poison(m * n), dbias = up(bias), dsum = poison(n);
    ops.gemm(ta, tb, m, n, k, 1f, da, db, 0f, dy,
        DeviceOps.Epilogue.dense(dbias, dz, Activation.RELU.ordinal(), 0f, dsum), ws, wsn,
        precision);
    double[] z = new double[m * n], y = new double[m * n];
    for (int i = 0; i < m * n; i++) {
      z[i] = plain[i] + bias[i % n];
      y[i] = Math.max(0, z[i]);
    }
    // and the epilogue after split-K's reduction (db off: split-K never splits its sums)
    long dy2 = poison(m * n), dz2 = poison(m * n);
    ops.gemm(ta, tb, m, n, k, 1f, da, db, 0f, dy2,
        DeviceOps.Epilogue.dense(dbias, dz2, Activation.RELU.ordinal(), 0f, 0), ws, wsn,
        precision);
    checkGemm(z, bound, down(dz2, m * n), tol, what + " epilogue z (split-K allowed)");
    assertArrayEquals(down(dy2, m * n), relu(down(dz2, m * n)), what + " relu (split-K allowed)");
    float[] gz = down(dz, m * n), gy = down(dy, m * n);
    checkGemm(z, bound, gz, tol, what + " epilogue z");
    for (int i = 0; i < m * n; i++) {
      assertEquals(Math.max(0f, gz[i]), gy[i], 0f, what + " relu(z) at " + i);
    }
    float[] sums = down(dsum, n);
    for (int j = 0; j < n; j++) {
      assertEquals(colsum[j], sums[j], 1e-5 * (k + 1), what + " db[" + j + "]");
    }
  }

  @Test
  void fp32GemmMatchesDoubleReferenceForAllTransposes() {
    gemmAll(0, 1e-6, new SplittableRandom(1));
  }

  @Test
  void tf32GemmIsWithinTensorCoreRounding() {
    // tf32 keeps 10 mantissa bits: each product is off by up to ~2^-10 relative
    gemmAll(1, 2e-3, new SplittableRandom(2));
  }

  @ParameterizedTest
  @EnumSource(value = Activation.class, names = {"RELU", "TANH", "SIGMOID", "GELU", "LEAKY_RELU"})
  void dropoutAndActivationBackwardInTheEpilogueMatchTheCpuPasses(Activation act) {
    SplittableRandom rng = new SplittableRandom(20 + act.ordinal());
    int m = 37, n = 29, k = 21, size = m * n;
    float[] a = random(rng, m * k), b = random(rng, k * n), bias = random(rng, n);
    float[] zBelow = random(rng, size);
    long da = up(a), db = up(b), dbias = up(bias), step = arena.alloc(8);
    try (LongPointer s = new LongPointer(1)) {
      s.put(0, 12L);
      ops.upload(step, s, 8);
    }
    int threshold = Philox.threshold(0.3);
    float scale = 1f / 0.7f;
    for (int precision = 0; precision < 2; precision++) {
      // forward: y = dropout(act(A B + bias)), z kept
      long dz = poison(size), dy = poison(size), plain = poison(size);
      DeviceOps.Epilogue e = DeviceOps.Epilogue.dense(dbias, dz, act.ordinal(), 0.2f, 0);
      ops.gemm(false, false, m, n, k, 1f, da, db, 0f, plain, e, 0, 0, precision);
      ops.gemm(false, false, m, n, k, 1f, da, db, 0f, dy,
          e.dropout(77, step, 4, threshold, scale), 0, 0, precision);
      float[] activated = down(plain, size);
      try (Tensor t = Tensor.of(activated, size); Tensor dropped = Tensor.zeros(size)) {
        cpu.dropout(t, dropped, size, 77, 12, 4, 0.3f);
        assertArrayEquals(dropped.toFloatArray(), down(dy, size), act + " forward, precision "
            + precision);
      }
      // backward: dZ_below = dropout'(A B) * act'(z_below)
      long dg = poison(size), raw = poison(size), dzb = up(zBelow);
      ops.gemm(false, false, m, n, k, 1f, da, db, 0f, raw, DeviceOps.Epilogue.NONE, 0, 0,
          precision);
      ops.gemm(false, false, m, n, k, 1f, da, db, 0f, dg, DeviceOps.Epilogue.NONE
          .dropout(77, step, 4, threshold, scale)
          .activationBackward(dzb, act.ordinal(), 0.2f), 0, 0, precision);
      try (Tensor g = Tensor.of(down(raw, size), m, n); Tensor gd = Tensor.zeros(m, n);
          Tensor z = Tensor.of(zBelow, m, n); Tensor y = Tensor.zeros(m, n);
          Tensor out = Tensor.zeros(m, n)) {
        cpu.dropout(g, gd, size, 77, 12, 4, 0.3f);
        cpu.biasActForward(z, null, y, y, m, n, act, 0.2f);
        cpu.actBackward(z, y, gd, out, m, n, act, 0.2f);
        // GPU math contracts to FMAs and CUDA's erff/expf/tanhf are within 2 ulp: the error of
        // g * act'(z) is a few ulp of the largest |g| (act' is O(1)), not a fixed 1e-7
        float[] gv = g.toFloatArray();
        double largest = 0;
        for (float v : gv) {
          largest = Math.max(largest, Math.abs(v));
        }
        assertClose(out.toFloatArray(), down(dg, size), 2e-6, 8 * Math.ulp((float) largest),
            act + " backward, precision " + precision);
      }
    }
  }

  // ---- elementwise ------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Activation.class)
  void biasActivationForwardAndBackwardMatchCpu(Activation act) {
    SplittableRandom rng = new SplittableRandom(3 + act.ordinal());
    for (int[] s : new int[][] {{1, 1}, {1, 10}, {7, 33}, {128, 128}, {129, 10}, {3, 1000}}) {
      int rows = s[0], cols = s[1], n = rows * cols;
      float[] x = random(rng, n), bias = random(rng, cols), dy = random(rng, n);
      try (Tensor tx = Tensor.of(x, rows, cols); Tensor tb = Tensor.of(bias, cols);
          Tensor tz = Tensor.zeros(rows, cols); Tensor ty = Tensor.zeros(rows, cols);
          Tensor tdy = Tensor.of(dy, rows, cols); Tensor tdz = Tensor.zeros(rows, cols);
          Tensor tdb = Tensor.zeros(cols)) {
        cpu.biasActForward(tx, tb, tz, ty, rows, cols, act, Activation.LEAKY_RELU_SLOPE);
        cpu.actBackward(tz, ty, tdy, tdz, rows, cols, act, Activation.LEAKY_RELU_SLOPE);
        cpu.biasGrad(tdz, tdb, rows, cols);
        long dx = up(x), dbias = up(bias), dz = poison(n), dyy = poison(n), dg = up(dy);
        long ddz = poison(n), ddb = poison(cols);
        ops.biasActForward(dx, dbias, dz, dyy, rows, cols, act.ordinal(),
            Activation.LEAKY_RELU_SLOPE);
        ops.actBackward(dz, dyy, dg, ddz, rows, cols, act.ordinal(), Activation.LEAKY_RELU_SLOPE);
        ops.biasGrad(ddz, ddb, rows, cols);
        String what = act + " " + rows + "x" + cols;
        assertClose(tz.toFloatArray(), down(dz, n), 0, 0, what + " z");
        assertClose(ty.toFloatArray(), down(dyy, n), 2e-6, 1e-7, what + " y");
        assertClose(tdz.toFloatArray(), down(ddz, n), 1e-5, 1e-7, what + " dz");
        assertClose(tdb.toFloatArray(), down(ddb, cols), 1e-5, 1e-5, what + " db");
      }
    }
  }

  @Test
  void softmaxCrossEntropyMatchesCpuAndTalliesOnDevice() {
    SplittableRandom rng = new SplittableRandom(5);
    for (int[] s : new int[][] {{1, 10}, {128, 10}, {600, 10}, {33, 7}, {5, 100}, {20, 100}, {2, 1}}) {
      int rows = s[0], cols = s[1], n = rows * cols;
      for (int variant = 0; variant < 4; variant++) {
        boolean sparse = variant < 2, logits = variant % 2 == 0;
        float ls = sparse ? 0f : 0.1f;
        float[] pred = logits ? TestUtil.random(rng, n, 4)
            : probabilities(rng, rows, cols);
        float[] labels = sparse ? classes(rng, rows, cols) : probabilities(rng, rows, cols);
        try (Tensor tp = Tensor.of(pred, rows, cols);
            Tensor tl = sparse ? Tensor.of(labels, rows) : Tensor.of(labels, rows, cols);
            Tensor rl = Tensor.zeros(rows); Tensor g = Tensor.zeros(rows, cols)) {
          long[] hits = new long[1];
          double sum = cpu.softmaxXent(tp, tl, rl, g, rows, cols, sparse, logits, ls, 0.25f,
              hits);
          long dp = up(pred), dl = up(labels), drl = poison(rows), dg = poison(n);
          long acc = arena.alloc(16);
          ops.zero(acc, 16);
          ops.softmaxXent(dp, dl, drl, dg, rows, cols, sparse, logits, ls, 0.25f, acc, acc + 8);
          ops.softmaxXent(dp, dl, 0, 0, rows, cols, sparse, logits, ls, 0.25f, acc, acc + 8);
          String what = rows + "x" + cols + (sparse ? " sparse" : " one-hot")
              + (logits ? " logits" : " probabilities");
          assertClose(rl.toFloatArray(), down(drl, rows), 1e-5, 1e-6, what + " row loss");
          assertClose(g.toFloatArray(), down(dg, n), 1e-5, 1e-6, what + " gradient");
          try (DoublePointer d = new DoublePointer(1); LongPointer h = new LongPointer(1)) {
            ops.download(d, acc, 8);
            ops.download(h, acc + 8, 8);
            assertEquals(2 * sum, d.get(), 1e-5 * (1 + Math.abs(sum)), what + " loss tally");
            assertEquals(2 * hits[0], h.get(), what + " hit tally");
          }
          // the gradient may overwrite the predictions in place
          ops.softmaxXent(dp, dl, 0, dp, rows, cols, sparse, logits, ls, 0.25f, 0, 0);
          assertClose(g.toFloatArray(), down(dp, n), 1e-5, 1e-6, what + " in place");
        }
      }
    }
  }

  private static float[] probabilities(SplittableRandom rng, int rows, int cols) {
    return TestUtil.distributions(rng, rows, cols);
  }

  static float[] classes(SplittableRandom rng, int rows, int cols) {
    return TestUtil.classIndices(rng, rows, cols);
  }

  @Test
  void dropoutMaskEqualsTheCpuMaskBitForBit() {
    SplittableRandom rng = new SplittableRandom(7);
    for (int n : small() ? new int[] {1, 5, 1001, 10_003} : new int[] {1, 5, 1001, 100_003}) {
      float[] x = random(rng, n);
      for (float rate : new float[] {0.2f, 0.5f}) {
        for (long step : new long[] {0, 41, 1L << 33}) {
          try (Tensor tx = Tensor.of(x, n); Tensor ty = Tensor.zeros(n)) {
            cpu.dropout(tx, ty, n, 0x1234_5678_9ABCL, step, 3, rate);
            long dx = up(x), dy = poison(n), dstep = arena.alloc(8);
            ops.dropout(dx, dy, n, 0x1234_5678_9ABCL, step, 0, 3, Philox.threshold(rate),
                1f / (1f - rate));
            assertArrayEquals(ty.toFloatArray(), down(dy, n), "n=" + n + " step " + step);
            try (LongPointer s = new LongPointer(1)) { // the step read from device memory
              s.put(0, step);
              ops.upload(dstep, s, 8);
            }
            long dy2 = poison(n);
            ops.dropout(dx, dy2, n, 0x1234_5678_9ABCL, 999, dstep, 3, Philox.threshold(rate),
                1f / (1f - rate));
            assertArrayEquals(ty.toFloatArray(), down(dy2, n), "n=" + n + " device step");
          }
        }
      }
    }
  }

  @Test
  void shuffleOrderGatherAndAdvanceMatchTheHost() {
    for (int n : small() ? new int[] {1, 7, 6_000} : new int[] {1, 7, 60_000}) {
      long keys = arena.alloc(8L * n), sorted = arena.alloc(8L * n), order = arena.alloc(4L * n);
      long bytes = ops.shuffleScratchBytes(n);
      long temp = arena.alloc(bytes);
      ops.shuffleOrder(n, 99, 3, keys, sorted, order, temp, bytes);
      int[] expected = new int[n];
      Shuffle.order(99, 3, expected);
      try (IntPointer p = new IntPointer(n)) {
        ops.download(p, order, 4L * n);
        int[] got = new int[n];
        p.get(got);
        assertArrayEquals(expected, got, "epoch order of " + n);
      }
    }
    // gather rows 3..5 of the order with the batch index read from the device: batch 1 of 3
    SplittableRandom rng = new SplittableRandom(8);
    int rows = 10, width = 7;
    float[] src = random(rng, rows * width);
    int[] perm = {4, 9, 0, 2, 7, 1, 3, 8, 5, 6};
    long dsrc = up(src), dorder = arena.alloc(4L * rows), counters = arena.alloc(16);
    try (IntPointer p = new IntPointer(perm); LongPointer c = new LongPointer(2)) {
      ops.upload(dorder, p, 4L * rows);
      c.put(0, 1L).put(1, 5L); // batch index 1 (low int), step 5
      ops.upload(counters, c, 16);
    }
    long dst = poison(3 * width);
    ops.gatherRows(dsrc, width, dorder, counters, 0, 3, 3, dst);
    float[] got = down(dst, 3 * width);
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < width; c++) {
        assertEquals(src[perm[3 + r] * width + c], got[r * width + c], 0f, "row " + r);
      }
    }
    ops.advance(counters, counters + 8);
    try (IntPointer b = new IntPointer(1); LongPointer s = new LongPointer(1)) {
      ops.download(b, counters, 4);
      ops.download(s, counters + 8, 8);
      assertEquals(2, b.get());
      assertEquals(6L, s.get());
    }
  }

  @ParameterizedTest
  @EnumSource(OptimizerRule.class)
  void optimizerStepFromTheDeviceTableMatchesCpu(OptimizerRule rule) {
    SplittableRandom rng = new SplittableRandom(11 + rule.ordinal());
    int n = small() ? 10_177 : 101_770;
    long[] ends = {1000, 1003, 5000, n};
    float[][] init = new float[4][];
    for (int k = 0; k < 4; k++) {
      init[k] = TestUtil.random(rng, n, k == 0 ? 1 : 0.1);
      if (k > 0) {
        for (int i = 0; i < n; i++) {
          init[k][i] = Math.abs(init[k][i]) + (k == 1 && rule == OptimizerRule.RMSPROP ? 1f : 0f);
        }
      }
    }
    float[] hp = Arrays.copyOf(hyperparameters(rule), 16);
    hp[15] = 0.01f; // the weight-decay learning rate
    Segments seg = new Segments(ends);
    float[] gscale = {1f, 0.5f, 1.5f, 1f}, wd = {0.004f, 0f, 0.004f, 0f};
    System.arraycopy(gscale, 0, seg.gscale, 0, 4);
    System.arraycopy(wd, 0, seg.wd, 0, 4);
    float[] g = TestUtil.random(rng, n, 1);
    Tensor[] host = new Tensor[4];
    long[] dev = new long[4];
    for (int k = 0; k < 4; k++) {
      host[k] = Tensor.of(init[k], n);
      dev[k] = up(init[k]);
    }
    try (Tensor tg = Tensor.of(g, n)) {
      float[] hp16 = Arrays.copyOf(hp, 16);
      cpu.optimizerStep(rule, hp16, host[0], tg, host[1], host[2], host[3], seg, 0.01f, 0.3f);
      float[] table = new float[32]; // row 1 is this step's
      System.arraycopy(hp, 0, table, 16, 16);
      long dtable = up(table), row = arena.alloc(4), dg = up(g);
      try (IntPointer r = new IntPointer(1)) {
        r.put(0, 1);
        ops.upload(row, r, 4);
      }
      long scratch = arena.alloc(16L * ends.length);
      // odd rules read the factors from device memory (the clipnorm path), even ones from the table
      long gscaleDev = rule.ordinal() % 2 == 1 ? up(gscale) : 0;
      ops.optimizerStepTable(rule.ordinal(), dtable, row, dev[0], dg, dev[1], dev[2], dev[3],
          ends, rule.ordinal() % 2 == 1 ? new float[] {9, 9, 9, 9} : gscale, gscaleDev, wd, 0.3f,
          scratch);
      for (int k = 0; k < 4; k++) {
        assertClose(host[k].toFloatArray(), down(dev[k], n), 2e-5, 1e-6, rule + " buffer " + k);
      }
    } finally {
      for (Tensor t : host) {
        t.close();
      }
    }
  }

  @Test
  void clipFactorsMatchTheOptimizersHostArithmetic() {
    SplittableRandom rng = new SplittableRandom(12);
    long[] ends = {3, 3, 700, 1201};
    float[] g = TestUtil.random(rng, 1201, 2);
    long dg = up(g), sums = arena.alloc(8L * ends.length), scales = arena.alloc(16);
    ops.segmentSumSquares(dg, ends, sums);
    double[] expect = new double[ends.length];
    for (int s = 0, b = 0; s < ends.length; b = (int) ends[s], s++) {
      for (int i = b; i < ends[s]; i++) {
        expect[s] += (double) g[i] * g[i];
      }
    }
    double[] got = new double[ends.length];
    try (DoublePointer d = new DoublePointer(ends.length)) {
      ops.download(d, sums, 8L * ends.length);
      d.get(got);
    }
    for (int s = 0; s < ends.length; s++) {
      assertEquals(expect[s], got[s], 1e-9 * (1 + expect[s]), "sum of squares " + s);
    }
    for (float[] c : new float[][] {{0.5f, 1f, 0f}, {0.25f, 0f, 3f}, {1f, 0f, 0f}}) {
      float pre = c[0], clip = c[1], global = c[2];
      ops.clipScales(sums, ends.length, pre, clip, global, scales);
      float[] dev = down(scales, ends.length);
      double total = 0;
      for (int s = 0; s < ends.length; s++) {
        float scale = pre;
        if (clip > 0) {
          float norm = (float) Math.sqrt(got[s]) * pre;
          scale = pre * (clip / Math.max(norm, clip));
        }
        total += got[s];
        if (global == 0) {
          assertEquals(scale, dev[s], 0f, "clipnorm factor " + s);
        }
      }
      if (global > 0) {
        float norm = (float) Math.sqrt(total) * pre;
        float scale = global * Math.min(1f / norm, 1f / global) + (norm - norm);
        for (int s = 0; s < ends.length; s++) {
          assertEquals(pre * scale, dev[s], 0f, "global_clipnorm factor " + s);
        }
      }
    }
  }

  private static float[] hyperparameters(OptimizerRule rule) {
    switch (rule) {
      case SGD: return new float[] {0.01f, 0.9f, 1f};
      case RMSPROP: return new float[] {0.001f, 0.9f, 0.5f, 1e-7f, 1f};
      case ADAGRAD: return new float[] {0.01f, 1e-7f};
      case ADADELTA: return new float[] {1f, 0.95f, 1e-6f};
      case ADAM: return new float[] {0.003f, 0.9f, 0.999f, 1e-7f, 1f};
      case ADAMAX: return new float[] {0.002f, 0.9f, 0.999f, 1e-7f, 0.19f};
      case NADAM: return new float[] {0.002f, 0.9f, 0.999f, 1e-7f, 0.46f, 0.8f, 0.55f, 0.6f,
          0.002f};
      case FTRL: return new float[] {0.1f, -0.5f, 0.01f, 0.2f, 0.1f};
      case LION: return new float[] {0.001f, 0.9f, 0.99f};
      case LAMB: return new float[] {0.01f, 0.9f, 0.999f, 1e-7f, 0.19f, 0.002f};
      default: throw new IllegalArgumentException(rule.toString());
    }
  }
}

package dev.nabla.cli;

import static org.bytedeco.cuda.global.cublas.*;
import static org.bytedeco.cuda.global.cudart.*;

import dev.nabla.Tensor;
import dev.nabla.backend.Backends;
import dev.nabla.backend.cuda.Addresses;
import dev.nabla.backend.cuda.CudaOps;
import dev.nabla.backend.cuda.DeviceArena;
import dev.nabla.backend.cuda.DeviceOps;
import dev.nabla.callbacks.History;
import dev.nabla.data.Dataset;
import dev.nabla.nn.FitOptions;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Dropout;
import dev.nabla.nn.layers.Flatten;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The GPU benchmarks of the CUDA backend, timed with CUDA events after warm-up, medians of
 * several timed batches: our SGEMM (fp32, TF32) against cuBLAS at 4096^3 and at the network's
 * shapes; softmax cross-entropy and the fused Adam step against the device's copy bandwidth;
 * and whole MNIST epochs of the seed network (adam) at batch 128 and 32 on the resident trainer.
 * Prints one line per figure and a last line of JSON. Usage: GpuBench [mnist-dir] [epochs].
 *
 * <p>Not thread-safe: a command-line program.
 */
public final class GpuBench {
  private final CudaOps ops;
  private final DeviceArena arena;
  private final CUevent_st start = new CUevent_st(), stop = new CUevent_st();
  private final List<String> json = new ArrayList<>();
  private static final long WORKSPACE_FLOATS = 1 << 22; // split-K partial sums
  private long workspace;

  private GpuBench(CudaOps ops) {
    this.ops = ops;
    this.arena = new DeviceArena(ops);
    CudaOps.check(cudaEventCreate(start), "cudaEventCreate");
    CudaOps.check(cudaEventCreate(stop), "cudaEventCreate");
  }

  public static void main(String[] args) throws Exception {
    String why = Backends.probeCuda();
    if (!why.isEmpty()) {
      System.err.println("gpu-bench: no usable GPU: " + why);
      System.exit(3);
    }
    Path data = args.length > 0 ? Path.of(args[0]) : null;
    int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    try (CudaOps ops = new CudaOps(Backends.cudaDevice())) {
      System.out.println("device: " + Backends.cudaDevice());
      GpuBench b = new GpuBench(ops);
      try {
        b.run(data, epochs);
      } finally {
        b.arena.close();
        cudaEventDestroy(b.start); // freed on every path, a failed benchmark's too
        cudaEventDestroy(b.stop);
      }
      System.out.println("JSON {" + String.join(", ", b.json) + "}");
    }
  }

  private void run(Path data, int epochs) throws Exception {
    workspace = arena.allocFloats(WORKSPACE_FLOATS);
    double copy = copyBandwidth(256L << 20);
    gemm(4096, 4096, 4096, false, false);
    gemm(128, 128, 784, false, false); // forward, layer 1 (batch 128)
    gemm(784, 128, 128, true, false);  // dW1 = X^T dZ
    gemm(128, 10, 128, false, false);  // forward, layer 2
    gemm(128, 128, 10, false, true);   // dX2 = dZ W2^T
    softmaxXent(1 << 20, 10, copy);
    softmaxXent(1 << 16, 1000, copy);
    adam(64L << 20, copy);
    if (data != null || Dataset.defaultMnistDir().toFile().isDirectory()) {
      epochs(data, 128, epochs);
      epochs(data, 32, epochs);
    } else {
      System.out.println("mnist epochs: skipped (no MNIST folder; pass it as the first argument)");
    }
  }

  private void put(String key, double value) {
    json.add(String.format(Locale.ROOT, "\"%s\": %.6g", key, value));
  }

  /** Median milliseconds of one call of {@code work}, over 7 timed batches of {@code reps}. */
  private double timeMs(Runnable work, int reps) {
    for (int i = 0; i < 3; i++) {
      work.run(); // warm-up (and first-use costs)
    }
    ops.synchronize();
    double[] ms = new double[7];
    float[] t = new float[1];
    for (int r = 0; r < ms.length; r++) {
      CudaOps.check(cudaEventRecord(start, ops.stream()), "cudaEventRecord");
      for (int i = 0; i < reps; i++) {
        work.run();
      }
      CudaOps.check(cudaEventRecord(stop, ops.stream()), "cudaEventRecord");
      CudaOps.check(cudaEventSynchronize(stop), "cudaEventSynchronize");
      CudaOps.check(cudaEventElapsedTime(t, start, stop), "cudaEventElapsedTime");
      ms[r] = t[0] / reps;
    }
    Arrays.sort(ms);
    return ms[ms.length / 2];
  }

  private long random(long n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    long a = arena.allocFloats(n);
    int chunk = 1 << 22;
    try (FloatPointer p = new FloatPointer(Math.min(n, chunk))) {
      for (long off = 0; off < n; off += chunk) {
        int m = (int) Math.min(chunk, n - off);
        for (int i = 0; i < m; i++) {
          p.put(i, (float) (rng.nextDouble() * 2 - 1));
        }
        ops.upload(a + 4 * off, p, 4L * m);
      }
    }
    return a;
  }

  /** Device-to-device copy: bytes read + written per second, the memory-bound kernels' roof. */
  private double copyBandwidth(long bytes) {
    long src = arena.alloc(bytes), dst = arena.alloc(bytes);
    double ms = timeMs(() -> CudaOps.check(cudaMemcpyAsync(Addresses.bytes(dst, bytes),
        Addresses.bytes(src, bytes), bytes, cudaMemcpyDeviceToDevice, ops.stream()), "copy"), 5);
    double gbs = 2.0 * bytes / (ms * 1e-3) / 1e9;
    System.out.printf(Locale.ROOT, "copy %d MiB: %.3f ms, %.0f GB/s (read + write)%n",
        bytes >> 20, ms, gbs);
    put("copy_gbs", gbs);
    return gbs;
  }

  private void gemm(int m, int n, int k, boolean ta, boolean tb) {
    long a = random((long) m * k, 1), b = random((long) k * n, 2), c = arena.allocFloats(
        (long) m * n);
    double flop = 2.0 * m * n * k;
    int reps = flop > 1e10 ? 5 : 200;
    String shape = m + "x" + n + "x" + k + (ta ? " A^T" : "") + (tb ? " B^T" : "");
    String key = m + "x" + n + "x" + k + (ta ? "_tA" : "") + (tb ? "_tB" : "");
    double[] tflops = new double[4];
    String[] names = {"nabla fp32", "nabla tf32", "cublas fp32", "cublas tf32"};
    for (int p = 0; p < 2; p++) {
      int precision = p;
      double ms = timeMs(() -> ops.gemm(ta, tb, m, n, k, 1f, a, b, 0f, c,
          DeviceOps.Epilogue.NONE, workspace, WORKSPACE_FLOATS, precision), reps);
      tflops[p] = flop / (ms * 1e-3) / 1e12;
    }
    try {
      cublasBaseline(m, n, k, ta, tb, a, b, c, reps, flop, tflops);
    } catch (Throwable t) { // libcublas.so.13 missing: report ours alone
      Throwable root = t;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      System.out.println("cublas unavailable: " + root);
      tflops[2] = tflops[3] = Double.NaN;
    }
    for (int p = 0; p < 4; p++) {
      System.out.printf(Locale.ROOT, "sgemm %s %s: %.2f TFLOP/s%n", shape, names[p], tflops[p]);
      put("sgemm_" + key + "_" + names[p].replace(' ', '_'), tflops[p]);
    }
    System.out.printf(Locale.ROOT, "sgemm %s: nabla/cublas fp32 %.0f%%, tf32 %.0f%%%n", shape,
        100 * tflops[0] / tflops[2], 100 * tflops[1] / tflops[3]);
  }

  /** cuBLAS's fp32 and TF32 rates at the same shape into tflops[2] and tflops[3]. */
  private void cublasBaseline(int m, int n, int k, boolean ta, boolean tb, long a, long b, long c,
      int reps, double flop, double[] tflops) {
    cublasContext h = new cublasContext();
    CudaOps.check(cublasCreate_v2(h), "cublasCreate");
    try {
      cublasSetStream_v2(h, ops.stream());
      FloatPointer one = new FloatPointer(1f), zero = new FloatPointer(0f); // host scalars
      // row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T
      FloatPointer A = Addresses.floats(a, (long) m * k), B = Addresses.floats(b, (long) k * n);
      FloatPointer C = Addresses.floats(c, (long) m * n);
      int opA = ta ? CUBLAS_OP_T : CUBLAS_OP_N, opB = tb ? CUBLAS_OP_T : CUBLAS_OP_N;
      for (int p = 0; p < 2; p++) {
        cublasSetMathMode(h, p == 0 ? CUBLAS_DEFAULT_MATH : CUBLAS_TF32_TENSOR_OP_MATH);
        double ms = timeMs(() -> CudaOps.check(cublasSgemm_v2(h, opB, opA, n, m, k, one, B,
            tb ? k : n, A, ta ? m : k, zero, C, n), "cublasSgemm"), reps);
        tflops[2 + p] = flop / (ms * 1e-3) / 1e12;
      }
      one.close();
      zero.close();
    } finally {
      cublasDestroy_v2(h);
    }
  }

  private void softmaxXent(int rows, int cols, double copyGbs) {
    long pred = random((long) rows * cols, 3), grad = arena.allocFloats((long) rows * cols);
    long labels = arena.allocFloats(rows), acc = arena.alloc(16);
    try (FloatPointer l = new FloatPointer(rows)) {
      for (int r = 0; r < rows; r++) {
        l.put(r, r % cols);
      }
      ops.upload(labels, l, 4L * rows);
    }
    ops.zero(acc, 16);
    double ms = timeMs(() -> ops.softmaxXent(pred, labels, 0, grad, rows, cols, true, true, 0f,
        1f / rows, acc, acc + 8), 20);
    double bytes = 8.0 * rows * cols + 4.0 * rows; // read logits, write gradient, read labels
    double gbs = bytes / (ms * 1e-3) / 1e9;
    System.out.printf(Locale.ROOT, "softmax_xent %dx%d: %.3f ms, %.0f GB/s = %.0f%% of copy%n",
        rows, cols, ms, gbs, 100 * gbs / copyGbs);
    put("softmax_xent_" + rows + "x" + cols + "_copy_fraction", gbs / copyGbs);
  }

  private void adam(long n, double copyGbs) {
    long w = random(n, 4), g = random(n, 5), m = arena.allocFloats(n), v = arena.allocFloats(n);
    ops.zero(m, 4 * n);
    ops.zero(v, 4 * n);
    float[] row = new float[16];
    row[0] = 1e-3f;
    row[1] = 0.9f;
    row[2] = 0.999f;
    row[3] = 1e-7f;
    long table, idx = arena.alloc(4);
    try (FloatPointer t = new FloatPointer(row)) {
      table = arena.allocFloats(16);
      ops.upload(table, t, 64);
    }
    ops.zero(idx, 4);
    long[] ends = {n};
    float[] one = {1f}, zero = {0f};
    double ms = timeMs(() -> ops.optimizerStepTable(4, table, idx, w, g, m, v, 0, ends, one, 0, zero,
        0f, 0), 5);
    double bytes = 28.0 * n; // read w, g, m, v; write w, m, v
    double gbs = bytes / (ms * 1e-3) / 1e9;
    System.out.printf(Locale.ROOT, "fused adam %dM params: %.3f ms, %.0f GB/s = %.0f%% of copy%n",
        n >> 20, ms, gbs, 100 * gbs / copyGbs);
    put("adam_copy_fraction", gbs / copyGbs);
  }

  /** Whole epochs of the seed network on MNIST; the median of the epochs after the first. */
  private void epochs(Path dir, int batch, int epochs) throws Exception {
    Dataset d = Dataset.load("mnist", dir);
    try (Tensor x = d.imageTensor(true); Tensor y = Tensor.of(d.yTrain, d.nTrain());
        Sequential m = new Sequential(new Flatten(28, 28), new Dense(128, "relu"),
            new Dropout(0.2), new Dense(10, "softmax"))) {
      m.setSeed(1);
      m.setBackend(Backends.select("cpu", 1).backend());
      m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
      m.to("cuda");
      History h = m.fit(x, y, new FitOptions().epochs(epochs).batchSize(batch).verbose(0));
      double[] s = h.epochSeconds().stream().skip(1).mapToDouble(Double::doubleValue).sorted()
          .toArray();
      double median = s.length == 0 ? h.epochSeconds().get(0) : s[s.length / 2];
      List<Float> acc = h.get("accuracy");
      System.out.printf(Locale.ROOT, "mnist epoch batch %d: %.2f ms (median of epochs 2..%d; "
          + "first %.1f ms incl. upload and capture), train accuracy %.4f%n", batch,
          median * 1e3, epochs, h.epochSeconds().get(0) * 1e3, acc.get(acc.size() - 1));
      put("mnist_epoch_ms_b" + batch, median * 1e3);
    }
  }
}

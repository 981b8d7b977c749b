package dev.nabla.bench;

import dev.nabla.Tensor;
import dev.nabla.callbacks.Callback;
import dev.nabla.data.Dataset;
import dev.nabla.nn.FitOptions;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Dropout;
import dev.nabla.nn.layers.Flatten;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;

/**
 * Memory over a long run: the seed network (Flatten, Dense 128 relu, Dropout 0.2, Dense 10
 * softmax, adam) trained for 30 epochs on 6,000 real MNIST images, then 10,000 predict calls on a
 * batch of 32, then closed. Prints after every epoch and every 1,000 predict calls JavaCPP's
 * {@link Pointer#totalBytes()} (off-heap bytes JavaCPP has allocated and not yet freed),
 * {@link Pointer#physicalBytes()} (the process's resident set size) and {@link Tensor#allocations()}
 * (tensor memory blocks allocated so far), and ends with PASS or FAIL.
 *
 * <p>Checks (exit status 1 if one fails):
 * <ul>
 *   <li>training: totalBytes after every epoch from the 2nd on is within {@link #TOLERANCE} of
 *       its value after the 1st (every batch-shape plan exists by then);
 *   <li>predict: totalBytes after the last call is within {@link #TOLERANCE} of its value after
 *       the first (each call's result tensor is closed by the caller);
 *   <li>close: closing the model frees at least its parameters, gradients and adam's two slots.
 * </ul>
 * RSS, the JVM's used heap and the allocation counter are reported, not checked.
 *
 * <pre>  java -cp benchmarks/target/benchmarks.jar dev.nabla.bench.MemoryReport [EPOCHS] [CALLS]</pre>
 */
public final class MemoryReport {
  private MemoryReport() {}

  /** Allowed growth of totalBytes, bytes. */
  static final long TOLERANCE = 64 * 1024;
  static final int TRAIN = 6000;
  static final int TEST = 1000;
  static final int BATCH = 32;

  public static void main(String[] args) throws Exception {
    int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int every = Math.max(1, calls / 10);

    Dataset ds = Dataset.load("mnist", null).slice(TRAIN, TEST);
    Tensor x = ds.imageTensor(true);
    Tensor y = Tensor.of(ds.yTrain(), ds.nTrain());
    System.out.printf(Locale.ROOT, "MemoryReport: %s, %d epochs of batch %d, then %,d predict "
        + "calls on %d images; tolerance for totalBytes growth %,d bytes%n", ds, epochs, BATCH,
        calls, BATCH, TOLERANCE);
    System.out.printf(Locale.ROOT, "java %s, max heap %d MiB, JavaCPP maxBytes %d MiB, "
        + "maxPhysicalBytes %d MiB%n", System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20, Pointer.maxBytes() >> 20,
        Pointer.maxPhysicalBytes() >> 20);
    header("stage");
    row("data loaded", "", null);

    Sequential model = new Sequential(new Flatten(28, 28), new Dense(128, "relu"),
        new Dropout(0.2), new Dense(10, "softmax"));
    model.setSeed(1);
    model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
    long params = model.countParams();
    System.out.printf(Locale.ROOT, "model: %,d parameters, backend %s%n", params,
        model.backend().name());
    long beforeFit = Pointer.totalBytes();
    row("model built", "", null);

    System.out.println();
    header("epoch");
    List<Long> epochTotals = new ArrayList<>();
    long[] lastAlloc = {Tensor.allocations()};
    long t0 = System.nanoTime();
    model.fit(x, y, new FitOptions().epochs(epochs).batchSize(BATCH).verbose(0)
        .callbacks(new Callback() {
          @Override
          public void onEpochEnd(int epoch, Map<String, Float> logs) {
            long a = Tensor.allocations();
            epochTotals.add(Pointer.totalBytes());
            row(Integer.toString(epoch + 1), String.format(Locale.ROOT, "loss %.4f acc %.4f",
                logs.get("loss"), logs.get("accuracy")), a - lastAlloc[0]);
            lastAlloc[0] = a;
          }
        }));
    double fitSeconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "fit: %.1f s; totalBytes grew %,d bytes from before fit to "
        + "after epoch 1 (plans, optimizer slots)%n", fitSeconds, epochTotals.get(0) - beforeFit);

    System.out.println();
    header("predict calls");
    Tensor batch = x.view(0, BATCH, 28, 28);
    long allocBefore = Tensor.allocations();
    long totalAfterFirst = 0;
    long allocAfterFirst = 0;
    long last = allocBefore;
    double checksum = 0;
    t0 = System.nanoTime();
    for (int i = 1; i <= calls; i++) {
      try (Tensor out = model.predict(batch)) {
        for (int k = 0; k < 10; k++) {
          checksum += out.get(k); // the first image's softmax row: adds up to ~1 per call
        }
      }
      if (i == 1) {
        totalAfterFirst = Pointer.totalBytes();
        allocAfterFirst = Tensor.allocations();
        row("1", "first call (plans the batch-32 inference graph)", allocAfterFirst - last);
        last = allocAfterFirst;
      }
      if (i % every == 0) {
        long a = Tensor.allocations();
        row(String.format(Locale.ROOT, "%,d", i), String.format(Locale.ROOT, "%.1f us/call",
            (System.nanoTime() - t0) / 1e3 / i), a - last);
        last = a;
      }
    }
    long totalAfterPredict = Pointer.totalBytes();
    long allocSteady = Tensor.allocations() - allocAfterFirst;
    System.out.printf(Locale.ROOT, "predict: %,d tensor allocations in calls 2..%d = %.3f per call "
        + "(the returned result is 1; softmax rows summed over calls: %.3f)%n", allocSteady, calls,
        calls > 1 ? allocSteady / (double) (calls - 1) : 0.0, checksum);

    System.out.println();
    long beforeClose = Pointer.totalBytes();
    model.close();
    long afterClose = Pointer.totalBytes();
    long minModelBytes = 4L * 4 * params; // params, grads, adam m and v, float32
    System.out.printf(Locale.ROOT, "close: totalBytes %,d -> %,d (freed %,d bytes; the model's "
        + "parameters, gradients and adam's 2 slots alone are %,d bytes)%n", beforeClose,
        afterClose, beforeClose - afterClose, minModelBytes);
    x.close();
    y.close();
    header("stage");
    row("model and data closed", "", null);

    System.out.println();
    boolean ok = true;
    long trainGrowth = 0;
    int worstEpoch = Math.min(2, epochTotals.size());
    for (int e = 1; e < epochTotals.size(); e++) {
      long g = epochTotals.get(e) - epochTotals.get(0);
      if (Math.abs(g) > Math.abs(trainGrowth)) {
        trainGrowth = g;
        worstEpoch = e + 1;
      }
    }
    ok &= check("training", trainGrowth <= TOLERANCE, String.format(Locale.ROOT,
        "totalBytes after epochs 2..%d vs epoch 1: largest change %+,d bytes (epoch %d)",
        epochTotals.size(), trainGrowth, worstEpoch));
    long predictGrowth = totalAfterPredict - totalAfterFirst;
    ok &= check("predict", predictGrowth <= TOLERANCE, String.format(Locale.ROOT,
        "totalBytes after call %,d vs call 1: %+,d bytes", calls, predictGrowth));
    ok &= check("close", beforeClose - afterClose >= minModelBytes, String.format(Locale.ROOT,
        "freed %,d bytes, at least %,d expected", beforeClose - afterClose, minModelBytes));
    System.out.println(ok ? "PASS" : "FAIL");
    System.exit(ok ? 0 : 1);
  }

  private static boolean check(String what, boolean ok, String detail) {
    System.out.printf(Locale.ROOT, "%-8s %s: %s (tolerance %,d bytes)%n", what,
        ok ? "PASS" : "FAIL", detail, TOLERANCE);
    return ok;
  }

  private static void header(String first) {
    System.out.printf(Locale.ROOT, "%-22s %15s %10s %10s %12s %10s  %s%n", first, "totalBytes",
        "RSS MiB", "heap MiB", "allocations", "new", "");
  }

  /** One line of figures; {@code newAllocations} null prints none. */
  private static void row(String label, String note, Long newAllocations) {
    Runtime rt = Runtime.getRuntime();
    System.out.printf(Locale.ROOT, "%-22s %,15d %10.1f %10.1f %,12d %10s  %s%n", label,
        Pointer.totalBytes(), Pointer.physicalBytes() / 1048576.0,
        (rt.totalMemory() - rt.freeMemory()) / 1048576.0, Tensor.allocations(),
        newAllocations == null ? "" : String.format(Locale.ROOT, "%+,d", newAllocations), note);
    System.out.flush();
  }
}

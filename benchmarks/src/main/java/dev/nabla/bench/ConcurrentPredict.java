package dev.nabla.bench;

import dev.nabla.Tensor;
import dev.nabla.backend.Backends;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Dropout;
import dev.nabla.nn.layers.Flatten;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;

/**
 * A server's view of predict (issue 14): one seed-network model shared by CLIENTS threads, each
 * predicting its own fixed batch of BATCH random images in a loop for SECONDS (after a warm-up
 * of the same length), every call timed. Prints one line per (batch, clients): predictions per
 * second (calls, and images), and the p50 and p99 latency of a call. The PyTorch side is
 * benchmarks/pytorch_concurrent_predict.py (same model, eval mode, torch.no_grad); both are run
 * by benchmarks/concurrent-predict.sh.
 *
 * <pre>
 *   java -cp CLASSPATH dev.nabla.bench.ConcurrentPredict [DEVICE=cpu] [SECONDS=3] [BATCHES=1,32]
 *       [CLIENTS=1,2,8]
 * </pre>
 * The backend runs each call's ops on one thread (the CPU backend's default): the clients are
 * the parallelism, as in a server.
 */
public final class ConcurrentPredict {
  private ConcurrentPredict() {}

  public static void main(String[] args) throws Exception {
    String device = args.length > 0 ? args[0] : "cpu";
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
    int[] batches = ints(args.length > 2 ? args[2] : "1,32");
    int[] clients = ints(args.length > 3 ? args[3] : "1,2,8");
    try (Sequential model = new Sequential(new Flatten(28, 28), new Dense(128, "relu"),
        new Dropout(0.2), new Dense(10, "softmax")).setSeed(1)) {
      model.setBackend(Backends.select(device, 1).backend());
      model.build(28, 28);
      System.out.println("nabla " + model.backend().describe() + "; max parallel predictions "
          + model.maxParallelPredictions());
      System.out.println("framework batch clients  calls/s  images/s  p50_us  p99_us");
      for (int b : batches) {
        for (int c : clients) {
          run(model, b, c, seconds);
        }
      }
    }
  }

  private static void run(Sequential model, int batch, int clients, double seconds)
      throws Exception {
    Tensor[] x = new Tensor[clients];
    for (int t = 0; t < clients; t++) {
      SplittableRandom r = new SplittableRandom(100 + t);
      float[] v = new float[batch * 784];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) r.nextDouble();
      }
      x[t] = Tensor.of(v, batch, 28, 28);
    }
    List<long[]> perClient = new ArrayList<>();
    for (int phase = 0; phase < 2; phase++) { // warm-up, then measured
      CyclicBarrier start = new CyclicBarrier(clients);
      long[][] lat = new long[clients][];
      int[] count = new int[clients];
      Thread[] threads = new Thread[clients];
      long[] window = new long[2];
      for (int t = 0; t < clients; t++) {
        int id = t;
        threads[t] = new Thread(() -> {
          long[] l = new long[1 << 16];
          int n = 0;
          try {
            start.await();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          long begin = System.nanoTime(), end = begin + (long) (seconds * 1e9);
          if (id == 0) {
            window[0] = begin;
          }
          long now = begin;
          while (now < end) {
            long t0 = System.nanoTime();
            model.predict(x[id], batch).close();
            now = System.nanoTime();
            if (n == l.length) {
              l = Arrays.copyOf(l, n * 2);
            }
            l[n++] = now - t0;
          }
          lat[id] = l;
          count[id] = n;
        });
        threads[t].start();
      }
      for (Thread t : threads) {
        t.join();
      }
      if (phase == 1) {
        for (int t = 0; t < clients; t++) {
          perClient.add(Arrays.copyOf(lat[t], count[t]));
        }
      }
    }
    int total = perClient.stream().mapToInt(a -> a.length).sum();
    long[] all = new long[total];
    int k = 0;
    for (long[] a : perClient) {
      System.arraycopy(a, 0, all, k, a.length);
      k += a.length;
    }
    Arrays.sort(all);
    double calls = total / seconds;
    System.out.println(String.format(Locale.ROOT, "%-9s %5d %7d %8.0f %9.0f %7.0f %7.0f",
        "nabla", batch, clients, calls, calls * batch, all[total / 2] / 1e3,
        all[Math.min(total - 1, (int) (total * 0.99))] / 1e3));
    for (Tensor t : x) {
      t.close();
    }
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }
}

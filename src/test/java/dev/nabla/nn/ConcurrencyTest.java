package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Tensor;
import dev.nabla.TestUtil;
import dev.nabla.backend.Backend;
import dev.nabla.backend.cuda.EmulatorMemory;
import dev.nabla.callbacks.Callback;
import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Dropout;
import dev.nabla.nn.layers.Flatten;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One model shared by many threads (issue 14): every concurrent predict and evaluate gives
 * exactly the single-threaded answer on every backend; fit, trainOnBatch, loadWeights and close
 * during concurrent predictions behave as Sequential's class comment says (predictions see the
 * weights from before or after a change, never a mix; close never frees memory under a running
 * prediction; a second training call, and close or a move during training, are refused with the
 * running call named).
 *
 * <p>The reference answers are the same model's single-threaded ones: the reproduction
 * compares with exactly that, and any sharing of buffers between calls shows as a difference.
 */
class ConcurrencyTest {

  /**
   * Predictions per thread in the eight-thread reproduction: the 300 on the CPU backend;
   * fewer on the Java reference and the emulator (a prediction there is about 30 and 1000 times
   * slower) so that the class stays near a minute on two cores. -Dnabla.concurrency.iterations=300
   * runs the full count on every backend; -Dnabla.concurrency.iterations.java=300 (or
   * .cpu, .cpu:2, .cuda-emulated) on one.
   */
  private static int iterations(String device) {
    Integer forced = Integer.getInteger("nabla.concurrency.iterations." + device,
        Integer.getInteger("nabla.concurrency.iterations"));
    if (forced != null) {
      return forced;
    }
    return device.equals("cpu") ? 300 : device.equals("cpu:2") ? 100
        : device.equals("java") ? 12 : 1;
  }

  private static Sequential seedNetwork(String device) {
    Sequential m = new Sequential(new Flatten(28, 28), new Dense(128, "relu"), new Dropout(0.2),
        new Dense(10, "softmax"));
    m.setSeed(7);
    if (device.equals("cpu:2")) { // the CPU backend splitting each matmul over two threads
      m.setBackend(dev.nabla.backend.Backends.select("cpu", 2).backend());
    } else {
      m.to(device);
    }
    m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
    m.build(28, 28);
    return m;
  }

  /** A small model for the load and update tests: 6 inputs, 8 relu units, 3 softmax outputs. */
  private static Sequential small(String device) {
    Sequential m = new Sequential(new Dense(8, "relu"), new Dense(3, "softmax"));
    m.setSeed(11);
    m.to(device);
    m.compile("sgd", "sparse_categorical_crossentropy", "accuracy");
    m.build(6);
    return m;
  }

  private static Tensor images(long seed, int n) {
    return Tensor.of(TestUtil.random(new SplittableRandom(seed), n * 784, 1), n, 28, 28);
  }

  private static float[] predict(Sequential m, Tensor x, int batchSize) {
    try (Tensor p = m.predict(x, batchSize)) {
      return p.toFloatArray();
    }
  }

  /** Runs {@code n} tasks at once (released together) and rethrows the first failure. */
  private static <T> List<T> runAll(int n, java.util.function.IntFunction<Callable<T>> task)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CyclicBarrier start = new CyclicBarrier(n);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int t = 0; t < n; t++) {
        Callable<T> c = task.apply(t);
        futures.add(pool.submit(() -> {
          start.await();
          return c.call();
        }));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        out.add(f.get(120, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "worker threads ended");
    }
  }

  // ---- the reproduction --------------------------------------------------------------

  /**
   * "cpu:2" is the CPU backend with two threads of its own: concurrent callers then also share
   * its helper threads (a caller that finds them busy runs its parts itself).
   */
  @ParameterizedTest
  @ValueSource(strings = {"cpu", "cpu:2", "java", "cuda-emulated"})
  void eightThreadsPredictingTheirOwnBatchAllGetTheSingleThreadedAnswer(String device)
      throws Exception {
    int threads = 8, iterations = iterations(device);
    Tensor[] x = new Tensor[threads];
    float[][] expected = new float[threads][];
    try (Sequential m = seedNetwork(device)) {
      for (int t = 0; t < threads; t++) {
        x[t] = images(100 + t, 64);
        expected[t] = predict(m, x[t], 64); // one thread, one call at a time
      }
      List<Integer> mismatches = runAll(threads, t -> () -> {
        int wrong = 0;
        for (int i = 0; i < iterations; i++) {
          if (!Arrays.equals(expected[t], predict(m, x[t], 64))) {
            wrong++;
          }
        }
        return wrong;
      });
      assertEquals(List.of(0, 0, 0, 0, 0, 0, 0, 0), mismatches, "predictions (of " + iterations
          + " per thread) that differ from the single-threaded answer, per thread, on " + device);
    } finally {
      for (Tensor t : x) {
        if (t != null) {
          t.close();
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "cuda-emulated"})
  void concurrentEvaluationsGetTheSingleThreadedLossAndAccuracy(String device) throws Exception {
    int threads = 4, iterations = device.equals("cpu") ? 100 : 2;
    try (Sequential m = small(device); Tensor x = smallInputs(5, 70);
        Tensor y = smallLabels(6, 70)) {
      Map<String, Float> expected = m.evaluate(x, y, 32, 0); // 2 batches of 32 and one of 6
      List<Integer> mismatches = runAll(threads, t -> () -> {
        int wrong = 0;
        for (int i = 0; i < iterations; i++) {
          if (!expected.equals(m.evaluate(x, y, 32, 0))) {
            wrong++;
          }
        }
        return wrong;
      });
      assertEquals(List.of(0, 0, 0, 0), mismatches, "evaluations that differ, per thread");
    }
  }

  // ---- load ----------------------------------------------------------------------------------

  /**
   * Requests of 1 to 100 rows, predicted with batch sizes 1, 7 and 32 (so whole and partial
   * batches of many shapes), each answer checked; the second round allocates nothing that
   * stays (the graphs are pooled and reused, every result is closed), and closing the model
   * gives back all it held.
   */
  @ParameterizedTest
  @ValueSource(strings = {"cpu", "java", "cuda-emulated"})
  void manyThreadsThousandsOfPredictionsOfVariedSizesAllRightAndMemoryFlat(String device)
      throws Exception {
    int threads = 12;
    boolean emulated = device.equals("cuda-emulated"); // a launch there costs about a millisecond
    int perThread = emulated ? 6 : 250; // 3000 predictions a round (72 on the emulator)
    int[] rows = emulated ? new int[] {1, 2, 3, 8, 9} : new int[] {1, 1, 2, 3, 5, 7, 8, 13, 31,
        32, 33, 64, 100};
    int[] batchSizes = {1, 7, 32};
    SplittableRandom rng = new SplittableRandom(9);
    List<Tensor> inputs = new ArrayList<>();
    Backend b = dev.nabla.backend.Backends.select(device, 1).backend(); // the emulator's: shared
    long hostBefore = Pointer.totalBytes();
    long deviceBefore = emulated ? EmulatorMemory.deviceBytes(b) : 0;
    int pinnedBefore = emulated ? EmulatorMemory.pinnedBlocks(b) : 0;
    Sequential m = small(device);
    try {
      float[][] expected = new float[rows.length * batchSizes.length][];
      for (int r = 0; r < rows.length; r++) {
        inputs.add(Tensor.of(TestUtil.random(rng, rows[r] * 6, 2), rows[r], 6));
        for (int s = 0; s < batchSizes.length; s++) {
          expected[r * batchSizes.length + s] = predict(m, inputs.get(r), batchSizes[s]);
        }
      }
      long[] afterRound = new long[2];
      for (int round = 0; round < 2; round++) {
        int seed = round;
        List<Integer> wrong = runAll(threads, t -> () -> {
          SplittableRandom pick = new SplittableRandom(seed * 1000 + t);
          int bad = 0;
          for (int i = 0; i < perThread; i++) {
            int k = pick.nextInt(expected.length);
            float[] got = predict(m, inputs.get(k / batchSizes.length),
                batchSizes[k % batchSizes.length]);
            if (!Arrays.equals(expected[k], got)) {
              bad++;
            }
          }
          return bad;
        });
        assertEquals(0, wrong.stream().mapToInt(Integer::intValue).sum(),
            "wrong answers in round " + round + " of " + threads * perThread + " on " + device);
        afterRound[round] = Pointer.totalBytes();
      }
      assertTrue(afterRound[1] <= afterRound[0] + 64 * 1024, "off-heap bytes grew from "
          + afterRound[0] + " to " + afterRound[1] + " over a round of predictions");
    } finally {
      m.close();
      inputs.forEach(Tensor::close);
    }
    long hostAfter = Pointer.totalBytes();
    assertTrue(hostAfter <= hostBefore + 64 * 1024, "off-heap bytes after close: " + hostAfter
        + ", before the model: " + hostBefore);
    if (emulated) {
      assertEquals(deviceBefore, EmulatorMemory.deviceBytes(b), "device bytes after close");
      assertEquals(pinnedBefore, EmulatorMemory.pinnedBlocks(b), "pinned staging after close");
    }
  }

  @Test
  void theGraphsOfOneShapeAreBoundedAndReused() throws Exception {
    try (Sequential m = small("cpu"); Tensor x = Tensor.of(new float[6 * 5], 5, 6)) {
      m.setMaxParallelPredictions(2);
      long start = Tensor.allocations();
      predict(m, x, 5); // plans the first graph of shape 5
      long afterFirst = Tensor.allocations();
      long graph = afterFirst - start - 1; // less the result
      runAll(6, t -> () -> {
        for (int i = 0; i < 200; i++) {
          predict(m, x, 5);
        }
        return null;
      });
      // each call allocates its result; beyond that six threads made at most one more graph
      long extra = Tensor.allocations() - afterFirst - 6 * 200;
      assertTrue(graph > 0 && extra >= 0 && extra <= graph, "allocations beyond the results: "
          + extra + " (a graph's: " + graph + ")");
      assertThrows(IllegalArgumentException.class, () -> m.setMaxParallelPredictions(0));
      assertThrows(IllegalArgumentException.class, () -> m.predict(x, 0));
    }
  }

  // ---- weight changes during predictions -----------------------------------------------------

  private static final int UPDATE_ROWS = 16;

  /**
   * Predictions on other threads while {@code change} runs on this one, every answer recorded;
   * each must be the prediction of one of the weight sets {@code change} says it went through.
   */
  private static void predictionsSeeWholeWeightSets(String device, Sequential m, Tensor x,
      Callable<List<float[]>> change) throws Exception {
    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<float[]> seen = new ConcurrentLinkedQueue<>();
    CountDownLatch predicting = new CountDownLatch(3);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<float[]> states;
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        futures.add(pool.submit(() -> {
          predicting.countDown();
          while (!done.get() || seen.size() < 3) {
            seen.add(predict(m, x, UPDATE_ROWS));
            if (device.equals("cuda-emulated")) {
              Thread.sleep(5); // emulated kernels are slow: leave the change room to progress
            }
          }
          return null;
        }));
      }
      predicting.await();
      try {
        states = change.call();
      } finally {
        done.set(true);
      }
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    Set<String> allowed = new HashSet<>();
    for (float[] w : states) { // on one thread, after: each weight set's own answer
      m.flatParameters().copyFrom(w);
      allowed.add(Arrays.toString(predict(m, x, UPDATE_ROWS)));
    }
    Set<String> observed = new HashSet<>();
    for (float[] p : seen) {
      observed.add(Arrays.toString(p));
    }
    int mixed = 0;
    for (String p : observed) {
      if (!allowed.contains(p)) {
        mixed++;
      }
    }
    assertEquals(0, mixed, "of " + observed.size() + " distinct predictions (" + seen.size()
        + " made) on " + device + ", these match none of the " + states.size()
        + " weight sets the model went through");
  }

  private static Tensor smallInputs(long seed, int n) {
    return Tensor.of(TestUtil.random(new SplittableRandom(seed), n * 6, 2), n, 6);
  }

  private static Tensor smallLabels(long seed, int n) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      y[i] = rng.nextInt(3);
    }
    return Tensor.of(y, n);
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "java", "cuda-emulated"})
  void fitDuringPredictionsUpdatesBetweenThemNeverUnderThem(String device) throws Exception {
    try (Sequential m = small(device); Tensor x = smallInputs(1, UPDATE_ROWS);
        Tensor tx = smallInputs(2, 64); Tensor ty = smallLabels(3, 64)) {
      m.compile(new dev.nabla.optimizers.SGD(Map.of("learning_rate", 0.5)),
          dev.nabla.losses.Losses.get("sparse_categorical_crossentropy"), "accuracy");
      predictionsSeeWholeWeightSets(device, m, x, () -> {
        List<float[]> states = new ArrayList<>();
        states.add(m.flatParameters().toFloatArray());
        Callback snapshot = new Callback() { // runs exclusively: after each step's update
          @Override
          public void onTrainBatchEnd(int batch, Map<String, Float> logs) {
            states.add(m.flatParameters().toFloatArray());
          }
        };
        int epochs = device.equals("cuda-emulated") ? 1 : 3;
        m.fit(tx, ty, new FitOptions().epochs(epochs).batchSize(8).verbose(0)
            .callbacks(snapshot));
        assertEquals(1 + 8 * epochs, states.size(), "weight sets: the first and one per step");
        return states;
      });
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "cuda-emulated"})
  void trainOnBatchDuringPredictionsUpdatesBetweenThemNeverUnderThem(String device)
      throws Exception {
    try (Sequential m = small(device); Tensor x = smallInputs(1, UPDATE_ROWS);
        Tensor tx = smallInputs(2, 8); Tensor ty = smallLabels(3, 8)) {
      predictionsSeeWholeWeightSets(device, m, x, () -> {
        List<float[]> states = new ArrayList<>();
        states.add(m.flatParameters().toFloatArray());
        for (int i = 0; i < (device.equals("cpu") ? 20 : 6); i++) {
          m.trainOnBatch(tx, ty);
          states.add(m.flatParameters().toFloatArray()); // only this thread writes them
        }
        return states;
      });
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "cuda-emulated"})
  void loadWeightsDuringPredictionsSwapsWholeWeightSets(String device, @TempDir Path dir)
      throws Exception {
    try (Sequential m = small(device); Tensor x = smallInputs(1, UPDATE_ROWS);
        Tensor tx = smallInputs(2, 8); Tensor ty = smallLabels(3, 8)) {
      Path a = dir.resolve("a.safetensors"), b = dir.resolve("b.safetensors");
      m.saveWeights(a);
      float[] first = m.flatParameters().toFloatArray();
      for (int i = 0; i < 5; i++) {
        m.trainOnBatch(tx, ty);
      }
      m.saveWeights(b);
      float[] second = m.flatParameters().toFloatArray();
      assertTrue(!Arrays.equals(first, second), "the two files hold different weights");
      predictionsSeeWholeWeightSets(device, m, x, () -> {
        for (int i = 0; i < (device.equals("cpu") ? 30 : 6); i++) {
          m.loadWeights(i % 2 == 0 ? a : b);
        }
        return List.of(first, second);
      });
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "cuda-emulated"})
  void closeDuringPredictionsWaitsForThemAndLaterOnesAreRefused(String device) throws Exception {
    Sequential m = small(device);
    try (Tensor x = smallInputs(4, UPDATE_ROWS)) {
      float[] expected = predict(m, x, UPDATE_ROWS);
      AtomicInteger right = new AtomicInteger();
      CountDownLatch predicting = new CountDownLatch(4);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<String>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        futures.add(pool.submit(() -> {
          predicting.countDown();
          while (true) {
            float[] got;
            try {
              got = predict(m, x, UPDATE_ROWS);
            } catch (IllegalStateException e) {
              return e.getMessage();
            }
            if (!Arrays.equals(expected, got)) {
              return "wrong answer";
            }
            right.incrementAndGet();
          }
        }));
      }
      predicting.await();
      while (right.get() < 4) {
        Thread.onSpinWait(); // predictions are under way
      }
      m.close(); // waits for the ones running: their memory is freed after they end
      try {
        for (Future<String> f : futures) {
          String why = f.get(120, TimeUnit.SECONDS);
          assertEquals("predict: the model is closed: its weights were freed by close()", why);
        }
      } finally {
        pool.shutdownNow();
      }
      m.close(); // twice: nothing
    }
  }

  // ---- refusals ------------------------------------------------------------------------------

  @Test
  void trainingCallsAndCloseAndMovesAreRefusedWhileAnotherThreadFits(@TempDir Path dir)
      throws Exception {
    try (Sequential m = small("cpu"); Tensor tx = smallInputs(2, 16);
        Tensor ty = smallLabels(3, 16)) {
      Path file = dir.resolve("w.safetensors");
      m.saveWeights(file);
      CountDownLatch fitting = new CountDownLatch(1), proceed = new CountDownLatch(1);
      Callback hold = new Callback() {
        @Override
        public void onEpochBegin(int epoch) {
          fitting.countDown();
          try {
            proceed.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      };
      Thread trainer = new Thread(() -> m.fit(tx, ty,
          new FitOptions().epochs(1).batchSize(8).verbose(0).callbacks(hold)), "the-trainer");
      trainer.start();
      try {
        assertTrue(fitting.await(60, TimeUnit.SECONDS), "fit started");
        String running = "fit is running on thread 'the-trainer'";
        for (org.junit.jupiter.api.function.Executable call : List.<org.junit.jupiter.api
            .function.Executable>of(m::close, () -> m.trainOnBatch(tx, ty),
            () -> m.fit(tx, ty, new FitOptions().epochs(1).verbose(0)), () -> m.to("java"),
            () -> m.compile("adam", "sparse_categorical_crossentropy"),
            () -> m.loadWeights(file))) {
          IllegalStateException e = assertThrows(IllegalStateException.class, call);
          assertTrue(e.getMessage().contains(running), e.getMessage());
        }
      } finally {
        proceed.countDown();
        trainer.join(60_000);
      }
      m.trainOnBatch(tx, ty); // the fit returned: training calls are accepted again
    }
    assertTrue(Files.exists(dir.resolve("w.safetensors")));
  }

  @Test
  void stopTrainingFromAnotherThreadEndsTheFitAfterItsEpoch() throws Exception {
    try (Sequential m = small("cpu"); Tensor tx = smallInputs(2, 16);
        Tensor ty = smallLabels(3, 16)) {
      CountDownLatch epochEnded = new CountDownLatch(1), stopped = new CountDownLatch(1);
      Callback pause = new Callback() {
        @Override
        public void onEpochEnd(int epoch, Map<String, Float> logs) {
          epochEnded.countDown();
          try {
            stopped.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      };
      Future<Integer> epochs;
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        epochs = pool.submit(() -> m.fit(tx, ty, new FitOptions().epochs(50).batchSize(8)
            .verbose(0).callbacks(pause)).history().get("loss").size());
        assertTrue(epochEnded.await(60, TimeUnit.SECONDS));
        m.stopTraining(); // from this thread, while the fit's first epoch ends
        stopped.countDown();
        assertEquals(1, epochs.get(60, TimeUnit.SECONDS), "epochs run of 50");
      } finally {
        pool.shutdownNow();
      }
    }
  }
}

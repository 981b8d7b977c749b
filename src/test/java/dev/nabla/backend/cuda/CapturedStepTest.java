package dev.nabla.backend.cuda;

import static dev.nabla.TestUtil.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Tensor;
import dev.nabla.TestUtil;
import dev.nabla.backend.Backends;
import dev.nabla.nn.FitOptions;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Dropout;
import dev.nabla.nn.layers.Flatten;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The seed network's training step on the CUDA backend (its kernels on the CPU emulator):
 * captured once per batch shape and replayed, the per-step values read from device memory, in
 * at most 11 launches; the weights, loss and accuracy are the CPU backend's.
 */
class CapturedStepTest {
  private static Sequential seed(String device, String... metrics) {
    Sequential m = new Sequential(new Flatten(28, 28), new Dense(128, "relu"), new Dropout(0.2),
        new Dense(10, "softmax"));
    m.setSeed(5);
    m.to(device);
    m.compile("adam", "sparse_categorical_crossentropy", metrics);
    return m;
  }

  @Test
  void theSeedNetworksStepIsCapturedInAtMostElevenLaunchesAndReplaysTheCpuSteps() {
    SplittableRandom rng = new SplittableRandom(21);
    int n = 200; // 6 full batches of 32 and a last one of 8: both shapes captured and replayed
    float[] x = TestUtil.random(rng, n * 784, 1), y = new float[n];
    for (int i = 0; i < n; i++) {
      y[i] = rng.nextInt(10);
    }
    CudaBackend emu = (CudaBackend) Backends.select("cuda-emulated", 1).backend();
    EmulatedCudaOps ops = (EmulatedCudaOps) emu.ops();
    try (Tensor tx = Tensor.of(x, n, 28, 28); Tensor ty = Tensor.of(y, n);
        Sequential cpu = seed("cpu", "accuracy"); Sequential dev = seed("cuda-emulated",
            "accuracy")) {
      FitOptions o = new FitOptions().epochs(2).batchSize(32).verbose(0);
      int graphsBefore = ops.graphsCaptured;
      Map<String, List<Float>> hc = cpu.fit(tx, ty, o).history();
      Map<String, List<Float>> hd = dev.fit(tx, ty, o).history();
      assertEquals(graphsBefore + 2, ops.graphsCaptured, "one capture per batch shape per fit");
      System.out.println("CapturedStepTest: launches per captured step (last batch shape): "
          + ops.lastCaptureLaunches);
      assertTrue(ops.lastCaptureLaunches <= 11, "launches per captured step: "
          + ops.lastCaptureLaunches);
      assertClose(cpu.flatParameters().toFloatArray(), dev.flatParameters().toFloatArray(), 0,
          1e-5, "weights after 14 steps, 10 of them replayed");
      for (int e = 0; e < 2; e++) {
        assertEquals(hc.get("loss").get(e), hd.get("loss").get(e), 1e-5, "loss, epoch " + e);
        assertEquals(hc.get("accuracy").get(e), hd.get("accuracy").get(e), 1e-6,
            "accuracy, epoch " + e);
      }
      assertEquals(cpu.optimizer().iterations(), dev.optimizer().iterations());
    }
  }

  /**
   * Steps that cannot run from tables (use_ema, gradient accumulation, norm clipping, losses
   * other than the cross-entropies, metrics other than argmax accuracy) run step by step on the
   * device, with the CPU's results.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"use_ema", "accumulation", "clipnorm",
      "mse", "mae_metric"})
  void everyOtherStepRunsEagerlyOnTheDeviceWithTheCpuResults(String variant) {
    SplittableRandom rng = new SplittableRandom(variant.hashCode());
    int n = 40;
    float[] x = TestUtil.random(rng, n * 6, 1), y = new float[n * 3];
    for (int i = 0; i < n; i++) {
      y[i * 3 + rng.nextInt(3)] = 1f;
    }
    try (Tensor tx = Tensor.of(x, n, 6); Tensor ty = Tensor.of(y, n, 3);
        Sequential cpu = small("cpu", variant); Sequential dev = small("cuda-emulated",
            variant)) {
      FitOptions o = new FitOptions().epochs(2).batchSize(16).verbose(0);
      Map<String, List<Float>> hc = cpu.fit(tx, ty, o).history();
      Map<String, List<Float>> hd = dev.fit(tx, ty, o).history();
      assertClose(cpu.flatParameters().toFloatArray(), dev.flatParameters().toFloatArray(), 0,
          1e-6, variant + ": weights");
      for (String k : hc.keySet()) {
        assertEquals(hc.get(k).get(1), hd.get(k).get(1), 1e-6, variant + ": " + k);
      }
      Map<String, Float> ec = cpu.evaluate(tx, ty, 16, 0), ed = dev.evaluate(tx, ty, 16, 0);
      for (String k : ec.keySet()) {
        assertEquals(ec.get(k), ed.get(k), 1e-6, variant + ": evaluate " + k);
      }
    }
  }

  private static Sequential small(String device, String variant) {
    Sequential m = new Sequential(new Dense(8, "tanh"), new Dropout(0.25),
        new Dense(3, "softmax"));
    m.setSeed(9);
    m.to(device);
    Map<String, Object> cfg = new java.util.HashMap<>();
    cfg.put("learning_rate", 0.05);
    switch (variant) {
      case "use_ema": cfg.put("use_ema", true); break;
      case "accumulation": cfg.put("gradient_accumulation_steps", 2); break;
      case "clipnorm": cfg.put("clipnorm", 0.1); break;
      default: break;
    }
    m.compile(dev.nabla.optimizers.Optimizers.get("adam", cfg),
        dev.nabla.losses.Losses.get(variant.equals("mse") ? "mse" : "categorical_crossentropy"),
        variant.equals("mae_metric") ? new String[] {"accuracy", "mae"} : new String[] {"accuracy"});
    m.build(6);
    return m;
  }

  /**
   * A callback that evaluates the model after every batch of a device run (the run pauses for
   * it: the callback's evaluate has its own tallies), validation on the device, and a second
   * fit on the same plans (their captures dropped and made again): all as on the CPU.
   */
  @Test
  void callbacksValidationAndASecondFitDuringDeviceRunsGiveTheCpuFigures() {
    SplittableRandom rng = new SplittableRandom(33);
    int n = 60;
    float[] x = TestUtil.random(rng, n * 6, 1), y = new float[n];
    for (int i = 0; i < n; i++) {
      y[i] = rng.nextInt(3);
    }
    try (Tensor tx = Tensor.of(x, n, 6); Tensor ty = Tensor.of(y, n);
        Sequential cpu = sparse("cpu"); Sequential dev = sparse("cuda-emulated")) {
      List<Float> cpuEvals = new java.util.ArrayList<>(), devEvals = new java.util.ArrayList<>();
      Map<String, List<Float>> hc = cpu.fit(tx, ty, options(cpu, tx, ty, cpuEvals)).history();
      Map<String, List<Float>> hd = dev.fit(tx, ty, options(dev, tx, ty, devEvals)).history();
      assertEquals(cpuEvals.size(), devEvals.size(), "the callback ran after every batch");
      for (int i = 0; i < cpuEvals.size(); i++) {
        assertEquals(cpuEvals.get(i), devEvals.get(i), 1e-5, "evaluate inside batch " + i);
      }
      for (String k : hc.keySet()) {
        for (int e = 0; e < hc.get(k).size(); e++) {
          assertEquals(hc.get(k).get(e), hd.get(k).get(e), 1e-5, k + ", epoch " + e);
        }
      }
      FitOptions again = new FitOptions().epochs(4).initialEpoch(2).batchSize(16).verbose(0)
          .validationSplit(0.25);
      cpu.fit(tx, ty, again);
      dev.fit(tx, ty, again);
      assertClose(cpu.flatParameters().toFloatArray(), dev.flatParameters().toFloatArray(), 0,
          1e-5, "weights after a second fit");
    }
  }

  private static FitOptions options(Sequential m, Tensor x, Tensor y, List<Float> evals) {
    return new FitOptions().epochs(2).batchSize(16).verbose(0).validationSplit(0.25)
        .callbacks(new dev.nabla.callbacks.Callback() {
          @Override
          public void onTrainBatchEnd(int batch, Map<String, Float> logs) {
            evals.add(m.evaluate(x, y, 16, 0).get("loss"));
          }
        });
  }

  private static Sequential sparse(String device) {
    Sequential m = new Sequential(new Dense(8, "relu"), new Dropout(0.2), new Dense(3, "softmax"));
    m.setSeed(4);
    m.to(device);
    m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
    m.build(6);
    return m;
  }

  /** A training set that does not fit on the device: each batch staged from the host instead. */
  @Test
  void aTrainingSetWithoutRoomOnTheDeviceIsStagedFromTheHost() {
    SplittableRandom rng = new SplittableRandom(8);
    int n = 3000; // 72 KB of inputs: more than the room left below
    float[] x = TestUtil.random(rng, n * 6, 1), y = new float[n];
    for (int i = 0; i < n; i++) {
      y[i] = rng.nextInt(3);
    }
    CudaBackend emu = (CudaBackend) Backends.select("cuda-emulated", 1).backend();
    EmulatedCudaOps ops = (EmulatedCudaOps) emu.ops();
    try (Tensor tx = Tensor.of(x, n, 6); Tensor ty = Tensor.of(y, n);
        Sequential cpu = sparse("cpu"); Sequential dev = sparse("cuda-emulated")) {
      FitOptions o = new FitOptions().epochs(1).batchSize(500).verbose(0);
      dev.plan(true, 500, ty); // the step's own buffers fit; the training set will not
      ops.memoryLimit = ops.liveBytes + 16 * 1024;
      Map<String, List<Float>> hd;
      try {
        hd = dev.fit(tx, ty, o).history();
      } finally {
        ops.memoryLimit = Long.MAX_VALUE;
      }
      Map<String, List<Float>> hc = cpu.fit(tx, ty, o).history();
      assertClose(cpu.flatParameters().toFloatArray(), dev.flatParameters().toFloatArray(), 0,
          1e-5, "weights");
      assertEquals(hc.get("loss").get(0), hd.get("loss").get(0), 1e-5, "loss");
    }
  }
}

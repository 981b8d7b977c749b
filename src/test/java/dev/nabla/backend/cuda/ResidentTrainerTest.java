package dev.nabla.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Tensor;
import dev.nabla.callbacks.History;
import dev.nabla.nn.FitOptions;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.layers.Activation;
import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Dropout;
import dev.nabla.nn.layers.Flatten;
import dev.nabla.nn.layers.Layer;
import dev.nabla.backend.Backends;
import dev.nabla.losses.Losses;
import dev.nabla.optimizers.Optimizer;
import dev.nabla.optimizers.Optimizers;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The device-resident trainer, run on the host emulation of the device ops, against the host
 * graph: same model, seed and data must give the same weights, losses and accuracies. This checks
 * the trainer's step (buffers, launch order, gradients, fused softmax, dropout steps, shuffled
 * gather, hyperparameter table, partial last batch) and that every per-step value reaches a
 * replayed capture through memory. The kernels themselves are checked on a GPU by CudaKernelsTest.
 */
class ResidentTrainerTest {
  /** Host kernels in both runs: the results agree to float rounding of identical operations. */
  private static final float TOL = 1e-6f;

  private static Tensor[] data(int n, int features, int classes, boolean sparse, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * features];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble(-1, 1);
    }
    float[] y = new float[sparse ? n : n * classes];
    for (int i = 0; i < n; i++) {
      int c = r.nextInt(classes);
      if (sparse) {
        y[i] = c;
      } else {
        y[i * classes + c] = 1f;
      }
    }
    return new Tensor[] {Tensor.of(x, n, 4, 5), sparse ? Tensor.of(y, n) : Tensor.of(y, n, classes)};
  }

  private static void agree(Supplier<Layer[]> layers, String optimizer, String loss,
      boolean sparse, FitOptions options) {
    agree(layers, optimizer, loss, sparse, options, HostOps::new, TOL, 1e-5f);
  }

  /** Trains the same model on the host graph and on a device; compares everything. */
  private static void agree(Supplier<Layer[]> layers, String optimizer, String loss,
      boolean sparse, FitOptions options, Supplier<HostOps> device, float tol, float logTol) {
    Tensor[] d = data(203, 20, 6, sparse, 11); // 203: the last batch is partial
    History h1, h2;
    float[] w1, w2;
    try (Sequential host = new Sequential(layers.get()); Sequential dev = new Sequential(
        layers.get()); HostOps ops = device.get()) {
      for (Sequential m : List.of(host, dev)) {
        m.setSeed(5);
        m.setBackend(Backends.select("cpu", 1).backend());
        m.compile(optimizer, loss, "accuracy");
      }
      dev.setDevice(ops);
      h1 = host.fit(d[0], d[1], options);
      h2 = dev.fit(d[0], d[1], options);
      w1 = host.flatParameters().toFloatArray();
      w2 = dev.flatParameters().toFloatArray();
      assertTrue(ops.graphsCaptured >= 1 || ops.failCaptures, "the step was captured");
      assertEquals(0, ops.liveBlocks(), "fit freed its device memory");
      assertEquals(host.optimizer().steps(), dev.optimizer().steps(), "optimizer steps");
    } finally {
      d[0].close();
      d[1].close();
    }
    float worst = 0;
    for (int i = 0; i < w1.length; i++) {
      worst = Math.max(worst, Math.abs(w1[i] - w2[i]));
    }
    assertTrue(worst <= tol, "weights differ by " + worst);
    for (String key : h1.history().keySet()) {
      List<Float> a = h1.get(key), b = h2.get(key);
      assertEquals(a.size(), b.size(), key);
      for (int e = 0; e < a.size(); e++) {
        assertEquals(a.get(e), b.get(e), logTol, key + " at epoch " + e);
      }
    }
  }

  @Test
  void seedNetworkWithAdamMatchesTheHostGraph() {
    // with validation: evaluation batches skip the dropout (aliased buffers) on the device
    agree(() -> new Layer[] {new Flatten(4, 5), new Dense(16, "relu"), new Dropout(0.2),
        new Dense(6, "softmax")}, "adam", "sparse_categorical_crossentropy", true,
        new FitOptions().epochs(3).batchSize(32).validationSplit(0.2).verbose(0));
  }

  @Test
  void unshuffledSgdWithValidationMatches() {
    agree(() -> new Layer[] {new Flatten(4, 5), new Dense(12, "tanh"), new Dense(6, "softmax")},
        "sgd", "sparse_categorical_crossentropy", true,
        new FitOptions().epochs(2).batchSize(50).shuffle(false).validationSplit(0.2).verbose(0));
  }

  @Test
  void oneHotLogitsAndActivationLayersMatch() {
    agree(() -> new Layer[] {new Flatten(4, 5), new Dense(9), new Activation("gelu"),
        new Dropout(0.3), new Dense(7, "sigmoid"), new Dense(6)}, "rmsprop",
        "categorical_crossentropy", false, new FitOptions().epochs(2).batchSize(16).verbose(0));
  }

  @Test
  void softmaxActivationLayerIsFusedAsOnTheHost() {
    agree(() -> new Layer[] {new Flatten(4, 5), new Dense(8, "leaky_relu"), new Dense(6),
        new Activation("softmax")}, "nadam", "categorical_crossentropy", false,
        new FitOptions().epochs(2).batchSize(40).verbose(0));
  }

  @Test
  void lambAndAdamwWithWeightDecayMatch() {
    for (String opt : List.of("lamb", "adamw")) {
      agree(() -> new Layer[] {new Flatten(4, 5), new Dense(10, "relu"), new Dense(6, "softmax")},
          opt, "sparse_categorical_crossentropy", true,
          new FitOptions().epochs(2).batchSize(64).verbose(0));
    }
  }

  // ---- the same, with the CUDA kernels themselves (run by the CPU emulator) ----------------

  /**
   * The gemm accumulates each output over k in order with FMA, as OpenBLAS's kernel does; the
   * warp reductions of the softmax sum in another order. Measured: the weights agree to 3e-8
   * after 2 epochs; the tolerance leaves a factor of 30 (an epilogue adding the bias 1.5 times
   * leaves them 1e-5 apart and is caught; finer kernel errors are the kernel tests' job).
   */
  private static final float EMU_TOL = 1e-6f;

  @Test
  void cudaKernelsTrainTheSeedNetworkAsTheHostGraphDoes() {
    agree(() -> new Layer[] {new Flatten(4, 5), new Dense(16, "relu"), new Dropout(0.2),
        new Dense(6, "softmax")}, "adam", "sparse_categorical_crossentropy", true,
        new FitOptions().epochs(2).batchSize(32).verbose(0), EmuOps::new, EMU_TOL, 1e-4f);
  }

  @Test
  void cudaKernelsTrainOneHotActivationLayersAsTheHostGraphDoes() {
    agree(() -> new Layer[] {new Flatten(4, 5), new Dense(9), new Activation("gelu"),
        new Dropout(0.3), new Dense(7, "sigmoid"), new Dense(6), new Activation("softmax")},
        "lamb", "categorical_crossentropy", false,
        new FitOptions().epochs(2).batchSize(48).verbose(0), EmuOps::new, EMU_TOL, 1e-4f);
  }

  @Test
  void clipnormAndGlobalClipnormAreComputedOnTheDevice() {
    for (String opt : List.of("clipnorm", "global_clipnorm")) {
      Supplier<Layer[]> layers = () -> new Layer[] {new Flatten(4, 5), new Dense(10, "relu"),
          new Dense(6, "softmax")};
      // through compile(Optimizer, ...): a small clip so that it bites on every step
      agreeWith(layers, () -> Optimizers.get("adam", Map.of(opt, 0.05)),
          HostOps::new, TOL);
      agreeWith(layers, () -> Optimizers.get("sgd", Map.of(opt, 0.05,
          "momentum", 0.9)), EmuOps::new, EMU_TOL);
    }
  }

  /** As agree, with an optimizer object (options by Keras name). */
  private static void agreeWith(Supplier<Layer[]> layers,
      Supplier<Optimizer> optimizer, Supplier<HostOps> device, float tol) {
    Tensor[] d = data(150, 20, 6, true, 19);
    try (Sequential host = new Sequential(layers.get()); Sequential onDevice = new Sequential(
        layers.get()); HostOps ops = device.get()) {
      for (Sequential m : List.of(host, onDevice)) {
        m.setSeed(3);
        m.setBackend(Backends.select("cpu", 1).backend());
        m.compile(optimizer.get(), Losses.get("sparse_categorical_crossentropy"),
            "accuracy");
      }
      onDevice.setDevice(ops);
      FitOptions o = new FitOptions().epochs(2).batchSize(32).verbose(0);
      host.fit(d[0], d[1], o);
      onDevice.fit(d[0], d[1], o);
      float[] w1 = host.flatParameters().toFloatArray(), w2 = onDevice.flatParameters().toFloatArray();
      float worst = 0;
      for (int i = 0; i < w1.length; i++) {
        worst = Math.max(worst, Math.abs(w1[i] - w2[i]));
      }
      assertTrue(worst <= tol, "weights differ by " + worst);
    } finally {
      d[0].close();
      d[1].close();
    }
  }

  @Test
  void dropoutFoldedIntoTheMatmulsMatchesTheHostGraph() {
    // two Dense -> Dropout -> Dense chains: the dropouts run in gemm epilogues, and their
    // backward with tanh's and sigmoid's derivatives (recomputed from z) in the dX epilogues
    Supplier<Layer[]> layers = () -> new Layer[] {new Flatten(4, 5), new Dense(12, "tanh"),
        new Dropout(0.25), new Dense(9, "sigmoid"), new Dropout(0.5), new Dense(6, "softmax")};
    FitOptions o = new FitOptions().epochs(2).batchSize(40).verbose(0);
    agree(layers, "adam", "sparse_categorical_crossentropy", true, o);
    agree(layers, "adam", "sparse_categorical_crossentropy", true, o, EmuOps::new, EMU_TOL, 1e-4f);
  }

  @Test
  void viewsOfLargerTensorsUploadTheirOwnRows() {
    // JavaCPP adds a void* argument's position as bytes: a view (rows 50.. of a bigger tensor)
    // must reach cudaMemcpy / memcpy as its own address, for training and validation data alike
    Tensor[] d = data(250, 20, 6, true, 23);
    try (Tensor x = d[0].view(50L * 20, 200, 4, 5); Tensor y = d[1].view(50, 200);
        Sequential host = new Sequential(new Flatten(4, 5), new Dense(8, "relu"),
            new Dense(6, "softmax"));
        Sequential onDevice = new Sequential(new Flatten(4, 5), new Dense(8, "relu"),
            new Dense(6, "softmax"));
        HostOps ops = new HostOps()) {
      for (Sequential m : List.of(host, onDevice)) {
        m.setSeed(8);
        m.setBackend(Backends.select("cpu", 1).backend());
        m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
      }
      onDevice.setDevice(ops);
      FitOptions o = new FitOptions().epochs(2).batchSize(32).validationSplit(0.25).verbose(0);
      History a = host.fit(x, y, o), b = onDevice.fit(x, y, o);
      assertEquals(a.get("val_loss"), b.get("val_loss"), "validation on the device's rows");
      assertEquals(a.get("val_accuracy"), b.get("val_accuracy"));
      assertEquals(a.get("loss"), b.get("loss"), "training on the device's rows");
    } finally {
      d[0].close();
      d[1].close();
    }
  }

  @Test
  void aDeviceThatCannotCaptureTrainsEagerly() {
    agree(() -> new Layer[] {new Flatten(4, 5), new Dense(16, "relu"), new Dropout(0.2),
        new Dense(6, "softmax")}, "adam", "sparse_categorical_crossentropy", true,
        new FitOptions().epochs(2).batchSize(32).verbose(0), () -> {
          HostOps ops = new HostOps();
          ops.failCaptures = true;
          return ops;
        }, TOL, 1e-5f);
  }

  @Test
  void whatTheDeviceCannotTrainIsRefusedByName() {
    Tensor[] d = data(40, 20, 6, true, 3);
    try (Sequential m = new Sequential(new Flatten(4, 5), new Dense(6, "softmax"));
        HostOps ops = new HostOps()) {
      m.setBackend(Backends.select("cpu", 1).backend());
      m.compile("adam", "sparse_categorical_crossentropy", "accuracy", "mae");
      m.setDevice(ops);
      UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
          () -> m.fit(d[0], d[1], new FitOptions().epochs(1).verbose(0)));
      assertTrue(e.getMessage().contains("metric mae") && e.getMessage().contains("--device cpu"),
          e.getMessage());
      m.compile(dev.nabla.optimizers.Optimizers.get("adam", Map.of("use_ema", true)),
          dev.nabla.losses.Losses.get("sparse_categorical_crossentropy"), "accuracy");
      e = assertThrows(UnsupportedOperationException.class,
          () -> m.fit(d[0], d[1], new FitOptions().epochs(1).verbose(0)));
      assertTrue(e.getMessage().contains("use_ema"), e.getMessage());
      assertEquals(0, ops.liveBlocks(), "a refused fit leaves no device memory behind");
    } finally {
      d[0].close();
      d[1].close();
    }
  }
}

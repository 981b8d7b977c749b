package dev.nabla.callbacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Tensor;
import dev.nabla.TestUtil;
import dev.nabla.nn.FitOptions;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Flatten;
import dev.nabla.optimizers.Optimizers;
import dev.nabla.optimizers.schedules.Schedules;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keras's callbacks against their documented behaviour, on a tiny learnable problem. */
class CallbacksTest {
  Sequential model;
  Tensor x, y;

  @BeforeEach
  void setUp() {
    SplittableRandom rng = new SplittableRandom(4);
    int n = 96;
    float[] xs = TestUtil.random(rng, n * 4, 1);
    float[] ys = new float[n];
    for (int i = 0; i < n; i++) {
      ys[i] = xs[i * 4] > 0 ? 1 : 0;
    }
    x = Tensor.of(xs, n, 4);
    y = Tensor.of(ys, n);
    model = new Sequential(new Flatten(4), new Dense(8, "relu"), new Dense(2, "softmax"))
        .setSeed(4).setOutput(new PrintStream(new ByteArrayOutputStream()));
    model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
  }

  @AfterEach
  void tearDown() {
    model.close();
    x.close();
    y.close();
  }

  /** Logs fed by hand, to drive a callback through a known sequence of values. */
  static void feed(Callback c, String key, double... values) {
    c.onTrainBegin();
    for (int e = 0; e < values.length; e++) {
      Map<String, Float> logs = new java.util.LinkedHashMap<>();
      logs.put(key, (float) values[e]);
      c.onEpochBegin(e);
      c.onEpochEnd(e, logs);
    }
  }

  @Test
  void earlyStoppingStopsAfterPatienceAndRestoresTheBestWeights() {
    EarlyStopping es = new EarlyStopping("val_loss", 0.0, 2, "auto", true, 0);
    es.setModel(model);
    List<float[]> weights = new ArrayList<>();
    es.onTrainBegin();
    double[] losses = {1.0, 0.5, 0.6, 0.7, 0.4};
    for (int e = 0; e < losses.length && !stopped(); e++) {
      model.flatParameters().copyFrom(filled(model, e)); // distinct weights per epoch
      weights.add(model.flatParameters().toFloatArray());
      es.onEpochEnd(e, new java.util.HashMap<>(Map.of("val_loss", (float) losses[e])));
    }
    assertEquals(3, es.stoppedEpoch(), "two epochs without improvement after epoch 1");
    assertEquals(1, es.bestEpoch());
    assertArrayEquals(weights.get(1), model.flatParameters().toFloatArray(), "best restored");
  }

  private boolean stopped() {
    try {
      var f = Sequential.class.getDeclaredField("stopTraining");
      f.setAccessible(true);
      return f.getBoolean(model);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  private static float[] filled(Sequential m, int value) {
    float[] v = new float[(int) m.countParams()];
    java.util.Arrays.fill(v, value);
    return v;
  }

  @Test
  void earlyStoppingInFitUsesMinDeltaAndMode() {
    EarlyStopping es = new EarlyStopping("accuracy", 10.0, 1, "auto", false, 0); // max mode
    History h = model.fit(x, y, new FitOptions().epochs(10).batchSize(16).verbose(0)
        .callbacks(es));
    assertEquals(2, h.get("loss").size(), "no gain of 10 in accuracy: stops after 2 epochs");
    assertEquals(1, es.stoppedEpoch());
  }

  @Test
  void modelCheckpointSavesEveryEpochOrOnlyTheBest(@TempDir Path tmp) throws Exception {
    model.fit(x, y, new FitOptions().epochs(3).batchSize(16).verbose(0).callbacks(
        new ModelCheckpoint(tmp.resolve("m-{epoch:02d}.safetensors").toString())));
    for (int e = 1; e <= 3; e++) {
      assertTrue(Files.exists(tmp.resolve(String.format("m-%02d.safetensors", e))));
    }
    // save_best_only: saved at epoch 0 (first value), not at epoch 1 (worse), again at 2 (better)
    Path bestFile = tmp.resolve("best.safetensors");
    ModelCheckpoint best = new ModelCheckpoint(bestFile.toString(), "loss", true, false, "auto");
    best.setModel(model);
    best.onTrainBegin();
    float[][] w = new float[3][];
    double[] loss = {1.0, 2.0, 0.5};
    for (int e = 0; e < 3; e++) {
      model.flatParameters().copyFrom(filled(model, e + 1));
      w[e] = model.flatParameters().toFloatArray();
      best.onEpochEnd(e, new java.util.HashMap<>(Map.of("loss", (float) loss[e])));
      try (Sequential saved = Sequential.load(bestFile)) {
        assertArrayEquals(w[e == 1 ? 0 : e], saved.flatParameters().toFloatArray(),
            "after epoch " + e);
      }
    }
    assertEquals("m-07.safetensors", ModelCheckpoint.format("m-{epoch:02d}.safetensors", 7,
        Map.of()));
    assertEquals("w-0.1250.bin", ModelCheckpoint.format("w-{val_loss:.4f}.bin", 1,
        Map.of("val_loss", 0.125f)));
    assertThrows(IllegalArgumentException.class,
        () -> ModelCheckpoint.format("{nope}", 1, Map.of()));
  }

  @Test
  void reduceLrOnPlateauFollowsKerasCounting() {
    ReduceLROnPlateau r = new ReduceLROnPlateau("val_loss", 0.5, 2, "auto", 1e-4, 1, 0.0001);
    r.setModel(model);
    float lr0 = model.optimizer().learningRate();
    // improve, then plateau 2 -> reduce, cooldown 1 epoch, plateau 2 more -> reduce again
    feed(r, "val_loss", 1.0, 1.0, 1.0, 1.0, 1.0, 1.0);
    assertEquals(lr0 * 0.25f, model.optimizer().learningRate(), 1e-9f);
  }

  @Test
  void reduceLrOnPlateauRespectsMinLrAndRefusesSchedules() {
    ReduceLROnPlateau r = new ReduceLROnPlateau("loss", 0.1, 0, "min", 0, 0, 0.0005);
    r.setModel(model);
    feed(r, "loss", 1, 1, 1, 1);
    assertEquals(0.0005f, model.optimizer().learningRate(), 1e-9f);
    try (Sequential s = new Sequential(new Flatten(4), new Dense(2, "softmax"))) {
      s.compile(Optimizers.get("sgd", Map.of("learning_rate", Schedules.get("exponential_decay",
          Map.of("initial_learning_rate", 0.1, "decay_steps", 10, "decay_rate", 0.5)))),
          dev.nabla.losses.Losses.get("sparse_categorical_crossentropy"), "accuracy");
      ReduceLROnPlateau r2 = new ReduceLROnPlateau("loss", 0.1, 0, "min", 0, 0, 0);
      r2.setModel(s);
      assertThrows(IllegalStateException.class, () -> feed(r2, "loss", 1, 1));
    }
    assertThrows(IllegalArgumentException.class,
        () -> new ReduceLROnPlateau("loss", 1.5, 1, "auto", 0, 0, 0));
  }

  @Test
  void learningRateSchedulerSetsTheRateEachEpochAndLogsIt() {
    History h = model.fit(x, y, new FitOptions().epochs(3).batchSize(32).verbose(0).callbacks(
        new LearningRateScheduler((epoch, lr) -> 0.01 / (epoch + 1))));
    assertEquals(List.of(0.01f, 0.005f, (float) (0.01 / 3)), h.get("learning_rate"));
  }

  @Test
  void terminateOnNanStopsAtTheFirstBadBatch() {
    TerminateOnNaN t = new TerminateOnNaN();
    model.optimizer().setLearningRate(1e30f); // diverges at once
    History h = model.fit(x, y, new FitOptions().epochs(5).batchSize(8).verbose(0).callbacks(t));
    assertTrue(t.stoppedAtBatch() >= 0, "stopped");
    assertEquals(1, h.get("loss").size(), "stopped in the first epoch");
  }

  @Test
  void csvLoggerWritesSortedColumnsAndAppends(@TempDir Path tmp) throws Exception {
    Path csv = tmp.resolve("log/train.csv");
    model.fit(x, y, new FitOptions().epochs(2).batchSize(32).verbose(0).validationSplit(0.25)
        .callbacks(new CSVLogger(csv.toString())));
    List<String> lines = Files.readAllLines(csv);
    assertEquals("epoch,accuracy,loss,val_accuracy,val_loss", lines.get(0));
    assertEquals(3, lines.size());
    assertTrue(lines.get(1).startsWith("0,") && lines.get(2).startsWith("1,"), lines.toString());
    model.fit(x, y, new FitOptions().epochs(3).initialEpoch(2).batchSize(32).verbose(0)
        .validationSplit(0.25).callbacks(new CSVLogger(csv.toString(), ",", true)));
    lines = Files.readAllLines(csv);
    assertEquals(4, lines.size(), "appended without a second header: " + lines);
    assertTrue(lines.get(3).startsWith("2,"));
  }
}

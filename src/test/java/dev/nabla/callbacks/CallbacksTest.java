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
    assertArrayEquals(weights.get(3), model.flatParameters().toFloatArray(),
        "as Keras, the weights are restored when training ends, not when the stop is asked");
    es.onTrainEnd(Map.of());
    assertArrayEquals(weights.get(1), model.flatParameters().toFloatArray(), "best restored");
  }

  /**
   * Drives an EarlyStopping through Keras's own hand-fed sequence (early_stopping_test.py,
   * test_early_stopping_final_weights_when_restoring_model_weights): each epoch's weights are
   * the epoch number; the loop stops when the model's stop flag is set, or at {@code stopAt}
   * (another callback's stop); then on_train_end. Returns {epochs trained, weights at the end}.
   */
  private int[] kerasRestoreCase(EarlyStopping es, double[] losses, int stopAt) {
    es.setModel(model);
    resetStop();
    es.onTrainBegin();
    int trained = 0;
    for (int e = 0; e < losses.length; e++) {
      trained++;
      model.flatParameters().copyFrom(filled(model, e));
      es.onEpochEnd(e, new java.util.HashMap<>(Map.of("val_loss", (float) losses[e])));
      if (e == stopAt) {
        model.stopTraining();
      }
      if (stopped()) {
        break;
      }
    }
    es.onTrainEnd(Map.of());
    return new int[] {trained, (int) model.flatParameters().toFloatArray()[0]};
  }

  @Test
  void earlyStoppingRestoresTheBestEpochAsKerasDoes() {
    // Keras: losses [0.2, 0.15, 0.1, 0.11, 0.12], patience 2: stops after epoch 4, weights of 2
    int[] r = kerasRestoreCase(new EarlyStopping("val_loss", 0, 2, "auto", true, 0),
        new double[] {0.2, 0.15, 0.1, 0.11, 0.12}, -1);
    assertArrayEquals(new int[] {5, 2}, r);
    // no epoch beats baseline 0.5 (patience 5): trains exactly 5 epochs, restores epoch 2
    double[] plateau = {0.9, 0.8, 0.7, 0.71, 0.72, 0.73};
    r = kerasRestoreCase(new EarlyStopping("val_loss", 0, 5, 0, "auto", 0.5, true, 0), plateau,
        -1);
    assertArrayEquals(new int[] {5, 2}, r);
    // another callback stops training after epoch 3: still restores epoch 2
    r = kerasRestoreCase(new EarlyStopping("val_loss", 0, 5, 0, "auto", 0.5, true, 0), plateau,
        3);
    assertArrayEquals(new int[] {4, 2}, r);
  }

  @Test
  void earlyStoppingBaselineKeepsTheWaitUntilBeaten() {
    // Keras: an improvement on the best that does not beat the baseline does not reset the
    // wait; only a non-improving epoch can stop. 0.9 (first, wait 1), 0.8 (better, wait 2),
    // 0.85 (worse, wait 3 >= patience 2): stop at epoch 2.
    EarlyStopping withBaseline = new EarlyStopping("val_loss", 0, 2, 0, "auto", 0.5, false, 0);
    withBaseline.setModel(model);
    resetStop();
    feed(withBaseline, "val_loss", 0.9, 0.8, 0.85);
    assertEquals(2, withBaseline.stoppedEpoch());
    // Keras's test_state_reset_across_fit_calls: on_train_begin starts afresh
    withBaseline.onTrainBegin();
    assertEquals(0, withBaseline.waitCount());
    assertEquals(-1, withBaseline.stoppedEpoch());
    assertEquals(0, withBaseline.bestEpoch());
    // without a baseline the wait restarted at 0.8: epoch 2 is the first without improvement
    EarlyStopping without = new EarlyStopping("val_loss", 0, 2, "auto", false, 0);
    without.setModel(model);
    resetStop();
    feed(without, "val_loss", 0.9, 0.8, 0.85);
    assertEquals(-1, without.stoppedEpoch());
    assertEquals(1, without.waitCount());
    // a value that beats the baseline resets the wait: 0.4 at epoch 1; then 0.45, 0.46 do not
    // improve and the wait reaches 2 at epoch 3
    EarlyStopping beaten = new EarlyStopping("val_loss", 0, 2, 0, "auto", 0.5, false, 0);
    beaten.setModel(model);
    resetStop();
    feed(beaten, "val_loss", 0.9, 0.4, 0.45, 0.46, 0.3);
    assertEquals(3, beaten.stoppedEpoch());
    // min_delta applies to the baseline too: 0.45 + 0.1 is not below 0.5, so the wait keeps
    // counting through steady improvements of 0.2 and stops at the first non-improvement
    EarlyStopping delta = new EarlyStopping("val_loss", 0.1, 2, 0, "auto", 0.5, false, 0);
    delta.setModel(model);
    resetStop();
    feed(delta, "val_loss", 0.85, 0.65, 0.45, 0.44);
    assertEquals(3, delta.stoppedEpoch());
    // mode max: a baseline accuracy of 0.9 never beaten within patience 1
    EarlyStopping max = new EarlyStopping("val_accuracy", 0, 1, 0, "auto", 0.9, false, 0);
    max.setModel(model);
    resetStop();
    feed(max, "val_accuracy", 0.5, 0.5);
    assertEquals(1, max.stoppedEpoch());
    assertThrows(IllegalArgumentException.class,
        () -> new EarlyStopping("val_loss", 0, 1, 0, "auto", Double.NaN, false, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new EarlyStopping("val_loss", 0, -1, 0, "auto", null, false, 0));
  }

  /**
   * The case through fit: val_loss 0.9, 0.5, 0.3, 0.4, 0.35, patience 3, 5 epochs. No
   * stop (the wait reaches only 2), yet training ends with the third epoch's weights, and with
   * verbose 1 Keras's restore message (no early-stopping line: it did not stop).
   */
  @Test
  void earlyStoppingRestoresTheBestWeightsWhenTheEpochsRunOut() {
    double[] val = {0.9, 0.5, 0.3, 0.4, 0.35};
    List<float[]> atEpochEnd = new ArrayList<>();
    Callback fakeValidation = new Callback() {
      @Override
      public void onEpochEnd(int epoch, Map<String, Float> logs) {
        logs.put("val_loss", (float) val[epoch]);
        atEpochEnd.add(model.flatParameters().toFloatArray());
      }
    };
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    model.setOutput(new PrintStream(printed, true));
    EarlyStopping es = new EarlyStopping("val_loss", 0, 3, 1, "auto", null, true, 0);
    History h = model.fit(x, y, new FitOptions().epochs(5).batchSize(16).verbose(0)
        .callbacks(fakeValidation, es));
    assertEquals(5, h.get("loss").size());
    assertEquals(-1, es.stoppedEpoch());
    assertEquals(2, es.bestEpoch());
    assertArrayEquals(atEpochEnd.get(2), model.flatParameters().toFloatArray(),
        "the weights of epoch 3 (index 2)");
    assertTrue(!java.util.Arrays.equals(atEpochEnd.get(2), atEpochEnd.get(4)), "epochs differ");
    assertEquals("Restoring model weights from the end of the best epoch: 3.\n",
        printed.toString().replace("\r\n", "\n"));
  }

  @Test
  void earlyStoppingVerbosePrintsKerasMessages() {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    model.setOutput(new PrintStream(printed, true));
    EarlyStopping es = new EarlyStopping("val_loss", 0, 1, 1, "auto", null, true, 0);
    es.setModel(model);
    resetStop();
    feed(es, "val_loss", 0.5, 0.4, 0.6);
    es.onTrainEnd(Map.of());
    assertEquals("Epoch 3: early stopping\n"
        + "Restoring model weights from the end of the best epoch: 2.\n",
        printed.toString().replace("\r\n", "\n"));
    printed.reset();
    EarlyStopping quiet = new EarlyStopping("val_loss", 0, 1, "auto", true, 0);
    quiet.setModel(model);
    resetStop();
    feed(quiet, "val_loss", 0.5, 0.4, 0.6);
    quiet.onTrainEnd(Map.of());
    assertEquals("", printed.toString());
  }

  private void resetStop() {
    try {
      var f = Sequential.class.getDeclaredField("stopTraining");
      f.setAccessible(true);
      f.setBoolean(model, false);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  private boolean stopped() {
    return model.stopTrainingRequested();
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

  /** Records the hooks fit calls, in order, as "begin", "e0<", "b0", "e0>", "end". */
  static final class Recorder implements Callback {
    final List<String> calls = new ArrayList<>();
    final List<Float> batchLoss = new ArrayList<>();

    @Override
    public void onTrainBegin() {
      calls.add("begin");
    }

    @Override
    public void onEpochBegin(int epoch) {
      calls.add("e" + epoch + "<");
    }

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Float> logs) {
      calls.add("b" + batch);
      batchLoss.add(logs.get("loss"));
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Float> logs) {
      calls.add("e" + epoch + ">");
    }

    @Override
    public void onTrainEnd(Map<String, Float> logs) {
      calls.add("end");
    }
  }

  /**
   * The case: Dense(1), mse, SGD with learning rate 10, batch 1, no shuffle, inputs 100,
   * 200, ..., 900 with target 1, from zero weights. The batch whose loss first overflows float32
   * is found here by running Keras's SGD step in double (the losses grow by about 1e12 a batch,
   * far from any rounding question): training stops after it, within the first epoch, and
   * TerminateOnNaN prints Keras's line once.
   */
  @Test
  void terminateOnNanStopsAfterTheBatchWithTheBadLoss() {
    int n = 9;
    float[] xs = new float[n];
    float[] ys = new float[n];
    for (int i = 0; i < n; i++) {
      xs[i] = 100 * (i + 1);
      ys[i] = 1;
    }
    // Keras: loss = (w x + b - y)^2 per sample (mean over one output, batch of one);
    // w -= lr * 2 (w x + b - y) x; b -= lr * 2 (w x + b - y)
    double w = 0, b = 0, sum = 0;
    int bad = -1;
    for (int i = 0; i < n && bad < 0; i++) {
      double err = w * xs[i] + b - ys[i];
      sum += err * err;
      if (sum > Float.MAX_VALUE) { // the running mean Keras logs overflows with the sum
        bad = i;
      }
      w -= 10 * 2 * err * xs[i];
      b -= 10 * 2 * err;
    }
    assertEquals(4, bad, "the issue's batch");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (Sequential m = new Sequential(new Dense(1)).setSeed(1)
        .setOutput(new PrintStream(printed, true));
        Tensor tx = Tensor.of(xs, n, 1); Tensor ty = Tensor.of(ys, n, 1)) {
      m.compile(Optimizers.get("sgd", Map.of("learning_rate", 10.0)),
          dev.nabla.losses.Losses.get("mse"));
      m.build(1);
      m.flatParameters().copyFrom(new float[2]);
      TerminateOnNaN t = new TerminateOnNaN();
      Recorder r = new Recorder();
      History h = m.fit(tx, ty, new FitOptions().epochs(3).batchSize(1).shuffle(false)
          .verbose(0).callbacks(r, t));
      assertEquals(bad, t.stoppedAtBatch());
      assertEquals(bad + 1, m.optimizer().iterations(), "no step after the bad batch");
      assertEquals(List.of("begin", "e0<", "b0", "b1", "b2", "b3", "b4", "e0>", "end"),
          r.calls, "Keras: the epoch ends after the batch; on_epoch_end and on_train_end run");
      assertEquals(1, h.get("loss").size());
      String out = printed.toString();
      assertEquals("Batch " + bad + ": Invalid loss, terminating training",
          out.strip(), "the line, once");
      for (int i = 0; i < bad; i++) {
        assertTrue(Float.isFinite(r.batchLoss.get(i)), "batch " + i + " finite");
      }
    }
  }

  /** Asks the stop from its batch hook at (epoch, batch). */
  final class StopAt implements Callback {
    final int epoch, batch;
    int current;

    StopAt(int epoch, int batch) {
      this.epoch = epoch;
      this.batch = batch;
    }

    @Override
    public void onEpochBegin(int e) {
      current = e;
    }

    @Override
    public void onTrainBatchEnd(int b, Map<String, Float> logs) {
      if (current == epoch && b == batch) {
        model.stopTraining();
      }
    }
  }

  /**
   * A stop from any callback's batch hook ends the epoch after that batch, on every backend (on
   * a device the epoch runs as a step run whose table was taken whole: the steps not run are
   * given back, so Adam's iterations, its bias correction, count only the batches run).
   */
  @Test
  void aStopFromABatchHookEndsTheEpochAfterThatBatch() {
    Recorder r = new Recorder();
    History h = model.fit(x, y, new FitOptions().epochs(4).batchSize(16).verbose(0)
        .callbacks(r, new StopAt(1, 2)));
    assertEquals(List.of("begin", "e0<", "b0", "b1", "b2", "b3", "b4", "b5", "e0>", "e1<", "b0",
        "b1", "b2", "e1>", "end"), r.calls);
    assertEquals(6 + 3, model.optimizer().iterations());
    assertEquals(2, h.get("loss").size());
    // the epoch's loss is the mean over the batches run: the running mean logged at batch 2
    assertEquals(r.batchLoss.get(8), h.get("loss").get(1), 1e-6f);
    // the next fit starts clean (fit clears the flag) and counts on from 9 steps
    model.fit(x, y, new FitOptions().epochs(1).batchSize(16).verbose(0));
    assertEquals(9 + 6, model.optimizer().iterations());
  }

  /** Keras checks the flag after each batch: a stop asked in on_epoch_begin runs one batch. */
  @Test
  void aStopAskedAtEpochBeginRunsOneBatch() {
    Recorder r = new Recorder();
    Callback stopper = new Callback() {
      @Override
      public void onEpochBegin(int epoch) {
        if (epoch == 1) {
          model.stopTraining();
        }
      }
    };
    model.fit(x, y, new FitOptions().epochs(3).batchSize(16).verbose(0)
        .callbacks(stopper, r));
    assertEquals(List.of("begin", "e0<", "b0", "b1", "b2", "b3", "b4", "b5", "e0>", "e1<", "b0",
        "e1>", "end"), r.calls);
    assertEquals(7, model.optimizer().iterations());
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

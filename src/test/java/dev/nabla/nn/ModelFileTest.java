package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Tensor;
import dev.nabla.TestUtil;
import dev.nabla.backend.Backends;
import dev.nabla.io.SafeTensors;
import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Dropout;
import dev.nabla.nn.layers.Flatten;
import dev.nabla.optimizers.Optimizers;
import dev.nabla.optimizers.schedules.Schedules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelFileTest {
  static final int N = 200;
  static final SplittableRandom RNG = new SplittableRandom(12);
  static final float[] XS = TestUtil.random(RNG, N * 784, 1);
  static final float[] YS = SequentialTest.labels(RNG, N);

  static Sequential model(String optimizer, Map<String, ?> args) {
    Sequential m = new Sequential(new Flatten(28, 28), new Dense(32, "relu"), new Dropout(0.2),
        new Dense(10, "softmax")).setSeed(99).setOutput(new PrintStream(new ByteArrayOutputStream()));
    m.setBackend(Backends.select(dev.nabla.DefaultDevice.current(), 1).backend());
    m.compile(Optimizers.get(optimizer, args), dev.nabla.losses.Losses.get(
        "sparse_categorical_crossentropy"), "accuracy");
    return m;
  }

  /** Training 2 epochs, saving, loading and training to 5 equals 5 epochs straight, bit for bit. */
  @ParameterizedTest
  @ValueSource(strings = {"adam", "nadam", "sgd-nesterov", "ftrl", "lamb",
      "adamw-accumulation-clipnorm", "sgd-schedule", "adam-ema", "sgd-ema-overwrite"})
  void resumeGivesTheSameWeightsBitForBit(String variant, @TempDir Path tmp) throws IOException {
    String name = variant.split("-")[0];
    Map<String, Object> args = switch (variant) {
      case "sgd-nesterov" -> Map.of("momentum", 0.9, "nesterov", true);
      // fit's end writes the EMA into the weights (Keras's finalize); the training weights are
      // kept in the optimizer's state and the resumed fit goes on from them
      case "adam-ema" -> Map.of("use_ema", true);
      case "sgd-ema-overwrite" -> Map.of("use_ema", true, "ema_overwrite_frequency", 4,
          "momentum", 0.9);
      case "adamw-accumulation-clipnorm" -> Map.of("gradient_accumulation_steps", 2,
          "clipnorm", 1.0);
      case "sgd-schedule" -> Map.of("learning_rate", Schedules.get("exponential_decay",
          Map.of("initial_learning_rate", 0.1, "decay_steps", 7, "decay_rate", 0.5)));
      default -> Map.of();
    };
    float[] straight;
    try (Sequential m = model(name, args); Tensor x = Tensor.of(XS, N, 28, 28);
        Tensor y = Tensor.of(YS, N)) {
      m.fit(x, y, new FitOptions().epochs(5).batchSize(32).verbose(0));
      straight = m.flatParameters().toFloatArray();
    }
    Path file = tmp.resolve("m.safetensors");
    try (Sequential m = model(name, args); Tensor x = Tensor.of(XS, N, 28, 28);
        Tensor y = Tensor.of(YS, N)) {
      m.fit(x, y, new FitOptions().epochs(2).batchSize(32).verbose(0));
      m.save(file);
    }
    try (Sequential m = Sequential.load(file); Tensor x = Tensor.of(XS, N, 28, 28);
        Tensor y = Tensor.of(YS, N)) {
      m.setBackend(Backends.select(dev.nabla.DefaultDevice.current(), 1).backend()).setOutput(
          new PrintStream(new ByteArrayOutputStream()));
      m.fit(x, y, new FitOptions().epochs(5).initialEpoch(2).batchSize(32).verbose(0));
      assertArrayEquals(straight, m.flatParameters().toFloatArray(), variant + ": resumed run");
    }
  }

  /**
   * use_ema: 4 epochs straight, 2 + 2 in one model (fit again with initial_epoch), and 2, save,
   * load, 2 more all end with the same weights bit for bit (the averages, written by fit's end).
   */
  @Test
  void emaResumesExactlyInMemoryAndFromAFile(@TempDir Path tmp) throws IOException {
    Map<String, Object> ema = Map.of("use_ema", true, "ema_momentum", 0.9);
    float[] straight;
    try (Sequential m = model("adam", ema); Tensor x = Tensor.of(XS, N, 28, 28);
        Tensor y = Tensor.of(YS, N)) {
      m.fit(x, y, new FitOptions().epochs(4).batchSize(32).verbose(0));
      straight = m.flatParameters().toFloatArray();
    }
    Path file = tmp.resolve("ema.safetensors");
    try (Sequential m = model("adam", ema); Tensor x = Tensor.of(XS, N, 28, 28);
        Tensor y = Tensor.of(YS, N)) {
      m.fit(x, y, new FitOptions().epochs(2).batchSize(32).verbose(0));
      m.save(file);
      m.fit(x, y, new FitOptions().epochs(4).initialEpoch(2).batchSize(32).verbose(0));
      assertArrayEquals(straight, m.flatParameters().toFloatArray(), "2 + 2 in one model");
    }
    try (Sequential m = Sequential.load(file); Tensor x = Tensor.of(XS, N, 28, 28);
        Tensor y = Tensor.of(YS, N)) {
      m.setBackend(Backends.select(dev.nabla.DefaultDevice.current(), 1).backend()).setOutput(
          new PrintStream(new ByteArrayOutputStream()));
      m.fit(x, y, new FitOptions().epochs(4).initialEpoch(m.epochsDone()).batchSize(32)
          .verbose(0));
      assertArrayEquals(straight, m.flatParameters().toFloatArray(), "2, saved, loaded, 2 more");
    }
  }

  /**
   * After fit (weights = EMA), the next step goes on from the training weights, unless the
   * weights were set meanwhile: then from those. Seen with the learning rate at 0, where a
   * step changes no weight.
   */
  @Test
  void afterAnEmaFitTheNextStepStartsFromTheTrainingWeightsOrFromWeightsSetSince() {
    try (Tensor x = Tensor.of(XS, N, 28, 28); Tensor y = Tensor.of(YS, N);
        Tensor xb = Tensor.of(java.util.Arrays.copyOf(XS, 8 * 784), 8, 28, 28);
        Tensor yb = Tensor.of(java.util.Arrays.copyOf(YS, 8), 8)) {
      try (Sequential m = model("sgd", Map.of("use_ema", true))) {
        m.fit(x, y, new FitOptions().epochs(2).batchSize(32).verbose(0));
        float[] average = m.flatParameters().toFloatArray();
        float[] training = m.optimizer().state().arrays().get("group0/training_weights");
        assertTrue(!java.util.Arrays.equals(average, training), "EMA differs from training");
        m.optimizer().setLearningRate(0f);
        m.trainOnBatch(xb, yb);
        assertArrayEquals(training, m.flatParameters().toFloatArray(), "training weights back");
        assertTrue(!m.optimizer().state().arrays().containsKey("group0/training_weights"));
      }
      try (Sequential m = model("sgd", Map.of("use_ema", true))) {
        m.fit(x, y, new FitOptions().epochs(2).batchSize(32).verbose(0));
        float[] set = new float[(int) m.countParams()];
        java.util.Arrays.fill(set, 0.01f);
        m.flatParameters().copyFrom(set);
        m.optimizer().setLearningRate(0f);
        m.trainOnBatch(xb, yb);
        assertArrayEquals(set, m.flatParameters().toFloatArray(), "weights set are kept");
      }
    }
  }

  @Test
  void emaStateSurvivesSaveAndFitEndsWithTheAverage(@TempDir Path tmp) throws IOException {
    Path file = tmp.resolve("ema.safetensors");
    try (Sequential m = model("adam", Map.of("use_ema", true));
        Tensor x = Tensor.of(XS, N, 28, 28); Tensor y = Tensor.of(YS, N)) {
      m.fit(x, y, new FitOptions().epochs(1).verbose(0));
      float[] average = m.optimizer().state().arrays().get("group0/average");
      assertArrayEquals(average, m.flatParameters().toFloatArray(), "weights = EMA after fit");
      m.save(file);
      try (Sequential back = Sequential.load(file)) {
        assertArrayEquals(average, back.optimizer().state().arrays().get("group0/average"));
      }
    }
  }

  @Test
  void saveAndLoadRoundTripEverything(@TempDir Path tmp) throws IOException {
    Path file = tmp.resolve("model.safetensors");
    try (Sequential m = model("rmsprop", Map.of("momentum", 0.5, "centered", true));
        Tensor x = Tensor.of(XS, N, 28, 28); Tensor y = Tensor.of(YS, N)) {
      m.fit(x, y, new FitOptions().epochs(1).verbose(0));
      m.save(file);
      try (Sequential back = Sequential.load(file)) {
        assertEquals(m.summaryString(), back.summaryString());
        assertArrayEquals(m.flatParameters().toFloatArray(),
            back.flatParameters().toFloatArray());
        assertEquals(m.optimizer().steps(), back.optimizer().steps());
        assertEquals(m.optimizer().config(), back.optimizer().config());
        assertEquals("sparse_categorical_crossentropy", back.loss().name());
        assertEquals(m.evaluate(x, y, 32, 0), back.evaluate(x, y, 32, 0));
      }
    }
  }

  @Test
  void weightsOnlyFilesAndArchitectureMismatch(@TempDir Path tmp) throws IOException {
    Path w = tmp.resolve("w.safetensors");
    try (Sequential a = model("adam", Map.of()); Sequential b = model("sgd", Map.of())) {
      b.setSeed(5);
      a.saveWeights(w);
      b.loadWeights(w);
      assertArrayEquals(a.flatParameters().toFloatArray(), b.flatParameters().toFloatArray());
      String e = assertThrows(SafeTensors.ModelFileException.class, () -> Sequential.load(w))
          .getMessage();
      assertTrue(e.contains("weights only"), e);
    }
    try (Sequential other = new Sequential(new Flatten(28, 28), new Dense(16, "relu"),
        new Dense(10, "softmax"))) {
      float[] before = other.flatParameters().toFloatArray();
      String e = assertThrows(SafeTensors.ModelFileException.class, () -> other.loadWeights(w))
          .getMessage();
      assertTrue(e.contains("dense/kernel has shape [784, 32] in the file, [784, 16]"), e);
      assertArrayEquals(before, other.flatParameters().toFloatArray(), "nothing overwritten");
    }
  }

  @Test
  void brokenFilesAreNamedAndTheOldFileSurvivesAFailedSave(@TempDir Path tmp) throws IOException {
    Path file = tmp.resolve("m.safetensors");
    try (Sequential m = model("adam", Map.of())) {
      m.save(file);
    }
    byte[] good = Files.readAllBytes(file);
    Path truncated = tmp.resolve("truncated.safetensors");
    Files.write(truncated, java.util.Arrays.copyOf(good, good.length - 100));
    assertBroken(truncated, "truncated");
    Path flipped = tmp.resolve("flipped.safetensors");
    byte[] f = good.clone();
    f[f.length - 5] ^= 0x40;
    Files.write(flipped, f);
    assertBroken(flipped, "checksum");
    Path garbage = tmp.resolve("garbage.safetensors");
    Files.writeString(garbage, "hello, this is not a model at all");
    assertBroken(garbage, "header length");
    Path tiny = tmp.resolve("tiny");
    Files.write(tiny, new byte[] {1, 2});
    assertBroken(tiny, "too short");
    assertThrows(java.nio.file.NoSuchFileException.class,
        () -> Sequential.load(tmp.resolve("absent")));

    // a save that fails (unsaveable custom schedule) leaves the previous file as it was
    try (Sequential m = new Sequential(new Flatten(28, 28), new Dense(10, "softmax"))) {
      m.compile(Optimizers.get("sgd", Map.of("learning_rate",
          (dev.nabla.optimizers.schedules.LearningRateSchedule) step -> 0.1f)),
          dev.nabla.losses.Losses.get("sparse_categorical_crossentropy"), "accuracy");
      String e = assertThrows(IllegalArgumentException.class, () -> m.save(file)).getMessage();
      assertTrue(e.contains("custom LearningRateSchedule"), e);
    }
    assertArrayEquals(good, Files.readAllBytes(file));
    try (var files = Files.list(tmp)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }
  }

  private static void assertBroken(Path file, String fragment) {
    String e = assertThrows(SafeTensors.ModelFileException.class, () -> Sequential.load(file))
        .getMessage();
    assertTrue(e.contains(file.toString()) && e.contains(fragment), e);
  }
}

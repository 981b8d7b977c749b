package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import dev.nabla.Tensor;
import dev.nabla.TestUtil;
import dev.nabla.backend.Backends;
import dev.nabla.io.SafeTensors.ModelFileException;
import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Dropout;
import dev.nabla.nn.layers.ELU;
import dev.nabla.nn.layers.Flatten;
import dev.nabla.nn.layers.Layer;
import dev.nabla.nn.layers.LeakyReLU;
import dev.nabla.nn.layers.ReLU;
import dev.nabla.nn.layers.Softmax;
import dev.nabla.optimizers.Optimizer;
import dev.nabla.optimizers.Optimizers;
import dev.nabla.optimizers.schedules.Schedules;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keras files: the models Keras 2.3.1 wrote for Deeplearning4j's import tests (with the inputs
 * and the predictions Keras recorded) predict the same within 1e-5; Keras 3's .keras layout
 * round-trips with the optimizer state and training continues bit for bit; bad and unsupported
 * files are refused with the file and the reason.
 */
class KerasFilesTest {
  private static final String DIR = "/dev/nabla/keras/";

  static Path resource(Path tmp, String name) throws IOException {
    Path p = tmp.resolve(name);
    try (InputStream in = KerasFilesTest.class.getResourceAsStream(DIR + name)) {
      if (in == null) {
        throw new IOException("missing test resource " + DIR + name);
      }
      Files.copy(in, p);
    }
    return p;
  }

  /** Keras's recorded predictions, each model on its inputs (Keras 2.3.1, tensorflow). */
  @ParameterizedTest
  @ValueSource(strings = {"ELU_0", "LeakyReLU_0", "ReLU_0", "ReLU_1", "ReLU_3", "Softmax_0",
      "simple_sparse_xent_mlp_keras_2"})
  void predictionsMatchWhatKerasRecorded(String name, @TempDir Path tmp) throws IOException {
    Path model = resource(tmp, name + "_model.h5");
    Path io = resource(tmp, name + "_inputs_and_outputs.h5");
    float[] x, expected;
    int[] xShape, yShape;
    try (HdfFile h = new HdfFile(io)) {
      Dataset in = (Dataset) h.getByPath("inputs/" + only(h, "inputs"));
      Dataset out = (Dataset) h.getByPath("predictions/" + only(h, "predictions"));
      x = (float[]) in.getDataFlat();
      xShape = in.getDimensions();
      expected = (float[]) out.getDataFlat();
      yShape = out.getDimensions();
    }
    assertEquals(KerasFiles.Kind.HDF5, KerasFiles.kind(model));
    try (Sequential m = Sequential.load(model); Tensor xt = Tensor.of(x, xShape)) {
      try (Tensor y = m.predict(xt)) {
        assertArrayEquals(yShape, y.shape());
        TestUtil.assertClose(expected, y.toFloatArray(), 0, 1e-5, name);
      }
    }
  }

  private static String only(HdfFile h, String group) {
    var children = ((io.jhdf.api.Group) h.getByPath(group)).getChildren().keySet();
    assertEquals(1, children.size(), group);
    return children.iterator().next();
  }

  /**
   * A .keras file and the legacy .h5 Keras 3.15.1 wrote of the same model
   * (scripts/keras3_fixture.py): predictions within 1e-5, and one more step from the Adam state
   * they hold lands where Keras's train_on_batch did.
   */
  @ParameterizedTest
  @ValueSource(strings = {"keras3_sequential.keras", "keras3_sequential.h5"})
  void aKeras3FileContinuesAsKerasDid(String name, @TempDir Path tmp) throws IOException {
    Path file = resource(tmp, name);
    Map<?, ?> io = new Gson().fromJson(Files.readString(resource(tmp,
        "keras3_sequential_io.json")), Map.class);
    float[] x = floats((List<?>) io.get("x")), y = floats((List<?>) io.get("y"));
    try (Sequential m = Sequential.load(file); Tensor xt = Tensor.of(x, 64, 12);
        Tensor yt = Tensor.of(y, 64)) {
      assertEquals(List.of("Dense", "ELU", "LeakyReLU", "Dropout", "Dense", "ReLU", "Dense",
          "Softmax"), m.layers().stream().map(Layer::className).toList());
      assertEquals(dev.nabla.backend.Activation.SWISH, ((Dense) m.layers().get(0)).activation());
      assertEquals(8, m.optimizer().steps()); // 2 epochs of 4 batches
      assertEquals(0.003f, m.optimizer().learningRate());
      try (Tensor p = m.predict(xt)) {
        TestUtil.assertClose(floats((List<?>) io.get("predictions")), p.toFloatArray(), 0, 1e-5,
            "predictions");
      }
      try (Tensor xb = Tensor.of(java.util.Arrays.copyOf(x, 16 * 12), 16, 12);
          Tensor yb = Tensor.of(java.util.Arrays.copyOf(y, 16), 16)) {
        m.trainOnBatch(xb, yb);
      }
      assertEquals(((Number) io.get("iterations_after")).longValue(), m.optimizer().steps());
      List<?> after = (List<?>) io.get("weights_after_one_step");
      for (int i = 0; i < after.size(); i++) {
        TestUtil.assertClose(floats((List<?>) after.get(i)), m.weights().get(i).toFloatArray(),
            1e-5, 1e-6, m.weights().get(i).name());
      }
    }
  }

  private static float[] floats(List<?> l) {
    float[] out = new float[l.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) l.get(i)).floatValue();
    }
    return out;
  }

  /** The layer configs and the compile configuration as Keras 2.3.1 wrote them. */
  @Test
  void configsAndCompileConfigurationAreReadExactly(@TempDir Path tmp) throws IOException {
    try (Sequential m = Sequential.load(resource(tmp, "LeakyReLU_0_model.h5"))) {
      List<Layer> layers = m.layers();
      assertEquals(List.of("dense", "leaky_re_lu_1"), layers.stream().map(Layer::name).toList());
      assertEquals(0.5f, ((LeakyReLU) layers.get(1)).negativeSlope()); // Keras 2's "alpha"
      assertArrayEquals(new int[] {16}, m.inputShape()); // the first layer's batch_input_shape
      Optimizer opt = m.optimizer();
      assertEquals("rmsprop", opt.name());
      Map<String, Object> c = opt.config();
      assertEquals(0.9f, ((Number) c.get("rho")).floatValue());
      assertEquals(1e-7f, ((Number) c.get("epsilon")).floatValue());
      // Keras 2's decay=1e-6: lr / (1 + 1e-6 * iterations), i.e. InverseTimeDecay
      assertEquals("InverseTimeDecay",
          ((Schedules.Keras) opt.learningRateSchedule()).className());
      Map<String, Object> s = ((Schedules.Keras) opt.learningRateSchedule()).config();
      assertEquals(9.999999747378752e-05, ((Number) s.get("initial_learning_rate"))
          .doubleValue(), 1e-12);
      assertEquals(9.999999974752427e-07, ((Number) s.get("decay_rate")).doubleValue(), 1e-15);
      assertEquals(1.0, ((Number) s.get("decay_steps")).doubleValue());
      assertEquals("mean_squared_error", m.loss().name());
      assertEquals(List.of("mae"), m.metricNames());
    }
    try (Sequential m = Sequential.load(resource(tmp, "ELU_0_model.h5"))) {
      assertEquals(0.699999988079071, ((ELU) m.layers().get(1)).alpha(), 1e-7);
    }
    try (Sequential m = KerasFiles.load(resource(tmp, "ReLU_1_model.h5"), false)) {
      assertNull(m.optimizer()); // compile=false
      assertEquals(dev.nabla.backend.Activation.RELU6,
          ((ReLU) m.layers().get(1)).activation()); // max_value 6
    }
  }

  /** What Nabla cannot reproduce is refused, naming the layer and its class. */
  @Test
  void unsupportedLayersAndModelsAreRefusedByName(@TempDir Path tmp) throws IOException {
    assertRefused(resource(tmp, "ReLU_2_model.h5"), "layer 're_lu_1' (ReLU)",
        "max_value=1.399999976158142");
    assertRefused(resource(tmp, "ThresholdReLU_0_model.h5"),
        "(ThresholdedReLU) is not supported");
    // a Keras 3.15 .keras file of a subclassed model (Keras's own test data)
    Path custom = resource(tmp, "keras3_custom_model.keras");
    assertEquals(KerasFiles.Kind.KERAS_ZIP, KerasFiles.kind(custom));
    assertRefused(custom, "a NestedDenseModel model");
  }

  @Test
  void brokenFilesAreNamed(@TempDir Path tmp) throws IOException {
    Path good = resource(tmp, "ReLU_0_model.h5");
    byte[] bytes = Files.readAllBytes(good);
    Path cut = tmp.resolve("cut.h5");
    Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 3));
    assertRefused(cut, "");
    Path zip = tmp.resolve("empty.keras");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
      z.putNextEntry(new ZipEntry("metadata.json"));
      z.write("{}".getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
    }
    assertRefused(zip, "without config.json");
    Path noWeights = tmp.resolve("noweights.keras");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(noWeights))) {
      z.putNextEntry(new ZipEntry("config.json"));
      z.write("{\"class_name\": \"Sequential\"}".getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
    }
    assertRefused(noWeights, "has no model.weights.h5");
    Path text = tmp.resolve("text.keras");
    Files.writeString(text, "PK\u0003\u0004 not really a zip");
    assertRefused(text, "");
  }

  private static void assertRefused(Path file, String... fragments) {
    String e = assertThrows(ModelFileException.class, () -> Sequential.load(file)).getMessage();
    assertTrue(e.contains(file.toString()), e);
    for (String f : fragments) {
      assertTrue(e.contains(f), e);
    }
  }

  // ---- .keras round trip --------------------------------------------------------------------

  static final int N = 96;
  static final SplittableRandom RNG = new SplittableRandom(31);
  static final float[] XS = TestUtil.random(RNG, N * 12, 1);
  static final float[] YS = SequentialTest.labels(RNG, N);

  static Sequential model(String optimizer, Map<String, ?> args) {
    Sequential m = new Sequential(new Flatten(3, 4), new Dense(16, "swish"), new ELU(0.7),
            new LeakyReLU(0.25), new Dropout(0.2), new Dense(8, "selu"), new ReLU(6.0, 0, 0),
            new Dense(10), new Softmax());
    m.setSeed(7).setOutput(new PrintStream(new ByteArrayOutputStream()));
    m.setBackend(Backends.select(dev.nabla.DefaultDevice.current(), 1).backend());
    m.compile(Optimizers.get(optimizer, args), dev.nabla.losses.Losses.get(
        "sparse_categorical_crossentropy"), "accuracy");
    return m;
  }

  /**
   * 2 epochs, saved as .keras, opened (its seed set again: Keras files carry none), 3 more
   * epochs: the same weights as 5 epochs straight, bit for bit; and the file holds the same
   * weights, configuration and optimizer state as the model that wrote it.
   */
  @ParameterizedTest
  @ValueSource(strings = {"adam", "adam-amsgrad", "sgd-momentum", "rmsprop-centered-momentum",
      "adamw"})
  void kerasFileRoundTripContinuesBitForBit(String variant, @TempDir Path tmp)
      throws IOException {
    String name = variant.split("-")[0];
    Map<String, Object> args = switch (variant) {
      case "adam-amsgrad" -> Map.of("amsgrad", true, "learning_rate", 0.003);
      case "sgd-momentum" -> Map.of("momentum", 0.9, "nesterov", true);
      case "rmsprop-centered-momentum" -> Map.of("centered", true, "momentum", 0.5);
      default -> Map.of();
    };
    float[] straight;
    try (Sequential m = model(name, args); Tensor x = Tensor.of(XS, N, 3, 4);
        Tensor y = Tensor.of(YS, N)) {
      m.fit(x, y, new FitOptions().epochs(5).batchSize(16).verbose(0));
      straight = m.flatParameters().toFloatArray();
    }
    Path file = tmp.resolve("m.keras");
    Optimizer.State saved;
    Map<String, Object> savedArgs;
    float[] savedWeights;
    try (Sequential m = model(name, args); Tensor x = Tensor.of(XS, N, 3, 4);
        Tensor y = Tensor.of(YS, N)) {
      m.fit(x, y, new FitOptions().epochs(2).batchSize(16).verbose(0));
      m.save(file);
      saved = m.optimizer().state();
      savedArgs = m.optimizer().config();
      savedWeights = m.flatParameters().toFloatArray();
    }
    assertEquals(KerasFiles.Kind.KERAS_ZIP, KerasFiles.kind(file));
    try (Sequential m = Sequential.load(file); Tensor x = Tensor.of(XS, N, 3, 4);
        Tensor y = Tensor.of(YS, N)) {
      assertArrayEquals(savedWeights, m.flatParameters().toFloatArray(), "weights");
      assertEquals(savedArgs, m.optimizer().config(), "optimizer configuration");
      Optimizer.State back = m.optimizer().state();
      assertEquals(saved.steps(), back.steps(), "iterations");
      assertEquals(saved.arrays().keySet(), back.arrays().keySet());
      saved.arrays().forEach((k, v) -> assertArrayEquals(v, back.arrays().get(k), k));
      m.setSeed(7).setBackend(Backends.select(dev.nabla.DefaultDevice.current(), 1).backend())
          .setOutput(new PrintStream(new ByteArrayOutputStream()));
      m.fit(x, y, new FitOptions().epochs(5).initialEpoch(2).batchSize(16).verbose(0));
      assertArrayEquals(straight, m.flatParameters().toFloatArray(), variant + ": continued");
    }
  }

  /** The zip holds saving_lib's three entries and names; the config reads back the same. */
  @Test
  void kerasLayoutAndConfig(@TempDir Path tmp) throws IOException {
    Path file = tmp.resolve("m.keras");
    try (Sequential m = model("adam", Map.of("learning_rate", 0.002));
        Tensor x = Tensor.of(XS, N, 3, 4); Tensor y = Tensor.of(YS, N)) {
      m.fit(x, y, new FitOptions().epochs(1).batchSize(32).verbose(0));
      m.save(file);
      try (ZipFile z = new ZipFile(file.toFile())) {
        assertEquals(List.of("metadata.json", "config.json", "model.weights.h5"),
            z.stream().map(ZipEntry::getName).toList());
        Map<?, ?> meta = new Gson().fromJson(new String(z.getInputStream(z.getEntry(
            "metadata.json")).readAllBytes(), StandardCharsets.UTF_8), Map.class);
        assertTrue(meta.get("keras_version").toString().startsWith("3."), meta.toString());
        assertTrue(meta.get("date_saved").toString().matches(
            "\\d{4}-\\d\\d-\\d\\d@\\d\\d:\\d\\d:\\d\\d"), meta.toString());
        Map<?, ?> config = new Gson().fromJson(new String(z.getInputStream(z.getEntry(
            "config.json")).readAllBytes(), StandardCharsets.UTF_8), Map.class);
        assertEquals("Sequential", config.get("class_name"));
        assertEquals("keras", config.get("module"));
        Map<?, ?> compile = (Map<?, ?>) config.get("compile_config");
        assertEquals("Adam", ((Map<?, ?>) compile.get("optimizer")).get("class_name"));
        assertEquals("sparse_categorical_crossentropy", compile.get("loss"));
        List<?> layers = (List<?>) ((Map<?, ?>) config.get("config")).get("layers");
        assertEquals("InputLayer", ((Map<?, ?>) layers.get(0)).get("class_name"));
        byte[] weights = z.getInputStream(z.getEntry("model.weights.h5")).readAllBytes();
        try (HdfFile h = HdfFile.fromBytes(weights)) {
          // Keras 3 names a Sequential's layers by class and position: dense, dense_1, ...
          assertArrayEquals(new int[] {12, 16},
              h.getDatasetByPath("layers/dense/vars/0").getDimensions());
          assertArrayEquals(new int[] {16}, h.getDatasetByPath("layers/dense/vars/1")
              .getDimensions());
          assertEquals(m.optimizer().steps(), ((Number) h.getDatasetByPath("optimizer/vars/0")
              .getData()).longValue());
          assertEquals(0.002f, ((Number) h.getDatasetByPath("optimizer/vars/1").getData())
              .floatValue());
          // Adam: momentum and velocity interleaved per variable
          assertArrayEquals(new int[] {12, 16},
              h.getDatasetByPath("optimizer/vars/2").getDimensions());
          assertArrayEquals(new int[] {12, 16},
              h.getDatasetByPath("optimizer/vars/3").getDimensions());
          assertArrayEquals(new int[] {16}, h.getDatasetByPath("optimizer/vars/4")
              .getDimensions());
        }
      }
      try (Sequential back = Sequential.load(file)) {
        // Keras keeps the input shape on the InputLayer: Flatten(3, 4) comes back as Flatten()
        // in a model of input shape (3, 4)
        assertArrayEquals(m.inputShape(), back.inputShape());
        java.util.function.Function<Layer, String> describe = l -> l.className() + " "
            + l.name() + " " + (l instanceof Flatten ? "" : l.config());
        assertEquals(m.layers().stream().map(describe).toList(),
            back.layers().stream().map(describe).toList());
        assertEquals(m.metricNames(), back.metricNames());
        assertEquals(m.loss().name(), back.loss().name());
      }
    }
  }

  /** Keras 3's .weights.h5: written, read back into a model of the same architecture. */
  @Test
  void weightsFilesRoundTripAndMismatchesChangeNothing(@TempDir Path tmp) throws IOException {
    Path weights = tmp.resolve("m.weights.h5"), keras = tmp.resolve("m.keras");
    float[] trained;
    Optimizer.State state;
    try (Sequential m = model("adam", Map.of()); Tensor x = Tensor.of(XS, N, 3, 4);
        Tensor y = Tensor.of(YS, N)) {
      m.fit(x, y, new FitOptions().epochs(1).batchSize(32).verbose(0));
      m.saveWeights(weights);
      m.save(keras);
      trained = m.flatParameters().toFloatArray();
      state = m.optimizer().state();
    }
    assertEquals(KerasFiles.Kind.HDF5, KerasFiles.kind(weights));
    for (Path file : List.of(weights, keras)) {
      try (Sequential fresh = model("adam", Map.of())) {
        fresh.build(3, 4);
        fresh.loadWeights(file);
        assertArrayEquals(trained, fresh.flatParameters().toFloatArray(), file.toString());
        assertEquals(state.steps(), fresh.optimizer().state().steps());
        state.arrays().forEach((k, v) -> assertArrayEquals(v,
            fresh.optimizer().state().arrays().get(k), k));
      }
    }
    try (Sequential other = new Sequential(new Flatten(3, 4), new Dense(7), new Dense(10))) {
      other.build(3, 4);
      float[] before = other.flatParameters().toFloatArray();
      String e = assertThrows(ModelFileException.class, () -> other.loadWeights(weights))
          .getMessage();
      assertTrue(e.contains(weights.toString()) && e.contains("layers/dense/vars"), e);
      assertArrayEquals(before, other.flatParameters().toFloatArray(), "nothing changed");
    }
    try (Sequential m = model("adam", Map.of())) {
      m.build(3, 4);
      assertThrows(IllegalArgumentException.class,
          () -> KerasFiles.saveWeights(m, tmp.resolve("w.h5"))); // Keras's naming rule
    }
  }

  /** The new layers also keep their parameters in Nabla's own safetensors model files. */
  @Test
  void newLayersRoundTripInNablasOwnFormat(@TempDir Path tmp) throws IOException {
    Path file = tmp.resolve("m.safetensors");
    try (Sequential m = model("adam", Map.of())) {
      m.build(3, 4);
      m.save(file);
      try (Sequential back = Sequential.load(file)) {
        java.util.function.Function<Layer, String> describe = l -> l.className() + " "
            + (l instanceof Flatten ? java.util.Arrays.toString(l.declaredInputShape())
                : l.config());
        assertEquals(m.layers().stream().map(describe).toList(),
            back.layers().stream().map(describe).toList());
        assertEquals(0.7f, ((ELU) back.layers().get(2)).alpha());
        assertEquals(0.25f, ((LeakyReLU) back.layers().get(3)).negativeSlope());
      }
    }
  }

  @Test
  void aFailedSaveLeavesTheOldFileAndH5IsNotWritten(@TempDir Path tmp) throws IOException {
    Path file = tmp.resolve("m.keras");
    try (Sequential m = model("adam", Map.of()); Tensor x = Tensor.of(XS, N, 3, 4);
        Tensor y = Tensor.of(YS, N)) {
      m.build(3, 4);
      m.save(file);
      byte[] good = Files.readAllBytes(file);
      m.compile(Optimizers.get("nadam"), dev.nabla.losses.Losses.get(
          "sparse_categorical_crossentropy"));
      m.fit(x, y, new FitOptions().epochs(1).batchSize(32).verbose(0));
      String e = assertThrows(IllegalArgumentException.class, () -> m.save(file)).getMessage();
      assertTrue(e.contains("nadam") && e.contains("not mapped"), e);
      assertArrayEquals(good, Files.readAllBytes(file));
      String h5 = assertThrows(IllegalArgumentException.class,
          () -> m.save(tmp.resolve("m.h5"))).getMessage();
      assertTrue(h5.contains(".keras"), h5);
      assertFalse(Files.exists(tmp.resolve("m.h5")));
    }
  }
}

package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.MnistFixture;
import dev.nabla.Tensor;
import dev.nabla.TestUtil;
import dev.nabla.backend.Backends;
import dev.nabla.backend.JavaBackend;
import dev.nabla.callbacks.Callback;
import dev.nabla.callbacks.History;
import dev.nabla.data.Dataset;
import dev.nabla.nn.layers.Activation;
import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Dropout;
import dev.nabla.nn.layers.Flatten;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SequentialTest {
  static Sequential seedModel() {
    return new Sequential(new Flatten(28, 28), new Dense(128, "relu"), new Dropout(0.2),
        new Dense(10, "softmax"));
  }

  static Tensor x(Dataset d, int n, boolean train) {
    float[] src = train ? d.xTrain() : d.xTest();
    return Tensor.of(java.util.Arrays.copyOf(src, n * 784), n, 28, 28);
  }

  static Tensor y(Dataset d, int n, boolean train) {
    return Tensor.of(java.util.Arrays.copyOf(train ? d.yTrain : d.yTest, n), n);
  }

  static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true);
  }

  @Test
  void summaryIsKerasTableWithSeedParameterCount() {
    try (Sequential m = seedModel()) {
      assertEquals(101_770, m.countParams());
      String s = m.summaryString();
      for (String line : new String[] {"Model: \"sequential\"", "flatten (Flatten)",
          "(None, 784)", "dense (Dense)", "(None, 128)", "100,480", "dropout (Dropout)",
          "dense_1 (Dense)", "(None, 10)", "1,290", "Total params: 101,770",
          "Trainable params: 101,770", "Non-trainable params: 0"}) {
        assertTrue(s.contains(line), "summary lacks '" + line + "':\n" + s);
      }
      assertEquals(List.of("dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"),
          m.weights().stream().map(dev.nabla.Variable::name).toList());
    }
  }

  @Test
  void glorotUniformKernelAndZeroBias() {
    try (Sequential m = seedModel().setSeed(3)) {
      float[] kernel = m.weights().get(0).toFloatArray();
      double limit = Math.sqrt(6.0 / (784 + 128));
      double sumSq = 0;
      for (float v : kernel) {
        assertTrue(Math.abs(v) <= limit, "glorot_uniform value " + v + " beyond " + limit);
        sumSq += v * v;
      }
      double variance = sumSq / kernel.length; // uniform(-l, l) has variance l^2 / 3
      assertEquals(limit * limit / 3, variance, 0.05 * limit * limit / 3);
      for (float b : m.weights().get(1).toFloatArray()) {
        assertEquals(0f, b);
      }
    }
  }

  @Test
  void trainsOnASliceOfRealMnist() throws Exception {
    Dataset d = MnistFixture.mnist();
    try (Sequential m = seedModel().setSeed(7).setOutput(quiet());
        Tensor xt = x(d, 6000, true); Tensor yt = y(d, 6000, true);
        Tensor xv = x(d, 2000, false); Tensor yv = y(d, 2000, false)) {
      m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
      History h = m.fit(xt, yt, new FitOptions().epochs(2).batchSize(32).validationSplit(0.1));
      assertEquals(List.of("loss", "accuracy", "val_loss", "val_accuracy"),
          new ArrayList<>(h.history().keySet()));
      assertEquals(2, h.get("loss").size());
      assertTrue(h.get("loss").get(1) < h.get("loss").get(0), "loss must fall: " + h);
      Map<String, Float> r = m.evaluate(xv, yv, 32, 0);
      // chance is 0.10; this network reaches about 0.92 on this slice
      assertTrue(r.get("accuracy") > 0.85f, "test accuracy " + r);
      assertTrue(r.get("loss") < 0.5f, "test loss " + r);
    }
  }

  @Test
  void predictGivesSoftmaxRowsAndDropoutIsInactiveOutsideFit() {
    SplittableRandom rng = new SplittableRandom(1);
    try (Sequential m = seedModel().setSeed(1).setOutput(quiet());
        Tensor x = Tensor.of(TestUtil.random(rng, 50 * 784, 1), 50, 28, 28);
        Tensor y = Tensor.of(labels(rng, 50), 50)) {
      m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
      Tensor p1 = m.predict(x);
      Tensor p2 = m.predict(x, 7); // other batch sizes, a partial last batch
      assertArrayEquals(new int[] {50, 10}, p1.shape());
      TestUtil.assertClose(p1.toFloatArray(), p2.toFloatArray(), 1e-6, 1e-7, "predict");
      float[] v = p1.toFloatArray();
      for (int r = 0; r < 50; r++) {
        double s = 0;
        for (int c = 0; c < 10; c++) {
          assertTrue(v[r * 10 + c] > 0f);
          s += v[r * 10 + c];
        }
        assertEquals(1.0, s, 1e-5, "softmax row " + r);
      }
      // the same samples in other batches: per-batch means weighted back together agree to
      // float rounding (bit equality held on one CPU's OpenBLAS kernels, not on another's)
      Map<String, Float> e32 = m.evaluate(x, y, 32, 0), e16 = m.evaluate(x, y, 16, 0);
      assertEquals(e32.keySet(), e16.keySet());
      assertEquals(e32.get("loss"), e16.get("loss"), 1e-6 * Math.abs(e32.get("loss")), "loss");
      assertEquals(e32.get("accuracy"), e16.get("accuracy"), 0f, "accuracy");
    }
  }

  @Test
  void steadyStateTrainingAllocatesNoTensors() {
    SplittableRandom rng = new SplittableRandom(2);
    try (Sequential m = seedModel().setSeed(2).setOutput(quiet());
        Tensor x = Tensor.of(TestUtil.random(rng, 100 * 784, 1), 100, 28, 28);
        Tensor y = Tensor.of(labels(rng, 100), 100)) {
      m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
      m.fit(x, y, new FitOptions().epochs(1).batchSize(32).verbose(0)); // plans 32 and 4
      long before = Tensor.allocations();
      m.fit(x, y, new FitOptions().epochs(3).batchSize(32).verbose(0));
      // a device backend's fit uploads the training set once (inputs and labels): nothing else
      long perFit = m.backend().runsStepsOnDevice() ? 2 : 0;
      assertEquals(before + perFit, Tensor.allocations(),
          "tensor allocations during steady training");
    }
  }

  @Test
  void cpuAndJavaBackendsTrainAlike() {
    SplittableRandom rng = new SplittableRandom(4);
    float[] xs = TestUtil.random(rng, 96 * 784, 1);
    float[] ys = labels(rng, 96);
    float[][] weights = new float[2][];
    for (int i = 0; i < 2; i++) {
      try (Sequential m = seedModel().setSeed(5).setOutput(quiet());
          Tensor x = Tensor.of(xs, 96, 28, 28); Tensor y = Tensor.of(ys, 96)) {
        m.setBackend(i == 0 ? new JavaBackend() : Backends.select("cpu", 1).backend());
        m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
        m.fit(x, y, new FitOptions().epochs(1).batchSize(32).shuffle(true).verbose(0));
        weights[i] = m.flatParameters().toFloatArray();
      }
    }
    // 3 Adam steps of size ~1e-3 each from identical weights, identical masks and batches:
    // the backends differ only by float32 summation order.
    TestUtil.assertClose(weights[0], weights[1], 1e-3, 2e-5, "java vs cpu after 3 steps");
  }

  @Test
  void callbacksSeeEpochsAndCanStopTraining() {
    SplittableRandom rng = new SplittableRandom(6);
    try (Sequential m = seedModel().setSeed(6).setOutput(quiet());
        Tensor x = Tensor.of(TestUtil.random(rng, 64 * 784, 1), 64, 28, 28);
        Tensor y = Tensor.of(labels(rng, 64), 64)) {
      m.compile("sgd", "sparse_categorical_crossentropy", "accuracy");
      List<Integer> seen = new ArrayList<>();
      History h = m.fit(x, y, new FitOptions().epochs(5).verbose(0).callbacks(new Callback() {
        @Override
        public void onEpochEnd(int epoch, Map<String, Float> logs) {
          seen.add(epoch);
          if (epoch == 1) {
            m.stopTraining();
          }
        }
      }));
      assertEquals(List.of(0, 1), seen);
      assertEquals(2, h.get("loss").size());
    }
  }

  @Test
  void progressBarPrintsKerasLines() {
    SplittableRandom rng = new SplittableRandom(8);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (Sequential m = seedModel().setSeed(8).setOutput(new PrintStream(buf, true));
        Tensor x = Tensor.of(TestUtil.random(rng, 64 * 784, 1), 64, 28, 28);
        Tensor y = Tensor.of(labels(rng, 64), 64)) {
      m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
      m.fit(x, y, 2, 32);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("Epoch 1/2\n") && out.contains("Epoch 2/2\n"), out);
    assertTrue(out.matches("(?s).*2/2 \\[=+\\] - \\d+s \\d+[mu]?s/step - loss: \\d\\.\\d{4}"
        + " - accuracy: \\d\\.\\d{4}\n.*"), out);
  }

  @Test
  void badInputGetsClearErrors() {
    try (Sequential m = seedModel().setOutput(quiet());
        Tensor x = Tensor.zeros(4, 28, 28); Tensor wrong = Tensor.zeros(4, 27, 28);
        Tensor y = Tensor.of(new float[] {0, 1, 12, 3}, 4); Tensor y3 = Tensor.zeros(3)) {
      IllegalStateException notCompiled = assertThrows(IllegalStateException.class,
          () -> m.fit(x, y, 1, 2));
      assertTrue(notCompiled.getMessage().contains("compile"), notCompiled.getMessage());
      m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
      String e1 = assertThrows(IllegalArgumentException.class, () -> m.fit(x, y, 1, 2))
          .getMessage();
      assertTrue(e1.contains("label 12.0") && e1.contains("[0, 10)"), e1);
      String e2 = assertThrows(IllegalArgumentException.class, () -> m.fit(wrong, y3, 1, 2))
          .getMessage();
      assertTrue(e2.contains("[27, 28]") && e2.contains("[28, 28]"), e2);
      String e3 = assertThrows(IllegalArgumentException.class, () -> m.fit(x, y3, 1, 2))
          .getMessage();
      assertTrue(e3.contains("one entry per sample"), e3);
      assertThrows(IllegalArgumentException.class, () -> new Dense(0));
      assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0));
      String e4 = assertThrows(IllegalArgumentException.class, () -> new Dense(3, "relux"))
          .getMessage();
      assertTrue(e4.contains("relux") && e4.contains("gelu"), e4);
    }
  }

  @Test
  void closedTensorsAndModelsFailCleanlyAndNonFiniteInputsAreRefused() {
    Tensor t = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
    Tensor view = t.view(2, 2);
    t.close();
    t.close(); // twice is harmless
    String e = assertThrows(IllegalStateException.class, t::toFloatArray).getMessage();
    assertTrue(e.contains("closed"), e);
    assertThrows(IllegalStateException.class, view::toFloatArray, "a view of a freed tensor");
    Sequential m = seedModel().setOutput(quiet());
    m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
    dev.nabla.Variable kernel = m.weights().get(0);
    m.close();
    assertThrows(IllegalStateException.class, kernel::toFloatArray);
    assertThrows(IllegalStateException.class, m::countParams);
    float[] xs = new float[2 * 784];
    xs[900] = Float.NaN;
    try (Sequential ok = seedModel().setOutput(quiet()); Tensor x = Tensor.of(xs, 2, 28, 28);
        Tensor y = Tensor.of(new float[] {1, 2}, 2)) {
      ok.compile("adam", "sparse_categorical_crossentropy", "accuracy");
      String msg = assertThrows(IllegalArgumentException.class, () -> ok.fit(x, y, 1, 2))
          .getMessage();
      assertTrue(msg.contains("NaN") && msg.contains("sample 1"), msg);
      assertThrows(IllegalArgumentException.class, () -> ok.predict(x));
    }
  }

  @Test
  void aCustomLossWrittenWithGraphOpsTrains() {
    // mean over classes of (p - onehot)^2 + 0.01 * sum(p^2): a user's loss from the elementwise ops
    dev.nabla.losses.Loss custom = new dev.nabla.losses.Loss("my_loss") {
      @Override
      public dev.nabla.graph.Node perSample(dev.nabla.graph.Graph g, dev.nabla.graph.Node yTrue,
          dev.nabla.graph.Node yPred) {
        dev.nabla.graph.Node err = g.meanLastAxis(g.square(g.sub(yPred, yTrue)));
        return g.add(err, g.scale(g.meanLastAxis(g.mul(yPred, yPred)), 0.01f));
      }
    };
    SplittableRandom rng = new SplittableRandom(12);
    float[] xs = TestUtil.random(rng, 64 * 4, 1);
    float[] ys = new float[64 * 2];
    for (int i = 0; i < 64; i++) {
      ys[i * 2 + (xs[i * 4] > 0 ? 1 : 0)] = 1f;
    }
    try (Sequential m = new Sequential(new Flatten(4), new Dense(8, "tanh"),
        new Dense(2, "softmax")).setSeed(12).setOutput(quiet());
        Tensor x = Tensor.of(xs, 64, 4); Tensor y = Tensor.of(ys, 64, 2)) {
      m.compile(dev.nabla.optimizers.Optimizers.get("adam", Map.of("learning_rate", 0.05)),
          custom, "accuracy");
      History h = m.fit(x, y, new FitOptions().epochs(40).batchSize(16).verbose(0));
      List<Float> loss = h.get("loss");
      assertTrue(loss.get(loss.size() - 1) < 0.5f * loss.get(0), "did not learn: " + loss);
      assertTrue(h.get("accuracy").get(loss.size() - 1) > 0.9f, h.toString());
    }
  }

  @Test
  void trainOnBatchTakesOneStepOnThatBatch() {
    SplittableRandom rng = new SplittableRandom(10);
    try (Sequential m = seedModel().setSeed(10).setOutput(quiet());
        Tensor x = Tensor.of(TestUtil.random(rng, 16 * 784, 1), 16, 28, 28);
        Tensor y = Tensor.of(labels(rng, 16), 16)) {
      m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
      Map<String, Float> first = m.trainOnBatch(x, y);
      assertEquals(List.of("loss", "accuracy"), new ArrayList<>(first.keySet()));
      Map<String, Float> last = first;
      for (int i = 0; i < 30; i++) {
        last = m.trainOnBatch(x, y);
      }
      assertEquals(31, m.optimizer().iterations());
      assertTrue(last.get("loss") < 0.5f * first.get("loss"), first + " -> " + last);
    }
  }

  @Test
  void activationLayerAndOtherLossesTrain() {
    SplittableRandom rng = new SplittableRandom(9);
    float[] oneHot = new float[64 * 3];
    float[] xs = TestUtil.random(rng, 64 * 4, 1);
    for (int i = 0; i < 64; i++) { // a learnable rule: class = argmax of the first 3 features
      int best = 0;
      for (int k = 1; k < 3; k++) {
        best = xs[i * 4 + k] > xs[i * 4 + best] ? k : best;
      }
      oneHot[i * 3 + best] = 1f;
    }
    for (String loss : new String[] {"categorical_crossentropy", "mse", "binary_crossentropy"}) {
      try (Sequential m = new Sequential(new Dense(16, "tanh"), new Dense(3),
          new Activation("softmax")).setSeed(9).setOutput(quiet());
          Tensor x = Tensor.of(xs, 64, 4); Tensor y = Tensor.of(oneHot, 64, 3)) {
        m.compile("adam", loss, "accuracy", "mae");
        History h = m.fit(x, y, new FitOptions().epochs(30).batchSize(16).verbose(0));
        List<Float> l = h.get("loss");
        assertTrue(l.get(l.size() - 1) < 0.8 * l.get(0), loss + " did not learn: " + l);
        assertTrue(h.history().containsKey("mae"), h.history().keySet().toString());
      }
    }
  }

  static float[] labels(SplittableRandom rng, int n) {
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      y[i] = rng.nextInt(10);
    }
    return y;
  }
}

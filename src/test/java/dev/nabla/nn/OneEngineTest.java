package dev.nabla.nn;

import static dev.nabla.TestUtil.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Device;
import dev.nabla.MnistFixture;
import dev.nabla.Tensor;
import dev.nabla.Variable;
import dev.nabla.graph.Graph;
import dev.nabla.optimizers.Optimizer;
import dev.nabla.optimizers.Optimizers;
import java.util.List;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.data.Dataset;
import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Dropout;
import dev.nabla.nn.layers.Flatten;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One engine: the same planned graph trains the seed network on the CPU backend and on the CUDA
 * kernels (run by the CPU emulator, so on every machine), with the same batches, dropout masks
 * and optimizer steps. The two differ only in the order of float sums inside the kernels.
 */
class OneEngineTest {
  private static final int N = 2000;

  private static Sequential seedNetwork(String device) {
    Sequential m = new Sequential(new Flatten(28, 28), new Dense(128, "relu"), new Dropout(0.2),
        new Dense(10, "softmax"));
    m.setSeed(7);
    m.to(device);
    m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
    return m;
  }

  /** The CUDA backend on the CPU emulator everywhere, and on a GPU where there is one. */
  @ParameterizedTest
  @ValueSource(strings = {"cuda-emulated", "cuda"})
  void oneEpochOnAnMnistSliceGivesTheCpuWeightsOnTheCudaBackend(String device) throws Exception {
    if (device.equals("cuda")) {
      dev.nabla.TestUtil.assumeCuda("OneEngineTest on cuda");
    }
    Dataset d = MnistFixture.mnist();
    try (Tensor all = d.imageTensor(true); Tensor x = all.view(0, N, 28, 28).to(Device.HOST);
        Tensor y = Tensor.of(java.util.Arrays.copyOf(d.yTrain, N), N);
        Sequential cpu = seedNetwork("cpu"); Sequential emu = seedNetwork(device)) {
      assertEquals(device, emu.backend().name());
      assertTrue(!emu.flatParameters().device().isHost(), "the weights live on the device");
      FitOptions o = new FitOptions().epochs(1).batchSize(32).verbose(0);
      Map<String, java.util.List<Float>> hc = cpu.fit(x, y, o).history();
      Map<String, java.util.List<Float>> he = emu.fit(x, y, o).history();
      assertClose(cpu.flatParameters().toFloatArray(), emu.flatParameters().toFloatArray(), 0,
          1e-5, "weights after one epoch (63 adam steps with dropout)");
      assertEquals(hc.get("loss").get(0), he.get("loss").get(0), 1e-5, "epoch loss");
      assertEquals(hc.get("accuracy").get(0), he.get("accuracy").get(0), 1e-6, "epoch accuracy");
      Map<String, Float> ec = cpu.evaluate(x, y, 500, 0), ee = emu.evaluate(x, y, 500, 0);
      assertEquals(ec.get("loss"), ee.get("loss"), 1e-5, "evaluate loss");
      assertEquals(ec.get("accuracy"), ee.get("accuracy"), 1e-6, "evaluate accuracy");
      try (Tensor pc = cpu.predict(x.view(0, 100, 28, 28), 64);
          Tensor pe = emu.predict(x.view(0, 100, 28, 28), 64)) {
        assertTrue(pe.device().isHost(), "predict returns host values");
        assertClose(pc.toFloatArray(), pe.toFloatArray(), 0, 1e-5, "predictions");
      }
    }
  }

  @Test
  void tensorsOnTwoDevicesAreRefusedWithBothNamed() {
    Backend cpu = Backends.select("cpu", 1).backend();
    Backend emu = Backends.select("cuda-emulated", 1).backend();
    try (Variable onDevice = Variable.named(emu.device(), "kernel", new float[] {1, 2}, 2);
        Tensor hostGrad = Tensor.zeros(2);
        Graph g = new Graph(cpu, true);
        Optimizer sgd = Optimizers.get("sgd")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> g.param(onDevice, hostGrad));
      assertTrue(e.getMessage().contains("cuda-emulated") && e.getMessage().contains("host"),
          e.getMessage());
      sgd.setBackend(cpu);
      e = assertThrows(IllegalArgumentException.class,
          () -> sgd.applyGradients(List.of(hostGrad), List.of(onDevice)));
      assertTrue(e.getMessage().contains("cuda-emulated") && e.getMessage().contains("kernel"),
          e.getMessage());
    }
  }

  @Test
  void copiesBetweenDevicesAreExplicitAndExact() {
    Backend emu = Backends.select("cuda-emulated", 1).backend();
    float[] v = {1.5f, -2f, 3.25f, 0f, 7f, -0.125f};
    try (Tensor host = Tensor.of(v, 2, 3); Tensor dev = host.to(emu.device());
        Tensor back = dev.to(Device.HOST)) {
      assertEquals(emu.device(), dev.device());
      IllegalStateException e = assertThrows(IllegalStateException.class, dev::buffer);
      assertTrue(e.getMessage().contains("cuda-emulated"), e.getMessage());
      assertArrayEquals(v, back.toFloatArray());
      assertArrayEquals(new float[] {0f, 7f, -0.125f}, dev.view(3, 3).toFloatArray());
      assertEquals(3.25f, dev.get(2));
    }
  }

  @Test
  void aModelMovesBetweenDevicesWithItsWeightsAndOptimizerState() {
    float[] x = new float[8 * 4], y = new float[8];
    java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextDouble(-1, 1);
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = rng.nextInt(3);
    }
    try (Tensor tx = Tensor.of(x, 8, 4); Tensor ty = Tensor.of(y, 8);
        Sequential a = small("cpu"); Sequential b = small("cpu")) {
      FitOptions o = new FitOptions().epochs(2).batchSize(4).verbose(0);
      a.fit(tx, ty, o);
      b.fit(tx, ty, new FitOptions().epochs(1).batchSize(4).verbose(0));
      b.to("cuda-emulated"); // mid-training: weights and Adam's slots move together
      b.fit(tx, ty, new FitOptions().epochs(2).initialEpoch(1).batchSize(4).verbose(0));
      assertClose(a.flatParameters().toFloatArray(), b.flatParameters().toFloatArray(), 0, 1e-6,
          "two epochs on the cpu vs one on the cpu and one on the emulated cuda device");
    }
  }

  private static Sequential small(String device) {
    Sequential m = new Sequential(new Dense(5, "relu"), new Dropout(0.3), new Dense(3, "softmax"));
    m.setSeed(11);
    m.to(device);
    m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
    m.build(4);
    return m;
  }
}

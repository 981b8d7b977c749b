package dev.nabla.backend.cuda;

import static dev.nabla.TestUtil.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Tensor;
import dev.nabla.backend.Backends;
import dev.nabla.nn.FitOptions;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Dropout;
import dev.nabla.nn.layers.Flatten;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The kernel checks on the GPU, and the resident trainer there against the CPU. */
@Tag("gpu")
class CudaKernelsTest extends CudaKernelChecks {
  private static CudaOps gpu;

  @Override
  DeviceOps device() {
    if (gpu == null && Backends.probeCuda().isEmpty()) {
      gpu = new CudaOps(Backends.cudaDevice());
    }
    return gpu;
  }

  @Override
  String skipReason() {
    return "no usable GPU here: " + Backends.probeCuda();
  }

  @Override
  int[] smCounts() {
    return new int[] {0}; // the card's own
  }

  @Override
  void setSmCount(int n) {}

  @Override
  boolean small() {
    return false;
  }

  @AfterAll
  static void release() {
    if (gpu != null) {
      gpu.close();
    }
  }

  // ---- the graph on the GPU vs the host graph ----------------------------------------------------

  @Test
  void threeStepsOnTheGpuGiveTheCpuWeights() {
    SplittableRandom rng = new SplittableRandom(13);
    int n = 96;
    float[] x = dev.nabla.TestUtil.random(rng, n * 784, 1), y = classes(rng, n, 10);
    try (Tensor tx = Tensor.of(x, n, 28, 28); Tensor ty = Tensor.of(y, n);
        Sequential host = seed(); Sequential gpuModel = seed()) {
      gpuModel.setBackend(Backends.select("cuda", 1).backend());
      FitOptions o = new FitOptions().epochs(1).batchSize(32).verbose(0); // 3 steps
      host.fit(tx, ty, o);
      gpuModel.fit(tx, ty, o);
      // fp32 on both, summed in different orders: agreement to float rounding of 784-term sums
      assertClose(host.flatParameters().toFloatArray(), gpuModel.flatParameters().toFloatArray(), 1e-3,
          1e-5, "weights after 3 adam steps");
    }
  }

  private static Sequential seed() {
    Sequential m = new Sequential(new Flatten(28, 28), new Dense(128, "relu"), new Dropout(0.2),
        new Dense(10, "softmax"));
    m.setSeed(17);
    m.setBackend(cpu);
    m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
    return m;
  }

  @Test
  void arenaMemoryIsFreedOnClose() {
    DeviceArena a = new DeviceArena(ops);
    long p = a.alloc(1000);
    assertTrue(p != 0 && p % 256 == 0, "256-byte aligned device address");
    assertTrue(a.reservedBytes() >= 1000);
    a.close();
  }
}

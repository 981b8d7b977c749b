package dev.nabla.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Platform;
import org.junit.jupiter.api.Test;

class BackendsTest {
  /** A binding whose native library does not exist, to see how a failed load is reported. */
  @Platform(link = "nabla_no_such_library")
  static final class Missing {
    static {
      Loader.load();
    }
  }

  @Test
  void failedLoadIsOneLineNamingTheLibraryAndTheCause() {
    String why = Backends.tryLoad("libnabla_no_such_library", Missing.class);
    assertTrue(why.startsWith("libnabla_no_such_library failed to load: "), why);
    assertTrue(why.contains("nabla_no_such_library") || why.contains("Missing"), why);
    assertEquals(1, why.lines().count(), why);
    // probing again must not touch the poisoned class differently: same answer, no throw
    assertEquals(why.substring(0, 40),
        Backends.tryLoad("libnabla_no_such_library", Missing.class).substring(0, 40));
  }

  @Test
  void withoutNablasKernelsTheCpuRunsOpenBlasAndJavaAndSaysWhy() {
    String boom = "libnabla_cpu failed to load: boom";
    String note = "cpu: Nabla's native kernels not loaded (" + boom + "); OpenBLAS sgemm with "
        + "Java for the rest";
    Backends.Selection auto = Backends.select("auto", 1, boom, "");
    assertInstanceOf(BlasOnlyCpuBackend.class, auto.backend());
    assertEquals("cpu", auto.backend().name());
    assertTrue(auto.describe().contains("Nabla's native kernels not loaded: " + boom),
        auto.describe());
    assertEquals(List.of("cuda skipped: " + Backends.probeCuda(), note), auto.notes());
    Backends.Selection cpu = Backends.select("cpu", 1, boom, "");
    assertInstanceOf(BlasOnlyCpuBackend.class, cpu.backend());
    assertEquals(List.of(note), cpu.notes());
  }

  @Test
  void withoutOpenBlasAutoFallsBackToJavaAndCpuSaysWhy() {
    String why = "OpenBLAS failed to load: gone";
    Backends.Selection s = Backends.select("auto", 1, why, why);
    assertInstanceOf(JavaBackend.class, s.backend());
    assertEquals(List.of("cuda skipped: " + Backends.probeCuda(), "cpu skipped: " + why),
        s.notes());
    Backends.BackendUnavailableException e = assertThrows(
        Backends.BackendUnavailableException.class, () -> Backends.select("cpu", 1, why, why));
    assertTrue(e.getMessage().contains("gone"), e.getMessage());
  }

  @Test
  void theBlasOnlyBackendsMatmulMatchesTheReference() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(5);
    Backend ref = new JavaBackend(), blas = new BlasOnlyCpuBackend("test");
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        int m = 37, n = 19, k = 53;
        float[] a = new float[m * k], b = new float[k * n], c0 = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < c0.length; i++) c0[i] = (float) r.nextDouble(-1, 1);
        try (dev.nabla.Tensor ta1 = dev.nabla.Tensor.of(a, a.length);
            dev.nabla.Tensor tb1 = dev.nabla.Tensor.of(b, b.length);
            dev.nabla.Tensor want = dev.nabla.Tensor.of(c0, c0.length);
            dev.nabla.Tensor got = dev.nabla.Tensor.of(c0, c0.length)) {
          ref.gemm(ta, tb, m, n, k, 0.5f, ta1, tb1, 0.25f, want);
          blas.gemm(ta, tb, m, n, k, 0.5f, ta1, tb1, 0.25f, got);
          float[] w = want.toFloatArray(), g = got.toFloatArray();
          for (int i = 0; i < w.length; i++) {
            // 53 float products of magnitude <= 0.5: float summation differs by a few ulps
            assertEquals(w[i], g[i], 1e-5f, "transA " + ta + " transB " + tb + " at " + i);
          }
        }
      }
    }
  }

  @Test
  void theCudaProbeAnswersInOneLineWithTheRuntimesReason() {
    String why = Backends.probeCuda();
    assertEquals(1, why.lines().count(), why);
    // this machine has no GPU driver: the runtime says so (error 35 or 100), or the library was
    // built without nvcc and the stub says that; never a crash
    assertTrue(why.startsWith("CUDA runtime: ") || why.startsWith("no NVIDIA driver found")
        || why.startsWith("no CUDA GPU found") || why.contains("without a CUDA compiler")
        || why.contains("GPU(s) found"), why);
    assertEquals(why, Backends.probeCuda(), "probed once");
  }

  @Test
  void autoPicksCpuHereAndNamesAreChecked() {
    assertEquals("cpu", Backends.select("auto", 1).backend().name());
    assertEquals("java", Backends.select("JAVA", 1).backend().name());
    assertTrue(assertThrows(Backends.BackendUnavailableException.class,
        () -> Backends.select("cuda", 1)).getMessage().contains("cuda"));
    String msg = assertThrows(IllegalArgumentException.class, () -> Backends.select("tpu", 1))
        .getMessage();
    assertTrue(msg.contains("tpu") && msg.contains("auto, cpu, java, cuda"), msg);
  }
}

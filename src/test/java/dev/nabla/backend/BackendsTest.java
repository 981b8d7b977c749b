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
  void autoFallsBackAndSaysWhy() {
    Backends.Selection s = Backends.select("auto", 1, "libnabla_cpu failed to load: boom");
    assertInstanceOf(JavaBackend.class, s.backend());
    assertEquals(List.of("cuda skipped: " + Backends.probeCuda(),
        "cpu skipped: libnabla_cpu failed to load: boom"), s.notes());
    Backends.BackendUnavailableException e = assertThrows(
        Backends.BackendUnavailableException.class,
        () -> Backends.select("cpu", 1, "libnabla_cpu failed to load: boom"));
    assertTrue(e.getMessage().contains("boom"), e.getMessage());
  }

  @Test
  void theCudaProbeAnswersInOneLineWithTheRuntimesReason() {
    String why = Backends.probeCuda();
    assertEquals(1, why.lines().count(), why);
    // this machine has no GPU driver: the runtime says so (error 35 or 100), or the library was
    // built without nvcc and the stub says that; never a crash
    assertTrue(why.startsWith("CUDA runtime: ") || why.contains("without a CUDA compiler")
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

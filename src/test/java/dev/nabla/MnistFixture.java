package dev.nabla;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.data.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Real MNIST for the tests. Missing files are fetched with scripts/fetch-mnist.sh rather than
 * skipped: the tests that use it are the proof that real data loads and trains.
 */
public final class MnistFixture {
  private static Dataset cached;

  private MnistFixture() {}

  public static Path projectDir() {
    return Path.of(System.getProperty("nabla.projectDir", System.getProperty("user.dir")));
  }

  /** Makes sure the four files are in Dataset.defaultMnistDir(), fetching them if not. */
  public static void ensureFetched() throws Exception {
    Path dir = Dataset.defaultMnistDir();
    if (Files.isRegularFile(dir.resolve("t10k-labels-idx1-ubyte"))
        || Files.isRegularFile(dir.resolve("t10k-labels-idx1-ubyte.gz"))) {
      return;
    }
    Process p = new ProcessBuilder("bash",
        projectDir().resolve("scripts/fetch-mnist.sh").toString(), dir.toString())
        .inheritIO().start();
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "scripts/fetch-mnist.sh timed out");
    assertEquals(0, p.exitValue(), "scripts/fetch-mnist.sh " + dir + " failed");
  }

  public static synchronized Dataset mnist() throws Exception {
    if (cached == null) {
      ensureFetched();
      cached = Dataset.load("mnist", null);
    }
    return cached;
  }
}

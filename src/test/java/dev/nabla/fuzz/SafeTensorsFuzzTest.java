package dev.nabla.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jazzer fuzz test of {@link dev.nabla.io.SafeTensors#read(Path)}: any bytes must either read as
 * tensors that match their shapes or fail with an IOException (ModelFileException). Seeds:
 * src/test/resources/dev/nabla/fuzz/SafeTensorsFuzzTestInputs/read/.
 */
class SafeTensorsFuzzTest {
  @TempDir
  static Path tmp;

  @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  @FuzzTest(maxDuration = "5m")
  void read(byte[] input) throws Throwable {
    FuzzIo.withFile(tmp, input, Targets::safeTensors);
  }
}

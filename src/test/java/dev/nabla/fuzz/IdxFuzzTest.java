package dev.nabla.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jazzer fuzz test of {@link dev.nabla.data.Idx#read(Path)}: any bytes, raw or gzip, must either
 * read as a consistent array or fail with an IOException. By default (regression mode) it replays
 * the seeds in src/test/resources/dev/nabla/fuzz/IdxFuzzTestInputs/read/; with JAZZER_FUZZ=1 it
 * fuzzes (see scripts/fuzz.sh).
 */
class IdxFuzzTest {
  @TempDir
  static Path tmp;

  @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  @FuzzTest(maxDuration = "5m")
  void read(byte[] input) throws Throwable {
    FuzzIo.withFile(tmp, input, Targets::idx);
  }
}

package dev.nabla.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jazzer fuzz tests of {@link dev.nabla.nn.Sequential#load(Path)}: a model file must either load
 * (and close) or fail with an IOException (ModelFileException).
 *
 * <ul>
 *   <li>{@code load}: the whole file is the fuzzer's bytes (seeds: real model files, damaged ones).
 *   <li>{@code loadModelDescription}: the fuzzer writes only the model description (the
 *       "nabla.model" JSON in the metadata) and the harness wraps it in a well-formed file whose
 *       tensors and checksum are those of a real model, so the fuzzer spends its time on the
 *       architecture / compile / optimizer-state parsing instead of on the safetensors framing.
 *       Input: one byte choosing the base model (of the model_* seeds of {@code load}), then
 *       the JSON text.
 * </ul>
 */
class SequentialLoadFuzzTest {
  @TempDir
  static Path tmp;

  private static List<FuzzIo.SafeTensorsFile> bases;

  @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  @FuzzTest(maxDuration = "5m")
  void load(byte[] input) throws Throwable {
    FuzzIo.withFile(tmp, input, Targets::sequential);
  }

  @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  @FuzzTest(maxDuration = "5m")
  void loadModelDescription(byte[] input) throws Throwable {
    if (input.length == 0) {
      return;
    }
    List<FuzzIo.SafeTensorsFile> b = bases();
    FuzzIo.SafeTensorsFile base = b.get((input[0] & 0xFF) % b.size());
    String json = new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
    FuzzIo.withFile(tmp, base.withModelJson(json).encode(), Targets::sequential);
  }

  /** The real model files among the seeds of {@code load} (model_*.safetensors), parsed once. */
  static synchronized List<FuzzIo.SafeTensorsFile> bases() {
    if (bases == null) {
      bases = Generators.parseAll(FuzzIo.baseSeeds(SequentialLoadFuzzTest.class, "load",
          n -> n.startsWith("model_")));
      if (bases.isEmpty()) {
        throw new IllegalStateException("no model_* seeds in SequentialLoadFuzzTestInputs/load");
      }
    }
    return bases;
  }
}

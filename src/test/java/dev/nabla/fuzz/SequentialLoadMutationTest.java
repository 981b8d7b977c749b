package dev.nabla.fuzz;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded deterministic mutation run of {@link dev.nabla.nn.Sequential#load(Path)} from the seeds
 * of {@link SequentialLoadFuzzTest}: byte edits of whole files, the model description edited as a
 * JSON tree (class names, shapes, units, optimizer and schedule configs, metrics, step counts,
 * type confusion, nesting bombs) or as text, and tensor entries edited.
 */
class SequentialLoadMutationTest {
  static final int INPUTS = 3000;

  @Test
  void loadFailsOnlyWithIOException(@TempDir Path tmp) {
    List<byte[]> seeds = FuzzIo.baseSeeds(SequentialLoadFuzzTest.class, "load", n -> true);
    List<FuzzIo.SafeTensorsFile> models = SequentialLoadFuzzTest.bases();
    MutationLoop.run("SequentialLoadMutationTest", tmp, INPUTS, 0x5E0_0001L, Duration.ofSeconds(20),
        (m, i) -> Generators.model(m, seeds, models), Targets::sequential);
  }
}

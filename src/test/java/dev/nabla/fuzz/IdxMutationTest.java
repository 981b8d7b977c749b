package dev.nabla.fuzz;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded deterministic mutation run of {@link dev.nabla.data.Idx#read(Path)} from the seeds of
 * {@link IdxFuzzTest}: byte edits, fresh headers with matching or mismatched data, damaged gzip
 * streams. Only IOException may come out; nothing may hang (wall-clock guard).
 */
class IdxMutationTest {
  static final int INPUTS = 3000;

  @Test
  void readFailsOnlyWithIOException(@TempDir Path tmp) {
    List<byte[]> seeds = FuzzIo.baseSeeds(IdxFuzzTest.class, "read", n -> true);
    List<byte[]> raws = Generators.rawIdx(seeds);
    MutationLoop.run("IdxMutationTest", tmp, INPUTS, 0x1D8_0001L, Duration.ofSeconds(20),
        (m, i) -> Generators.idx(m, seeds, raws), Targets::idx);
  }
}

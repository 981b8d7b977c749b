package dev.nabla.fuzz;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded deterministic mutation run of {@link dev.nabla.io.SafeTensors#read(Path)} from the
 * seeds of {@link SafeTensorsFuzzTest}: byte edits, header lengths set to huge or off-by-some
 * values, tensor entries with overflowing shapes, bad offsets and dtypes, JSON nesting bombs,
 * thousands of tensors, resized data (checksum usually fixed up so later checks are reached).
 */
class SafeTensorsMutationTest {
  static final int INPUTS = 3000;

  @Test
  void readFailsOnlyWithIOException(@TempDir Path tmp) {
    List<byte[]> seeds = FuzzIo.baseSeeds(SafeTensorsFuzzTest.class, "read", n -> true);
    List<FuzzIo.SafeTensorsFile> parsed = Generators.parseAll(seeds);
    MutationLoop.run("SafeTensorsMutationTest", tmp, INPUTS, 0x5AFE_0001L, Duration.ofSeconds(20),
        (m, i) -> Generators.safeTensors(m, seeds, parsed), Targets::safeTensors);
  }
}

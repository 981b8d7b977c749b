package dev.nabla.fuzz;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

/**
 * A bounded, deterministic mutation run for when the Jazzer agent is not fuzzing (the default
 * suite): {@code count} inputs from a fixed seed, each written to a temp file and read, under a
 * wall-clock guard. Undocumented throwables are collected (one per exception type and throw site),
 * their inputs saved under target/fuzz-findings/, and reported together at the end.
 */
final class MutationLoop {
  private MutationLoop() {}

  /** One generated input and how it was made. */
  record Case(String description, byte[] bytes) {}

  private record Finding(Case input, Throwable error, Path saved) {}

  static void run(String name, Path tmp, int count, long seed, Duration guard,
      BiFunction<Mutator, Integer, Case> generator, FuzzIo.Reader target) {
    Map<String, Finding> findings = new LinkedHashMap<>();
    Case[] current = new Case[1];
    int[] counts = new int[3]; // accepted, rejected (documented), undocumented
    long start = System.nanoTime();
    assertTimeoutPreemptively(guard, () -> {
      Mutator m = new Mutator(new SplittableRandom(seed));
      for (int i = 0; i < count; i++) {
        Case c = generator.apply(m, i);
        current[0] = c;
        try {
          counts[FuzzIo.withFile(tmp, c.bytes(), target) ? 0 : 1]++;
        } catch (Throwable t) {
          counts[2]++;
          findings.computeIfAbsent(key(t), k -> new Finding(c, t, save(name, c, t)));
        }
      }
      current[0] = null;
    }, () -> name + ": still running after " + guard.toSeconds() + " s (" + (counts[0] + counts[1]
        + counts[2]) + " of " + count + " inputs done): a hang? input in progress: "
        + (current[0] == null ? "none" : current[0].description() + ", saved as "
        + save(name, current[0], null)));
    System.out.printf("%s: %d inputs in %.1f s: %d accepted, %d rejected with the documented "
        + "IOException, %d undocumented failures (%d distinct)%n", name, count,
        (System.nanoTime() - start) / 1e9, counts[0], counts[1], counts[2], findings.size());
    if (!findings.isEmpty()) {
      StringBuilder msg = new StringBuilder(name + ": " + findings.size()
          + " distinct undocumented failure(s) (only IOException is documented):");
      findings.forEach((k, f) -> msg.append("\n\n* ").append(f.error()).append("\n  input: ")
          .append(f.input().description()).append(" (").append(f.input().bytes().length)
          .append(" bytes, saved as ").append(f.saved()).append(")\n").append(trace(f.error())));
      fail(msg.toString(), findings.values().iterator().next().error());
    }
  }

  /** Exception type plus the first frame in Nabla's main code (else the top frame). */
  static String key(Throwable t) {
    StackTraceElement site = null;
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getClassName().startsWith("dev.nabla.") && !e.getClassName().startsWith("dev.nabla.fuzz.")) {
        site = e;
        break;
      }
    }
    if (site == null && t.getStackTrace().length > 0) {
      site = t.getStackTrace()[0];
    }
    return t.getClass().getName() + " at " + site;
  }

  private static String trace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    String[] lines = w.toString().split("\n");
    StringBuilder s = new StringBuilder();
    for (int i = 1; i < Math.min(lines.length, 9); i++) {
      s.append("  ").append(lines[i].trim()).append('\n');
    }
    return s.toString();
  }

  /** Saves a finding's input to target/fuzz-findings/NAME/ (best effort; null if it cannot). */
  private static Path save(String name, Case c, Throwable t) {
    try {
      Path dir = Path.of(System.getProperty("nabla.projectDir", "."), "target", "fuzz-findings", name);
      Files.createDirectories(dir);
      String id = (t == null ? "hang" : t.getClass().getSimpleName()) + "-"
          + FuzzIo.sha256(c.bytes()).substring(0, 12);
      Path f = dir.resolve(id + ".bin");
      Files.write(f, c.bytes());
      Files.writeString(dir.resolve(id + ".txt"), c.description() + "\n"
          + (t == null ? "" : t + "\n"));
      return f;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}

package dev.nabla.graph;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-op wall time of every graph pass, for finding where a training step goes: enabled by the
 * system property {@code nabla.profile=true} (off by default, when it costs one static final
 * check per op). Each op's forward and backward are timed with {@link System#nanoTime} and
 * summed per op class, direction and shape; the table is printed to stderr when the JVM exits.
 * A benchmark tool, not a metric: timing each op adds ~50 ns to it.
 *
 * <p>Thread-safe (concurrent adders).
 */
final class OpProfile {
  static final boolean ENABLED = Boolean.getBoolean("nabla.profile");
  private static final Map<String, LongAdder[]> TOTALS = new ConcurrentHashMap<>();

  static {
    if (ENABLED) {
      Runtime.getRuntime().addShutdownHook(new Thread(OpProfile::print, "nabla-profile"));
    }
  }

  private OpProfile() {}

  static void add(Node n, boolean backward, long nanos) {
    String key = n.getClass().getSimpleName() + (backward ? " backward " : " forward ")
        + Arrays.toString(n.shape);
    LongAdder[] t = TOTALS.computeIfAbsent(key, k -> new LongAdder[] {new LongAdder(),
        new LongAdder()});
    t[0].add(nanos);
    t[1].increment();
  }

  private static void print() {
    long all = TOTALS.values().stream().mapToLong(t -> t[0].sum()).sum();
    System.err.printf(Locale.ROOT, "nabla profile: %.3f s in graph ops%n", all / 1e9);
    System.err.printf(Locale.ROOT, "%10s %8s %9s  %s%n", "total ms", "calls", "us/call", "op");
    TOTALS.entrySet().stream()
        .sorted(Comparator.comparingLong(e -> -e.getValue()[0].sum()))
        .forEach(e -> {
          long ns = e.getValue()[0].sum(), calls = e.getValue()[1].sum();
          System.err.printf(Locale.ROOT, "%10.1f %8d %9.2f  %s%n", ns / 1e6, calls,
              ns / 1e3 / Math.max(1, calls), e.getKey());
        });
  }
}

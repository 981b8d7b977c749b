package dev.nabla.nn;

import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Flatten;
import java.nio.FloatBuffer;
import java.nio.file.Path;

/**
 * The child process of {@link CrashSafetyTest}: builds a model whose file is about 160 MB and saves
 * it to one path over and over, forever, alternating between two known weight versions, printing
 * "saved N A|B MILLIS" after each completed save. The test kills it with SIGKILL at varied moments.
 *
 * <pre>  java -cp ... dev.nabla.nn.SaveChild TARGET [MAX_SAVES]</pre>
 *
 * <p>Save N writes version B when N is odd and A when it is even, so the sequence on disk is
 * (whatever was there), B, A, B, A, ... Building the model needs no native code.
 */
public final class SaveChild {
  private SaveChild() {}

  /**
   * Input width and units: Flatten(1000) -> Dense(40000): 40,040,000 parameters, a 160 MB file;
   * one save takes about 0.25-0.5 s on a 2-core machine with an SSD.
   */
  static final int IN = 1000;
  static final int UNITS = 40_000;

  /** The architecture the test and the child share. */
  static Sequential model() {
    Sequential m = new Sequential(new Flatten(IN), new Dense(UNITS));
    m.setSeed(7);
    m.flatParameters(); // builds it (the first layer declares its input shape)
    return m;
  }

  /**
   * Element i of weight version {@code version} ('A' or 'B'): two patterns that differ at every
   * index and vary along the buffer, so a file mixing the two, shifted or partly zero is caught.
   */
  static float value(char version, int i) {
    return version == 'A' ? 1f + (i % 251) : -1f - (i % 241);
  }

  /** The version save number {@code n} (1-based) writes. */
  static char versionOfSave(long n) {
    return n % 2 == 1 ? 'B' : 'A';
  }

  /** Sets every parameter of {@code m} to weight version {@code version}. */
  static void fill(Sequential m, char version) {
    FloatBuffer b = m.flatParameters().buffer();
    int n = b.capacity();
    for (int i = 0; i < n; i++) {
      b.put(i, value(version, i));
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: SaveChild TARGET [MAX_SAVES]");
      System.exit(2);
    }
    Path target = Path.of(args[0]);
    long max = args.length > 1 ? Long.parseLong(args[1]) : Long.MAX_VALUE;
    try (Sequential m = model()) {
      System.out.println("ready " + m.countParams());
      System.out.flush();
      for (long n = 1; n <= max; n++) {
        char v = versionOfSave(n);
        fill(m, v);
        long t0 = System.nanoTime();
        m.save(target);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("saved " + n + " " + v + " " + ms);
        System.out.flush();
      }
    }
  }
}

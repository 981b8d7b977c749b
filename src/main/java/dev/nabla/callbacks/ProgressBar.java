package dev.nabla.callbacks;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Keras's progress bar: {@code 1875/1875 [====...] - 3s 2ms/step - loss: 0.2954 - accuracy: 0.91}.
 * On a terminal it redraws in place (at most every 50 ms, as Keras does); otherwise it prints one
 * line when the epoch ends. verbose 2 prints the line without the bar.
 *
 * <p>Not thread-safe: one bar, drawn by one thread.
 */
public final class ProgressBar {
  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 50_000_000L;

  private final PrintStream out;
  private final int total;
  private final int verbose;
  private final boolean dynamic;
  private final long start = System.nanoTime();
  private long lastDraw;
  private int lastLength;

  public ProgressBar(PrintStream out, int total, int verbose, boolean dynamic) {
    this.out = out;
    this.total = total;
    this.verbose = verbose;
    this.dynamic = dynamic;
  }

  /** Whether this JVM writes to a terminal (then the bar redraws in place). */
  public static boolean isTerminal() {
    return System.console() != null;
  }

  /** Progress after {@code done} steps; redraws on a terminal when enough time has passed. */
  public void update(int done, Map<String, Float> logs) {
    if (verbose != 1 || !dynamic) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastDraw < REDRAW_NANOS && done < total) {
      return;
    }
    lastDraw = now;
    double elapsed = (now - start) / 1e9;
    double eta = done == 0 ? 0 : elapsed / done * (total - done);
    String line = counter(done) + " " + bar(done) + " - ETA: " + seconds(eta) + format(logs);
    draw(line, false);
  }

  /** The epoch's final line. */
  public void finish(Map<String, Float> logs) {
    if (verbose == 0) {
      return;
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    String timing = seconds(elapsed) + " " + perStep(elapsed / Math.max(total, 1));
    String line = verbose == 1
        ? counter(total) + " " + bar(total) + " - " + timing + format(logs)
        : counter(total) + " - " + timing + format(logs);
    draw(line, true);
  }

  private void draw(String line, boolean last) {
    if (dynamic && verbose == 1) {
      StringBuilder sb = new StringBuilder("\r").append(line);
      for (int i = line.length(); i < lastLength; i++) {
        sb.append(' ');
      }
      lastLength = line.length();
      out.print(sb);
      if (last) {
        out.println();
      }
    } else {
      out.println(line);
    }
    out.flush();
  }

  private String counter(int done) {
    String t = Integer.toString(total);
    return String.format(Locale.ROOT, "%" + t.length() + "d/%s", done, t);
  }

  static String bar(int done, int total) {
    int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < WIDTH; i++) {
      if (i < filled - 1 || (i == filled - 1 && done >= total)) {
        sb.append('=');
      } else if (i == filled - 1 || (filled == 0 && i == 0 && done > 0)) {
        sb.append('>');
      } else {
        sb.append('.');
      }
    }
    return sb.append(']').toString();
  }

  private String bar(int done) {
    return bar(done, total);
  }

  static String seconds(double s) {
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%d:%02d:%02d", (long) s / 3600, (long) s / 60 % 60,
          (long) s % 60);
    }
    if (s >= 60) {
      return String.format(Locale.ROOT, "%d:%02d", (long) s / 60, (long) s % 60);
    }
    return String.format(Locale.ROOT, "%.0fs", s);
  }

  static String perStep(double s) {
    if (s >= 1) {
      return String.format(Locale.ROOT, "%.0fs/step", s);
    }
    if (s >= 1e-3) {
      return String.format(Locale.ROOT, "%.0fms/step", s * 1e3);
    }
    return String.format(Locale.ROOT, "%.0fus/step", s * 1e6);
  }

  static String format(Map<String, Float> logs) {
    StringBuilder sb = new StringBuilder();
    logs.forEach((k, v) -> sb.append(" - ").append(k).append(": ")
        .append(String.format(Locale.ROOT, Math.abs(v) >= 1e-3 || v == 0 ? "%.4f" : "%.4e", v)));
    return sb.toString();
  }
}

package dev.nabla.callbacks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Keras's CSVLogger: one row per epoch, "epoch" then the log keys in sorted order.
 *
 * <p>Not thread-safe: it serves one fit at a time, called on that fit's thread.
 */
public final class CSVLogger implements Callback {
  private final Path file;
  private final String separator;
  private final boolean append;
  private List<String> keys;
  private Writer out;

  public CSVLogger(String filename) {
    this(filename, ",", false);
  }

  public CSVLogger(String filename, String separator, boolean append) {
    this.file = Path.of(filename);
    this.separator = separator;
    this.append = append;
  }

  @Override
  public void onTrainBegin() {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      boolean hasHeader = append && Files.exists(file) && Files.size(file) > 0;
      out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
      keys = hasHeader ? List.of() : null;
    } catch (IOException e) {
      throw new UncheckedIOException("CSVLogger cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Float> logs) {
    try {
      if (keys == null || keys.isEmpty()) {
        List<String> sorted = new ArrayList<>(logs.keySet());
        Collections.sort(sorted);
        if (keys == null) {
          out.write("epoch" + separator + String.join(separator, sorted) + "\n");
        }
        keys = sorted;
      }
      StringBuilder row = new StringBuilder().append(epoch);
      for (String k : keys) {
        Float v = logs.get(k);
        row.append(separator).append(v == null ? "NA" : v.toString());
      }
      out.write(row.append('\n').toString());
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("CSVLogger cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void onTrainEnd(Map<String, Float> logs) {
    try {
      if (out != null) {
        out.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

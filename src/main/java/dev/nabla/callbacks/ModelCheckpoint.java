package dev.nabla.callbacks;

import dev.nabla.nn.Sequential;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keras's ModelCheckpoint: saves the model (or weights only) after each epoch, or only when
 * {@code monitor} improved ({@code save_best_only}). The path may hold Keras-style fields:
 * {@code {epoch}}, {@code {epoch:02d}}, or a log key such as {@code {val_loss:.4f}}. Each save is
 * atomic, so the previous checkpoint survives a crash mid-write.
 *
 * <p>Not thread-safe: it serves one fit at a time, called on that fit's thread.
 */
public final class ModelCheckpoint implements Callback {
  private static final Pattern FIELD = Pattern.compile("\\{(\\w+)(?::([^}]*))?}");
  private final String filepath;
  private final Monitor monitor;
  private final boolean saveBestOnly, saveWeightsOnly;
  private Sequential model;
  private double best;

  /** Saves the whole model after every epoch. */
  public ModelCheckpoint(String filepath) {
    this(filepath, "val_loss", false, false, "auto");
  }

  public ModelCheckpoint(String filepath, String monitor, boolean saveBestOnly,
      boolean saveWeightsOnly, String mode) {
    this.filepath = filepath;
    this.monitor = new Monitor(monitor, mode);
    this.saveBestOnly = saveBestOnly;
    this.saveWeightsOnly = saveWeightsOnly;
  }

  @Override
  public void setModel(Sequential model) {
    this.model = model;
  }

  @Override
  public void onTrainBegin() {
    best = monitor.initial();
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Float> logs) {
    if (saveBestOnly) {
      Float current = monitor.read(logs, "ModelCheckpoint");
      if (current == null || !monitor.improves(current, best, 0)) {
        return;
      }
      best = current;
    }
    Path path = Path.of(format(filepath, epoch + 1, logs));
    try {
      if (saveWeightsOnly) {
        model.saveWeights(path);
      } else {
        model.save(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("ModelCheckpoint could not write " + path + ": "
          + e.getMessage(), e);
    }
  }

  /** Fills {epoch} (counted from 1, as Keras prints it) and log keys into the path. */
  static String format(String pattern, int epoch, Map<String, Float> logs) {
    Matcher m = FIELD.matcher(pattern);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String key = m.group(1), spec = m.group(2);
      Object value;
      if (key.equals("epoch")) {
        value = epoch;
      } else if (logs.containsKey(key)) {
        value = logs.get(key);
      } else {
        throw new IllegalArgumentException("ModelCheckpoint path field '{" + key + "}' is neither "
            + "epoch nor a log key " + logs.keySet());
      }
      String text = spec == null ? value.toString()
          : String.format(Locale.ROOT, "%" + spec, value instanceof Integer && spec.endsWith("f")
              ? ((Integer) value).doubleValue() : value);
      m.appendReplacement(sb, Matcher.quoteReplacement(text));
    }
    m.appendTail(sb);
    return sb.toString();
  }
}

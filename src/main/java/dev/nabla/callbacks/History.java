package dev.nabla.callbacks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What fit returns: per-epoch loss and metrics (and val_ ones), plus each epoch's seconds.
 *
 * <p>Not thread-safe: it serves one fit at a time, called on that fit's thread; read it after fit
 * returns.
 */
public final class History implements Callback {
  private final Map<String, List<Float>> history = new LinkedHashMap<>();
  private final List<Double> epochSeconds = new ArrayList<>();
  private final List<Integer> epochs = new ArrayList<>();
  private long epochStart;

  @Override
  public void onEpochBegin(int epoch) {
    epochStart = System.nanoTime();
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Float> logs) {
    epochSeconds.add((System.nanoTime() - epochStart) / 1e9);
    epochs.add(epoch);
    logs.forEach((k, v) -> history.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
  }

  /** Keras's history.history: metric name -> one value per epoch. */
  public Map<String, List<Float>> history() {
    return Collections.unmodifiableMap(history);
  }

  public List<Float> get(String key) {
    List<Float> v = history.get(key);
    if (v == null) {
      throw new IllegalArgumentException("no '" + key + "' in history; have " + history.keySet());
    }
    return Collections.unmodifiableList(v);
  }

  /** Wall-clock seconds of each epoch (training and validation). */
  public List<Double> epochSeconds() {
    return Collections.unmodifiableList(epochSeconds);
  }

  public List<Integer> epochs() {
    return Collections.unmodifiableList(epochs);
  }

  @Override
  public String toString() {
    return history.toString();
  }
}

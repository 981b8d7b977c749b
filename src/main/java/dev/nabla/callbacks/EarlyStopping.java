package dev.nabla.callbacks;

import dev.nabla.nn.Sequential;
import java.util.Map;

/**
 * Keras's EarlyStopping: stop when {@code monitor} has not improved by more than min_delta for
 * {@code patience} epochs; optionally restore the best epoch's weights.
 *
 * <p>Not thread-safe: it serves one fit at a time, called on that fit's thread.
 */
public final class EarlyStopping implements Callback {
  private final Monitor monitor;
  private final double minDelta;
  private final int patience;
  private final boolean restoreBestWeights;
  private final int startFromEpoch;
  private Sequential model;
  private double best;
  private int wait;
  private int stoppedEpoch = -1;
  private int bestEpoch;
  private float[] bestWeights;

  /** Keras's defaults: monitor "val_loss", min_delta 0, patience 0, mode "auto". */
  public EarlyStopping() {
    this("val_loss", 0, 0, "auto", false, 0);
  }

  public EarlyStopping(String monitor, double minDelta, int patience, String mode,
      boolean restoreBestWeights, int startFromEpoch) {
    if (patience < 0 || startFromEpoch < 0) {
      throw new IllegalArgumentException("EarlyStopping: patience and start_from_epoch must be "
          + ">= 0");
    }
    this.monitor = new Monitor(monitor, mode);
    this.minDelta = Math.abs(minDelta);
    this.patience = patience;
    this.restoreBestWeights = restoreBestWeights;
    this.startFromEpoch = startFromEpoch;
  }

  @Override
  public void setModel(Sequential model) {
    this.model = model;
  }

  @Override
  public void onTrainBegin() {
    wait = 0;
    stoppedEpoch = -1;
    best = monitor.initial();
    bestWeights = null;
    bestEpoch = 0;
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Float> logs) {
    Float current = monitor.read(logs, "EarlyStopping");
    if (current == null || epoch < startFromEpoch) {
      return;
    }
    if (restoreBestWeights && bestWeights == null) {
      bestWeights = model.flatParameters().toFloatArray();
    }
    wait++;
    if (monitor.improves(current, best, minDelta)) {
      best = current;
      bestEpoch = epoch;
      if (restoreBestWeights) {
        bestWeights = model.flatParameters().toFloatArray();
      }
      wait = 0;
      return;
    }
    if (wait >= patience && epoch > 0) {
      stoppedEpoch = epoch;
      model.stopTraining();
      if (restoreBestWeights && bestWeights != null) {
        model.flatParameters().copyFrom(bestWeights);
      }
    }
  }

  /** The epoch (from 0) training stopped at, or -1. */
  public int stoppedEpoch() {
    return stoppedEpoch;
  }

  public int bestEpoch() {
    return bestEpoch;
  }
}

package dev.nabla.callbacks;

import dev.nabla.nn.Sequential;
import java.util.Map;

/**
 * Keras's {@code keras.callbacks.EarlyStopping}: stops training when {@code monitor} has not
 * improved by more than {@code min_delta} for {@code patience} epochs, optionally restoring the
 * weights of the best epoch when training ends.
 *
 * <p>Keras's rules, step by step, at each epoch end from {@code start_from_epoch} on (epochs with
 * no monitored value in the logs are skipped):
 *
 * <ul>
 *   <li>the wait counter goes up by one;
 *   <li>the first monitored epoch is always the best so far; a later one is an improvement when
 *       it beats the best by more than min_delta. An improvement becomes the best (and, with
 *       restore_best_weights, its weights are kept); the wait counter restarts only when it also
 *       beats {@code baseline} (if one is set) by more than min_delta;
 *   <li>an epoch that is no improvement stops training when the wait counter has reached
 *       patience (never at epoch 0).
 * </ul>
 *
 * <p>So with a baseline that no epoch beats, training stops after {@code patience} epochs of
 * non-improvement counting from the first. With restore_best_weights the best epoch's weights
 * are written back at the end of training, however it ended (this callback, another callback,
 * or the last epoch), as Keras's on_train_end does; an epoch is restored whether or not it beat
 * the baseline. With verbose 1 it prints Keras's "Epoch N: early stopping" and "Restoring model
 * weights from the end of the best epoch: N." (epochs from 1) on the model's output.
 *
 * <p>Not thread-safe: it serves one fit at a time, called on that fit's thread.
 */
public final class EarlyStopping implements Callback {
  private final Monitor monitor;
  private final double minDelta;
  private final int patience;
  private final int verbose;
  private final Double baseline;
  private final boolean restoreBestWeights;
  private final int startFromEpoch;
  private Sequential model;
  private Double best; // null until the first monitored epoch, as Keras's None
  private int wait;
  private int stoppedEpoch = -1;
  private int bestEpoch;
  private float[] bestWeights;

  /** Keras's defaults: monitor "val_loss", min_delta 0, patience 0, mode "auto", no baseline. */
  public EarlyStopping() {
    this("val_loss", 0, 0, 0, "auto", null, false, 0);
  }

  /**
   * Keras's arguments without verbose (0) and baseline (none).
   *
   * @see #EarlyStopping(String, double, int, int, String, Double, boolean, int)
   */
  public EarlyStopping(String monitor, double minDelta, int patience, String mode,
      boolean restoreBestWeights, int startFromEpoch) {
    this(monitor, minDelta, patience, 0, mode, null, restoreBestWeights, startFromEpoch);
  }

  /**
   * Keras's {@code EarlyStopping(monitor, min_delta, patience, verbose, mode, baseline,
   * restore_best_weights, start_from_epoch)}, in Keras's order.
   *
   * @param monitor the log key to watch, e.g. "val_loss" (Keras's default) or "accuracy"
   * @param minDelta the change that counts as an improvement (its absolute value is used)
   * @param patience epochs without improvement before stopping, {@code >= 0}
   * @param verbose 0 silent, 1 prints when it stops and when it restores weights
   * @param mode "min", "max" or "auto" (max for names with "acc" or "auc", else min)
   * @param baseline a value the monitored quantity must beat within patience epochs, or null
   * @param restoreBestWeights whether training ends with the best epoch's weights
   * @param startFromEpoch epochs (from 0) not monitored at all, a warm-up, {@code >= 0}
   * @throws IllegalArgumentException for a negative patience or start_from_epoch, a negative
   *     verbose, a NaN min_delta or baseline, or an unknown mode
   */
  public EarlyStopping(String monitor, double minDelta, int patience, int verbose, String mode,
      Double baseline, boolean restoreBestWeights, int startFromEpoch) {
    if (patience < 0 || startFromEpoch < 0) {
      throw new IllegalArgumentException("EarlyStopping: patience and start_from_epoch must be "
          + ">= 0, got patience=" + patience + ", start_from_epoch=" + startFromEpoch);
    }
    if (verbose < 0) {
      throw new IllegalArgumentException("EarlyStopping: verbose must be 0 (silent) or 1, got "
          + verbose);
    }
    if (Double.isNaN(minDelta) || baseline != null && baseline.isNaN()) {
      throw new IllegalArgumentException("EarlyStopping: min_delta and baseline must be numbers, "
          + "got min_delta=" + minDelta + ", baseline=" + baseline + " (use null for no baseline)");
    }
    this.monitor = new Monitor(monitor, mode);
    this.minDelta = Math.abs(minDelta);
    this.patience = patience;
    this.verbose = verbose;
    this.baseline = baseline;
    this.restoreBestWeights = restoreBestWeights;
    this.startFromEpoch = startFromEpoch;
  }

  @Override
  public void setModel(Sequential model) {
    this.model = model;
  }

  @Override
  public void onTrainBegin() {
    // reusable across fit calls, as in Keras
    wait = 0;
    stoppedEpoch = -1;
    best = null;
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
      // never set: the current weights are the best so far (Keras does the same)
      bestWeights = model.flatParameters().toFloatArray();
      bestEpoch = epoch;
    }
    wait++;
    if (best == null || monitor.improves(current, best, minDelta)) {
      best = (double) current;
      bestEpoch = epoch;
      if (restoreBestWeights) {
        bestWeights = model.flatParameters().toFloatArray();
      }
      // the wait restarts only when the value beats the baseline as well as the best so far
      if (baseline == null || monitor.improves(current, baseline, minDelta)) {
        wait = 0;
      }
      return;
    }
    if (wait >= patience && epoch > 0) {
      stoppedEpoch = epoch;
      model.stopTraining();
    }
  }

  @Override
  public void onTrainEnd(Map<String, Float> logs) {
    if (stoppedEpoch > 0 && verbose > 0) {
      model.output().println("Epoch " + (stoppedEpoch + 1) + ": early stopping");
    }
    if (restoreBestWeights && bestWeights != null) {
      if (verbose > 0) {
        model.output().println("Restoring model weights from the end of the best epoch: "
            + (bestEpoch + 1) + ".");
      }
      model.flatParameters().copyFrom(bestWeights);
    }
    if (verbose > 0) {
      model.output().flush();
    }
  }

  /** The epoch (from 0) at which this callback stopped training, or -1. */
  public int stoppedEpoch() {
    return stoppedEpoch;
  }

  /** The epoch (from 0) with the best monitored value so far. */
  public int bestEpoch() {
    return bestEpoch;
  }

  /** Epochs since the last improvement that also beat the baseline (Keras's wait). */
  public int waitCount() {
    return wait;
  }
}

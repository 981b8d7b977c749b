package dev.nabla.callbacks;

import dev.nabla.nn.Sequential;
import java.util.Map;

/**
 * Keras's ReduceLROnPlateau: when {@code monitor} has not improved by min_delta for
 * {@code patience} epochs, multiply the learning rate by {@code factor} (not below min_lr), then
 * wait {@code cooldown} epochs. Adds "learning_rate" to the epoch logs.
 *
 * <p>Not thread-safe: it serves one fit at a time, called on that fit's thread.
 */
public final class ReduceLROnPlateau implements Callback {
  private final Monitor monitor;
  private final float factor, minLr;
  private final int patience, cooldown;
  private final double minDelta;
  private Sequential model;
  private double best;
  private int wait, cooldownCounter;

  /** Keras's defaults: val_loss, factor 0.1, patience 10, min_delta 1e-4, cooldown 0, min_lr 0. */
  public ReduceLROnPlateau() {
    this("val_loss", 0.1, 10, "auto", 1e-4, 0, 0.0);
  }

  public ReduceLROnPlateau(String monitor, double factor, int patience, String mode,
      double minDelta, int cooldown, double minLr) {
    if (!(factor < 1.0) || factor < 0) {
      throw new IllegalArgumentException("ReduceLROnPlateau does not support a factor >= 1.0 (got "
          + factor + ")");
    }
    this.monitor = new Monitor(monitor, mode);
    this.factor = (float) factor;
    this.patience = patience;
    this.minDelta = minDelta;
    this.cooldown = cooldown;
    this.minLr = (float) minLr;
  }

  @Override
  public void setModel(Sequential model) {
    this.model = model;
  }

  @Override
  public void onTrainBegin() {
    best = monitor.initial();
    wait = 0;
    cooldownCounter = 0;
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Float> logs) {
    float lr = model.optimizer().learningRate();
    logs.put("learning_rate", lr);
    Float current = monitor.read(logs, "ReduceLROnPlateau");
    if (current == null) {
      return;
    }
    if (cooldownCounter > 0) {
      cooldownCounter--;
      wait = 0;
    }
    if (monitor.improves(current, best, minDelta)) {
      best = current;
      wait = 0;
    } else if (cooldownCounter == 0) {
      wait++;
      if (wait >= patience && lr > minLr) {
        model.optimizer().setLearningRate(Math.max(lr * factor, minLr));
        cooldownCounter = cooldown;
        wait = 0;
      }
    }
  }
}

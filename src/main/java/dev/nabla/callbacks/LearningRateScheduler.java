package dev.nabla.callbacks;

import dev.nabla.nn.Sequential;
import java.util.Map;

/**
 * Keras's LearningRateScheduler: at each epoch's start, learning rate = schedule(epoch, current
 * rate). Adds "learning_rate" to the epoch logs.
 *
 * <p>Not thread-safe: it serves one fit at a time, called on that fit's thread.
 */
public final class LearningRateScheduler implements Callback {
  /** The schedule: (epoch from 0, current learning rate) -> new learning rate. */
  @FunctionalInterface
  public interface Schedule {
    double apply(int epoch, double lr);
  }

  private final Schedule schedule;
  private Sequential model;

  public LearningRateScheduler(Schedule schedule) {
    this.schedule = schedule;
  }

  @Override
  public void setModel(Sequential model) {
    this.model = model;
  }

  @Override
  public void onEpochBegin(int epoch) {
    double lr = schedule.apply(epoch, model.optimizer().learningRate());
    if (!Double.isFinite(lr)) {
      throw new IllegalArgumentException("LearningRateScheduler: the schedule returned " + lr
          + " at epoch " + epoch + "; it must return a finite number");
    }
    model.optimizer().setLearningRate((float) lr);
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Float> logs) {
    logs.put("learning_rate", model.optimizer().learningRate());
  }
}

package dev.nabla.callbacks;

import dev.nabla.nn.Sequential;
import java.util.Map;

/**
 * Keras's {@code keras.callbacks.TerminateOnNaN}: when a batch ends with a NaN or infinite loss
 * (the running mean Keras logs, so every later batch would be too), prints Keras's line
 * "Batch N: Invalid loss, terminating training" on the model's output and stops training: fit
 * ends after that batch (the epoch's on_epoch_end and on_train_end still run, as in Keras's
 * graceful stop).
 *
 * <p>Not thread-safe: it serves one fit at a time, called on that fit's thread.
 */
public final class TerminateOnNaN implements Callback {
  private Sequential model;
  private int stoppedAtBatch = -1;

  @Override
  public void setModel(Sequential model) {
    this.model = model;
  }

  @Override
  public void onTrainBegin() {
    stoppedAtBatch = -1; // reusable across fit calls
  }

  @Override
  public void onTrainBatchEnd(int batch, Map<String, Float> logs) {
    Float loss = logs.get("loss"); // the running mean: NaN once any batch was
    if (loss != null && !Float.isFinite(loss)) {
      model.output().println("Batch " + batch + ": Invalid loss, terminating training");
      model.output().flush();
      stoppedAtBatch = batch;
      model.stopTraining();
    }
  }

  /** The batch (from 0, within its epoch) whose loss was not finite, or -1. */
  public int stoppedAtBatch() {
    return stoppedAtBatch;
  }
}

package dev.nabla.callbacks;

import dev.nabla.nn.Sequential;
import java.util.Map;

/**
 * Keras's TerminateOnNaN: stops training as soon as a batch's loss is NaN or infinite.
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
  public void onTrainBatchEnd(int batch, Map<String, Float> logs) {
    Float loss = logs.get("loss"); // the running mean: NaN once any batch was
    if (loss != null && !Float.isFinite(loss)) {
      System.err.println("nabla: batch " + batch + ": invalid loss " + loss
          + ", terminating training");
      stoppedAtBatch = batch;
      model.stopTraining();
    }
  }

  /** The batch (from 0, within its epoch) whose loss was not finite, or -1. */
  public int stoppedAtBatch() {
    return stoppedAtBatch;
  }
}

package dev.nabla.callbacks;

import java.util.Map;

/**
 * Keras's callback hooks. Epochs and batches count from 0, as in Keras; logs hold the running or
 * final values of "loss", the metrics and, at epoch end, the "val_" ones.
 *
 * <p>Threads: fit calls its callbacks on its own thread, one at a time, while predictions and
 * evaluations on other threads wait (so a callback may change the weights, as EarlyStopping does).
 * An instance is not thread-safe: fits of different models that run at once need their own.
 */
public interface Callback {
  /** Called by fit before training: the model this callback watches (Keras's set_model). */
  default void setModel(dev.nabla.nn.Sequential model) {}

  default void onTrainBegin() {}

  default void onTrainEnd(Map<String, Float> logs) {}

  default void onEpochBegin(int epoch) {}

  default void onEpochEnd(int epoch, Map<String, Float> logs) {}

  default void onTrainBatchEnd(int batch, Map<String, Float> logs) {}
}

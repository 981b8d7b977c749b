package dev.nabla.train;

import dev.nabla.Tensor;
import dev.nabla.Variable;
import dev.nabla.backend.Backend;
import dev.nabla.optimizers.Optimizer;
import java.util.List;

/** What the training loop needs from a model (Sequential is one). */
public interface Trainable {
  /** The graph planned for batches of {@code rows} (labels shaped like {@code labels}, or none). */
  StepPlan plan(boolean training, int rows, Tensor labels);

  Backend backend();

  Optimizer optimizer();

  /** Every parameter as one flat variable, and its views in order (the optimizer's segments). */
  Variable flatParameters();

  List<Variable> weights();

  /** The gradients of the last step, flat, aligned with the parameters. */
  Tensor flatGradients();

  /** Seeds the epoch order (Keras's shuffle) with the dropout masks. */
  long seed();

  /**
   * Whether a callback asked training to stop (Keras's {@code model.stop_training}): the epoch
   * runner checks it after every batch and ends the epoch there.
   */
  boolean stopTrainingRequested();
}

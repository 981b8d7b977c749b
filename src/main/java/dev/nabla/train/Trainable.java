package dev.nabla.train;

import dev.nabla.Tensor;
import dev.nabla.Variable;
import dev.nabla.backend.Backend;
import dev.nabla.optimizers.Optimizer;
import java.util.List;

/**
 * What the training loop needs from a model (Sequential is one). Implementations say how they
 * may be used from several threads; the loop calls {@link #plan} and {@link #exclusively} only
 * from the one thread that trains, and {@link #checkout}/{@link #release} from any thread.
 *
 * <p>Implementations are thread-safe for checkout, release and exclusively, as the model says; plan
 * is the training thread's.
 */
public interface Trainable {
  /**
   * The training graph planned for batches of {@code rows} (labels shaped like {@code labels}),
   * one per shape, used by the training thread alone.
   */
  StepPlan plan(boolean training, int rows, Tensor labels);

  /**
   * An inference graph for batches of {@code rows} (labels shaped like {@code labels}, or null
   * for none), the calling thread's alone until it gives it back with {@link #release}. May wait
   * for another caller to release one of that shape.
   */
  StepPlan checkout(int rows, Tensor labels);

  /** Gives back a plan from {@link #checkout}. */
  void release(StepPlan plan);

  /**
   * Runs {@code update}, which writes the weights (an optimizer step), while no prediction or
   * evaluation on another thread reads them: those see the weights from before or after it.
   */
  void exclusively(Runnable update);

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

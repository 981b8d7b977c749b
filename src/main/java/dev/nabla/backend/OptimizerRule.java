package dev.nabla.backend;

/**
 * The fused update rules, one per Keras optimizer family. The ordinal is the rule code of
 * nabla_optimizer_step in native/include/nabla/kernels.h, whose comment gives each rule's
 * hyperparameter layout and slots.
 *
 * <p>Thread-safe: an enum.
 */
public enum OptimizerRule {
  SGD(1), RMSPROP(3), ADAGRAD(1), ADADELTA(2), ADAM(3), ADAMAX(2), NADAM(2), FTRL(2), LION(1),
  LAMB(2);

  /** The most slot buffers the rule uses. */
  public final int maxSlots;

  OptimizerRule(int maxSlots) {
    this.maxSlots = maxSlots;
  }
}

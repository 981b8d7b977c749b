package dev.nabla.optimizers.schedules;

/**
 * Keras's LearningRateSchedule: the learning rate as a function of the optimizer's step (its
 * iteration count, counting every applyGradients call). Accepted wherever "learning_rate" is.
 *
 * <p>Implementations are thread-safe: a schedule is a function of the step.
 */
@FunctionalInterface
public interface LearningRateSchedule {
  float at(long step);

  /** A constant learning rate. */
  static LearningRateSchedule constant(float value) {
    return new Constant(value);
  }

  /** A fixed learning rate (what a plain number means). */
  record Constant(float value) implements LearningRateSchedule {
    @Override
    public float at(long step) {
      return value;
    }

    @Override
    public String toString() {
      return Float.toString(value);
    }
  }
}

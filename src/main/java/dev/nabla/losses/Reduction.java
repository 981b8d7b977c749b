package dev.nabla.losses;

import java.util.Locale;

/**
 * How a loss turns its per-sample values into what it returns: Keras 3's {@code reduction}
 * argument (keras/src/losses/loss.py, reduce_values and apply_mask). With values v, weights w
 * (the sample weights broadcast to v's shape, 1 where none are given) and, for a masked loss
 * (sparse_categorical_crossentropy's ignore_class), m = 1 for the entries that count:
 *
 * <ul>
 *   <li>{@link #SUM_OVER_BATCH_SIZE} (the default) and {@link #MEAN}: sum(v w m) / count, count
 *       being the number of values, or the number of unmasked ones for a masked loss;
 *   <li>{@link #SUM}: sum(v w m);
 *   <li>{@link #MEAN_WITH_SAMPLE_WEIGHT}: sum(v w m) / sum of the weights as Keras sums them:
 *       the sample_weight as given (a scalar 2.3 counts once, not once per value), or sum(w m)
 *       for a masked loss, or the number of values when there are neither;
 *   <li>{@link #NONE}: the values v w m themselves, one per sample.
 * </ul>
 *
 * A divisor of 0 gives 0, not NaN (Keras's divide_no_nan).
 */
public enum Reduction {
  SUM_OVER_BATCH_SIZE("sum_over_batch_size"),
  SUM("sum"),
  MEAN("mean"),
  MEAN_WITH_SAMPLE_WEIGHT("mean_with_sample_weight"),
  NONE("none");

  private final String kerasName;

  Reduction(String kerasName) {
    this.kerasName = kerasName;
  }

  /** The name Keras's config uses ("sum_over_batch_size", ..., "none"). */
  public String kerasName() {
    return kerasName;
  }

  /** Whether the loss is one number (every reduction but none). */
  public boolean scalar() {
    return this != NONE;
  }

  /**
   * The reduction Keras names {@code name} (case-insensitive); null means "none", as Keras's
   * {@code reduction=None}.
   *
   * @throws IllegalArgumentException naming the value and the accepted ones
   */
  public static Reduction of(String owner, String name) {
    if (name == null) {
      return NONE;
    }
    for (Reduction r : values()) {
      if (r.kerasName.equals(name.toLowerCase(Locale.ROOT))) {
        return r;
      }
    }
    throw new IllegalArgumentException(owner + ": reduction '" + name + "' is not one of "
        + "sum_over_batch_size (the default), sum, mean, mean_with_sample_weight, none");
  }

  @Override
  public String toString() {
    return kerasName;
  }
}

package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.callbacks.Callback;
import java.util.ArrayList;
import java.util.List;

/**
 * fit's keyword arguments, with Keras's names and defaults.
 *
 * <p>Not thread-safe: a builder; fill it on one thread, then pass it to fit, which only reads it.
 */
public final class FitOptions {
  int epochs = 1;
  int initialEpoch = 0;
  int batchSize = 32;
  double validationSplit = 0.0;
  Tensor validationX;
  Tensor validationY;
  boolean shuffle = true;
  int verbose = 1;
  final List<Callback> callbacks = new ArrayList<>();

  public FitOptions epochs(int epochs) {
    if (epochs < 0) {
      throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
    }
    this.epochs = epochs;
    return this;
  }

  /** Keras's initial_epoch: the epoch to start from when resuming (epochs is the total). */
  public FitOptions initialEpoch(int initialEpoch) {
    if (initialEpoch < 0) {
      throw new IllegalArgumentException("initial_epoch must be >= 0, got " + initialEpoch);
    }
    this.initialEpoch = initialEpoch;
    return this;
  }

  /** Keras's batch_size (default 32). */
  public FitOptions batchSize(int batchSize) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch_size must be positive, got " + batchSize);
    }
    this.batchSize = batchSize;
    return this;
  }

  /** Keras's validation_split: the last fraction of the data, taken before shuffling. */
  public FitOptions validationSplit(double fraction) {
    if (!(fraction >= 0 && fraction < 1)) {
      throw new IllegalArgumentException("validation_split must be in [0, 1), got " + fraction);
    }
    this.validationSplit = fraction;
    return this;
  }

  /** Keras's validation_data=(x, y); takes precedence over validation_split. */
  public FitOptions validationData(Tensor x, Tensor y) {
    this.validationX = x;
    this.validationY = y;
    return this;
  }

  public FitOptions shuffle(boolean shuffle) {
    this.shuffle = shuffle;
    return this;
  }

  /** 0 silent, 1 progress bar, 2 one line per epoch. */
  public FitOptions verbose(int verbose) {
    if (verbose < 0 || verbose > 2) {
      throw new IllegalArgumentException("verbose must be 0, 1 or 2, got " + verbose);
    }
    this.verbose = verbose;
    return this;
  }

  public FitOptions callbacks(Callback... callbacks) {
    this.callbacks.addAll(List.of(callbacks));
    return this;
  }
}

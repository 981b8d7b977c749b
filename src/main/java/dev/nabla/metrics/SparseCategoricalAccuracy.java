package dev.nabla.metrics;

/**
 * Keras's {@code keras.metrics.SparseCategoricalAccuracy}: how often the predicted class (the
 * argmax of {@code y_pred}'s last axis) equals the integer label. Shapes: labels {@code (n)} or
 * {@code (n, 1)}, predictions {@code (n, classes)}. A label that is not a class index (out of
 * range, or not a whole number) never matches. Default name "sparse_categorical_accuracy".
 */
public final class SparseCategoricalAccuracy extends MeanMetric {
  public SparseCategoricalAccuracy() {
    this("sparse_categorical_accuracy");
  }

  public SparseCategoricalAccuracy(String name) {
    super(name);
  }

  @Override
  public String className() {
    return "SparseCategoricalAccuracy";
  }

  @Override
  Arr values(Arr yTrue, Arr yPred) {
    Arr t = yTrue;
    int[] original = t.shape;
    boolean reshape = false;
    if (t.rank() == yPred.rank() && t.rank() > 0 && t.last() == 1) {
      t = t.squeezeLast();
      reshape = true;
    }
    Arr matches = Arr.zip(t, yPred.argmaxLast(), name() + ": y_true and y_pred",
        (a, b) -> a == b ? 1f : 0f);
    if (reshape) {
      matches = matches.reshape(original);
    }
    if (matches.rank() > 1 && matches.last() == 1) {
      matches = matches.squeezeLast();
    }
    return matches;
  }
}

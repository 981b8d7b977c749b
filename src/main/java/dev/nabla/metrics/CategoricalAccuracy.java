package dev.nabla.metrics;

/**
 * Keras's {@code keras.metrics.CategoricalAccuracy}: how often the predicted class (the argmax
 * of {@code y_pred}'s last axis) is the labelled class (the argmax of one-hot {@code y_true}).
 * Shapes: {@code y_true} and {@code y_pred} both {@code (n, classes)} (or any leading axes);
 * ties go to the first index, as argmax. Default name "categorical_accuracy".
 */
public final class CategoricalAccuracy extends MeanMetric {
  public CategoricalAccuracy() {
    this("categorical_accuracy");
  }

  public CategoricalAccuracy(String name) {
    super(name);
  }

  @Override
  public String className() {
    return "CategoricalAccuracy";
  }

  @Override
  Arr values(Arr yTrue, Arr yPred) {
    Arr t = yTrue.argmaxLast();
    int[] original = t.shape;
    boolean reshape = false;
    if (t.rank() == yPred.rank()) { // Keras squeezes a (n, 1)-shaped class index
      t = t.squeezeLast();
      reshape = true;
    }
    Arr matches = Arr.zip(t, yPred.argmaxLast(), name() + ": y_true and y_pred",
        (a, b) -> a == b ? 1f : 0f);
    return reshape ? matches.reshape(original) : matches;
  }
}

package dev.nabla.graph;

/**
 * A loss computed per element and averaged over the last axis (Keras's binary_crossentropy,
 * mean_squared_error, mean_absolute_error): value(y, p) and its derivative in p.
 */
public interface PointwiseLoss {
  double value(double y, double p);

  double derivative(double y, double p);
}

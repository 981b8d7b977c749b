package dev.nabla.backend;

/**
 * The codes of the graph's light elementwise ops, shared by every backend (the ordinals are the
 * NABLA_UNARY_ and NABLA_BINARY_ codes of native/include/nabla/cuda_kernels.h).
 *
 * <p>Thread-safe: enums.
 */
public final class Elementwise {
  private Elementwise() {}

  /** y = f(x) with a constant c: c * x, x * x, |x|, log(max(x, c)). */
  public enum Unary { SCALE, SQUARE, ABS, LOG }

  /** y = a op b with trailing broadcast. */
  public enum Binary { ADD, SUB, MUL }
}

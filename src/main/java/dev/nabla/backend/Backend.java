package dev.nabla.backend;

import dev.nabla.Tensor;

/**
 * The op set the autodiff graph needs. Tensors passed in belong to this backend (host memory for
 * the Java and CPU backends). Shapes are given explicitly as row/column counts; the graph checks
 * them once when it is planned, so implementations only assert what is cheap.
 *
 * <p>Kernels that overwrite their output take it last; "accumulate" variants add into it.
 */
public interface Backend {
  /** "java", "cpu" or "cuda". */
  String name();

  /** One line for logs and `info`: what this backend runs on. */
  String describe();

  /** C (m x n) = alpha * op(A) (m x k) * op(B) (k x n) + beta * C, row-major, op = transpose or not. */
  void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, Tensor b,
      float beta, Tensor c);

  /** z = x + bias (per column; bias may be null), y = act(z). z may be x; y may be z. */
  void biasActForward(Tensor x, Tensor bias, Tensor z, Tensor y, int rows, int cols,
      Activation act, float alpha);

  /** dz = dy * act'(z) (softmax: the row Jacobian, from y). dz may be dy. */
  void actBackward(Tensor z, Tensor y, Tensor dy, Tensor dz, int rows, int cols, Activation act,
      float alpha);

  /** db = column sums of dz (overwrites). */
  void biasGrad(Tensor dz, Tensor db, int rows, int cols);

  /**
   * Fused softmax cross-entropy over (rows, cols) predictions; see nabla_softmax_xent in
   * native/include/nabla/kernels.h. rowLoss and grad may be null; correct (length >= 1, may be
   * null) receives the count of rows whose argmax matches the label. Returns the summed loss.
   */
  double softmaxXent(Tensor pred, Tensor labels, Tensor rowLoss, Tensor grad, int rows, int cols,
      boolean sparse, boolean fromLogits, float labelSmoothing, float gradScale, long[] correct);

  /** y = Philox keep-mask(seed, step, stream) * x / (1 - rate); also the backward pass. */
  void dropout(Tensor x, Tensor y, long n, long seed, long step, int stream, float rate);

  /**
   * One fused optimizer step over a flat buffer (see nabla_optimizer_step): per element, scale
   * the gradient by its segment's gscale, clip to clipValue when > 0, apply decoupled weight
   * decay w -= w * wd[s] * decayLr, then the rule. Slots the rule does not use may be null.
   */
  void optimizerStep(OptimizerRule rule, float[] hp, Tensor w, Tensor g, Tensor s0, Tensor s1,
      Tensor s2, Segments segments, float decayLr, float clipValue);

  /** out[s] = sum of squares of x over each segment, in double. */
  void segmentSumSquares(Tensor x, Segments segments, double[] out);

  /** y += a * x over n values. */
  void axpy(Tensor y, Tensor x, float a, long n);

  /** avg = momentum * avg + (1 - momentum) * w over n values. */
  void emaUpdate(Tensor avg, Tensor w, float momentum, long n);

  /** Sets the threads this backend's kernels may use (OpenBLAS's pool on the CPU). */
  default void setThreads(int threads) {}

  default int threads() {
    return 1;
  }
}

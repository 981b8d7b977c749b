package dev.nabla.backend;

import dev.nabla.Tensor;

/**
 * What a fused matmul does after the product C = op(A) op(B), in this order (null / 0 = off): add
 * {@code bias} per column, keep the sum in {@code z}, apply {@code act}; write the column sums of
 * op(B) into {@code db} (the bias gradient when op(B) is dZ); drop out with {@code dropRate}
 * (the Philox mask of stream {@code dropStream} at the step's seed and step, scaled by
 * 1 / (1 - rate)); multiply by act'({@code bwdZ}) of activation {@code bwdAct} (the backward of
 * the activation below). The activation's parameter is its default (Activation.defaultAlpha: leaky_relu's 0.2, elu's 1).
 *
 * <p>With it a Dense layer is one kernel forward (act(X W + b), dropout included) and two
 * backward (dW with db; dX with the layer below's dropout and activation derivatives): see
 * nabla_cuda_gemm. The graph fuses only on backends that run it as one kernel
 * ({@link Backend#fusesEpilogues}); {@link Backend#gemmEpilogue}'s default is the reference
 * composition of the unfused ops.
 *
 * <p>Thread-safe: immutable.
 */
public record MatmulEpilogue(Tensor bias, Tensor z, Activation act, Tensor db, float dropRate,
    int dropStream, Tensor bwdZ, Activation bwdAct) {
  public static final MatmulEpilogue NONE =
      new MatmulEpilogue(null, null, Activation.LINEAR, null, 0f, 0, null, Activation.LINEAR);

  /** bias + z + activation: Dense's forward. */
  public static MatmulEpilogue dense(Tensor bias, Tensor z, Activation act) {
    return new MatmulEpilogue(bias, z, act, null, 0f, 0, null, Activation.LINEAR);
  }

  /** The same, with the column sums of op(B) into db. */
  public MatmulEpilogue withBiasGrad(Tensor db) {
    return new MatmulEpilogue(bias, z, act, db, dropRate, dropStream, bwdZ, bwdAct);
  }

  /** The same, followed by dropout. */
  public MatmulEpilogue withDropout(float rate, int stream) {
    return new MatmulEpilogue(bias, z, act, db, rate, stream, bwdZ, bwdAct);
  }

  /** The same, followed by the derivative of {@code act} at {@code z}. */
  public MatmulEpilogue withActivationBackward(Tensor z, Activation act) {
    return new MatmulEpilogue(bias, this.z, this.act, db, dropRate, dropStream, z, act);
  }
}

package dev.nabla.backend.cuda;

/**
 * A CUDA runtime or kernel failure; the message names the call and the runtime's reason.
 *
 * <p>Thread-safe: immutable.
 */
public final class CudaException extends RuntimeException {
  public CudaException(String message) {
    super(message);
  }
}

package dev.nabla.callbacks;

import org.junit.jupiter.api.Nested;

/** The Keras callback tests again with the models on the emulated CUDA backend. */
class OnCudaEmulatedTest extends dev.nabla.DefaultDevice {
  @Override
  protected String device() {
    return "cuda-emulated";
  }

  @Nested
  class Callbacks extends CallbacksTest {}
}

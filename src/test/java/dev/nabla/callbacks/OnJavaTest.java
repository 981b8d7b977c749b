package dev.nabla.callbacks;

import org.junit.jupiter.api.Nested;

/** The Keras callback tests again with the models on the pure-Java reference backend. */
class OnJavaTest extends dev.nabla.DefaultDevice {
  @Override
  protected String device() {
    return "java";
  }

  @Nested
  class Callbacks extends CallbacksTest {}
}

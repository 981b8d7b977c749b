package dev.nabla.nn;

import org.junit.jupiter.api.Nested;

/**
 * The model tests (fit semantics, evaluate, predict, save and exact resume) again with the
 * models on the pure-Java reference backend.
 */
class OnJavaTest extends dev.nabla.DefaultDevice {
  @Override
  protected String device() {
    return "java";
  }

  @Nested
  class Models extends SequentialTest {}

  @Nested
  class Files extends ModelFileTest {}

  @Nested
  class Keras extends KerasFilesTest {}
}

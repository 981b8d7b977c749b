package dev.nabla.nn;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;

/**
 * Not in the default run (about 12 minutes on the emulator, past CI's budget): run with
 * {@code mvn test -Dtest.excludedGroups= -Dtest='dev.nabla.*.OnCudaEmulatedTest*'}.
 *
 * <p>The model tests (fit semantics, evaluate, predict, save and exact resume, callbacks through
 * fit) again with the models on the CUDA backend, its kernels run by the CPU emulator.
 */
@Tag("emulated-models")
class OnCudaEmulatedTest extends dev.nabla.DefaultDevice {
  @Override
  protected String device() {
    return "cuda-emulated";
  }

  @Nested
  class Models extends SequentialTest {}

  @Nested
  class Files extends ModelFileTest {}

  @Nested
  class Keras extends KerasFilesTest {}
}

package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;

/**
 * The Keras optimizer cases on the CUDA backend, its kernels run by the CPU emulator: the
 * variables, gradients and optimizer slots live in (emulated) device memory.
 */
class OnCudaEmulatedTest extends OnEveryBackend {
    @Override
    Backend backend() {
        assertEquals("", Backends.probeEmulator(), "the CUDA emulator must load in the test suite");
        return Backends.select("cuda-emulated", 1).backend();
    }
}

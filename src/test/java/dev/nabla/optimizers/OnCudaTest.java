package dev.nabla.optimizers;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import org.junit.jupiter.api.BeforeAll;

/** The Keras optimizer cases on a real GPU; skipped, with the reason printed, without one. */
class OnCudaTest extends OnEveryBackend {
    @BeforeAll
    static void needsAGpu() {
        dev.nabla.TestUtil.assumeCuda("OnCudaTest (optimizers)");
    }

    @Override
    Backend backend() {
        return Backends.select("cuda", 1).backend();
    }
}

package dev.nabla.optimizers;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/** The Keras optimizer cases on a real GPU; skipped, with the reason printed, without one. */
class OnCudaTest extends OnEveryBackend {
    @BeforeAll
    static void needsAGpu() {
        String why = Backends.probeCuda();
        if (!why.isEmpty()) {
            System.out.println("OnCudaTest (optimizers) skipped: " + why);
        }
        Assumptions.assumeTrue(why.isEmpty(), why);
    }

    @Override
    Backend backend() {
        return Backends.select("cuda", 1).backend();
    }
}

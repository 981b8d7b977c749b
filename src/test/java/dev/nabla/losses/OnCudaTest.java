package dev.nabla.losses;

import dev.nabla.backend.Backends;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/** The Keras loss cases on a real GPU; skipped, with the reason printed, without one. */
class OnCudaTest extends OnEveryBackend {
    @BeforeAll
    static void needsAGpu() {
        String why = Backends.probeCuda();
        if (!why.isEmpty()) {
            System.out.println("OnCudaTest (losses) skipped: " + why);
        }
        Assumptions.assumeTrue(why.isEmpty(), why);
    }

    @Override
    protected String device() {
        return "cuda";
    }
}

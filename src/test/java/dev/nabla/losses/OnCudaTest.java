package dev.nabla.losses;

import org.junit.jupiter.api.BeforeAll;

/** The Keras loss cases on a real GPU; skipped, with the reason printed, without one. */
class OnCudaTest extends OnEveryBackend {
    @BeforeAll
    static void needsAGpu() {
        dev.nabla.TestUtil.assumeCuda("OnCudaTest (losses)");
    }

    @Override
    protected String device() {
        return "cuda";
    }
}

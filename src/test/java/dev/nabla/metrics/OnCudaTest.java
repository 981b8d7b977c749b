package dev.nabla.metrics;

import org.junit.jupiter.api.BeforeAll;

/**
 * The compiled-metric cases (device tallies included) on a real GPU; skipped, with the reason
 * printed, without one.
 */
class OnCudaTest extends OnEveryBackend {
    @BeforeAll
    static void needsAGpu() {
        dev.nabla.TestUtil.assumeCuda("OnCudaTest (metrics)");
    }

    @Override
    protected String device() {
        return "cuda";
    }
}

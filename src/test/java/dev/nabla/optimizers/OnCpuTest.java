package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;

/** The Keras optimizer cases on the native CPU backend. */
class OnCpuTest extends OnEveryBackend {
    private static Backend cpu;

    @Override
    Backend backend() {
        if (cpu == null) {
            assertEquals("", Backends.probeCpu(), "the CPU backend must load in the test suite");
            cpu = Backends.select("cpu", 1).backend();
        }
        return cpu;
    }
}

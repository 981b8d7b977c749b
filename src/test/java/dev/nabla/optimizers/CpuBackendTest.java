package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * Every Keras case of this package again, with the optimizers on the native CPU backend (the
 * fused C++ step that models use) instead of their default: the same numbers, the same
 * tolerances.
 */
class CpuBackendTest {
    static Backend cpu;

    @BeforeAll
    static void load() {
        assertEquals("", Backends.probeCpu(), "the CPU backend must load in the test suite");
        cpu = Backends.select("cpu", 1).backend();
    }

    @Nested
    class SgdOnCpu extends SGDTest {
        @Override
        Backend backend() {
            return cpu;
        }
    }

    @Nested
    class RmspropOnCpu extends RMSpropTest {
        @Override
        Backend backend() {
            return cpu;
        }
    }

    @Nested
    class AdagradOnCpu extends AdagradTest {
        @Override
        Backend backend() {
            return cpu;
        }
    }

    @Nested
    class AdadeltaOnCpu extends AdadeltaTest {
        @Override
        Backend backend() {
            return cpu;
        }
    }

    @Nested
    class AdamOnCpu extends AdamTest {
        @Override
        Backend backend() {
            return cpu;
        }
    }

    @Nested
    class AdamWOnCpu extends AdamWTest {
        @Override
        Backend backend() {
            return cpu;
        }
    }

    @Nested
    class AdamaxOnCpu extends AdamaxTest {
        @Override
        Backend backend() {
            return cpu;
        }
    }

    @Nested
    class NadamOnCpu extends NadamTest {
        @Override
        Backend backend() {
            return cpu;
        }
    }

    @Nested
    class FtrlOnCpu extends FtrlTest {
        @Override
        Backend backend() {
            return cpu;
        }
    }

    @Nested
    class LionOnCpu extends LionTest {
        @Override
        Backend backend() {
            return cpu;
        }
    }

    @Nested
    class LambOnCpu extends LambTest {
        @Override
        Backend backend() {
            return cpu;
        }
    }

    @Nested
    class BaseOptionsOnCpu extends BaseOptimizerTest {
        @Override
        Backend backend() {
            return cpu;
        }
    }

    @Nested
    class SchedulesOnCpu extends ScheduledLearningRateTest {
        @Override
        Backend backend() {
            return cpu;
        }
    }
}

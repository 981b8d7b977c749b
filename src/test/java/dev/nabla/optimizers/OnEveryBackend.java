package dev.nabla.optimizers;

import dev.nabla.backend.Backend;
import org.junit.jupiter.api.Nested;

/**
 * Every Keras case of this package again, with the optimizers on another backend than their
 * default (the Java reference): the fused step that models use, on the host's native kernels
 * ({@link OnCpuTest}) and on the CUDA kernels run by the CPU emulator
 * ({@link OnCudaEmulatedTest}), with variables, gradients and slots in that backend's memory.
 * The same numbers, the same tolerances.
 */
abstract class OnEveryBackend {
    /** The backend every nested case runs its optimizers on. */
    abstract Backend backend();

    @Nested
    class Sgd extends SGDTest {
        @Override
        Backend backend() {
            return OnEveryBackend.this.backend();
        }
    }

    @Nested
    class Rmsprop extends RMSpropTest {
        @Override
        Backend backend() {
            return OnEveryBackend.this.backend();
        }
    }

    @Nested
    class Adagrad extends AdagradTest {
        @Override
        Backend backend() {
            return OnEveryBackend.this.backend();
        }
    }

    @Nested
    class Adadelta extends AdadeltaTest {
        @Override
        Backend backend() {
            return OnEveryBackend.this.backend();
        }
    }

    @Nested
    class Adam extends AdamTest {
        @Override
        Backend backend() {
            return OnEveryBackend.this.backend();
        }
    }

    @Nested
    class AdamW extends AdamWTest {
        @Override
        Backend backend() {
            return OnEveryBackend.this.backend();
        }
    }

    @Nested
    class Adamax extends AdamaxTest {
        @Override
        Backend backend() {
            return OnEveryBackend.this.backend();
        }
    }

    @Nested
    class Nadam extends NadamTest {
        @Override
        Backend backend() {
            return OnEveryBackend.this.backend();
        }
    }

    @Nested
    class Ftrl extends FtrlTest {
        @Override
        Backend backend() {
            return OnEveryBackend.this.backend();
        }
    }

    @Nested
    class Lion extends LionTest {
        @Override
        Backend backend() {
            return OnEveryBackend.this.backend();
        }
    }

    @Nested
    class Lamb extends LambTest {
        @Override
        Backend backend() {
            return OnEveryBackend.this.backend();
        }
    }

    @Nested
    class BaseOptions extends BaseOptimizerTest {
        @Override
        Backend backend() {
            return OnEveryBackend.this.backend();
        }
    }

    @Nested
    class Schedules extends ScheduledLearningRateTest {
        @Override
        Backend backend() {
            return OnEveryBackend.this.backend();
        }
    }
}

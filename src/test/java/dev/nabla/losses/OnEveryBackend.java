package dev.nabla.losses;

import org.junit.jupiter.api.Nested;

/**
 * Every Keras loss case of this package again on another backend than the default: the Java
 * reference ({@link OnJavaTest}) and the CUDA kernels run by the CPU emulator
 * ({@link OnCudaEmulatedTest}). The same numbers, the same tolerances.
 */
abstract class OnEveryBackend {
    /** The device name every nested case computes its losses on. */
    abstract String device();

    @Nested
    class BinaryCrossentropy extends BinaryCrossentropyTest {
        @Override
        String device() {
            return OnEveryBackend.this.device();
        }
    }

    @Nested
    class CategoricalCrossentropy extends CategoricalCrossentropyTest {
        @Override
        String device() {
            return OnEveryBackend.this.device();
        }
    }

    @Nested
    class SparseCategoricalCrossentropy extends SparseCategoricalCrossentropyTest {
        @Override
        String device() {
            return OnEveryBackend.this.device();
        }
    }

    @Nested
    class MeanSquaredError extends MeanSquaredErrorTest {
        @Override
        String device() {
            return OnEveryBackend.this.device();
        }
    }

    @Nested
    class MeanAbsoluteError extends MeanAbsoluteErrorTest {
        @Override
        String device() {
            return OnEveryBackend.this.device();
        }
    }

    @Nested
    class Losses extends LossesTest {
        @Override
        String device() {
            return OnEveryBackend.this.device();
        }
    }
}

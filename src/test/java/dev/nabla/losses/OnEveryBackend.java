package dev.nabla.losses;

import org.junit.jupiter.api.Nested;

/**
 * Every Keras loss case of this package again on another backend than the default: the Java
 * reference ({@link OnJavaTest}) and the CUDA kernels run by the CPU emulator
 * ({@link OnCudaEmulatedTest}). The same numbers, the same tolerances.
 */
abstract class OnEveryBackend extends dev.nabla.DefaultDevice {
    @Nested
    class BinaryCrossentropy extends BinaryCrossentropyTest {}

    @Nested
    class CategoricalCrossentropy extends CategoricalCrossentropyTest {}

    @Nested
    class SparseCategoricalCrossentropy extends SparseCategoricalCrossentropyTest {}

    @Nested
    class MeanSquaredError extends MeanSquaredErrorTest {}

    @Nested
    class MeanAbsoluteError extends MeanAbsoluteErrorTest {}

    @Nested
    class Losses extends LossesTest {}

    @Nested
    class Reduction extends ReductionTest {}

    @Nested
    class IgnoreClass extends IgnoreClassTest {}

    @Nested
    class CategoricalAxis extends CategoricalAxisTest {}

    @Nested
    class LogitsOfActivations extends LogitsOfActivationsTest {}
}

package dev.nabla.metrics;

import org.junit.jupiter.api.Nested;

/**
 * The metric suites that run models (compile, fit, evaluate, model files) again on other
 * backends than the default: the Java reference ({@link OnJavaTest}) and the CUDA kernels on the
 * CPU emulator ({@link OnCudaEmulatedTest}), where cross-entropy with argmax accuracies is
 * tallied on the device. The standalone metric classes compute on the host and need no re-run.
 */
abstract class OnEveryBackend extends dev.nabla.DefaultDevice {
    @Nested
    class Compiled extends CompiledMetricsTest {}
}

package dev.nabla.metrics;

import static org.junit.jupiter.api.Assertions.fail;

import dev.nabla.Tensor;
import java.util.Map;

/**
 * Shared fixtures for the metric tests that replay Keras 3's accuracy_metrics_test.py and
 * regression_metrics_test.py: literal tensors (freed after each test) and Keras's assertAllClose,
 * numpy's assert_allclose: |actual - desired| &lt;= atol + rtol * |desired|, with Keras's
 * defaults atol = rtol = 1e-6 where a case does not give its own atol.
 */
abstract class KerasMetricCase extends dev.nabla.KerasCase {
    static Metric metric(String name) {
        return Metrics.get(name, Map.of());
    }

    static Metric metric(String name, Map<String, ?> config) {
        return Metrics.get(name, config);
    }

    static void assertAllClose(double desired, float actual, String what) {
        assertAllClose(desired, actual, 1e-6, what);
    }

    /** assertAllClose with Keras's atol and the default rtol 1e-6. */
    static void assertAllClose(double desired, float actual, double atol, String what) {
        double bound = atol + 1e-6 * Math.abs(desired);
        if (!(Math.abs(actual - desired) <= bound)) {
            fail(what + ": got " + actual + ", Keras expects " + desired + " (atol=" + atol
                + ", rtol=1e-6, |diff| = " + Math.abs(actual - desired) + " > " + bound + ")");
        }
    }
}

package dev.nabla.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nabla.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.function.Executable;

/**
 * Shared fixtures for the metric tests that replay Keras 3's accuracy_metrics_test.py and
 * regression_metrics_test.py: literal tensors (freed after each test) and Keras's assertAllClose,
 * numpy's assert_allclose: |actual - desired| &lt;= atol + rtol * |desired|, with Keras's
 * defaults atol = rtol = 1e-6 where a case does not give its own atol.
 */
abstract class KerasMetricCase {
    private final List<Tensor> owned = new ArrayList<>();

    @AfterEach
    void freeTensors() {
        for (Tensor t : owned) {
            t.close();
        }
        owned.clear();
    }

    /** A (rows, cols) tensor from literal rows. */
    Tensor m(double[]... rows) {
        int cols = rows[0].length;
        float[] v = new float[rows.length * cols];
        for (int r = 0; r < rows.length; r++) {
            assertEquals(cols, rows[r].length, "ragged literal");
            for (int c = 0; c < cols; c++) {
                v[r * cols + c] = (float) rows[r][c];
            }
        }
        Tensor t = Tensor.of(v, rows.length, cols);
        owned.add(t);
        return t;
    }

    /** A rank-1 tensor: labels given as (batch), or one weight per sample. */
    Tensor v(double... values) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        Tensor t = Tensor.of(f, f.length);
        owned.add(t);
        return t;
    }

    static double[] row(double... values) {
        return values;
    }

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

    /** Asserts an IllegalArgumentException whose message contains every fragment. */
    static IllegalArgumentException rejects(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        String msg = String.valueOf(e.getMessage());
        for (String f : fragments) {
            assertTrue(msg.contains(f), "message should mention '" + f + "': " + msg);
        }
        return e;
    }
}

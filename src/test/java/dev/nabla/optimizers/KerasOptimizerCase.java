package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nabla.Tensor;
import dev.nabla.Variable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.function.Executable;

/**
 * Shared fixtures for the optimizer tests that replay Keras 3's sgd_test.py and adam_test.py:
 * variables, gradients and optimizers freed after each test, one-variable steps, and Keras's
 * assertAllClose (numpy's assert_allclose: |actual - desired| &lt;= atol + rtol * |desired|).
 */
abstract class KerasOptimizerCase {
    private final List<AutoCloseable> owned = new ArrayList<>();

    @AfterEach
    void free() throws Exception {
        for (AutoCloseable c : owned) {
            c.close();
        }
        owned.clear();
    }

    Optimizer optimizer(String name, Map<String, ?> config) {
        Optimizer o = Optimizers.get(name, config);
        owned.add(o);
        return o;
    }

    Variable var(double... values) {
        Variable v = Variable.of(floats(values), values.length);
        owned.add(v);
        return v;
    }

    Tensor grad(double... values) {
        Tensor t = Tensor.of(floats(values), values.length);
        owned.add(t);
        return t;
    }

    /** One apply_gradients call on one variable. */
    static void step(Optimizer o, Tensor g, Variable v) {
        o.applyGradients(List.of(g), List.of(v));
    }

    static float[] floats(double... values) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }

    static double[] full(int n, double value) {
        double[] d = new double[n];
        Arrays.fill(d, value);
        return d;
    }

    /** Keras's ops.arange(0.1, 1.1, 0.1): 0.1, 0.2, ..., 1.0. */
    static double[] arangeTenths() {
        double[] d = new double[10];
        for (int i = 0; i < 10; i++) {
            d[i] = 0.1 * (i + 1);
        }
        return d;
    }

    static void assertAllClose(double[] desired, Tensor actual, double atol, double rtol,
            String what) {
        float[] a = actual.toFloatArray();
        assertEquals(desired.length, a.length, what + ": length");
        for (int i = 0; i < a.length; i++) {
            double bound = atol + rtol * Math.abs(desired[i]);
            if (!(Math.abs(a[i] - desired[i]) <= bound)) {
                fail(what + "[" + i + "]: got " + a[i] + ", expected " + desired[i] + " (atol="
                    + atol + ", rtol=" + rtol + ", |diff| = " + Math.abs(a[i] - desired[i])
                    + " > " + bound + "); all: " + Arrays.toString(a));
            }
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

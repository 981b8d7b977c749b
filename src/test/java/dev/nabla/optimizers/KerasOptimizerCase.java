package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nabla.Device;
import dev.nabla.Tensor;
import dev.nabla.Variable;
import dev.nabla.backend.Backend;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shared fixtures for the optimizer tests that replay Keras 3's keras/src/optimizers/*_test.py:
 * variables, gradients and optimizers freed after each test, one-variable steps, Keras's
 * assertAllClose (numpy's assert_allclose: |actual - desired| &lt;= atol + rtol * |desired|) and
 * assertAlmostEqual (numpy's assert_almost_equal: |actual - desired| &lt; 1.5 * 10^-decimal), and
 * the cases every Keras optimizer test file repeats (test_weight_decay, test_clip_norm,
 * test_clip_value, test_single_step, test_correctness_with_golden).
 */
abstract class KerasOptimizerCase extends dev.nabla.KerasCase {
    /** The backend the optimizers run on; null keeps the optimizer's own default. */
    Backend backend() {
        return null;
    }

    Optimizer optimizer(String name, Map<String, ?> config) {
        Optimizer o = Optimizers.get(name, config);
        keep(o);
        Backend b = backend();
        if (b != null) {
            o.setBackend(b);
        }
        return o;
    }

    /** Where the case's variables and gradients live: the backend's device. */
    Device device() {
        Backend b = backend();
        return b == null ? Device.HOST : b.device();
    }

    Variable var(double... values) {
        Variable v = Variable.named(device(), "variable", floats(values), values.length);
        keep(v);
        return v;
    }

    /** Keras's backend.Variable(values, name=name). */
    Variable named(String name, double... values) {
        Variable v = Variable.named(device(), name, floats(values), values.length);
        keep(v);
        return v;
    }

    /** A variable of the given shape (row-major values). */
    Variable shaped(int[] shape, double... values) {
        Variable v = Variable.named(device(), "variable", floats(values), shape);
        keep(v);
        return v;
    }

    Tensor shapedGrad(int[] shape, double... values) {
        Tensor t = Tensor.of(device(), floats(values), shape);
        keep(t);
        return t;
    }

    Tensor grad(double... values) {
        Tensor t = Tensor.of(device(), floats(values), values.length);
        keep(t);
        return t;
    }

    /** One apply_gradients call on one variable. */
    static void step(Optimizer o, Tensor g, Variable v) {
        o.applyGradients(List.of(g), List.of(v));
    }

    /** A config map that, unlike Map.of, keeps order, takes any number of pairs, and nulls. */
    static Map<String, Object> cfg(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    static double[] values(Tensor t) {
        float[] f = t.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
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

    /** Keras's assertAlmostEqual(x, desired, decimal): every |x - desired| &lt; 1.5 10^-decimal. */
    static void assertAlmostEqual(double desired, Tensor actual, int decimal, String what) {
        double bound = 1.5 * Math.pow(10, -decimal);
        for (float a : actual.toFloatArray()) {
            if (!(Math.abs(a - desired) < bound)) {
                fail(what + ": got " + a + ", expected " + desired + " to " + decimal
                    + " decimals (|diff| = " + Math.abs(a - desired) + " >= " + bound + ")");
            }
        }
    }

    /**
     * Keras's test_single_step: w = [1, 2, 3, 4], g = [1, 6, 7, 2], one apply_gradients with
     * learning_rate 0.5, compared with rtol = atol = 1e-4.
     */
    void kerasSingleStep(String name, double... expected) {
        Optimizer o = optimizer(name, Map.of("learning_rate", 0.5));
        Variable w = var(1, 2, 3, 4);
        step(o, grad(1, 6, 7, 2), w);
        assertAllClose(expected, w, 1e-4, 1e-4, name + " single step");
        assertEquals(1, o.iterations(), name + " iterations");
    }

    /**
     * Keras's test_correctness_with_golden: x = ones(10), one step with full(10, 0.01), then
     * five checks each followed by a step with arange(0.1, 1.1, 0.1); rtol = atol = 5e-4.
     */
    void kerasGolden(String name, Map<String, ?> config, double[][] golden) {
        Optimizer o = optimizer(name, config);
        Variable x = var(full(10, 1.0));
        Tensor grads = grad(arangeTenths());
        step(o, grad(full(10, 0.01)), x);
        for (int i = 0; i < 5; i++) {
            assertAllClose(golden[i], x, 5e-4, 5e-4, name + " golden step " + i);
            step(o, grads, x);
        }
        assertEquals(6, o.iterations(), name + " iterations");
    }

    /** One golden row repeated over the 10 elements (Keras's np.tile(golden, (1, 10))). */
    static double[][] tiled(double... rows) {
        double[][] g = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            g[i] = full(10, rows[i]);
        }
        return g;
    }

    /**
     * Keras's test_weight_decay, the same in every optimizer's test file: three optimizers with
     * learning_rate 1.0 and weight_decay 0.004, zero gradients; var1 is decayed by each of them
     * (2 (1 - 0.004)^3 = 1.9760959), var2 is excluded by name ("exclude"), var3 by identity.
     */
    void kerasWeightDecay(String name) {
        Tensor zero = grad(0.0);
        Variable var1 = var(2.0);
        Variable var2 = named("exclude", 2.0);
        Variable var3 = var(2.0);
        Map<String, Object> config = Map.of("learning_rate", 1.0, "weight_decay", 0.004);

        Optimizer optimizer1 = optimizer(name, config);
        optimizer1.applyGradients(List.of(zero), List.of(var1));

        Optimizer optimizer2 = optimizer(name, config);
        optimizer2.excludeFromWeightDecay(List.of(), List.of("exclude"));
        optimizer2.applyGradients(List.of(zero, zero), List.of(var1, var2));

        Optimizer optimizer3 = optimizer(name, config);
        optimizer3.excludeFromWeightDecay(List.of(var3), List.of());
        optimizer3.applyGradients(List.of(zero, zero), List.of(var1, var3));

        assertAlmostEqual(1.9760959, var1, 6, name + " var1 (decayed three times)");
        assertAlmostEqual(2.0, var2, 6, name + " var2 (excluded by name)");
        assertAlmostEqual(2.0, var3, 6, name + " var3 (excluded by identity)");
    }

    /**
     * Keras's test_clip_norm / test_clip_value per optimizer (there on the private
     * _clip_gradients: [100, 100] clips to [sqrt(2)/2, sqrt(2)/2] with clipnorm 1 and to [1, 1]
     * with clipvalue 1), checked here through apply_gradients: two steps of the optimizer with
     * the clip option must equal two steps without it fed the already-clipped gradients. The
     * second gradient is inside both limits; a float32 run of Keras's rules shows that leaving
     * out the clip moves every optimizer here by 9e-4 or more, so the comparison has teeth.
     */
    void kerasClipping(String name, double learningRate) {
        double s = Math.sqrt(2) / 2;
        double[] second = {-0.5, 0.25};

        Optimizer byNorm = optimizer(name, Map.of("learning_rate", learningRate, "clipnorm", 1));
        Optimizer byValue = optimizer(name, Map.of("learning_rate", learningRate, "clipvalue", 1));
        Optimizer plainNorm = optimizer(name, Map.of("learning_rate", learningRate));
        Optimizer plainValue = optimizer(name, Map.of("learning_rate", learningRate));
        Variable a = var(0.3, -0.2);
        Variable b = var(0.3, -0.2);
        Variable c = var(0.3, -0.2);
        Variable d = var(0.3, -0.2);

        step(byNorm, grad(100, 100), a);
        step(byNorm, grad(second), a);
        step(plainNorm, grad(s, s), b);
        step(plainNorm, grad(second), b);
        assertAllClose(values(b), a, 1e-6, 1e-6, name + " clipnorm=1 vs pre-clipped gradients");

        step(byValue, grad(100, -3), c);
        step(byValue, grad(second), c);
        step(plainValue, grad(1, -1), d);
        step(plainValue, grad(second), d);
        assertAllClose(values(d), c, 1e-6, 1e-6, name + " clipvalue=1 vs pre-clipped gradients");
    }

    /** Runs one variable through a gradient sequence, checking every step. */
    void trajectory(Optimizer o, double[] w0, double[][] grads, double[][] want, double tol,
            String what) {
        Variable w = var(w0);
        for (int t = 0; t < want.length; t++) {
            step(o, grad(grads[t]), w);
            assertAllClose(want[t], w, tol, tol, what + " step " + (t + 1));
        }
        assertEquals(want.length, o.iterations(), what + " iterations");
    }

    /** The gradient sequence of AdamTest, reused for other optimizers' trajectories. */
    static final double[][] GRADS = {{0.5, -1.0, 2.0, 0.0}, {0.25, 1.0, -2.0, 3.0},
        {1.0, -0.5, 0.5, -3.0}, {-0.5, 0.25, 4.0, 1.0}, {0.1, 0.1, -0.1, 0.5}};
    static final double[] W0 = {1.0, -1.0, 0.5, 2.0};
}

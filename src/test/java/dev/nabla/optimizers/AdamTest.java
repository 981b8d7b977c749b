package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Tensor;
import dev.nabla.Variable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 adam_test.py (single step, golden amsgrad trajectory, config) with Keras's tolerances,
 * and multi-step trajectories from Keras's update rule (adam.py) evaluated in float32 as Keras
 * does it, beta powers included:
 *
 * <pre>
 *   t = iterations + 1;  b1t = float32(beta_1)^t;  b2t = float32(beta_2)^t
 *   alpha = lr * sqrt(1 - b2t) / (1 - b1t)
 *   m += (g - m) (1 - beta_1);  v += (g^2 - v) (1 - beta_2)
 *   amsgrad: vhat = max(vhat, v), v = vhat
 *   w -= alpha m / (sqrt(v) + epsilon)
 * </pre>
 *
 * The expected values below are that rule run in float32 (they agree with a float64 run to
 * 1e-7), compared with Keras's default assertAllClose tolerance atol = rtol = 1e-6.
 */
class AdamTest extends KerasOptimizerCase {

    @Test
    void singleStep() {
        Optimizer adam = optimizer("adam", Map.of("learning_rate", 0.5));
        Variable w = var(1, 2, 3, 4);
        step(adam, grad(1, 6, 7, 2), w);
        assertAllClose(new double[] {0.5, 1.5, 2.5, 3.5}, w, 1e-4, 1e-4, "w");
        assertEquals(1, adam.iterations());
    }

    @Test
    void singleStepToFloat32Precision() {
        // the same step with Keras's epsilon 1e-7 visible: 0.5 g / (|g| + 1e-7) per element
        Optimizer adam = optimizer("adam", Map.of("learning_rate", 0.5));
        Variable w = var(1, 2, 3, 4);
        step(adam, grad(1, 6, 7, 2), w);
        assertAllClose(new double[] {0.50000155, 1.50000036, 2.50000024, 3.50000072}, w, 1e-6,
            1e-6, "w");
    }

    @Test
    void correctnessWithGolden() {
        Optimizer adam = optimizer("adam", Map.of("amsgrad", true));
        Variable x = var(full(10, 1.0));
        Tensor grads = grad(arangeTenths());
        double[] golden = {0.999, 0.9982, 0.9974, 0.9965, 0.9955};
        step(adam, grad(full(10, 0.01)), x);
        for (int i = 0; i < 5; i++) {
            assertAllClose(full(10, golden[i]), x, 5e-4, 5e-4, "golden step " + i);
            step(adam, grads, x);
        }
        assertEquals(6, adam.iterations());
    }

    @Test
    void configRoundTrip() {
        // Keras's test_config arguments
        Optimizer adam = optimizer("adam", Map.of("learning_rate", 0.5, "beta_1", 0.5,
            "beta_2", 0.67, "epsilon", 1e-5, "amsgrad", true));
        Map<String, Object> config = adam.config();
        assertEquals(0.5f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(0.5f, ((Number) config.get("beta_1")).floatValue());
        assertEquals(0.67f, ((Number) config.get("beta_2")).floatValue());
        assertEquals(1e-5f, ((Number) config.get("epsilon")).floatValue());
        assertEquals(true, config.get("amsgrad"));
        assertEquals(config, optimizer("adam", config).config());
        assertEquals("adam", adam.name());
    }

    @Test
    void defaultsAreKeras() {
        Map<String, Object> config = optimizer("adam", Map.of()).config();
        assertEquals(0.001f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(0.9f, ((Number) config.get("beta_1")).floatValue());
        assertEquals(0.999f, ((Number) config.get("beta_2")).floatValue());
        assertEquals(1e-7f, ((Number) config.get("epsilon")).floatValue());
        assertEquals(false, config.get("amsgrad"));
    }

    private static final double[][] GRADS = {{0.5, -1.0, 2.0, 0.0}, {0.25, 1.0, -2.0, 3.0},
        {1.0, -0.5, 0.5, -3.0}, {-0.5, 0.25, 4.0, 1.0}, {0.1, 0.1, -0.1, 0.5}};

    @Test
    void fiveStepsFromTheFormula() {
        double[][] want = {
            {0.990000069, -0.99000001, 0.49000001, 2.0},
            {0.98067838, -0.990526319, 0.490526319, 1.99255872},
            {0.971587539, -0.988779068, 0.489814103, 1.99301052},
            {0.967089236, -0.988323808, 0.484751761, 1.99203658},
            {0.962863803, -0.988298357, 0.480584681, 1.99059641}};
        Optimizer adam = optimizer("adam", Map.of("learning_rate", 0.01));
        Variable w = var(1.0, -1.0, 0.5, 2.0);
        for (int t = 0; t < want.length; t++) {
            step(adam, grad(GRADS[t]), w);
            assertAllClose(want[t], w, 1e-6, 1e-6, "adam step " + (t + 1));
        }
        assertEquals(5, adam.iterations());
    }

    /** A large first gradient, then small ones: with beta_2 = 0.5 v collapses, vhat does not. */
    private static final double[][] DECAYING = {{10, -10, 1, 0.5}, {0.1, 0.1, 0.1, 0.1},
        {0.1, -0.1, 0.01, 0.5}, {0.01, 0.01, 0.01, 0.01}};

    @Test
    void amsgradKeepsTheLargestVelocity() {
        double[][] want = {
            {-0.100000009, 0.100000009, 0.900000036, -1.10000002},
            {-0.158658832, 0.157369629, 0.835539818, -1.17090631},
            {-0.199126124, 0.196958274, 0.791118562, -1.25710499},
            {-0.228873402, 0.225980878, 0.758110285, -1.32109106}};
        Optimizer adam = optimizer("adam",
            Map.of("learning_rate", 0.1, "beta_2", 0.5, "amsgrad", true));
        Variable w = var(0, 0, 1, -1);
        for (int t = 0; t < want.length; t++) {
            step(adam, grad(DECAYING[t]), w);
            assertAllClose(want[t], w, 1e-6, 1e-6, "amsgrad step " + (t + 1));
        }
    }

    @Test
    void withoutAmsgradTheSameRunDiverges() {
        double[][] want = {
            {-0.100000009, 0.100000009, 0.900000036, -1.10000002},
            {-0.182947829, 0.181124806, 0.809737682, -1.19649124},
            {-0.263858169, 0.260278344, 0.721787691, -1.28268993},
            {-0.347970605, 0.342341721, 0.629400373, -1.3731513}};
        Optimizer adam = optimizer("adam", Map.of("learning_rate", 0.1, "beta_2", 0.5));
        Variable w = var(0, 0, 1, -1);
        for (int t = 0; t < want.length; t++) {
            step(adam, grad(DECAYING[t]), w);
            assertAllClose(want[t], w, 1e-6, 1e-6, "adam step " + (t + 1));
        }
        assertTrue(Math.abs(w.toFloatArray()[0] - -0.228873402) > 0.1,
            "amsgrad must make a difference here");
    }

    @Test
    void kerasConfigArgumentsOverThreeSteps() {
        // test_config's lr 0.5, beta_1 0.5, beta_2 0.67, epsilon 1e-5, amsgrad, run for 3 steps
        double[][] want = {
            {0.500008702, 1.50000143, 2.50000119, 3.50000429},
            {0.666673124, 1.24872458, 2.16154647, 3.75208712},
            {0.666673124, 1.40468597, 1.93874431, 3.75208712}};
        double[][] grads = {{1.0, 6.0, 7.0, 2.0}, {-1.0, 0.5, 2.0, -3.0}, {0.25, -4.0, 1.0, 1.0}};
        Optimizer adam = optimizer("adam", Map.of("learning_rate", 0.5, "beta_1", 0.5,
            "beta_2", 0.67, "epsilon", 1e-5, "amsgrad", true));
        Variable w = var(1, 2, 3, 4);
        for (int t = 0; t < want.length; t++) {
            step(adam, grad(grads[t]), w);
            assertAllClose(want[t], w, 1e-6, 1e-6, "step " + (t + 1));
        }
    }

    @Test
    void variablesUpdatedTogetherShareOneStepCount() {
        // Two variables in one apply_gradients call: one iteration, the same bias correction for
        // both, so each moves exactly as it would alone.
        Optimizer together = optimizer("adam", Map.of("learning_rate", 0.01));
        Optimizer alone = optimizer("adam", Map.of("learning_rate", 0.01));
        Variable a = var(1.0, -1.0, 0.5, 2.0);
        Variable b = var(3, -3);
        Variable solo = var(3, -3);
        for (double[] g : GRADS) {
            together.applyGradients(List.of(grad(g), grad(g[0], g[1])), List.of(a, b));
            step(alone, grad(g[0], g[1]), solo);
        }
        assertEquals(5, together.iterations());
        assertAllClose(new double[] {0.962863803, -0.988298357, 0.480584681, 1.99059641}, a, 1e-6,
            1e-6, "a");
        float[] s = solo.toFloatArray();
        assertAllClose(new double[] {s[0], s[1]}, b, 0, 0, "b, updated with a");
    }

    @Test
    void invalidValuesAreRejectedNamingTheKey() {
        rejects(() -> Optimizers.get("adam", Map.of("learning_rate", -0.001)), "learning_rate");
        rejects(() -> Optimizers.get("adam", Map.of("beta_1", 1.5)), "beta_1");
        rejects(() -> Optimizers.get("adam", Map.of("beta_2", -0.1)), "beta_2");
        rejects(() -> Optimizers.get("adam", Map.of("epsilon", -1e-7)), "epsilon");
        rejects(() -> Optimizers.get("adam", Map.of("amsgrad", "true")), "amsgrad");
    }

    @Test
    void weightDecay() {
        kerasWeightDecay("adam");
    }

    @Test
    void clipNormAndClipValue() {
        kerasClipping("adam", 0.1);
    }

    @Test
    void argumentsOfOtherOptimizersAreRejectedNamingTheKey() {
        for (String key : new String[] {"momentum", "nesterov", "rho", "centered"}) {
            rejects(() -> Optimizers.get("adam", Map.of(key, 0.5)), key);
        }
    }
}

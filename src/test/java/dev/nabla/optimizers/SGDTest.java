package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.Tensor;
import dev.nabla.Variable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 sgd_test.py (single step, golden trajectory, config) with Keras's tolerances, and
 * momentum / nesterov trajectories worked by hand in double from Keras's rule
 * (m = momentum m - lr g; w += m, or with nesterov w += momentum m - lr g), compared with
 * Keras's default assertAllClose tolerance (atol = rtol = 1e-6).
 */
class SGDTest extends KerasOptimizerCase {

    @Test
    void singleStep() {
        Optimizer sgd = optimizer("sgd", Map.of("learning_rate", 0.5));
        Variable w = var(1, 2, 3, 4);
        step(sgd, grad(1, 6, 7, 2), w);
        assertAllClose(new double[] {0.5, -1.0, -0.5, 3.0}, w, 1e-4, 1e-4, "w");
        // Keras: optimizer.variables are [iterations, learning_rate] = [1, 0.5]
        assertEquals(1, sgd.iterations());
        assertEquals(0.5f, sgd.learningRate());
    }

    @Test
    void correctnessWithGolden() {
        // SGD(nesterov=True) with the default momentum 0 and learning rate 0.01
        double[][] golden = {
            {0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999},
            {0.9989, 0.9979, 0.9969, 0.9959, 0.9949, 0.9939, 0.9929, 0.9919, 0.9909, 0.9899},
            {0.9979, 0.9959, 0.9939, 0.9919, 0.9899, 0.9879, 0.9859, 0.9839, 0.9819, 0.9799},
            {0.9969, 0.9939, 0.9909, 0.9879, 0.9849, 0.9819, 0.9789, 0.9759, 0.9729, 0.9699},
            {0.9959, 0.9919, 0.9879, 0.9839, 0.9799, 0.9759, 0.9719, 0.9679, 0.9639, 0.9599}};
        Optimizer sgd = optimizer("SGD", Map.of("nesterov", true));
        Variable x = var(full(10, 1.0));
        Tensor grads = grad(arangeTenths());
        step(sgd, grad(full(10, 0.01)), x);
        for (int i = 0; i < 5; i++) {
            assertAllClose(golden[i], x, 5e-4, 5e-4, "golden step " + i);
            step(sgd, grads, x);
        }
        assertEquals(6, sgd.iterations());
    }

    @Test
    void configRoundTrip() {
        // Keras's test_config arguments
        Optimizer sgd = optimizer("sgd", Map.of("learning_rate", 0.5, "momentum", 0.06,
            "nesterov", true, "weight_decay", 0.004));
        Map<String, Object> config = sgd.config();
        assertEquals(0.004f, ((Number) config.get("weight_decay")).floatValue());
        assertEquals(0.5f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(0.06f, ((Number) config.get("momentum")).floatValue());
        assertEquals(true, config.get("nesterov"));
        assertEquals(config, optimizer("sgd", config).config());
        assertEquals("sgd", sgd.name());
    }

    private static final double[][] GRADS = {{1.0, -2.0, 0.5}, {0.5, 1.0, -1.5},
        {-0.25, 0.75, 2.0}};

    @Test
    void momentumAndNesterovThreeStepsByHand() {
        // lr 0.1, momentum 0.9, w0 = [1, 2, 3]
        // step 1: m = -0.1 g1 = [-0.1, 0.2, -0.05]; w += 0.9 m - 0.1 g1 = [-0.19, 0.38, -0.095]
        // step 2: m = 0.9 m - 0.1 g2 = [-0.14, 0.08, 0.105]; w += [-0.176, -0.028, 0.2445]
        // step 3: m = 0.9 m - 0.1 g3 = [-0.101, -0.003, -0.1055]; w += [-0.0659, -0.0777, -0.29495]
        double[][] want = {{0.81, 2.38, 2.905}, {0.634, 2.352, 3.1495},
            {0.5681, 2.2743, 2.85455}};
        Optimizer sgd = optimizer("sgd",
            Map.of("learning_rate", 0.1, "momentum", 0.9, "nesterov", true));
        Variable w = var(1, 2, 3);
        for (int t = 0; t < 3; t++) {
            step(sgd, grad(GRADS[t]), w);
            assertAllClose(want[t], w, 1e-6, 1e-6, "nesterov step " + (t + 1));
        }
        assertEquals(3, sgd.iterations());
    }

    @Test
    void momentumWithoutNesterovThreeStepsByHand() {
        // same m as above; w += m: [-0.1, 0.2, -0.05], [-0.14, 0.08, 0.105], [-0.101, -0.003,
        // -0.1055]
        double[][] want = {{0.9, 2.2, 2.95}, {0.76, 2.28, 3.055}, {0.659, 2.277, 2.9495}};
        Optimizer sgd = optimizer("sgd", Map.of("learning_rate", 0.1, "momentum", 0.9));
        Variable w = var(1, 2, 3);
        for (int t = 0; t < 3; t++) {
            step(sgd, grad(GRADS[t]), w);
            assertAllClose(want[t], w, 1e-6, 1e-6, "momentum step " + (t + 1));
        }
    }

    @Test
    void nesterovWithoutMomentumIsPlainSgd() {
        Optimizer a = optimizer("sgd", Map.of("learning_rate", 0.1, "nesterov", true));
        Optimizer b = optimizer("sgd", Map.of("learning_rate", 0.1));
        Variable wa = var(1, 2, 3);
        Variable wb = var(1, 2, 3);
        for (double[] g : GRADS) {
            step(a, grad(g), wa);
            step(b, grad(g), wb);
        }
        // by hand: w - 0.1 (g1 + g2 + g3) = [1 - 0.125, 2 + 0.025, 3 - 0.1]
        assertAllClose(new double[] {0.875, 2.025, 2.9}, wa, 1e-6, 1e-6, "nesterov, momentum 0");
        assertAllClose(new double[] {0.875, 2.025, 2.9}, wb, 1e-6, 1e-6, "plain");
    }

    @Test
    void momentumIsKeptPerVariable() {
        Optimizer sgd = optimizer("sgd", Map.of("learning_rate", 0.1, "momentum", 0.9));
        Variable a = var(1, 2, 3);
        Variable b = var(0, 0);
        for (int t = 0; t < 3; t++) {
            sgd.applyGradients(List.of(grad(GRADS[t]), grad(1, -1)),
                List.of(a, b));
        }
        assertAllClose(new double[] {0.659, 2.277, 2.9495}, a, 1e-6, 1e-6, "a");
        // b: m = -0.1, -0.19, -0.271 (and the negatives); w = sum of m
        assertAllClose(new double[] {-0.561, 0.561}, b, 1e-6, 1e-6, "b");
        assertEquals(3, sgd.iterations());
    }

    @Test
    void defaultLearningRateIsKeras() {
        assertEquals(0.01f, optimizer("sgd", Map.of()).learningRate());
    }

    @Test
    void invalidValuesAreRejectedNamingTheKey() {
        rejects(() -> Optimizers.get("sgd", Map.of("learning_rate", -0.1)), "learning_rate");
        // Keras: "`momentum` must be a float between [0, 1]."
        rejects(() -> Optimizers.get("sgd", Map.of("momentum", -0.1)), "momentum");
        rejects(() -> Optimizers.get("sgd", Map.of("momentum", 1.5)), "momentum");
        rejects(() -> Optimizers.get("sgd", Map.of("nesterov", "yes")), "nesterov");
        rejects(() -> Optimizers.get("sgd", Map.of("learning_rate", "fast")), "learning_rate");
    }

    @Test
    void weightDecay() {
        kerasWeightDecay("sgd");
    }

    @Test
    void clipNormAndClipValue() {
        kerasClipping("sgd", 0.1);
    }

    @Test
    void weightDecayWithMomentumByHand() {
        // Keras applies w -= w * weight_decay * lr before the update step.
        // lr 0.1, wd 0.5, momentum 0.9, g = 1, w0 = 2:
        // step 1: w = 2 - 0.1 = 1.9; m = -0.1; w = 1.8
        // step 2: w = 1.8 - 0.09 = 1.71; m = -0.09 - 0.1 = -0.19; w = 1.52
        Optimizer sgd = optimizer("sgd",
            Map.of("learning_rate", 0.1, "momentum", 0.9, "weight_decay", 0.5));
        Variable w = var(2.0);
        step(sgd, grad(1.0), w);
        assertAllClose(new double[] {1.8}, w, 1e-6, 1e-6, "step 1");
        step(sgd, grad(1.0), w);
        assertAllClose(new double[] {1.52}, w, 1e-6, 1e-6, "step 2");
    }
}

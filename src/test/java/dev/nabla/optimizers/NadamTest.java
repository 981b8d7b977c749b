package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.Variable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 nadam_test.py with Keras's tolerances, and trajectories of Keras's rule (nadam.py)
 * run in float32:
 *
 * <pre>
 *   once per apply_gradients call: u_product *= beta_1 (1 - 0.5 0.96^(iterations + 1))
 *   per variable: t = iterations + 1
 *     u_t = beta_1 (1 - 0.5 0.96^t);  u_t1 = beta_1 (1 - 0.5 0.96^(t + 1))
 *     m += (g - m) (1 - beta_1);  v += (g^2 - v) (1 - beta_2)
 *     m_hat = u_t1 m / (1 - u_product u_t1) + (1 - u_t) g / (1 - u_product)
 *     v_hat = v / (1 - beta_2^t)
 *     w -= lr m_hat / (sqrt(v_hat) + epsilon)
 * </pre>
 */
class NadamTest extends KerasOptimizerCase {

    @Test
    void singleStep() {
        kerasSingleStep("nadam", 0.4686, 1.4686, 2.4686, 3.4686);
    }

    @Test
    void weightDecay() {
        kerasWeightDecay("nadam");
    }

    @Test
    void correctnessWithGolden() {
        double[][] golden = {
            {0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281},
            {-0.1738, -0.1731, -0.1726, -0.1723, -0.1721, -0.172, -0.1719, -0.1718, -0.1718,
                -0.1717},
            {-0.7115, -0.7103, -0.7096, -0.7092, -0.709, -0.7088, -0.7086, -0.7085, -0.7085,
                -0.7084},
            {-1.2335, -1.2322, -1.2313, -1.2309, -1.2306, -1.2304, -1.2302, -1.2301, -1.23,
                -1.2299},
            {-1.7492, -1.7478, -1.7469, -1.7464, -1.7461, -1.7459, -1.7457, -1.7456, -1.7455,
                -1.7454}};
        kerasGolden("nadam", Map.of("learning_rate", 0.5, "beta_1", 0.5, "beta_2", 0.67,
            "epsilon", 1e-5), golden);
    }

    @Test
    void clipNormAndClipValue() {
        kerasClipping("nadam", 0.1);
    }

    @Test
    void configRoundTrip() {
        // Keras's test_config arguments
        Optimizer o = optimizer("nadam", Map.of("learning_rate", 0.5, "beta_1", 0.5,
            "beta_2", 0.67, "epsilon", 1e-5));
        Map<String, Object> config = o.config();
        assertEquals(0.5f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(0.5f, ((Number) config.get("beta_1")).floatValue());
        assertEquals(0.67f, ((Number) config.get("beta_2")).floatValue());
        assertEquals(1e-5f, ((Number) config.get("epsilon")).floatValue());
        assertEquals(config, optimizer("nadam", config).config());
        assertEquals("nadam", o.name());
    }

    @Test
    void defaultsAreKeras() {
        Map<String, Object> config = optimizer("nadam", Map.of()).config();
        assertEquals(0.001f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(0.9f, ((Number) config.get("beta_1")).floatValue());
        assertEquals(0.999f, ((Number) config.get("beta_2")).floatValue());
        assertEquals(1e-7f, ((Number) config.get("epsilon")).floatValue());
    }

    private static final double[][] WANT = {
        {0.8937212228775024, -0.8937212228775024, 0.39372122287750244, 2.0},
        {0.8415632247924805, -0.9608843326568604, 0.46088430285453796, 1.8978331089019775},
        {0.7430321574211121, -0.9258139133453369, 0.4428669810295105, 1.9673465490341187},
        {0.775507390499115, -0.9418078660964966, 0.35006260871887207, 1.9419913291931152},
        {0.7572659254074097, -0.9488276243209839, 0.3427397608757019, 1.9264171123504639}};

    @Test
    void fiveSteps() {
        trajectory(optimizer("nadam", Map.of("learning_rate", 0.1)), W0, GRADS, WANT, 1e-6,
            "nadam");
    }

    @Test
    void uProductAdvancesOncePerCallNotPerVariable() {
        // Keras updates u_product in _backend_update_step, once for all variables. Advancing it
        // per variable would give b = [2.8065, -2.9715] here instead of [2.7573, -2.9488].
        Optimizer together = optimizer("nadam", Map.of("learning_rate", 0.1));
        Variable a = var(W0);
        Variable b = var(3, -3);
        for (double[] g : GRADS) {
            together.applyGradients(List.of(grad(g), grad(g[0], g[1])), List.of(a, b));
        }
        assertEquals(5, together.iterations());
        assertAllClose(WANT[4], a, 1e-6, 1e-6, "a");
        assertAllClose(new double[] {2.7572662830352783, -2.9488275051116943}, b, 1e-6, 1e-6,
            "b");
    }

    @Test
    void gradientAccumulationStepsOnTheMeans() {
        // steps 2: Nadam runs on calls 2 and 4 with the mean gradients, t = 1 and 2, and
        // u_product advances only on those calls
        Optimizer o = optimizer("nadam", Map.of("learning_rate", 0.1,
            "gradient_accumulation_steps", 2));
        Variable w = var(W0);
        double[] afterFirst = {0.8937212228775024, -1.0, 0.5, 1.8937212228775024};
        double[][] want = {W0, afterFirst, afterFirst,
            {0.8310304284095764, -0.8978332281112671, 0.3978331387042999, 1.944413661956787}};
        for (int t = 0; t < 4; t++) {
            step(o, grad(GRADS[t]), w);
            assertAllClose(want[t], w, 1e-6, 1e-6, "after call " + (t + 1));
        }
        assertEquals(2, o.iterations());
    }
}

package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 lion_test.py with Keras's tolerances, and a trajectory of Keras's rule (lion.py):
 *
 * <pre>
 *   w -= lr sign(beta_1 m + (1 - beta_1) g)
 *   m = beta_2 m + (1 - beta_2) g
 * </pre>
 */
class LionTest extends KerasOptimizerCase {

    @Test
    void invalidBeta1() {
        // Keras: "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer
        // degenerates to SignSGD. Received: beta_1=..." for -0.1, 0.0 and 1.1
        for (double bad : new double[] {-0.1, 0.0, 1.1}) {
            rejects(() -> Optimizers.get("lion", Map.of("beta_1", bad)), "beta_1");
        }
        optimizer("lion", Map.of("beta_1", 1.0));
    }

    @Test
    void singleStep() {
        kerasSingleStep("lion", 0.5, 1.5, 2.5, 3.5);
    }

    @Test
    void weightDecay() {
        kerasWeightDecay("lion");
    }

    @Test
    void correctnessWithGolden() {
        kerasGolden("lion", Map.of(), tiled(0.999, 0.998, 0.997, 0.996, 0.995));
    }

    @Test
    void clipNormAndClipValue() {
        kerasClipping("lion", 0.1);
    }

    @Test
    void configRoundTrip() {
        // Keras's test_config arguments
        Optimizer o = optimizer("lion", Map.of("learning_rate", 0.5, "beta_1", 0.5,
            "beta_2", 0.67));
        Map<String, Object> config = o.config();
        assertEquals(0.5f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(0.5f, ((Number) config.get("beta_1")).floatValue());
        assertEquals(0.67f, ((Number) config.get("beta_2")).floatValue());
        assertEquals(config, optimizer("lion", config).config());
        assertEquals("lion", o.name());
    }

    @Test
    void defaultsAreKeras() {
        Map<String, Object> config = optimizer("lion", Map.of()).config();
        assertEquals(0.001f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(0.9f, ((Number) config.get("beta_1")).floatValue());
        assertEquals(0.99f, ((Number) config.get("beta_2")).floatValue());
    }

    @Test
    void fiveStepsWithSignChanges() {
        // by hand with beta_1 0.5, beta_2 0.9: the sign uses the old momentum; sign(0) = 0
        double[][] want = {
            {0.9, -0.9, 0.4, 2.0},
            {0.8, -1.0, 0.5, 1.9},
            {0.7, -0.9, 0.4, 2.0},
            {0.8, -1.0, 0.3, 1.9},
            {0.7, -1.1, 0.2, 1.8}};
        trajectory(optimizer("lion", Map.of("learning_rate", 0.1, "beta_1", 0.5,
            "beta_2", 0.9)), W0, GRADS, want, 1e-6, "lion");
    }
}

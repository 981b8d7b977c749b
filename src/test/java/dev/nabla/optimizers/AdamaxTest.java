package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 adamax_test.py with Keras's tolerances, and a trajectory of Keras's rule (adamax.py)
 * run in float32:
 *
 * <pre>
 *   t = iterations + 1
 *   m += (g - m) (1 - beta_1);  u = max(beta_2 u, |g|)
 *   w -= lr m / ((1 - beta_1^t) (u + epsilon))
 * </pre>
 */
class AdamaxTest extends KerasOptimizerCase {

    @Test
    void singleStep() {
        kerasSingleStep("adamax", 0.5, 1.5, 2.5, 3.5);
    }

    @Test
    void weightDecay() {
        kerasWeightDecay("adamax");
    }

    @Test
    void correctnessWithGolden() {
        double[][] golden = {
            {0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8},
            {0.6827, 0.6873, 0.6888, 0.6896, 0.6901, 0.6904, 0.6906, 0.6908, 0.6909, 0.691},
            {0.5333, 0.5407, 0.5431, 0.5444, 0.5451, 0.5456, 0.546, 0.5462, 0.5464, 0.5466},
            {0.368, 0.3773, 0.3804, 0.382, 0.3829, 0.3835, 0.384, 0.3843, 0.3846, 0.3848},
            {0.1933, 0.204, 0.2076, 0.2094, 0.2105, 0.2112, 0.2117, 0.2121, 0.2124, 0.2126}};
        kerasGolden("adamax", Map.of("learning_rate", 0.2, "beta_1", 0.85, "beta_2", 0.95,
            "epsilon", 1e-6), golden);
    }

    @Test
    void clipNormAndClipValue() {
        kerasClipping("adamax", 0.1);
    }

    @Test
    void configRoundTrip() {
        // Keras's test_config arguments
        Optimizer o = optimizer("adamax", Map.of("learning_rate", 0.5, "beta_1", 0.8,
            "beta_2", 0.95, "epsilon", 1e-5));
        Map<String, Object> config = o.config();
        assertEquals(0.5f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(0.8f, ((Number) config.get("beta_1")).floatValue());
        assertEquals(0.95f, ((Number) config.get("beta_2")).floatValue());
        assertEquals(1e-5f, ((Number) config.get("epsilon")).floatValue());
        assertEquals(config, optimizer("adamax", config).config());
        assertEquals("adamax", o.name());
    }

    @Test
    void defaultsAreKeras() {
        Map<String, Object> config = optimizer("adamax", Map.of()).config();
        assertEquals(0.001f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(0.9f, ((Number) config.get("beta_1")).floatValue());
        assertEquals(0.999f, ((Number) config.get("beta_2")).floatValue());
        assertEquals(1e-7f, ((Number) config.get("epsilon")).floatValue());
    }

    @Test
    void fiveSteps() {
        double[][] want = {
            {0.8999999761581421, -0.8999999761581421, 0.3999999761581421, 2.0},
            {0.8197530508041382, -0.9111111164093018, 0.41111108660697937, 1.9444444179534912},
            {0.757457971572876, -0.8956283926963806, 0.4070127308368683, 1.9526411294937134},
            {0.7305082678794861, -0.8947083353996277, 0.37191787362098694, 1.9461170434951782},
            {0.7057992815971375, -0.898070752620697, 0.34534984827041626, 1.9349035024642944}};
        trajectory(optimizer("adamax", Map.of("learning_rate", 0.1, "beta_1", 0.8,
            "beta_2", 0.9)), W0, GRADS, want, 1e-6, "adamax");
    }
}

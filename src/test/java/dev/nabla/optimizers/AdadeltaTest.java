package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 adadelta_test.py with Keras's tolerances, and a trajectory of Keras's rule
 * (adadelta.py) run in float32:
 *
 * <pre>
 *   rms(x) = sqrt(x + epsilon)
 *   Eg = rho Eg + (1 - rho) g^2
 *   delta = -rms(Edx) g / rms(Eg)
 *   Edx = rho Edx + (1 - rho) delta^2
 *   w += lr delta
 * </pre>
 */
class AdadeltaTest extends KerasOptimizerCase {

    @Test
    void singleStep() {
        kerasSingleStep("adadelta", 0.9993, 1.9993, 2.9993, 3.9993);
    }

    @Test
    void weightDecay() {
        kerasWeightDecay("adadelta");
    }

    @Test
    void correctnessWithGolden() {
        kerasGolden("adadelta", Map.of("learning_rate", 1.0, "rho", 0.8, "epsilon", 1e-6),
            tiled(0.9978, 0.9947, 0.9915, 0.9882, 0.9849));
    }

    @Test
    void clipNormAndClipValue() {
        kerasClipping("adadelta", 1.0);
    }

    @Test
    void configRoundTrip() {
        // Keras's test_config arguments
        Optimizer o = optimizer("adadelta",
            Map.of("learning_rate", 0.5, "rho", 0.9, "epsilon", 1e-5));
        Map<String, Object> config = o.config();
        assertEquals(0.5f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(0.9f, ((Number) config.get("rho")).floatValue());
        assertEquals(1e-5f, ((Number) config.get("epsilon")).floatValue());
        assertEquals(config, optimizer("adadelta", config).config());
        assertEquals("adadelta", o.name());
    }

    @Test
    void defaultsAreKeras() {
        Map<String, Object> config = optimizer("adadelta", Map.of()).config();
        assertEquals(0.001f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(0.95f, ((Number) config.get("rho")).floatValue());
        assertEquals(1e-7f, ((Number) config.get("epsilon")).floatValue());
    }

    @Test
    void fiveSteps() {
        double[][] want = {
            {0.9554564356803894, -0.9553232789039612, 0.4552898108959198, 2.0},
            {0.9192069172859192, -1.0069029331207275, 0.5069145560264587, 1.9552836418151855},
            {0.8565187454223633, -0.9693291187286377, 0.48604661226272583, 2.0069167613983154},
            {0.9035985469818115, -0.9934179782867432, 0.4238063097000122, 1.979882001876831},
            {0.8907668590545654, -1.0053867101669312, 0.4266243278980255, 1.9632550477981567}};
        trajectory(optimizer("adadelta", Map.of("learning_rate", 1.0, "rho", 0.5,
            "epsilon", 1e-3)), W0, GRADS, want, 1e-6, "adadelta");
    }
}

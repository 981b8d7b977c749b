package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 rmsprop_test.py with Keras's tolerances, and trajectories of Keras's rule
 * (rmsprop.py) run in float32 for the combinations Keras leaves untested:
 *
 * <pre>
 *   v = rho v + (1 - rho) g^2
 *   centered: a = rho a + (1 - rho) g;  denominator = v - a^2 + epsilon
 *   else:     denominator = v + epsilon
 *   increment = lr g / sqrt(denominator)
 *   momentum > 0: m = momentum m + increment; w -= m
 *   else:         w -= increment
 * </pre>
 */
class RMSpropTest extends KerasOptimizerCase {

    @Test
    void singleStep() {
        kerasSingleStep("rmsprop", -0.5811, 0.4189, 1.4189, 2.4189);
    }

    @Test
    void weightDecay() {
        kerasWeightDecay("rmsprop");
    }

    @Test
    void correctnessWithGolden() {
        kerasGolden("rmsprop", Map.of("centered", true),
            tiled(0.9967, 0.9933, 0.9908, 0.9885, 0.9864));
    }

    @Test
    void clipNormAndClipValue() {
        kerasClipping("rmsprop", 0.1);
    }

    @Test
    void configRoundTrip() {
        // Keras's test_config arguments
        Optimizer o = optimizer("rmsprop", Map.of("learning_rate", 0.5, "rho", 0.8,
            "momentum", 0.05, "epsilon", 1e-6, "centered", true));
        Map<String, Object> config = o.config();
        assertEquals(0.5f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(0.8f, ((Number) config.get("rho")).floatValue());
        assertEquals(0.05f, ((Number) config.get("momentum")).floatValue());
        assertEquals(1e-6f, ((Number) config.get("epsilon")).floatValue());
        assertEquals(true, config.get("centered"));
        assertEquals(config, optimizer("rmsprop", config).config());
        assertEquals("rmsprop", o.name());
    }

    @Test
    void defaultsAreKeras() {
        Map<String, Object> config = optimizer("rmsprop", Map.of()).config();
        assertEquals(0.001f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(0.9f, ((Number) config.get("rho")).floatValue());
        assertEquals(0f, ((Number) config.get("momentum")).floatValue());
        assertEquals(1e-7f, ((Number) config.get("epsilon")).floatValue());
        assertEquals(false, config.get("centered"));
    }

    @Test
    void rhoRejectsOutOfRangeValues() {
        for (double bad : new double[] {-0.1, 1.1, 2.0}) {
            rejects(() -> Optimizers.get("rmsprop", Map.of("learning_rate", 0.1, "rho", bad)),
                "rho");
        }
        optimizer("rmsprop", Map.of("learning_rate", 0.1, "rho", 0.0));
        optimizer("rmsprop", Map.of("learning_rate", 0.1, "rho", 1.0));
    }

    @Test
    void momentumRejectsOutOfRangeValues() {
        for (double bad : new double[] {-0.1, 1.1, 2.0}) {
            rejects(() -> Optimizers.get("rmsprop",
                Map.of("learning_rate", 0.1, "momentum", bad)), "momentum");
        }
        optimizer("rmsprop", Map.of("learning_rate", 0.1, "momentum", 0.0));
        optimizer("rmsprop", Map.of("learning_rate", 0.1, "momentum", 1.0));
    }

    @Test
    void epsilonRejectsNonPositiveValues() {
        for (double bad : new double[] {0, -1e-7}) {
            rejects(() -> Optimizers.get("rmsprop",
                Map.of("learning_rate", 0.1, "epsilon", bad)), "epsilon");
        }
        optimizer("rmsprop", Map.of("learning_rate", 0.1, "epsilon", 1e-12));
    }

    @Test
    void centeredWithMomentumFiveSteps() {
        double[][] want = {
            {0.9750000238418579, -0.9750000238418579, 0.4749999940395355, 2.0},
            {0.9492501020431519, -0.9792038798332214, 0.47920382022857666, 1.975000023841858},
            {0.9105193614959717, -0.9726461172103882, 0.4767427146434784, 1.9792038202285767},
            {0.9017398357391357, -0.9740676879882812, 0.4540535509586334, 1.9753093719482422},
            {0.894985020160675, -0.9768725037574768, 0.4432944059371948, 1.9700288772583008}};
        trajectory(optimizer("rmsprop", Map.of("learning_rate", 0.01, "rho", 0.8,
            "momentum", 0.5, "centered", true)), W0, GRADS, want, 1e-6, "centered+momentum");
    }

    @Test
    void momentumWithoutCenteringFiveSteps() {
        double[][] want = {
            {0.9776393175125122, -0.9776393175125122, 0.4776393175125122, 2.0},
            {0.955548107624054, -0.983125627040863, 0.4831256568431854, 1.9776393175125122},
            {0.9241746068000793, -0.9772685170173645, 0.481308251619339, 1.9831256866455078},
            {0.918618381023407, -0.979040265083313, 0.4607917070388794, 1.979884147644043},
            {0.9135865569114685, -0.9820189476013184, 0.4510813355445862, 1.974954605102539}};
        trajectory(optimizer("rmsprop", Map.of("learning_rate", 0.01, "rho", 0.8,
            "momentum", 0.5)), W0, GRADS, want, 1e-6, "momentum");
    }

    @Test
    void centeredWithoutMomentumFiveSteps() {
        double[][] want = {
            {0.9750000238418579, -0.9750000238418579, 0.4749999940395355, 2.0},
            {0.9617500901222229, -0.9917038679122925, 0.4917038083076477, 1.975000023841858},
            {0.9358943104743958, -0.9830441474914551, 0.48714080452919006, 1.9917038679122925},
            {0.9464801549911499, -0.9877445697784424, 0.46568217873573303, 1.9857075214385986},
            {0.9441150426864624, -0.9898386001586914, 0.4662676155567169, 1.9823741912841797}};
        trajectory(optimizer("rmsprop", Map.of("learning_rate", 0.01, "rho", 0.8,
            "centered", true)), W0, GRADS, want, 1e-6, "centered");
    }
}

package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.Variable;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 adamw_test.py with Keras's tolerances. Keras's AdamW is Adam with weight_decay
 * defaulting to 0.004 (and None refused); the base optimizer applies w -= w weight_decay lr
 * before Adam's step.
 */
class AdamWTest extends KerasOptimizerCase {

    @Test
    void singleStep() {
        kerasSingleStep("adamw", 0.4980, 1.4960, 2.494, 3.492);
    }

    @Test
    void weightDecay() {
        kerasWeightDecay("adamw");
    }

    @Test
    void weightDecayIsNone() {
        // Keras: "Argument `weight_decay` must be a float. Received: weight_decay=None"
        rejects(() -> Optimizers.get("adamw", cfg("learning_rate", 1.0, "weight_decay", null)),
            "weight_decay");
    }

    @Test
    void correctnessWithGolden() {
        double[][] golden = {
            {0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998},
            {0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394, 0.2382},
            {0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027, 0.1003},
            {0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294, 0.0258},
            {0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113,
                -0.0159}};
        kerasGolden("adamw", Map.of("learning_rate", 1.0, "weight_decay", 0.5, "epsilon", 2),
            golden);
    }

    @Test
    void clipNormAndClipValue() {
        kerasClipping("adamw", 0.1);
    }

    @Test
    void configRoundTrip() {
        // Keras's test_config arguments
        Optimizer o = optimizer("adamw", Map.of("learning_rate", 0.5, "weight_decay", 0.008,
            "beta_1", 0.5, "beta_2", 0.67, "epsilon", 1e-5, "amsgrad", true));
        Map<String, Object> config = o.config();
        assertEquals(0.5f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(0.008f, ((Number) config.get("weight_decay")).floatValue());
        assertEquals(0.5f, ((Number) config.get("beta_1")).floatValue());
        assertEquals(0.67f, ((Number) config.get("beta_2")).floatValue());
        assertEquals(1e-5f, ((Number) config.get("epsilon")).floatValue());
        assertEquals(true, config.get("amsgrad"));
        assertEquals(config, optimizer("adamw", config).config());
        assertEquals("adamw", o.name());
    }

    @Test
    void defaultsAreKeras() {
        Map<String, Object> config = optimizer("adamw", Map.of()).config();
        assertEquals(0.001f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(0.004f, ((Number) config.get("weight_decay")).floatValue());
        assertEquals(0.9f, ((Number) config.get("beta_1")).floatValue());
        assertEquals(0.999f, ((Number) config.get("beta_2")).floatValue());
        assertEquals(1e-7f, ((Number) config.get("epsilon")).floatValue());
        assertEquals(false, config.get("amsgrad"));
    }

    @Test
    void isAdamWithWeightDecay() {
        // AdamW(lr, weight_decay=wd) and Adam(lr, weight_decay=wd) run the same code in Keras
        Optimizer adamw = optimizer("adamw", Map.of("learning_rate", 0.1, "weight_decay", 0.1));
        Optimizer adam = optimizer("adam", Map.of("learning_rate", 0.1, "weight_decay", 0.1));
        Variable a = var(W0);
        Variable b = var(W0);
        for (double[] g : GRADS) {
            step(adamw, grad(g), a);
            step(adam, grad(g), b);
        }
        assertAllClose(values(b), a, 0, 0, "adamw vs adam + weight_decay");
    }

    @Test
    void fiveSteps() {
        // float32 run of Keras's rule. The tolerance is 1e-5: a float64 evaluation of the same
        // rule differs by up to 1.7e-6 here (float32 1 - beta_2^t at lr 0.1).
        double[][] want = {
            {0.8900012969970703, -0.8900009989738464, 0.3950008153915405, 1.9800000190734863},
            {0.7878848314285278, -0.8863641023635864, 0.3963139057159424, 1.8857872486114502},
            {0.6890979409217834, -0.8600280284881592, 0.38522860407829285, 1.8714475631713867},
            {0.6372244358062744, -0.8468750715255737, 0.3307533264160156, 1.842993974685669},
            {0.5885982513427734, -0.838151752948761, 0.28577515482902527, 1.81016206741333}};
        trajectory(optimizer("adamw", Map.of("learning_rate", 0.1, "weight_decay", 0.1)), W0,
            GRADS, want, 1e-5, "adamw");
    }
}

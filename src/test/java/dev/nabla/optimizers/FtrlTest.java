package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 ftrl_test.py with Keras's tolerances, and trajectories of Keras's rule (ftrl.py) run
 * in float32 for each regularization term alone:
 *
 * <pre>
 *   l2 = l2_regularization_strength + beta / (2 lr)
 *   g' = g + 2 l2_shrinkage_regularization_strength w
 *   n' = n + g^2                        (n starts at initial_accumulator_value)
 *   z += g' - (n'^(-p) - n^(-p)) / lr w   (p = learning_rate_power)
 *   q = n'^(-p) / lr + 2 l2
 *   w = (clip(z, -l1, l1) - z) / q;  n = n'
 * </pre>
 */
class FtrlTest extends KerasOptimizerCase {

    @Test
    void singleStep() {
        kerasSingleStep("ftrl", 0.2218, 1.3954, 2.3651, 2.8814);
    }

    @Test
    void correctnessWithGolden() {
        double[][] golden = {
            {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0},
            {-0.0034, -0.0077, -0.0118, -0.0157, -0.0194, -0.023, -0.0263, -0.0294, -0.0325,
                -0.0354},
            {-0.0078, -0.0162, -0.0242, -0.0317, -0.0387, -0.0454, -0.0516, -0.0575, -0.0631,
                -0.0685},
            {-0.0121, -0.0246, -0.0363, -0.0472, -0.0573, -0.0668, -0.0757, -0.0842, -0.0922,
                -0.0999},
            {-0.0164, -0.0328, -0.0481, -0.0623, -0.0753, -0.0875, -0.099, -0.1098, -0.1201,
                -0.1299}};
        kerasGolden("ftrl", KERAS_CONFIG, golden);
    }

    /** Keras's test_config and test_correctness_with_golden arguments. */
    private static final Map<String, Object> KERAS_CONFIG = Map.of("learning_rate", 0.05,
        "learning_rate_power", -0.2, "initial_accumulator_value", 0.4,
        "l1_regularization_strength", 0.05, "l2_regularization_strength", 0.15,
        "l2_shrinkage_regularization_strength", 0.01, "beta", 0.3);

    @Test
    void clipNormAndClipValue() {
        kerasClipping("ftrl", 0.1);
    }

    @Test
    void configRoundTrip() {
        Optimizer o = optimizer("ftrl", KERAS_CONFIG);
        Map<String, Object> config = o.config();
        for (Map.Entry<String, Object> e : KERAS_CONFIG.entrySet()) {
            assertEquals(((Number) e.getValue()).floatValue(),
                ((Number) config.get(e.getKey())).floatValue(), e.getKey());
        }
        assertEquals(config, optimizer("ftrl", config).config());
        assertEquals("ftrl", o.name());
    }

    @Test
    void defaultsAreKeras() {
        Map<String, Object> config = optimizer("ftrl", Map.of()).config();
        assertEquals(0.001f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(-0.5f, ((Number) config.get("learning_rate_power")).floatValue());
        assertEquals(0.1f, ((Number) config.get("initial_accumulator_value")).floatValue());
        assertEquals(0f, ((Number) config.get("l1_regularization_strength")).floatValue());
        assertEquals(0f, ((Number) config.get("l2_regularization_strength")).floatValue());
        assertEquals(0f,
            ((Number) config.get("l2_shrinkage_regularization_strength")).floatValue());
        assertEquals(0f, ((Number) config.get("beta")).floatValue());
    }

    @Test
    void invalidValuesAreRejectedNamingTheKey() {
        // ftrl.py's constructor checks
        rejects(() -> Optimizers.get("ftrl", Map.of("initial_accumulator_value", -0.1)),
            "initial_accumulator_value");
        rejects(() -> Optimizers.get("ftrl", Map.of("learning_rate_power", 0.1)),
            "learning_rate_power");
        rejects(() -> Optimizers.get("ftrl", Map.of("l1_regularization_strength", -0.1)),
            "l1_regularization_strength");
        rejects(() -> Optimizers.get("ftrl", Map.of("l2_regularization_strength", -0.1)),
            "l2_regularization_strength");
        rejects(() -> Optimizers.get("ftrl",
            Map.of("l2_shrinkage_regularization_strength", -0.1)),
            "l2_shrinkage_regularization_strength");
        // the boundaries are accepted
        optimizer("ftrl", Map.of("initial_accumulator_value", 0.0, "learning_rate_power", 0.0,
            "l1_regularization_strength", 0.0, "l2_regularization_strength", 0.0,
            "l2_shrinkage_regularization_strength", 0.0));
    }

    @Test
    void l1AndL2FiveSteps() {
        // the last weight's first gradient is 0, so z stays 0, inside [-l1, l1]: w becomes 0
        double[][] want = {
            {0.3093377947807312, -0.5534314513206482, 0.3023513853549957, 0.0},
            {0.27269497513771057, -0.6205843687057495, 0.37165021896362305,
                -0.08833284676074982},
            {0.19129399955272675, -0.5887974500656128, 0.3545832633972168,
                -0.018474576994776726},
            {0.22890552878379822, -0.6044889092445374, 0.2741743326187134,
                -0.04114849120378494},
            {0.22140507400035858, -0.6107528805732727, 0.2761841416358948,
                -0.05241263285279274}};
        trajectory(optimizer("ftrl", Map.of("learning_rate", 0.1,
            "l1_regularization_strength", 0.3, "l2_regularization_strength", 0.2)), W0, GRADS,
            want, 1e-6, "ftrl l1 l2");
    }

    @Test
    void shrinkageBetaAndPowerFiveSteps() {
        double[][] want = {
            {0.08542964607477188, -0.21152928471565247, 0.12537173926830292,
                -0.01790456287562847},
            {0.06581767648458481, -0.26692983508110046, 0.20888064801692963,
                -0.14048203825950623},
            {0.0041459971107542515, -0.23780548572540283, 0.18714940547943115,
                -0.03611491993069649},
            {0.03378920257091522, -0.25024640560150146, 0.0578911155462265,
                -0.070161372423172},
            {0.027662470936775208, -0.25436607003211975, 0.06092100962996483,
                -0.08695241808891296}};
        trajectory(optimizer("ftrl", Map.of("learning_rate", 0.1, "learning_rate_power", -0.3,
            "initial_accumulator_value", 0.2, "l2_shrinkage_regularization_strength", 0.05,
            "beta", 0.5)), W0, GRADS, want, 1e-6, "ftrl shrinkage beta power");
    }

    @Test
    void fixedLearningRatePowerZeroFiveSteps() {
        // learning_rate_power 0: n^0 = 1, sigma = 0, so w = -lr z: w = -lr * (sum of g)
        double[][] want = {
            {-0.05, 0.1, -0.2, 0.0},
            {-0.075, 0.0, 0.0, -0.3},
            {-0.175, 0.05, -0.05, 0.0},
            {-0.125, 0.025, -0.45, -0.1},
            {-0.135, 0.015, -0.44, -0.15}};
        trajectory(optimizer("ftrl", Map.of("learning_rate", 0.1, "learning_rate_power", 0.0)),
            W0, GRADS, want, 1e-6, "ftrl power 0");
    }

    @Test
    void weightDecayIsAppliedBeforeTheUpdate() {
        // base_optimizer: w -= w weight_decay lr, then Ftrl's step, which reads the decayed w
        // (sigma w and the shrinkage term). Without weight decay the last row would be
        // {0.25979, -0.63605, 0.29079, -0.12537}.
        double[][] want = {
            {0.35957327485084534, -0.5867182016372681, 0.31647637486457825,
                -0.0626130998134613},
            {0.3148222267627716, -0.6500956416130066, 0.3847351372241974,
                -0.16129615902900696},
            {0.22661221027374268, -0.6129253506660461, 0.36605578660964966,
                -0.08993646502494812},
            {0.2634732723236084, -0.6250343322753906, 0.2827436923980713,
                -0.11259032040834427},
            {0.25371605157852173, -0.6274706721305847, 0.28420206904411316,
                -0.12369619309902191}};
        trajectory(optimizer("ftrl", Map.of("learning_rate", 0.1,
            "l2_shrinkage_regularization_strength", 0.05, "weight_decay", 0.1)), W0, GRADS,
            want, 1e-6, "ftrl weight decay");
    }
}

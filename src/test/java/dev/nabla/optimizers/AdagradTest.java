package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 adagrad_test.py with Keras's tolerances, and trajectories of Keras's rule
 * (adagrad.py) run in float32:
 *
 * <pre>
 *   accumulator starts at initial_accumulator_value
 *   accumulator += g^2;  w -= lr g / sqrt(accumulator + epsilon)
 * </pre>
 */
class AdagradTest extends KerasOptimizerCase {

    @Test
    void singleStep() {
        kerasSingleStep("adagrad", 0.5233, 1.5007, 2.5005, 3.5061);
    }

    @Test
    void weightDecay() {
        kerasWeightDecay("adagrad");
    }

    @Test
    void correctnessWithGolden() {
        double[][] golden = {
            {0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963},
            {0.9604, 0.9278, 0.9003, 0.8784, 0.8615, 0.8487, 0.8388, 0.8313, 0.8255, 0.8209},
            {0.9251, 0.8629, 0.8137, 0.7768, 0.7497, 0.7298, 0.7151, 0.704, 0.6956, 0.6891},
            {0.8903, 0.8012, 0.7342, 0.6862, 0.6521, 0.6277, 0.6099, 0.5967, 0.5867, 0.579},
            {0.856, 0.7422, 0.6604, 0.6037, 0.5644, 0.5367, 0.5168, 0.5021, 0.491, 0.4825}};
        kerasGolden("adagrad", Map.of("learning_rate", 0.2, "initial_accumulator_value", 0.3,
            "epsilon", 1e-6), golden);
    }

    @Test
    void clipNormAndClipValue() {
        kerasClipping("adagrad", 0.1);
    }

    @Test
    void configRoundTrip() {
        // Keras's test_config arguments
        Optimizer o = optimizer("adagrad", Map.of("learning_rate", 0.5,
            "initial_accumulator_value", 0.2, "epsilon", 1e-5));
        Map<String, Object> config = o.config();
        assertEquals(0.5f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(0.2f, ((Number) config.get("initial_accumulator_value")).floatValue());
        assertEquals(1e-5f, ((Number) config.get("epsilon")).floatValue());
        assertEquals(config, optimizer("adagrad", config).config());
        assertEquals("adagrad", o.name());
    }

    @Test
    void defaultsAreKeras() {
        Map<String, Object> config = optimizer("adagrad", Map.of()).config();
        assertEquals(0.001f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(0.1f, ((Number) config.get("initial_accumulator_value")).floatValue());
        assertEquals(1e-7f, ((Number) config.get("epsilon")).floatValue());
    }

    @Test
    void zeroInitialAccumulatorFiveSteps() {
        // the first step is lr g / sqrt(g^2 + 1e-7), and a zero gradient moves nothing
        double[][] want = {
            {0.9000000357627869, -0.8999999761581421, 0.4000000059604645, 2.0},
            {0.8552786707878113, -0.9707106351852417, 0.4707106947898865, 1.899999976158142},
            {0.7679915428161621, -0.9373772740364075, 0.45330291986465454, 1.9707106351852417},
            {0.8079915642738342, -0.9538171887397766, 0.37207522988319397, 1.947769045829773},
            {0.8000170588493347, -0.9603790044784546, 0.3741055130958557, 1.936372995376587}};
        trajectory(optimizer("adagrad", Map.of("learning_rate", 0.1,
            "initial_accumulator_value", 0.0)), W0, GRADS, want, 1e-6, "adagrad iav 0");
    }

    @Test
    void largeEpsilonFiveSteps() {
        double[][] want = {
            {0.9423034191131592, -0.9183775186538696, 0.4057295620441437, 2.0},
            {0.9145854711532593, -0.9816104173660278, 0.4743249714374542, 1.902672290802002},
            {0.840327799320221, -0.9514647722244263, 0.4574228525161743, 1.972419023513794},
            {0.8751348853111267, -0.9663692712783813, 0.3770214319229126, 1.9497740268707275},
            {0.8681902885437012, -0.9723204970359802, 0.37903106212615967, 1.9385234117507935}};
        trajectory(optimizer("adagrad", Map.of("learning_rate", 0.1,
            "initial_accumulator_value", 0.5, "epsilon", 1e-3)), W0, GRADS, want, 1e-6,
            "adagrad iav 0.5 eps 1e-3");
    }
}

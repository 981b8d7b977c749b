package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.Variable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 lamb_test.py with Keras's tolerances, and trajectories of Keras's rule (lamb.py) run
 * in float32:
 *
 * <pre>
 *   t = iterations + 1
 *   m += (g - m) (1 - beta_1);  v += (g^2 - v) (1 - beta_2)
 *   update = (m / (1 - beta_1^t)) / (sqrt(v / (1 - beta_2^t)) + epsilon)
 *   ratio = |w| / |update| if both norms are > 0, else 1   (norms over the whole variable)
 *   w -= ratio lr update
 * </pre>
 */
class LambTest extends KerasOptimizerCase {

    @Test
    void singleStep() {
        kerasSingleStep("lamb", -0.3693, 0.6306, 1.6306, 2.6306);
    }

    @Test
    void weightDecay() {
        kerasWeightDecay("lamb");
    }

    @Test
    void correctnessWithGolden() {
        kerasGolden("lamb", Map.of(), tiled(0.999, 0.9982, 0.9974, 0.9965, 0.9955));
    }

    @Test
    void clipNormAndClipValue() {
        kerasClipping("lamb", 0.1);
    }

    @Test
    void configRoundTrip() {
        // Keras's test_config arguments
        Optimizer o = optimizer("lamb", Map.of("learning_rate", 0.5, "beta_1", 0.5,
            "beta_2", 0.67, "epsilon", 1e-5));
        Map<String, Object> config = o.config();
        assertEquals(0.5f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(0.5f, ((Number) config.get("beta_1")).floatValue());
        assertEquals(0.67f, ((Number) config.get("beta_2")).floatValue());
        assertEquals(1e-5f, ((Number) config.get("epsilon")).floatValue());
        assertEquals(config, optimizer("lamb", config).config());
        assertEquals("lamb", o.name());
    }

    @Test
    void defaultsAreKeras() {
        Map<String, Object> config = optimizer("lamb", Map.of()).config();
        assertEquals(0.001f, ((Number) config.get("learning_rate")).floatValue());
        assertEquals(0.9f, ((Number) config.get("beta_1")).floatValue());
        assertEquals(0.999f, ((Number) config.get("beta_2")).floatValue());
        assertEquals(1e-7f, ((Number) config.get("epsilon")).floatValue());
    }

    private static final double[][] WANT = {
        {0.85566246509552, -0.85566246509552, 0.35566240549087524, 2.0},
        {0.6712303161621094, -0.8660756349563599, 0.3660756051540375, 1.8527721166610718},
        {0.4576951861381531, -0.8250343799591064, 0.3493463397026062, 1.8633849620819092},
        {0.3187735080718994, -0.8109741806983948, 0.1930052489042282, 1.8333070278167725},
        {0.17769140005111694, -0.8101242780685425, 0.05387073755264282, 1.7852205038070679}};

    @Test
    void fiveSteps() {
        trajectory(optimizer("lamb", Map.of("learning_rate", 0.1)), W0, GRADS, WANT, 1e-6,
            "lamb");
    }

    @Test
    void trustRatioIsPerVariable() {
        // Each variable's ratio uses its own norms: updated together, each moves as alone.
        Optimizer lamb = optimizer("lamb", Map.of("learning_rate", 0.1));
        Variable a = var(W0);
        Variable b = var(3, -4);
        for (double[] g : GRADS) {
            lamb.applyGradients(List.of(grad(g), grad(g[0], g[1])), List.of(a, b));
        }
        assertAllClose(WANT[4], a, 1e-6, 1e-6, "a");
        assertAllClose(new double[] {0.9969523549079895, -3.5484492778778076}, b, 1e-6, 1e-6,
            "b");
    }

    @Test
    void zeroVariableUsesRatioOne() {
        // |w| = 0: ratio 1, so the step is lr m_hat / (sqrt(v_hat) + eps), about lr sign(g)
        Optimizer lamb = optimizer("lamb", Map.of("learning_rate", 0.1));
        Variable w = var(0, 0);
        step(lamb, grad(1, 2), w);
        assertAllClose(new double[] {-0.0999993234872818, -0.0999993309378624}, w, 1e-6, 1e-6,
            "step 1");
        step(lamb, grad(0.5, -1), w);
        assertAllClose(new double[] {-0.11359723657369614, -0.10388445109128952}, w, 1e-6,
            1e-6, "step 2");
    }

    @Test
    void weightDecayComesBeforeTheTrustRatio() {
        // weight_decay 0.5 at lr 0.1 shrinks w by 5% first; the ratio then uses the decayed |w|
        double[][] want = {
            {0.8128793239593506, -0.8128793239593506, 0.3378793001174927, 1.899999976158142},
            {0.6057853102684021, -0.7816332578659058, 0.3303832411766052, 1.6721267700195312},
            {0.3924163579940796, -0.7073638439178467, 0.2995208203792572, 1.597619652748108},
            {0.25964298844337463, -0.6605435013771057, 0.15720397233963013, 1.4932399988174438},
            {0.13749417662620544, -0.6268587112426758, 0.04168413579463959,
                1.3813695907592773}};
        trajectory(optimizer("lamb", Map.of("learning_rate", 0.1, "weight_decay", 0.5)), W0,
            GRADS, want, 1e-6, "lamb weight decay");
    }
}

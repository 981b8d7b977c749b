package dev.nabla.losses;

import dev.nabla.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 losses_test.py CategoricalCrossentropyTest, case by case, with Keras's tolerances
 * (assertAlmostEqual decimal 3; assertAllClose atol = rtol = 1e-6). Keras's formula: from
 * probabilities, p / sum(p) clipped to [1e-7, 1 - 1e-7], then -sum(y log p); from logits,
 * softmax cross-entropy; label smoothing y * (1 - ls) + ls / num_classes.
 */
class CategoricalCrossentropyTest extends KerasLossCase {

    private static final Map<String, Object> LOGITS = Map.of("from_logits", true);

    private Tensor yTrue() {
        return m(row(1, 0, 0), row(0, 1, 0), row(0, 0, 1));
    }

    /** Row 2 does not sum to 1: Keras renormalises it. */
    private Tensor probs() {
        return m(row(0.9, 0.05, 0.05), row(0.5, 0.89, 0.6), row(0.05, 0.01, 0.94));
    }

    private Tensor logits() {
        return m(row(8, 1, 1), row(0, 9, 1), row(2, 3, 5));
    }

    @Test
    void allCorrectUnweightedProbabilities() {
        Tensor p = m(row(1, 0, 0), row(0, 1, 0), row(0, 0, 1));
        assertAlmostEqual(0.0, loss("CategoricalCrossentropy").call(yTrue(), p), "cce(y, y)");
    }

    @Test
    void allCorrectUnweightedLogits() {
        Tensor x = m(row(10, 0, 0), row(0, 10, 0), row(0, 0, 10));
        assertAlmostEqual(0.0, loss("CategoricalCrossentropy", LOGITS).call(yTrue(), x),
            "cce(y, logits)");
    }

    @Test
    void unweightedProbabilities() {
        assertAlmostEqual(0.3239, loss("CategoricalCrossentropy").call(yTrue(), probs()), "cce");
    }

    @Test
    void unweightedLogits() {
        assertAlmostEqual(0.0573, loss("CategoricalCrossentropy", LOGITS).call(yTrue(), logits()),
            "cce from logits");
    }

    @Test
    void scalarWeightedProbabilities() {
        assertAlmostEqual(0.7449,
            loss("CategoricalCrossentropy").call(yTrue(), probs(), filled(3, 2.3)),
            "cce, weight 2.3");
    }

    @Test
    void scalarWeightedLogits() {
        assertAlmostEqual(0.1317,
            loss("CategoricalCrossentropy", LOGITS).call(yTrue(), logits(), filled(3, 2.3)),
            "cce from logits, weight 2.3");
    }

    @Test
    void sampleWeightedProbabilities() {
        assertAlmostEqual(1.0696,
            loss("CategoricalCrossentropy").call(yTrue(), probs(), v(1.2, 3.4, 5.6)),
            "cce, weights [1.2, 3.4, 5.6]");
    }

    @Test
    void sampleWeightedLogits() {
        assertAlmostEqual(0.31829,
            loss("CategoricalCrossentropy", LOGITS).call(yTrue(), logits(), v(1.2, 3.4, 5.6)),
            "cce from logits, weights [1.2, 3.4, 5.6]");
    }

    @Test
    void noReductionLogitsPerSample() {
        float[] perSample = perSample(loss("CategoricalCrossentropy", LOGITS), yTrue(), logits(),
            3, 1.0);
        assertAllClose(new double[] {0.001822, 0.000459, 0.169846}, perSample, 1e-6, 1e-6,
            "cce per sample");
    }

    @Test
    void labelSmoothingLogits() {
        Loss cce = loss("CategoricalCrossentropy",
            Map.of("from_logits", true, "label_smoothing", 0.1));
        float got = cce.call(m(row(1, 0, 0)), m(row(100, -100, -100)));
        assertAlmostEqual(400.0 * 0.1 / 3.0, got, "cce from logits, label_smoothing 0.1");
    }

    @Test
    void shapeMismatchIsRejected() {
        Tensor labels = m(row(0), row(1), row(2));
        rejects(() -> loss("CategoricalCrossentropy").call(labels, probs()));
    }
}

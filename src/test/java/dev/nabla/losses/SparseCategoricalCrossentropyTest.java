package dev.nabla.losses;

import dev.nabla.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 losses_test.py SparseCategoricalCrossentropyTest, case by case, with Keras's
 * tolerances (assertAlmostEqual with decimal 3 as Keras passes it; assertAllClose atol = rtol =
 * 1e-6). Keras's (batch, 1) labels are given as (batch) class indices, as our API takes them.
 */
class SparseCategoricalCrossentropyTest extends KerasLossCase {

    private static final Map<String, Object> LOGITS = Map.of("from_logits", true);

    private Tensor labels() {
        return v(0, 1, 2);
    }

    private Tensor probs() {
        return m(row(0.9, 0.05, 0.05), row(0.5, 0.89, 0.6), row(0.05, 0.01, 0.94));
    }

    private Tensor logits() {
        return m(row(8, 1, 1), row(0, 9, 1), row(2, 3, 5));
    }

    private static Loss scce() {
        return loss("SparseCategoricalCrossentropy");
    }

    private static Loss scceLogits() {
        return loss("SparseCategoricalCrossentropy", LOGITS);
    }

    @Test
    void allCorrectUnweightedProbabilities() {
        Tensor p = m(row(1, 0, 0), row(0, 1, 0), row(0, 0, 1));
        assertAlmostEqual(0.0, scce().call(labels(), p), 3, "scce(y, one-hot y)");
    }

    @Test
    void allCorrectUnweightedLogits() {
        Tensor x = m(row(10, 0, 0), row(0, 10, 0), row(0, 0, 10));
        assertAlmostEqual(0.0, scceLogits().call(labels(), x), 3, "scce(y, logits)");
    }

    @Test
    void unweightedProbabilities() {
        assertAlmostEqual(0.3239, scce().call(labels(), probs()), 3, "scce");
    }

    @Test
    void unweightedLogits() {
        assertAlmostEqual(0.0573, scceLogits().call(labels(), logits()), 3, "scce from logits");
    }

    @Test
    void scalarWeightedProbabilities() {
        assertAlmostEqual(0.7449, scce().call(labels(), probs(), filled(3, 2.3)), 3,
            "scce, weight 2.3");
    }

    @Test
    void scalarWeightedLogits() {
        assertAlmostEqual(0.1317, scceLogits().call(labels(), logits(), filled(3, 2.3)), 3,
            "scce from logits, weight 2.3");
    }

    @Test
    void sampleWeightedProbabilities() {
        assertAlmostEqual(1.0696, scce().call(labels(), probs(), v(1.2, 3.4, 5.6)), 3,
            "scce, weights [1.2, 3.4, 5.6]");
    }

    @Test
    void sampleWeightedLogits() {
        assertAlmostEqual(0.31829, scceLogits().call(labels(), logits(), v(1.2, 3.4, 5.6)), 3,
            "scce from logits, weights [1.2, 3.4, 5.6]");
    }

    @Test
    void noReductionLogitsPerSample() {
        float[] perSample = perSample(scceLogits(), labels(), logits(), 3, 1.0);
        assertAllClose(new double[] {0.001822, 0.000459, 0.169846}, perSample, 1e-6, 1e-6,
            "scce per sample");
    }

    @Test
    void sparseAndOneHotLabelsAgree() {
        Tensor oneHot = m(row(1, 0, 0), row(0, 1, 0), row(0, 0, 1));
        float sparse = scceLogits().call(labels(), logits(), v(1.2, 3.4, 5.6));
        float dense = loss("categorical_crossentropy", LOGITS).call(oneHot, logits(),
            v(1.2, 3.4, 5.6));
        assertAllClose(new double[] {dense}, new float[] {sparse}, 1e-6, 1e-6,
            "sparse vs one-hot");
    }

    @Test
    void ignoreClassIsRejectedNamingTheKey() {
        // Keras's test_ignore_class needs ignore_class, which we do not implement.
        rejects(() -> loss("sparse_categorical_crossentropy",
            Map.of("from_logits", true, "ignore_class", -1)), "ignore_class");
    }

    @Test
    void labelSmoothingIsRejectedNamingTheKey() {
        rejects(() -> loss("sparse_categorical_crossentropy", Map.of("label_smoothing", 0.1)),
            "label_smoothing");
    }

    @Test
    void labelCountMustMatchTheBatch() {
        rejects(() -> scce().call(v(0, 1), probs()));
    }
}

package dev.nabla.losses;

import dev.nabla.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 losses_test.py BinaryCrossentropyTest, case by case, with Keras's tolerances
 * (assertAlmostEqual decimal 3; assertAllClose atol = rtol = 1e-6 unless given). Keras groups
 * several expectations in one method; they are separate tests here so that each reports alone.
 *
 * <p>Keras 3's formula (backend/tensorflow/nn.py): from probabilities, clip p to
 * [1e-7, 1 - 1e-7] in float32, then -(y log p + (1 - y) log(1 - p)); from logits,
 * sigmoid_cross_entropy_with_logits; label smoothing y * (1 - ls) + ls / 2; mean over the last
 * axis.
 */
class BinaryCrossentropyTest extends KerasLossCase {

    private static final Map<String, Object> LOGITS = Map.of("from_logits", true);

    private Tensor identity() {
        return m(row(1, 0, 0), row(0, 1, 0), row(0, 0, 1));
    }

    /** y_true [1, 0, 1, 0] as (2, 2). */
    private Tensor saturatedTrue() {
        return m(row(1, 0), row(1, 0));
    }

    /** y_pred [1, 1, 1, 0] as (2, 2): one confidently wrong probability of exactly 1. */
    private Tensor saturatedPred() {
        return m(row(1, 1), row(1, 0));
    }

    private Tensor logitsTrue() {
        return m(row(1, 0, 1), row(0, 1, 1));
    }

    private Tensor logits() {
        return m(row(10, -10, 10), row(10, 10, -10));
    }

    @Test
    void allCorrectUnweightedProbabilities() {
        assertAlmostEqual(0.0, loss("BinaryCrossentropy").call(identity(), identity()),
            "bce(y, y)");
    }

    @Test
    void allCorrectUnweightedLogits() {
        Tensor x = m(row(10, -10, -10), row(-10, 10, -10), row(-10, -10, 10));
        assertAlmostEqual(0.0, loss("BinaryCrossentropy", LOGITS).call(identity(), x),
            "bce(y, logits)");
    }

    @Test
    void unweightedProbabilities() {
        Tensor p = m(row(0.9, 0.1, 0.2), row(0.3, 0.8, 0.1), row(0.1, 0.2, 0.7));
        assertAllClose(0.20046903, loss("BinaryCrossentropy").call(identity(), p), "bce");
    }

    @Test
    void unweightedSaturatedProbabilities() {
        // The wrong prediction p = 1 for y = 0 is clipped to float32(1 - 1e-7) = 1 - 2^-23:
        // -log(2^-23) / 2 / 2 = 3.98559
        assertAlmostEqual(3.98559,
            loss("BinaryCrossentropy").call(saturatedTrue(), saturatedPred()),
            "bce with p = 1 for y = 0");
    }

    @Test
    void unweightedLogits() {
        assertAlmostEqual(3.3333, loss("BinaryCrossentropy", LOGITS).call(logitsTrue(), logits()),
            "bce from logits");
    }

    @Test
    void scalarWeightedProbabilities() {
        assertAlmostEqual(9.1668,
            loss("BinaryCrossentropy").call(saturatedTrue(), saturatedPred(), filled(2, 2.3)),
            "bce with p = 1 for y = 0, weight 2.3");
    }

    @Test
    void scalarWeightedLogits() {
        assertAlmostEqual(7.666,
            loss("BinaryCrossentropy", LOGITS).call(logitsTrue(), logits(), filled(2, 2.3)),
            "bce from logits, weight 2.3");
    }

    @Test
    void sampleWeightedProbabilities() {
        assertAlmostEqual(4.7827,
            loss("BinaryCrossentropy").call(saturatedTrue(), saturatedPred(), v(1.2, 3.4)),
            "bce with p = 1 for y = 0, weights [1.2, 3.4]");
    }

    @Test
    void sampleWeightedLogits() {
        assertAlmostEqual(10.0,
            loss("BinaryCrossentropy", LOGITS).call(logitsTrue(), logits(), v(4, 3)),
            "bce from logits, weights [4, 3]");
    }

    @Test
    void noReductionLogitsPerSample() {
        float[] perSample = perSample(loss("BinaryCrossentropy", LOGITS), logitsTrue(), logits(),
            2, 1.0);
        assertAllClose(new double[] {0.0, 6.666}, perSample, 1e-3, 1e-6, "bce per sample");
    }

    @Test
    void labelSmoothingLogits() {
        Loss bce = loss("BinaryCrossentropy", Map.of("from_logits", true, "label_smoothing", 0.1));
        float got = bce.call(m(row(1, 0, 1)), m(row(10, -10, -10)));
        assertAlmostEqual((10.0 + 5.0 * 0.1) / 3.0, got, "bce from logits, label_smoothing 0.1");
    }

    @Test
    void shapeMismatchIsRejected() {
        Tensor yTrue = m(row(0), row(1), row(2));
        Tensor yPred = m(row(0.9, 0.05, 0.05), row(0.5, 0.89, 0.6), row(0.05, 0.01, 0.94));
        rejects(() -> loss("BinaryCrossentropy").call(yTrue, yPred));
    }

    @Test
    void docstringExamplePerSample() {
        // keras.losses.binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        //   -> [0.916, 0.714]
        float[] perSample = perSample(loss("binary_crossentropy"), m(row(0, 1), row(0, 0)),
            m(row(0.6, 0.4), row(0.4, 0.6)), 2, 1.0);
        assertAlmostEqual(new double[] {0.916, 0.714}, perSample, "bce per sample");
    }
}

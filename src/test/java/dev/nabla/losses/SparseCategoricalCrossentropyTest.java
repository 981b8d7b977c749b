package dev.nabla.losses;

import dev.nabla.Tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
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
    void ignoreClassPerSampleAsKeras() {
        // Keras test_ignore_class: labels [[-1, 2]], logits (1, 2, 3), ignore_class=-1,
        // reduction=None -> [[0, 1.480129]]
        Tensor logits = keep(Tensor.of(floats(0.854, 0.698, 0.598, 0.088, 0.86, 0.018), 1, 2, 3));
        Loss scce = loss("sparse_categorical_crossentropy",
            Map.of("from_logits", true, "ignore_class", -1, "reduction", "none"));
        try (Tensor got = scce.callPerSample(m(row(-1, 2)), logits)) {
            assertEquals(List.of(1, 2), List.of(got.dim(0), got.dim(1)), "values' shape");
            assertAllClose(new double[] {0.0, 1.480129}, got.toFloatArray(), 1e-6, 1e-6,
                "scce per sample, ignore_class -1");
        }
        // the same labels as (1, 2, 1)
        Tensor labels3 = keep(Tensor.of(floats(-1, 2), 1, 2, 1));
        try (Tensor got = scce.callPerSample(labels3, logits)) {
            assertAllClose(new double[] {0.0, 1.480129}, got.toFloatArray(), 1e-6, 1e-6,
                "scce per sample, labels (1, 2, 1)");
        }
    }

    @Test
    void sparseLabelSmoothingIsTheSmoothedOneHotTarget() {
        // Keras (PR 23488): (1 - ls) * scce + ls * cce(uniform); cross-entropy is linear in the
        // target, so it equals categorical_crossentropy with the one-hot labels smoothed. With
        // logits [100, -100, -100], label 0, ls 0.1: 0.1 * (0 + 200 + 200) / 3.
        Loss scce = loss("sparse_categorical_crossentropy",
            Map.of("from_logits", true, "label_smoothing", 0.1));
        assertAlmostEqual(400.0 * 0.1 / 3.0, scce.call(v(0), m(row(100, -100, -100))),
            "scce from logits, label_smoothing 0.1");
        // from probabilities: -sum(t log p) with t = 0.9 * one_hot + 0.1 / 3
        Loss probs = loss("sparse_categorical_crossentropy", Map.of("label_smoothing", 0.2));
        double[][] p = {{0.9, 0.05, 0.05}, {0.5, 0.89, 0.6}, {0.05, 0.01, 0.94}};
        double expected = 0;
        for (int r = 0; r < 3; r++) {
            double s = p[r][0] + p[r][1] + p[r][2];
            for (int c = 0; c < 3; c++) {
                double t = 0.8 * (c == r ? 1 : 0) + 0.2 / 3;
                expected -= t * Math.log(p[r][c] / s);
            }
        }
        assertAllClose(new double[] {expected / 3}, new float[] {probs.call(labels(), probs())},
            1e-5, 1e-5, "scce from probabilities, label_smoothing 0.2");
    }

    @Test
    void outOfRangeLabelIsRejectedNamingValuePositionAndRange() {
        // issue 12: label 3 of 3 classes used to count silently as an all-zero target (0.8047)
        IllegalArgumentException e = rejects(() -> loss("sparse_categorical_crossentropy")
            .call(v(0, 3), m(row(.2, .3, .5), row(.2, .3, .5))), "3.0", "index 1", "[0, 3)");
        rejects(() -> scce().call(v(0, -1, 2), probs()), "-1.0", "index 1");
        rejects(() -> scce().call(v(0, 1.5, 2), probs()), "1.5", "index 1");
        rejects(() -> scce().callPerSample(v(0, 1, 7), probs()), "7.0", "index 2");
        // the ignored class is no error, whatever its value
        Loss ignoring = loss("sparse_categorical_crossentropy", Map.of("ignore_class", 255));
        assertAlmostEqual((-Math.log(0.9) - Math.log(0.94)) / 2,
            ignoring.call(v(0, 255, 2), probs()), "scce, label 255 ignored");
        rejects(() -> ignoring.call(v(0, 3, 2), probs()), "3.0", "ignore_class 255");
    }

    @Test
    void onlyTheLastAxisIsAccepted() {
        // Keras's TensorFlow backend: "Only axis=-1 is currently supported"
        rejects(() -> loss("sparse_categorical_crossentropy", Map.of("axis", 0)), "axis");
    }

    @Test
    void labelCountMustMatchTheBatch() {
        rejects(() -> scce().call(v(0, 1), probs()));
    }
}

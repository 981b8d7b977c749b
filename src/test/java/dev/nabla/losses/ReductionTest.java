package dev.nabla.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nabla.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3's reductions and sample_weight shapes (keras/src/losses/loss.py), with the expected
 * values of Keras's own tests: losses_test.py (MeanSquaredErrorTest, MeanAbsoluteErrorTest:
 * test_sum_reduction, test_no_reduction, test_mean_with_sample_weight_reduction,
 * test_timestep_weighted, test_sample_weighted, test_zero_weighted) and loss_test.py
 * (test_reduction, test_sample_weight, test_rank_adjustment), Keras's tolerances
 * (assertAlmostEqual decimal 3, assertAllClose 1e-6). Values computed here come from Keras's
 * formulas, never from Nabla.
 */
class ReductionTest extends KerasLossCase {

    private Tensor yTrue() {
        return m(row(1, 9, 2), row(-5, -2, 6));
    }

    private Tensor yPred() {
        return m(row(4, 8, 12), row(8, 1, 3));
    }

    private static Loss mse(String reduction) {
        return loss("mse", Map.of("reduction", reduction));
    }

    private static Loss mae(String reduction) {
        return loss("mae", Map.of("reduction", reduction));
    }

    private Tensor sampleWeightColumn() {
        return m(row(1.2), row(3.4)); // Keras's np.array([[1.2], [3.4]])
    }

    @Test
    void sumReduction() {
        assertAlmostEqual(227.69998, mse("sum").call(yTrue(), yPred(), 2.3f), "mse sum, 2.3");
        assertAlmostEqual(25.29999, mae("sum").call(yTrue(), yPred(), 2.3f), "mae sum, 2.3");
    }

    @Test
    void noReductionReturnsTheWeightedValues() {
        Loss none = mse("none");
        try (Tensor got = none.callPerSample(yTrue(), yPred(), v(2.3))) {
            assertArrayEquals(new int[] {2}, got.shape(), "one value per sample");
            assertAlmostEqual(new double[] {84.3333, 143.3666}, got.toFloatArray(),
                "mse none, 2.3");
        }
        try (Tensor got = mae("none").callPerSample(yTrue(), yPred(), v(2.3))) {
            assertAlmostEqual(new double[] {10.7333, 14.5666}, got.toFloatArray(),
                "mae none, 2.3");
        }
        // a loss with reduction none is no number: call says where the values are
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> none.call(yTrue(), yPred()));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("callPerSample"));
    }

    @Test
    void meanWithSampleWeightDividesByTheWeights() {
        assertAlmostEqual((110 / 3.0 * 1.2 + 187 / 3.0 * 3.4) / (1.2 + 3.4),
            mse("mean_with_sample_weight").call(yTrue(), yPred(), sampleWeightColumn()),
            "mse mean_with_sample_weight");
        assertAlmostEqual((14 / 3.0 * 1.2 + 19 / 3.0 * 3.4) / (1.2 + 3.4),
            mae("mean_with_sample_weight").call(yTrue(), yPred(), sampleWeightColumn()),
            "mae mean_with_sample_weight");
    }

    @Test
    void meanWithSampleWeightSumsTheWeightsAsGiven() {
        // reduce_values divides by ops.sum(sample_weight) with the weight as given: a scalar 2.3
        // counts once, so the loss is sum(values * 2.3) / 2.3 = 110/3 + 187/3 = 99
        assertAlmostEqual(99.0, mse("mean_with_sample_weight").call(yTrue(), yPred(), 2.3f),
            "mse mean_with_sample_weight, scalar 2.3");
        // no weights: the number of values, as sum_over_batch_size
        assertAlmostEqual(49.5, mse("mean_with_sample_weight").call(yTrue(), yPred()),
            "mse mean_with_sample_weight, unweighted");
        // weights summing to 0: divide_no_nan gives 0, not NaN
        assertAlmostEqual(0.0, mse("mean_with_sample_weight").call(yTrue(), yPred(), v(0, 0)),
            "mse mean_with_sample_weight, zero weights");
    }

    @Test
    void meanIsSumOverBatchSize() {
        assertAlmostEqual(49.5, mse("mean").call(yTrue(), yPred()), "mse mean");
        assertAlmostEqual(113.85, mse("mean").call(yTrue(), yPred(), 2.3f), "mse mean, 2.3");
    }

    @Test
    void sampleWeightShapesAsKeras() {
        Loss mse = loss("mse");
        // scalar: shape () and shape (1,)
        try (Tensor scalar = Tensor.of(new float[] {2.3f})) {
            assertAlmostEqual(113.85, mse.call(yTrue(), yPred(), scalar), "scalar ()");
        }
        assertAlmostEqual(113.85, mse.call(yTrue(), yPred(), v(2.3)), "scalar (1,)");
        // one per sample: (2,) and (2, 1)
        assertAlmostEqual(767.8 / 6, mse.call(yTrue(), yPred(), v(1.2, 3.4)), "(2,)");
        assertAlmostEqual(767.8 / 6, mse.call(yTrue(), yPred(), sampleWeightColumn()), "(2, 1)");
        assertAlmostEqual(0.0, mse.call(yTrue(), yPred(), 0f), "weight 0");
    }

    @Test
    void timestepWeights() {
        // y (2, 3, 1): values (2, 3), weights (2, 3): one per value
        Tensor y = keep(Tensor.of(floats(1, 9, 2, -5, -2, 6), 2, 3, 1));
        Tensor p = keep(Tensor.of(floats(4, 8, 12, 8, 1, 3), 2, 3, 1));
        Tensor w = keep(Tensor.of(floats(3, 6, 5, 0, 4, 2), 2, 3));
        assertAlmostEqual(97.833336, loss("mse").call(y, p, w), "mse timestep weighted");
        assertAlmostEqual(13.833333, loss("mae").call(y, p, w), "mae timestep weighted");
        // one weight per sample broadcast over the timesteps: (2, 1) -> (2, 3)
        // mse values [[9, 1, 100], [169, 9, 9]], weights [[1.2]*3, [3.4]*3]: sum / 6
        double expected = (1.2 * (9 + 1 + 100) + 3.4 * (169 + 9 + 9)) / 6;
        assertAlmostEqual(expected, loss("mse").call(y, p, sampleWeightColumn()),
            "mse, a weight per sample over timesteps");
        // mean_with_sample_weight: the (2, 1) weights as given sum to 4.6
        assertAlmostEqual(expected * 6 / 4.6, loss("mse", Map.of("reduction",
            "mean_with_sample_weight")).call(y, p, sampleWeightColumn()),
            "mse mean_with_sample_weight over timesteps");
        try (Tensor got = loss("mse").callPerSample(y, p, w)) {
            assertArrayEquals(new int[] {2, 3}, got.shape());
            assertAlmostEqual(new double[] {27, 6, 500, 0, 36, 18}, got.toFloatArray(),
                "mse per value, weighted");
        }
    }

    @Test
    void lossTestReductionsOnRankOneValues() {
        // loss_test.py test_reduction / test_sample_weight: (y - p)^2 per value
        Tensor y = v(1, 0, 1, 0);
        Tensor p = v(0.1, 0.2, 0.3, 0.4);
        double[] sq = {0.81, 0.04, 0.49, 0.16};
        try (Tensor got = mse("none").callPerSample(y, p)) {
            assertAllClose(sq, got.toFloatArray(), 1e-6, 1e-6, "none");
        }
        assertAllClose(1.5, mse("sum").call(y, p), "sum");
        assertAllClose(1.5 / 4, mse("sum_over_batch_size").call(y, p), "sum_over_batch_size");
        double weighted = (0.4 * 0.81 + 0.3 * 0.04 + 0.2 * 0.49 + 0.1 * 0.16) / 4;
        assertAllClose(weighted, loss("mse").call(y, p, v(0.4, 0.3, 0.2, 0.1)), "weighted");
        assertAllClose(0.0, loss("mse").call(y, p, v(0, 0, 0, 0)), "all weights 0");
        // test_rank_adjustment: weights (4, 1) against values (4,)
        Tensor column = keep(Tensor.of(floats(0.4, 0.3, 0.2, 0.1), 4, 1));
        assertAllClose(weighted, loss("mse").call(y, p, column), "weights (4, 1)");
    }

    @Test
    void weightsThatDoNotBroadcastAreRefused() {
        rejects(() -> loss("mse").call(yTrue(), yPred(), v(1, 2, 3)), "sample_weight", "(3)");
        // (2, 3) weights against (2,) values: numpy cannot broadcast them either
        rejects(() -> loss("mse").call(yTrue(), yPred(), m(row(1, 2, 3), row(4, 5, 6))),
            "sample_weight", "(2, 3)");
    }

    @Test
    void crossEntropyReductions() {
        // losses_test.py CategoricalCrossentropyTest test_no_reduction, and sum of it
        Tensor labels = m(row(1, 0, 0), row(0, 1, 0), row(0, 0, 1));
        Tensor logits = m(row(8, 1, 1), row(0, 9, 1), row(2, 3, 5));
        double[] perSample = {0.001822, 0.000459, 0.169846};
        Map<String, Object> none = Map.of("from_logits", true, "reduction", "none");
        try (Tensor got = loss("categorical_crossentropy", none).callPerSample(labels, logits)) {
            assertAllClose(perSample, got.toFloatArray(), 1e-6, 1e-6, "cce none");
        }
        try (Tensor got = loss("sparse_categorical_crossentropy", none)
                .callPerSample(v(0, 1, 2), logits)) {
            assertAllClose(perSample, got.toFloatArray(), 1e-6, 1e-6, "scce none");
        }
        double sum = perSample[0] + perSample[1] + perSample[2];
        assertAllClose(new double[] {sum}, new float[] {loss("categorical_crossentropy",
            Map.of("from_logits", true, "reduction", "sum")).call(labels, logits)}, 1e-5, 1e-5,
            "cce sum");
        // sparse docstring: [1, 2] vs [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]: sum 2.354
        Tensor probs = m(row(0.05, 0.95, 0), row(0.1, 0.8, 0.1));
        assertAlmostEqual(2.354, loss("sparse_categorical_crossentropy",
            Map.of("reduction", "sum")).call(v(1, 2), probs), "scce sum (docstring)");
        assertAlmostEqual(0.814, loss("sparse_categorical_crossentropy").call(v(1, 2), probs,
            v(0.3, 0.7)), "scce weighted (docstring)");
    }
}

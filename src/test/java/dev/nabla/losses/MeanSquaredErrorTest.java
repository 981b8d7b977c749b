package dev.nabla.losses;

import dev.nabla.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 losses_test.py MeanSquaredErrorTest, case by case, with Keras's tolerances
 * (assertAlmostEqual: decimal 3). reduction=None is read back per sample through one-hot
 * weights; "sum", "mean_with_sample_weight", the (2, 3) timestep weights and dtype cases are not
 * replayed (see LossesTest for the rejected reductions).
 */
class MeanSquaredErrorTest extends KerasLossCase {

    private Tensor yTrue() {
        return m(row(1, 9, 2), row(-5, -2, 6));
    }

    private Tensor yPred() {
        return m(row(4, 8, 12), row(8, 1, 3));
    }

    @Test
    void allCorrectUnweighted() {
        Tensor y = m(row(4, 8, 12), row(8, 1, 3));
        assertAlmostEqual(0.0, loss("MeanSquaredError").call(y, y), "mse(y, y)");
    }

    @Test
    void unweighted() {
        assertAlmostEqual(49.5, loss("MeanSquaredError").call(yTrue(), yPred()), "mse");
    }

    @Test
    void scalarWeighted() {
        assertAlmostEqual(113.85,
            loss("MeanSquaredError").call(yTrue(), yPred(), filled(2, 2.3)), "mse, weight 2.3");
    }

    @Test
    void sampleWeighted() {
        assertAlmostEqual(767.8 / 6,
            loss("MeanSquaredError").call(yTrue(), yPred(), v(1.2, 3.4)),
            "mse, weights [1.2, 3.4]");
    }

    @Test
    void zeroWeighted() {
        assertAlmostEqual(0.0,
            loss("MeanSquaredError").call(yTrue(), yPred(), filled(2, 0)), "mse, weight 0");
    }

    @Test
    void noReductionValuesPerSample() {
        // Keras: reduction=None, sample_weight=2.3 -> [84.3333, 143.3666]
        float[] perSample = perSample(loss("MeanSquaredError"), yTrue(), yPred(), 2, 2.3);
        assertAlmostEqual(new double[] {84.3333, 143.3666}, perSample, "mse per sample x 2.3");
    }

    @Test
    void sumOverBatchSizeIsTheDefaultAndExplicitReduction() {
        Loss explicit = loss("mse", Map.of("reduction", "sum_over_batch_size"));
        assertAlmostEqual(49.5, explicit.call(yTrue(), yPred()), "mse, reduction named");
    }

    @Test
    void everyNameComputesTheSameLoss() {
        for (String name : new String[] {"mse", "MSE", "mean_squared_error", "MeanSquaredError",
                "meanSquaredError"}) {
            assertAlmostEqual(49.5, loss(name).call(yTrue(), yPred()), name);
        }
    }
}

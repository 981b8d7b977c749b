package dev.nabla.losses;

import dev.nabla.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 losses_test.py MeanAbsoluteErrorTest, case by case, with Keras's tolerances
 * (assertAlmostEqual: decimal 3). reduction=None is read back per sample through one-hot
 * weights; "sum", "mean_with_sample_weight", the (2, 3) timestep weights and dtype cases are not
 * replayed.
 */
class MeanAbsoluteErrorTest extends KerasLossCase {

    private Tensor yTrue() {
        return m(row(1, 9, 2), row(-5, -2, 6));
    }

    private Tensor yPred() {
        return m(row(4, 8, 12), row(8, 1, 3));
    }

    @Test
    void allCorrectUnweighted() {
        Tensor y = m(row(4, 8, 12), row(8, 1, 3));
        assertAlmostEqual(0.0, loss("MeanAbsoluteError").call(y, y), "mae(y, y)");
    }

    @Test
    void unweighted() {
        assertAlmostEqual(5.5, loss("MeanAbsoluteError").call(yTrue(), yPred()), "mae");
    }

    @Test
    void scalarWeighted() {
        assertAlmostEqual(12.65,
            loss("MeanAbsoluteError").call(yTrue(), yPred(), filled(2, 2.3)), "mae, weight 2.3");
    }

    @Test
    void sampleWeighted() {
        assertAlmostEqual(81.4 / 6,
            loss("MeanAbsoluteError").call(yTrue(), yPred(), v(1.2, 3.4)),
            "mae, weights [1.2, 3.4]");
    }

    @Test
    void zeroWeighted() {
        assertAlmostEqual(0.0,
            loss("MeanAbsoluteError").call(yTrue(), yPred(), filled(2, 0)), "mae, weight 0");
    }

    @Test
    void noReductionValuesPerSample() {
        // Keras: reduction=None, sample_weight=2.3 -> [10.7333, 14.5666]
        float[] perSample = perSample(loss("MeanAbsoluteError"), yTrue(), yPred(), 2, 2.3);
        assertAlmostEqual(new double[] {10.7333, 14.5666}, perSample, "mae per sample x 2.3");
    }

    @Test
    void everyNameComputesTheSameLoss() {
        for (String name : new String[] {"mae", "MAE", "mean_absolute_error",
                "MeanAbsoluteError"}) {
            assertAlmostEqual(5.5, loss(name, Map.of()).call(yTrue(), yPred()), name);
        }
    }
}

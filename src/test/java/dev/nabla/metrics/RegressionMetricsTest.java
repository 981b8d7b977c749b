package dev.nabla.metrics;

import dev.nabla.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 regression_metrics_test.py MeanSquaredErrorTest and MeanAbsoluteErrorTest, with
 * Keras's tolerance (atol 1e-5). Keras's weighted cases call the metric (update then result).
 */
class RegressionMetricsTest extends KerasMetricCase {

    private Tensor yTrue() {
        return m(row(0, 1, 0, 1, 0), row(0, 0, 1, 1, 1), row(1, 1, 1, 1, 0), row(0, 0, 0, 0, 1));
    }

    private Tensor yPred() {
        return m(row(0, 0, 1, 1, 0), row(1, 1, 1, 1, 1), row(0, 1, 0, 1, 0), row(1, 1, 1, 1, 1));
    }

    @Test
    void meanSquaredErrorUnweighted() {
        Metric mse = metric("mean_squared_error");
        mse.update(yTrue(), yPred());
        assertAllClose(0.5, mse.result(), 1e-5, "mse");
    }

    @Test
    void meanSquaredErrorWeighted() {
        Metric mse = metric("mse");
        mse.update(yTrue(), yPred(), v(1.0, 1.5, 2.0, 2.5));
        assertAllClose(0.54285, mse.result(), 1e-5, "mse, weights [1, 1.5, 2, 2.5]");
    }

    @Test
    void meanAbsoluteErrorUnweighted() {
        Metric mae = metric("mean_absolute_error");
        mae.update(yTrue(), yPred());
        assertAllClose(0.5, mae.result(), 1e-5, "mae");
    }

    @Test
    void meanAbsoluteErrorWeighted() {
        Metric mae = metric("mae");
        mae.update(yTrue(), yPred(), v(1.0, 1.5, 2.0, 2.5));
        assertAllClose(0.54285, mae.result(), 1e-5, "mae, weights [1, 1.5, 2, 2.5]");
    }

    @Test
    void squaredAndAbsoluteDifferWhenErrorsAreNotZeroOrOne() {
        // The Keras data are 0/1, where |d| = d^2; here they differ: d = [3, -1, 10], [13, 3, -3]
        Tensor t = m(row(1, 9, 2), row(-5, -2, 6));
        Tensor p = m(row(4, 8, 12), row(8, 1, 3));
        Metric mse = metric("mse");
        Metric mae = metric("mae");
        mse.update(t, p, v(1.2, 3.4));
        mae.update(t, p, v(1.2, 3.4));
        // per sample mse [110/3, 187/3], mae [14/3, 19/3]; weighted mean over sum(w) = 4.6
        assertAllClose((110 / 3.0 * 1.2 + 187 / 3.0 * 3.4) / 4.6, mse.result(), 1e-5, "mse");
        assertAllClose((14 / 3.0 * 1.2 + 19 / 3.0 * 3.4) / 4.6, mae.result(), 1e-5, "mae");
    }

    @Test
    void perElementWeightsDoNotBroadcastToPerSampleErrors() {
        // Keras's mean_squared_error returns one value per sample: (4, 5) weights cannot
        // broadcast to (4,)
        Metric mse = metric("mse");
        rejects(() -> mse.update(yTrue(), yPred(), m(row(1, 0, 1, 0, 1), row(1, 0, 1, 0, 1),
            row(1, 0, 1, 0, 1), row(1, 0, 1, 0, 1))), "sample_weight", "[4, 5]", "[4]");
    }

    @Test
    void rootMeanSquaredErrorUnweighted() {
        // Keras: error [-1, -1, -4], squares [1, 1, 16], mean 6
        Metric rmse = metric("root_mean_squared_error");
        rmse.update(v(2, 4, 6), v(1, 3, 2));
        assertAllClose(Math.sqrt(6), rmse.result(), 1e-3, "rmse");
    }

    @Test
    void rootMeanSquaredErrorWeighted() {
        Metric rmse = metric("RootMeanSquaredError");
        rmse.update(v(2, 4, 6, 8), v(1, 3, 2, 3), v(0, 1, 0, 1));
        assertAllClose(Math.sqrt(13), rmse.result(), 1e-3, "rmse, weights [0, 1, 0, 1]");
    }

    @Test
    void rootMeanSquaredErrorPerSampleWeightsOnMatrices() {
        // reduction_metrics_test.py MetricWrapperTest.test_weighted: the element-wise squared
        // error weighted per sample has mean 0.54285 (3.8 / 7); RMSE is its root
        Metric rmse = new RootMeanSquaredError();
        rmse.update(yTrue(), yPred(), v(1.0, 1.5, 2.0, 2.5));
        assertAllClose(Math.sqrt(3.8 / 7), rmse.result(), 1e-5, "rmse, per-sample weights");
    }

    @Test
    void rootMeanSquaredErrorBroadcastWeightRow() {
        // MetricWrapperTest.test_weighted_broadcast: weights [[1, 0, 0.5, 0, 1]] give 0.45
        Metric rmse = new RootMeanSquaredError();
        rmse.update(yTrue(), yPred(), m(row(1.0, 0.0, 0.5, 0.0, 1.0)));
        assertAllClose(Math.sqrt(0.45), rmse.result(), 1e-5, "rmse, weight row");
    }

    @Test
    void rootMeanSquaredErrorIsTheRootOfTheRunningMean() {
        Metric rmse = new RootMeanSquaredError();
        rmse.update(v(0, 0), v(3, 3)); // squares 9, 9
        rmse.update(v(0), v(1)); // square 1
        assertAllClose(Math.sqrt(19 / 3.0), rmse.result(), 1e-6, "sqrt of (9 + 9 + 1) / 3");
    }
}

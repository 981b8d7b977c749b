package dev.nabla.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Keras 3 reduction_metrics_test.py SumTest and MeanTest (values, not labels and predictions),
 * with Keras's tolerance, and Keras's rule for a scalar weight (the update counts as that many
 * samples of its mean).
 */
class ReductionMetricsTest extends KerasMetricCase {

    @Test
    void sumUnweighted() {
        Sum sum = new Sum();
        sum.update(v(1, 3, 5, 7));
        assertAllClose(16.0, sum.result(), 1e-3, "sum");
        assertEquals("sum", sum.name());
    }

    @Test
    void sumWeighted() {
        Sum sum = new Sum();
        sum.update(v(1, 3, 5, 7), v(1, 1, 0, 0));
        assertAllClose(4.0, sum.result(), 1e-3, "sum, weights [1, 1, 0, 0]");
    }

    @Test
    void sumWeightedNd() {
        Metric sum = metric("sum");
        sum.update(m(row(1, 3), row(5, 7)), m(row(1, 1), row(1, 0)));
        assertAllClose(9.0, sum.result(), 1e-3, "sum, per-element weights");
    }

    @Test
    void sumWeightedNdBroadcast() {
        Metric sum = metric("Sum");
        sum.update(m(row(1, 3), row(5, 7)), m(row(1, 0)));
        assertAllClose(6.0, sum.result(), 1e-3, "sum, weight row [[1, 0]]");
    }

    @Test
    void meanUnweighted() {
        Mean mean = new Mean();
        mean.update(v(1, 3, 5, 7));
        assertAllClose(4.0, mean.result(), 1e-3, "mean");
        assertEquals("mean", mean.name());
    }

    @Test
    void meanWeighted() {
        Mean mean = new Mean();
        mean.update(v(1, 3, 5, 7), v(1, 1, 0, 0));
        assertAllClose(2.0, mean.result(), 1e-3, "mean, weights [1, 1, 0, 0]");
    }

    @Test
    void meanWeightedNegativeWeights() {
        Mean mean = new Mean();
        mean.update(v(1, 3, 5, 7), v(-1, -1, 0, 0));
        assertAllClose(2.0, mean.result(), 1e-3, "mean, weights [-1, -1, 0, 0]");
    }

    @Test
    void meanWeightedNd() {
        Metric mean = metric("mean");
        mean.update(m(row(1, 3), row(5, 7)), m(row(1, 1), row(1, 0)));
        assertAllClose(3.0, mean.result(), 1e-3, "mean, per-element weights");
    }

    @Test
    void meanWeightedNdBroadcast() {
        Metric mean = metric("Mean");
        mean.update(m(row(1, 3), row(5, 7)), m(row(1, 0)));
        assertAllClose(3.0, mean.result(), 1e-3, "mean, weight row [[1, 0]]");
    }

    @Test
    void scalarWeightCountsTheUpdateAsThatManySamples() {
        // Keras: values reduce to their mean, total += 2 * 4, count += 2; then 10 (count 1)
        Mean mean = new Mean();
        mean.update(v(1, 3, 5, 7), scalar(2));
        mean.update(v(10));
        assertAllClose((2 * 4.0 + 10) / 3, mean.result(), "mean, scalar weight 2 then one value");
    }

    @Test
    void accumulatesUntilReset() {
        Mean mean = new Mean();
        mean.update(v(1, 3));
        mean.update(v(5, 7, 9));
        assertAllClose(5.0, mean.result(), "mean over two updates");
        mean.reset();
        assertAllClose(0.0, mean.result(), "after reset");
        mean.update(v(8));
        assertAllClose(8.0, mean.result(), "after reset and one value");
    }

    @Test
    void labelsAndPredictionsAreRefused() {
        Mean mean = new Mean();
        rejects(() -> mean.update(v(1), v(1), v(1)), "takes values");
    }

    private dev.nabla.Tensor scalar(double x) {
        return keep(dev.nabla.Tensor.of(new float[] {(float) x}));
    }
}

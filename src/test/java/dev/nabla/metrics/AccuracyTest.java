package dev.nabla.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Keras 3 accuracy_metrics_test.py AccuracyTest (element-wise equality), with Keras's tolerance,
 * and the weight shapes Keras accepts: per sample, per element, and a broadcast row.
 */
class AccuracyTest extends KerasMetricCase {

    @Test
    void unweighted() {
        Metric acc = new Accuracy();
        acc.update(m(row(1), row(2), row(3), row(4)), m(row(0), row(2), row(3), row(4)));
        assertAllClose(0.75, acc.result(), 1e-3, "accuracy");
        assertEquals("accuracy", acc.name());
    }

    @Test
    void weighted() {
        Metric acc = new Accuracy();
        acc.update(m(row(1), row(2), row(3), row(4)), m(row(0), row(2), row(3), row(4)),
            v(1, 1, 0, 0));
        assertAllClose(0.5, acc.result(), 1e-3, "accuracy, weights [1, 1, 0, 0]");
    }

    @Test
    void weightedRank1() {
        Metric acc = new Accuracy();
        acc.update(v(1, 2, 3, 4), v(0, 2, 3, 4), v(1, 1, 0, 0));
        assertAllClose(0.5, acc.result(), 1e-3, "accuracy, rank-1 data");
    }

    @Test
    void weightedNdWeights() {
        Metric acc = new Accuracy();
        acc.update(m(row(1, 2), row(3, 4)), m(row(0, 2), row(3, 4)), m(row(1, 0), row(0, 1)));
        assertAllClose(0.5, acc.result(), 1e-3, "accuracy, per-element weights");
    }

    @Test
    void weightedNdBroadcastWeights() {
        Metric acc = new Accuracy();
        acc.update(m(row(1, 2), row(3, 4)), m(row(0, 2), row(3, 4)), m(row(1, 0)));
        assertAllClose(0.5, acc.result(), 1e-3, "accuracy, weight row [[1, 0]] broadcast");
    }

    @Test
    void weightsThatDoNotBroadcastAreRefusedNamingTheShapes() {
        // Keras first averages the (2, 2) values down to the weights' rank: (2,) against (3,)
        Metric acc = new Accuracy();
        rejects(() -> acc.update(m(row(1, 2), row(3, 4)), m(row(0, 2), row(3, 4)), v(1, 0, 1)),
            "sample_weight", "[3]", "values of shape [2]");
    }
}

package dev.nabla.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keras 3 accuracy_metrics_test.py BinaryAccuracyTest, case by case, with Keras's tolerances. */
class BinaryAccuracyTest extends KerasMetricCase {

    @Test
    void unweighted() {
        Metric acc = metric("binary_accuracy");
        acc.update(m(row(1), row(1), row(0), row(0)), m(row(0.98), row(1), row(0), row(0.6)));
        assertAllClose(0.75, acc.result(), 1e-3, "binary_accuracy");
    }

    @Test
    void unweightedBroadcastLabels() {
        // Keras's "broadcasting case": y_true of shape (4,) against y_pred of shape (4, 1)
        Metric acc = metric("binary_accuracy");
        acc.update(v(1, 1, 0, 0), m(row(0.98), row(1), row(0), row(0.6)));
        assertAllClose(0.75, acc.result(), 1e-3, "binary_accuracy, (4,) labels");
    }

    @Test
    void weighted() {
        Metric acc = metric("binary_accuracy");
        acc.update(m(row(1), row(1), row(0), row(0)), m(row(0.98), row(1), row(0), row(0.6)),
            v(1, 0, 0, 1));
        assertAllClose(0.5, acc.result(), 1e-3, "binary_accuracy, weights [1, 0, 0, 1]");
    }

    @Test
    void threshold() {
        Metric low = metric("binary_accuracy", Map.of("threshold", 0.3));
        Metric high = metric("binary_accuracy", Map.of("threshold", 0.9));
        for (Metric acc : new Metric[] {low, high}) {
            acc.update(m(row(1), row(1), row(0), row(0)),
                m(row(0.98), row(0.5), row(0.1), row(0.2)));
        }
        // a higher threshold must give a lower measured accuracy
        assertAllClose(1.0, low.result(), "binary_accuracy, threshold 0.3");
        assertAllClose(0.75, high.result(), "binary_accuracy, threshold 0.9");
    }

    @Test
    void invalidThresholdIsRejectedNamingIt() {
        // Keras: ValueError "Invalid value for argument `threshold`" for -0.5 and 1.5
        rejects(() -> metric("binary_accuracy", Map.of("threshold", -0.5)), "threshold");
        rejects(() -> metric("binary_accuracy", Map.of("threshold", 1.5)), "threshold");
    }

    @Test
    void predictionEqualToThresholdCountsAsNegative() {
        // Keras compares y_pred > threshold, strictly
        Metric acc = metric("binary_accuracy");
        acc.update(v(0, 1), m(row(0.5), row(0.5)));
        assertAllClose(0.5, acc.result(), "binary_accuracy at the threshold");
    }

    @Test
    void multiLabelRowsAverageTheirColumns() {
        // per sample: the mean over the last axis (Keras's binary_accuracy reduces axis -1)
        Metric acc = metric("binary_accuracy");
        acc.update(m(row(1, 0, 1, 0), row(1, 1, 1, 1)), m(row(0.9, 0.2, 0.3, 0.1),
            row(0.6, 0.7, 0.8, 0.4)));
        assertAllClose((3 / 4.0 + 3 / 4.0) / 2, acc.result(), "binary_accuracy, 4 labels");
    }

    @Test
    void weightedRank1() {
        Metric acc = metric("binary_accuracy");
        acc.update(v(1, 1, 0, 0), v(0.98, 1, 0, 0.6), v(1, 0, 0, 1));
        assertAllClose(0.5, acc.result(), 1e-3, "binary_accuracy, rank-1 data");
    }

    @Test
    void weightedNdWeights() {
        Metric acc = metric("binary_accuracy");
        acc.update(m(row(1, 1), row(0, 0)), m(row(0.98, 1), row(0, 0.6)), m(row(1, 0), row(0, 1)));
        assertAllClose(0.5, acc.result(), 1e-3, "binary_accuracy, per-element weights");
    }

    @Test
    void weightedNdBroadcastWeights() {
        // matches [[1, 1], [1, 0]] weighted by [[1, 0]]: the first column only, 2 of 2
        Metric acc = metric("binary_accuracy");
        acc.update(m(row(1, 1), row(0, 0)), m(row(0.98, 1), row(0, 0.6)), m(row(1, 0)));
        assertAllClose(1.0, acc.result(), 1e-3, "binary_accuracy, weight row [[1, 0]]");
    }

    @Test
    void classFormMatchesTheRegistry() {
        Metric acc = new BinaryAccuracy("ba", 0.3);
        acc.update(m(row(1), row(1), row(0), row(0)), m(row(0.98), row(0.5), row(0.1), row(0.2)));
        assertAllClose(1.0, acc.result(), "BinaryAccuracy(threshold=0.3)");
        assertEquals(Map.of("name", "ba", "threshold", 0.3), acc.config());
    }
}

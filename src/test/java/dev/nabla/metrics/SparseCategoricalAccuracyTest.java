package dev.nabla.metrics;

import dev.nabla.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 accuracy_metrics_test.py SparseCategoricalAccuracyTest, with Keras's tolerances. Keras
 * feeds (batch, 1) labels in several cases (to test its squeeze); both (batch, 1) and (batch)
 * are given here where Keras uses either. The dtype cases reduce to plain float cases.
 */
class SparseCategoricalAccuracyTest extends KerasMetricCase {

    /** Keras's y_pred for test_unweighted and test_weighted. */
    private Tensor twoRows() {
        return m(row(0.1, 0.6, 0.3), row(0.05, 0.95, 0));
    }

    @Test
    void unweighted() {
        Metric acc = metric("sparse_categorical_accuracy");
        acc.update(m(row(2), row(1)), twoRows());
        assertAllClose(0.5, acc.result(), 1e-3, "sparse_categorical_accuracy");
    }

    @Test
    void unweightedRankOneLabels() {
        Metric acc = metric("sparse_categorical_accuracy");
        acc.update(v(2, 1), twoRows());
        assertAllClose(0.5, acc.result(), 1e-3, "sparse_categorical_accuracy, (2,) labels");
    }

    @Test
    void weighted() {
        Metric acc = metric("sparse_categorical_accuracy");
        acc.update(m(row(2), row(1)), twoRows(), v(0.7, 0.3));
        assertAllClose(0.3, acc.result(), 1e-3, "sparse_categorical_accuracy, weights [0.7, 0.3]");
    }

    @Test
    void squeezeYTrue() {
        Metric acc = metric("sparse_categorical_accuracy");
        acc.update(m(row(0), row(1), row(2)),
            m(row(0.9, 0.05, 0.05), row(0.05, 0.9, 0.05), row(0.05, 0.05, 0.9)));
        assertAllClose(1.0, acc.result(), 1e-4, "(3, 1) labels");
    }

    @Test
    void castYPredDtype() {
        Metric acc = metric("sparse_categorical_accuracy");
        acc.update(v(0, 1), m(row(0.9, 0.1), row(0.1, 0.9)));
        assertAllClose(1.0, acc.result(), 1e-4, "(2,) labels, 2 classes");
    }

    @Test
    void squeezeYTrueShape() {
        Metric acc = metric("sparse_categorical_accuracy");
        acc.update(m(row(0), row(1), row(2)), m(row(1, 0, 0), row(0, 1, 0), row(0, 0, 1)));
        assertAllClose(1.0, acc.result(), 1e-4, "(3, 1) labels, one-hot predictions");
    }

    @Test
    void castYPredToMatchYTrueDtype() {
        Metric acc = metric("sparse_categorical_accuracy");
        acc.update(v(0, 1, 2), m(row(0.9, 0.1, 0.0), row(0.0, 0.9, 0.1), row(0.1, 0.0, 0.9)));
        assertAllClose(1.0, acc.result(), 1e-4, "(3,) labels");
    }

    @Test
    void reshapeMatchesToOriginalYTrueShape() {
        Metric acc = metric("sparse_categorical_accuracy");
        acc.update(m(row(0), row(1)), m(row(0.9, 0.1), row(0.1, 0.9)));
        assertAllClose(1.0, acc.result(), 1e-4, "(2, 1) labels, 2 classes");
    }

    @Test
    void matchingShapesWithoutSqueeze() {
        Metric acc = metric("sparse_categorical_accuracy");
        acc.update(v(2, 1, 0), m(row(0, 0, 1), row(0, 1, 0), row(1, 0, 0)));
        assertAllClose(1.0, acc.result(), 1e-4, "(3,) labels, one-hot predictions");
    }
}

package dev.nabla.metrics;

import org.junit.jupiter.api.Test;

/** Keras 3 accuracy_metrics_test.py CategoricalAccuracyTest, with Keras's tolerances. */
class CategoricalAccuracyTest extends KerasMetricCase {

    @Test
    void unweighted() {
        Metric acc = metric("categorical_accuracy");
        acc.update(m(row(0, 0, 1), row(0, 1, 0)), m(row(0.1, 0.9, 0.8), row(0.05, 0.95, 0)));
        assertAllClose(0.5, acc.result(), 1e-3, "categorical_accuracy");
    }

    @Test
    void weighted() {
        Metric acc = metric("categorical_accuracy");
        acc.update(m(row(0, 0, 1), row(0, 1, 0)), m(row(0.1, 0.9, 0.8), row(0.05, 0.95, 0)),
            v(0.7, 0.3));
        assertAllClose(0.3, acc.result(), 1e-3, "categorical_accuracy, weights [0.7, 0.3]");
    }

    @Test
    void nameResolvesInClassForm() {
        Metric acc = metric("CategoricalAccuracy");
        acc.update(m(row(0, 1)), m(row(0.2, 0.8)));
        assertAllClose(1.0, acc.result(), "CategoricalAccuracy");
    }
}

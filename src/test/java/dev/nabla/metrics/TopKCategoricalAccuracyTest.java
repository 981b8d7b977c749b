package dev.nabla.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 accuracy_metrics_test.py TopKCategoricalAccuracyTest and
 * SparseTopKCategoricalAccuracyTest, with Keras's tolerance; the tie rule of TensorFlow's
 * in_top_k; k's default and check.
 */
class TopKCategoricalAccuracyTest extends KerasMetricCase {

    private Tensor yPred() {
        return m(row(0.1, 0.9, 0.8), row(0.05, 0.95, 0));
    }

    @Test
    void unweighted() {
        Metric acc = metric("top_k_categorical_accuracy", Map.of("k", 1));
        acc.update(m(row(0, 0, 1), row(0, 1, 0)), yPred());
        assertAllClose(0.5, acc.result(), 1e-3, "top_k_categorical_accuracy, k=1");
    }

    @Test
    void weighted() {
        Metric acc = new TopKCategoricalAccuracy("top_k_categorical_accuracy", 1);
        acc.update(m(row(0, 0, 1), row(0, 1, 0)), yPred(), v(0.7, 0.3));
        assertAllClose(0.3, acc.result(), 1e-3, "top_k_categorical_accuracy, weights");
    }

    @Test
    void defaultKIsFiveAndKTwoFindsTheSecondBest() {
        TopKCategoricalAccuracy five = (TopKCategoricalAccuracy) metric("TopKCategoricalAccuracy");
        assertEquals(5, five.k());
        assertEquals("top_k_categorical_accuracy", five.name());
        Metric two = metric("top_k_categorical_accuracy", Map.of("k", 2));
        two.update(m(row(0, 0, 1), row(0, 1, 0)), yPred()); // 0.8 is second in row 1
        assertAllClose(1.0, two.result(), "k=2");
    }

    @Test
    void tiesAtTheBoundaryCountAsInTheTopK() {
        // TensorFlow's in_top_k: in when fewer than k scores are strictly larger
        Metric acc = metric("sparse_top_k_categorical_accuracy", Map.of("k", 1));
        acc.update(v(1, 0), m(row(0.4, 0.4, 0.2), row(0.3, 0.5, 0.2)));
        assertAllClose(0.5, acc.result(), "tie at k=1 counts; a lower score does not");
    }

    @Test
    void sparseUnweighted() {
        Metric acc = metric("sparse_top_k_categorical_accuracy", Map.of("k", 1));
        acc.update(v(2, 1), yPred());
        assertAllClose(0.5, acc.result(), 1e-3, "sparse_top_k_categorical_accuracy, k=1");
    }

    @Test
    void sparseWeighted() {
        Metric acc = metric("SparseTopKCategoricalAccuracy", Map.of("k", 1));
        acc.update(v(2, 1), yPred(), v(0.7, 0.3));
        assertAllClose(0.3, acc.result(), 1e-3, "sparse_top_k_categorical_accuracy, weights");
    }

    @Test
    void sparseColumnLabels() {
        Metric acc = metric("sparse_top_k_categorical_accuracy", Map.of("k", 1));
        acc.update(m(row(2), row(1)), yPred());
        assertAllClose(0.5, acc.result(), 1e-3, "(2, 1) labels");
    }

    @Test
    void fromSortedIdsUnweighted() {
        Metric acc = metric("sparse_top_k_categorical_accuracy",
            Map.of("k", 1, "from_sorted_ids", true));
        acc.update(v(2, 1), m(row(1, 0, 3), row(1, 2, 3)));
        assertAllClose(0.5, acc.result(), 1e-3, "from_sorted_ids");
    }

    @Test
    void fromSortedIdsWeighted() {
        Metric acc = new SparseTopKCategoricalAccuracy("s", 1, true);
        acc.update(v(2, 1), m(row(1, 0, 3), row(1, 2, 3)), v(0.7, 0.3));
        assertAllClose(0.3, acc.result(), 1e-3, "from_sorted_ids, weights");
        assertEquals(Map.of("name", "s", "k", 1, "from_sorted_ids", true), acc.config());
    }

    @Test
    void badKIsRefused() {
        rejects(() -> metric("top_k_categorical_accuracy", Map.of("k", 0)), "'k'");
        rejects(() -> metric("top_k_categorical_accuracy", Map.of("k", 1.5)), "'k'");
    }
}

package dev.nabla.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras's metric state: a weighted mean (total / count) accumulated across update_state calls
 * until reset_state, and the registry's names and refusals.
 */
class MetricsTest extends KerasMetricCase {

    @Test
    void stateAccumulatesAcrossUpdates() {
        Metric acc = metric("binary_accuracy");
        acc.update(m(row(1), row(1), row(0), row(0)), m(row(0.98), row(1), row(0), row(0.6)));
        assertAllClose(0.75, acc.result(), "after batch 1");
        acc.update(m(row(1), row(0)), m(row(0.1), row(0.9)));
        assertAllClose(3 / 6.0, acc.result(), "after batch 2: 3 right of 6");
    }

    @Test
    void weightedStateAccumulatesTotalOverCount() {
        Metric mse = metric("mse");
        mse.update(m(row(0, 0), row(0, 0)), m(row(1, 1), row(2, 2)), v(1, 3)); // values 1, 4
        mse.update(m(row(0, 0)), m(row(3, 1)), v(0.5)); // value 5
        assertAllClose((1 * 1 + 3 * 4 + 0.5 * 5) / 4.5, mse.result(), "weighted mean over batches");
    }

    @Test
    void unweightedAndUnitWeightsAgree() {
        Metric a = metric("categorical_accuracy");
        Metric b = metric("categorical_accuracy");
        a.update(m(row(0, 0, 1), row(0, 1, 0)), m(row(0.1, 0.9, 0.8), row(0.05, 0.95, 0)));
        b.update(m(row(0, 0, 1), row(0, 1, 0)), m(row(0.1, 0.9, 0.8), row(0.05, 0.95, 0)),
            v(1, 1));
        assertEquals(a.result(), b.result());
    }

    @Test
    void resetStartsOver() {
        Metric acc = metric("sparse_categorical_accuracy");
        acc.update(v(2, 1), m(row(0.1, 0.6, 0.3), row(0.05, 0.95, 0)));
        assertAllClose(0.5, acc.result(), "before reset");
        acc.reset();
        assertAllClose(0.0, acc.result(), "right after reset (Keras: 0 when count is 0)");
        acc.update(v(1), m(row(0.05, 0.95, 0)));
        assertAllClose(1.0, acc.result(), "after reset and one right sample");
    }

    @Test
    void allZeroWeightsGiveZero() {
        Metric mae = metric("mae");
        mae.update(m(row(0, 1)), m(row(1, 0)), v(0));
        assertAllClose(0.0, mae.result(), "Keras divide_no_nan: 0 / 0 = 0");
    }

    @Test
    void namesAndDisplayNames() {
        assertEquals("binary_accuracy", metric("BinaryAccuracy").name());
        assertEquals("categorical_accuracy", metric("categorical_accuracy").name());
        assertEquals("sparse_categorical_accuracy", metric("SparseCategoricalAccuracy").name());
        assertEquals("mae", metric("mae").name());
        assertEquals("mean_absolute_error", metric("mean_absolute_error").name());
        assertEquals("mse", metric("mse").name());
        assertEquals("mean_squared_error", metric("MeanSquaredError").name());
        assertEquals("acc", metric("binary_accuracy", Map.of("name", "acc")).name());
    }

    @Test
    void unknownNameOrKeyIsRejectedNamingIt() {
        rejects(() -> metric("r2_score"), "r2_score", "accepted");
        rejects(() -> metric("categorical_accuracy", Map.of("threshold", 0.5)), "threshold");
        rejects(() -> metric("mse", Map.of("dtype", "float32")), "dtype");
        rejects(() -> metric("binary_accuracy", Map.of("threshold", "high")), "threshold");
    }

    @Test
    void accIsResolvedOnlyByCompileWhileAccuracyIsKerasElementWiseClass() {
        // keras.metrics.get("accuracy") is the element-wise Accuracy class; "acc" is no class
        rejects(() -> metric("acc"), "acc", "compile");
        Metric acc = metric("accuracy");
        assertEquals("Accuracy", acc.className());
        acc.update(v(1, 2, 3, 4), v(0, 2, 3, 4));
        assertAllClose(0.75, acc.result(), "element-wise equality");
    }

    @Test
    void everyNameBuildsAndItsConfigRebuildsIt() {
        String[][] cases = {{"accuracy", "Accuracy", "accuracy"},
            {"BinaryAccuracy", "BinaryAccuracy", "binary_accuracy"},
            {"categorical_accuracy", "CategoricalAccuracy", "categorical_accuracy"},
            {"SparseCategoricalAccuracy", "SparseCategoricalAccuracy",
                "sparse_categorical_accuracy"},
            {"top_k_categorical_accuracy", "TopKCategoricalAccuracy",
                "top_k_categorical_accuracy"},
            {"SparseTopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
                "sparse_top_k_categorical_accuracy"},
            {"MSE", "MeanSquaredError", "mse"},
            {"mean_absolute_error", "MeanAbsoluteError", "mean_absolute_error"},
            {"RootMeanSquaredError", "RootMeanSquaredError", "root_mean_squared_error"},
            {"Precision", "Precision", "precision"}, {"recall", "Recall", "recall"},
            {"AUC", "AUC", "auc"}, {"mean", "Mean", "mean"}, {"Sum", "Sum", "sum"}};
        for (String[] c : cases) {
            Metric m = metric(c[0]);
            assertEquals(c[1], m.className(), c[0]);
            assertEquals(c[2], m.name(), c[0]);
            Metric again = Metrics.get(m.className(), m.config());
            assertEquals(m.getClass(), again.getClass(), c[0]);
            assertEquals(m.config(), again.config(), c[0]);
        }
    }

    @Test
    void updateWithRowsReadsOnlyTheFirstRows() {
        // a model's partial last batch: only the first 2 of 3 rows count
        Metric acc = metric("sparse_categorical_accuracy");
        acc.update(v(1, 0, 0), m(row(0.2, 0.8), row(0.9, 0.1), row(0.1, 0.9)), null, 2);
        assertAllClose(1.0, acc.result(), "2 rows, both right");
        Metric weighted = metric("mae");
        weighted.update(m(row(0), row(0), row(0)), m(row(1), row(3), row(100)), v(1, 3, 5), 2);
        assertAllClose((1 * 1 + 3 * 3) / 4.0, weighted.result(), "2 rows with their weights");
    }

    @Test
    void callIsUpdateThenResult() {
        Metric acc = metric("binary_accuracy");
        assertAllClose(0.5, acc.call(v(1, 0), v(0.9, 0.8)), "first call");
        assertAllClose(0.75, acc.call(v(1, 0), v(0.9, 0.1)), "second call accumulates");
    }
}

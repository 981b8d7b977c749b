package dev.nabla.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nabla.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 confusion_metrics_test.py PrecisionTest and RecallTest, case by case. Keras compares
 * with assertAlmostEqual (7 places) unless a case says otherwise; the same bound here.
 */
class PrecisionRecallTest extends KerasMetricCase {

    private static void almostEqual(double desired, float actual, String what) {
        assertAllClose(desired, actual, 5e-8, what);
    }

    private static void almostEqual(double[] desired, float[] actual, String what) {
        assertEquals(desired.length, actual.length, what + ": values " + Arrays.toString(actual));
        for (int i = 0; i < desired.length; i++) {
            assertAllClose(desired[i], actual[i], 1e-6, what + " [" + i + "]");
        }
    }

    private static Precision precision(Map<String, ?> config) {
        return (Precision) metric("precision", config);
    }

    private static Recall recall(Map<String, ?> config) {
        return (Recall) metric("recall", config);
    }

    private Tensor scalar(double x) {
        return keep(Tensor.of(new float[] {(float) x}));
    }

    // ---- Precision ----------------------------------------------------------------------------

    @Test
    void precisionUnweighted() {
        almostEqual(0.5, precision(Map.of()).call(v(0, 1, 1, 0), v(1, 0, 1, 0)), "precision");
    }

    @Test
    void precisionUnweightedAllIncorrect() {
        // Keras draws 100 random 0/1 inputs and labels them 1 - input; any such pattern gives 0
        float[] in = new float[100], labels = new float[100];
        for (int i = 0; i < 100; i++) {
            in[i] = (i * 7 % 3 == 0) ? 1 : 0;
            labels[i] = 1 - in[i];
        }
        Precision p = precision(Map.of("thresholds", List.of(0.5)));
        almostEqual(0, p.call(keep(Tensor.of(labels, 100, 1)), keep(Tensor.of(in, 100, 1))),
            "precision, all wrong");
    }

    @Test
    void precisionWeighted() {
        float r = precision(Map.of()).call(m(row(0, 1, 1, 0), row(1, 0, 0, 1)),
            m(row(1, 0, 1, 0), row(1, 0, 1, 0)), m(row(1, 2, 3, 4), row(4, 3, 2, 1)));
        almostEqual((3.0 + 4.0) / ((1.0 + 3.0) + (4.0 + 2.0)), r, "precision, weighted");
    }

    @Test
    void precisionDivByZero() {
        assertEquals(0f, precision(Map.of()).call(v(0, 0, 0, 0), v(0, 0, 0, 0)));
    }

    @Test
    void precisionUnweightedWithThreshold() {
        Precision p = precision(Map.of("thresholds", List.of(0.5, 0.7)));
        p.update(v(0, 1, 1, 0), v(1, 0, 0.6, 0));
        almostEqual(new double[] {0.5, 0.0}, p.results(), "precision at [0.5, 0.7]");
    }

    @Test
    void precisionWeightedWithThreshold() {
        Precision p = precision(Map.of("thresholds", List.of(0.5, 1.0)));
        p.update(m(row(0, 1), row(1, 0)), m(row(1, 0), row(0.6, 0)), m(row(4, 0), row(3, 1)));
        almostEqual(new double[] {3.0 / ((0 + 3.0) + (4.0 + 0.0)), 0}, p.results(),
            "precision at [0.5, 1.0], weighted");
    }

    @Test
    void precisionMultipleUpdates() {
        Precision p = precision(Map.of("thresholds", List.of(0.5, 1.0)));
        for (int i = 0; i < 2; i++) {
            p.update(m(row(0, 1), row(1, 0)), m(row(1, 0), row(0.6, 0)), m(row(4, 0), row(3, 1)));
        }
        almostEqual(new double[] {6.0 / 14.0, 0}, p.results(), "precision over two updates");
    }

    @Test
    void precisionUnweightedTopK() {
        // the top 3 of [0.2, 0.1, 0.5, 0, 0.2] are indices 2, 0, 4 (ties: the lower index first)
        Precision p = precision(Map.of("top_k", 3));
        almostEqual(1.0 / 3, p.call(v(0, 1, 1, 0, 0), v(0.2, 0.1, 0.5, 0, 0.2)), "top_k=3");
    }

    @Test
    void precisionWeightedTopK() {
        Precision p = precision(Map.of("top_k", 3));
        p.update(m(row(0, 1, 1, 0, 1)), m(row(0.2, 0.1, 0.4, 0, 0.2)), m(row(1, 4, 2, 3, 5)));
        float r = p.call(v(1, 0, 1, 1, 1), v(0.2, 0.6, 0.4, 0.2, 0.2), scalar(3));
        almostEqual(((2 + 5) + (3 + 3)) / (double) ((1 + 2 + 5) + (3 + 3 + 3)), r,
            "top_k=3 over two updates, the second with a scalar weight");
    }

    @Test
    void precisionClassIdNeedsTwoDimensionalPredictions() {
        Precision p = precision(Map.of("class_id", 2));
        rejects(() -> p.update(v(0, 1, 1, 0, 0), v(0.2, 0.1, 0.6, 0, 0.2)),
            "class_id", "2D array with shape (num_samples, num_classes)");
    }

    private Tensor classPred() {
        return m(row(0.1, 0.2, 0.7), row(0.5, 0.3, 0.2), row(0.2, 0.6, 0.2), row(0.7, 0.2, 0.1),
            row(0.1, 0.1, 0.8));
    }

    private Tensor classTrue() {
        return m(row(0, 0, 1), row(1, 0, 0), row(0, 1, 0), row(1, 0, 0), row(0, 0, 1));
    }

    @Test
    void precisionClassIdMulticlass() {
        Precision p = precision(Map.of("class_id", 1));
        almostEqual(1.0, p.call(classTrue(), classPred()), "class_id=1");
        assertArrayEquals(new double[] {1}, p.truePositives());
        assertArrayEquals(new double[] {0}, p.falsePositives());
    }

    @Test
    void precisionTopKAndThreshold() {
        Precision p = precision(Map.of("thresholds", 0.7, "top_k", 2));
        almostEqual(1, p.call(v(0, 1, 1, 0, 1), v(0.2, 0.8, 0.6, 0, 0.2)), "top_k=2, 0.7");
        assertArrayEquals(new double[] {1}, p.truePositives());
        assertArrayEquals(new double[] {0}, p.falsePositives());
    }

    @Test
    void evenlySpacedThresholdsTakeKerasBucketPathWithTheSameCounts() {
        // [0, 0.5, 1] is evenly spaced: Keras buckets by ceil(p * 2) - 1; the counts must be
        // those of y_pred > t: at 0: 0.5, 0.3, 0.9 (2 true); at 0.5: 0.9; at 1: none
        Precision p = precision(Map.of("thresholds", List.of(0.0, 0.5, 1.0)));
        p.update(v(0, 0, 1, 1), v(0, 0.5, 0.3, 0.9));
        almostEqual(new double[] {2 / 3.0, 1, 0}, p.results(), "precision at [0, 0.5, 1]");
        assertArrayEquals(new double[] {2, 1, 0}, p.truePositives());
        assertArrayEquals(new double[] {1, 0, 0}, p.falsePositives());
    }

    @Test
    void severalThresholdsHaveNoSingleResult() {
        Precision p = precision(Map.of("thresholds", List.of(0.5, 0.7)));
        IllegalStateException e = assertThrows(IllegalStateException.class, p::result);
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("results()"));
    }

    @Test
    void configRoundTrips() {
        Precision p = precision(Map.of("name", "my_precision", "thresholds", List.of(0.4, 0.9),
            "top_k", 15, "class_id", 12));
        assertEquals("my_precision", p.name());
        assertArrayEquals(new double[] {0.4, 0.9}, p.thresholds());
        assertEquals(15, p.topK());
        assertEquals(12, p.classId());
        Precision again = (Precision) Metrics.get(p.className(), p.config());
        assertEquals(p.config(), again.config());
        assertEquals(0.5, precision(Map.of()).thresholds()[0]);
        assertEquals(-1e10f, (float) precision(Map.of("top_k", 1)).thresholds()[0]);
    }

    @Test
    void badArgumentsAreRefusedNamingThem() {
        rejects(() -> precision(Map.of("thresholds", 1.5)), "threshold", "[0, 1]");
        rejects(() -> precision(Map.of("thresholds", List.of(-0.1, 0.5))), "threshold");
        rejects(() -> precision(Map.of("top_k", 0)), "top_k");
        rejects(() -> precision(Map.of("class_id", -1)), "class_id");
        rejects(() -> precision(Map.of("thresholds", "high")), "thresholds");
        Precision p = precision(Map.of("class_id", 3));
        rejects(() -> p.update(classTrue(), classPred()), "class_id 3");
        rejects(() -> precision(Map.of()).update(v(0, 1, 1), v(1, 0, 1, 0)), "y_true", "y_pred");
    }

    // ---- Recall -------------------------------------------------------------------------------

    @Test
    void recallUnweighted() {
        almostEqual(0.5, recall(Map.of()).call(v(0, 1, 1, 0), v(1, 0, 1, 0)), "recall");
    }

    @Test
    void recallUnweightedAllIncorrect() {
        float[] in = new float[100], labels = new float[100];
        for (int i = 0; i < 100; i++) {
            in[i] = (i * 5 % 3 == 1) ? 1 : 0;
            labels[i] = 1 - in[i];
        }
        Recall r = recall(Map.of("thresholds", List.of(0.5)));
        almostEqual(0, r.call(keep(Tensor.of(labels, 100, 1)), keep(Tensor.of(in, 100, 1))),
            "recall, all wrong");
    }

    @Test
    void recallWeighted() {
        float r = recall(Map.of()).call(m(row(0, 1, 1, 0), row(1, 0, 0, 1)),
            m(row(1, 0, 1, 0), row(0, 1, 0, 1)), m(row(1, 2, 3, 4), row(4, 3, 2, 1)));
        almostEqual((3.0 + 1.0) / ((2.0 + 3.0) + (4.0 + 1.0)), r, "recall, weighted");
    }

    @Test
    void recallDivByZero() {
        assertEquals(0f, recall(Map.of()).call(v(0, 0, 0, 0), v(0, 0, 0, 0)));
    }

    @Test
    void recallUnweightedWithThreshold() {
        Recall r = recall(Map.of("thresholds", List.of(0.5, 0.7)));
        r.update(v(0, 1, 1, 0), v(1, 0, 0.6, 0));
        almostEqual(new double[] {0.5, 0.0}, r.results(), "recall at [0.5, 0.7]");
    }

    @Test
    void recallWeightedWithThreshold() {
        Recall r = recall(Map.of("thresholds", List.of(0.5, 1.0)));
        r.update(m(row(0, 1), row(1, 0)), m(row(1, 0), row(0.6, 0)), m(row(1, 4), row(3, 2)));
        almostEqual(new double[] {3.0 / 7.0, 0}, r.results(), "recall at [0.5, 1.0], weighted");
    }

    @Test
    void recallMultipleUpdates() {
        Recall r = recall(Map.of("thresholds", List.of(0.5, 1.0)));
        for (int i = 0; i < 2; i++) {
            r.update(m(row(0, 1), row(1, 0)), m(row(1, 0), row(0.6, 0)), m(row(1, 4), row(3, 2)));
        }
        almostEqual(new double[] {6.0 / 14.0, 0}, r.results(), "recall over two updates");
    }

    @Test
    void recallUnweightedTopK() {
        almostEqual(0.5, recall(Map.of("top_k", 3)).call(v(0, 1, 1, 0, 0),
            v(0.2, 0.1, 0.5, 0, 0.2)), "recall, top_k=3");
    }

    @Test
    void recallWeightedTopK() {
        Recall r = recall(Map.of("top_k", 3));
        r.update(m(row(0, 1, 1, 0, 1)), m(row(0.2, 0.1, 0.4, 0, 0.2)), m(row(1, 4, 2, 3, 5)));
        float result = r.call(v(1, 0, 1, 1, 1), v(0.2, 0.6, 0.4, 0.2, 0.2), scalar(3));
        almostEqual(((2 + 5) + (3 + 3)) / (double) ((4 + 2 + 5) + (3 + 3 + 3 + 3)), result,
            "recall, top_k=3 over two updates");
    }

    @Test
    void recallClassIdNeedsTwoDimensionalPredictions() {
        Recall r = recall(Map.of("class_id", 2));
        rejects(() -> r.update(v(0, 1, 1, 0, 0), v(0.2, 0.1, 0.6, 0, 0.2)), "class_id");
    }

    @Test
    void recallClassIdMulticlass() {
        Recall r = recall(Map.of("class_id", 1));
        almostEqual(1.0, r.call(classTrue(), classPred()), "recall, class_id=1");
        assertArrayEquals(new double[] {1}, r.truePositives());
        assertArrayEquals(new double[] {0}, r.falseNegatives());
    }

    @Test
    void recallTopKAndThreshold() {
        Recall r = recall(Map.of("thresholds", 0.7, "top_k", 2));
        almostEqual(0.25, r.call(v(1, 1, 1, 0, 1), v(0.2, 0.8, 0.6, 0, 0.2)), "top_k=2, 0.7");
        assertArrayEquals(new double[] {1}, r.truePositives());
        assertArrayEquals(new double[] {3}, r.falseNegatives());
    }

    @Test
    void resetClearsTheCounts() {
        Recall r = recall(Map.of());
        r.update(v(0, 1, 1, 0), v(1, 0, 1, 0));
        r.reset();
        assertArrayEquals(new double[] {0}, r.truePositives());
        almostEqual(1.0, r.call(v(1), v(0.9)), "after reset");
    }
}

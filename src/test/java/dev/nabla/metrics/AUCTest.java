package dev.nabla.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 confusion_metrics_test.py AUCTest and MultiAUCTest, case by case, with Keras's
 * tolerances (its assertAllClose(x, y, 1e-3) passes 1e-3 as atol). Where Keras's expected number
 * is a rounded hand estimate, the exact value from Keras's formulas is asserted too.
 */
class AUCTest extends KerasMetricCase {

    // AUCTest.setUp: thresholds [0 - 1e-7, 0.5, 1 + 1e-7]; without weights
    // tp = [2, 1, 0], fp = [2, 0, 0], fn = [0, 1, 2], tn = [0, 2, 2]; with weights [1, 2, 3, 4]
    // tp = [7, 4, 0], fp = [3, 0, 0], fn = [0, 3, 7], tn = [0, 3, 3]
    private Tensor yPred() {
        return v(0, 0.5, 0.3, 0.9);
    }

    private Tensor yTrue() {
        return v(0, 0, 1, 1);
    }

    private Tensor weights() {
        return v(1, 2, 3, 4);
    }

    /** Keras's -log(1 / (p + 1e-12) - 1): the logits of yPred. */
    private Tensor logits(double... p) {
        double[] l = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            l[i] = -Math.log(1.0 / (p[i] + 1e-12) - 1.0);
        }
        return v(l);
    }

    private static AUC auc(Map<String, ?> config) {
        return (AUC) metric("auc", config);
    }

    @Test
    void unweightedAllCorrect() {
        assertEquals(1f, new AUC().call(yTrue(), yTrue()));
    }

    @Test
    void unweighted() {
        assertAllClose(0.75 * 1 + 0.25 * 0, auc(Map.of("num_thresholds", 3)).call(yTrue(), yPred()), 1e-3,
            "ROC AUC");
    }

    @Test
    void unweightedFromLogits() {
        AUC a = auc(Map.of("num_thresholds", 3, "from_logits", true));
        assertAllClose(0.75, a.call(yTrue(), logits(0, 0.5, 0.3, 0.9)), 1e-3, "ROC AUC from logits");
    }

    @Test
    void manualThresholds() {
        AUC a = auc(Map.of("num_thresholds", 2, "thresholds", List.of(0.5)));
        assertEquals(3, a.numThresholds());
        double[] t = a.thresholds();
        assertEquals(3, t.length);
        assertAllClose(0.0, (float) t[0], 1e-6, "first threshold (-1e-7)");
        assertAllClose(0.5, (float) t[1], 1e-6, "middle threshold");
        assertAllClose(1.0, (float) t[2], 1e-6, "last threshold (1 + 1e-7)");
        assertAllClose(0.75, a.call(yTrue(), yPred()), 1e-3, "ROC AUC, thresholds [0.5]");
    }

    @Test
    void unevenManualThresholdsCompareEachPrediction() {
        // [0.2, 0.6] with the epsilon ends is not evenly spaced: each y_pred > t directly.
        // tp = [2, 2, 1, 0], fp = [2, 1, 0, 0], fn = [0, 0, 1, 2], tn = [0, 1, 2, 2]
        // tpr = [1, 1, 0.5, 0], fpr = [1, 0.5, 0, 0]: 0.5 * 1 + 0.5 * 0.75 = 0.875
        AUC a = auc(Map.of("thresholds", List.of(0.6, 0.2)));
        assertAllClose(0.875, a.call(yTrue(), yPred()), 1e-6, "ROC AUC, thresholds [0.2, 0.6]");
        assertArrayEquals(new double[] {2, 2, 1, 0}, column(a.truePositives()));
        assertArrayEquals(new double[] {2, 1, 0, 0}, column(a.falsePositives()));
    }

    private static double[] column(double[][] counts) {
        double[] out = new double[counts.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = counts[i][0];
        }
        return out;
    }

    @Test
    void weightedCountsAreKerasOnes() {
        AUC a = auc(Map.of("num_thresholds", 3));
        a.update(yTrue(), yPred(), weights());
        assertArrayEquals(new double[] {7, 4, 0}, column(a.truePositives()));
        assertArrayEquals(new double[] {3, 0, 0}, column(a.falsePositives()));
        assertArrayEquals(new double[] {0, 3, 7}, column(a.falseNegatives()));
        assertArrayEquals(new double[] {0, 3, 3}, column(a.trueNegatives()));
    }

    @Test
    void weightedRocInterpolation() {
        AUC a = auc(Map.of("num_thresholds", 3));
        float r = a.call(yTrue(), yPred(), weights());
        assertAllClose(0.7855 * 1 + 0.2855 * 0, r, 1e-3, "weighted ROC AUC");
        assertAllClose((1 + 4 / 7.0) / 2, r, 1e-6, "exact: (1 + 4/7) / 2");
    }

    @Test
    void weightedRocMajoring() {
        AUC a = auc(Map.of("num_thresholds", 3, "summation_method", "majoring"));
        assertAllClose(1 * 1 + 0.571 * 0, a.call(yTrue(), yPred(), weights()), 1e-3, "ROC majoring");
    }

    @Test
    void weightedRocMinoring() {
        AUC a = auc(Map.of("num_thresholds", 3, "summation_method", "minoring"));
        assertAllClose(0.571 * 1 + 0 * 0, a.call(yTrue(), yPred(), weights()), 1e-3, "ROC minoring");
    }

    @Test
    void weightedPrMajoring() {
        AUC a = auc(Map.of("num_thresholds", 3, "curve", "PR", "summation_method", "majoring"));
        assertAllClose(1 * 0.429 + 1 * 0.571, a.call(yTrue(), yPred(), weights()), 1e-3, "PR majoring");
    }

    @Test
    void weightedPrMinoring() {
        AUC a = auc(Map.of("num_thresholds", 3, "curve", "PR", "summation_method", "minoring"));
        float r = a.call(yTrue(), yPred(), weights());
        assertAllClose(0.7 * 0.429 + 0 * 0.571, r, 1e-3, "PR minoring");
        assertAllClose(0.7 * (3 / 7.0), r, 1e-6, "exact: 0.7 * (1 - 4/7)");
    }

    @Test
    void weightedPrInterpolation() {
        AUC a = auc(Map.of("num_thresholds", 3, "curve", "PR"));
        float r = a.call(yTrue(), yPred(), weights());
        assertAllClose(2.416 / 7 + 4 / 7.0, r, 1e-3, "PR interpolation");
        assertAllClose((0.5 * (3 + 2 * Math.log(2.5))) / 7 + 4 / 7.0, r, 1e-6, "exact closed form");
    }

    @Test
    void weightedPrInterpolationNegativeWeights() {
        AUC a = auc(Map.of("num_thresholds", 3, "curve", "PR"));
        assertAllClose(0.0, a.call(yTrue(), yPred(), v(-1, -2, -3, -4)), 1e-3, "negative weights");
    }

    @Test
    void weightedPrGainMajoring() {
        AUC a = auc(Map.of("num_thresholds", 3, "curve", "PRGAIN", "summation_method",
            "majoring"));
        assertAllClose(1 * 1 + 0 * 1, a.call(yTrue(), yPred(), weights()), 1e-3, "PRGAIN majoring");
    }

    @Test
    void weightedPrGainMinoring() {
        AUC a = auc(Map.of("num_thresholds", 3, "curve", "PRGAIN", "summation_method",
            "minoring"));
        assertAllClose(1 * 0 + 0 * 1, a.call(yTrue(), yPred(), weights()), 1e-3, "PRGAIN minoring");
    }

    @Test
    void weightedPrGainInterpolation() {
        AUC a = auc(Map.of("num_thresholds", 3, "curve", "PRGAIN"));
        assertAllClose(1 * 0.5 + 0 * 1, a.call(yTrue(), yPred(), weights()), 1e-3, "PRGAIN interpolation");
    }

    @Test
    void prGainInterpolation() {
        AUC a = auc(Map.of("num_thresholds", 3, "curve", "PRGAIN"));
        float r = a.call(v(0, 0, 0, 1, 0, 1, 0, 1, 1, 1),
            v(0.1, 0.2, 0.3, 0.3, 0.4, 0.4, 0.6, 0.6, 0.8, 0.9));
        assertAllClose(0.666666 * 0.333333 + 0.333333 * 0.833333, r, 1e-3, "PRGAIN, 10 samples");
    }

    @Test
    void stateAccumulatesAcrossUpdates() {
        // the weighted case in two halves: the counts add up to the same curve
        AUC a = auc(Map.of("num_thresholds", 3));
        a.update(v(0, 0), v(0, 0.5), v(1, 2));
        a.update(v(1, 1), v(0.3, 0.9), v(3, 4));
        assertAllClose(0.7855, a.result(), 1e-3, "weighted ROC AUC over two updates");
        a.reset();
        assertEquals(0f, a.result());
        assertAllClose(0.75, a.call(yTrue(), yPred()), 1e-3, "after reset");
    }

    @Test
    void invalidArgumentsAreRefused() {
        rejects(() -> auc(Map.of("num_thresholds", -1)), "num_thresholds", "integer > 1");
        rejects(() -> auc(Map.of("num_thresholds", 1)), "num_thresholds", "integer > 1");
        rejects(() -> auc(Map.of("curve", "Invalid")), "AUC curve value: \"Invalid\"");
        rejects(() -> auc(Map.of("summation_method", "Invalid")),
            "AUC summation method value: \"Invalid\"");
        rejects(() -> auc(Map.of("num_labels", 2)), "num_labels", "multi_label");
        rejects(() -> auc(Map.of("thresholds", List.of(0.5, 1.2))), "threshold");
        rejects(() -> auc(Map.of("label_weights", List.of(1, -1))), "label_weights");
    }

    @Test
    void extraDims() {
        // Keras: expit(-x) of rank-3 logits against rank-3 labels; the flattened AUC is 0.5
        double[][][] x = {{{-10, 10, -10}, {10, -10, 10}}, {{-12, 12, -12}, {12, -12, 12}}};
        float[] p = new float[12];
        int i = 0;
        for (double[][] a : x) {
            for (double[] b : a) {
                for (double c : b) {
                    p[i++] = (float) (1 / (1 + Math.exp(c)));
                }
            }
        }
        float[] labels = {1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 1};
        AUC a = new AUC();
        assertAllClose(0.5, a.call(keep(Tensor.of(labels, 2, 2, 3)), keep(Tensor.of(p, 2, 2, 3))),
            1e-6, "AUC of rank-3 data");
    }

    @Test
    void configRoundTrips() {
        AUC a = auc(Map.of("name", "pr_auc", "num_thresholds", 50, "curve", "pr",
            "summation_method", "Majoring", "from_logits", true));
        assertEquals("PR", a.curve());
        assertEquals("majoring", a.summationMethod());
        AUC again = (AUC) Metrics.get(a.className(), a.config());
        assertEquals(a.config(), again.config());
        AUC manual = auc(Map.of("thresholds", List.of(0.3, 0.6)));
        assertEquals(List.of(0.3, 0.6), manual.config().get("thresholds"));
        assertEquals(4, ((AUC) Metrics.get("AUC", manual.config())).numThresholds());
    }

    // ---- MultiAUCTest: num_thresholds 5, thresholds [-1e-7, 0.25, 0.5, 0.75, 1 + 1e-7] --------

    private Tensor multiPred() {
        return m(row(0, 0.1), row(0.5, 0.2), row(0.3, 0.3), row(0.9, 0.4));
    }

    private Tensor trueGood() {
        return m(row(0, 0), row(0, 0), row(1, 1), row(1, 1));
    }

    private Tensor trueBad() {
        return m(row(0, 1), row(0, 1), row(1, 0), row(1, 0));
    }

    private static AUC multi(Map<String, ?> extra) {
        Map<String, Object> c = new java.util.HashMap<>(extra);
        c.putIfAbsent("num_thresholds", 5);
        c.putIfAbsent("multi_label", true);
        return auc(c);
    }

    @Test
    void multiUnweightedAllCorrect() {
        assertEquals(1f, auc(Map.of("multi_label", true)).call(trueGood(), trueGood()));
        assertEquals(1f, auc(Map.of("multi_label", false)).call(trueGood(), trueGood()));
    }

    @Test
    void multiUnweighted() {
        assertAllClose((0.875 + 1.0) / 2.0, multi(Map.of()).call(trueGood(), multiPred()), 1e-3,
            "multi-label ROC AUC");
    }

    @Test
    void multiUnweightedFromLogits() {
        Tensor logits = m(lrow(0, 0.1), lrow(0.5, 0.2), lrow(0.3, 0.3), lrow(0.9, 0.4));
        assertAllClose((0.875 + 1.0) / 2.0, multi(Map.of("from_logits", true)).call(trueGood(), logits),
            1e-3, "multi-label ROC AUC from logits");
    }

    private static double[] lrow(double... p) {
        double[] l = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            l[i] = -Math.log(1.0 / (p[i] + 1e-12) - 1.0);
        }
        return l;
    }

    @Test
    void sampleWeightFlat() {
        AUC a = multi(Map.of("multi_label", false));
        assertAllClose(1.0 - (0.3333 * (1.0 - 0.2857) / 2.0), a.call(trueGood(), multiPred(),
            v(1, 2, 3, 4)), 1e-3, "flat AUC, per-sample weights");
    }

    @Test
    void fullSampleWeightFlat() {
        AUC a = multi(Map.of("multi_label", false));
        Tensor sw = m(row(0, 1), row(2, 3), row(4, 5), row(6, 7)); // np.arange(8).reshape(4, 2)
        assertAllClose(1.0 - (0.3333 * (1.0 - 0.2727) / 2.0), a.call(trueGood(), multiPred(), sw), 1e-3,
            "flat AUC, per-element weights");
    }

    @Test
    void labelWeights() {
        AUC a = multi(Map.of("label_weights", List.of(0.75, 0.25)));
        assertAllClose((0.875 * 0.75 + 1.0 * 0.25) / (0.75 + 0.25), a.call(trueGood(), multiPred()), 1e-3,
            "multi-label AUC, label weights");
    }

    @Test
    void labelWeightsFlat() {
        AUC a = multi(Map.of("multi_label", false, "label_weights", List.of(0.75, 0.25)));
        assertAllClose(1.0 - ((1.0 - 0.375) * 0.375 / 2.0), a.call(trueGood(), multiPred()), 1e-2,
            "flat AUC, label weights");
    }

    @Test
    void unweightedFlat() {
        AUC a = multi(Map.of("multi_label", false));
        assertAllClose(1.0 - (3.0 / 32.0), a.call(trueGood(), multiPred()), 1e-3, "flat AUC");
    }

    @Test
    void unweightedFlatFromLogits() {
        Tensor logits = m(lrow(0, 0.1), lrow(0.5, 0.2), lrow(0.3, 0.3), lrow(0.9, 0.4));
        AUC a = multi(Map.of("multi_label", false, "from_logits", true));
        assertAllClose(1.0 - (3.0 / 32.0), a.call(trueGood(), logits), 1e-3, "flat AUC from logits");
    }

    @Test
    void multiManualThresholds() {
        AUC a = multi(Map.of("num_thresholds", 2, "thresholds", List.of(0.5)));
        assertEquals(3, a.numThresholds());
        assertAllClose((0.75 + 0.5) / 2.0, a.call(trueGood(), multiPred()), 1e-3,
            "multi-label AUC, thresholds [0.5]");
    }

    @Test
    void multiWeightedRocInterpolation() {
        // Keras expects 1 - 0.5 * 0.43 * 0.67 within rtol 0.1 (label 0's area); the exact mean
        // over both labels from Keras's formulas: label 0 is 1/3 + (2/3)(1 + 4/7)/2, label 1 is 1
        AUC a = multi(Map.of());
        float r = a.call(trueGood(), multiPred(), v(1, 2, 3, 4));
        assertAllClose(1.0 - 0.5 * 0.43 * 0.67, r, 1e-1, "Keras's estimate");
        assertAllClose((1 / 3.0 + (2 / 3.0) * (1 + 4 / 7.0) / 2 + 1) / 2, r, 1e-6, "exact");
    }

    // PR interpolation per label, from Keras's closed form (interpolate_pr_auc): with the good
    // labels, label 0 has tp [2, 2, 1, 1, 0], fp [2, 1, 0, 0, 0], fn [0, 0, 1, 1, 2], so
    // 0.5 (1 + 0.5 ln 3) / 2 + 1 / 2; label 1 has tp [2, 2, 0, 0, 0], fp [2, 0, 0, 0, 0]: 1.
    private static final double GOOD_LABEL_0 = 0.25 * (1 + 0.5 * Math.log(3)) + 0.5;

    @Test
    void prInterpolationUnweighted() {
        AUC a = multi(Map.of("curve", "PR"));
        float good = a.call(trueGood(), multiPred());
        assertAllClose((0.91667 + 1.0) / 2.0, good, 1e-1, "good labels, Keras's estimate");
        assertAllClose((GOOD_LABEL_0 + 1.0) / 2.0, good, 1e-6, "good labels, exact");
        // bad labels: label 1 has tp [2, 0, 0, 0, 0], fp [2, 2, 0, 0, 0], fn [0, 2, 2, 2, 2]:
        // slope 1, intercept -2, P ratio 2: (2 - 2 ln 2) / 2. Keras's test (inside a subTest)
        // expects about (0.91667 + 0.5) / 2 within 0.1, which its own formula misses by 0.11;
        // the formula's value is asserted.
        AUC b = multi(Map.of("curve", "PR"));
        assertAllClose((GOOD_LABEL_0 + (1 - Math.log(2))) / 2.0, b.call(trueBad(), multiPred()),
            1e-6, "bad labels, exact");
    }

    @Test
    void prInterpolation() {
        // weighted: label 0 tp [7, 7, 4, 4, 0], fp [3, 2, 0, 0, 0], fn [0, 0, 3, 3, 7] gives
        // 0.6 (3 + 1.6 ln 2.25) / 7 + 4 / 7 (Keras: 0.939); label 1 gives 1
        AUC a = multi(Map.of("curve", "PR"));
        float r = a.call(trueGood(), multiPred(), v(1, 2, 3, 4));
        assertAllClose((0.939 + 1.0) / 2.0, r, 1e-1, "weighted PR AUC, Keras's estimate");
        assertAllClose((0.6 * (3 + 1.6 * Math.log(2.25)) / 7 + 4 / 7.0 + 1) / 2, r, 1e-6,
            "weighted PR AUC, exact");
    }

    @Test
    void multiResetState() {
        AUC a = multi(Map.of());
        a.update(trueGood(), multiPred());
        a.reset();
        assertArrayEquals(new double[5][2], a.truePositives());
    }

    @Test
    void multiLabelNeedsRankTwoAndAFixedLabelCount() {
        AUC a = multi(Map.of());
        rejects(() -> a.update(yTrue(), yPred()), "rank 2");
        a.update(trueGood(), multiPred());
        rejects(() -> a.update(m(row(0, 1, 1)), m(row(0.2, 0.3, 0.4))), "3 labels");
    }
}

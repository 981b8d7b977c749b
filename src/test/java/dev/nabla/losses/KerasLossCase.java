package dev.nabla.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nabla.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * Shared fixtures for the loss tests that replay Keras 3's losses_test.py: tensors built from
 * literal rows (freed after each test) and Keras's two comparison rules.
 *
 * <ul>
 *   <li>{@code assertAlmostEqual(x, y, decimal)} is numpy's assert_almost_equal:
 *       |desired - actual| &lt; 1.5 * 10^-decimal, decimal 3 unless Keras says otherwise.
 *   <li>{@code assertAllClose(x, y, atol, rtol)} is numpy's assert_allclose:
 *       |actual - desired| &lt;= atol + rtol * |desired|, atol = rtol = 1e-6 unless given.
 * </ul>
 */
abstract class KerasLossCase extends dev.nabla.KerasCase {
    /** A Keras scalar sample_weight, given to our API as one weight per sample. */
    Tensor filled(int batch, double weight) {
        double[] w = new double[batch];
        Arrays.fill(w, weight);
        return v(w);
    }

    static Loss loss(String name) {
        return Losses.get(name);
    }

    static Loss loss(String name, Map<String, ?> config) {
        return Losses.get(name, config);
    }

    /**
     * The per-sample values Keras returns with reduction=None, read through sum_over_batch_size:
     * weighting sample i by {@code batch * weight} and every other sample by 0 leaves
     * {@code weight * loss_i}.
     */
    float[] perSample(Loss loss, Tensor yTrue, Tensor yPred, int batch, double weight) {
        float[] out = new float[batch];
        for (int i = 0; i < batch; i++) {
            double[] w = new double[batch];
            w[i] = batch * weight;
            out[i] = loss.call(yTrue, yPred, v(w));
        }
        return out;
    }

    static void assertAlmostEqual(double desired, float actual, String what) {
        assertAlmostEqual(desired, actual, 3, what);
    }

    static void assertAlmostEqual(double desired, float actual, int decimal, String what) {
        double bound = 1.5 * Math.pow(10, -decimal);
        if (!(Math.abs(desired - actual) < bound)) {
            fail(what + ": got " + actual + ", Keras expects " + desired + " (decimal=" + decimal
                + ", |diff| = " + Math.abs(desired - actual) + " >= " + bound + ")");
        }
    }

    static void assertAlmostEqual(double[] desired, float[] actual, String what) {
        assertEquals(desired.length, actual.length, what + ": length");
        for (int i = 0; i < desired.length; i++) {
            assertAlmostEqual(desired[i], actual[i], 3, what + "[" + i + "]");
        }
    }

    static void assertAllClose(double desired, float actual, String what) {
        assertAllClose(new double[] {desired}, new float[] {actual}, 1e-6, 1e-6, what);
    }

    static void assertAllClose(double[] desired, float[] actual, double atol, double rtol,
            String what) {
        assertEquals(desired.length, actual.length, what + ": length");
        for (int i = 0; i < desired.length; i++) {
            double bound = atol + rtol * Math.abs(desired[i]);
            if (!(Math.abs(actual[i] - desired[i]) <= bound)) {
                fail(what + "[" + i + "]: got " + actual[i] + ", Keras expects " + desired[i]
                    + " (atol=" + atol + ", rtol=" + rtol + ", |diff| = "
                    + Math.abs(actual[i] - desired[i]) + " > " + bound + "); all: "
                    + Arrays.toString(actual));
            }
        }
    }
}

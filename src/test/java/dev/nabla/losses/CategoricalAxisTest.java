package dev.nabla.losses;

import dev.nabla.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * categorical_crossentropy's axis (Keras's default -1): the class axis anywhere. Keras's
 * losses_test.py test_label_smoothing_with_axis, and the same loss computed over a transposed
 * layout, with Keras's formula: p / sum(p) over the axis, clipped to [1e-7, 1 - 1e-7], then
 * -sum(t log p) over the axis, t smoothed as y (1 - ls) + ls / classes.
 */
class CategoricalAxisTest extends KerasLossCase {

    private static final float[] Y = floats(1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0);
    private static final float[] P = floats(0.8, 0.1, 0.1, 0.8, 0.1, 0.1,
        0.1, 0.8, 0.8, 0.1, 0.1, 0.1);

    /** Keras's expected value: -sum(t log p) over axis 1 of (2, 3, 2), mean of the (2, 2). */
    private static double expected(double ls) {
        double total = 0;
        for (int b = 0; b < 2; b++) {
            for (int s = 0; s < 2; s++) {
                for (int c = 0; c < 3; c++) {
                    int i = b * 6 + c * 2 + s;
                    double t = Y[i] * (1 - ls) + ls / 3;
                    total -= t * Math.log(P[i]);
                }
            }
        }
        return total / 4;
    }

    @Test
    void labelSmoothingWithAxisOne() {
        Tensor y = keep(Tensor.of(Y, 2, 3, 2));
        Tensor p = keep(Tensor.of(P, 2, 3, 2));
        Loss cce = loss("categorical_crossentropy", Map.of("label_smoothing", 0.1, "axis", 1));
        assertAlmostEqual(expected(0.1), cce.call(y, p), 5, "cce axis 1, label_smoothing 0.1");
        Loss plain = loss("CategoricalCrossentropy", Map.of("axis", 1));
        assertAlmostEqual(expected(0), plain.call(y, p), 5, "cce axis 1");
        try (Tensor values = plain.callPerSample(y, p)) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {2, 2}, values.shape(),
                "values: the shape without the class axis");
            double[] want = new double[4];
            for (int b = 0; b < 2; b++) {
                for (int s = 0; s < 2; s++) {
                    for (int c = 0; c < 3; c++) {
                        int i = b * 6 + c * 2 + s;
                        want[b * 2 + s] -= Y[i] * Math.log(P[i]);
                    }
                }
            }
            assertAllClose(want, values.toFloatArray(), 1e-6, 1e-6, "per (sample, position)");
        }
    }

    @Test
    void axisZeroOnClassesFirstEqualsTheLastAxis() {
        // logits (3 samples, 3 classes) and the same transposed, with axis 0 and the labels too
        Tensor labels = m(row(1, 0, 0), row(0, 1, 0), row(0, 0, 1));
        Tensor logits = m(row(8, 1, 1), row(0, 9, 1), row(2, 3, 5));
        Tensor labelsT = m(row(1, 0, 0), row(0, 1, 0), row(0, 0, 1));
        Tensor logitsT = m(row(8, 0, 2), row(1, 9, 3), row(1, 1, 5));
        Loss axis0 = loss("categorical_crossentropy", Map.of("from_logits", true, "axis", 0,
            "reduction", "none"));
        try (Tensor got = axis0.callPerSample(labelsT, logitsT)) {
            assertAllClose(new double[] {0.001822, 0.000459, 0.169846}, got.toFloatArray(),
                1e-6, 1e-6, "cce axis 0, per sample");
        }
        assertAlmostEqual(0.0573, loss("categorical_crossentropy", Map.of("from_logits", true))
            .call(labels, logits), "cce axis -1");
        assertAlmostEqual(0.0573, loss("categorical_crossentropy", Map.of("from_logits", true,
            "axis", -2)).call(labelsT, logitsT), "cce axis -2");
    }

    @Test
    void axisOutOfRangeIsRefused() {
        Loss cce = loss("categorical_crossentropy", Map.of("axis", 2));
        rejects(() -> cce.call(m(row(1, 0)), m(row(0.5, 0.5))), "axis 2");
    }
}

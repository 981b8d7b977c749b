package dev.nabla.losses;

import dev.nabla.Tensor;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * sparse_categorical_crossentropy's ignore_class under every reduction, from Keras's formulas:
 * the ignored entries' losses are 0 and carry Keras's mask, which apply_mask merges into the
 * sample weights (keras/src/losses/loss.py): for sum_over_batch_size and mean the kept entries
 * are weighted total / kept, so the loss is sum(loss * w) over the kept entries divided by their
 * count; for sum, mean_with_sample_weight and none the mask is a 0/1 weight.
 *
 * <p>Data: Keras's test_ignore_class (labels [-1, 2], logits [[0.854, 0.698, 0.598], [0.088,
 * 0.86, 0.018]]) with a third entry, label 0 on logits [2, 0, -1], so that two entries count.
 */
class IgnoreClassTest extends KerasLossCase {

    private static final double L2 = 1.480129; // Keras: the loss of label 2 on row 2
    // label 0 on logits [2, 0, -1]: log(e^2 + 1 + e^-1) - 2
    private static final double L3 = Math.log(Math.exp(2) + 1 + Math.exp(-1)) - 2;

    private Tensor labels() {
        return v(-1, 2, 0);
    }

    private Tensor logits() {
        return m(row(0.854, 0.698, 0.598), row(0.088, 0.86, 0.018), row(2, 0, -1));
    }

    private static Loss scce(String reduction) {
        return loss("sparse_categorical_crossentropy",
            Map.of("from_logits", true, "ignore_class", -1, "reduction", reduction));
    }

    @Test
    void perSampleValuesAreZeroWhereIgnored() {
        try (Tensor got = scce("none").callPerSample(labels(), logits())) {
            assertAllClose(new double[] {0, L2, L3}, got.toFloatArray(), 1e-6, 1e-6, "none");
        }
        try (Tensor got = scce("none").callPerSample(labels(), logits(), v(5, 2, 3))) {
            assertAllClose(new double[] {0, 2 * L2, 3 * L3}, got.toFloatArray(), 1e-6, 1e-6,
                "none, weighted");
        }
    }

    @Test
    void sumOverBatchSizeCountsOnlyTheKeptEntries() {
        assertAllClose((L2 + L3) / 2, scce("sum_over_batch_size").call(labels(), logits()),
            "sum_over_batch_size");
        assertAllClose((L2 + L3) / 2, scce("mean").call(labels(), logits()), "mean");
        // weights [5, 2, 3]: sum(loss * w * total / kept) / total = (2 L2 + 3 L3) / 2
        assertAllClose((2 * L2 + 3 * L3) / 2,
            scce("sum_over_batch_size").call(labels(), logits(), v(5, 2, 3)),
            "sum_over_batch_size, weighted");
    }

    @Test
    void sumAndMeanWithSampleWeight() {
        assertAllClose(L2 + L3, scce("sum").call(labels(), logits()), "sum");
        assertAllClose(2 * L2 + 3 * L3, scce("sum").call(labels(), logits(), v(5, 2, 3)),
            "sum, weighted");
        // the divisor is sum(w * mask): 2 + 3, not 5 + 2 + 3
        assertAllClose((2 * L2 + 3 * L3) / 5,
            scce("mean_with_sample_weight").call(labels(), logits(), v(5, 2, 3)),
            "mean_with_sample_weight, weighted");
        // no weights: the mask is the weight, its sum the count of kept entries
        assertAllClose((L2 + L3) / 2,
            scce("mean_with_sample_weight").call(labels(), logits()),
            "mean_with_sample_weight");
    }

    @Test
    void everythingIgnoredGivesZeroNotNaN() {
        for (String r : new String[] {"sum_over_batch_size", "sum", "mean_with_sample_weight"}) {
            assertAllClose(0.0, scce(r).call(v(-1, -1, -1), logits()), r + ", all ignored");
        }
    }

    @Test
    void anyClassCanBeIgnoredAndProbabilitiesToo() {
        // ignore_class may be a real class: labels 0 drop out
        Loss probs = loss("sparse_categorical_crossentropy", Map.of("ignore_class", 0));
        Tensor p = m(row(0.9, 0.05, 0.05), row(0.5, 0.89, 0.6), row(0.05, 0.01, 0.94));
        double l1 = -Math.log(0.89 / (0.5 + 0.89 + 0.6));
        double l2 = -Math.log(0.94);
        assertAllClose((l1 + l2) / 2, probs.call(v(0, 1, 2), p), "ignore_class 0");
    }

    @Test
    void sequenceLabelsKeepTheirShape() {
        // (batch 2, 2 timesteps, 3 classes), labels (2, 2), one ignored per sample
        Tensor x = keep(Tensor.of(floats(0.854, 0.698, 0.598, 0.088, 0.86, 0.018,
            2, 0, -1, 0.088, 0.86, 0.018), 2, 2, 3));
        Tensor y = m(row(-1, 2), row(0, -1));
        try (Tensor got = scce("none").callPerSample(y, x)) {
            assertAllClose(new double[] {0, L2, L3, 0}, got.toFloatArray(), 1e-6, 1e-6,
                "(2, 2) values");
            org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {2, 2}, got.shape());
        }
        assertAllClose((L2 + L3) / 2, scce("sum_over_batch_size").call(y, x), "(2, 2) mean");
    }

    @Test
    void ignoreClassNullIsNone() {
        Map<String, Object> c = new HashMap<>();
        c.put("ignore_class", null); // Keras's ignore_class=None
        CrossEntropy scce = (CrossEntropy) loss("sparse_categorical_crossentropy", c);
        org.junit.jupiter.api.Assertions.assertNull(scce.ignoreClass());
        rejects(() -> scce.call(v(-1), m(row(1, 2, 3))), "-1.0");
    }
}

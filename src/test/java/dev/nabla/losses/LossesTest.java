package dev.nabla.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registry: Keras names and arguments, and what it refuses (with the key named). */
class LossesTest extends KerasLossCase {

    @Test
    void namesResolveCaseInsensitivelyInSnakeOrClassForm() {
        assertEquals("mean_squared_error", Losses.get("MSE").name());
        assertEquals("mean_absolute_error", Losses.get("Mean_Absolute_Error").name());
        assertEquals("binary_crossentropy", Losses.get("BinaryCrossentropy").name());
        assertEquals("categorical_crossentropy", Losses.get("categorical_crossentropy").name());
        assertEquals("sparse_categorical_crossentropy",
            Losses.get("SparseCategoricalCrossentropy").name());
    }

    @Test
    void unknownNameIsRejectedNamingIt() {
        rejects(() -> Losses.get("hinge"), "hinge");
        rejects(() -> Losses.get(null));
    }

    @Test
    void unknownKeyIsRejectedNamingIt() {
        rejects(() -> Losses.get("mse", Map.of("from_logits", true)), "from_logits");
        rejects(() -> Losses.get("binary_crossentropy", Map.of("axis", -1)), "axis");
        rejects(() -> Losses.get("categorical_crossentropy", Map.of("fromLogits", true)),
            "fromLogits");
    }

    @Test
    void onlySumOverBatchSizeReductionIsAccepted() {
        // Keras's test_no_reduction / test_sum_reduction / test_mean_with_sample_weight_reduction
        // need reductions we do not have: they must be refused, not silently ignored.
        for (String r : new String[] {"sum", "none", "mean_with_sample_weight", "mean"}) {
            rejects(() -> Losses.get("mse", Map.of("reduction", r)), "reduction");
        }
        Losses.get("categorical_crossentropy", Map.of("reduction", "sum_over_batch_size"));
    }

    @Test
    void labelSmoothingOutOfRangeIsRejectedNamingIt() {
        for (double ls : new double[] {-0.1, 1.5}) {
            rejects(() -> Losses.get("binary_crossentropy", Map.of("label_smoothing", ls)),
                "label_smoothing");
            rejects(() -> Losses.get("categorical_crossentropy", Map.of("label_smoothing", ls)),
                "label_smoothing");
        }
    }

    @Test
    void wronglyTypedArgumentIsRejectedNamingIt() {
        rejects(() -> Losses.get("binary_crossentropy", Map.of("from_logits", "yes")),
            "from_logits");
        rejects(() -> Losses.get("categorical_crossentropy", Map.of("label_smoothing", "0.1")),
            "label_smoothing");
    }

    @Test
    void labelSmoothingOneGivesTheUniformTarget() {
        // ls = 1: binary target 1/2 everywhere, so from logits x = 0 the loss is log 2 whatever y.
        Loss bce = Losses.get("binary_crossentropy",
            Map.of("from_logits", true, "label_smoothing", 1.0));
        assertAllClose(Math.log(2), bce.call(m(row(1, 0), row(0, 1)), m(row(0, 0), row(0, 0))),
            "bce, ls = 1, x = 0");
        // ls = 1: categorical target 1/3 everywhere; from equal logits the loss is log 3.
        Loss cce = Losses.get("categorical_crossentropy",
            Map.of("from_logits", true, "label_smoothing", 1.0));
        assertAllClose(Math.log(3), cce.call(m(row(1, 0, 0)), m(row(5, 5, 5))), "cce, ls = 1");
    }
}

package dev.nabla.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.Tensor;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.layers.Dense;
import dev.nabla.optimizers.Optimizers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    void everyKerasReductionIsAcceptedAndOthersAreRefused() {
        for (Reduction r : Reduction.values()) {
            assertEquals(r, Losses.get("mse", Map.of("reduction", r.kerasName())).reduction());
        }
        assertEquals(Reduction.SUM_OVER_BATCH_SIZE, Losses.get("mse").reduction());
        Map<String, Object> pythonNone = new java.util.HashMap<>();
        pythonNone.put("reduction", null); // Keras's reduction=None
        assertEquals(Reduction.NONE, Losses.get("mse", pythonNone).reduction());
        rejects(() -> Losses.get("mse", Map.of("reduction", "auto")), "reduction", "auto");
        rejects(() -> Losses.get("mse", Map.of("reduction", 1)), "reduction");
    }

    @Test
    void newArgumentsAreCheckedNamingTheKey() {
        rejects(() -> Losses.get("sparse_categorical_crossentropy", Map.of("ignore_class", 1.5)),
            "ignore_class");
        rejects(() -> Losses.get("categorical_crossentropy", Map.of("axis", "1")), "axis");
        rejects(() -> Losses.get("categorical_crossentropy", Map.of("ignore_class", 0)),
            "ignore_class");
        rejects(() -> Losses.get("sparse_categorical_crossentropy",
            Map.of("label_smoothing", 1.5)), "label_smoothing");
    }

    @Test
    void configRoundTripsEveryArgument() {
        Object[][] cases = {
            {"sparse_categorical_crossentropy", Map.of("from_logits", true, "ignore_class", -1,
                "reduction", "sum", "label_smoothing", 0.1)},
            {"categorical_crossentropy", Map.of("axis", 1, "label_smoothing", 0.2,
                "reduction", "mean_with_sample_weight")},
            {"binary_crossentropy", Map.of("from_logits", true, "reduction", "none")},
            {"mse", Map.of("reduction", "mean")},
            {"mae", Map.of()},
        };
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            Loss loss = Losses.get((String) c[0], (Map<String, Object>) c[1]);
            Loss back = Losses.get(loss.name(), loss.config());
            assertEquals(loss.config(), back.config(), c[0] + " config");
            assertEquals(loss.reduction(), back.reduction());
        }
        CrossEntropy scce = (CrossEntropy) Losses.get("SparseCategoricalCrossentropy",
            Map.of("ignore_class", 3, "name", "scce"));
        assertEquals(3, scce.config().get("ignore_class"));
        assertEquals("sum_over_batch_size", scce.config().get("reduction"));
        assertEquals(-1, scce.config().get("axis"));
        // JSON gives numbers back as doubles: 3.0 is the integer 3
        assertEquals(3, ((CrossEntropy) Losses.get("scce", Map.of("ignore_class", 3.0)))
            .ignoreClass());
    }

    @Test
    void aSavedModelReloadsWithItsLossArguments(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("model.safetensors");
        Map<String, Object> args = Map.of("ignore_class", -1, "label_smoothing", 0.1,
            "reduction", "sum");
        Tensor x = m(row(1, 2), row(0, 1), row(-1, 1));
        Tensor y = v(0, -1, 2);
        try (Sequential m = new Sequential(new Dense(3, "softmax")).setSeed(3)
                .setOutput(new PrintStream(new ByteArrayOutputStream(), true))) {
            m.compile(Optimizers.get("sgd"), Losses.get("sparse_categorical_crossentropy", args));
            float before = m.evaluate(x, y, 32, 0).get("loss");
            m.save(file);
            try (Sequential back = Sequential.load(file)) {
                assertEquals(m.loss().config(), back.loss().config());
                assertEquals(-1, ((CrossEntropy) back.loss()).ignoreClass());
                assertEquals(Reduction.SUM, back.loss().reduction());
                assertEquals(before, back.evaluate(x, y, 32, 0).get("loss"), 1e-6f);
            }
        }
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

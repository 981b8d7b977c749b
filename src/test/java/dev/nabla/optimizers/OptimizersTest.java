package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Variable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registry and the shared apply_gradients contract. */
class OptimizersTest extends KerasOptimizerCase {

    @Test
    void namesResolveCaseInsensitively() {
        for (String n : new String[] {"adam", "Adam", "ADAM"}) {
            assertEquals("adam", optimizer(n, Map.of()).name());
        }
        for (String n : new String[] {"sgd", "SGD", "Sgd"}) {
            assertEquals("sgd", optimizer(n, Map.of()).name());
        }
    }

    /** Keras's snake_case name, then its class name, for every Keras 3 optimizer covered. */
    static final String[][] ALL = {{"sgd", "SGD"}, {"rmsprop", "RMSprop"},
        {"adagrad", "Adagrad"}, {"adadelta", "Adadelta"}, {"adam", "Adam"}, {"adamw", "AdamW"},
        {"adamax", "Adamax"}, {"nadam", "Nadam"}, {"ftrl", "Ftrl"}, {"lion", "Lion"},
        {"lamb", "Lamb"}};

    @Test
    void everyKerasOptimizerResolvesBySnakeCaseOrClassName() {
        for (String[] n : ALL) {
            for (String name : new String[] {n[0], n[1], n[1].toUpperCase()}) {
                Optimizer o = optimizer(name, Map.of());
                assertEquals(n[0], o.name(), name);
                assertEquals(0, o.iterations(), name);
            }
        }
    }

    @Test
    void everyOptimizerTakesTheBaseOptions() {
        // Keras's base_optimizer arguments, all accepted by every optimizer (Ftrl and Lion take
        // loss_scale_factor and gradient_accumulation_steps through **kwargs).
        for (String[] n : ALL) {
            optimizer(n[0], cfg("learning_rate", 0.01, "weight_decay", 0.01, "clipnorm", 1.0,
                "use_ema", true, "ema_momentum", 0.9, "ema_overwrite_frequency", 2,
                "loss_scale_factor", 2.0, "gradient_accumulation_steps", 2, "name", "x"));
            optimizer(n[0], Map.of("clipvalue", 0.5));
            optimizer(n[0], Map.of("global_clipnorm", 0.5));
        }
    }

    @Test
    void everyOptimizerMovesAVariableAgainstItsGradient() {
        for (String[] n : ALL) {
            Optimizer o = optimizer(n[0], Map.of("learning_rate", 0.1));
            Variable w = var(1, -1);
            step(o, grad(0.5, -0.5), w);
            float[] v = w.toFloatArray();
            assertTrue(v[0] < 1 && v[1] > -1, n[0] + ": " + v[0] + ", " + v[1]);
            assertEquals(1, o.iterations(), n[0]);
        }
    }

    @Test
    void unknownNameIsRejectedNamingIt() {
        // Keras's test_get_method: optimizers.get("typo") raises ValueError
        rejects(() -> Optimizers.get("typo", Map.of()), "typo");
        rejects(() -> Optimizers.get(null, Map.of()));
    }

    @Test
    void unknownKeyIsRejectedNamingIt() {
        rejects(() -> Optimizers.get("sgd", Map.of("beta_1", 0.9)), "beta_1");
        rejects(() -> Optimizers.get("adam", Map.of("lr", 0.1)), "lr");
    }

    @Test
    void zeroLearningRateIsAllowedAndLeavesVariablesAlone() {
        for (String[] names : ALL) {
            String n = names[0];
            if (n.equals("ftrl")) {
                continue; // Keras's Ftrl divides by the learning rate (sigma, beta / (2 lr))
            }
            Optimizer o = optimizer(n, Map.of("learning_rate", 0.0));
            Variable w = var(1, 2);
            step(o, grad(3, -4), w);
            assertAllClose(new double[] {1, 2}, w, 0, 0, n);
            assertEquals(1, o.iterations());
        }
    }

    @Test
    void iterationsCountCallsNotVariables() {
        Optimizer o = optimizer("adam", Map.of());
        assertEquals(0, o.iterations());
        Variable a = var(1, 2);
        Variable b = var(3);
        o.applyGradients(List.of(grad(1, 1), grad(1)), List.of(a, b));
        o.applyGradients(List.of(grad(1, 1), grad(1)), List.of(a, b));
        assertEquals(2, o.iterations());
    }

    @Test
    void mismatchedGradientsAreRejected() {
        Optimizer o = optimizer("sgd", Map.of());
        Variable a = var(1, 2);
        rejects(() -> o.applyGradients(List.of(grad(1, 2, 3)), List.of(a)));
        rejects(() -> o.applyGradients(List.of(grad(1, 2), grad(1)), List.of(a)));
        assertEquals(0, o.iterations());
        assertAllClose(new double[] {1, 2}, a, 0, 0, "a untouched");
    }
}

package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    @Test
    void unknownNameIsRejectedNamingIt() {
        rejects(() -> Optimizers.get("rmsprop", Map.of()), "rmsprop");
        rejects(() -> Optimizers.get(null, Map.of()));
    }

    @Test
    void unknownKeyIsRejectedNamingIt() {
        rejects(() -> Optimizers.get("sgd", Map.of("beta_1", 0.9)), "beta_1");
        rejects(() -> Optimizers.get("adam", Map.of("lr", 0.1)), "lr");
    }

    @Test
    void zeroLearningRateIsAllowedAndLeavesVariablesAlone() {
        for (String n : new String[] {"sgd", "adam"}) {
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

package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.Tensor;
import dev.nabla.Variable;
import dev.nabla.optimizers.schedules.LearningRateSchedule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 optimizer_test.py (the base options every optimizer takes) with Keras's tolerances,
 * and further cases worked from base_optimizer.py:
 *
 * <pre>
 *   apply: grads /= loss_scale_factor
 *   gradient accumulation: on calls where (_iterations + 1) % steps != 0 only acc += g;
 *     otherwise g = (g + acc) / steps, acc = 0, then the update below
 *   update: clip (clipnorm per gradient, global_clipnorm over all, clipvalue elementwise);
 *     w -= w weight_decay lr for variables not excluded; update_step with lr at _iterations
 *   EMA: average = m average + (1 - m) w, m = 0 while iterations == 0, else ema_momentum;
 *     if (iterations + 1) % ema_overwrite_frequency == 0: w = average
 *   _iterations += 1;  iterations = _iterations // gradient_accumulation_steps
 * </pre>
 */
class BaseOptimizerTest extends KerasOptimizerCase {

    private static final int[] TWO_BY_TWO = {2, 2};

    private Tensor ones2x2() {
        return shapedGrad(TWO_BY_TWO, 1, 1, 1, 1);
    }

    @Test
    void iterationsCounter() {
        Variable v = shaped(TWO_BY_TWO, 1, 2, 3, 4);
        Optimizer o = optimizer("adam", Map.of("learning_rate", 1.0));
        assertEquals(0, o.iterations());
        step(o, ones2x2(), v);
        assertEquals(1, o.iterations());
        step(o, ones2x2(), v);
        assertEquals(2, o.iterations());
    }

    @Test
    void clipArgs() {
        assertEquals(0.1f, ((Number) optimizer("sgd",
            Map.of("learning_rate", 1.0, "clipnorm", 0.1)).config().get("clipnorm"))
            .floatValue());
        assertEquals(0.1f, ((Number) optimizer("sgd",
            Map.of("learning_rate", 1.0, "clipvalue", 0.1)).config().get("clipvalue"))
            .floatValue());
        assertEquals(0.1f, ((Number) optimizer("sgd",
            Map.of("learning_rate", 1.0, "global_clipnorm", 0.1)).config()
            .get("global_clipnorm")).floatValue());
        // "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set."
        rejects(() -> Optimizers.get("sgd",
            Map.of("learning_rate", 1.0, "clipnorm", 0.1, "clipvalue", 0.1)), "clipnorm",
            "clipvalue");
        rejects(() -> Optimizers.get("sgd",
            Map.of("learning_rate", 1.0, "clipnorm", 0.1, "global_clipnorm", 0.1)), "clipnorm",
            "global_clipnorm");
        rejects(() -> Optimizers.get("adam",
            Map.of("clipvalue", 0.1, "global_clipnorm", 0.1)), "clipvalue", "global_clipnorm");
    }

    @Test
    void clipNorm() {
        // Keras: SGD(clipnorm=1) clips [100, 100] to [sqrt(2)/2, sqrt(2)/2]; seen through SGD
        // with learning rate 1 from w = 0
        Optimizer o = optimizer("sgd", Map.of("learning_rate", 1.0, "clipnorm", 1));
        Variable w = var(0, 0);
        step(o, grad(100, 100), w);
        double s = Math.sqrt(2) / 2;
        assertAllClose(new double[] {-s, -s}, w, 1e-6, 1e-6, "clipnorm");
    }

    @Test
    void clipValue() {
        Optimizer o = optimizer("sgd", Map.of("learning_rate", 1.0, "clipvalue", 1));
        Variable w = var(0, 0);
        step(o, grad(100, 100), w);
        assertAllClose(new double[] {-1, -1}, w, 1e-6, 1e-6, "clipvalue");
    }

    @Test
    void globalClipNorm() {
        // Keras: [50, 100] becomes [50, 100] / |[50, 100]|
        Optimizer o = optimizer("sgd", Map.of("learning_rate", 1.0, "global_clipnorm", 1));
        Variable w = var(0, 0);
        step(o, grad(50, 100), w);
        double n = Math.hypot(50, 100);
        assertAllClose(new double[] {-50 / n, -100 / n}, w, 1e-6, 1e-6, "global_clipnorm");
    }

    @Test
    void globalClipNormSpansAllVariablesClipNormEachOne() {
        // g1 = [3, 4] (norm 5), g2 = [12] (norm 12): global norm 13
        Optimizer global = optimizer("sgd", Map.of("learning_rate", 1.0, "global_clipnorm", 6.5));
        Variable a = var(0, 0);
        Variable b = var(0);
        global.applyGradients(List.of(grad(3, 4), grad(12)), List.of(a, b));
        assertAllClose(new double[] {-1.5, -2}, a, 1e-6, 1e-6, "global: a scaled by 6.5/13");
        assertAllClose(new double[] {-6}, b, 1e-6, 1e-6, "global: b scaled by 6.5/13");

        Optimizer each = optimizer("sgd", Map.of("learning_rate", 1.0, "clipnorm", 6.5));
        Variable c = var(0, 0);
        Variable d = var(0);
        each.applyGradients(List.of(grad(3, 4), grad(12)), List.of(c, d));
        assertAllClose(new double[] {-3, -4}, c, 1e-6, 1e-6, "clipnorm: c under the limit");
        assertAllClose(new double[] {-6.5}, d, 1e-6, 1e-6, "clipnorm: d clipped to 6.5");
    }

    @Test
    void clippingZeroGradientsGivesZeroNotNaN() {
        // Keras's _clip_by_norm guards l2norm == 0; clip_by_global_norm gives scale 1 there
        for (String option : new String[] {"clipnorm", "global_clipnorm", "clipvalue"}) {
            Optimizer o = optimizer("sgd", Map.of("learning_rate", 1.0, option, 1.0));
            Variable w = var(1, -2);
            step(o, grad(0, 0), w);
            assertAllClose(new double[] {1, -2}, w, 0, 0, option);
        }
    }

    @Test
    void clipValueIsElementwiseAndSymmetric() {
        Optimizer o = optimizer("sgd", Map.of("learning_rate", 1.0, "clipvalue", 2));
        Variable w = var(0, 0, 0, 0);
        step(o, grad(-5, 0.5, 3, -1.5), w);
        assertAllClose(new double[] {2, -0.5, -2, 1.5}, w, 1e-6, 1e-6, "clipvalue 2");
    }

    @Test
    void ema() {
        // Keras's test_ema: SGD(lr 1, use_ema, ema_momentum 0.9, ema_overwrite_frequency 3)
        double[][] variables = {{2, 3, 4, 5}, {1, 2, 3, 4}, {1.71, 2.71, 3.71, 4.71}};
        double[][] averages = {{2, 3, 4, 5}, {1.9, 2.9, 3.9, 4.9}, {1.71, 2.71, 3.71, 4.71}};
        for (int steps = 1; steps <= 3; steps++) {
            // Keras reads the private moving averages; here a fresh run of `steps` steps ends
            // with finalizeVariableValues, which writes the averages into the variable.
            Variable v = shaped(TWO_BY_TWO, 3, 4, 5, 6);
            Optimizer o = optimizer("sgd", Map.of("learning_rate", 1.0, "use_ema", true,
                "ema_momentum", 0.9, "ema_overwrite_frequency", 3));
            for (int t = 0; t < steps; t++) {
                step(o, ones2x2(), v);
                assertAllClose(variables[t], v, 1e-6, 1e-6, "variable after step " + (t + 1));
            }
            o.finalizeVariableValues(List.of(v));
            assertAllClose(averages[steps - 1], v, 1e-6, 1e-6, "average after step " + steps);
        }
    }

    @Test
    void emaWithModelFit() {
        // Keras's test_ema_with_model_fit: Dense(2, kernel ones, no bias), x = [[1]], y = [[0]],
        // mse, SGD(lr 0.1, use_ema, ema_momentum 0.9), two steps; fit ends with
        // finalize_variable_values. Here the gradient of mean((w x - y)^2) over the 2 outputs
        // is written by hand: dL/dw_j = 2 (w_j - 0) / 2 = w_j.
        Optimizer o = optimizer("sgd", Map.of("learning_rate", 0.1, "use_ema", true,
            "ema_momentum", 0.9));
        Variable kernel = shaped(new int[] {1, 2}, 1, 1);
        for (int epoch = 0; epoch < 2; epoch++) {
            float[] w = kernel.toFloatArray();
            step(o, shapedGrad(new int[] {1, 2}, w[0], w[1]), kernel);
        }
        assertAllClose(new double[] {0.81, 0.81}, kernel, 1e-6, 1e-6, "plain SGD weights");
        o.finalizeVariableValues(List.of(kernel));
        assertAllClose(new double[] {0.891, 0.891}, kernel, 1e-5, 1e-6, "moving average");
    }

    @Test
    void emaOverwriteFrequencyTwo() {
        // SGD lr 1, g = 1, ema_momentum 0.5, overwrite every 2 steps, w0 = 0:
        // step 1: w -1, avg -1 (first step copies); step 2: w -2, avg -1.5, overwritten;
        // step 3: w -2.5, avg -2; step 4: w -3.5, avg -2.75, overwritten; step 5: w -3.75,
        // avg -3.25; finalize: w = -3.25
        double[] want = {-1, -1.5, -2.5, -2.75, -3.75};
        Optimizer o = optimizer("sgd", Map.of("learning_rate", 1.0, "use_ema", true,
            "ema_momentum", 0.5, "ema_overwrite_frequency", 2));
        Variable w = var(0);
        for (int t = 0; t < want.length; t++) {
            step(o, grad(1), w);
            assertAllClose(new double[] {want[t]}, w, 1e-6, 1e-6, "step " + (t + 1));
        }
        o.finalizeVariableValues(List.of(w));
        assertAllClose(new double[] {-3.25}, w, 1e-6, 1e-6, "finalized");
    }

    @Test
    void emaWithoutOverwriteFrequencyOnlyFinalizeWrites() {
        // w: -1, -2, -3 untouched by the EMA; avg: -1, -1.5, -2.25
        Optimizer o = optimizer("sgd", Map.of("learning_rate", 1.0, "use_ema", true,
            "ema_momentum", 0.5));
        Variable w = var(0);
        for (int t = 1; t <= 3; t++) {
            step(o, grad(1), w);
            assertAllClose(new double[] {-t}, w, 1e-6, 1e-6, "step " + t);
        }
        o.finalizeVariableValues(List.of(w));
        assertAllClose(new double[] {-2.25}, w, 1e-6, 1e-6, "finalized");
    }

    @Test
    void finalizeWithoutEmaChangesNothing() {
        Optimizer o = optimizer("sgd", Map.of("learning_rate", 1.0));
        Variable w = var(0);
        step(o, grad(1), w);
        step(o, grad(1), w);
        o.finalizeVariableValues(List.of(w));
        assertAllClose(new double[] {-2}, w, 0, 0, "finalized without EMA");
    }

    @Test
    void staticLossScaling() {
        // Keras: SGD(lr 1, loss_scale_factor 1024), gradients [[1, 2], [3, 4]] * 1024
        Variable v = shaped(TWO_BY_TWO, 1, 2, 3, 4);
        Optimizer o = optimizer("sgd", Map.of("learning_rate", 1.0, "loss_scale_factor", 1024.0));
        step(o, shapedGrad(TWO_BY_TWO, 1024, 2048, 3072, 4096), v);
        assertAllClose(new double[] {0, 0, 0, 0}, v, 1e-6, 1e-6, "unscaled step");
    }

    @Test
    void lossScaleIsRemovedBeforeClipping() {
        // apply() divides by loss_scale_factor, then clips: [1.6, 1.2] / 4 = [0.4, 0.3] has norm
        // 0.5 < 1 and is not clipped. Clipping first would give [0.8, 0.6] / 4 = [0.2, 0.15].
        Optimizer o = optimizer("sgd", Map.of("learning_rate", 1.0, "loss_scale_factor", 4.0,
            "clipnorm", 1.0));
        Variable w = var(0, 0);
        step(o, grad(1.6, 1.2), w);
        assertAllClose(new double[] {-0.4, -0.3}, w, 1e-6, 1e-6, "unscale, then clip");
    }

    @Test
    void gradientAccumulation() {
        // Keras's test_gradient_accumulation (variable values; the accumulators are private)
        Variable v = shaped(TWO_BY_TWO, 1, 2, 3, 4);
        Optimizer o = optimizer("sgd", Map.of("learning_rate", 1.0,
            "gradient_accumulation_steps", 3));
        assertEquals(3, ((Number) o.config().get("gradient_accumulation_steps")).intValue());
        double[][] want = {{1, 2, 3, 4}, {1, 2, 3, 4}, {0, 1, 2, 3}, {0, 1, 2, 3}};
        for (int t = 0; t < want.length; t++) {
            step(o, ones2x2(), v);
            assertAllClose(want[t], v, 1e-6, 1e-6, "after call " + (t + 1));
        }
    }

    @Test
    void gradientAccumulationIterationsCountOptimizerSteps() {
        // base_optimizer.py: iterations = _iterations // gradient_accumulation_steps (as in
        // Keras's optimizer_distribute_test: _iterations 1, 2 -> iterations 0, 0)
        Variable v = shaped(TWO_BY_TWO, 1, 2, 3, 4);
        Optimizer o = optimizer("sgd", Map.of("learning_rate", 1.0,
            "gradient_accumulation_steps", 3));
        long[] want = {0, 0, 1, 1, 1, 2};
        for (int t = 0; t < want.length; t++) {
            step(o, ones2x2(), v);
            assertEquals(want[t], o.iterations(), "iterations after call " + (t + 1));
        }
    }

    @Test
    void gradientAccumulationAveragesTheGradients() {
        // Keras's test_overwrite_with_gradient_with_gradient_accumulation, its ordinary
        // variable: gradients 1 then 2 with steps 2 apply their mean 1.5 on the second call
        Variable v2 = shaped(TWO_BY_TWO, 1, 2, 3, 4);
        Optimizer o = optimizer("sgd", Map.of("learning_rate", 1.0,
            "gradient_accumulation_steps", 2));
        step(o, ones2x2(), v2);
        assertAllClose(new double[] {1, 2, 3, 4}, v2, 1e-6, 1e-6, "iteration 1");
        step(o, shapedGrad(TWO_BY_TWO, 2, 2, 2, 2), v2);
        assertAllClose(new double[] {-0.5, 0.5, 1.5, 2.5}, v2, 1e-6, 1e-6, "iteration 2");
        step(o, ones2x2(), v2);
        assertAllClose(new double[] {-0.5, 0.5, 1.5, 2.5}, v2, 1e-6, 1e-6, "iteration 3");
    }

    @Test
    void gradientAccumulationWithAdamOverFourCalls() {
        // Adam steps only on calls 2 and 4, with the means of gradients (1, 2) and (3, 4), and
        // bias correction at t = iterations + 1 = 1 and 2 (optimizer steps, not calls).
        Optimizer o = optimizer("adam", Map.of("learning_rate", 0.01,
            "gradient_accumulation_steps", 2));
        Variable w = var(W0);
        double[] afterFirst = {0.9900001287460327, -1.0, 0.5, 1.9900001287460327};
        double[][] want = {W0, afterFirst, afterFirst,
            {0.980296790599823, -0.9925588965415955, 0.49255871772766113, 1.9885549545288086}};
        for (int t = 0; t < 4; t++) {
            step(o, grad(GRADS[t]), w);
            assertAllClose(want[t], w, 1e-6, 1e-6, "after call " + (t + 1));
        }
        // the same as plain Adam on the averaged gradients
        Optimizer plain = optimizer("adam", Map.of("learning_rate", 0.01));
        Variable p = var(W0);
        for (int t = 0; t < 4; t += 2) {
            double[] mean = new double[4];
            for (int i = 0; i < 4; i++) {
                mean[i] = ((float) GRADS[t][i] + (float) GRADS[t + 1][i]) / 2;
            }
            step(plain, grad(mean), p);
        }
        assertAllClose(values(p), w, 1e-6, 1e-6, "plain Adam on the means");
    }

    @Test
    void gradientAccumulationScheduleSeesEveryCall() {
        // "Learning rate schedules will look at 'real' iterations value (optimizer steps)":
        // lr = 0.5^_iterations, steps 2, g = 1: call 2 uses lr(1) = 0.5, call 4 lr(3) = 0.125
        Optimizer o = optimizer("sgd", Map.of("learning_rate", schedule(1.0, 1, 0.5),
            "gradient_accumulation_steps", 2));
        Variable w = var(0);
        double[] want = {0, -0.5, -0.5, -0.625};
        for (int t = 0; t < 4; t++) {
            step(o, grad(1), w);
            assertAllClose(new double[] {want[t]}, w, 1e-6, 1e-6, "after call " + (t + 1));
        }
    }

    @Test
    void emaTicksOnEveryCallDuringAccumulation() {
        // Keras updates the average after every apply, update step or not, with momentum 0
        // while iterations (= calls // steps) is 0. SGD lr 1, g = 1, steps 2, ema_momentum 0.5:
        // w: 0, -1, -1, -2, -2, -3; avg: 0, -1, -1, -1.5, -1.75, -2.375
        Optimizer o = optimizer("sgd", Map.of("learning_rate", 1.0, "use_ema", true,
            "ema_momentum", 0.5, "gradient_accumulation_steps", 2));
        Variable w = var(0);
        double[] want = {0, -1, -1, -2, -2, -3};
        for (int t = 0; t < want.length; t++) {
            step(o, grad(1), w);
            assertAllClose(new double[] {want[t]}, w, 1e-6, 1e-6, "after call " + (t + 1));
        }
        o.finalizeVariableValues(List.of(w));
        assertAllClose(new double[] {-2.375}, w, 1e-6, 1e-6, "finalized average");
    }

    @Test
    void callableLearningRate() {
        // Keras's test_callable_learning_rate: learning_rate=lambda: 0.1
        LearningRateSchedule lr = step -> 0.1f;
        Variable v = shaped(TWO_BY_TWO, 1, 2, 3, 4);
        Optimizer o = optimizer("sgd", Map.of("learning_rate", lr));
        assertEquals(0, o.iterations());
        step(o, ones2x2(), v);
        assertAllClose(new double[] {0.9, 1.9, 2.9, 3.9}, v, 1e-6, 1e-6, "w");
        assertEquals(1, o.iterations());
    }

    @Test
    void excludeFromWeightDecayByNameFragment() {
        // Keras's pattern is re.search(any name): a fragment anywhere in the name excludes
        Optimizer o = optimizer("sgd", Map.of("learning_rate", 1.0, "weight_decay", 0.1));
        Variable kernel = named("dense/kernel", 2.0);
        Variable bias = named("dense/bias", 2.0);
        Variable other = named("embedding_bias_2", 2.0);
        o.excludeFromWeightDecay(List.of(), List.of("bias"));
        Tensor zero = grad(0.0);
        o.applyGradients(List.of(zero, zero, zero), List.of(kernel, bias, other));
        assertAllClose(new double[] {1.8}, kernel, 1e-6, 1e-6, "kernel decays");
        assertAllClose(new double[] {2.0}, bias, 0, 0, "dense/bias excluded");
        assertAllClose(new double[] {2.0}, other, 0, 0, "embedding_bias_2 excluded");
        assertEquals("dense/kernel", kernel.name());
    }

    @Test
    void weightDecayUsesTheScheduledLearningRate() {
        // w -= w wd lr(t), lr(t) = 0.5^t, wd 0.1, zero gradients: 2 * 0.9 * 0.95 * 0.975
        Optimizer o = optimizer("sgd", Map.of("learning_rate", schedule(1.0, 1, 0.5),
            "weight_decay", 0.1));
        Variable w = var(2.0);
        double[] want = {1.8, 1.71, 1.66725};
        for (int t = 0; t < 3; t++) {
            step(o, grad(0.0), w);
            assertAllClose(new double[] {want[t]}, w, 1e-6, 1e-6, "step " + (t + 1));
        }
    }

    @Test
    void invalidBaseOptionsAreRejectedNamingTheKey() {
        // base_optimizer.py's checks
        rejects(() -> Optimizers.get("sgd", Map.of("gradient_accumulation_steps", 1)),
            "gradient_accumulation_steps");
        rejects(() -> Optimizers.get("sgd", Map.of("use_ema", true, "ema_momentum", 1.5)),
            "ema_momentum");
        rejects(() -> Optimizers.get("sgd", Map.of("use_ema", true, "ema_momentum", -0.1)),
            "ema_momentum");
        // (Keras tests `if ema_overwrite_frequency and ...`, so 0 passes as "never")
        rejects(() -> Optimizers.get("sgd",
            Map.of("use_ema", true, "ema_overwrite_frequency", -1)), "ema_overwrite_frequency");
        rejects(() -> Optimizers.get("sgd", Map.of("learning_rate", -0.1)), "learning_rate");
        rejects(() -> Optimizers.get("adamw", Map.of("learning_rate", -0.1)), "learning_rate");
        rejects(() -> Optimizers.get("sgd", Map.of("learning_rat", 0.1)), "learning_rat");
        rejects(() -> Optimizers.get("lamb", Map.of("momentum", 0.1)), "momentum");
    }

    /** Keras's ExponentialDecay(initial, decay_steps, decay_rate). */
    static LearningRateSchedule schedule(double initial, int decaySteps, double decayRate) {
        return dev.nabla.optimizers.schedules.Schedules.get("exponential_decay",
            Map.of("initial_learning_rate", initial, "decay_steps", decaySteps,
                "decay_rate", decayRate));
    }

    /**
     * A step run that stops early gives back the table rows it never applied: the step count
     * and Nadam's momentum-cache product are as after the rows applied, so the next table's
     * rows equal those of an optimizer that took only those steps.
     */
    @Test
    void untakenStepsAreGivenBack() {
        Optimizer a = optimizer("nadam", Map.of("learning_rate", 0.01));
        Optimizer b = optimizer("nadam", Map.of("learning_rate", 0.01));
        a.takeSteps(5);
        a.untakeSteps(3);
        b.takeSteps(2);
        assertEquals(2, a.steps());
        org.junit.jupiter.api.Assertions.assertArrayEquals(b.state().arrays().get("rule"),
            a.state().arrays().get("rule"));
        org.junit.jupiter.api.Assertions.assertArrayEquals(b.takeSteps(4), a.takeSteps(4),
            "the next rows");
        a.untakeSteps(0);
        assertEquals(6, a.steps());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
            () -> a.untakeSteps(5));
    }
}

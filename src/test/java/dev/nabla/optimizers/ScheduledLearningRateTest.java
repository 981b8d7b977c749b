package dev.nabla.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.Tensor;
import dev.nabla.Variable;
import dev.nabla.optimizers.schedules.LearningRateSchedule;
import dev.nabla.optimizers.schedules.Schedules;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A LearningRateSchedule passed as learning_rate: Keras evaluates it at the optimizer's
 * iteration count before each step (base_optimizer._get_current_learning_rate), and
 * learning_rate_schedule_test.py's TestFitLRSchedulesFlow, replayed with hand-written
 * gradients.
 */
class ScheduledLearningRateTest extends KerasOptimizerCase {

    @Test
    void piecewiseConstantScheduleDrivesSgd() {
        // lr(t) = 1.0 for t <= 1, 0.5 for 1 < t <= 3, 0.1 after; w0 = 10, g = 1
        LearningRateSchedule lr = Schedules.get("piecewise_constant_decay",
            Map.of("boundaries", List.of(1, 3), "values", List.of(1.0, 0.5, 0.1)));
        Optimizer sgd = optimizer("sgd", Map.of("learning_rate", lr));
        Variable w = var(10);
        assertEquals(1.0f, sgd.learningRate());
        double[] want = {9, 8, 7.5, 7, 6.9};
        float[] lrAfter = {1.0f, 0.5f, 0.5f, 0.1f, 0.1f};
        for (int t = 0; t < want.length; t++) {
            step(sgd, grad(1), w);
            assertAllClose(new double[] {want[t]}, w, 1e-6, 1e-6, "step " + (t + 1));
            assertEquals(lrAfter[t], sgd.learningRate(), 1e-7, "learningRate() after " + (t + 1));
        }
    }

    @Test
    void exponentialDecayDrivesSgdWithMomentum() {
        // lr(t) = 0.1 * 0.5^(t / 2), momentum 0.9, g = 1: m = 0.9 m - lr(t); w += m
        LearningRateSchedule lr = Schedules.get("exponential_decay",
            Map.of("initial_learning_rate", 0.1, "decay_steps", 2, "decay_rate", 0.5));
        Optimizer sgd = optimizer("sgd", Map.of("learning_rate", lr, "momentum", 0.9));
        Variable w = var(0);
        double m = 0;
        double x = 0;
        for (int t = 0; t < 6; t++) {
            m = 0.9 * m - 0.1 * Math.pow(0.5, t / 2.0);
            x += m;
            step(sgd, grad(1), w);
            assertAllClose(new double[] {x}, w, 1e-6, 1e-6, "step " + (t + 1));
        }
        assertEquals(0.1 * Math.pow(0.5, 3), sgd.learningRate(), 1e-8);
    }

    @Test
    void fitLrCorrectness() {
        // Keras's TestFitLRSchedulesFlow.test_fit_lr_correctness: Dense(2, kernel and bias
        // ones), Adam(ExponentialDecay(0.05, decay_steps 1, decay_rate 0.9)), mse,
        // x = y = arange(32).reshape(16, 2), batch 4, 3 epochs, no shuffle. The loss per epoch is
        // the mean of the 4 batch losses, each taken before its update. Gradients by hand:
        // p = x K + b; L = mean((p - y)^2); dL/dp = 2 (p - y) / 8; dK = x^T dL/dp; db = sum.
        LearningRateSchedule lr = Schedules.get("exponential_decay",
            Map.of("initial_learning_rate", 0.05, "decay_steps", 1, "decay_rate", 0.9));
        Optimizer adam = optimizer("adam", Map.of("learning_rate", lr));
        assertEquals(0, adam.iterations());
        Variable kernel = shaped(new int[] {2, 2}, 1, 1, 1, 1);
        Variable bias = shaped(new int[] {2}, 1, 1);
        double[] history = new double[3];
        for (int epoch = 0; epoch < 3; epoch++) {
            double sum = 0;
            for (int batch = 0; batch < 4; batch++) {
                float[] k = kernel.toFloatArray();
                float[] b = bias.toFloatArray();
                double loss = 0;
                double[] dk = new double[4];
                double[] db = new double[2];
                for (int r = 0; r < 4; r++) {
                    int n = batch * 4 + r;
                    double x0 = 2 * n;
                    double x1 = 2 * n + 1;
                    for (int j = 0; j < 2; j++) {
                        double p = x0 * k[j] + x1 * k[2 + j] + b[j];
                        double e = p - (j == 0 ? x0 : x1);
                        loss += e * e / 8;
                        double d = 2 * e / 8;
                        dk[j] += x0 * d;
                        dk[2 + j] += x1 * d;
                        db[j] += d;
                    }
                }
                sum += loss;
                Tensor gk = shapedGrad(new int[] {2, 2}, dk);
                Tensor gb = shapedGrad(new int[] {2}, db);
                adam.applyGradients(List.of(gk, gb), List.of(kernel, bias));
            }
            history[epoch] = sum / 4;
        }
        assertEquals(12, adam.iterations());
        assertAllClose(new double[] {230.79457092285156, 128.30319213867188, 79.33648681640625},
            grad(history), 1e-6, 5e-5, "history loss");
    }
}

package dev.nabla.optimizers.schedules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 keras/src/optimizers/schedules/learning_rate_schedule_test.py, case by case, with
 * Keras's tolerances: assertAllClose(lr(step), expected, 1e-6) is atol 1e-6 and the default
 * rtol 1e-6; the expected values are Keras's numpy formulas, written out here in double.
 */
class LearningRateScheduleTest {

    static LearningRateSchedule schedule(String name, Object... keysAndValues) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return Schedules.get(name, m);
    }

    static void close(double expected, LearningRateSchedule s, long step, double atol,
            double rtol, String what) {
        float got = s.at(step);
        if (!(Math.abs(got - expected) <= atol + rtol * Math.abs(expected))) {
            fail(what + " at step " + step + ": got " + got + ", expected " + expected
                + " (|diff| " + Math.abs(got - expected) + ")");
        }
    }

    static void close(double expected, LearningRateSchedule s, long step, String what) {
        close(expected, s, step, 1e-6, 1e-6, what);
    }

    static void rejects(Runnable r, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(String.valueOf(e.getMessage()).contains(fragment),
            "message should mention '" + fragment + "': " + e.getMessage());
    }

    // ExponentialDecayTest

    @Test
    void exponentialContinuous() {
        LearningRateSchedule s = schedule("exponential_decay", "initial_learning_rate", 0.05,
            "decay_steps", 10, "decay_rate", 0.96);
        close(0.05 * Math.pow(0.96, 5.0 / 10.0), s, 5, "continuous");
    }

    @Test
    void exponentialStaircase() {
        LearningRateSchedule s = schedule("exponential_decay", "initial_learning_rate", 0.1,
            "decay_steps", 3, "decay_rate", 0.96, "staircase", true);
        close(0.1, s, 1, "no change to learning rate due to staircase");
        close(0.1, s, 2, "no change");
        close(0.1 * Math.pow(0.96, 100 / 3), s, 100, "decayed");
    }

    @Test
    void exponentialClassName() {
        // test_variables is test_staircase again; here with the class name
        LearningRateSchedule s = schedule("ExponentialDecay", "initial_learning_rate", 0.1,
            "decay_steps", 3, "decay_rate", 0.96, "staircase", true);
        close(0.1, s, 1, "step 1");
        close(0.1, s, 2, "step 2");
        close(0.1 * Math.pow(0.96, 33), s, 100, "step 100");
    }

    // PiecewiseConstantDecayTest

    @Test
    void piecewiseValues() {
        LearningRateSchedule s = schedule("piecewise_constant_decay",
            "boundaries", List.of(100, 110, 120), "values", List.of(1.0, 0.1, 0.01, 0.001));
        close(1.0, s, 100, "100");
        close(0.1, s, 105, "105");
        close(0.1, s, 110, "110");
        close(0.01, s, 120, "120");
        close(0.001, s, 999, "999");
    }

    @Test
    void piecewiseValuesBeforeTheFirstBoundary() {
        // test_piecewise_values starts from x = -999.0: values[0] for every step <= boundaries[0]
        LearningRateSchedule s = schedule("piecewise_constant_decay",
            "boundaries", List.of(100, 110, 120), "values", List.of(1.0, 0.1, 0.01, 0.001));
        close(1.0, s, 0, "0");
        close(1.0, s, -999, "-999");
    }

    @Test
    void piecewiseBoundaryValues() {
        LearningRateSchedule s = schedule("piecewise_constant_decay",
            "boundaries", List.of(1, 2, 3), "values", List.of(0.4, 0.5, 0.6, 0.7));
        double[] want = {0.4, 0.4, 0.5, 0.6, 0.7};
        for (int step = 0; step <= 4; step++) {
            close(want[step], s, step, "boundary values");
        }
    }

    @Test
    void piecewiseAcceptsListsAndArrays() {
        // test_config's boundaries [10, 20], values [1, 2, 3], as List, int[], float[], double[]
        Object[][] forms = {
            {List.of(10, 20), List.of(1, 2, 3)},
            {new int[] {10, 20}, new int[] {1, 2, 3}},
            {new float[] {10, 20}, new float[] {1, 2, 3}},
            {new double[] {10, 20}, new double[] {1, 2, 3}}};
        for (Object[] f : forms) {
            LearningRateSchedule s = schedule("piecewise_constant_decay", "boundaries", f[0],
                "values", f[1], "name", "my_pcd");
            String what = f[0].getClass().getSimpleName();
            close(1, s, 10, what);
            close(2, s, 11, what);
            close(2, s, 20, what);
            close(3, s, 21, what);
        }
    }

    @Test
    void piecewiseLengthMismatchIsRejected() {
        // "The length of boundaries should be 1 less than the length of values."
        rejects(() -> schedule("piecewise_constant_decay", "boundaries", List.of(1, 2),
            "values", List.of(1.0, 2.0)), "boundaries");
    }

    // LinearDecayTest (PolynomialDecay with power 1)

    @Test
    void linearHalfway() {
        close(0.05 * 0.5, schedule("polynomial_decay", "initial_learning_rate", 0.05,
            "decay_steps", 10, "end_learning_rate", 0.0), 5, "halfway");
    }

    @Test
    void linearEnd() {
        close(0.001, schedule("polynomial_decay", "initial_learning_rate", 0.05,
            "decay_steps", 10, "end_learning_rate", 0.001), 10, "end");
    }

    @Test
    void linearHalfwayWithEnd() {
        close((0.05 + 0.001) * 0.5, schedule("polynomial_decay", "initial_learning_rate", 0.05,
            "decay_steps", 10, "end_learning_rate", 0.001), 5, "halfway with end");
    }

    @Test
    void linearBeyondEnd() {
        close(0.001, schedule("polynomial_decay", "initial_learning_rate", 0.05,
            "decay_steps", 10, "end_learning_rate", 0.001), 15, "beyond end");
    }

    @Test
    void linearBeyondEndWithCycle() {
        close((0.05 - 0.001) * 0.25 + 0.001, schedule("polynomial_decay",
            "initial_learning_rate", 0.05, "decay_steps", 10, "end_learning_rate", 0.001,
            "cycle", true), 15, "beyond end with cycle");
    }

    @Test
    void polynomialDefaultEndLearningRate() {
        // Keras's default end_learning_rate is 0.0001
        close(0.0001, schedule("polynomial_decay", "initial_learning_rate", 0.05,
            "decay_steps", 10), 10, "default end");
    }

    // SqrtDecayTest (PolynomialDecay with power 0.5)

    @Test
    void sqrtHalfway() {
        close(0.05 * Math.pow(0.5, 0.5), schedule("polynomial_decay", "initial_learning_rate",
            0.05, "decay_steps", 10, "end_learning_rate", 0.0, "power", 0.5), 5, "halfway");
    }

    @Test
    void sqrtEnd() {
        close(0.001, schedule("polynomial_decay", "initial_learning_rate", 0.05,
            "decay_steps", 10, "end_learning_rate", 0.001, "power", 0.5), 10, "end");
    }

    @Test
    void sqrtHalfwayWithEnd() {
        close((0.05 - 0.001) * Math.pow(0.5, 0.5) + 0.001, schedule("polynomial_decay",
            "initial_learning_rate", 0.05, "decay_steps", 10, "end_learning_rate", 0.001,
            "power", 0.5), 5, "halfway with end");
    }

    @Test
    void sqrtBeyondEnd() {
        close(0.001, schedule("polynomial_decay", "initial_learning_rate", 0.05,
            "decay_steps", 10, "end_learning_rate", 0.001, "power", 0.5), 15, "beyond end");
    }

    @Test
    void sqrtBeyondEndWithCycle() {
        close((0.05 - 0.001) * Math.pow(0.25, 0.5) + 0.001, schedule("polynomial_decay",
            "initial_learning_rate", 0.05, "decay_steps", 10, "end_learning_rate", 0.001,
            "power", 0.5, "cycle", true), 15, "beyond end with cycle");
    }

    @Test
    void sqrtBeginWithCycle() {
        close(0.001, schedule("polynomial_decay", "initial_learning_rate", 0.001,
            "decay_steps", 10, "cycle", true), 0, "begin with cycle");
    }

    // InverseTimeDecayTest

    @Test
    void inverseTimeDecay() {
        LearningRateSchedule s = schedule("inverse_time_decay", "initial_learning_rate", 0.1,
            "decay_steps", 10, "decay_rate", 0.96);
        for (int i = 0; i <= 10; i++) {
            close(0.1 / (1 + i / 10.0 * 0.96), s, i, "decay");
        }
    }

    @Test
    void inverseTimeStaircase() {
        LearningRateSchedule s = schedule("inverse_time_decay", "initial_learning_rate", 0.1,
            "decay_steps", 10, "decay_rate", 0.96, "staircase", true);
        for (int i = 0; i <= 10; i++) {
            close(0.1 / (1 + 0.96 * (i / 10)), s, i, "staircase");
        }
    }

    // CosineDecayTest

    static double npCosineDecay(double step, double decaySteps, double alpha) {
        step = Math.min(step, decaySteps);
        double completed = step / decaySteps;
        double decay = 0.5 * (1.0 + Math.cos(Math.PI * completed));
        return (1.0 - alpha) * decay + alpha;
    }

    static double linearWarmup(double step, double warmupSteps, double initial,
            double target) {
        return step / warmupSteps * (target - initial);
    }

    @Test
    void cosineDecay() {
        for (int step = 0; step < 1500; step += 250) {
            LearningRateSchedule s = schedule("cosine_decay", "initial_learning_rate", 1.0,
                "decay_steps", 1000);
            close(npCosineDecay(step, 1000, 0), s, step, "decay");
        }
    }

    @Test
    void cosineWarmup() {
        for (int step = 0; step < 1500; step += 250) {
            LearningRateSchedule s = schedule("cosine_decay", "initial_learning_rate", 0.0,
                "decay_steps", 10, "warmup_target", 10.0, "warmup_steps", 1500);
            close(linearWarmup(step, 1500, 0.0, 10.0), s, step, "warmup");
        }
    }

    @Test
    void cosineAlpha() {
        for (int step = 0; step < 1500; step += 250) {
            LearningRateSchedule s = schedule("cosine_decay", "initial_learning_rate", 1.0,
                "decay_steps", 1000, "alpha", 0.1);
            close(npCosineDecay(step, 1000, 0.1), s, step, "alpha");
        }
    }

    @Test
    void cosineWarmupDecay() {
        for (int step = 0; step < 3000; step += 250) {
            LearningRateSchedule s = schedule("cosine_decay", "initial_learning_rate", 0.0,
                "decay_steps", 1000, "warmup_target", 10.0, "warmup_steps", 2000);
            double expected = step < 2000 + 1 ? linearWarmup(step, 2000, 0.0, 10.0)
                : 10.0 * npCosineDecay(step - 2000, 1000, 0);
            close(expected, s, step, "warmup decay");
        }
    }

    @Test
    void cosineWarmupFromNonZeroInitial() {
        // cosine_decay's own warmup formula: (target - initial) step / warmup_steps + initial,
        // then decay from the target; test_config's arguments (0.05, 10, alpha 0.1, warmup
        // target 0.2 over 2 steps)
        LearningRateSchedule s = schedule("cosine_decay", "initial_learning_rate", 0.05,
            "decay_steps", 10, "alpha", 0.1, "warmup_target", 0.2, "warmup_steps", 2,
            "name", "my_cd");
        close(0.05, s, 0, "start");
        close(0.125, s, 1, "halfway through warmup");
        close(0.2, s, 2, "end of warmup");
        close(0.2 * npCosineDecay(5, 10, 0.1), s, 7, "decaying");
        close(0.2 * 0.1, s, 12, "end of decay");
        close(0.2 * 0.1, s, 100, "after");
    }

    // CosineDecayRestartsTest

    static double npCosineDecayRestarts(double step, double decaySteps, double tMul,
            double mMul, double alpha) {
        double fac = 1.0;
        while (step >= decaySteps) {
            step -= decaySteps;
            decaySteps *= tMul;
            fac *= mMul;
        }
        double completed = step / decaySteps;
        double decay = fac * 0.5 * (1.0 + Math.cos(Math.PI * completed));
        return (1.0 - alpha) * decay + alpha;
    }

    @Test
    void cosineRestartsDecay() {
        for (int step = 0; step < 1500; step += 250) {
            LearningRateSchedule s = schedule("cosine_decay_restarts",
                "initial_learning_rate", 1.0, "first_decay_steps", 1000);
            close(npCosineDecayRestarts(step, 1000, 2.0, 1.0, 0.0), s, step, "decay");
        }
    }

    @Test
    void cosineRestartsAlpha() {
        for (int step = 0; step < 1500; step += 250) {
            LearningRateSchedule s = schedule("cosine_decay_restarts",
                "initial_learning_rate", 1.0, "first_decay_steps", 1000, "alpha", 0.1);
            close(npCosineDecayRestarts(step, 1000, 2.0, 1.0, 0.1), s, step, "alpha");
        }
    }

    @Test
    void cosineRestartsMMul() {
        for (int step = 0; step < 1500; step += 250) {
            LearningRateSchedule s = schedule("cosine_decay_restarts",
                "initial_learning_rate", 1.0, "first_decay_steps", 1000, "m_mul", 0.9);
            close(npCosineDecayRestarts(step, 1000, 2.0, 0.9, 0.0), s, step, "m_mul");
        }
    }

    @Test
    void cosineRestartsTMul() {
        for (int step = 0; step < 1500; step += 250) {
            LearningRateSchedule s = schedule("cosine_decay_restarts",
                "initial_learning_rate", 1.0, "first_decay_steps", 1000, "t_mul", 1.0);
            close(npCosineDecayRestarts(step, 1000, 1.0, 1.0, 0.0), s, step, "t_mul");
        }
    }

    @Test
    void cosineRestartsConfigArgumentsOverSeveralPeriods() {
        // test_config's arguments: 0.05, first_decay_steps 10, alpha 0.1, t_mul 3, m_mul 4;
        // periods [0, 10), [10, 40), [40, 130), with the restarts at 40 and 130, where
        // floor(log(9) / log(3)) alone is at the mercy of rounding
        LearningRateSchedule s = schedule("cosine_decay_restarts", "initial_learning_rate",
            0.05, "first_decay_steps", 10, "alpha", 0.1, "t_mul", 3.0, "m_mul", 4.0,
            "name", "my_cdr");
        for (long step : new long[] {0, 5, 9, 10, 25, 39, 40, 41, 100, 129, 130, 131}) {
            close(0.05 * npCosineDecayRestarts(step, 10, 3.0, 4.0, 0.1), s, step, 1e-6, 1e-5,
                "restarts");
        }
    }

    /**
     * The issue's case: periods 16, 24, 36, 54, 81 put a restart at step 211, where
     * floor(log(1 + 211 / 16 * 0.5) / log(1.5)) lands a hair below 5 in floating point; the right
     * rate is the restart's peak, 1.0.
     */
    @Test
    void cosineRestartsAtTheIssuesRestartStep() {
        LearningRateSchedule s = schedule("cosine_decay_restarts", "initial_learning_rate", 1.0,
            "first_decay_steps", 16, "t_mul", 1.5);
        assertEquals(1.0f, s.at(211));
        assertEquals(1.0f, s.at(130));
        // one step before: the end of period 4 (81 steps), 80 of them done
        close(0.5 * (1 + Math.cos(Math.PI * 80 / 81)), s, 210, 1e-7, 1e-6, "before");
    }

    /**
     * Restarts where t_mul is a decimal that binary cannot hold (1.1, 1.3, 1.05): the periods as
     * written, 10 then 11 (restart at 21), 20 then 26 (at 46), 1000 then 1050 (at 2050), put
     * the peak on those whole steps, as Keras's own float32 computation does; the doubles nearest
     * 1.1 and 1.3 lie above them and would move the restart a hair past the step.
     */
    @Test
    void cosineRestartsWithDecimalPeriodGrowthPeakOnTheRestartStep() {
        Object[][] cases = {{10, 1.1, 21L}, {20, 1.3, 46L}, {1000, 1.05, 2050L}};
        for (Object[] c : cases) {
            LearningRateSchedule s = schedule("cosine_decay_restarts", "initial_learning_rate",
                1.0, "first_decay_steps", c[0], "t_mul", c[1]);
            long restart = (Long) c[2];
            assertEquals(1.0f, s.at(restart), "t_mul " + c[1] + " at step " + restart);
            int firstPeriod = (Integer) c[0];
            // the step before: the last of period 1, (firstPeriod * t - 1) of its steps done
            double period = firstPeriod * (Double) c[1];
            close(0.5 * (1 + Math.cos(Math.PI * (period - 1) / period)), s, restart - 1, 1e-7,
                1e-6, "before restart 2");
        }
    }

    /**
     * Every step of many schedules against Keras's numpy reference (its test's loop over the
     * periods, exact here because every period length and start is a dyadic number that double
     * holds exactly), and at each restart the peak init * m_mul^i exactly: growing, equal and
     * shrinking periods, integer and fractional first periods.
     */
    @Test
    void cosineRestartsEveryStepAndEveryRestart() {
        double[][] cases = { // first_decay_steps, t_mul, m_mul, alpha
            {16, 1.5, 1.0, 0.0}, {16, 1.5, 0.9, 0.1}, {10, 3.0, 4.0, 0.1}, {7, 2.0, 0.5, 0.0},
            {64, 1.25, 1.0, 0.0}, {2.5, 1.0, 0.8, 0.0}, {10, 1.0, 1.0, 0.2}, {64, 1.75, 1.0, 0.0},
            {64, 0.5, 0.9, 0.0}, {96, 0.75, 1.0, 0.05}, {1, 2.0, 1.0, 0.0}, {48, 1.5, 1.0, 0.0}};
        for (double[] k : cases) {
            double first = k[0], tMul = k[1], mMul = k[2], alpha = k[3];
            LearningRateSchedule s = schedule("cosine_decay_restarts", "initial_learning_rate",
                2.0, "first_decay_steps", first, "t_mul", tMul, "m_mul", mMul, "alpha", alpha);
            String what = "first " + first + ", t_mul " + tMul + ", m_mul " + mMul;
            // the restart steps, from the periods' lengths (exact in double here)
            java.util.List<Long> restarts = new java.util.ArrayList<>();
            double start = 0, period = first;
            long limit = tMul < 1 ? (long) Math.ceil(first / (1 - tMul)) : 3000;
            int i = 0;
            while (start < limit && start + period > start) { // (until the periods vanish)
                if (start == Math.rint(start)) {
                    assertEquals((float) (2.0 * ((1 - alpha) * Math.pow(mMul, i) + alpha)),
                        s.at((long) start), what + ": restart " + i + " at step " + start);
                    restarts.add((long) start);
                }
                start += period;
                period *= tMul;
                i++;
            }
            assertTrue(restarts.size() >= 4, what + ": restarts " + restarts);
            for (long step = 0; step < limit; step++) {
                close(2.0 * npCosineDecayRestarts(step, first, tMul, mMul, alpha), s, step,
                    1e-6, 1e-6, what);
            }
            if (tMul < 1) {
                // past the limit of the shrinking periods there is no restart: Keras's NaN
                assertTrue(Float.isNaN(s.at(limit)), what + ": past the limit " + limit);
            }
        }
    }

    @Test
    void cosineRestartsRejectsANonPositiveTMul() {
        rejects(() -> schedule("cosine_decay_restarts", "initial_learning_rate", 0.1,
            "first_decay_steps", 10, "t_mul", 0.0), "t_mul");
        rejects(() -> schedule("cosine_decay_restarts", "initial_learning_rate", 0.1,
            "first_decay_steps", 10, "t_mul", -2.0), "t_mul");
    }

    // the constructors' checks

    @Test
    void nonPositiveDecayStepsAreRejected() {
        // "Argument `decay_steps` must be > 0."
        rejects(() -> schedule("exponential_decay", "initial_learning_rate", 0.1,
            "decay_steps", 0, "decay_rate", 0.9), "decay_steps");
        rejects(() -> schedule("polynomial_decay", "initial_learning_rate", 0.1,
            "decay_steps", -1), "decay_steps");
        rejects(() -> schedule("inverse_time_decay", "initial_learning_rate", 0.1,
            "decay_steps", 0, "decay_rate", 0.5), "decay_steps");
        rejects(() -> schedule("cosine_decay", "initial_learning_rate", 0.1,
            "decay_steps", 0), "decay_steps");
        rejects(() -> schedule("cosine_decay_restarts", "initial_learning_rate", 0.1,
            "first_decay_steps", 0), "first_decay_steps");
    }

    @Test
    void unknownNamesAndKeysAreRejected() {
        rejects(() -> schedule("step_decay", "initial_learning_rate", 0.1), "step_decay");
        rejects(() -> schedule("exponential_decay", "initial_learning_rate", 0.1,
            "decay_steps", 10, "decay_rate", 0.9, "decay", 0.1), "decay");
    }
}

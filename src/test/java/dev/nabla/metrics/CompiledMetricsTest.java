package dev.nabla.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.Tensor;
import dev.nabla.callbacks.History;
import dev.nabla.losses.Losses;
import dev.nabla.nn.FitOptions;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.layers.Dense;
import dev.nabla.optimizers.Optimizers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metrics through compile, fit and evaluate: Keras 3's resolution of "accuracy" from shapes
 * (keras/src/trainers/compile_utils.py, get_metric), log names as given, metric objects in
 * compile, model files. The models are single Dense layers with set weights, so every prediction
 * and expected value is known by hand. Runs on the default backend and, through
 * {@link OnEveryBackend}, on the Java reference and the CUDA emulator (where cross-entropy with
 * argmax accuracies is tallied on the device).
 */
class CompiledMetricsTest extends KerasMetricCase {
    @TempDir
    Path dir;

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream());
    }

    /** A Dense(units, activation) model on 2 inputs with the given kernel (2 x units) and bias. */
    private static Sequential dense(int units, String activation, float[] kernel, float[] bias) {
        Sequential m = new Sequential(new Dense(units, activation)).setSeed(1).setOutput(quiet());
        m.build(2);
        m.weights().get(0).copyFrom(kernel);
        m.weights().get(1).copyFrom(bias);
        return m;
    }

    private static Sequential sgdZero(Sequential m, String loss, List<?> metrics) {
        m.compile(Optimizers.get("sgd", Map.of("learning_rate", 0.0)), Losses.get(loss), metrics);
        return m;
    }

    // ---- the case: Dense(3, sigmoid), binary_crossentropy, one-hot labels -------------

    @Test
    void accuracyWithThreeSigmoidUnitsAndBinaryLossIsCategorical() {
        // every sample predicts sigmoid([-5, -4, -6]): argmax 1; the labels' argmax is 2, 1, 0,
        // so Keras 3 reports 1/3 (categorical); binary accuracy would be 2/3 (all outputs < 0.5)
        try (Sequential m = dense(3, "sigmoid", new float[6], new float[] {-5, -4, -6})) {
            Tensor x = m(row(1, 0), row(0, 1), row(1, 1));
            Tensor y = m(row(0, 0, 1), row(0, 1, 0), row(1, 0, 0));
            m.compile("adam", "binary_crossentropy", "accuracy", "binary_accuracy");
            Map<String, Float> r = m.evaluate(x, y, 32, 0);
            assertAllClose(1 / 3.0, r.get("accuracy"), "accuracy (categorical)");
            assertAllClose(2 / 3.0, r.get("binary_accuracy"), "binary_accuracy");
        }
    }

    // ---- resolution from shapes ---------------------------------------------------------------

    /** Dense(1, sigmoid) with kernel [2, -2]: predictions sigmoid(2), sigmoid(-2), 0.5, sigmoid(4). */
    private Sequential oneUnit() {
        return dense(1, "sigmoid", new float[] {2, -2}, new float[] {0});
    }

    private Tensor oneUnitX() {
        return m(row(1, 0), row(0, 1), row(1, 1), row(2, 0));
    }

    @Test
    void oneOutputUnitMeansBinaryWhateverTheLabelsRank() {
        // predicted classes [1, 0, 0 (0.5 is not > 0.5), 1] against labels [1, 0, 1, 1]: 3/4
        for (Tensor y : new Tensor[] {v(1, 0, 1, 1), m(row(1), row(0), row(1), row(1))}) {
            try (Sequential m = oneUnit()) {
                m.compile("sgd", "mse", "accuracy");
                assertAllClose(0.75, m.evaluate(oneUnitX(), y, 32, 0).get("accuracy"),
                    "binary accuracy, labels " + java.util.Arrays.toString(y.shape()));
            }
        }
    }

    /** Dense(3, softmax), zero kernel, bias [0, 1, 0]: every sample predicts class 1. */
    private Sequential threeClasses() {
        return dense(3, "softmax", new float[6], new float[] {0, 1, 0});
    }

    private Tensor fiveX() {
        return m(row(1, 0), row(0, 1), row(1, 1), row(2, 0), row(0, 2));
    }

    @Test
    void integerLabelsMeanSparseCategorical() {
        // labels [1, 2, 1, 0, 1]: 3 of 5 are class 1; batch size 2 (three batches, one partial)
        for (Tensor y : new Tensor[] {v(1, 2, 1, 0, 1), m(row(1), row(2), row(1), row(0), row(1))}) {
            try (Sequential m = threeClasses()) {
                m.compile("sgd", "sparse_categorical_crossentropy", "accuracy", "acc");
                Map<String, Float> r = m.evaluate(fiveX(), y, 2, 0);
                assertAllClose(0.6, r.get("accuracy"), "sparse accuracy");
                assertAllClose(0.6, r.get("acc"), "sparse accuracy as acc");
            }
        }
    }

    private Tensor fiveOneHot() {
        return m(row(0, 1, 0), row(0, 0, 1), row(0, 1, 0), row(1, 0, 0), row(0, 1, 0));
    }

    @Test
    void oneHotLabelsMeanCategoricalWhateverTheLoss() {
        for (String loss : new String[] {"categorical_crossentropy", "mse", "binary_crossentropy"}) {
            try (Sequential m = threeClasses()) {
                m.compile("sgd", loss, "accuracy");
                assertAllClose(0.6, m.evaluate(fiveX(), fiveOneHot(), 2, 0).get("accuracy"),
                    "categorical accuracy under " + loss);
            }
        }
    }

    @Test
    void resolveAccuracyFollowsKerasShapes() {
        assertEquals("BinaryAccuracy",
            Metrics.resolveAccuracy("a", new int[] {4}, new int[] {4, 1}).className());
        assertEquals("BinaryAccuracy",
            Metrics.resolveAccuracy("a", new int[] {4, 3}, new int[] {4, 1}).className());
        assertEquals("SparseCategoricalAccuracy",
            Metrics.resolveAccuracy("a", new int[] {4}, new int[] {4, 3}).className());
        assertEquals("SparseCategoricalAccuracy",
            Metrics.resolveAccuracy("a", new int[] {4, 1}, new int[] {4, 3}).className());
        assertEquals("CategoricalAccuracy",
            Metrics.resolveAccuracy("a", new int[] {4, 3}, new int[] {4, 3}).className());
        assertEquals("acc", Metrics.resolveAccuracy("acc", new int[] {4}, new int[] {4, 3}).name());
    }

    @Test
    void fitLogsTheResolvedMetricsForTrainingAndValidation() {
        // learning rate 0: the weights stay, so training and validation see the same predictions
        try (Sequential m = sgdZero(threeClasses(), "sparse_categorical_crossentropy",
            List.of("accuracy", "sparse_top_k_categorical_accuracy"))) {
            Tensor y = v(1, 2, 1, 0, 1);
            History h = m.fit(fiveX(), y, new FitOptions().epochs(2).batchSize(2).verbose(0)
                .shuffle(false).validationData(fiveX(), y));
            assertEquals(List.of("loss", "accuracy", "sparse_top_k_categorical_accuracy",
                "val_loss", "val_accuracy", "val_sparse_top_k_categorical_accuracy"),
                new ArrayList<>(h.history().keySet()));
            for (String key : new String[] {"accuracy", "val_accuracy"}) {
                for (float a : h.get(key)) {
                    assertAllClose(0.6, a, key);
                }
            }
            for (float a : h.get("sparse_top_k_categorical_accuracy")) {
                assertAllClose(1.0, a, "top 5 of 3 classes");
            }
        }
    }

    @Test
    void fitWithArgmaxAccuracyOnlyMatchesKerasWhereverItIsCounted() {
        // on a device backend this fit and its validation tally the hits on the device; the
        // numbers must be the host's: one-hot labels, categorical accuracy 3 of 5
        try (Sequential m = sgdZero(threeClasses(), "categorical_crossentropy",
            List.of("accuracy"))) {
            History h = m.fit(fiveX(), fiveOneHot(), new FitOptions().epochs(2).batchSize(2)
                .verbose(0).validationData(fiveX(), fiveOneHot()));
            for (String key : new String[] {"accuracy", "val_accuracy"}) {
                assertEquals(2, h.get(key).size(), key);
                for (float a : h.get(key)) {
                    assertAllClose(0.6, a, key);
                }
            }
        }
    }

    // ---- names as given, objects, refusals ----------------------------------------------------

    @Test
    void namesLogExactlyAsGiven() {
        try (Sequential m = oneUnit()) {
            m.compile("sgd", "binary_crossentropy", "acc", "BinaryAccuracy", "mse", "Accuracy");
            Map<String, Float> r = m.evaluate(oneUnitX(), v(1, 0, 1, 1), 32, 0);
            assertEquals(List.of("loss", "acc", "BinaryAccuracy", "mse", "Accuracy"),
                new ArrayList<>(r.keySet()));
            // "Accuracy" is resolved like "accuracy" (Keras compares the lower-cased name)
            assertAllClose(0.75, r.get("Accuracy"), "Accuracy resolved to binary");
            assertAllClose(0.75, r.get("BinaryAccuracy"), "BinaryAccuracy");
        }
    }

    @Test
    void metricObjectsInCompile() {
        // predictions 0.881, 0.119, 0.5, 0.982 against labels [1, 0, 1, 1]: every positive
        // scores above the negative (AUC 1); above 0.5: 0.881 and 0.982, both positive
        // (precision 1, recall 2/3); above 0.4 all three positives (binary accuracy 1); no
        // prediction equals its label exactly (element-wise accuracy 0)
        try (Sequential m = sgdZero(oneUnit(), "binary_crossentropy", List.of(new AUC(),
            new Precision(), new Recall(), new BinaryAccuracy("ba40", 0.4), new Accuracy(),
            "accuracy"))) {
            Map<String, Float> r = m.evaluate(oneUnitX(), v(1, 0, 1, 1), 3, 0);
            assertEquals(List.of("loss", "auc", "precision", "recall", "ba40", "accuracy"),
                new ArrayList<>(r.keySet()));
            assertAllClose(1.0, r.get("auc"), "auc");
            assertAllClose(1.0, r.get("precision"), "precision");
            assertAllClose(2 / 3.0, r.get("recall"), "recall");
            assertAllClose(1.0, r.get("ba40"), "binary accuracy at 0.4");
            // two metrics log as "accuracy": Keras keeps the last; the resolved binary one
            assertAllClose(0.75, r.get("accuracy"), "accuracy");
        }
    }

    @Test
    void theCompiledObjectKeepsItsOwnState() {
        Precision p = new Precision();
        try (Sequential m = sgdZero(oneUnit(), "binary_crossentropy", List.of(p))) {
            m.evaluate(oneUnitX(), v(1, 0, 1, 1), 32, 0);
        }
        assertEquals(0f, p.result());
    }

    @Test
    void compileRefusesWhatCannotBeLogged() {
        try (Sequential m = oneUnit()) {
            rejects(() -> m.compile("sgd", "mse", "mean"), "mean", "takes values");
            rejects(() -> m.compile("sgd", "mse", "Sum"), "Sum", "takes values");
            rejects(() -> m.compile("sgd", "mse", "f1"), "f1", "accepted");
            rejects(() -> m.compile(Optimizers.get("sgd"), Losses.get("mse"),
                List.of(new Precision("p", new double[] {0.3, 0.6}, null, null))),
                "2 values", "one per threshold");
            rejects(() -> m.compile(Optimizers.get("sgd"), Losses.get("mse"), List.of(3)),
                "names or Metric objects");
        }
    }

    @Test
    void metricNamesAndConfigsRoundTripThroughModelFiles() throws Exception {
        Path file = dir.resolve("m.safetensors");
        Tensor y = v(1, 0, 1, 1);
        Map<String, Float> before;
        try (Sequential m = sgdZero(oneUnit(), "binary_crossentropy", List.of("acc",
            new AUC("pr_auc", 50, "PR", "majoring", null, false, null, null, false),
            Metrics.get("precision", Map.of("thresholds", 0.7, "name", "p70")),
            "RootMeanSquaredError", new Recall()))) {
            before = m.evaluate(oneUnitX(), y, 32, 0);
            m.save(file);
        }
        assertAllClose(1.0, before.get("p70"), "precision above 0.7: 0.881, 0.982");
        assertEquals(true, Files.size(file) > 0);
        try (Sequential loaded = Sequential.load(file)) {
            loaded.setOutput(quiet());
            assertEquals(List.of("acc", "pr_auc", "p70", "RootMeanSquaredError", "recall"),
                loaded.metricNames());
            assertEquals(before, loaded.evaluate(oneUnitX(), y, 32, 0));
        }
    }
}

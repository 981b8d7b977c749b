package dev.nabla.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.Tensor;
import dev.nabla.Variable;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.layers.Dense;
import dev.nabla.optimizers.Optimizers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Losses inside a model, where Keras's TensorFlow backend reads the logits of a softmax (or
 * sigmoid) output layer whatever from_logits says (keras/src/backend/tensorflow/nn.py
 * _get_logits; it warns when from_logits=True), and the new arguments through fit's step. One
 * Dense layer with a zero kernel, so its logits are its bias z: the loss and the bias gradient
 * (read from one SGD step with learning rate 1: the gradient is the bias's change) follow from
 * softmax(z) - target by hand.
 */
class LogitsOfActivationsTest extends dev.nabla.KerasCase {

    private static final double[] Z = {2, 0, -1};

    private Sequential dense(int units, String activation, double... bias) {
        Sequential m = keep(new Sequential(new Dense(units, activation)).setSeed(1)
            .setOutput(new PrintStream(new ByteArrayOutputStream(), true)));
        m.build(2);
        List<Variable> w = m.weights();
        w.get(0).copyFrom(new float[2 * units]);
        w.get(1).copyFrom(floats(bias));
        return m;
    }

    private static double[] softmax(double[] z) {
        double s = 0;
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            s += Math.exp(z[i]);
        }
        for (int i = 0; i < z.length; i++) {
            out[i] = Math.exp(z[i]) / s;
        }
        return out;
    }

    /** dLoss/dbias from one SGD step of learning rate 1 (the kernel is zero, x = 1s). */
    private static double[] biasGradient(Sequential m, double[] before) {
        float[] after = m.weights().get(1).toFloatArray();
        double[] g = new double[before.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = before[i] - after[i];
        }
        return g;
    }

    private void compile(Sequential m, String loss, Map<String, ?> config) {
        m.compile(Optimizers.get("sgd", Map.of("learning_rate", 1.0)), Losses.get(loss, config));
    }

    private static void close(double[] want, double[] got, double tol, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], tol, what + "[" + i + "]");
        }
    }

    @Test
    void sparseFromLogitsOnSoftmaxUsesTheLogits() {
        // issue 12: 0.1698 = log(e^2 + 1 + e^-1) - 2; computing softmax twice gave 0.6578
        double want = Math.log(Math.exp(2) + 1 + Math.exp(-1)) - 2;
        Sequential m = dense(3, "softmax", Z);
        compile(m, "sparse_categorical_crossentropy", Map.of("from_logits", true));
        Tensor x = m(row(1, 1));
        Tensor y = v(0);
        assertEquals(want, m.evaluate(x, y, 32, 0).get("loss"), 1e-5, "evaluate");
        assertEquals(want, m.trainOnBatch(x, y).get("loss"), 1e-5, "trainOnBatch");
        double[] s = softmax(Z);
        close(new double[] {s[0] - 1, s[1], s[2]}, biasGradient(m, Z), 1e-5,
            "bias gradient = softmax(z) - one_hot");
    }

    @Test
    void categoricalWithOrWithoutFromLogitsOnSoftmaxAgree() {
        double want = Math.log(Math.exp(2) + 1 + Math.exp(-1)) - 2;
        for (boolean fromLogits : new boolean[] {true, false}) {
            Sequential m = dense(3, "softmax", Z);
            compile(m, "categorical_crossentropy", Map.of("from_logits", fromLogits));
            Map<String, Float> logs = m.trainOnBatch(m(row(1, 1)), m(row(1, 0, 0)));
            assertEquals(want, logs.get("loss"), 1e-5, "from_logits " + fromLogits);
            double[] s = softmax(Z);
            close(new double[] {s[0] - 1, s[1], s[2]}, biasGradient(m, Z), 1e-5,
                "bias gradient, from_logits " + fromLogits);
        }
    }

    @Test
    void binaryFromLogitsOnSigmoidUsesTheLogits() {
        // z = 2, label 0: max(z, 0) - z y + log(1 + e^-|z|) = 2.126928; gradient sigmoid(2)
        Sequential m = dense(1, "sigmoid", 2);
        compile(m, "binary_crossentropy", Map.of("from_logits", true));
        Map<String, Float> logs = m.trainOnBatch(m(row(1, 1)), m(row(0)));
        assertEquals(2 + Math.log1p(Math.exp(-2)), logs.get("loss"), 1e-5, "bce loss");
        close(new double[] {1 / (1 + Math.exp(-2))}, biasGradient(m, new double[] {2}), 1e-5,
            "bce bias gradient");
    }

    @Test
    void ignoreClassInFitAndEvaluate() {
        // rows labelled 0, ignored, 2: the mean of the two kept losses, and of their gradients
        double lse = Math.log(Math.exp(2) + 1 + Math.exp(-1));
        double want = ((lse - 2) + (lse + 1)) / 2;
        Sequential m = dense(3, "softmax", Z);
        compile(m, "sparse_categorical_crossentropy", Map.of("ignore_class", -1));
        Tensor x = m(row(1, 1), row(1, 1), row(1, 1));
        Tensor y = v(0, -1, 2);
        assertEquals(want, m.evaluate(x, y, 32, 0).get("loss"), 1e-5, "evaluate");
        assertEquals(want, m.trainOnBatch(x, y).get("loss"), 1e-5, "trainOnBatch");
        double[] s = softmax(Z);
        close(new double[] {s[0] - 0.5, s[1], s[2] - 0.5}, biasGradient(m, Z), 1e-5,
            "bias gradient over the kept rows");
        // fit refuses a label that is neither a class nor the ignored one
        rejects(() -> m.trainOnBatch(x, v(0, -2, 2)), "-2.0", "index 1");
    }

    @Test
    void sumReductionAndSparseLabelSmoothingInTraining() {
        double lse = Math.log(Math.exp(2) + 1 + Math.exp(-1));
        double[] s = softmax(Z);
        Sequential m = dense(3, "softmax", Z);
        compile(m, "sparse_categorical_crossentropy", Map.of("reduction", "sum"));
        Tensor x = m(row(1, 1), row(1, 1));
        assertEquals(2 * (lse - 2), m.trainOnBatch(x, v(0, 0)).get("loss"), 1e-5, "sum");
        close(new double[] {2 * (s[0] - 1), 2 * s[1], 2 * s[2]}, biasGradient(m, Z), 1e-5,
            "sum: the gradients add");
        // label smoothing 0.3 on class indices: target 0.7 one_hot + 0.1
        Sequential n = dense(3, "softmax", Z);
        compile(n, "sparse_categorical_crossentropy", Map.of("label_smoothing", 0.3));
        double[] t = {0.8, 0.1, 0.1};
        double want = 0;
        for (int c = 0; c < 3; c++) {
            want += t[c] * (lse - Z[c]);
        }
        assertEquals(want, n.trainOnBatch(m(row(1, 1)), v(0)).get("loss"), 1e-5, "smoothed");
        close(new double[] {s[0] - t[0], s[1] - t[1], s[2] - t[2]}, biasGradient(n, Z), 1e-5,
            "smoothed: softmax(z) - smoothed target");
    }

    @Test
    void reductionNoneCannotTrain() {
        Sequential m = dense(3, "softmax", Z);
        rejects(() -> compile(m, "mse", Map.of("reduction", "none")), "none", "callPerSample");
    }
}

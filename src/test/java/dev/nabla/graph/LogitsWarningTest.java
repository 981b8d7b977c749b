package dev.nabla.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.Tensor;
import dev.nabla.Variable;
import dev.nabla.backend.Activation;
import dev.nabla.backend.JavaBackend;
import dev.nabla.losses.Losses;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras's TensorFlow backend warns (Python's warnings: once) when from_logits=True meets the
 * output of a softmax or sigmoid, whose logits it then reads: so does the graph, once per loss.
 */
class LogitsWarningTest {

    /** What building the loss on an activation's output prints to System.err. */
    private static String build(String loss, Map<String, ?> config, Activation act, int units,
            int[] labelShape) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (Graph g = new Graph(new JavaBackend(), true);
                Variable w = Variable.of(new float[2 * units], 2, units);
                Variable b = Variable.of(new float[units], units);
                Tensor gw = Tensor.zeros(2, units); Tensor gb = Tensor.zeros(units)) {
            Node x = g.input(1, 2);
            Node out = g.biasActivation(g.matmul(x, g.param(w, gw)), g.param(b, gb), act);
            Losses.get(loss, config).build(g, g.input(labelShape), out, null);
        } finally {
            System.setErr(saved);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void warnsOncePerLossWhenFromLogitsMeetsAnActivation() {
        Ops.logitsWarned.clear();
        String warning = "received from_logits=true, but the predictions were produced by a";
        Map<String, Object> logits = Map.of("from_logits", true);
        String first = build("sparse_categorical_crossentropy", logits, Activation.SOFTMAX, 3,
            new int[] {1});
        assertEquals(1, count(first, "sparse_categorical_crossentropy " + warning + " softmax"),
            first);
        assertEquals("", build("sparse_categorical_crossentropy", logits, Activation.SOFTMAX, 3,
            new int[] {1}), "said once");
        assertEquals("", build("categorical_crossentropy", Map.of(), Activation.SOFTMAX, 3,
            new int[] {1, 3}), "no warning without from_logits");
        String bce = build("binary_crossentropy", logits, Activation.SIGMOID, 1, new int[] {1, 1});
        assertEquals(1, count(bce, "binary_crossentropy " + warning + " sigmoid"), bce);
    }
}

package dev.nabla.graph;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.Tensor;
import dev.nabla.TestUtil;
import dev.nabla.Variable;
import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.backend.JavaBackend;
import dev.nabla.losses.Losses;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reverse-mode gradients against central finite differences computed in double:
 * (L(w + h) - L(w - h)) / 2h with h = 1e-3 on float32 parameters. Tolerance: relative 2e-2 with
 * an absolute floor of 2e-3 (float32 loss rounding divided by 2h dominates below that).
 * Every op the layers and losses use is on some path here, on both host backends.
 */
class GradientCheckTest {
  interface Builder {
    Node build(Graph g, List<Node> params, Node x, Node y);
  }

  record Case(String name, int[] xShape, int[] yShape, boolean sparse, int[][] paramShapes,
      Builder builder) {
    @Override
    public String toString() {
      return name;
    }
  }

  static final int B = 4, IN = 5, H = 6, OUT = 3;
  static final int[][] MLP = {{IN, H}, {H}, {H, OUT}, {OUT}};

  static Node mlp(Graph g, List<Node> p, Node x, Activation hidden, Activation out) {
    Node h = g.biasActivation(g.matmul(x, p.get(0)), p.get(1), hidden);
    return g.biasActivation(g.matmul(h, p.get(2)), p.get(3), out);
  }

  static Stream<Arguments> cases() {
    List<Case> cases = new ArrayList<>();
    for (Activation act : new Activation[] {Activation.RELU, Activation.SIGMOID, Activation.TANH,
        Activation.GELU, Activation.LEAKY_RELU, Activation.LINEAR}) {
      cases.add(new Case(act + " -> softmax -> sparse CE (fused)", new int[] {B, IN},
          new int[] {B}, true, MLP, (g, p, x, y) -> Losses.get("sparse_categorical_crossentropy")
              .build(g, y, mlp(g, p, x, act, Activation.SOFTMAX), null)));
    }
    cases.add(new Case("logits -> CE one-hot, label smoothing", new int[] {B, IN},
        new int[] {B, OUT}, false, MLP, (g, p, x, y) -> Losses.get("categorical_crossentropy",
            Map.of("from_logits", true, "label_smoothing", 0.2))
            .build(g, y, mlp(g, p, x, Activation.TANH, Activation.LINEAR), null)));
    cases.add(new Case("sigmoid -> CE from unnormalised probabilities", new int[] {B, IN},
        new int[] {B, OUT}, false, MLP, (g, p, x, y) -> Losses.get("categorical_crossentropy")
            .build(g, y, mlp(g, p, x, Activation.TANH, Activation.SIGMOID), null)));
    cases.add(new Case("softmax used twice -> CE + mse (unfused softmax Jacobian)",
        new int[] {B, IN}, new int[] {B, OUT}, false, MLP, (g, p, x, y) -> {
          Node pred = mlp(g, p, x, Activation.SIGMOID, Activation.SOFTMAX);
          Node mse = Losses.get("mse").build(g, y, pred, null);
          return g.add(Losses.get("categorical_crossentropy").build(g, y, pred, null), mse);
        }));
    cases.add(new Case("sigmoid -> binary CE", new int[] {B, IN}, new int[] {B, OUT}, false, MLP,
        (g, p, x, y) -> Losses.get("binary_crossentropy", Map.of("label_smoothing", 0.1))
            .build(g, y, mlp(g, p, x, Activation.GELU, Activation.SIGMOID), null)));
    cases.add(new Case("logits -> binary CE from_logits", new int[] {B, IN}, new int[] {B, OUT},
        false, MLP, (g, p, x, y) -> Losses.get("binary_crossentropy", Map.of("from_logits", true))
            .build(g, y, mlp(g, p, x, Activation.TANH, Activation.LINEAR), null)));
    cases.add(new Case("softmax -> sparse CE from_logits=true (reads the logits)",
        new int[] {B, IN}, new int[] {B}, true, MLP, (g, p, x, y) -> Losses.get(
            "sparse_categorical_crossentropy", Map.of("from_logits", true))
            .build(g, y, mlp(g, p, x, Activation.TANH, Activation.SOFTMAX), null)));
    cases.add(new Case("softmax -> sparse CE, ignore_class 1, label smoothing, sum",
        new int[] {B, IN}, new int[] {B}, true, MLP, (g, p, x, y) -> Losses.get(
            "sparse_categorical_crossentropy", Map.of("ignore_class", 1, "label_smoothing", 0.2,
                "reduction", "sum"))
            .build(g, y, mlp(g, p, x, Activation.RELU, Activation.SOFTMAX), null)));
    cases.add(new Case("logits -> CE over axis 0, mean_with_sample_weight", new int[] {B, IN},
        new int[] {B, OUT}, false, MLP, (g, p, x, y) -> {
          Node w = g.input(OUT); // one weight per value: the values are (OUT) with axis 0
          w.value().copyFrom(new float[] {0.5f, 2f, 1.25f});
          // targets that are distributions over axis 0 (the kernel's gradient, as TensorFlow's,
          // is softmax - target: the loss's gradient only for targets summing to 1)
          Node t = g.input(B, OUT);
          t.value().copyFrom(new float[] {0, 0.25f, 0, 1, 0.25f, 0, 0, 0.25f, 1, 0, 0.25f, 0});
          return Losses.get("categorical_crossentropy", Map.of("from_logits", true, "axis", 0,
              "reduction", "mean_with_sample_weight"))
              .build(g, t, mlp(g, p, x, Activation.TANH, Activation.LINEAR), w);
        }));
    cases.add(new Case("sigmoid -> binary CE from_logits=true, reduction none, summed",
        new int[] {B, IN}, new int[] {B, OUT}, false, MLP, (g, p, x, y) -> g.sum(Losses.get(
            "binary_crossentropy", Map.of("from_logits", true, "reduction", "none"))
            .build(g, y, mlp(g, p, x, Activation.SIGMOID, Activation.SIGMOID), null))));
    cases.add(new Case("mse", new int[] {B, IN}, new int[] {B, OUT}, false, MLP,
        (g, p, x, y) -> Losses.get("mse").build(g, y, mlp(g, p, x, Activation.RELU,
            Activation.LINEAR), null)));
    cases.add(new Case("mae", new int[] {B, IN}, new int[] {B, OUT}, false, MLP,
        (g, p, x, y) -> Losses.get("mae").build(g, y, mlp(g, p, x, Activation.SIGMOID,
            Activation.LINEAR), null)));
    cases.add(new Case("flatten + dropout + sample weights", new int[] {B, 1, IN},
        new int[] {B}, true, MLP, (g, p, x, y) -> {
          Node flat = g.reshape(x, B, IN);
          Node h = g.biasActivation(g.matmul(flat, p.get(0)), p.get(1), Activation.TANH);
          Node d = g.dropout(h, 0.3f, 1);
          Node out = g.biasActivation(g.matmul(d, p.get(2)), p.get(3), Activation.SOFTMAX);
          Node w = g.input(B);
          w.value().copyFrom(new float[] {0.5f, 1f, 2f, 0.25f});
          return Losses.get("sparse_categorical_crossentropy").build(g, y, out, w);
        }));
    cases.add(new Case("custom loss: add/sub/mul/scale/square/abs/log/sum/mean/meanLastAxis",
        new int[] {B, IN}, new int[] {B, OUT}, false, MLP, (g, p, x, y) -> {
          Node pred = mlp(g, p, x, Activation.TANH, Activation.SIGMOID);
          Node err = g.square(g.sub(pred, y));
          Node a = g.mean(err);
          Node b = g.scale(g.sum(g.mul(pred, g.abs(g.sub(y, pred)))), 0.1f);
          Node c = g.mean(g.log(g.add(pred, y), 1e-6f));
          Node d = g.sum(g.meanLastAxis(g.mul(pred, p.get(3))));
          return g.add(g.add(a, b), g.add(c, g.mul(d, g.scale(a, 0.5f))));
        }));
    List<Arguments> args = new ArrayList<>();
    for (String device : new String[] {"java", "cpu", "cuda-emulated"}) {
      for (Case c : cases) {
        args.add(Arguments.of(device, c));
      }
    }
    // the activations Keras files carry, and the ELU and LeakyReLU layers' own parameter (a
    // standalone activation node)
    List<Case> reference = new ArrayList<>();
    for (Activation act : new Activation[] {Activation.ELU, Activation.SELU, Activation.SOFTPLUS,
        Activation.SOFTSIGN, Activation.SWISH, Activation.EXPONENTIAL, Activation.HARD_SIGMOID,
        Activation.RELU6}) {
      reference.add(new Case(act + " -> mse", new int[] {B, IN}, new int[] {B, OUT}, false, MLP,
          (g, p, x, y) -> Losses.get("mse").build(g, y, mlp(g, p, x, act, Activation.LINEAR),
              null)));
      reference.add(new Case(act + " (scaled inputs: both sides of its kinks) -> mse",
          new int[] {B, IN}, new int[] {B, OUT}, false, MLP, (g, p, x, y) -> Losses.get("mse")
              .build(g, y, mlp(g, p, g.scale(x, 3f), act, Activation.TANH), null)));
    }
    for (Activation act : new Activation[] {Activation.ELU, Activation.LEAKY_RELU}) {
      reference.add(new Case(act + " layer, alpha 0.7 -> softmax -> sparse CE",
          new int[] {B, IN}, new int[] {B}, true, MLP, (g, p, x, y) -> {
            Node z = g.biasActivation(g.matmul(x, p.get(0)), p.get(1), Activation.LINEAR);
            Node h = g.activation(z, act, 0.7f);
            Node out = g.biasActivation(g.matmul(h, p.get(2)), p.get(3), Activation.SOFTMAX);
            return Losses.get("sparse_categorical_crossentropy").build(g, y, out, null);
          }));
    }
    for (String device : new String[] {"java", "cpu", "cuda-emulated"}) {
      for (Case c : reference) {
        args.add(Arguments.of(device, c));
      }
    }
    return args.stream();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("cases")
  void gradientsMatchFiniteDifferences(String device, Case c) {
    Backend backend = device.equals("java") ? new JavaBackend()
        : Backends.select(device, 1).backend();
    SplittableRandom rng = new SplittableRandom(c.name.hashCode());
    List<Variable> vars = new ArrayList<>();
    List<Tensor> grads = new ArrayList<>();
    for (int[] s : c.paramShapes) {
      vars.add(Variable.named(backend.device(), "w", TestUtil.random(rng, (int) Tensor.sizeOf(s),
          0.8), s));
      try (Tensor poison = TestUtil.poisoned(s)) {
        grads.add(poison.to(backend.device()));
      }
    }
    try (Graph g = new Graph(backend, true)) {
      g.setSeed(42);
      g.setStep(3);
      Node x = g.input(c.xShape);
      x.value().copyFrom(TestUtil.random(rng, (int) x.size(), 1.5));
      Node y = g.input(c.yShape);
      y.value().copyFrom(labels(rng, c));
      List<Node> params = new ArrayList<>();
      for (int i = 0; i < vars.size(); i++) {
        params.add(g.param(vars.get(i), grads.get(i)));
      }
      Node loss = c.builder.build(g, params, x, y);
      g.forward();
      g.backward(loss);
      for (int i = 0; i < vars.size(); i++) {
        float[] analytic = grads.get(i).toFloatArray();
        Variable v = vars.get(i);
        for (int k = 0; k < v.size(); k++) {
          float orig = v.get(k);
          double h = 1e-3;
          Tensor element = v.view(k, 1);
          element.copyFrom(new float[] {(float) (orig + h)});
          g.forward();
          double plus = loss.value().get(0);
          element.copyFrom(new float[] {(float) (orig - h)});
          g.forward();
          double minus = loss.value().get(0);
          element.copyFrom(new float[] {orig});
          double numeric = (plus - minus) / (2 * h);
          double err = Math.abs(numeric - analytic[k]);
          assertTrue(err <= 2e-3 + 2e-2 * Math.max(Math.abs(numeric), Math.abs(analytic[k])),
              String.format("%s on %s: param %d element %d: analytic %.6g, numeric %.6g",
                  c.name, device, i, k, analytic[k], numeric));
        }
      }
    }
  }

  private static float[] labels(SplittableRandom rng, Case c) {
    int n = (int) Tensor.sizeOf(c.yShape);
    float[] y = new float[n];
    if (c.sparse) {
      for (int i = 0; i < n; i++) {
        y[i] = rng.nextInt(OUT);
      }
      return y;
    }
    for (int r = 0; r < B; r++) { // a one-hot row, or soft targets summing to 1
      boolean soft = rng.nextBoolean();
      int hot = rng.nextInt(OUT);
      double s = 0;
      for (int k = 0; k < OUT; k++) {
        y[r * OUT + k] = soft ? (float) (0.1 + rng.nextDouble()) : (k == hot ? 1f : 0f);
        s += y[r * OUT + k];
      }
      for (int k = 0; k < OUT; k++) {
        y[r * OUT + k] /= (float) s;
      }
    }
    return y;
  }
}

package dev.nabla.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.Tensor;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.layers.Dense;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The activations added for Keras files, against values of Keras 3's formulas
 * (keras/src/activations/activations.py) worked out by hand at x = -4, -1, 0, 1, 4, 7.
 */
class KerasActivationsTest {
  static final float[] X = {-4, -1, 0, 1, 4, 7};

  // elu (alpha 1): x > 0 ? x : exp(x) - 1
  static final double[] ELU = {-0.9816843611, -0.6321205588, 0, 1, 4, 7};
  // selu: 1.05070098 * (x > 0 ? x : 1.67326324 (exp(x) - 1))
  static final double[] SELU = {-1.7258986, -1.1113307, 0, 1.05070098, 4.20280392, 7.35490686};
  // softplus: log(1 + exp(x))
  static final double[] SOFTPLUS = {0.0181499279, 0.3132616875, 0.6931471806, 1.3132616875,
      4.0181499279, 7.0009114664};
  // softsign: x / (1 + |x|)
  static final double[] SOFTSIGN = {-0.8, -0.5, 0, 0.5, 0.8, 0.875};
  // swish / silu: x sigmoid(x)
  static final double[] SWISH = {-0.0719448398, -0.2689414214, 0, 0.7310585786, 3.9280551602,
      6.9936226416};
  // exponential: exp(x)
  static final double[] EXPONENTIAL = {0.0183156389, 0.3678794412, 1, 2.7182818285,
      54.5981500331, 1096.6331584285};
  // hard_sigmoid (Keras 3): relu6(x + 3) / 6
  static final double[] HARD_SIGMOID = {0, 2.0 / 6, 0.5, 4.0 / 6, 1, 1};
  // relu6: min(max(x, 0), 6)
  static final double[] RELU6 = {0, 0, 0, 1, 4, 6};

  @ParameterizedTest
  @ValueSource(strings = {"java", "cpu", "cuda-emulated"})
  void valuesFollowKerasFormulas(String device) {
    Backend b = device.equals("java") ? new JavaBackend() : Backends.select(device, 1).backend();
    check(b, Activation.ELU, 1f, ELU);
    check(b, Activation.SELU, 0f, SELU);
    check(b, Activation.SOFTPLUS, 0f, SOFTPLUS);
    check(b, Activation.SOFTSIGN, 0f, SOFTSIGN);
    check(b, Activation.SWISH, 0f, SWISH);
    check(b, Activation.EXPONENTIAL, 0f, EXPONENTIAL);
    check(b, Activation.HARD_SIGMOID, 0f, HARD_SIGMOID);
    check(b, Activation.RELU6, 0f, RELU6);
    // the ELU layer's own alpha: 0.5 (exp(-1) - 1)
    check(b, Activation.ELU, 0.5f, new double[] {-0.4908421806, -0.3160602794, 0, 1, 4, 7});
    assertEquals(Activation.SWISH, Activation.get("silu"));
    assertEquals(Activation.HARD_SIGMOID, Activation.get("hard_sigmoid"));
  }

  /**
   * Through a model, where a Dense layer's activation runs fused into its matmul on CUDA:
   * Dense(6, act) with an identity kernel and zero bias gives act(x) (elu's alpha 1 there).
   */
  @ParameterizedTest
  @ValueSource(strings = {"java", "cpu", "cuda-emulated"})
  void denseLayersApplyThemWithKerasDefaults(String device) {
    Map<String, double[]> cases = Map.of("elu", ELU, "selu", SELU, "softplus", SOFTPLUS,
        "softsign", SOFTSIGN, "silu", SWISH, "exponential", EXPONENTIAL, "hard_sigmoid",
        HARD_SIGMOID, "relu6", RELU6);
    float[] identity = new float[36];
    for (int i = 0; i < 6; i++) {
      identity[i * 7] = 1f;
    }
    for (Map.Entry<String, double[]> c : cases.entrySet()) {
      try (Sequential m = new Sequential(new Dense(6, c.getKey()))) {
        m.setBackend(device.equals("java") ? new JavaBackend()
            : Backends.select(device, 1).backend());
        m.build(6);
        m.weights().get(0).copyFrom(identity);
        try (Tensor x = Tensor.of(X, 1, 6); Tensor y = m.predict(x)) {
          float[] got = y.toFloatArray();
          for (int i = 0; i < X.length; i++) {
            assertEquals(c.getValue()[i], got[i], 1e-6 * Math.max(1, Math.abs(c.getValue()[i])),
                c.getKey() + " on " + device + " at " + X[i]);
          }
        }
      }
    }
  }

  private static void check(Backend b, Activation act, float alpha, double[] expected) {
    try (Tensor x = Tensor.of(X, 1, X.length).to(b.device());
        Tensor z = b.zeros(1, X.length); Tensor y = b.zeros(1, X.length)) {
      b.biasActForward(x, null, z, y, 1, X.length, act, alpha);
      float[] got = y.toFloatArray();
      for (int i = 0; i < X.length; i++) {
        assertEquals(expected[i], got[i], 1e-6 * Math.max(1, Math.abs(expected[i])),
            act + " at " + X[i]);
      }
    }
  }
}

package dev.nabla.backend;

import static dev.nabla.TestUtil.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nabla.Tensor;
import dev.nabla.TestUtil;
import dev.nabla.backend.jni.NablaCpu;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Flush-to-zero: no backend stores a subnormal float (issue 15: Adam's first moment decays by
 * beta_1 per step where a gradient stays zero, turns subnormal after ~830 steps, and Intel cores
 * then take a slow path on every such operand). The native kernels set MXCSR's FTZ and DAZ bits
 * for the duration of each call (native/include/nabla/flush_denormals.h), the CUDA kernels are
 * built with -ftz=true and the emulator runs a grid with the bits set, and the Java reference
 * flushes as they do ({@link JavaBackend#flush}). And the bits must not leak: Java's own float
 * arithmetic keeps IEEE subnormals after any native call.
 */
class FlushDenormalsTest {
  private static final String[] BACKENDS = {"java", "cpu", "cuda-emulated"};
  /** Read through a volatile field so neither javac nor the JIT can fold the division. */
  private static volatile float probe = Float.MIN_NORMAL;

  @BeforeAll
  static void load() {
    assertEquals("", Backends.probeCpu(), "the CPU backend must load in the test suite");
    assertEquals("", Backends.probeEmulator(), "the CUDA emulator must load in the test suite");
  }

  private static Backend backend(String name) {
    return Backends.select(name, 1).backend();
  }

  private static boolean subnormal(float x) {
    return x != 0f && Math.abs(x) < Float.MIN_NORMAL;
  }

  private static void assertNoSubnormal(float[] values, String what) {
    for (int i = 0; i < values.length; i++) {
      if (subnormal(values[i])) {
        fail(what + ": element " + i + " is subnormal (" + values[i] + ")");
      }
    }
  }

  /** MIN_NORMAL / 4 = 2^-128 is subnormal: zero if the caller's MXCSR kept FTZ set. */
  private static void assertJavaKeepsSubnormals(String after) {
    assertEquals(0x1p-128f, probe / 4f, "Java's float division right after " + after
        + " (MXCSR's FTZ bit must be restored on return from the native call)");
  }

  @Test
  void javaKeepsItsSubnormalsAfterEveryNativeEntryPoint() {
    assertJavaKeepsSubnormals("nothing (the JVM's own MXCSR)");
    Backend cpu = backend("cpu");
    SplittableRandom rng = new SplittableRandom(3);
    int rows = 4, cols = 9, n = rows * cols;
    Tensor x = TestUtil.randomTensor(rng, 1, rows, cols), b = TestUtil.randomTensor(rng, 1, cols);
    Tensor z = Tensor.zeros(rows, cols), y = Tensor.zeros(rows, cols);
    Tensor dz = Tensor.zeros(rows, cols);
    Tensor db = Tensor.zeros(cols), rowLoss = Tensor.zeros(rows);
    cpu.biasActForward(x, b, z, y, rows, cols, Activation.RELU, 0f);
    assertJavaKeepsSubnormals("nabla_bias_act_forward");
    cpu.actBackward(z, y, x, dz, rows, cols, Activation.RELU, 0f);
    assertJavaKeepsSubnormals("nabla_act_backward");
    cpu.biasGrad(dz, db, rows, cols);
    assertJavaKeepsSubnormals("nabla_bias_grad");
    Tensor labels = Tensor.of(TestUtil.classIndices(rng, rows, cols), rows);
    cpu.softmaxXent(x, labels, rowLoss, dz, rows, cols, true, true, 0f, 1f, new long[1]);
    assertJavaKeepsSubnormals("nabla_softmax_xent");
    cpu.dropout(x, y, n, 5, 1, 0, 0.5f);
    assertJavaKeepsSubnormals("nabla_dropout");
    NablaCpu.nabla_dropout_range(x.pointer(), y.pointer(), 4, n, 5, 1, 0, 1 << 23, 2f);
    assertJavaKeepsSubnormals("nabla_dropout_range");
    try (IntPointer c = new IntPointer(1, 2, 3, 4); IntPointer k = new IntPointer(5, 6);
        IntPointer out = new IntPointer(4); LongPointer keys = new LongPointer(8)) {
      NablaCpu.nabla_philox4x32_10(c, k, out);
      assertJavaKeepsSubnormals("nabla_philox4x32_10");
      NablaCpu.nabla_shuffle_keys(7, 0, 8, keys);
      assertJavaKeepsSubnormals("nabla_shuffle_keys");
    }
    Segments seg = new Segments(new long[] {n});
    Tensor w = TestUtil.randomTensor(rng, 1, n), m = Tensor.zeros(n), v = Tensor.zeros(n);
    cpu.optimizerStep(OptimizerRule.ADAM, new float[] {0.001f, 0.9f, 0.999f, 1e-7f, 0f}, w, x,
        m, v, null, seg, 0f, 0f);
    assertJavaKeepsSubnormals("nabla_optimizer_step");
    cpu.segmentSumSquares(w, seg, new double[1]);
    assertJavaKeepsSubnormals("nabla_segment_sum_squares");
    cpu.axpy(w, x, 0.5f, n);
    assertJavaKeepsSubnormals("nabla_axpy");
    cpu.emaUpdate(m, w, 0.99f, n);
    assertJavaKeepsSubnormals("nabla_ema_update");
    // the emulator: a kernel launch runs its fibers with the bits set (emu_runtime.cpp)
    Backend emu = backend("cuda-emulated");
    try (Tensor ew = Tensor.of(emu.device(), w.toFloatArray(), n);
        Tensor eg = Tensor.of(emu.device(), x.toFloatArray(), n);
        Tensor em = emu.zeros(n); Tensor ev = emu.zeros(n)) {
      emu.optimizerStep(OptimizerRule.ADAM, new float[] {0.001f, 0.9f, 0.999f, 1e-7f, 0f}, ew,
          eg, em, ev, null, seg, 0f, 0f);
      assertJavaKeepsSubnormals("an emulated CUDA kernel (the optimizer step)");
    }
  }

  /**
   * x + bias where both are normal and the sum is not: 1.5 * MIN_NORMAL - MIN_NORMAL = 2^-127.
   * Stored as a zero of the sum's sign (FTZ keeps the sign), in z and, linear, in y.
   */
  @ParameterizedTest
  @ValueSource(strings = {"java", "cpu", "cuda-emulated"})
  void aBiasAddWhoseSumIsSubnormalStoresSignedZero(String name) {
    Backend be = backend(name);
    float mn = Float.MIN_NORMAL;
    try (Tensor x = Tensor.of(be.device(), new float[] {1.5f * mn, -1.5f * mn, 3f}, 1, 3);
        Tensor bias = Tensor.of(be.device(), new float[] {-mn, mn, 1f}, 3);
        Tensor z = be.zeros(1, 3); Tensor y = be.zeros(1, 3)) {
      be.biasActForward(x, bias, z, y, 1, 3, Activation.LINEAR, 0f);
      for (Tensor t : new Tensor[] {z, y}) {
        float[] v = t.toFloatArray();
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(v[0]), name + " +0");
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(v[1]), name + " -0");
        assertEquals(4f, v[2], name + " a normal sum");
      }
    }
  }

  /** avg = 0.25 * (3 * MIN_NORMAL) + 0.75 * 0 = 0.75 * MIN_NORMAL: subnormal, so zero. */
  @ParameterizedTest
  @ValueSource(strings = {"java", "cpu", "cuda-emulated"})
  void anEmaUpdateWhoseResultIsSubnormalStoresZero(String name) {
    Backend be = backend(name);
    try (Tensor avg = Tensor.of(be.device(), new float[] {3 * Float.MIN_NORMAL, 8f}, 2);
        Tensor w = Tensor.of(be.device(), new float[] {0f, 0f}, 2)) {
      be.emaUpdate(avg, w, 0.25f, 2);
      float[] v = avg.toFloatArray();
      assertEquals(0f, v[0], name);
      assertEquals(2f, v[1], name);
    }
  }

  /**
   * The other fused ops, each with normal inputs and a subnormal exact result (MIN_NORMAL / 2 or
   * 3/4 of it), stored as zero; a normal result beside it is kept.
   */
  @ParameterizedTest
  @ValueSource(strings = {"java", "cpu", "cuda-emulated"})
  void theOtherFusedOpsStoreZeroForASubnormalResult(String name) {
    Backend be = backend(name);
    float mn = Float.MIN_NORMAL;
    // leaky ReLU backward: dy * alpha where z < 0
    try (Tensor z = Tensor.of(be.device(), new float[] {-1f, 1f}, 1, 2);
        Tensor y = Tensor.of(be.device(), new float[] {-0.25f, 1f}, 1, 2);
        Tensor dy = Tensor.of(be.device(), new float[] {2 * mn, 2 * mn}, 1, 2);
        Tensor dz = be.zeros(1, 2)) {
      be.actBackward(z, y, dy, dz, 1, 2, Activation.LEAKY_RELU, 0.25f);
      float[] v = dz.toFloatArray();
      assertEquals(0f, v[0], name + " leaky ReLU backward, 2 MIN_NORMAL * 0.25");
      assertEquals(2 * mn, v[1], name + " leaky ReLU backward where z > 0");
    }
    // bias gradient: a column sum of 1.5 MIN_NORMAL and -MIN_NORMAL
    try (Tensor dz = Tensor.of(be.device(), new float[] {1.5f * mn, 1f, -mn, 2f}, 2, 2);
        Tensor db = be.zeros(2)) {
      be.biasGrad(dz, db, 2, 2);
      float[] v = db.toFloatArray();
      assertEquals(0f, v[0], name + " bias gradient");
      assertEquals(3f, v[1], name + " bias gradient, a normal column");
    }
    // softmax cross-entropy's gradient scaled by 1.5 MIN_NORMAL: (0.5 - 1) and 0.5 times it
    try (Tensor logits = Tensor.of(be.device(), new float[] {0f, 0f}, 1, 2);
        Tensor label = Tensor.of(be.device(), new float[] {0f}, 1);
        Tensor loss = be.zeros(1); Tensor grad = be.zeros(1, 2)) {
      be.softmaxXent(logits, label, loss, grad, 1, 2, true, true, 0f, 1.5f * mn, null);
      float[] v = grad.toFloatArray();
      assertEquals(-0f, v[0], name + " cross-entropy gradient, class 0 (zero of its sign)");
      assertEquals(0f, v[1], name + " cross-entropy gradient, class 1");
      assertEquals(Math.log(2), loss.toFloatArray()[0], 1e-6, name + " the loss itself");
    }
    // axpy: 3 MIN_NORMAL + 2.5 MIN_NORMAL * -1
    try (Tensor yy = Tensor.of(be.device(), new float[] {3 * mn, 1f}, 2);
        Tensor x = Tensor.of(be.device(), new float[] {-1f, 1f}, 2)) {
      be.axpy(yy, x, 2.5f * mn, 2);
      float[] v = yy.toFloatArray();
      assertEquals(0f, v[0], name + " axpy");
      assertEquals(1f, v[1], name + " axpy, a normal sum");
    }
  }

  static Stream<Arguments> decayingRules() {
    List<Arguments> cases = new ArrayList<>();
    for (String name : BACKENDS) {
      for (OptimizerRule rule : new OptimizerRule[] {OptimizerRule.SGD, OptimizerRule.RMSPROP,
          OptimizerRule.ADAM, OptimizerRule.ADAMAX, OptimizerRule.NADAM, OptimizerRule.LION,
          OptimizerRule.ADADELTA, OptimizerRule.LAMB}) {
        cases.add(Arguments.of(name, rule));
      }
    }
    return cases.stream();
  }

  /**
   * Hyperparameters in nabla_optimizer_step's layout, each slot decaying by 0.9 per step under a
   * zero gradient (0.95 for Adadelta's): beta_2 = 0.9 instead of the default 0.999 only so that
   * the test needs hundreds of steps, not thousands. Momentum and centering on, so every slot of
   * SGD and RMSprop is in play.
   */
  private static float[] hyper(OptimizerRule rule) {
    switch (rule) {
      case SGD: return new float[] {0.01f, 0.9f, 0f};
      case RMSPROP: return new float[] {0.001f, 0.9f, 0.9f, 1e-7f, 1f};
      case ADAM: return new float[] {0.001f, 0.9f, 0.9f, 1e-7f, 0f};
      case ADAMAX: return new float[] {0.002f, 0.9f, 0.9f, 1e-7f, 0.19f};
      case NADAM: return new float[] {0.002f, 0.9f, 0.9f, 1e-7f, 0.46f, 0.8f, 0.55f, 0.6f, 0.002f};
      case LION: return new float[] {0.001f, 0.9f, 0.9f};
      case ADADELTA: return new float[] {1f, 0.95f, 1e-6f};
      case LAMB: return new float[] {0.01f, 0.9f, 0.9f, 1e-7f, 0.19f, 0.002f};
      default: throw new IllegalArgumentException(rule.toString());
    }
  }

  /**
   * Slots start small but normal (1e-35 to 1e-34 in magnitude, both signs where a slot may be
   * negative), the gradient stays zero, and decoupled weight decay shrinks a tiny half of the
   * weights by 0.9 per step too. Without flushing, the slots pass through the subnormal range
   * from step ~65 (0.9^k * 1e-35 < MIN_NORMAL = 1.18e-38 from k = 65; k = 86 for 1e-34) until
   * step ~240 and later (Adadelta's 0.95: from step ~177). After every one of 220 steps, no
   * weight or slot may be subnormal; at the end the backend must still agree
   * with the Java reference, the tiny slot values included (so the flushing is the same, not just
   * both-free-of-subnormals: Lamb's trust ratio and Lion's sign turn a slot that is zero on one
   * backend and 1e-37 on the other into a full-size update).
   */
  private static final int STEPS = 220;

  @ParameterizedTest
  @MethodSource("decayingRules")
  void slotsDecayingUnderAZeroGradientNeverTurnSubnormal(String name, OptimizerRule rule) {
    Backend be = backend(name), ref = new JavaBackend();
    int n = 203; // a vector body and a scalar tail on the CPU
    long[] ends = {100, n};
    SplittableRandom rng = new SplittableRandom(41 + rule.ordinal());
    float[][] init = new float[4][n];
    for (int i = 0; i < n; i++) {
      // weights: segment 0 ordinary, segment 1 tiny (and decayed by 0.9 per step)
      init[0][i] = (float) (i < ends[0] ? rng.nextDouble(-1, 1) : rng.nextDouble(-2e-34, 2e-34));
      for (int k = 1; k < 4; k++) {
        double mag = 1e-34 * (0.1 + 0.9 * rng.nextDouble());
        boolean signed = rule == OptimizerRule.SGD || rule == OptimizerRule.LION
            || k == 1 && (rule == OptimizerRule.ADAM || rule == OptimizerRule.ADAMAX
                || rule == OptimizerRule.NADAM || rule == OptimizerRule.LAMB)
            || rule == OptimizerRule.RMSPROP && k != 1;
        init[k][i] = (float) (signed && rng.nextBoolean() ? -mag : mag);
      }
      if (rule == OptimizerRule.RMSPROP) { // centered: velocity >= mean^2 (both tiny: holds)
        init[1][i] = Math.abs(init[1][i]) + 1e-34f;
      }
    }
    Segments segRef = new Segments(ends), seg = new Segments(ends);
    segRef.wd[1] = seg.wd[1] = 0.1f;
    float[] hp = hyper(rule);
    Tensor[] r = new Tensor[4], t = new Tensor[4];
    try (Tensor zeroRef = Tensor.zeros(n); Tensor zero = be.zeros(n)) {
      for (int k = 0; k < 4; k++) {
        r[k] = Tensor.of(init[k], n);
        t[k] = Tensor.of(be.device(), init[k], n);
      }
      for (int step = 1; step <= STEPS; step++) {
        ref.optimizerStep(rule, hp, r[0], zeroRef, r[1], r[2], r[3], segRef, 1f, 0f);
        be.optimizerStep(rule, hp, t[0], zero, t[1], t[2], t[3], seg, 1f, 0f);
        for (int k = 0; k < 4; k++) {
          assertNoSubnormal(t[k].toFloatArray(), name + " " + rule + " step " + step
              + (k == 0 ? " weights" : " slot " + (k - 1)));
        }
      }
      for (int k = 0; k < 4; k++) {
        String what = name + " " + rule + " after " + STEPS + " steps, "
            + (k == 0 ? "weights" : "slot " + (k - 1));
        float[] want = r[k].toFloatArray(), got = t[k].toFloatArray();
        assertClose(want, got, 2e-5, 1e-6, what); // as CpuKernelsTest compares the rules
        assertClose(want, got, 1e-5, 0, what + " (tiny values too)");
      }
      boolean decayed = false;
      for (float v : t[1].toFloatArray()) {
        decayed |= Math.abs(v) < 1e-36f;
      }
      assertTrue(decayed, name + " " + rule + ": the first slot decayed below 1e-36 (the test "
          + "reached the range where subnormals would appear)");
    } finally {
      for (int k = 0; k < 4; k++) {
        if (r[k] != null) r[k].close();
        if (t[k] != null) t[k].close();
      }
    }
  }
}

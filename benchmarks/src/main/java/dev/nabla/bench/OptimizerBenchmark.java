package dev.nabla.bench;

import dev.nabla.Tensor;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.backend.OptimizerRule;
import dev.nabla.backend.Segments;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Pointer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fused optimizer step over n flat parameters on the CPU backend, one call per op, and a
 * plain memory copy of the same size as the bandwidth ceiling. Bytes per element moved by a step:
 * read w, g and the slots, write w and the slots: 4 (3 + 2 slots); Lamb reads its moments twice.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class OptimizerBenchmark {
  @Param({"1000000", "10000000"})
  public int n;

  @Param({"SGD", "RMSPROP", "ADAGRAD", "ADADELTA", "ADAM", "ADAMAX", "NADAM", "FTRL", "LION",
      "LAMB"})
  public String rule;

  Backend cpu;
  Tensor w, g, s0, s1, s2, copyDst;
  Segments segments;
  float[] hp;
  OptimizerRule r;

  @Setup(Level.Trial)
  public void setup() {
    cpu = Backends.select("cpu", 1).backend();
    SplittableRandom rng = new SplittableRandom(1);
    w = filled(rng, 1);
    g = filled(rng, 1);
    s0 = filled(rng, 0.1);
    s1 = filled(rng, 0.1);
    s2 = filled(rng, 0.01);
    copyDst = Tensor.zeros(n);
    segments = new Segments(new long[] {n / 2, n});
    r = OptimizerRule.valueOf(rule);
    hp = hyper(r);
  }

  private Tensor filled(SplittableRandom rng, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (Math.abs(rng.nextDouble()) * scale + 1e-3);
    }
    return Tensor.of(v, n);
  }

  /** Realistic hyperparameters (momentum on, one slot per state the rule keeps). */
  static float[] hyper(OptimizerRule r) {
    switch (r) {
      case SGD: return new float[] {0.01f, 0.9f, 0f};
      case RMSPROP: return new float[] {0.001f, 0.9f, 0f, 1e-7f, 0f};
      case ADAGRAD: return new float[] {0.001f, 1e-7f};
      case ADADELTA: return new float[] {0.001f, 0.95f, 1e-7f};
      case ADAM: return new float[] {1e-3f, 0.9f, 0.999f, 1e-7f, 0f};
      case ADAMAX: return new float[] {1e-3f, 0.9f, 0.999f, 1e-7f, 0.1f};
      case NADAM: return new float[] {1e-3f, 0.9f, 0.999f, 1e-7f, 0.46f, 0.8f, 0.55f, 0.6f, 0.002f};
      case FTRL: return new float[] {1e-3f, -0.5f, 0f, 0f, 0f};
      case LION: return new float[] {1e-3f, 0.9f, 0.99f};
      case LAMB: return new float[] {1e-3f, 0.9f, 0.999f, 1e-7f, 0.1f, 0.001f};
      default: throw new IllegalArgumentException(r.toString());
    }
  }

  /** Slots the configuration above uses. */
  static int slots(OptimizerRule r) {
    switch (r) {
      case SGD: case RMSPROP: case ADAGRAD: case LION: return 1;
      default: return 2;
    }
  }

  /** Bytes moved per parameter by one step. */
  static int bytesPerElement(OptimizerRule r) {
    return r == OptimizerRule.LAMB ? 40 : 4 * (3 + 2 * slots(r));
  }

  @Benchmark
  public void step() {
    cpu.optimizerStep(r, hp, w, g, s0, s1, s2, segments, 1e-3f, 0f);
  }

  /** The ceiling: copying n floats reads 4n and writes 4n bytes. Same for every rule. */
  @Benchmark
  public void copy() {
    Pointer.memcpy(copyDst.pointer(), w.pointer(), 4L * n);
  }

  @TearDown(Level.Trial)
  public void close() {
    for (Tensor t : new Tensor[] {w, g, s0, s1, s2, copyDst}) {
      t.close();
    }
  }
}

package dev.nabla.bench;

import dev.nabla.Tensor;
import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU kernels at the seed network's shapes, one call per op: the three sgemms of a training
 * step (forward x W1, the weight gradient x^T dZ, and the small second layer), the fused
 * bias+ReLU, dropout (forward; backward is the same call), softmax cross-entropy, ReLU backward.
 * Batch 32 and 128; the CPU backend's threads as the "threads" parameter (random inputs: the
 * sgemm's sparse walk does not engage; benchmarks/gemm/run.sh times it on MNIST rows).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class KernelBenchmark {
  @Param({"32", "128"})
  public int batch;

  @Param({"1"})
  public int threads;

  Backend cpu;
  Tensor x, w1, z1, h1, d1, w2, z2, p2, labels, rowLoss, grad2, b1, dz1, dw1;

  @Setup(Level.Trial)
  public void setup() {
    cpu = Backends.select("cpu", threads).backend();
    SplittableRandom r = new SplittableRandom(3);
    x = rand(r, batch, 784);
    w1 = rand(r, 784, 128);
    b1 = rand(r, 128);
    z1 = Tensor.zeros(batch, 128);
    h1 = Tensor.zeros(batch, 128);
    d1 = Tensor.zeros(batch, 128);
    dz1 = rand(r, batch, 128);
    dw1 = Tensor.zeros(784, 128);
    w2 = rand(r, 128, 10);
    z2 = rand(r, batch, 10);
    p2 = Tensor.zeros(batch, 10);
    float[] y = new float[batch];
    for (int i = 0; i < batch; i++) {
      y[i] = r.nextInt(10);
    }
    labels = Tensor.of(y, batch);
    rowLoss = Tensor.zeros(batch);
    grad2 = Tensor.zeros(batch, 10);
  }

  static Tensor rand(SplittableRandom r, int... shape) {
    float[] v = new float[(int) Tensor.sizeOf(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextDouble() - 0.5);
    }
    return Tensor.of(v, shape);
  }

  /** (batch, 784) x (784, 128): 2 * batch * 784 * 128 flops. */
  @Benchmark
  public void sgemmForward() {
    cpu.gemm(false, false, batch, 128, 784, 1f, x, w1, 0f, z1);
  }

  /** dW1 = x^T dZ: (784, batch) x (batch, 128), same flops. */
  @Benchmark
  public void sgemmWeightGradient() {
    cpu.gemm(true, false, 784, 128, batch, 1f, x, dz1, 0f, dw1);
  }

  @Benchmark
  public void sgemmSecondLayer() {
    cpu.gemm(false, false, batch, 10, 128, 1f, h1, w2, 0f, z2);
  }

  @Benchmark
  public void biasRelu() {
    cpu.biasActForward(z1, b1, z1, h1, batch, 128, Activation.RELU, 0f);
  }

  @Benchmark
  public void reluBackward() {
    cpu.actBackward(z1, h1, dz1, d1, batch, 128, Activation.RELU, 0f);
  }

  @Benchmark
  public void dropout() {
    cpu.dropout(h1, d1, (long) batch * 128, 7, 11, 2, 0.2f);
  }

  @Benchmark
  public double softmaxCrossEntropy() {
    return cpu.softmaxXent(z2, labels, rowLoss, grad2, batch, 10, true, true, 0f, 1f, null);
  }
}

package dev.nabla.bench;

import dev.nabla.Tensor;
import dev.nabla.backend.Backends;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Dropout;
import dev.nabla.nn.layers.Flatten;
import java.util.Map;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** One whole training step of the seed network (adam) on the CPU backend: trainOnBatch. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class TrainStepBenchmark {
  @Param({"32", "128"})
  public int batch;

  @Param({"1"})
  public int threads;

  Sequential model;
  Tensor x, y;

  @Setup(Level.Trial)
  public void setup() {
    model = new Sequential(new Flatten(28, 28), new Dense(128, "relu"), new Dropout(0.2),
        new Dense(10, "softmax")).setSeed(1);
    model.setBackend(Backends.select("cpu", threads).backend());
    model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
    SplittableRandom r = new SplittableRandom(2);
    float[] xs = new float[batch * 784];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = (float) r.nextDouble();
    }
    float[] ys = new float[batch];
    for (int i = 0; i < batch; i++) {
      ys[i] = r.nextInt(10);
    }
    x = Tensor.of(xs, batch, 28, 28);
    y = Tensor.of(ys, batch);
  }

  @Benchmark
  public Map<String, Float> step() {
    return model.trainOnBatch(x, y);
  }

  @TearDown(Level.Trial)
  public void close() {
    model.close();
    x.close();
    y.close();
  }
}

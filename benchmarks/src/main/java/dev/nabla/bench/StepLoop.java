package dev.nabla.bench;

import dev.nabla.Tensor;
import dev.nabla.Variable;
import dev.nabla.backend.Backends;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Dropout;
import dev.nabla.nn.layers.Flatten;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Plain timing loops of the seed network's training step (trainOnBatch) on the CPU backend,
 * outside JMH (whose forks kept helper threads of earlier trials around): per JVM, 5 blocks of
 * 1,000 steps after one of warm-up, printed sorted, so a run's spread shows. Modes:
 *
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar dev.nabla.bench.StepLoop step BATCH THREADS
 *   java -cp benchmarks/target/benchmarks.jar dev.nabla.bench.StepLoop step+adam BATCH THREADS
 *   java -cp benchmarks/target/benchmarks.jar dev.nabla.bench.StepLoop adam 0 THREADS
 * </pre>
 * "step+adam" adds one more optimizer step after each training step: the difference to "step"
 * is what Adam costs inside a step (its 2.85 MB no longer in cache); "adam" times it alone.
 */
public final class StepLoop {
  private StepLoop() {}

  public static void main(String[] args) {
    String mode = args.length > 0 ? args[0] : "step";
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    if (!List.of("step", "step+adam", "adam").contains(mode) || threads < 1
        || !mode.equals("adam") && batch < 1) {
      System.err.println("usage: StepLoop step|step+adam|adam BATCH THREADS");
      System.exit(2);
    }
    try (Sequential model = new Sequential(new Flatten(28, 28), new Dense(128, "relu"),
        new Dropout(0.2), new Dense(10, "softmax")).setSeed(1)) {
      model.setBackend(Backends.select("cpu", threads).backend());
      model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
      model.build(28, 28);
      int rows = Math.max(batch, 1);
      SplittableRandom r = new SplittableRandom(2);
      float[] xs = new float[rows * 784];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = (float) r.nextDouble();
      }
      float[] ys = new float[rows];
      for (int i = 0; i < rows; i++) {
        ys[i] = r.nextInt(10);
      }
      try (Tensor x = Tensor.of(xs, rows, 28, 28); Tensor y = Tensor.of(ys, rows)) {
        Variable p = model.flatParameters();
        Tensor g = model.flatGradients();
        List<Variable> w = model.weights();
        if (mode.equals("adam")) {
          float[] gv = new float[Math.toIntExact(g.size())];
          Arrays.fill(gv, 1e-3f);
          g.copyFrom(gv);
        }
        double[] us = new double[6];
        for (int block = 0; block < us.length; block++) {
          long t0 = System.nanoTime();
          for (int i = 0; i < 1000; i++) {
            if (!mode.equals("adam")) {
              model.trainOnBatch(x, y);
            }
            if (!mode.equals("step")) {
              model.optimizer().applyFlat(p, w, g);
            }
          }
          us[block] = (System.nanoTime() - t0) / 1e6;
        }
        double[] timed = Arrays.copyOfRange(us, 1, us.length); // block 0 is warm-up
        Arrays.sort(timed);
        StringBuilder sb = new StringBuilder();
        for (double t : timed) {
          sb.append(String.format(Locale.ROOT, " %.1f", t));
        }
        System.out.printf(Locale.ROOT, "%s batch %d threads %d: us per step (5 x 1000, sorted):%s;"
            + " median %.1f%n", mode, batch, threads, sb, timed[2]);
      }
    }
  }
}

package dev.nabla.cli;

import dev.nabla.Tensor;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.callbacks.Callback;
import dev.nabla.callbacks.History;
import dev.nabla.data.Dataset;
import dev.nabla.nn.FitOptions;
import dev.nabla.nn.Sequential;
import dev.nabla.optimizers.Optimizers;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The lecture's point made visible: the seed network trained with every optimizer at Keras's
 * default hyperparameters, same data, seed and batches; a Markdown table of test accuracy and
 * final loss, and one PNG chart of all training-loss curves.
 */
@Command(name = "compare-optimizers", mixinStandardHelpOptions = true,
    description = "Train the MNIST network with every optimizer; write a table and a loss chart.")
final class CompareCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--epochs", defaultValue = "5", description = "default: ${DEFAULT-VALUE}")
  int epochs;

  @Option(names = "--batch-size", defaultValue = "32", description = "default: ${DEFAULT-VALUE}")
  int batchSize;

  @Option(names = "--seed", defaultValue = "1", description = "default: ${DEFAULT-VALUE}")
  long seed;

  @Option(names = "--dataset", defaultValue = "mnist", description = "mnist or fashion-mnist")
  String dataset;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "folder holding the IDX files")
  Path dataDir;

  @Option(names = "--threads", defaultValue = "1", description = "CPU threads per training run")
  int threads;

  @Option(names = "--optimizers", split = ",", description = "subset to run, e.g. adam,sgd,gd "
      + "(default: every optimizer and gd)")
  List<String> only;

  @Option(names = "--out", paramLabel = "DIR", description = "folder for optimizers.md and optimizers.png "
      + "(default: a new folder optimizers-YYYYMMDD-HHMMSS in the current folder)")
  Path out;

  /** Points per epoch on the loss curves (windowed means of the batch losses). */
  private static final int POINTS_PER_EPOCH = 20;

  @Override
  public Integer call() throws IOException {
    if (epochs < 1 || batchSize < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--epochs and --batch-size must be >= 1");
    }
    List<String> names = new ArrayList<>();
    if (only == null) {
      Optimizers.NAMES.forEach(n -> names.add(n.toLowerCase(Locale.ROOT)));
      names.add("gd");
    } else {
      for (String n : only) {
        if (!n.equalsIgnoreCase("gd")) {
          Optimizers.get(n).close(); // unknown names fail before any training
        }
        names.add(n.toLowerCase(Locale.ROOT));
      }
    }
    PrintStream console = System.out;
    if (out == null) { // never over files the user has (the repository's docs/ among them)
      out = Path.of("optimizers-" + java.time.LocalDateTime.now().format(
          java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }
    for (String file : new String[] {"optimizers.md", "optimizers.png"}) {
      try {
        dev.nabla.io.AtomicFiles.checkWritable(out.resolve(file));
      } catch (IOException e) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--out " + out
            + ": " + e.getMessage());
      }
    }
    Backend backend = Backends.select(Backends.defaultDeviceName(), threads).backend();
    Dataset data = Dataset.load(dataset, dataDir);
    String epochWord = epochs == 1 ? "1 epoch" : epochs + " epochs";
    console.printf(Locale.ROOT, "Comparing %d optimizers on %s: the seed network, %s, batch %d, "
        + "seed %d, device %s; writing to %s%n", names.size(), data.name, epochWord, batchSize,
        seed, backend.name(), out);
    Map<String, List<double[]>> curves = new LinkedHashMap<>();
    StringBuilder table = new StringBuilder();
    table.append("| optimizer | test accuracy | test loss | last epoch's mean training loss "
        + "| s/epoch |\n")
        .append("|---|---|---|---|---|\n");
    try (Tensor xTrain = data.imageTensor(true);
        Tensor yTrain = Tensor.of(data.yTrain, data.nTrain());
        Tensor xTest = data.imageTensor(false);
        Tensor yTest = Tensor.of(data.yTest, data.nTest())) {
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        console.printf(Locale.ROOT, "[%d/%d] %s...%n", i + 1, names.size(), name);
        boolean gd = name.equals("gd");
        int batch = gd ? data.nTrain() : batchSize;
        try (Sequential model = TrainCommand.seedNetwork(data, 128, 0.2)) {
          model.setSeed(seed).setBackend(backend).setOutput(nullStream());
          model.compile(Optimizers.get(gd ? "sgd" : name), dev.nabla.losses.Losses.get(
              "sparse_categorical_crossentropy"), "accuracy");
          int steps = (data.nTrain() + batch - 1) / batch;
          LossCurve curve = new LossCurve(steps);
          History h = model.fit(xTrain, yTrain, new FitOptions().epochs(epochs).batchSize(batch)
              .verbose(0).callbacks(curve));
          Map<String, Float> test = model.evaluate(xTest, yTest, 256, 0);
          List<Float> loss = h.get("loss");
          double secs = h.epochSeconds().stream().mapToDouble(Double::doubleValue).average()
              .orElse(0);
          String label = gd ? "gd (sgd, full batch)" : name;
          curves.put(label, curve.points);
          String row = String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.2f |%n", label,
              test.get("accuracy"), test.get("loss"), loss.get(loss.size() - 1), secs);
          table.append(row);
          console.print(row);
        }
      }
    }
    String header = String.format(Locale.ROOT, "Seed network on %s, %s, batch %d (gd: "
        + "the whole training set), Keras's default hyperparameters, seed %d, device %s.%n"
        + "Command: `%s`%n%n", data.name, epochWord, batchSize, seed, backend.name(),
        commandLine(backend));
    Path md = out.resolve("optimizers.md");
    TrainCommand.writeAtomically(md, "# Optimizers compared\n\n" + header + table
        + "\n![training loss of every optimizer](optimizers.png)\n");
    LossChart.write(out.resolve("optimizers.png"), "Training loss on " + data.name
        + " (batch " + batchSize + ", Keras defaults)", "epoch", "training loss (log scale)",
        curves, true);
    console.println("wrote " + md + " and " + out.resolve("optimizers.png"));
    return 0;
  }

  /** The command that repeats this run: every flag that changes the result, and the device. */
  private String commandLine(Backend backend) {
    StringBuilder c = new StringBuilder("NABLA_DEVICE=" + backend.name()
        + " java -jar target/nabla.jar compare-optimizers");
    c.append(" --epochs ").append(epochs).append(" --batch-size ").append(batchSize)
        .append(" --seed ").append(seed).append(" --dataset ").append(dataset);
    if (dataDir != null) {
      c.append(" --data-dir ").append(dataDir);
    }
    if (threads != 1) {
      c.append(" --threads ").append(threads);
    }
    if (only != null) {
      c.append(" --optimizers ").append(String.join(",", only));
    }
    return c.toString();
  }

  private static PrintStream nullStream() {
    return new PrintStream(java.io.OutputStream.nullOutputStream());
  }

  /** Windowed means of the per-batch training loss, POINTS_PER_EPOCH points per epoch. */
  private static final class LossCurve implements Callback {
    final List<double[]> points = new ArrayList<>();
    private final int steps;
    private final int window;
    private int epoch;
    private double lastMean;
    private int lastBatch;

    LossCurve(int steps) {
      this.steps = steps;
      this.window = Math.max(1, steps / POINTS_PER_EPOCH);
    }

    @Override
    public void onEpochBegin(int e) {
      epoch = e;
      lastMean = 0;
      lastBatch = 0;
    }

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Float> logs) {
      int done = batch + 1;
      if (done % window == 0 || done == steps) {
        double mean = logs.get("loss"); // running mean since the epoch began
        double windowMean = (mean * done - lastMean * lastBatch) / (done - lastBatch);
        points.add(new double[] {epoch + done / (double) steps, windowMean});
        lastMean = mean;
        lastBatch = done;
      }
    }
  }
}

package dev.nabla.cli;

import dev.nabla.Tensor;
import dev.nabla.backend.Backends;
import dev.nabla.data.Dataset;
import dev.nabla.nn.Sequential;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Evaluates a saved model on a data set's test split. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Evaluate a saved model on the test set.")
final class EvaluateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", paramLabel = "FILE", required = true, description = "a file written by train --save, or a Keras "
      + ".keras or .h5 file")
  Path model;

  @Option(names = "--dataset", description = "mnist or fashion-mnist (default: the one the "
      + "model file records, else mnist)")
  String dataset;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "folder holding the IDX files")
  Path dataDir;

  @Option(names = "--batch-size", defaultValue = "32", description = "default: ${DEFAULT-VALUE}")
  int batchSize;

  @Option(names = "--device", defaultValue = "${env:NABLA_DEVICE:-auto}",
      description = "auto, cpu, java, cuda or cuda-emulated (default: NABLA_DEVICE, else auto)")
  String device;

  @Override
  public Integer call() throws IOException {
    if (batchSize < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--batch-size must be >= 1, got " + batchSize);
    }
    try (Sequential m = Sequential.load(model)) {
      if (m.loss() == null) { // a Keras file saved before compile
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), model + " has no "
            + "loss (saved before compile): compile the model before saving it, or use predict");
      }
      String name = dataset != null ? Dataset.canonicalName(dataset)
          : m.dataset() != null ? m.dataset() : Dataset.MNIST;
      if (m.dataset() != null && !m.dataset().equals(name)) {
        spec.commandLine().getErr().println("nabla: warning: " + model + " was trained on "
            + m.dataset() + ", and is evaluated on " + name + " (--dataset): expect chance-level"
            + " accuracy");
      } else if (m.dataset() == null && dataset == null) {
        spec.commandLine().getErr().println("nabla: " + model + " does not record its data set;"
            + " evaluating on mnist (--dataset to choose)");
      }
      evaluate(m, Dataset.load(name, dataDir));
    }
    return 0;
  }

  private void evaluate(Sequential m, Dataset data) {
    try (Tensor x = data.imageTensor(false);
        Tensor y = TrainCommand.labels(data.yTest, data.numClasses, m.loss())) {
      m.setBackend(Backends.select(device, 1).backend());
      Map<String, Float> r = m.evaluate(x, y, batchSize, 0);
      r.forEach((k, v) -> spec.commandLine().getOut().printf("%s: %.4f%n", k, v));
    }
  }
}

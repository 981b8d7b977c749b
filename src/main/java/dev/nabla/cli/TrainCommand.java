package dev.nabla.cli;

import com.google.gson.GsonBuilder;
import dev.nabla.Tensor;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.callbacks.History;
import dev.nabla.callbacks.ModelCheckpoint;
import dev.nabla.data.Dataset;
import dev.nabla.losses.Loss;
import dev.nabla.losses.Losses;
import dev.nabla.nn.FitOptions;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Dropout;
import dev.nabla.nn.layers.Flatten;
import dev.nabla.optimizers.Optimizer;
import dev.nabla.optimizers.Optimizers;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Trains the seed network (Flatten -> Dense(hidden, relu) -> Dropout -> Dense(10, softmax)). */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train the MNIST network and report test accuracy.")
final class TrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--dataset", defaultValue = "mnist",
      description = "mnist or fashion-mnist (default: ${DEFAULT-VALUE})")
  String dataset;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "folder holding the IDX files "
      + "(default: ~/.cache/nabla/mnist, or /usr/share/datasets/fashion-mnist)")
  Path dataDir;

  @Option(names = "--epochs", defaultValue = "5", description = "default: ${DEFAULT-VALUE}")
  int epochs;

  @Option(names = "--batch-size", defaultValue = "32", description = "default: ${DEFAULT-VALUE}")
  int batchSize;

  @Option(names = "--optimizer", defaultValue = "adam", description = "default: "
      + "${DEFAULT-VALUE}; gd = full-batch gradient descent (sgd, batch = the training set)")
  String optimizer;

  @Option(names = "--learning-rate", description = "default: the optimizer's Keras default")
  Double learningRate;

  @Option(names = "--loss", defaultValue = "sparse_categorical_crossentropy",
      description = "default: ${DEFAULT-VALUE}")
  String loss;

  @Option(names = "--hidden", defaultValue = "128", description = "default: ${DEFAULT-VALUE}")
  int hidden;

  @Option(names = "--dropout", defaultValue = "0.2", description = "default: ${DEFAULT-VALUE}")
  double dropout;

  @Option(names = "--device", defaultValue = "${env:NABLA_DEVICE:-auto}",
      description = "auto, cpu, java, cuda or cuda-emulated (default: NABLA_DEVICE, else auto;"
          + " now ${DEFAULT-VALUE})")
  String device;

  @Option(names = "--seed", description = "seed for weights, shuffling and dropout")
  Long seed;

  @Option(names = "--validation-split", defaultValue = "0",
      description = "fraction held out for validation (default: ${DEFAULT-VALUE})")
  double validationSplit;

  @Option(names = "--threads", defaultValue = "1",
      description = "threads of the cpu device: large matmuls, the optimizer step and dropout are split across them (default: ${DEFAULT-VALUE}; 2 helps only where the two cores are not busy or shared)")
  int threads;

  @Option(names = "--verbose", defaultValue = "1", description = "0, 1 or 2 (default: 1)")
  int verbose;

  @Option(names = "--metrics-out", paramLabel = "FILE", description = "write a JSON summary of the run here")
  Path metricsOut;

  @Option(names = "--checkpoint", paramLabel = "DIR", description = "save the model to DIR/model.safetensors after "
      + "every epoch (atomic: a crash leaves the previous checkpoint)")
  Path checkpoint;

  @Option(names = "--resume", paramLabel = "DIR|FILE", description = "continue from DIR/model.safetensors (written by "
      + "--checkpoint) up to --epochs in total, or from a model FILE (.safetensors, or Keras's "
      + ".keras or .h5); the model and optimizer come from the file")
  Path resume;

  @Option(names = "--save", paramLabel = "FILE", description = "save the final model (architecture, weights, optimizer "
      + "state) to FILE; a name ending in .keras writes Keras 3's format")
  Path save;

  @Option(names = "--plot", paramLabel = "FILE.png", description = "draw the loss and accuracy curves to FILE.png")
  Path plot;

  @Option(names = "--precision", defaultValue = "fp32", description = "matmul precision on the "
      + "cuda device: fp32 or tf32 (tensor cores; default: ${DEFAULT-VALUE})")
  String precision;

  static final String CHECKPOINT_FILE = "model.safetensors";

  @Override
  public Integer call() throws IOException {
    validate();
    PrintWriter err = spec.commandLine().getErr();
    PrintStream out = System.out;
    Backends.Selection selection;
    try {
      selection = Backends.select(device, threads);
    } catch (Backends.BackendUnavailableException e) {
      err.println("nabla: error: " + e.getMessage());
      return 1;
    }
    Backend backend = selection.backend();
    if (verbose >= 1) { // --verbose 0 prints the result alone
      for (String note : selection.notes()) {
        err.println("nabla: " + note);
      }
      out.println("device: " + selection.describe());
    }

    Dataset data = Dataset.load(dataset, dataDir);
    Sequential resumed = resume == null ? null : Sequential.load(resumeFile(), backend);
    // a Keras file saved without compiling has no loss and optimizer: the flags' then
    boolean compiled = resumed != null && resumed.optimizer() != null;
    Loss lossFn = compiled ? resumed.loss() : Losses.get(loss);
    Optimizer opt = compiled ? resumed.optimizer() : optimizer();
    // Keras files carry no seed and no epoch count: those come from the flags
    boolean kerasFile = resumed != null
        && dev.nabla.nn.KerasFiles.kind(resumeFile()) != dev.nabla.nn.KerasFiles.Kind.OTHER;
    int trainSamples = (int) (data.nTrain() * (1 - validationSplit));
    if (fullBatch()) {
      batchSize = trainSamples; // "GD" in the lecture: one step per epoch over everything
    }

    int classes = data.numClasses;
    try (Tensor xTrain = data.imageTensor(true);
        Tensor yTrain = labels(data.yTrain, classes, lossFn);
        Tensor xTest = data.imageTensor(false);
        Tensor yTest = labels(data.yTest, classes, lossFn);
        Sequential model = resumed != null ? resumed : seedNetwork(data, hidden, dropout)) {
      model.setBackend(backend).setMatmulPrecision(precision); // before compile builds anything
      int initialEpoch = 0;
      if (resumed != null) {
        initialEpoch = model.epochsDone();
        if (model.dataset() != null && !model.dataset().equals(data.name)) {
          err.println("nabla: warning: the checkpoint was trained on " + model.dataset()
              + ", and training goes on with " + data.name + " (--dataset)");
        }
        model.setDataset(data.name);
        if (kerasFile) {
          if (seed == null) {
            seed = new java.util.SplittableRandom().nextLong();
          }
          model.setSeed(seed);
          if (!compiled) {
            model.compile(opt, lossFn, "accuracy");
          }
        }
        if (verbose >= 1) err.println("nabla: resuming from " + resumeFile() + " after epoch "
            + initialEpoch + (kerasFile ? "; the model" + (compiled ? " and optimizer" : "")
                + " come from the Keras file, the seed (" + seed + ") from --seed or drawn"
                : "; the model, optimizer and seed come from the checkpoint"));
        if (initialEpoch >= epochs && verbose >= 1) {
          err.println("nabla: it has already trained " + initialEpoch + " epochs (--epochs "
              + epochs + "): nothing to train; evaluating");
        }
      } else {
        if (seed == null) { // drawn, then said, so that any run can be repeated
          seed = new java.util.SplittableRandom().nextLong();
          if (verbose >= 1) {
            err.println("nabla: seed " + seed + " (--seed " + seed + " repeats this run)");
          }
        }
        model.setSeed(seed).setDataset(data.name);
        model.compile(opt, lossFn, "accuracy");
      }
      if (verbose >= 1) {
        model.summary();
      }
      FitOptions options = new FitOptions().epochs(epochs).initialEpoch(
          Math.min(initialEpoch, epochs)).batchSize(batchSize).validationSplit(validationSplit)
          .verbose(verbose);
      if (checkpoint != null) {
        options.callbacks(new ModelCheckpoint(checkpoint.resolve(CHECKPOINT_FILE).toString()));
      }
      History history = model.fit(xTrain, yTrain, options);
      if (verbose == 1) {
        out.println("Test set:");
      }
      Map<String, Float> test = model.evaluate(xTest, yTest, 32, verbose == 1 ? 1 : 0);
      List<Double> seconds = history.epochSeconds();
      for (int e = 0; e < seconds.size() && verbose >= 1; e++) {
        out.printf("epoch %d: %.3f s, %.0f samples/s%n", history.epochs().get(e) + 1, seconds.get(e),
            trainSamples / seconds.get(e));
      }
      out.printf("Test accuracy: %.4f - test loss: %.4f%n", test.get("accuracy"),
          test.get("loss"));
      if (save != null) {
        model.save(save);
        if (verbose >= 1) {
          out.println("model saved to " + save);
        }
      }
      if (plot != null) {
        LossChart.writeHistory(plot, "Training on " + data.name + " (" + opt.name() + ", batch "
            + batchSize + ")", history.history(), history.epochs().isEmpty() ? 0
            : history.epochs().get(0));
        if (verbose >= 1) {
          out.println("curves drawn to " + plot);
        }
      }
      if (metricsOut != null) {
        Map<String, Object> m = new LinkedHashMap<>();
        // every setting that changes the result, so the file alone can repeat the run
        m.put("dataset", data.name);
        m.put("seed", Long.toString(model.seed()));
        m.put("validation_split", validationSplit);
        m.put("initial_epoch", initialEpoch);
        m.put("resumed_from", resume == null ? null : resumeFile().toString());
        m.put("device", backend.name());
        m.put("precision", backend.name().startsWith("cuda") ? precision : "fp32");
        m.put("threads", backend.threads());
        m.put("optimizer", fullBatch() ? "gd" : opt.name());
        m.put("learning_rate", opt.learningRate());
        m.put("loss", lossFn.name());
        m.put("batch_size", batchSize);
        m.put("epochs", epochs);
        m.put("hidden", hidden);
        m.put("dropout", dropout);
        m.put("test_accuracy", test.get("accuracy"));
        m.put("test_loss", test.get("loss"));
        m.put("epoch_seconds", seconds);
        m.put("samples_per_second", seconds.stream().map(s -> trainSamples / s).toList());
        m.put("history", new HashMap<>(history.history()));
        writeAtomically(metricsOut, new GsonBuilder().setPrettyPrinting()
            .serializeSpecialFloatingPointValues().create().toJson(m));
        if (verbose >= 1) {
          out.println("metrics written to " + metricsOut);
        }
      }
    }
    return 0;
  }

  private void validate() {
    if (epochs < 1) {
      throw bad("--epochs must be >= 1, got " + epochs);
    }
    if (batchSize < 1) {
      throw bad("--batch-size must be >= 1, got " + batchSize);
    }
    if (hidden < 1) {
      throw bad("--hidden must be >= 1, got " + hidden);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw bad("--dropout must be in [0, 1), got " + dropout);
    }
    if (!(validationSplit >= 0 && validationSplit < 1)) {
      throw bad("--validation-split must be in [0, 1), got " + validationSplit);
    }
    if (threads < 1) {
      throw bad("--threads must be >= 1, got " + threads);
    }
    if (verbose < 0 || verbose > 2) {
      throw bad("--verbose must be 0, 1 or 2, got " + verbose);
    }
    // outputs are checked before training, not after minutes of it
    checkOutputFile("--metrics-out", metricsOut);
    checkOutputFile("--save", save);
    checkOutputFile("--plot", plot);
    if (plot != null && !plot.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png")) {
      throw bad("--plot " + plot + ": the chart is a PNG; name the file *.png");
    }
    if (checkpoint != null) {
      checkOutputFile("--checkpoint", checkpoint.resolve(CHECKPOINT_FILE));
    }
    if (resume != null && !Files.isRegularFile(resumeFile())) {
      throw bad("--resume " + resume + ": no checkpoint there (expected " + resume.resolve(
          CHECKPOINT_FILE) + ", written by train --checkpoint " + resume + ", or a model file)");
    }
    if (!Backends.DEVICES.contains(device)) {
      throw bad("--device must be one of " + String.join(", ", Backends.DEVICES) + ", got '"
          + device + "'");
    }
    if (!precision.equals("fp32") && !precision.equals("tf32")) {
      throw bad("--precision must be fp32 or tf32, got '" + precision + "'");
    }
    try {
      Losses.get(loss);
      optimizer().close();
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
  }

  /** A file we will write: a file must be creatable in its folder (tried, not guessed). */
  /** --resume's file: the model file given, or the checkpoint in the folder given. */
  private Path resumeFile() {
    return Files.isRegularFile(resume) ? resume : resume.resolve(CHECKPOINT_FILE);
  }

  private void checkOutputFile(String flag, Path file) {
    if (file == null) {
      return;
    }
    try {
      dev.nabla.io.AtomicFiles.checkWritable(file);
    } catch (IOException e) {
      throw bad(flag + " " + file + ": " + e.getMessage());
    }
  }

  private boolean fullBatch() {
    return optimizer.equalsIgnoreCase("gd");
  }

  /** The optimizer named by --optimizer ("gd" is SGD run on the whole training set per step). */
  private Optimizer optimizer() {
    Map<String, Object> config = learningRate == null ? Map.of()
        : Map.of("learning_rate", learningRate);
    try {
      return Optimizers.get(fullBatch() ? "sgd" : optimizer, config);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage()
          + (e.getMessage().startsWith("unknown optimizer") ? ", gd" : ""), e);
    }
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** The seed network: Flatten -> Dense(hidden, relu) -> Dropout -> Dense(classes, softmax). */
  static Sequential seedNetwork(Dataset data, int hidden, double dropout) {
    return new Sequential(
        new Flatten(data.rows, data.cols),
        new Dense(hidden, "relu"),
        new Dropout(dropout),
        new Dense(data.numClasses, "softmax"));
  }

  /** Class indices as-is for sparse losses, one-hot rows otherwise. */
  static Tensor labels(float[] classes, int numClasses, Loss loss) {
    if (loss.sparseLabels()) {
      return Tensor.of(classes, classes.length);
    }
    float[] oneHot = new float[classes.length * numClasses];
    for (int i = 0; i < classes.length; i++) {
      oneHot[i * numClasses + (int) classes[i]] = 1f;
    }
    return Tensor.of(oneHot, classes.length, numClasses);
  }

  /** Writes via a temporary file and a rename: never a half-written file (AtomicFiles). */
  static void writeAtomically(Path target, String text) throws IOException {
    dev.nabla.io.AtomicFiles.writeString(target, text);
}
}

package dev.nabla.nn;

import dev.nabla.Tensor;
import dev.nabla.Variable;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.backend.cuda.CudaBackend;
import dev.nabla.callbacks.Callback;
import dev.nabla.callbacks.History;
import dev.nabla.callbacks.ProgressBar;
import dev.nabla.graph.Graph;
import dev.nabla.graph.Node;
import dev.nabla.losses.CrossEntropy;
import dev.nabla.losses.Loss;
import dev.nabla.losses.Losses;
import dev.nabla.metrics.Metric;
import dev.nabla.metrics.Metrics;
import dev.nabla.nn.layers.Layer;
import dev.nabla.optimizers.Optimizer;
import dev.nabla.optimizers.Optimizers;
import dev.nabla.train.EpochRunner;
import dev.nabla.train.StepPlan;
import dev.nabla.train.Trainable;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's Sequential model: layers in a row, compile(optimizer, loss, metrics), fit, evaluate,
 * predict, summary.
 *
 * <p>Every parameter lives in one flat buffer (layers hold views) and so does every gradient, so
 * an optimizer step is one fused call. Each batch shape gets a graph planned once (the last
 * partial batch its own), after which a training step allocates no tensor memory.
 */
public class Sequential implements AutoCloseable, Trainable {
  private final List<Layer> layers = new ArrayList<>();
  private final Map<String, Integer> nameCounts = new HashMap<>();
  private final Map<String, StepPlan> plans = new HashMap<>();
  private Backend backend;
  private int matmulPrecision; // 0 fp32, 1 tf32 (the CUDA backend's gemm)
  private Optimizer optimizer;
  private Loss loss;
  private List<String> metricNames = List.of();
  private long seed = new SplittableRandom().nextLong();
  private String dataset;
  private PrintStream out = System.out;
  private int[] inputShape;
  private Tensor ownedParams; // the flat parameter memory; params is a Variable view of it
  private Variable params;
  private Tensor grads;
  private final List<List<Variable>> layerWeights = new ArrayList<>();
  private final List<List<Tensor>> layerGrads = new ArrayList<>();
  private List<Variable> allWeights; // the views, in order: the optimizer's segments
  private List<List<Layer.ParamSpec>> paramSpecs; // per layer, from build
  private boolean stopTraining;
  private int epochsDone; // epochs completed by fit (saved, so a resumed run knows where it is)
  private boolean closed;

  public Sequential(Layer... layers) {
    for (Layer l : layers) {
      add(l);
    }
  }

  public Sequential add(Layer layer) {
    if (params != null) {
      throw new IllegalStateException("cannot add layers to a built model");
    }
    String base = snake(layer.className());
    int n = nameCounts.merge(base, 1, Integer::sum);
    layer.setName(n == 1 ? base : base + "_" + (n - 1));
    layers.add(layer);
    return this;
  }

  public List<Layer> layers() {
    return List.copyOf(layers);
  }

  /** Seeds weight initialisation, shuffling and dropout masks; call before build or fit. */
  public Sequential setSeed(long seed) {
    this.seed = seed;
    return this;
  }

  /**
   * Records the data set this model is trained on (e.g. {@link dev.nabla.data.Dataset#MNIST},
   * "mnist"; null: none recorded), saved in model files with its preprocessing so that evaluate
   * and predict can use the same data and warn on a mismatch. Not a Keras field: Keras files do
   * not say what they were trained on.
   */
  public Sequential setDataset(String name) {
    this.dataset = name;
    return this;
  }

  /** The data set recorded by {@link #setDataset} or read from the model file; null if none. */
  public String dataset() {
    return dataset;
  }

  /** Where progress and summaries are printed (System.out by default). */
  public Sequential setOutput(PrintStream out) {
    this.out = out;
    return this;
  }

  /**
   * Runs this model on {@code backend} from now on (see {@link Backends#select}): every planned
   * graph, fit, evaluate, predict and trainOnBatch. A built model's weights and optimizer state
   * move to the backend's device (an explicit copy, done here once).
   */
  public Sequential setBackend(Backend backend) {
    closePlans();
    Backend previous = this.backend;
    this.backend = backend;
    if (previous != null && params != null && previous.device() != backend.device()) {
      moveParameters(backend);
    } else if (optimizer != null) {
      optimizer.setBackend(backend);
    }
    applyMatmulPrecision();
    return this;
  }

  /**
   * Runs this model on the named device ("cpu", "java", "cuda", "cuda-emulated" or "auto"; see
   * {@link Backends#select}): PyTorch's {@code model.to(device)}.
   */
  public Sequential to(String device) {
    return setBackend(Backends.select(device, backend == null ? 1 : backend.threads()).backend());
  }

  /**
   * Copies the weights and the optimizer state to {@code target}'s device. The new buffers are
   * filled before the old ones are freed, so a failed allocation leaves the model as it was.
   */
  private void moveParameters(Backend target) {
    float[] values = params.toFloatArray();
    Optimizer.State state = optimizer == null || optimizer.steps() == 0 ? null
        : optimizer.state();
    Tensor oldParams = ownedParams, oldGrads = grads;
    List<Variable> oldWeights = allWeights;
    allocateParameters(target, values.length); // changes nothing when it fails
    params.copyFrom(values);
    oldParams.close();
    oldGrads.close();
    if (optimizer != null) {
      optimizer.close(); // frees the state on the old device
      optimizer.remapVariables(oldWeights, allWeights);
      optimizer.setBackend(target);
      if (state != null) {
        optimizer.loadState(state, List.of(params), List.of(allWeights));
      }
    }
  }

  /**
   * The CUDA matmul's precision: "fp32" (default) or "tf32" (tensor cores, about 1e-3
   * relative). Other backends compute in fp32 whatever this says.
   */
  public Sequential setMatmulPrecision(String precision) {
    switch (precision.toLowerCase(Locale.ROOT)) {
      case "fp32":
        matmulPrecision = 0;
        break;
      case "tf32":
        matmulPrecision = 1;
        break;
      default:
        throw new IllegalArgumentException("matmul precision must be fp32 or tf32, got '"
            + precision + "'");
    }
    applyMatmulPrecision();
    return this;
  }

  private void applyMatmulPrecision() {
    if (backend() instanceof CudaBackend) {
      ((CudaBackend) backend).setMatmulPrecision(matmulPrecision);
    }
  }

  public Backend backend() {
    if (backend == null) {
      setBackend(Backends.defaultBackend());
    }
    return backend;
  }

  /** Epochs completed by fit so far (restored by load: Keras's initial_epoch for resuming). */
  public int epochsDone() {
    return epochsDone;
  }

  void setEpochsDone(int epochs) {
    this.epochsDone = epochs;
  }

  /** Asks fit to stop after the current epoch (for callbacks such as early stopping). */
  public void stopTraining() {
    stopTraining = true;
  }

  // ---- compile -------------------------------------------------------------------------------

  /** Keras's compile("adam", "sparse_categorical_crossentropy", "accuracy"). */
  public void compile(String optimizer, String loss, String... metrics) {
    compile(Optimizers.get(optimizer), Losses.get(loss), metrics);
  }

  public void compile(Optimizer optimizer, Loss loss, String... metrics) {
    if (this.optimizer != null && this.optimizer != optimizer) {
      this.optimizer.close();
    }
    this.optimizer = optimizer;
    this.loss = loss;
    for (String m : metrics) {
      if (!isAccuracy(m)) {
        Metrics.get(m, Map.of()); // fail now on unknown names, not at fit time
      }
    }
    this.metricNames = List.of(metrics);
    optimizer.setBackend(backend());
    closePlans();
  }

  public Optimizer optimizer() {
    return optimizer;
  }

  /** The metric names given to compile. */
  public List<String> metricNames() {
    return metricNames;
  }

  public long seed() {
    return seed;
  }

  // ---- save / load ---------------------------------------------------------------------------

  /**
   * Saves architecture, weights, compile arguments and optimizer state in one safetensors file,
   * atomically (the previous file survives a crash mid-write). Training resumes exactly from it.
   * A name ending in {@code .keras} writes Keras 3's format instead ({@link KerasFiles#save}).
   *
   * @throws IllegalArgumentException for a {@code .h5} name (Nabla writes no legacy .h5)
   */
  public void save(java.nio.file.Path file) throws java.io.IOException {
    requireBuilt();
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".keras")) {
      KerasFiles.save(this, file);
      return;
    }
    if (name.endsWith(".h5") || name.endsWith(".hdf5")) {
      throw new IllegalArgumentException("cannot save " + file + ": Nabla writes Keras files as "
          + ".keras (Keras 3 reads them), not the legacy .h5; name it x.keras");
    }
    ModelFile.save(this, file, false);
  }

  /**
   * Reads a model file, told apart by its bytes: a Keras {@code .keras} (zip) or legacy
   * {@code .h5} (HDF5) file (see {@link KerasFiles#load(java.nio.file.Path)}), else a file
   * written by {@link #save}: the model, compiled, with its optimizer state.
   */
  public static Sequential load(java.nio.file.Path file) throws java.io.IOException {
    return load(file, null);
  }

  /** {@link #load(java.nio.file.Path)} with the model built on {@code backend}'s device. */
  public static Sequential load(java.nio.file.Path file, Backend backend)
      throws java.io.IOException {
    if (java.nio.file.Files.isRegularFile(file)
        && KerasFiles.kind(file) != KerasFiles.Kind.OTHER) {
      return KerasFiles.load(file, true, backend);
    }
    return backend == null ? ModelFile.load(file) : ModelFile.load(file, backend);
  }

  /**
   * Saves the weights alone (safetensors, names "weights/LAYER/NAME"); a name ending in
   * {@code .weights.h5} writes Keras 3's weights file instead ({@link KerasFiles#saveWeights}).
   */
  public void saveWeights(java.nio.file.Path file) throws java.io.IOException {
    requireBuilt();
    if (file.getFileName().toString().endsWith(".weights.h5")) { // Keras 3's weights file
      KerasFiles.saveWeights(this, file);
      return;
    }
    ModelFile.save(this, file, true);
  }

  /**
   * Loads weights saved by saveWeights or save, or from a Keras {@code .weights.h5} or
   * {@code .keras} file ({@link KerasFiles#loadWeights}); names and shapes must match, else
   * nothing changes.
   */
  public void loadWeights(java.nio.file.Path file) throws java.io.IOException {
    requireBuilt();
    if (java.nio.file.Files.isRegularFile(file)
        && KerasFiles.kind(file) != KerasFiles.Kind.OTHER) { // Keras's .weights.h5 or .keras
      KerasFiles.loadWeights(this, file);
      return;
    }
    ModelFile.loadWeights(this, file);
  }

  public Loss loss() {
    return loss;
  }

  // ---- build ---------------------------------------------------------------------------------

  /** Creates the weights for this per-sample input shape (done by fit if the first layer declared it). */
  public void build(int... sampleShape) {
    if (params != null) {
      if (!Arrays.equals(sampleShape, inputShape)) {
        throw new IllegalArgumentException("model was built for input shape "
            + Arrays.toString(inputShape) + ", got " + Arrays.toString(sampleShape));
      }
      return;
    }
    if (layers.isEmpty()) {
      throw new IllegalStateException("the model has no layers");
    }
    List<List<Layer.ParamSpec>> specs = new ArrayList<>();
    long total = 0;
    int[] shape = sampleShape.clone();
    for (Layer l : layers) {
      List<Layer.ParamSpec> s = l.params(shape);
      specs.add(s);
      for (Layer.ParamSpec p : s) {
        total += Tensor.sizeOf(p.shape());
      }
      shape = l.outputShape(shape);
    }
    inputShape = sampleShape.clone();
    int n = Math.toIntExact(total);
    paramSpecs = specs;
    float[] values = new float[n];
    SplittableRandom rng = new SplittableRandom(seed);
    int offset = 0;
    for (List<Layer.ParamSpec> layerSpecs : specs) {
      for (Layer.ParamSpec p : layerSpecs) {
        int size = Math.toIntExact(Tensor.sizeOf(p.shape()));
        float[] init = new float[size];
        p.initializer().fill(init, p.fanIn(), p.fanOut(), rng);
        System.arraycopy(init, 0, values, offset, size);
        offset += size;
      }
    }
    allocateParameters(backend(), n);
    params.copyFrom(values); // one upload on a device
  }

  /**
   * The flat parameter and gradient buffers on {@code b}'s device, and the per-layer views into
   * them (Keras's order).
   */
  private void allocateParameters(Backend b, int n) {
    Tensor p = b.zeros(n);
    Tensor g;
    try {
      g = b.zeros(n);
    } catch (RuntimeException e) {
      p.close();
      throw e;
    }
    ownedParams = p;
    grads = g;
    params = Variable.viewOf(ownedParams, 0, "params", n);
    allocateViews();
  }

  /** The per-layer weight and gradient views into the flat buffers (Keras's order). */
  private void allocateViews() {
    layerWeights.clear();
    layerGrads.clear();
    long offset = 0;
    for (int i = 0; i < layers.size(); i++) {
      List<Variable> w = new ArrayList<>();
      List<Tensor> g = new ArrayList<>();
      for (Layer.ParamSpec p : paramSpecs.get(i)) {
        w.add(Variable.viewOf(params, offset, layers.get(i).name() + "/" + p.name(), p.shape()));
        g.add(grads.view(offset, p.shape()));
        offset += Tensor.sizeOf(p.shape());
      }
      layerWeights.add(w);
      layerGrads.add(g);
    }
    allWeights = weights();
  }

  public boolean built() {
    return params != null;
  }

  /** The per-sample input shape, once known. */
  public int[] inputShape() {
    return inputShape == null ? null : inputShape.clone();
  }

  /** The per-sample output shape. */
  public int[] outputShape() {
    requireBuilt();
    int[] s = inputShape.clone();
    for (Layer l : layers) {
      s = l.outputShape(s);
    }
    return s;
  }

  /** Every weight, in Keras's order (each a view into the model's flat parameter buffer). */
  public List<Variable> weights() {
    requireBuilt();
    List<Variable> all = new ArrayList<>();
    layerWeights.forEach(all::addAll);
    return List.copyOf(all);
  }

  /** All parameters as one flat variable (what the optimizer updates). */
  public Variable flatParameters() {
    requireBuilt();
    return params;
  }

  /** All gradients of the last training step, flat, aligned with {@link #flatParameters()}. */
  public Tensor flatGradients() {
    requireBuilt();
    return grads;
  }

  public long countParams() {
    requireBuilt();
    return params.size();
  }

  private void requireBuilt() {
    if (closed) {
      throw new IllegalStateException("the model is closed: its weights were freed by close()");
    }
    if (params == null) {
      int[] declared = layers.isEmpty() ? null : layers.get(0).declaredInputShape();
      if (declared == null) {
        throw new IllegalStateException("the model is not built yet: call build(inputShape), "
            + "fit, or give the first layer an input shape (e.g. new Flatten(28, 28))");
      }
      build(declared);
    }
  }

  // ---- summary -------------------------------------------------------------------------------

  /** Prints Keras's summary table. */
  public void summary() {
    out.print(summaryString());
    out.flush();
  }

  public String summaryString() {
    requireBuilt();
    String rule = "_".repeat(65) + "\n";
    StringBuilder sb = new StringBuilder("Model: \"sequential\"\n").append(rule);
    sb.append(String.format(Locale.ROOT, " %-28s%-26s%-10s%n", "Layer (type)", "Output Shape",
        "Param #"));
    sb.append("=".repeat(65)).append('\n');
    int[] shape = inputShape.clone();
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      long count = 0;
      for (Variable v : layerWeights.get(i)) {
        count += v.size();
      }
      shape = l.outputShape(shape);
      String out = "(None, " + String.join(", ",
          Arrays.stream(shape).mapToObj(Integer::toString).toArray(String[]::new)) + ")";
      sb.append(String.format(Locale.ROOT, " %-28s%-26s%-10s%n",
          l.name() + " (" + l.className() + ")", out, String.format(Locale.ROOT, "%,d", count)));
      sb.append(i == layers.size() - 1 ? "" : " ".repeat(65) + "\n");
    }
    sb.append("=".repeat(65)).append('\n');
    sb.append(String.format(Locale.ROOT, "Total params: %,d%n", params.size()));
    sb.append(String.format(Locale.ROOT, "Trainable params: %,d%n", params.size()));
    sb.append("Non-trainable params: 0\n").append(rule);
    return sb.toString();
  }

  // ---- fit -----------------------------------------------------------------------------------

  /** Keras's fit(x, y, epochs=..., batch_size=...) with the other arguments at their defaults. */
  public History fit(Tensor x, Tensor y, int epochs, int batchSize) {
    return fit(x, y, new FitOptions().epochs(epochs).batchSize(batchSize));
  }

  public History fit(Tensor x, Tensor y, FitOptions o) {
    requireCompiled();
    applyMatmulPrecision(); // the device's backend is shared: this model's precision, now
    int n = checkData(x, y, "fit");
    Tensor trainX = x, trainY = y, valX = o.validationX, valY = o.validationY;
    int nTrain = n;
    if (valX == null && o.validationSplit > 0) {
      nTrain = (int) (n * (1.0 - o.validationSplit)); // Keras: the last fraction, unshuffled
      if (nTrain == 0 || nTrain == n) {
        throw new IllegalArgumentException("validation_split " + o.validationSplit + " of " + n
            + " samples leaves an empty training or validation set");
      }
      valX = rows(x, nTrain, n);
      valY = rows(y, nTrain, n);
    } else if (valX != null) {
      checkData(valX, valY, "validation_data");
    }
    List<Callback> callbacks = new ArrayList<>(o.callbacks);
    History history = new History();
    callbacks.add(history); // last, as in Keras: it records what the others added to the logs
    for (Callback c : callbacks) {
      c.setModel(this);
    }
    List<Metric> metrics = resolveMetrics(y);
    Metric lossTracker = Metrics.mean("loss");
    int steps = (nTrain + o.batchSize - 1) / o.batchSize;
    boolean dynamic = ProgressBar.isTerminal();
    Map<String, Float> logs = new LinkedHashMap<>();
    stopTraining = false;
    logs = epochs(o, callbacks, trainX, trainY, valX, valY, steps, nTrain, lossTracker, metrics,
        dynamic, logs);
    optimizer.finalizeVariableValues(List.of(params)); // Keras: EMA weights replace the model's
    for (Callback c : callbacks) {
      c.onTrainEnd(logs);
    }
    return history;
  }

  private Map<String, Float> epochs(FitOptions o, List<Callback> callbacks, Tensor trainX,
      Tensor trainY, Tensor valX, Tensor valY, int steps, int nTrain, Metric lossTracker,
      List<Metric> metrics, boolean dynamic, Map<String, Float> logs) {
    callbacks.forEach(Callback::onTrainBegin);
    try (EpochRunner runner = new EpochRunner(this, trainX, trainY, nTrain, o.batchSize,
        o.shuffle, lossTracker, metrics, argmaxMetricsOnly(), loss instanceof CrossEntropy)) {
      for (int epoch = o.initialEpoch; epoch < o.epochs && !stopTraining; epoch++) {
        for (Callback c : callbacks) {
          c.onEpochBegin(epoch);
        }
        if (o.verbose > 0) {
          out.println("Epoch " + (epoch + 1) + "/" + o.epochs);
        }
        ProgressBar bar = new ProgressBar(out, steps, o.verbose, dynamic);
        boolean everyStep = o.verbose == 1 && dynamic || callbacks.size() > 1;
        // a device run reads its tallies (a wait) about 50 times an epoch for the progress bar;
        // a callback with a batch hook is called after every batch, as Keras does
        int reportEvery = !everyStep ? 0
            : runner.onDevice() && !anyBatchHook(callbacks) ? Math.max(1, steps / 50) : 1;
        Map<String, Float> batchLogs = logs;
        runner.epoch(epoch, reportEvery, (step, samples) -> {
          if (everyStep) {
            fillLogs(batchLogs, lossTracker, metrics, "");
            bar.update(step + 1, batchLogs);
            for (Callback c : callbacks) {
              c.onTrainBatchEnd(step, batchLogs);
            }
          }
        });
        logs = new LinkedHashMap<>();
        fillLogs(logs, lossTracker, metrics, "");
        if (valX != null) { // on a device: the validation set uploaded once for the fit
          List<Metric> valMetrics = resolveMetrics(valY);
          Metric valLoss = Metrics.mean("loss");
          runner.validate(valX, valY, o.batchSize, valLoss, valMetrics, argmaxMetricsOnly());
          fillLogs(logs, valLoss, valMetrics, "val_");
        }
        epochsDone = epoch + 1;
        for (Callback c : callbacks) {
          c.onEpochEnd(epoch, logs);
        }
        bar.finish(logs);
      }
    }
    return logs;
  }

  /** Whether any callback overrides onTrainBatchEnd (else batches need no per-step figures). */
  private static boolean anyBatchHook(List<Callback> callbacks) {
    for (Callback c : callbacks) {
      try {
        if (c.getClass().getMethod("onTrainBatchEnd", int.class, Map.class).getDeclaringClass()
            != Callback.class) {
          return true;
        }
      } catch (NoSuchMethodException e) {
        throw new IllegalStateException(e); // Callback declares it
      }
    }
    return false;
  }

  /**
   * Whether every compiled metric is an argmax accuracy of a multi-class output (what a device
   * step run tallies with the loss).
   */
  private boolean argmaxMetricsOnly() {
    if (Tensor.sizeOf(outputShape()) < 2 || !(loss instanceof CrossEntropy)) {
      return false;
    }
    boolean sparse = loss.sparseLabels();
    for (String m : metricNames) {
      String k = m.toLowerCase(Locale.ROOT).replace("_", "");
      boolean argmax = isAccuracy(m) || k.equals("sparsecategoricalaccuracy") && sparse
          || k.equals("categoricalaccuracy") && !sparse;
      if (!argmax) {
        return false;
      }
    }
    return true;
  }

  /** The dropout generator's key, the same on every backend. */
  private long graphSeed() {
    return seed * 0x9E3779B97F4A7C15L + 1;
  }

  /**
   * Keras's train_on_batch: one training step on exactly this batch (no shuffling); returns the
   * batch's loss and metrics.
   */
  public Map<String, Float> trainOnBatch(Tensor x, Tensor y) {
    requireCompiled();
    applyMatmulPrecision();
    int rows = checkData(x, y, "trainOnBatch");
    StepPlan p = plan(true, rows, y);
    p.xHost.copyFrom(x);
    p.yHost.copyFrom(y);
    p.upload();
    p.graph.setPredictionsNeeded(true);
    EpochRunner.trainStep(this, p);
    Map<String, Float> logs = new LinkedHashMap<>();
    logs.put("loss", p.loss.value().get(0));
    for (Metric m : resolveMetrics(y)) {
      m.update(p.yHost, p.predictions(), null, rows);
      logs.put(m.name(), m.result());
    }
    return logs;
  }

  // ---- evaluate / predict --------------------------------------------------------------------

  /** Keras's evaluate with batch_size 32 and a progress bar: {"loss": ..., metrics...}. */
  public Map<String, Float> evaluate(Tensor x, Tensor y) {
    return evaluate(x, y, 32, 1);
  }

  public Map<String, Float> evaluate(Tensor x, Tensor y, int batchSize, int verbose) {
    requireCompiled();
    checkData(x, y, "evaluate");
    applyMatmulPrecision();
    return evaluateInto(x, y, batchSize, verbose, "");
  }

  private Map<String, Float> evaluateInto(Tensor x, Tensor y, int batchSize, int verbose,
      String prefix) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch_size must be positive, got " + batchSize);
    }
    int n = x.dim(0);
    List<Metric> metrics = resolveMetrics(y);
    Metric lossTracker = Metrics.mean("loss");
    int steps = (n + batchSize - 1) / batchSize;
    ProgressBar bar = new ProgressBar(out, steps, verbose, ProgressBar.isTerminal());
    Map<String, Float> logs = new LinkedHashMap<>();
    EpochRunner.evaluate(this, x, y, batchSize, lossTracker, metrics, argmaxMetricsOnly(),
        (step, samples) -> {
          if (verbose == 1) {
            fillLogs(logs, lossTracker, metrics, "");
            bar.update(step + 1, logs);
          }
        });
    fillLogs(logs, lossTracker, metrics, "");
    bar.finish(logs);
    Map<String, Float> result = new LinkedHashMap<>();
    logs.forEach((k, v) -> result.put(prefix + k, v));
    return result;
  }

  /** The model's outputs (softmax probabilities for the seed network), batch_size 32. */
  public Tensor predict(Tensor x) {
    return predict(x, 32);
  }

  public Tensor predict(Tensor x, int batchSize) {
    applyMatmulPrecision();
    int[] s = x.shape();
    int n = checkInputs(x, "predict");
    int[] outShape = outputShape();
    int[] full = new int[outShape.length + 1];
    full[0] = n;
    System.arraycopy(outShape, 0, full, 1, outShape.length);
    Tensor result = Tensor.zeros(full);
    long width = Tensor.sizeOf(outShape);
    for (int start = 0; start < n; start += batchSize) {
      int rows = Math.min(batchSize, n - start);
      StepPlan p = plan(false, rows, null);
      copyRows(x, start, rows, p.xHost);
      p.upload();
      p.graph.forward();
      result.buffer().put((int) (start * width), p.predictions().buffer(), 0,
          (int) (rows * width));
    }
    return result;
  }

  // ---- plans ---------------------------------------------------------------------------------

  /** The graph planned for batches of {@code rows} (for the training loop; one per shape). */
  @Override
  public StepPlan plan(boolean training, int rows, Tensor labels) {
    int[] labelShape = labels == null ? null : labels.shape();
    if (labelShape != null) {
      labelShape[0] = rows;
    }
    String key = (training ? "train:" : "infer:") + rows + ":" + Arrays.toString(labelShape);
    StepPlan p = plans.get(key);
    if (p == null) {
      p = newPlan(training, rows, labelShape);
      plans.put(key, p);
    }
    return p;
  }

  private StepPlan newPlan(boolean training, int rows, int[] labelShape) {
    Graph g = new Graph(backend(), training);
    g.setSeed(graphSeed());
    int[] xs = new int[inputShape.length + 1];
    xs[0] = rows;
    System.arraycopy(inputShape, 0, xs, 1, inputShape.length);
    Node x = g.input(xs);
    Node h = x;
    for (int i = 0; i < layers.size(); i++) {
      List<Node> p = new ArrayList<>();
      List<Variable> w = layerWeights.get(i);
      for (int k = 0; k < w.size(); k++) {
        p.add(g.param(w.get(k), training ? layerGrads.get(i).get(k) : null));
      }
      h = layers.get(i).apply(g, h, p, i);
    }
    Node y = null, lossNode = null;
    if (labelShape != null) {
      y = g.input(labelShape);
      lossNode = loss.build(g, y, h, null);
    }
    return new StepPlan(g, x, y, h, lossNode);
  }

  private void closePlans() {
    plans.values().forEach(StepPlan::close);
    plans.clear();
  }

  // ---- helpers -------------------------------------------------------------------------------

  private void requireCompiled() {
    if (optimizer == null || loss == null) {
      throw new IllegalStateException("compile the model before fit or evaluate "
          + "(e.g. model.compile(\"adam\", \"sparse_categorical_crossentropy\", \"accuracy\"))");
    }
  }

  private int checkInputs(Tensor x, String what) {
    if (x == null || x.rank() < 1) {
      throw new IllegalArgumentException(what + ": x must have a batch dimension");
    }
    int[] sample = Arrays.copyOfRange(x.shape(), 1, x.rank());
    if (params == null) {
      int[] declared = layers.isEmpty() ? null : layers.get(0).declaredInputShape();
      build(declared != null ? declared : sample);
    }
    if (Tensor.sizeOf(sample) != Tensor.sizeOf(inputShape)
        || (sample.length == inputShape.length && !Arrays.equals(sample, inputShape))) {
      throw new IllegalArgumentException(what + ": x has samples of shape "
          + Arrays.toString(sample) + " but the model expects " + Arrays.toString(inputShape));
    }
    requireFinite(x, what + ": x");
    return x.dim(0);
  }

  private int checkData(Tensor x, Tensor y, String what) {
    int n = checkInputs(x, what);
    if (n == 0) {
      throw new IllegalArgumentException(what + ": x holds no samples");
    }
    if (y == null || y.rank() < 1 || y.dim(0) != n) {
      throw new IllegalArgumentException(what + ": y must have one entry per sample of x (" + n
          + "), got shape " + (y == null ? "null" : Arrays.toString(y.shape())));
    }
    requireFinite(y, what + ": y");
    int units = Math.toIntExact(Tensor.sizeOf(outputShape()));
    long perSample = y.size() / n;
    if (loss.sparseLabels() ? perSample != 1 : perSample != units) {
      throw new IllegalArgumentException(what + ": labels of shape " + Arrays.toString(y.shape())
          + " do not suit loss " + loss.name() + " and " + units + " outputs"
          + (loss.sparseLabels() ? " (expected one class index per sample)"
          : " (expected " + units + " values per sample; for class indices use "
          + "sparse_categorical_crossentropy)"));
    }
    if (loss.sparseLabels()) {
      FloatBuffer b = y.buffer();
      for (int i = 0; i < n; i++) {
        float v = b.get(i);
        if (v != Math.rint(v) || v < 0 || v >= units) {
          throw new IllegalArgumentException(what + ": label " + v + " at index " + i
              + " is not a class index in [0, " + units + ")");
        }
      }
    }
    return n;
  }

  /** NaN or infinite inputs would silently poison every weight: refuse them up front. */
  private static void requireFinite(Tensor t, String what) {
    FloatBuffer b = t.buffer();
    long width = t.size() / Math.max(1, t.dim(0));
    for (int i = 0, n = (int) t.size(); i < n; i++) {
      float v = b.get(i);
      if (!Float.isFinite(v)) {
        throw new IllegalArgumentException(what + " holds " + v + " at sample " + (i / width)
            + " (flat index " + i + "); clean or drop non-finite values before training");
      }
    }
  }

  private List<Metric> resolveMetrics(Tensor y) {
    List<Metric> result = new ArrayList<>();
    int units = Math.toIntExact(Tensor.sizeOf(outputShape()));
    for (String m : metricNames) {
      result.add(isAccuracy(m)
          ? Metrics.resolveAccuracy(m.toLowerCase(Locale.ROOT), loss.sparseLabels(), units,
              loss.name().equals("binary_crossentropy"))
          : Metrics.get(m, Map.of()));
    }
    return result;
  }

  private static boolean isAccuracy(String m) {
    return m.equalsIgnoreCase("accuracy") || m.equalsIgnoreCase("acc");
  }

  private static void fillLogs(Map<String, Float> logs, Metric loss, List<Metric> metrics,
      String prefix) {
    logs.put(prefix + "loss", loss.result());
    for (Metric m : metrics) {
      logs.put(prefix + m.name(), m.result());
    }
  }


  private static void copyRows(Tensor src, int start, int rows, Tensor dst) {
    int width = Math.toIntExact(src.size() / src.dim(0));
    dst.buffer().put(0, src.buffer(), start * width, rows * width);
  }

  /** Rows [from, to) of t as a view. */
  private static Tensor rows(Tensor t, int from, int to) {
    int[] s = t.shape();
    long width = t.size() / s[0];
    s[0] = to - from;
    return t.view(from * width, s);
  }

  private static String snake(String className) {
    return className.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }

  /** Frees the parameters, gradients, planned graphs and optimizer state. */
  @Override
  public void close() {
    closed = true;
    closePlans();
    if (optimizer != null) {
      optimizer.close();
    }
    if (ownedParams != null) {
      ownedParams.close();
      grads.close();
      ownedParams = null;
      params = null;
    }
  }
}

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
import dev.nabla.losses.Loss;
import dev.nabla.losses.Losses;
import dev.nabla.metrics.CategoricalAccuracy;
import dev.nabla.metrics.Mean;
import dev.nabla.metrics.Metric;
import dev.nabla.metrics.Metrics;
import dev.nabla.metrics.SparseCategoricalAccuracy;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Keras's Sequential model: layers in a row, compile(optimizer, loss, metrics), fit, evaluate,
 * predict, summary.
 *
 * <p>Every parameter lives in one flat buffer (layers hold views) and so does every gradient, so
 * an optimizer step is one fused call. Each batch shape gets a graph planned once (the last
 * partial batch its own), after which a training step allocates no tensor memory.
 *
 * <p><b>Threads.</b> {@link #predict} and {@link #evaluate} are thread-safe: any number of threads
 * may call them on one model at once, on every backend, and each gets exactly the answer it would
 * get alone. Each call checks out planned inference graphs of its own (a small pool per batch
 * shape, at most {@link #setMaxParallelPredictions} graphs each, reused; a caller that finds
 * them all in use waits for one) and reads the weights, which all callers share. On the CUDA
 * backend the callers' kernels take turns on the device's one stream (see
 * {@link CudaBackend}).
 *
 * <p>Changes to the weights never mix with a running prediction: predictions see the weights from
 * before or after a change, never part of one.
 *
 * <ul>
 *   <li>{@link #fit}: each training step's weight update, and every callback, waits for running
 *       predictions and holds new ones off until it is done; between steps predictions run
 *       alongside the fit, on the weights of the last step. {@link #stopTraining} may be called
 *       from any thread.
 *   <li>{@link #trainOnBatch}: the same, for its one step.
 *   <li>{@link #loadWeights}, {@link #compile}, {@link #setBackend}/{@link #to}, {@link #build},
 *       {@link #setMaxParallelPredictions}: wait for running predictions and evaluations, then
 *       run alone.
 *   <li>{@link #close}: waits for running predictions and evaluations (it never frees memory
 *       under them), then frees; calls after it fail with "the model is closed".
 *   <li>One training call at a time: fit or trainOnBatch while another thread's fit or
 *       trainOnBatch runs is refused with an IllegalStateException naming the running call and
 *       its thread, and so are close, compile, setBackend/to, setMaxParallelPredictions and
 *       loadWeights from another thread (all but loadWeights also from the training thread's
 *       own callbacks).
 * </ul>
 *
 * <p>Configuration ({@link #add}, {@link #setSeed}, {@link #setOutput},
 * {@link #setMatmulPrecision}) is not thread-safe: configure the model before sharing it. The
 * views {@link #weights}, {@link #flatParameters} and {@link #flatGradients} hand out are read
 * without any lock: read them when no fit runs.
 */
public class Sequential implements AutoCloseable, Trainable {
  private final List<Layer> layers = new ArrayList<>();
  private final Map<String, Integer> nameCounts = new HashMap<>();
  private final Map<String, StepPlan> plans = new HashMap<>(); // training plans: one thread
  // inference plans, per batch shape, checked out by one caller at a time
  private final Map<String, PlanPool> inference = new ConcurrentHashMap<>();
  private int maxParallelPredictions = Math.max(2, Runtime.getRuntime().availableProcessors());
  // predictions and evaluations read (shared); weight changes, moves and close write (exclusive)
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Object trainingGuard = new Object();
  private Thread trainer; // the thread running fit or trainOnBatch (under trainingGuard)
  private String trainingCall; // which of the two
  private int trainingDepth; // trainOnBatch inside a fit's callback nests
  private volatile Backend backend;
  private volatile int matmulPrecision; // 0 fp32, 1 tf32 (the CUDA backend's gemm)
  private Optimizer optimizer;
  private Loss loss;
  // compile's metrics: a name as given (String) or a metric's {"class_name", "config"} (Map)
  private List<Object> metricSpecs = List.of();
  private long seed = new SplittableRandom().nextLong();
  private String dataset;
  private PrintStream out = System.out;
  private int[] inputShape;
  private Tensor ownedParams; // the flat parameter memory; params is a Variable view of it
  private volatile Variable params; // non-null once built: read without the lock by checkInputs
  private Tensor grads;
  private final List<List<Variable>> layerWeights = new ArrayList<>();
  private final List<List<Tensor>> layerGrads = new ArrayList<>();
  private List<Variable> allWeights; // the views, in order: the optimizer's segments
  private List<List<Layer.ParamSpec>> paramSpecs; // per layer, from build
  private volatile boolean stopTraining; // set by any thread; fit stops after the batch
  private volatile int epochsDone; // epochs completed by fit (saved: where a resumed run is)
  private volatile boolean closed;

  /**
   * Keras's {@code Sequential([...])}: the layers in order, e.g. {@code new Sequential(new
   * Flatten(28, 28), new Dense(128, "relu"), new Dropout(0.2), new Dense(10, "softmax"))}. The
   * weights are made when the input shape is known (a first layer that declares it, such as
   * {@code Flatten(28, 28)}, or the first fit/predict), on the default device
   * ({@link Backends#defaultBackend()}: NABLA_DEVICE, else auto). Close the model (try-with-
   * resources) to free its native memory.
   */
  public Sequential(Layer... layers) {
    for (Layer l : layers) {
      add(l);
    }
  }

  /**
   * Keras's {@code model.add(layer)}: appends a layer, named as Keras names it ("dense",
   * "dense_1", ...).
   *
   * @throws IllegalStateException once the model is built (its weights exist)
   */
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

  /** Keras's {@code model.layers}: the layers in order (an unmodifiable copy). */
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

  /** Where progress, summaries and callbacks' messages go (see {@link #setOutput}). */
  public PrintStream output() {
    return out;
  }

  /**
   * Runs this model on {@code backend} from now on (see {@link Backends#select}): every planned
   * graph, fit, evaluate, predict and trainOnBatch. A built model's weights and optimizer state
   * move to the backend's device (an explicit copy, done here once).
   */
  public Sequential setBackend(Backend backend) {
    refuseDuringTraining("setBackend", false); // fails fast, without waiting for the lock
    lock.writeLock().lock();
    try {
      refuseDuringTraining("setBackend", false);
      moveTo(backend);
    } finally {
      lock.writeLock().unlock();
    }
    return this;
  }

  private void moveTo(Backend backend) {
    closePlans();
    Backend previous = this.backend;
    this.backend = backend;
    if (previous != null && params != null && previous.device() != backend.device()) {
      moveParameters(backend);
    } else if (optimizer != null) {
      optimizer.setBackend(backend);
    }
    applyMatmulPrecision();
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

  /** Where this model computes (see {@link #setBackend}; the default device until set). */
  public Backend backend() {
    Backend b = backend;
    if (b == null) {
      lock.writeLock().lock();
      try {
        if (backend == null) {
          moveTo(Backends.defaultBackend());
        }
        b = backend;
      } finally {
        lock.writeLock().unlock();
      }
    }
    return b;
  }

  /** Epochs completed by fit so far (restored by load: Keras's initial_epoch for resuming). */
  public int epochsDone() {
    return epochsDone;
  }

  void setEpochsDone(int epochs) {
    this.epochsDone = epochs;
  }

  /**
   * Keras's {@code model.stop_training = True}: fit stops after the current batch. Asked from a
   * batch hook (TerminateOnNaN), the epoch ends there: its logs cover the batches run, its
   * validation and on_epoch_end still run, and then on_train_end; asked from on_epoch_end
   * (EarlyStopping), no further epoch starts. fit clears it when it starts. May be called from
   * any thread.
   */
  public void stopTraining() {
    stopTraining = true;
  }

  /** Whether a stop was asked during the current fit (Keras's {@code model.stop_training}). */
  @Override
  public boolean stopTrainingRequested() {
    return stopTraining;
  }

  // ---- compile -------------------------------------------------------------------------------

  /**
   * Keras's {@code compile(optimizer="adam", loss="sparse_categorical_crossentropy",
   * metrics=["accuracy"])}: everything by Keras name, each at Keras's defaults.
   *
   * @param optimizer adadelta, adagrad, adam, adamw, adamax, ftrl, lamb, lion, nadam, rmsprop,
   *     sgd (see {@link Optimizers#get(String, Map)} for arguments)
   * @param loss binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy
   *     (labels are class indices), mean_squared_error/mse, mean_absolute_error/mae (see
   *     {@link Losses#get(String, Map)} for arguments)
   * @param metrics names as {@link #compile(Optimizer, Loss, List)} takes them; "accuracy" is
   *     resolved from the label and output shapes as in Keras 3
   * @throws IllegalArgumentException for an unknown name (the message lists the accepted ones)
   * @throws IllegalStateException while this model trains on another thread, or once closed
   */
  public void compile(String optimizer, String loss, String... metrics) {
    compile(Optimizers.get(optimizer), Losses.get(loss), metrics);
  }

  /** {@link #compile(String, String, String...)} with an optimizer and a loss made by you. */
  public void compile(Optimizer optimizer, Loss loss, String... metrics) {
    compile(optimizer, loss, Arrays.asList((Object[]) metrics));
  }

  /**
   * Keras's compile with {@code metrics=[...]} mixing names and metric objects, e.g.
   * {@code List.of("accuracy", new AUC(), Metrics.get("precision", Map.of("top_k", 2)))}.
   *
   * <p>A name logs under itself, exactly as given ("acc", "BinaryAccuracy", "mse"), as in Keras;
   * "accuracy" and "acc" (any case) are resolved from the label and output shapes
   * ({@link Metrics#resolveAccuracy(String, int[], int[])}). A metric object logs under its
   * name; compile keeps its configuration ({@link Metric#config()}), and every fit and evaluate
   * uses fresh metrics made from it (the object's own state is left alone).
   *
   * @throws IllegalArgumentException for an unknown name, an element that is neither a name
   *     nor a Metric, a Mean or Sum (they take values, not labels and predictions), or a metric
   *     with several results (Precision or Recall with several thresholds: logs hold one number
   *     per name)
   */
  public void compile(Optimizer optimizer, Loss loss, List<?> metrics) {
    List<Object> specs = new ArrayList<>();
    for (Object m : metrics) {
      specs.add(metricSpec(m)); // fail now on bad metrics, not at fit time
    }
    backend(); // made first: the lock below is not taken twice for it
    refuseDuringTraining("compile", false); // fails fast, without waiting for the lock
    lock.writeLock().lock();
    try {
      refuseDuringTraining("compile", false);
      compileLocked(optimizer, loss, specs);
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void compileLocked(Optimizer optimizer, Loss loss, List<Object> specs) {
    if (this.optimizer != null && this.optimizer != optimizer) {
      this.optimizer.close();
    }
    if (loss != null && !loss.reduction().scalar()) { // training needs one number per batch
      throw new IllegalArgumentException("compile: loss " + loss.name() + " has reduction "
          + "'none', which gives one value per sample; a model trains on one number per batch: "
          + "use reduction sum_over_batch_size (Keras's default), mean, sum or "
          + "mean_with_sample_weight, and read per-sample values with Loss.callPerSample");
    }
    this.optimizer = optimizer;
    this.loss = loss;
    this.metricSpecs = List.copyOf(specs);
    optimizer.setBackend(backend());
    closePlans();
  }

  private static Object metricSpec(Object m) {
    Metric probe;
    Object spec;
    if (m instanceof String) {
      String name = (String) m;
      if (isAccuracy(name)) {
        return name;
      }
      probe = Metrics.get(name, Map.of("name", name));
      spec = name;
    } else if (m instanceof Metric) {
      probe = (Metric) m;
      Map<String, Object> desc = new LinkedHashMap<>();
      desc.put("class_name", probe.className());
      desc.put("config", probe.config());
      spec = desc;
      Metrics.get(probe.className(), probe.config()); // its config must rebuild it
    } else {
      throw new IllegalArgumentException("compile's metrics are names or Metric objects, got "
          + m + (m == null ? "" : " (" + m.getClass().getSimpleName() + ")"));
    }
    if (probe instanceof Mean) {
      throw new IllegalArgumentException("metric '" + probe.name() + "' is a "
          + probe.className() + ", which takes values, not labels and predictions: it cannot "
          + "be compiled; use it standalone");
    }
    if (probe.results().length != 1) {
      throw new IllegalArgumentException("metric '" + probe.name() + "' gives "
          + probe.results().length + " values (one per threshold); logs hold one number per "
          + "name: compile one " + probe.className() + " per threshold, each with its own name");
    }
    return spec;
  }

  /** The optimizer given to compile (its state holds the slots and step count); null before. */
  public Optimizer optimizer() {
    return optimizer;
  }

  /** The names compile's metrics log under, in order. */
  public List<String> metricNames() {
    List<String> names = new ArrayList<>();
    for (Object spec : metricSpecs) {
      names.add(spec instanceof String ? (String) spec
          : String.valueOf(((Map<?, ?>) ((Map<?, ?>) spec).get("config")).get("name")));
    }
    return names;
  }

  /** compile's metrics as a model file stores them: names, and {class_name, config} maps. */
  List<Object> metricSpecs() {
    return metricSpecs;
  }

  /** The seed of weight initialisation, shuffling and dropout ({@link #setSeed}; drawn if unset). */
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
    if (name.endsWith(".h5") || name.endsWith(".hdf5")) {
      throw new IllegalArgumentException("cannot save " + file + ": Nabla writes Keras files as "
          + ".keras (Keras 3 reads them), not the legacy .h5; name it x.keras");
    }
    lock.readLock().lock(); // a consistent set of weights: no update runs while it is written
    try {
      requireOpen("save");
      if (name.endsWith(".keras")) {
        KerasFiles.save(this, file);
      } else {
        ModelFile.save(this, file, false);
      }
    } finally {
      lock.readLock().unlock();
    }
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
    lock.readLock().lock();
    try {
      requireOpen("saveWeights");
      if (file.getFileName().toString().endsWith(".weights.h5")) { // Keras 3's weights file
        KerasFiles.saveWeights(this, file);
      } else {
        ModelFile.save(this, file, true);
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Loads weights saved by saveWeights or save, or from a Keras {@code .weights.h5} or
   * {@code .keras} file ({@link KerasFiles#loadWeights}); names and shapes must match, else
   * nothing changes. Waits for running predictions; those that start after it see the loaded
   * weights. Refused while another thread trains the model (a callback of the running fit may
   * load).
   */
  public void loadWeights(java.nio.file.Path file) throws java.io.IOException {
    requireBuilt();
    refuseDuringTraining("loadWeights", true); // fails fast, without waiting for the lock
    boolean keras = java.nio.file.Files.isRegularFile(file)
        && KerasFiles.kind(file) != KerasFiles.Kind.OTHER; // Keras's .weights.h5 or .keras
    lock.writeLock().lock();
    try {
      requireOpen("loadWeights");
      refuseDuringTraining("loadWeights", true);
      if (keras) {
        KerasFiles.loadWeights(this, file);
      } else {
        ModelFile.loadWeights(this, file);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** The loss given to compile; null before. */
  public Loss loss() {
    return loss;
  }

  // ---- build ---------------------------------------------------------------------------------

  /** Creates the weights for this per-sample input shape (done by fit if the first layer declared it). */
  public void build(int... sampleShape) {
    backend(); // made first: the lock below is not taken twice for it
    if (lock.getReadHoldCount() > 0 && !lock.isWriteLockedByCurrentThread()) {
      // a read lock cannot be upgraded: waiting here would wait for ourselves
      throw new IllegalStateException("build: the model is not built and this thread is inside "
          + "a prediction on it; build it (or predict once) before sharing it");
    }
    lock.writeLock().lock();
    try {
      requireOpen("build");
      buildLocked(sampleShape);
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void buildLocked(int... sampleShape) {
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

  /** Whether the weights exist (Keras's {@code model.built}). */
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

  /** Keras's {@code count_params()}: the number of weights, e.g. 101,770 for the seed network. */
  public long countParams() {
    requireBuilt();
    return params.size();
  }

  private void requireBuilt() {
    requireOpen(null);
    if (params == null) {
      int[] declared = layers.isEmpty() ? null : layers.get(0).declaredInputShape();
      if (declared == null) {
        throw new IllegalStateException("the model is not built yet: call build(inputShape), "
            + "fit, or give the first layer an input shape (e.g. new Flatten(28, 28))");
      }
      build(declared);
    }
  }

  /** Fails once close() has freed the weights; {@code what} names the refused call, or null. */
  private void requireOpen(String what) {
    if (closed) {
      throw new IllegalStateException((what == null ? "" : what + ": ")
          + "the model is closed: its weights were freed by close()");
    }
  }

  // ---- threads -------------------------------------------------------------------------------

  /**
   * Marks {@code call} (fit or trainOnBatch) as this model's training call, or refuses it while
   * another thread's runs. Taken under the write lock, so close and moves are ordered with it.
   */
  private void beginTraining(String call) {
    refuseConcurrentTraining(call); // fails fast, without waiting for the lock
    lock.writeLock().lock();
    try {
      requireOpen(call);
      synchronized (trainingGuard) {
        refuseConcurrentTraining(call);
        Thread me = Thread.currentThread();
        if (trainer == null) {
          trainer = me;
          trainingCall = call;
        }
        trainingDepth++;
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void refuseConcurrentTraining(String call) {
    synchronized (trainingGuard) {
      if (trainer != null && trainer != Thread.currentThread()) {
        throw new IllegalStateException(call + " refused: " + trainingCall
            + " is running on thread '" + trainer.getName() + "' (one training call at a time "
            + "per model; call it after that one returns)");
      }
    }
  }

  private void endTraining() {
    synchronized (trainingGuard) {
      if (--trainingDepth == 0) {
        trainer = null;
        trainingCall = null;
      }
    }
  }

  /**
   * Refuses {@code call} while a training call runs: on another thread always; on the training
   * thread itself (its callbacks) unless {@code fromTrainerOk}.
   */
  private void refuseDuringTraining(String call, boolean fromTrainerOk) {
    synchronized (trainingGuard) {
      if (trainer == null || fromTrainerOk && trainer == Thread.currentThread()) {
        return;
      }
      throw new IllegalStateException(call + " refused: " + trainingCall + " is running on "
          + (trainer == Thread.currentThread() ? "this thread (a callback)"
          : "thread '" + trainer.getName() + "'") + "; call " + call + " after it returns "
          + "(stopTraining() ends a fit after its current epoch)");
    }
  }

  /**
   * Runs {@code update} (a training step's weight update, a callback) while no prediction or
   * evaluation on another thread runs: they see the weights from before or after it.
   */
  @Override
  public void exclusively(Runnable update) {
    lock.writeLock().lock();
    try {
      update.run();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * The most inference graphs kept per batch shape (default: the number of processors, at least
   * 2): at most this many predictions or evaluations of one batch shape run at once, and a
   * caller beyond them waits for one to finish. Each graph holds one batch's activations. Waits
   * for running predictions, then drops the graphs planned so far.
   *
   * @throws IllegalArgumentException if {@code n < 1}
   */
  public Sequential setMaxParallelPredictions(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("max parallel predictions must be >= 1, got " + n);
    }
    refuseDuringTraining("setMaxParallelPredictions", false); // fails fast, unlocked
    lock.writeLock().lock();
    try {
      refuseDuringTraining("setMaxParallelPredictions", false);
      maxParallelPredictions = n;
      closeInferencePlans();
    } finally {
      lock.writeLock().unlock();
    }
    return this;
  }

  /** The most predictions of one batch shape that run at once (see the setter). */
  public int maxParallelPredictions() {
    return maxParallelPredictions;
  }

  // ---- summary -------------------------------------------------------------------------------

  /** Prints Keras's summary table. */
  public void summary() {
    out.print(summaryString());
    out.flush();
  }

  /** Keras's summary table as text (what {@link #summary} prints). */
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

  /**
   * Keras's {@code fit(x, y, epochs=..., batch_size=...)} with the other arguments at their
   * defaults (shuffled each epoch, a progress bar, no validation).
   *
   * @param x inputs, shape (n, ...) matching the model's input shape, e.g. (60000, 28, 28)
   * @param y labels: for a sparse loss one class index per sample as floats, shape (n) or (n,
   *     1); otherwise the shape of the model's output, e.g. one-hot rows (n, classes)
   * @param epochs the number of passes over x
   * @param batchSize samples per gradient step (the last batch may be smaller)
   * @return the per-epoch logs (loss and metrics), Keras's History
   * @throws IllegalStateException if not compiled, closed, or already training on another thread
   * @throws IllegalArgumentException for shapes that do not match, labels out of range, or
   *     non-finite inputs (the message names which sample)
   */
  public History fit(Tensor x, Tensor y, int epochs, int batchSize) {
    return fit(x, y, new FitOptions().epochs(epochs).batchSize(batchSize));
  }

  /**
   * Keras's {@code fit} with its keyword arguments in {@code o} (epochs, initial_epoch,
   * batch_size, validation_split or validation_data, shuffle, verbose, callbacks); x and y as in
   * {@link #fit(Tensor, Tensor, int, int)}.
   */
  public History fit(Tensor x, Tensor y, FitOptions o) {
    requireCompiled();
    beginTraining("fit");
    try {
      return fitLocked(x, y, o);
    } finally {
      endTraining();
    }
  }

  private History fitLocked(Tensor x, Tensor y, FitOptions o) {
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
    Mean lossTracker = Metrics.mean("loss");
    int steps = (nTrain + o.batchSize - 1) / o.batchSize;
    boolean dynamic = ProgressBar.isTerminal();
    Map<String, Float> logs = new LinkedHashMap<>();
    stopTraining = false;
    optimizer.resumeTraining(List.of(params)); // use_ema: on from where the last fit was
    logs = epochs(o, callbacks, trainX, trainY, valX, valY, steps, nTrain, lossTracker, metrics,
        dynamic, logs);
    Map<String, Float> endLogs = logs;
    exclusively(() -> {
      // as Keras (epochs > 0); an optimizer that never stepped has no average to write
      if (o.epochs > 0 && optimizer.steps() > 0) {
        optimizer.finalizeVariableValues(List.of(params)); // Keras: EMA weights replace the model's
      }
      for (Callback c : callbacks) {
        c.onTrainEnd(endLogs);
      }
    });
    return history;
  }

  private Map<String, Float> epochs(FitOptions o, List<Callback> callbacks, Tensor trainX,
      Tensor trainY, Tensor valX, Tensor valY, int steps, int nTrain, Mean lossTracker,
      List<Metric> metrics, boolean dynamic, Map<String, Float> logs) {
    // callbacks may change the weights (EarlyStopping restores the best): they run exclusively
    boolean batchHooks = anyBatchHook(callbacks);
    exclusively(() -> callbacks.forEach(Callback::onTrainBegin));
    try (EpochRunner runner = new EpochRunner(this, trainX, trainY, nTrain, o.batchSize,
        o.shuffle, lossTracker, metrics, argmaxMetricsOnly(trainY, metrics),
        loss.deviceTallied())) {
      // Keras's loop: a stop asked in a batch hook ends the epoch after that batch (the runner
      // checks after every batch); the epoch's validation and on_epoch_end still run, then the
      // loop ends
      for (int epoch = o.initialEpoch; epoch < o.epochs; epoch++) {
        int e = epoch;
        exclusively(() -> {
          for (Callback c : callbacks) {
            c.onEpochBegin(e);
          }
        });
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
            if (batchHooks) { // only callbacks with a batch hook hold predictions off
              exclusively(() -> {
                for (Callback c : callbacks) {
                  c.onTrainBatchEnd(step, batchLogs);
                }
              });
            }
          }
        });
        logs = new LinkedHashMap<>();
        fillLogs(logs, lossTracker, metrics, "");
        if (valX != null) { // on a device: the validation set uploaded once for the fit
          List<Metric> valMetrics = resolveMetrics(valY);
          Mean valLoss = Metrics.mean("loss");
          lock.readLock().lock(); // its inference graphs stay open while it runs
          try {
            runner.validate(valX, valY, o.batchSize, valLoss, valMetrics,
                argmaxMetricsOnly(valY, valMetrics));
          } finally {
            lock.readLock().unlock();
          }
          fillLogs(logs, valLoss, valMetrics, "val_");
        }
        epochsDone = epoch + 1;
        Map<String, Float> epochLogs = logs;
        exclusively(() -> {
          for (Callback c : callbacks) {
            c.onEpochEnd(e, epochLogs);
          }
        });
        bar.finish(logs);
        if (stopTraining) {
          break;
        }
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
   * Whether every compiled metric, as resolved for labels {@code y}, is the argmax accuracy a
   * device step run tallies with the loss: the fused cross-entropy kernel counts
   * argmax(prediction) == label index (sparse loss) or == argmax(one-hot label), so the metric
   * must be SparseCategoricalAccuracy under a sparse loss or CategoricalAccuracy under the
   * categorical one, over (batch, classes) predictions. Anything else is computed on the host.
   */
  private boolean argmaxMetricsOnly(Tensor y, List<Metric> resolved) {
    int[] out = outputShape();
    if (Tensor.sizeOf(out) < 2 || !loss.deviceTallied()) {
      return false;
    }
    boolean sparse = loss.sparseLabels();
    for (Metric m : resolved) {
      boolean argmax = out.length == 1 && (sparse ? m instanceof SparseCategoricalAccuracy
          : m instanceof CategoricalAccuracy && y.rank() == 2 && y.dim(1) == out[0]);
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
    beginTraining("trainOnBatch");
    try {
      return trainOnBatchLocked(x, y);
    } finally {
      endTraining();
    }
  }

  private Map<String, Float> trainOnBatchLocked(Tensor x, Tensor y) {
    applyMatmulPrecision();
    int rows = checkData(x, y, "trainOnBatch");
    optimizer.resumeTraining(List.of(params)); // use_ema: on from where the last fit was
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

  /**
   * Keras's {@code evaluate(x, y)} with batch_size 32 and a progress bar: the mean loss and each
   * compiled metric over all of x, as {"loss": ..., "accuracy": ...}. x and y as in
   * {@link #fit(Tensor, Tensor, int, int)}; dropout is off. Safe to call from several threads at
   * once.
   */
  public Map<String, Float> evaluate(Tensor x, Tensor y) {
    return evaluate(x, y, 32, 1);
  }

  /**
   * Keras's {@code evaluate(x, y, batch_size, verbose)}: as {@link #evaluate(Tensor, Tensor)}
   * with {@code batchSize} samples per step (>= 1) and verbose 0 (silent) or 1 (progress bar).
   */
  public Map<String, Float> evaluate(Tensor x, Tensor y, int batchSize, int verbose) {
    requireCompiled();
    checkData(x, y, "evaluate");
    applyMatmulPrecision();
    lock.readLock().lock(); // alongside other evaluations and predictions; never mid-update
    try {
      requireOpen("evaluate");
      return evaluateInto(x, y, batchSize, verbose, "");
    } finally {
      lock.readLock().unlock();
    }
  }

  private Map<String, Float> evaluateInto(Tensor x, Tensor y, int batchSize, int verbose,
      String prefix) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch_size must be positive, got " + batchSize);
    }
    int n = x.dim(0);
    List<Metric> metrics = resolveMetrics(y);
    Mean lossTracker = Metrics.mean("loss");
    int steps = (n + batchSize - 1) / batchSize;
    ProgressBar bar = new ProgressBar(out, steps, verbose, ProgressBar.isTerminal());
    Map<String, Float> logs = new LinkedHashMap<>();
    EpochRunner.evaluate(this, x, y, batchSize, lossTracker, metrics,
        argmaxMetricsOnly(y, metrics),
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

  /**
   * Keras's {@code predict(x)}: the model's outputs for inputs x of shape (n, ...), computed
   * 32 samples at a time, as a new host tensor (n, outputs) the caller closes (softmax
   * probabilities for the seed network). Dropout is off. Safe to call from several threads at
   * once; each call gets exactly the single-threaded answer.
   */
  public Tensor predict(Tensor x) {
    return predict(x, 32);
  }

  /**
   * The model's outputs for x (batch, ...sample shape) in batches of {@code batchSize}: a new
   * host tensor (batch, ...output shape) that the caller closes. Keras's predict. Thread-safe
   * (see the class comment): concurrent calls each get exactly their single-threaded answer.
   *
   * @throws IllegalArgumentException if x's samples do not match the model's input shape, hold
   *     a non-finite value, or batchSize is not positive
   * @throws IllegalStateException if the model is closed
   */
  public Tensor predict(Tensor x, int batchSize) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("predict: batch_size must be positive, got "
          + batchSize);
    }
    applyMatmulPrecision();
    int n = checkInputs(x, "predict");
    lock.readLock().lock(); // alongside other predictions; never during a weight update
    try {
      requireOpen("predict");
      int[] outShape = outputShape();
      int[] full = new int[outShape.length + 1];
      full[0] = n;
      System.arraycopy(outShape, 0, full, 1, outShape.length);
      Tensor result = Tensor.zeros(full);
      try {
        long width = Tensor.sizeOf(outShape);
        for (int start = 0; start < n; start += batchSize) {
          int rows = Math.min(batchSize, n - start);
          StepPlan p = checkout(rows, null); // this thread's alone until released
          try {
            copyRows(x, start, rows, p.xHost);
            p.upload();
            p.graph.forward();
            result.buffer().put((int) (start * width), p.predictions().buffer(), 0,
                (int) (rows * width));
          } finally {
            release(p);
          }
        }
      } catch (RuntimeException | Error e) {
        result.close();
        throw e;
      }
      return result;
    } finally {
      lock.readLock().unlock();
    }
  }

  // ---- plans ---------------------------------------------------------------------------------

  /**
   * The training graph planned for batches of {@code rows} (for the training loop; one per
   * shape). Inference graphs are checked out with {@link #checkout}.
   *
   * @throws IllegalArgumentException if {@code training} is false
   */
  @Override
  public StepPlan plan(boolean training, int rows, Tensor labels) {
    if (!training) {
      throw new IllegalArgumentException("inference plans are checked out with checkout(rows, "
          + "labels) and given back with release: each caller needs its own");
    }
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

  /**
   * An inference graph for {@code rows} (labels shaped like {@code labels}, or none), the
   * caller's alone until {@link #release}: an idle one of that shape, else a new one while the
   * shape has fewer than {@link #maxParallelPredictions}, else the next one released. Call with
   * the model's read lock held (predict and evaluate do): plans are closed only under the
   * write lock, so none is closed while checked out.
   */
  @Override
  public StepPlan checkout(int rows, Tensor labels) {
    int[] labelShape = labels == null ? null : labels.shape();
    if (labelShape != null) {
      labelShape[0] = rows;
    }
    PlanPool pool = inference.computeIfAbsent(inferenceKey(rows, labelShape),
        k -> new PlanPool(maxParallelPredictions));
    try {
      pool.slots.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a free inference graph "
          + "for batches of " + rows, e);
    }
    StepPlan p = pool.idle.poll();
    if (p == null) {
      try {
        p = newPlan(false, rows, labelShape);
      } catch (RuntimeException | Error e) {
        pool.slots.release();
        throw e;
      }
      pool.all.add(p);
    }
    return p;
  }

  /** Gives back a plan from {@link #checkout}. */
  @Override
  public void release(StepPlan p) {
    PlanPool pool = inference.get(inferenceKey(p.x.shape()[0], p.y == null ? null
        : p.y.shape()));
    pool.idle.push(p); // most recently used first: its memory is the warmest
    pool.slots.release();
  }

  private static String inferenceKey(int rows, int[] labelShape) {
    return rows + ":" + Arrays.toString(labelShape);
  }

  /** One batch shape's inference graphs: at most {@code slots} in use at once. */
  private static final class PlanPool {
    final Semaphore slots;
    final ConcurrentLinkedDeque<StepPlan> idle = new ConcurrentLinkedDeque<>();
    final ConcurrentLinkedDeque<StepPlan> all = new ConcurrentLinkedDeque<>();

    PlanPool(int size) {
      slots = new Semaphore(size);
    }
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

  /** Frees every planned graph; under the write lock, so no caller holds one. */
  private void closePlans() {
    plans.values().forEach(StepPlan::close);
    plans.clear();
    closeInferencePlans();
  }

  private void closeInferencePlans() {
    for (PlanPool pool : inference.values()) {
      pool.all.forEach(StepPlan::close);
    }
    inference.clear();
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
    requireOpen(what);
    if (params == null) { // built once, under the write lock (build), before any shared use
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
    int[] predShape = new int[outputShape().length + 1];
    predShape[0] = n;
    System.arraycopy(outputShape(), 0, predShape, 1, predShape.length - 1);
    loss.checkLabels(y, predShape, what); // class indices in range (or the ignored class)
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

  /** Fresh metrics for labels like {@code y}, as Keras's compile builds them on first use. */
  private List<Metric> resolveMetrics(Tensor y) {
    List<Metric> result = new ArrayList<>();
    int[] out = outputShape();
    int[] predShape = new int[out.length + 1];
    predShape[0] = y.rank() == 0 ? 1 : y.dim(0);
    System.arraycopy(out, 0, predShape, 1, out.length);
    for (Object spec : metricSpecs) {
      if (spec instanceof String) {
        String name = (String) spec;
        result.add(isAccuracy(name) ? Metrics.resolveAccuracy(name, y.shape(), predShape)
            : Metrics.get(name, Map.of("name", name)));
      } else {
        Map<?, ?> desc = (Map<?, ?>) spec;
        @SuppressWarnings("unchecked")
        Map<String, ?> config = (Map<String, ?>) desc.get("config");
        result.add(Metrics.get((String) desc.get("class_name"), config));
      }
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

  /**
   * Frees the parameters, gradients, planned graphs and optimizer state. Waits for running
   * predictions and evaluations to finish (it never frees memory under them); calls made after
   * it fail with "the model is closed". Closing twice does nothing.
   *
   * @throws IllegalStateException while fit or trainOnBatch runs (on any thread): close after
   *     it returns
   */
  @Override
  public void close() {
    if (!closed) {
      refuseDuringTraining("close", false); // fails fast, without waiting for the lock
    }
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      refuseDuringTraining("close", false);
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
    } finally {
      lock.writeLock().unlock();
    }
  }
}

package dev.nabla.nn;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import dev.nabla.Variable;
import dev.nabla.backend.Backend;
import dev.nabla.io.AtomicFiles;
import dev.nabla.io.SafeTensors.ModelFileException;
import dev.nabla.losses.Losses;
import dev.nabla.nn.layers.Activation;
import dev.nabla.nn.layers.Dense;
import dev.nabla.nn.layers.Dropout;
import dev.nabla.nn.layers.ELU;
import dev.nabla.nn.layers.Flatten;
import dev.nabla.nn.layers.Layer;
import dev.nabla.nn.layers.LeakyReLU;
import dev.nabla.nn.layers.ReLU;
import dev.nabla.nn.layers.Softmax;
import dev.nabla.optimizers.Optimizer;
import dev.nabla.optimizers.Optimizers;
import dev.nabla.optimizers.schedules.LearningRateSchedule;
import dev.nabla.optimizers.schedules.Schedules;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.WritableGroup;
import io.jhdf.exceptions.HdfException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Keras's model files for Sequential models: {@code .keras} (Keras 3's zip of config.json,
 * metadata.json and model.weights.h5, read and written), Keras 3's {@code .weights.h5} (read and
 * written) and the legacy full-model {@code .h5} (Keras 1/2 and tf.keras: attributes
 * model_config and training_config, group model_weights; read). Mirrors
 * {@code keras.models.load_model(path, compile=...)}, {@code model.save(path)} and
 * {@code save_weights}/{@code load_weights}.
 *
 * <p>Layers read: InputLayer, Flatten, Dense, Dropout, Activation, ReLU, LeakyReLU, ELU and
 * Softmax, with their configs read exactly (Keras 2's LeakyReLU alpha, Keras 3's
 * negative_slope; regularizers, constraints, non-float32 dtypes, frozen layers and the other
 * forms Nabla cannot reproduce are refused, naming the layer). Any other layer (Reshape, Conv2D,
 * ...) is refused with its name and class before anything is allocated. Weights are in Keras's
 * layout, which is Nabla's: a Dense kernel is (inputs, units).
 *
 * <p>With compile, the compile configuration (optimizer and all its arguments, loss, metrics)
 * is read, and from a {@code .keras} file the optimizer's variables (iterations, learning rate,
 * slots of SGD, Adam, AdamW and RMSprop) so that fit continues as Keras would have. Keras 2's
 * time-based {@code decay} becomes the InverseTimeDecay schedule it equals. The optimizer
 * variables of an {@code .h5} Keras 3 wrote are read too; a Keras 2 {@code .h5} with optimizer
 * variables (optimizer_weights) is refused with compile (their names and order changed from
 * version to version): load it with compile false and compile again, or re-save it in Keras 3.
 *
 * <p>Errors are {@link ModelFileException}s naming the file and what is wrong. Writing is atomic
 * ({@link AtomicFiles}): a failed save leaves the previous file.
 */
public final class KerasFiles {
  private KerasFiles() {}

  /** The kinds of model file, told apart by their first bytes (never by the name). */
  public enum Kind { KERAS_ZIP, HDF5, OTHER }

  private static final Gson GSON = new GsonBuilder().serializeNulls().create();
  private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a,
      '\n'};
  /** config.json and metadata.json larger than this are refused (a zip bomb reads as large). */
  private static final long MAX_JSON_BYTES = 64L << 20;
  private static final long MAX_WEIGHTS_BYTES = Integer.MAX_VALUE - 8;
  /** The Keras version written into metadata.json: the saving_lib layout this writer follows. */
  static final String KERAS_VERSION = "3.15.0";

  /** The file's kind from its first bytes: a zip (.keras), HDF5 (.h5) or anything else. */
  public static Kind kind(Path file) throws IOException {
    byte[] head = new byte[8];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, 8);
    }
    if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
      return Kind.KERAS_ZIP;
    }
    if (n == 8 && Arrays.equals(head, HDF5_SIGNATURE)) {
      return Kind.HDF5;
    }
    return Kind.OTHER;
  }

  /** {@code load(file, true)}: the model compiled as saved, with its optimizer state. */
  public static Sequential load(Path file) throws IOException {
    return load(file, true, null);
  }

  /**
   * Reads a {@code .keras} or legacy {@code .h5} Keras file (Keras's load_model).
   *
   * @param compile whether to compile the model as the file says (Keras's compile=True) and
   *     restore the optimizer's variables; false gives an uncompiled model with the weights
   * @throws ModelFileException naming the file and the problem: not a Keras file, a model
   *     other than Sequential, an unsupported layer (named with its class), weights that do not
   *     match the architecture, an unsupported optimizer, loss or metric
   */
  public static Sequential load(Path file, boolean compile) throws IOException {
    return load(file, compile, null);
  }

  static Sequential load(Path file, boolean compile, Backend backend) throws IOException {
    Kind kind = kind(file);
    try {
      if (kind == Kind.KERAS_ZIP) {
        return loadZip(file, compile, backend);
      }
      if (kind == Kind.HDF5) {
        try (HdfFile h = new HdfFile(file)) {
          return loadLegacyH5(file, h, compile, backend);
        }
      }
    } catch (HdfException e) {
      throw damaged(file, e);
    } catch (RuntimeException e) {
      if (thrownByJhdf(e)) { // its other failures on damaged bytes (ArithmeticException, ...)
        throw damaged(file, e);
      }
      throw e;
    }
    throw new ModelFileException(file + ": neither a .keras file (a zip) nor an HDF5 .h5 file");
  }

  private static ModelFileException damaged(Path file, RuntimeException e) {
    return new ModelFileException(file + ": its HDF5 content is damaged or not Keras's ("
        + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
  }

  /** Whether the first frame outside the JDK is jHDF's (a damaged file, not a bug of ours). */
  private static boolean thrownByJhdf(Throwable e) {
    for (StackTraceElement f : e.getStackTrace()) {
      String c = f.getClassName();
      if (!c.startsWith("java.") && !c.startsWith("jdk.") && !c.startsWith("sun.")) {
        return c.startsWith("io.jhdf.");
      }
    }
    return false;
  }

  // ---- reading: .keras ----------------------------------------------------------------------

  private static Sequential loadZip(Path file, boolean compile, Backend backend)
      throws IOException {
    String configJson;
    String metadataJson;
    byte[] weights;
    try (ZipFile zip = new ZipFile(file.toFile())) {
      ZipEntry config = zip.getEntry("config.json");
      if (config == null) {
        throw new ModelFileException(file + ": a zip without config.json: not a .keras file");
      }
      configJson = new String(read(file, zip, config, MAX_JSON_BYTES), StandardCharsets.UTF_8);
      ZipEntry meta = zip.getEntry("metadata.json");
      // tf.keras 2.13-2.15 wrote .keras files too, with Keras 2's activations (hard_sigmoid)
      metadataJson = meta == null ? null
          : new String(read(file, zip, meta, MAX_JSON_BYTES), StandardCharsets.UTF_8);
      ZipEntry w = zip.getEntry("model.weights.h5");
      if (w == null) {
        throw new ModelFileException(file + ": has no model.weights.h5"
            + (zip.getEntry("model.weights.npz") != null
                ? " (its weights are in .npz form, which Nabla does not read; save with the "
                    + "default h5 weights)" : ""));
      }
      weights = read(file, zip, w, MAX_WEIGHTS_BYTES);
    } catch (ZipException e) {
      throw new ModelFileException(file + ": a damaged zip (" + e.getMessage() + ")");
    }
    Map<String, Object> config = json(file, "config.json", configJson);
    if (metadataJson != null
        && json(file, "metadata.json", metadataJson).get("keras_version") instanceof String v) {
      config.put("keras_version", v);
    }
    try (HdfFile h = HdfFile.fromBytes(weights)) {
      Group root = h;
      String layersGroup = h.getChildren().containsKey("layers") ? "layers"
          : h.getChildren().containsKey("_layer_checkpoint_dependencies")
              ? "_layer_checkpoint_dependencies" : "layers";
      Map<?, ?> compileConfig = config.get("compile_config") instanceof Map<?, ?> c
          && !c.isEmpty() ? c : null;
      return build(file, weights.length, config, compile ? compileConfig : null,
          new WeightSource() {
        final Map<String, Integer> used = new HashMap<>();

        @Override
        public List<Dataset> weights(String kerasName, String className, int count)
            throws IOException {
          // saving_lib names a Sequential's layers by class and position, not by their names
          String base = snake(className);
          int n = used.merge(base, 1, Integer::sum);
          String path = layersGroup + "/" + (n == 1 ? base : base + "_" + (n - 1)) + "/vars";
          return numbered(file, root, path, count);
        }
      }, (m, opt) -> loadKerasOptimizerVariables(file, root, m, opt), backend);
    }
  }

  private static byte[] read(Path file, ZipFile zip, ZipEntry e, long limit) throws IOException {
    if (e.getSize() > limit) {
      throw new ModelFileException(file + ": " + e.getName() + " is " + e.getSize()
          + " bytes, more than the " + limit + " Nabla reads");
    }
    try (InputStream in = zip.getInputStream(e)) {
      byte[] b = in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 8) + 1);
      if (b.length > limit) {
        throw new ModelFileException(file + ": " + e.getName() + " is larger than the " + limit
            + " bytes Nabla reads");
      }
      return b;
    }
  }

  /** Datasets "0", "1", ... of a group (Keras 3's vars), exactly {@code count} of them. */
  private static List<Dataset> numbered(Path file, Group root, String path, int count)
      throws IOException {
    Node node = count == 0 ? null : find(root, path);
    if (count == 0) {
      return List.of();
    }
    if (!(node instanceof Group g)) {
      throw new ModelFileException(file + ": model.weights.h5 has no group " + path);
    }
    Map<String, Node> children = g.getChildren();
    List<Dataset> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      if (!(children.get(Integer.toString(i)) instanceof Dataset d)) {
        throw new ModelFileException(file + ": model.weights.h5 has no dataset " + path + "/" + i);
      }
      out.add(d);
    }
    if (children.size() != count) {
      throw new ModelFileException(file + ": " + path + " holds " + children.size()
          + " variables; the layer has " + count);
    }
    return out;
  }

  private static Node find(Group root, String path) {
    Node n = root;
    for (String part : path.split("/")) {
      if (!(n instanceof Group g) || !g.getChildren().containsKey(part)) {
        return null;
      }
      n = g.getChildren().get(part);
    }
    return n;
  }

  // ---- reading: legacy .h5 ------------------------------------------------------------------

  private static Sequential loadLegacyH5(Path file, HdfFile h, boolean compile, Backend backend)
      throws IOException {
    String modelConfig = stringAttribute(file, h, "model_config");
    if (modelConfig == null) {
      throw new ModelFileException(file + ": an HDF5 file without a model_config attribute"
          + (h.getAttributes().containsKey("layer_names") ? " (a weights-only file: build the "
              + "model in code)" : ": not a Keras full-model file"));
    }
    Map<String, Object> config = json(file, "model_config", modelConfig);
    String version = stringAttribute(file, h, "keras_version");
    config.put("keras_version", version == null ? "2" : version);
    Map<?, ?> compileConfig = null;
    String training = stringAttribute(file, h, "training_config");
    if (compile && training != null) {
      Map<String, Object> t = json(file, "training_config", training);
      if (h.getChildren().containsKey("optimizer_weights") && !config.get("keras_version")
          .toString().startsWith("3")) {
        // Keras 2's variable names and order changed from version to version
        throw new ModelFileException(file + ": holds Keras 2 optimizer variables "
            + "(optimizer_weights), which Nabla does not read; load it with compile=false "
            + "(KerasFiles.load(path, false)) and compile again, or re-save it as .keras in "
            + "Keras 3");
      }
      compileConfig = legacyCompileConfig(t);
    }
    // Keras 3's .h5: optimizer_weights lists optimizer.variables in order, as .keras does
    OptimizerState optimizerState = (m, opt) -> {
      if (h.getChildren().get("optimizer_weights") instanceof Group ow) {
        List<Dataset> vars = new ArrayList<>();
        for (String name : strings(file, ow, "weight_names")) {
          if (!(find(ow, name) instanceof Dataset d)) {
            throw new ModelFileException(file + ": optimizer_weights has no dataset " + name);
          }
          vars.add(d);
        }
        if (!vars.isEmpty()) {
          loadKerasOptimizerVariables(file, vars, "optimizer_weights #", m, opt);
        }
      }
    };
    Node weightsNode = h.getChildren().get("model_weights");
    if (!(weightsNode instanceof Group weightsGroup)) {
      throw new ModelFileException(file + ": has no model_weights group");
    }
    return build(file, Files.size(file), config, compileConfig,
        (kerasName, className, count) -> {
      Node g = weightsGroup.getChildren().get(kerasName);
      if (count == 0) {
        return List.of();
      }
      if (!(g instanceof Group layer)) {
        throw new ModelFileException(file + ": model_weights has no group for layer '"
            + kerasName + "'");
      }
      String[] names = strings(file, layer, "weight_names");
      if (names.length != count) {
        throw new ModelFileException(file + ": layer '" + kerasName + "' has " + names.length
            + " weights in the file; a " + className + " like it has " + count);
      }
      List<Dataset> out = new ArrayList<>();
      for (String n : names) {
        Node d = find(layer, n);
        if (!(d instanceof Dataset ds)) {
          throw new ModelFileException(file + ": model_weights/" + kerasName + " has no dataset "
              + n);
        }
        out.add(ds);
      }
      return out;
    }, optimizerState, backend);
  }

  /** Keras 2's training_config in Keras 3's compile_config form. */
  private static Map<String, Object> legacyCompileConfig(Map<String, Object> t) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("optimizer", t.get("optimizer_config"));
    c.put("loss", t.get("loss"));
    c.put("metrics", t.get("metrics"));
    c.put("loss_weights", t.get("loss_weights"));
    c.put("weighted_metrics", t.get("weighted_metrics"));
    return c;
  }

  private static String stringAttribute(Path file, Node n, String name) throws IOException {
    Attribute a = n.getAttributes().get(name);
    if (a == null) {
      return null;
    }
    Object d = a.isEmpty() ? null : a.getData();
    if (d instanceof String s) {
      return s;
    }
    throw new ModelFileException(file + ": attribute " + name + " is not a string");
  }

  private static String[] strings(Path file, Node n, String name) throws IOException {
    Attribute a = n.getAttributes().get(name);
    if (a == null || a.isEmpty()) {
      return new String[0];
    }
    Object d = a.getData();
    if (d instanceof String[] s) {
      return s;
    }
    if (d instanceof String s) {
      return new String[] {s};
    }
    throw new ModelFileException(file + ": attribute " + n.getPath() + " " + name
        + " is not a list of strings");
  }

  // ---- building the model -------------------------------------------------------------------

  @FunctionalInterface
  private interface WeightSource {
    List<Dataset> weights(String kerasName, String className, int count) throws IOException;
  }

  @FunctionalInterface
  private interface OptimizerState {
    void load(Sequential m, Optimizer opt) throws IOException;
  }

  /** A Keras layer as the file describes it, mapped to Nabla's before anything is allocated. */
  private record Planned(String name, String className, Layer layer) {}

  private static Sequential build(Path file, long fileBytes, Map<String, Object> root,
      Map<?, ?> compileConfig, WeightSource weights, OptimizerState optimizerState,
      Backend backend) throws IOException {
    String version = root.get("keras_version") instanceof String v ? v
        : "3"; // a .keras file is Keras 3's (metadata.json's version does not change the reading)
    boolean keras2 = !version.startsWith("3");
    int[] inputShape;
    List<Planned> planned = new ArrayList<>();
    try {
      Object cls = root.get("class_name");
      if (!"Sequential".equals(cls)) {
        throw new IllegalArgumentException("a " + cls + " model; Nabla reads Sequential models "
            + "(rebuild a Functional model of one input chain as keras.Sequential and save it)");
      }
      Object cfg = root.get("config");
      List<?> layers = cfg instanceof List<?> l ? l // the oldest Keras 2: a bare list of layers
          : cfg instanceof Map<?, ?> c && c.get("layers") instanceof List<?> l2 ? l2 : null;
      if (layers == null || layers.isEmpty()) {
        throw new IllegalArgumentException("the model config has no layers");
      }
      inputShape = null;
      Set<String> names = new HashSet<>();
      for (Object o : layers) {
        if (!(o instanceof Map<?, ?> l) || !(l.get("class_name") instanceof String className)
            || !(l.get("config") instanceof Map<?, ?> lc)) {
          throw new IllegalArgumentException("a layer entry without class_name and config: " + o);
        }
        String name = lc.get("name") instanceof String s ? s : snake(className);
        if (!names.add(name) || name.isEmpty() || name.contains("/")) {
          throw new IllegalArgumentException("layer name '" + name + "' is empty, repeated or "
              + "holds '/'");
        }
        int[] declared = declaredShape(lc);
        if (className.equals("InputLayer")) {
          if (!planned.isEmpty() || declared == null) {
            throw new IllegalArgumentException("InputLayer '" + name + "' must come first and "
                + "give its shape");
          }
          inputShape = declared;
          continue;
        }
        if (planned.isEmpty() && inputShape == null) {
          inputShape = declared; // older files carry the input shape on the first layer
        }
        planned.add(new Planned(name, className, layer(name, className, lc, keras2)));
      }
      if (planned.isEmpty()) {
        throw new IllegalArgumentException("the model has no layers after its InputLayer");
      }
      if (inputShape == null && cfg instanceof Map<?, ?> c) {
        inputShape = batchShape(c.get("build_input_shape"));
      }
      if (inputShape == null && root.get("build_config") instanceof Map<?, ?> b) {
        inputShape = batchShape(b.get("input_shape"));
      }
      if (inputShape == null) {
        throw new IllegalArgumentException("no input shape: neither an InputLayer, nor a "
            + "batch_input_shape on the first layer, nor a build_input_shape");
      }
    } catch (IllegalArgumentException | ClassCastException e) {
      throw new ModelFileException(file + ": " + e.getMessage());
    }

    // shapes of every weight, from the architecture, checked against the file before allocating
    List<List<Dataset>> data = new ArrayList<>();
    List<List<Layer.ParamSpec>> specs = new ArrayList<>();
    int[] shape = inputShape;
    long parameters = 0;
    try {
      for (Planned p : planned) {
        List<Layer.ParamSpec> ps = p.layer.params(shape);
        for (Layer.ParamSpec spec : ps) {
          parameters += dev.nabla.Tensor.sizeOf(spec.shape());
        }
        // a file may not make us allocate far more than it holds (Keras stores weights
        // uncompressed: 4 bytes each)
        if (parameters > Math.max(16L << 20, fileBytes)) {
          throw new IllegalArgumentException("the architecture has " + parameters
              + " parameters up to layer '" + p.name + "', more than the file's " + fileBytes
              + " bytes can hold");
        }
        List<Dataset> ds = weights.weights(p.name, p.className, ps.size());
        for (int i = 0; i < ps.size(); i++) {
          int[] fileShape = ds.get(i).getDimensions();
          if (!Arrays.equals(fileShape, ps.get(i).shape())) {
            throw new ModelFileException(file + ": layer '" + p.name + "' (" + p.className
                + ") weight " + ps.get(i).name() + " has shape " + Arrays.toString(fileShape)
                + " in the file; the architecture needs " + Arrays.toString(ps.get(i).shape()));
          }
          Class<?> type = ds.get(i).getJavaType();
          if (type != float.class) {
            throw new ModelFileException(file + ": layer '" + p.name + "' weight "
                + ps.get(i).name() + " is " + type.getSimpleName() + "; Nabla reads float32");
          }
        }
        specs.add(ps);
        data.add(ds);
        shape = p.layer.outputShape(shape);
      }
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new ModelFileException(file + ": " + e.getMessage());
    }

    Sequential m = new Sequential();
    if (backend != null) {
      m.setBackend(backend);
    }
    try {
      for (Planned p : planned) {
        m.add(p.layer);
        p.layer.setName(p.name); // Keras's names, so that a save writes them back
      }
      m.build(inputShape);
      int k = 0;
      List<Variable> vars = m.weights();
      for (List<Dataset> ds : data) {
        for (Dataset d : ds) {
          vars.get(k++).copyFrom((float[]) d.getDataFlat());
        }
      }
      if (compileConfig != null) {
        Optimizer opt = optimizer(compileConfig.get("optimizer"));
        m.compile(opt, loss(compileConfig.get("loss")), metrics(compileConfig));
        if (optimizerState != null) {
          optimizerState.load(m, opt);
        }
      }
      return m;
    } catch (IllegalArgumentException | IllegalStateException | ClassCastException
        | HdfException e) {
      m.close();
      throw new ModelFileException(file + ": " + e.getMessage());
    } catch (IOException | RuntimeException | Error e) {
      m.close();
      throw e;
    }
  }

  /** The per-sample shape from a layer's batch_input_shape (Keras 2) or batch_shape (Keras 3). */
  private static int[] declaredShape(Map<?, ?> lc) {
    for (String key : List.of("batch_shape", "batch_input_shape")) {
      if (lc.get(key) != null) {
        return batchShape(lc.get(key));
      }
    }
    if (lc.get("input_dim") instanceof Number n) { // Keras 1's Dense(input_dim=...)
      return new int[] {n.intValue()};
    }
    return null;
  }

  private static int[] batchShape(Object o) {
    if (!(o instanceof List<?> l) || l.size() < 2) {
      return null;
    }
    int[] out = new int[l.size() - 1];
    for (int i = 1; i < l.size(); i++) {
      if (!(l.get(i) instanceof Number n) || n.doubleValue() < 1 || n.doubleValue() != Math.rint(
          n.doubleValue()) || n.doubleValue() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("input shape " + l + ": every dimension after the "
            + "batch must be a positive integer (Nabla has no variable-length inputs)");
      }
      out[i - 1] = n.intValue();
    }
    return out;
  }

  /** Nabla's layer for a Keras layer config, or a refusal naming the layer and its class. */
  private static Layer layer(String name, String cls, Map<?, ?> c, boolean keras2) {
    String what = "layer '" + name + "' (" + cls + ")";
    try {
      return layerOf(what, cls, c, keras2);
    } catch (IllegalArgumentException e) {
      String m = String.valueOf(e.getMessage());
      throw new IllegalArgumentException(m.startsWith(what) ? m : what + ": " + m, e);
    }
  }

  private static Layer layerOf(String what, String cls, Map<?, ?> c, boolean keras2) {
    if (Boolean.FALSE.equals(c.get("trainable")) && cls.equals("Dense")) {
      throw new IllegalArgumentException(what + " is frozen (trainable=false); Nabla trains "
          + "every layer");
    }
    checkDtype(what, c.get("dtype"));
    switch (cls) {
      case "Dense": {
        for (String key : List.of("kernel_regularizer", "bias_regularizer",
            "activity_regularizer", "kernel_constraint", "bias_constraint", "W_regularizer",
            "b_regularizer", "W_constraint", "b_constraint", "lora_rank",
            "quantization_config")) {
          if (c.get(key) != null) {
            throw new IllegalArgumentException(what + " has " + key + "=" + c.get(key)
                + ", which Nabla does not support");
          }
        }
        Object units = c.containsKey("units") ? c.get("units") : c.get("output_dim");
        if (!(units instanceof Number u)) {
          throw new IllegalArgumentException(what + ": 'units' must be a number, got " + units);
        }
        Object bias = c.containsKey("use_bias") ? c.get("use_bias") : c.get("bias");
        Dense d = new Dense(u.intValue(), activation(what, c.get("activation"), keras2))
            .useBias(!Boolean.FALSE.equals(bias));
        String ki = initializer(c.get("kernel_initializer"));
        if (ki != null) {
          d.kernelInitializer(ki);
        }
        String bi = initializer(c.get("bias_initializer"));
        if (bi != null) {
          d.biasInitializer(bi);
        }
        return d;
      }
      case "Dropout": {
        if (c.get("noise_shape") != null) {
          throw new IllegalArgumentException(what + " has a noise_shape, which Nabla lacks");
        }
        Object rate = c.containsKey("rate") ? c.get("rate") : c.get("p");
        if (!(rate instanceof Number r)) {
          throw new IllegalArgumentException(what + ": 'rate' must be a number, got " + rate);
        }
        return new Dropout(r.doubleValue());
      }
      case "Flatten":
        if ("channels_first".equals(c.get("data_format"))) {
          throw new IllegalArgumentException(what + " has data_format channels_first, which "
              + "Nabla lacks");
        }
        return new Flatten();
      case "Activation":
        return new Activation(activation(what, c.get("activation"), keras2));
      case "ReLU": {
        Object max = c.get("max_value");
        return new ReLU(max instanceof Number n ? n.doubleValue() : null,
            number(what, c, "negative_slope", 0), number(what, c, "threshold", 0));
      }
      case "LeakyReLU":
        return new LeakyReLU(c.containsKey("negative_slope")
            ? number(what, c, "negative_slope", LeakyReLU.DEFAULT_SLOPE)
            : number(what, c, "alpha", LeakyReLU.DEFAULT_SLOPE));
      case "ELU":
        return new ELU(number(what, c, "alpha", 1.0));
      case "Softmax": {
        Object axis = c.get("axis");
        if (axis != null && !(axis instanceof Number n && n.intValue() == -1)
            && !(axis instanceof List<?> l && l.size() == 1 && l.get(0) instanceof Number n1
                && n1.intValue() == -1)) {
          throw new IllegalArgumentException(what + " is over axis " + axis + "; Nabla's "
              + "softmax is over the last axis");
        }
        return new Softmax();
      }
      default:
        throw new IllegalArgumentException(what + " is not supported; Nabla reads InputLayer, "
            + "Flatten, Dense, Dropout, Activation, ReLU, LeakyReLU, ELU and Softmax");
    }
  }

  private static void checkDtype(String what, Object dtype) {
    String name = dtype instanceof String s ? s
        : dtype instanceof Map<?, ?> m && m.get("config") instanceof Map<?, ?> c
            && c.get("name") instanceof String s2 ? s2 : null;
    if (name != null && !name.equals("float32")) {
      throw new IllegalArgumentException(what + " has dtype " + name + "; Nabla computes in "
          + "float32");
    }
  }

  private static double number(String what, Map<?, ?> c, String key, double fallback) {
    Object v = c.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Number n)) {
      throw new IllegalArgumentException(what + ": '" + key + "' must be a number, got " + v);
    }
    return n.doubleValue();
  }

  /** An activation name from a config (a string, or Keras 3's serialized function). */
  private static String activation(String what, Object a, boolean keras2) {
    String name = a == null ? null : a instanceof String s ? s
        : a instanceof Map<?, ?> m && m.get("config") instanceof String s2 ? s2 : null;
    if (a != null && name == null) {
      throw new IllegalArgumentException(what + ": activation " + a + " is not a Keras "
          + "activation name");
    }
    if (keras2 && "hard_sigmoid".equals(name)) {
      throw new IllegalArgumentException(what + ": Keras 2's hard_sigmoid (clip(0.2 x + 0.5)) "
          + "differs from Keras 3's (relu6(x + 3) / 6), which is Nabla's");
    }
    try {
      dev.nabla.backend.Activation.get(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage());
    }
    return name;
  }

  /** A Nabla initializer name for a Keras initializer config, or null to keep the default. */
  private static String initializer(Object o) {
    // only a freshly built model would use it: the file's weights replace the initial values
    String name = o instanceof String s ? s
        : o instanceof Map<?, ?> m && m.get("class_name") instanceof String c ? snake(c) : null;
    if (name == null) {
      return null;
    }
    try {
      dev.nabla.nn.initializers.Initializer.get(name);
      return name;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  // ---- compile configuration ----------------------------------------------------------------

  private static Optimizer optimizer(Object o) {
    if (o instanceof String s) {
      return Optimizers.get(s.replaceFirst("^Custom>", ""));
    }
    if (!(o instanceof Map<?, ?> m) || !(m.get("class_name") instanceof String cls)) {
      throw new IllegalArgumentException("the compile config's optimizer is " + o);
    }
    Map<String, Object> config = new LinkedHashMap<>();
    if (m.get("config") instanceof Map<?, ?> c) {
      c.forEach((k, v) -> config.put((String) k, v));
    }
    // Keras 2 spellings and keys that do not change the arithmetic
    if (config.containsKey("lr") && !config.containsKey("learning_rate")) {
      config.put("learning_rate", config.remove("lr"));
    }
    config.remove("jit_compile");
    config.remove("is_legacy_optimizer");
    Object lr = config.get("learning_rate");
    if (lr instanceof Map<?, ?> s && s.get("class_name") instanceof String sc) {
      @SuppressWarnings("unchecked")
      Map<String, ?> sconf = (Map<String, ?>) s.get("config");
      config.put("learning_rate", Schedules.get(sc, sconf));
    }
    Object decay = config.remove("decay");
    if (decay instanceof Number d && d.doubleValue() != 0) {
      // Keras 2's lr / (1 + decay * iterations) is InverseTimeDecay with decay_steps 1
      if (!(config.get("learning_rate") instanceof Number rate)) {
        throw new IllegalArgumentException(cls + ": a decay with a learning-rate schedule");
      }
      config.put("learning_rate", Schedules.get("InverseTimeDecay", Map.of(
          "initial_learning_rate", rate.doubleValue(), "decay_steps", 1.0,
          "decay_rate", d.doubleValue())));
    }
    return Optimizers.get(cls.replaceFirst("^Custom>", ""), config);
  }

  private static dev.nabla.losses.Loss loss(Object o) {
    if (o instanceof String s) {
      return Losses.get(s);
    }
    if (o instanceof Map<?, ?> m && m.get("class_name") instanceof String cls) {
      if (cls.equals("function") && m.get("config") instanceof String fn) {
        return Losses.get(fn);
      }
      Map<String, Object> config = new LinkedHashMap<>();
      if (m.get("config") instanceof Map<?, ?> c) {
        c.forEach((k, v) -> config.put((String) k, v));
      }
      if ("auto".equals(config.get("reduction"))) { // Keras 2's auto is sum_over_batch_size
        config.put("reduction", "sum_over_batch_size");
      }
      config.remove("dtype");
      return Losses.get(cls, config);
    }
    throw new IllegalArgumentException("the compile config's loss " + o + " is not one Nabla "
        + "reads (one loss, by name or Keras's serialized form)");
  }

  private static String[] metrics(Map<?, ?> compile) {
    if (compile.get("weighted_metrics") instanceof List<?> w && !w.isEmpty()) {
      throw new IllegalArgumentException("weighted_metrics " + w + " are not supported");
    }
    if (compile.get("loss_weights") != null) {
      throw new IllegalArgumentException("loss_weights are not supported (one output)");
    }
    List<String> out = new ArrayList<>();
    Object ms = compile.get("metrics");
    if (ms instanceof List<?> l && l.size() == 1 && l.get(0) instanceof List<?> inner) {
      ms = inner; // tf.keras wraps the metrics of a single output in a list
    }
    if (ms instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof String s) {
          out.add(s);
        } else if (o instanceof Map<?, ?> m && m.get("config") instanceof Map<?, ?> c
            && c.get("name") instanceof String n) {
          out.add(n);
        } else if (o instanceof Map<?, ?> m && m.get("config") instanceof String fn) {
          out.add(fn);
        } else {
          throw new IllegalArgumentException("metric " + o + " is not one Nabla reads");
        }
      }
    } else if (ms != null) {
      throw new IllegalArgumentException("metrics " + ms + " are not a list");
    }
    return out.toArray(new String[0]);
  }

  // ---- optimizer variables (Keras 3's optimizer/vars) ---------------------------------------

  /**
   * Keras 3's optimizer variables in Nabla's slots: vars/0 the iteration count, vars/1 the
   * learning rate (absent with a schedule), then per optimizer its slots per trainable variable.
   * Adam's momentum and velocity are interleaved per variable (add_optimizer_variables with two
   * names), its velocity_hat after; RMSprop's velocities, momentums and average gradients come
   * one kind after the other. Returns Nabla's slot index of each Keras block, in Keras's order.
   */
  private static int[][] kerasSlotBlocks(Optimizer opt) {
    Map<String, Object> c = opt.config();
    if (Boolean.TRUE.equals(c.get("use_ema")) || c.get("gradient_accumulation_steps") != null) {
      throw new IllegalArgumentException(opt.name() + " with use_ema or "
          + "gradient_accumulation_steps: its Keras variables are not mapped");
    }
    switch (opt.name()) {
      case "sgd":
        return ((Number) c.get("momentum")).doubleValue() == 0 ? new int[0][]
            : new int[][] {{0}};
      case "adam":
      case "adamw":
        return Boolean.TRUE.equals(c.get("amsgrad")) ? new int[][] {{0, 1}, {2}}
            : new int[][] {{0, 1}};
      case "rmsprop": {
        List<int[]> blocks = new ArrayList<>();
        blocks.add(new int[] {0});
        if (((Number) c.get("momentum")).doubleValue() > 0) {
          blocks.add(new int[] {1});
        }
        if (Boolean.TRUE.equals(c.get("centered"))) {
          blocks.add(new int[] {2});
        }
        return blocks.toArray(new int[0][]);
      }
      default:
        throw new IllegalArgumentException("the Keras variables of optimizer " + opt.name()
            + " are not mapped (Nabla maps SGD, Adam, AdamW and RMSprop)");
    }
  }

  private static void loadKerasOptimizerVariables(Path file, Group root, Sequential m,
      Optimizer opt) throws IOException {
    Node n = find(root, "optimizer/vars");
    if (!(n instanceof Group g) || g.getChildren().isEmpty()) {
      return; // never trained (Keras builds its optimizer at the first step)
    }
    loadKerasOptimizerVariables(file, numbered(file, root, "optimizer/vars",
        g.getChildren().size()), "optimizer/vars/", m, opt);
  }

  /** {@code vars}: Keras 3's optimizer.variables in order; {@code where} names them. */
  private static void loadKerasOptimizerVariables(Path file, List<Dataset> vars, String where,
      Sequential m, Optimizer opt) throws IOException {
    boolean lrVariable = opt.learningRateSchedule() instanceof LearningRateSchedule.Constant;
    int[][] blocks = kerasSlotBlocks(opt);
    List<Variable> weights = m.weights();
    int perVariable = Arrays.stream(blocks).mapToInt(b -> b.length).sum();
    int expected = 1 + (lrVariable ? 1 : 0) + perVariable * weights.size();
    if (vars.size() != expected) {
      throw new ModelFileException(file + ": " + where + " holds " + vars.size()
          + " variables; " + opt.name() + " on this model has " + expected);
    }
    Object it = vars.get(0).getData();
    if (!(it instanceof Number iterations) || iterations.longValue() < 0) {
      throw new ModelFileException(file + ": " + where + "0 (iterations) is " + it);
    }
    int next = 1;
    if (lrVariable) {
      Object lr = vars.get(next++).getData();
      if (!(lr instanceof Number rate)) {
        throw new ModelFileException(file + ": " + where + "1 (learning_rate) is " + lr);
      }
      opt.setLearningRate(rate.floatValue());
    }
    long total = 0;
    for (Variable v : weights) {
      total += v.size();
    }
    // RMSprop's centered form keeps a momentum slot even without momentum: zeros, as unused
    float[][] flat = new float[slotCount(opt)][Math.toIntExact(total)];
    for (int[] block : blocks) {
      long offset = 0;
      for (Variable v : weights) {
        for (int s : block) {
          Dataset d = vars.get(next);
          if (!Arrays.equals(d.getDimensions(), v.shape()) || d.getJavaType() != float.class) {
            throw new ModelFileException(file + ": " + where + next + " has shape "
                + Arrays.toString(d.getDimensions()) + "; the slot of " + v.name() + " is "
                + Arrays.toString(v.shape()) + " float32");
          }
          float[] values = (float[]) d.getDataFlat();
          System.arraycopy(values, 0, flat[s], (int) offset, values.length);
          next++;
        }
        offset += v.size();
      }
    }
    Map<String, float[]> arrays = new LinkedHashMap<>();
    for (int s = 0; s < flat.length; s++) {
      arrays.put("group0/slot" + s, flat[s]);
    }
    opt.loadState(new Optimizer.State(iterations.longValue(), arrays),
        List.of(m.flatParameters()), List.of(weights));
  }

  /** How many slot buffers the optimizer keeps (RMSprop's centered form keeps three). */
  private static int slotCount(Optimizer opt) {
    Map<String, Object> c = opt.config();
    switch (opt.name()) {
      case "sgd":
        return ((Number) c.get("momentum")).doubleValue() == 0 ? 0 : 1;
      case "adam":
      case "adamw":
        return Boolean.TRUE.equals(c.get("amsgrad")) ? 3 : 2;
      case "rmsprop":
        return Boolean.TRUE.equals(c.get("centered")) ? 3
            : ((Number) c.get("momentum")).doubleValue() > 0 ? 2 : 1;
      default:
        throw new IllegalArgumentException(opt.name());
    }
  }

  // ---- writing .keras -----------------------------------------------------------------------

  /**
   * Writes {@code m} as a Keras 3 {@code .keras} file (saving_lib's layout: metadata.json,
   * config.json with the compile_config, model.weights.h5 with layers/CLASS[_i]/vars/0.. and
   * optimizer/vars/0..), atomically. Mirrors {@code model.save("x.keras")}.
   *
   * @throws IllegalStateException if the model is not built
   * @throws IllegalArgumentException if a layer, the optimizer (its variables) or a schedule
   *     has no Keras form; nothing is written then
   */
  public static void save(Sequential m, Path file) throws IOException {
    if (!m.built()) {
      throw new IllegalStateException("build or fit the model before saving it");
    }
    String config = GSON.toJson(modelConfig(m));
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("keras_version", KERAS_VERSION);
    meta.put("date_saved", LocalDateTime.now().format(
        DateTimeFormatter.ofPattern("yyyy-MM-dd@HH:mm:ss", Locale.ROOT)));
    Optimizer opt = m.optimizer();
    int[][] blocks = opt == null || opt.steps() == 0 ? null : kerasSlotBlocks(opt);
    AtomicFiles.write(file, tmp -> {
      Path h5 = Files.createTempFile(tmp.getParent(), ".model.weights.", ".h5");
      try {
        writeWeights(m, opt, blocks, h5);
        try (OutputStream os = Files.newOutputStream(tmp);
            ZipOutputStream zip = new ZipOutputStream(os)) {
          entry(zip, "metadata.json", GSON.toJson(meta).getBytes(StandardCharsets.UTF_8));
          entry(zip, "config.json", config.getBytes(StandardCharsets.UTF_8));
          entry(zip, "model.weights.h5", Files.readAllBytes(h5));
        }
      } finally {
        Files.deleteIfExists(h5);
      }
    });
  }

  /**
   * Writes the weights (and, once trained, the optimizer's variables) as Keras 3's
   * {@code .weights.h5} (Keras's {@code model.save_weights("x.weights.h5")}): the layout of the
   * model.weights.h5 inside a .keras file. Atomic.
   *
   * @throws IllegalStateException if the model is not built
   * @throws IllegalArgumentException if the name does not end in .weights.h5 (Keras's rule), or
   *     the optimizer's variables have no Keras mapping
   */
  public static void saveWeights(Sequential m, Path file) throws IOException {
    if (!m.built()) {
      throw new IllegalStateException("build or fit the model before saving its weights");
    }
    if (!file.getFileName().toString().endsWith(".weights.h5")) {
      throw new IllegalArgumentException("cannot save " + file + ": Keras's weights files are "
          + "named *.weights.h5");
    }
    Optimizer opt = m.optimizer();
    int[][] blocks = opt == null || opt.steps() == 0 ? null : kerasSlotBlocks(opt);
    AtomicFiles.write(file, tmp -> writeWeights(m, opt, blocks, tmp));
  }

  /**
   * Reads a Keras 3 {@code .weights.h5} (or the weights of a {@code .keras} file) into a built
   * model of the same architecture: layers matched by class and position as Keras does, shapes
   * checked for all before any is copied; the optimizer's variables too when the model is
   * compiled and the file has them. Keras's {@code model.load_weights}.
   *
   * @throws ModelFileException naming the file and the first mismatch; nothing is changed then
   */
  public static void loadWeights(Sequential m, Path file) throws IOException {
    if (!m.built()) {
      throw new IllegalStateException("build the model before loading weights into it");
    }
    try {
      if (kind(file) == Kind.KERAS_ZIP) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
          ZipEntry w = zip.getEntry("model.weights.h5");
          if (w == null) {
            throw new ModelFileException(file + ": has no model.weights.h5");
          }
          try (HdfFile h = HdfFile.fromBytes(read(file, zip, w, MAX_WEIGHTS_BYTES))) {
            loadWeights(m, file, h);
          }
        }
      } else if (kind(file) == Kind.HDF5) {
        try (HdfFile h = new HdfFile(file)) {
          loadWeights(m, file, h);
        }
      } else {
        throw new ModelFileException(file + ": not a Keras weights file (HDF5) or .keras file");
      }
    } catch (HdfException e) {
      throw damaged(file, e);
    } catch (RuntimeException e) {
      if (thrownByJhdf(e)) {
        throw damaged(file, e);
      }
      throw e;
    }
  }

  private static void loadWeights(Sequential m, Path file, HdfFile h) throws IOException {
    String layersGroup = h.getChildren().containsKey("_layer_checkpoint_dependencies")
        && !h.getChildren().containsKey("layers") ? "_layer_checkpoint_dependencies" : "layers";
    Map<String, Integer> used = new HashMap<>();
    List<float[]> values = new ArrayList<>();
    List<Variable> weights = m.weights();
    int k = 0;
    int[] shape = m.inputShape();
    for (Layer l : m.layers()) {
      String base = snake(l.className());
      int n = used.merge(base, 1, Integer::sum);
      List<Layer.ParamSpec> ps = l.params(shape);
      shape = l.outputShape(shape);
      String path = layersGroup + "/" + (n == 1 ? base : base + "_" + (n - 1)) + "/vars";
      List<Dataset> ds = numbered(file, h, path, ps.size());
      for (Dataset d : ds) {
        Variable v = weights.get(k++);
        if (!Arrays.equals(d.getDimensions(), v.shape()) || d.getJavaType() != float.class) {
          throw new ModelFileException(file + ": " + d.getPath() + " has shape "
              + Arrays.toString(d.getDimensions()) + " (" + d.getJavaType().getSimpleName()
              + "); " + v.name() + " is " + Arrays.toString(v.shape()) + " float32");
        }
      }
      for (Dataset d : ds) {
        values.add((float[]) d.getDataFlat());
      }
    }
    if (m.optimizer() != null) { // checked (and loaded) before any weight changes
      try {
        loadKerasOptimizerVariables(file, h, m, m.optimizer());
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new ModelFileException(file + ": " + e.getMessage());
      }
    }
    for (int i = 0; i < weights.size(); i++) {
      weights.get(i).copyFrom(values.get(i));
    }
  }

  private static void entry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setTime(0L);
    zip.putNextEntry(e);
    zip.write(bytes);
    zip.closeEntry();
  }

  private static void writeWeights(Sequential m, Optimizer opt, int[][] blocks, Path h5)
      throws IOException {
    List<Layer> layers = m.layers();
    List<Variable> weights = m.weights();
    // jHDF 0.13 writes an unreadable file when a group has no children: groups without
    // variables (weightless layers, the model's own "vars") are left out, as Keras reads them
    try (WritableHdfFile f = HdfFile.write(h5)) {
      WritableGroup layersGroup = null;
      Map<String, Integer> used = new HashMap<>();
      int k = 0;
      int[] shape = m.inputShape();
      for (Layer l : layers) {
        String base = snake(l.className());
        int n = used.merge(base, 1, Integer::sum);
        List<Layer.ParamSpec> ps = l.params(shape);
        shape = l.outputShape(shape);
        if (ps.isEmpty()) {
          continue;
        }
        if (layersGroup == null) {
          layersGroup = f.putGroup("layers");
        }
        WritableGroup vars = layersGroup.putGroup(n == 1 ? base : base + "_" + (n - 1))
            .putGroup("vars");
        for (int i = 0; i < ps.size(); i++) {
          Variable v = weights.get(k++);
          vars.putDataset(Integer.toString(i), shaped(v.toFloatArray(), v.shape()));
        }
        vars.putAttribute("name", l.name());
      }
      if (blocks != null) {
        WritableGroup vars = f.putGroup("optimizer").putGroup("vars");
        int i = 0;
        vars.putDataset(Integer.toString(i++), opt.steps());
        if (opt.learningRateSchedule() instanceof LearningRateSchedule.Constant) {
          vars.putDataset(Integer.toString(i++), opt.learningRate());
        }
        Map<String, float[]> state = opt.state().arrays();
        for (int[] block : blocks) {
          long offset = 0;
          for (Variable v : weights) {
            for (int s : block) {
              float[] slot = state.get("group0/slot" + s);
              float[] part = Arrays.copyOfRange(slot, (int) offset, (int) (offset + v.size()));
              vars.putDataset(Integer.toString(i++), shaped(part, v.shape()));
            }
            offset += v.size();
          }
        }
        vars.putAttribute("name", opt.name());
      }
    }
  }

  /** Flat values as the nested float array of this shape (jHDF writes the shape it is given). */
  private static Object shaped(float[] flat, int[] shape) {
    if (shape.length == 1) {
      return flat;
    }
    if (shape.length == 2) {
      float[][] out = new float[shape[0]][];
      for (int r = 0; r < shape[0]; r++) {
        out[r] = Arrays.copyOfRange(flat, r * shape[1], (r + 1) * shape[1]);
      }
      return out;
    }
    throw new IllegalArgumentException("weights of rank " + shape.length + " are not written");
  }

  private static Map<String, Object> modelConfig(Sequential m) {
    List<Object> layers = new ArrayList<>();
    List<Object> batchShape = new ArrayList<>();
    batchShape.add(null);
    for (int d : m.inputShape()) {
      batchShape.add(d);
    }
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("batch_shape", batchShape);
    input.put("dtype", "float32");
    input.put("sparse", false);
    input.put("name", "input_layer");
    layers.add(serialized("keras.layers", "InputLayer", input, null));
    int[] shape = m.inputShape();
    for (Layer l : m.layers()) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("name", l.name());
      c.put("trainable", true);
      c.put("dtype", "float32");
      String cls = l.className();
      if (l instanceof Dense d) {
        Map<String, Object> own = d.config();
        c.put("units", d.units());
        c.put("activation", d.activation().kerasName());
        c.put("use_bias", d.hasBias());
        c.put("kernel_initializer", own.get("kernel_initializer"));
        c.put("bias_initializer", own.get("bias_initializer"));
        c.put("kernel_regularizer", null);
        c.put("bias_regularizer", null);
        c.put("kernel_constraint", null);
        c.put("bias_constraint", null);
      } else if (l instanceof Dropout d) {
        c.put("rate", (double) d.rate());
        c.put("seed", null);
        c.put("noise_shape", null);
      } else if (l instanceof Flatten) {
        c.put("data_format", "channels_last");
      } else if (l instanceof Activation a) {
        c.put("activation", a.activation().kerasName());
      } else if (l instanceof ReLU || l instanceof LeakyReLU || l instanceof ELU
          || l instanceof Softmax) {
        c.putAll(l.config());
      } else {
        throw new IllegalArgumentException("layer '" + l.name() + "' (" + cls + ") has no "
            + "Keras form Nabla writes");
      }
      List<Object> in = new ArrayList<>();
      in.add(null);
      for (int dim : shape) {
        in.add(dim);
      }
      shape = l.outputShape(shape);
      layers.add(serialized("keras.layers", cls, c, Map.of("input_shape", in)));
    }
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("name", "sequential");
    config.put("trainable", true);
    config.put("dtype", "float32");
    config.put("layers", layers);
    config.put("build_input_shape", batchShape);
    Map<String, Object> model = serialized("keras", "Sequential", config,
        Map.of("input_shape", batchShape));
    if (m.optimizer() != null) {
      model.put("compile_config", compileConfig(m));
    }
    return model;
  }

  private static Map<String, Object> compileConfig(Sequential m) {
    Optimizer opt = m.optimizer();
    Map<String, Object> oc = new LinkedHashMap<>();
    oc.put("name", opt.name());
    opt.arguments().forEach((k, v) -> {
      if (v instanceof Schedules.Keras s) {
        oc.put(k, serialized("keras.optimizers.schedules", s.className(),
            new LinkedHashMap<>(s.config()), null));
      } else if (v instanceof LearningRateSchedule) {
        throw new IllegalArgumentException("cannot save " + opt.name() + ": its '" + k
            + "' is a custom LearningRateSchedule, which has no Keras form");
      } else {
        oc.put(k, v);
      }
    });
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("optimizer", serialized("keras.optimizers", optimizerClass(opt.name()), oc, null));
    dev.nabla.losses.Loss loss = m.loss();
    Map<String, Object> lossConfig = new LinkedHashMap<>(loss.config());
    Map<String, Object> defaults = dev.nabla.losses.Losses.get(loss.name()).config();
    if (lossConfig.equals(defaults)) { // as Keras writes a loss compiled by name
      c.put("loss", loss.name());
    } else {
      if (loss.sparseLabels()) { // arguments Keras's SparseCategoricalCrossentropy may lack,
        // written only when they matter
        lossConfig.remove("axis");
        if (Double.valueOf(0.0).equals(lossConfig.get("label_smoothing"))) {
          lossConfig.remove("label_smoothing");
        }
      }
      lossConfig.putIfAbsent("name", loss.name());
      lossConfig.putIfAbsent("reduction", "sum_over_batch_size");
      c.put("loss", serialized("keras.losses", camel(loss.name()), lossConfig, null));
    }
    c.put("loss_weights", null);
    c.put("metrics", m.metricNames().isEmpty() ? null : new ArrayList<>(m.metricNames()));
    c.put("weighted_metrics", null);
    c.put("run_eagerly", false);
    c.put("steps_per_execution", 1);
    c.put("jit_compile", false);
    return c;
  }

  private static String optimizerClass(String name) {
    for (String n : Optimizers.NAMES) {
      if (n.equalsIgnoreCase(name)) {
        return n;
      }
    }
    return camel(name);
  }

  private static Map<String, Object> serialized(String module, String cls,
      Map<String, Object> config, Map<String, Object> buildConfig) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("module", module);
    m.put("class_name", cls);
    m.put("config", config);
    m.put("registered_name", null);
    if (buildConfig != null) {
      m.put("build_config", buildConfig);
    }
    return m;
  }

  // ---- names and JSON -----------------------------------------------------------------------

  /** Keras's naming.to_snake_case: "LeakyReLU" is "leaky_re_lu", "ELU" is "elu". */
  static String snake(String name) {
    String s = name.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
    return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }

  private static String camel(String snake) {
    StringBuilder b = new StringBuilder();
    for (String part : snake.split("_")) {
      if (!part.isEmpty()) {
        b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    return b.toString();
  }

  private static Map<String, Object> json(Path file, String what, String text)
      throws ModelFileException {
    try {
      Map<String, Object> m = GSON.fromJson(text, new TypeToken<Map<String, Object>>() {}
          .getType());
      if (m == null) {
        throw new ModelFileException(file + ": " + what + " is empty");
      }
      return m;
    } catch (JsonParseException e) {
      throw new ModelFileException(file + ": " + what + " is not a JSON object");
    }
  }
}

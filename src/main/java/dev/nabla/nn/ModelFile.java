package dev.nabla.nn;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import dev.nabla.Variable;
import dev.nabla.io.SafeTensors;
import dev.nabla.io.SafeTensors.Entry;
import dev.nabla.losses.Losses;
import dev.nabla.metrics.Metrics;
import dev.nabla.nn.layers.Layer;
import dev.nabla.nn.layers.Layers;
import dev.nabla.optimizers.Optimizer;
import dev.nabla.optimizers.Optimizers;
import dev.nabla.optimizers.schedules.LearningRateSchedule;
import dev.nabla.optimizers.schedules.Schedules;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model in one safetensors file: tensors "weights/LAYER/NAME" and "optimizer/..." and, in the
 * header's metadata, "nabla.model": the architecture, compile arguments, seed and optimizer step
 * count as JSON. A weights-only file has the weights and "nabla.weights" (their names, in order).
 */
final class ModelFile {
  private ModelFile() {}

  static final int FORMAT = 1;
  private static final String MODEL_KEY = "nabla.model";
  private static final String FORMAT_KEY = "nabla.format";
  /** How Dataset turns IDX bytes into inputs (Dataset.scaled), recorded beside the data set name. */
  static final String PREPROCESSING = "pixels / 255 as float32, shape (rows, cols)";
  private static final Gson GSON = new GsonBuilder().serializeNulls().create();

  static void save(Sequential m, Path file, boolean weightsOnly) throws IOException {
    Map<String, Entry> tensors = new LinkedHashMap<>();
    for (Variable v : m.weights()) {
      tensors.put("weights/" + v.name(), new Entry(v.shape(), v.toFloatArray()));
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(FORMAT_KEY, Integer.toString(FORMAT));
    if (!weightsOnly) {
      Map<String, Object> model = new LinkedHashMap<>();
      model.put("class_name", "Sequential");
      model.put("seed", Long.toString(m.seed()));
      model.put("epochs_done", m.epochsDone());
      model.put("input_shape", m.inputShape());
      if (m.dataset() != null) { // what evaluate and predict feed it by default
        model.put("dataset", Map.of("name", m.dataset(), "preprocessing", PREPROCESSING));
      }
      List<Map<String, Object>> layers = new ArrayList<>();
      for (Layer l : m.layers()) {
        layers.add(Map.of("class_name", l.className(), "config", l.config()));
      }
      model.put("layers", layers);
      Optimizer opt = m.optimizer();
      if (opt != null) {
        Map<String, Object> compile = new LinkedHashMap<>();
        compile.put("optimizer", Map.of("class_name", opt.name(), "config",
            serializable(opt.arguments(), opt.name())));
        compile.put("loss", Map.of("class_name", m.loss().name(), "config", m.loss().config()));
        compile.put("metrics", m.metricSpecs()); // names, and {class_name, config} maps
        model.put("compile", compile);
        Optimizer.State state = opt.state();
        model.put("optimizer_steps", Long.toString(state.steps()));
        state.arrays().forEach((k, v) -> tensors.put("optimizer/" + k,
            new Entry(new int[] {v.length}, v)));
      }
      meta.put(MODEL_KEY, GSON.toJson(model));
    }
    SafeTensors.write(file, tensors, meta);
  }

  /** The optimizer's arguments with schedules as {"class_name", "config"} maps. */
  private static Map<String, Object> serializable(Map<String, Object> args, String optimizer) {
    Map<String, Object> out = new LinkedHashMap<>();
    args.forEach((k, v) -> {
      if (v instanceof Schedules.Keras) {
        Schedules.Keras s = (Schedules.Keras) v;
        out.put(k, Map.of("class_name", s.className(), "config", s.config()));
      } else if (v instanceof LearningRateSchedule) {
        throw new IllegalArgumentException("cannot save " + optimizer + ": its '" + k + "' is a "
            + "custom LearningRateSchedule; use one from Schedules.get to make the model saveable");
      } else {
        out.put(k, v);
      }
    });
    return out;
  }

  static Sequential load(Path file) throws IOException {
    return load(file, null);
  }

  /** Reads a model onto {@code backend} (null: the default device). */
  static Sequential load(Path file, dev.nabla.backend.Backend backend) throws IOException {
    SafeTensors.Contents c = SafeTensors.read(file);
    checkFormat(file, c);
    String json = c.metadata().get(MODEL_KEY);
    if (json == null) {
      throw new SafeTensors.ModelFileException(file + ": holds weights only (no architecture); "
          + "build the model in code and call loadWeights");
    }
    Map<String, Object> model;
    try {
      model = GSON.fromJson(json, new TypeToken<Map<String, Object>>() {}.getType());
    } catch (JsonParseException e) {
      throw new SafeTensors.ModelFileException(file + ": its model description is not JSON");
    }
    Sequential m = new Sequential();
    if (backend != null) {
      m.setBackend(backend); // built there: no detour through the default device
    }
    try {
      m.setSeed(Long.parseLong((String) model.get("seed")));
      for (Object o : (List<?>) model.get("layers")) {
        Map<?, ?> l = (Map<?, ?>) o;
        @SuppressWarnings("unchecked")
        Map<String, ?> cfg = (Map<String, ?>) l.get("config");
        m.add(Layers.fromConfig((String) l.get("class_name"), cfg));
      }
      int[] inputShape = ((List<?>) model.get("input_shape")).stream()
          .mapToInt(x -> Math.toIntExact(((Number) x).longValue())).toArray();
      // compare the declared architecture with the tensors before allocating it: a file may
      // not make us allocate more than it holds
      checkWeights(file, expectedWeights(m.layers(), inputShape), c.tensors());
      m.build(inputShape);
      copyWeights(file, m, c.tensors());
      if (model.get("dataset") instanceof Map<?, ?> d && d.get("name") instanceof String name) {
        m.setDataset(name);
      }
      Object epochs = model.get("epochs_done");
      m.setEpochsDone(epochs == null ? 0 : ((Number) epochs).intValue());
      Map<?, ?> compile = (Map<?, ?>) model.get("compile");
      if (compile != null) {
        Map<?, ?> o = (Map<?, ?>) compile.get("optimizer");
        Map<?, ?> lossDesc = (Map<?, ?>) compile.get("loss");
        List<?> metricList = (List<?>) compile.get("metrics");
        List<Object> metrics = new ArrayList<>();
        for (Object metric : metricList) {
          if (metric instanceof String) {
            metrics.add(metric); // a name as given to compile ("accuracy" resolves again)
          } else if (metric instanceof Map && ((Map<?, ?>) metric).get("class_name")
              instanceof String) {
            Map<?, ?> desc = (Map<?, ?>) metric;
            @SuppressWarnings("unchecked")
            Map<String, ?> metricConfig = (Map<String, ?>) desc.get("config");
            metrics.add(Metrics.get((String) desc.get("class_name"), metricConfig));
          } else {
            throw new IllegalArgumentException("metrics must be names or {class_name, config} "
                + "maps, got " + metric);
          }
        }
        Optimizer opt = Optimizers.get((String) o.get("class_name"),
            withSchedules((Map<?, ?>) o.get("config")));
        @SuppressWarnings("unchecked")
        Map<String, ?> lossConfig = (Map<String, ?>) lossDesc.get("config");
        m.compile(opt, Losses.get((String) lossDesc.get("class_name"), lossConfig),
            metrics);
        Map<String, float[]> arrays = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
          if (k.startsWith("optimizer/")) {
            arrays.put(k.substring("optimizer/".length()), v.values());
          }
        });
        long steps = Long.parseLong((String) model.get("optimizer_steps"));
        if (steps > 0 || !arrays.isEmpty()) {
          opt.loadState(new Optimizer.State(steps, arrays), List.of(m.flatParameters()),
              List.of(m.weights()));
        }
      }
      return m;
    } catch (ClassCastException | NullPointerException | NumberFormatException
        | ArithmeticException | ArrayStoreException e) {
      m.close();
      throw new SafeTensors.ModelFileException(file + ": its model description is incomplete or "
          + "malformed (" + e.getClass().getSimpleName() + ")");
    } catch (IllegalArgumentException | IllegalStateException e) {
      m.close();
      throw new SafeTensors.ModelFileException(file + ": " + e.getMessage());
    } catch (IOException | RuntimeException | Error e) {
      m.close();
      throw e;
    }
  }

  /** Names and shapes of the weights this architecture has, without allocating any. */
  private static Map<String, int[]> expectedWeights(List<Layer> layers, int[] inputShape) {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("the model has no layers");
    }
    Map<String, int[]> out = new LinkedHashMap<>();
    int[] shape = inputShape;
    for (Layer l : layers) {
      for (Layer.ParamSpec p : l.params(shape)) {
        out.put(l.name() + "/" + p.name(), p.shape());
      }
      shape = l.outputShape(shape);
    }
    return out;
  }

  private static Map<String, Object> withSchedules(Map<?, ?> config) {
    Map<String, Object> out = new LinkedHashMap<>();
    config.forEach((k, v) -> {
      if (v instanceof Map<?, ?> && ((Map<?, ?>) v).containsKey("class_name")) {
        Map<?, ?> s = (Map<?, ?>) v;
        @SuppressWarnings("unchecked")
        Map<String, ?> cfg = (Map<String, ?>) s.get("config");
        out.put((String) k, Schedules.get((String) s.get("class_name"), cfg));
      } else {
        out.put((String) k, v);
      }
    });
    return out;
  }

  static void loadWeights(Sequential m, Path file) throws IOException {
    SafeTensors.Contents c = SafeTensors.read(file);
    checkFormat(file, c);
    copyWeights(file, m, c.tensors());
  }

  /** Copies "weights/NAME" into each variable, checking names and shapes first (all or none). */
  private static void copyWeights(Path file, Sequential m, Map<String, Entry> tensors)
      throws IOException {
    List<Variable> weights = m.weights();
    Map<String, int[]> expected = new LinkedHashMap<>();
    for (Variable v : weights) {
      expected.put(v.name(), v.shape());
    }
    checkWeights(file, expected, tensors);
    for (Variable v : weights) {
      v.copyFrom(tensors.get("weights/" + v.name()).values());
    }
  }

  /** Every expected weight present with its shape, and no others; else one error naming all. */
  private static void checkWeights(Path file, Map<String, int[]> expected,
      Map<String, Entry> tensors) throws IOException {
    List<String> problems = new ArrayList<>();
    expected.forEach((name, shape) -> {
      Entry e = tensors.get("weights/" + name);
      if (e == null) {
        problems.add("missing weight " + name + " " + Arrays.toString(shape));
      } else if (!Arrays.equals(e.shape(), shape)) {
        problems.add(name + " has shape " + Arrays.toString(e.shape()) + " in the file, "
            + Arrays.toString(shape) + " in the model");
      }
    });
    long inFile = tensors.keySet().stream().filter(k -> k.startsWith("weights/")).count();
    if (problems.isEmpty() && inFile != expected.size()) {
      problems.add("the file has " + inFile + " weights, the model " + expected.size());
    }
    if (!problems.isEmpty()) {
      throw new SafeTensors.ModelFileException(file + ": does not match this model's "
          + "architecture: " + String.join("; ", problems));
    }
  }

  private static void checkFormat(Path file, SafeTensors.Contents c) throws IOException {
    String f = c.metadata().get(FORMAT_KEY);
    if (f == null) {
      throw new SafeTensors.ModelFileException(file + ": a safetensors file but not one Nabla "
          + "wrote (no " + FORMAT_KEY + " in its metadata)");
    }
    if (!f.equals(Integer.toString(FORMAT))) {
      throw new SafeTensors.ModelFileException(file + ": format version " + f + "; this Nabla "
          + "reads version " + FORMAT);
    }
  }
}

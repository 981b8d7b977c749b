package dev.nabla.optimizers;

import dev.nabla.Config;
import dev.nabla.Tensor;
import dev.nabla.Variable;
import dev.nabla.backend.Backend;
import dev.nabla.backend.JavaBackend;
import dev.nabla.backend.OptimizerRule;
import dev.nabla.backend.Segments;
import dev.nabla.optimizers.schedules.LearningRateSchedule;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Keras 3's base optimizer: learning rate (number or schedule), loss-scale factor, gradient
 * accumulation, clipnorm / clipvalue / global_clipnorm, decoupled weight decay with exclusions,
 * EMA of the weights, and the iteration count. A subclass is one update rule: its hyperparameters
 * for this step and its slots.
 *
 * <p>Variables are updated in groups: one flat buffer split into segments (the variables). A model
 * hands over all its parameters as one group, so a step is one fused backend call; a list of
 * separate variables (Keras's {@code apply_gradients}) makes one group each. Gradient scaling,
 * clipping and weight decay are folded into that call as per-segment factors.
 *
 * <p>Not thread-safe: one optimizer steps one model, from the thread running fit or trainOnBatch (a
 * model runs one training call at a time).
 */
public abstract class Optimizer implements AutoCloseable {
  private final String name;
  private final OptimizerRule rule;
  private LearningRateSchedule learningRate;
  private final Float weightDecay, clipnorm, clipvalue, globalClipnorm, lossScaleFactor;
  private final boolean useEma;
  private final float emaMomentum;
  private final Integer emaOverwriteFrequency, accumulationSteps;
  private long rawIterations;
  private Backend backend = new JavaBackend();
  private final Map<Tensor, Group> groups = new IdentityHashMap<>();
  private final List<Group> groupOrder = new java.util.ArrayList<>();
  private final Map<String, Object> args;
  private final Set<Variable> excludedVariables = Collections.newSetFromMap(new IdentityHashMap<>());
  private Pattern excludedNames;
  /** This step's hyperparameters for the backend rule, filled by {@link #prepareStep}. */
  protected final float[] hp = new float[16];

  /** One flat buffer of variables and its optimizer state. */
  private static final class Group {
    final Variable w;
    final List<Variable> parts;
    final Segments segments;
    final Tensor[] slots;
    Tensor average;
    /**
     * With use_ema, after {@link #finalizeVariableValues} wrote the average into the variables:
     * the weights training had reached, which the next step resumes from (see there).
     */
    Tensor training;
    Tensor accumulator;
    final double[] sums;

    Group(Variable w, List<Variable> parts, Segments segments, Tensor[] slots) {
      this.w = w;
      this.parts = parts;
      this.segments = segments;
      this.slots = slots;
      this.sums = new double[segments.count()];
    }
  }

  protected Optimizer(String name, OptimizerRule rule, Config c, double defaultLearningRate,
      Double defaultWeightDecay) {
    this.name = name;
    this.rule = rule;
    this.args = Collections.unmodifiableMap(new LinkedHashMap<>(c.values()));
    Object lr = c.raw("learning_rate");
    if (lr == null) {
      learningRate = LearningRateSchedule.constant((float) defaultLearningRate);
    } else if (lr instanceof LearningRateSchedule) {
      learningRate = (LearningRateSchedule) lr;
    } else if (lr instanceof Number && ((Number) lr).doubleValue() >= 0) {
      learningRate = LearningRateSchedule.constant(((Number) lr).floatValue());
    } else {
      throw new IllegalArgumentException(name + ": 'learning_rate' must be a number >= 0 or a "
          + "LearningRateSchedule, got " + lr);
    }
    c.ignore("name");
    weightDecay = optional(c, "weight_decay", defaultWeightDecay, 0, Double.MAX_VALUE);
    clipnorm = optional(c, "clipnorm", null, 0, Double.MAX_VALUE);
    clipvalue = optional(c, "clipvalue", null, 0, Double.MAX_VALUE);
    globalClipnorm = optional(c, "global_clipnorm", null, 0, Double.MAX_VALUE);
    int clips = (clipnorm != null ? 1 : 0) + (clipvalue != null ? 1 : 0)
        + (globalClipnorm != null ? 1 : 0);
    if (clips > 1) {
      throw new IllegalArgumentException(name + ": only one of 'clipnorm', 'clipvalue' and "
          + "'global_clipnorm' can be set; got clipnorm=" + clipnorm + ", clipvalue=" + clipvalue
          + ", global_clipnorm=" + globalClipnorm);
    }
    useEma = c.bool("use_ema", false);
    emaMomentum = (float) c.number("ema_momentum", 0.99, 0, 1);
    // as in Keras, 0 means "off" for both of these
    Float freq = optional(c, "ema_overwrite_frequency", null, 0, Integer.MAX_VALUE);
    emaOverwriteFrequency = freq == null || freq == 0f ? null
        : integer(name, "ema_overwrite_frequency", freq);
    Float lsf = optional(c, "loss_scale_factor", null, Float.MIN_VALUE, Double.MAX_VALUE);
    lossScaleFactor = lsf;
    Float acc = optional(c, "gradient_accumulation_steps", null, 0, Integer.MAX_VALUE);
    if (acc != null && acc == 1f) {
      throw new IllegalArgumentException(name + ": 'gradient_accumulation_steps' must be an "
          + "integer >= 2 (or 0 for none), got 1");
    }
    accumulationSteps = acc == null || acc == 0f ? null
        : integer(name, "gradient_accumulation_steps", acc);
  }

  private static Float optional(Config c, String key, Double fallback, double min, double max) {
    if (!c.has(key) || c.raw(key) == null) {
      return fallback == null ? null : fallback.floatValue();
    }
    return (float) c.number(key, 0, min, max);
  }

  private static int integer(String owner, String key, float v) {
    if (v != Math.rint(v)) {
      throw new IllegalArgumentException(owner + ": '" + key + "' must be an integer, got " + v);
    }
    return (int) v;
  }

  // ---- what a subclass provides ------------------------------------------------------------

  /** How many slot buffers (each a variable's size) this configuration uses. */
  protected abstract int slotCount();

  /** The value slot {@code k} starts at (Adagrad's and Ftrl's accumulators are not zero). */
  protected float slotInitialValue(int k) {
    return 0f;
  }

  /** Fills {@link #hp} for the update at {@code localStep} (Keras's iterations + 1) with rate lr. */
  protected abstract void prepareStep(long localStep, float lr);

  /** The rule's own arguments, for get_config-style printing. */
  protected abstract Map<String, Object> ruleConfig();

  // ---- public API ----------------------------------------------------------------------------

  /** Keras's snake_case name, e.g. "adam". */
  public String name() {
    return name;
  }

  /** Keras's iterations: update steps taken (applyGradients calls / accumulation steps). */
  public long iterations() {
    return accumulationSteps == null ? rawIterations : rawIterations / accumulationSteps;
  }

  /** applyGradients calls so far (what schedules see). */
  public long steps() {
    return rawIterations;
  }

  /** The current learning rate: the schedule at {@link #steps()}. */
  public float learningRate() {
    return learningRate.at(rawIterations);
  }

  public LearningRateSchedule learningRateSchedule() {
    return learningRate;
  }

  /**
   * Sets a constant learning rate (what ReduceLROnPlateau and LearningRateScheduler do). As in
   * Keras, an optimizer made with a schedule has no settable rate.
   */
  public void setLearningRate(float lr) {
    if (!(learningRate instanceof LearningRateSchedule.Constant)) {
      throw new IllegalStateException(name + " was created with a LearningRateSchedule as its "
          + "learning_rate, so its learning rate is not settable; create it with a number");
    }
    if (!(lr >= 0f) || Float.isInfinite(lr)) {
      throw new IllegalArgumentException(name + ": learning rate must be a finite number >= 0, "
          + "got " + lr);
    }
    learningRate = LearningRateSchedule.constant(lr);
  }

  /**
   * The backend whose fused kernels run the updates (the Java reference by default); a model sets
   * its own. Variables and gradients must live on its device. Changing it while the optimizer
   * holds state on another device is refused: take {@link #state()}, close, set, and
   * {@link #loadState} (what a model moving devices does).
   */
  public void setBackend(Backend backend) {
    if (!groups.isEmpty() && backend.device() != this.backend.device()) {
      throw new IllegalStateException(name + " holds state on " + this.backend.device().name()
          + "; it cannot move to " + backend.device().name() + " in place (state(), close(), "
          + "setBackend, loadState)");
    }
    this.backend = backend;
  }

  /**
   * Keras's exclude_from_weight_decay: these variables, and variables whose name matches any of
   * these regular expressions (as Python's re.search), get no weight decay.
   */
  public void excludeFromWeightDecay(List<Variable> variables, List<String> names) {
    if (!groups.isEmpty()) {
      throw new IllegalStateException(name + ": exclude_from_weight_decay() must be called "
          + "before the first applyGradients");
    }
    excludedVariables.clear();
    if (variables != null) {
      excludedVariables.addAll(variables);
    }
    excludedNames = names == null || names.isEmpty() ? null
        : Pattern.compile(String.join("|", names));
  }

  /**
   * Keras's apply_gradients: variables[i] updated from grads[i]; then iterations += 1. A null
   * gradient skips its variable, as Keras does with None; all null is an error.
   */
  public void applyGradients(List<? extends Tensor> grads, List<? extends Variable> variables) {
    if (grads.size() != variables.size()) {
      throw new IllegalArgumentException(name + ".applyGradients: " + grads.size()
          + " gradients for " + variables.size() + " variables");
    }
    List<Integer> present = new java.util.ArrayList<>();
    for (int i = 0; i < grads.size(); i++) {
      if (grads.get(i) != null) {
        present.add(i);
      }
    }
    if (present.isEmpty()) {
      throw new IllegalArgumentException(name + ".applyGradients: no gradients provided for any "
          + "variable");
    }
    Group[] gs = new Group[present.size()];
    Tensor[] gr = new Tensor[present.size()];
    for (int j = 0; j < gs.length; j++) {
      int i = present.get(j);
      Variable v = variables.get(i);
      Tensor g = grads.get(i);
      if (g.size() != v.size()) {
        throw new IllegalArgumentException(name + ".applyGradients: gradient " + i + " has "
            + g.size() + " values, variable " + v.name() + " has " + v.size());
      }
      backend.requireDevice(g, name + ".applyGradients: gradient " + i);
      gs[j] = group(v, List.of(v));
      gr[j] = g;
    }
    apply(gs, gr);
  }

  /**
   * One step for a model: {@code flat} holds every parameter, {@code parts} are its variables
   * (views, in order), {@code grad} the flat gradient. One fused backend call.
   */
  public void applyFlat(Variable flat, List<Variable> parts, Tensor grad) {
    Group g = groups.get(flat);
    if (g == null) {
      backend.requireDevice(grad, name + ": the gradient of " + flat.name());
      g = group(flat, parts);
    }
    flatGroup[0] = g;
    flatGrad[0] = grad;
    apply(flatGroup, flatGrad);
  }

  /**
   * After a model moved its variables (new objects for the same weights, in the same order):
   * the variables excluded from weight decay by identity are the new ones at the same places.
   * Call between close() and the next step.
   */
  public void remapVariables(List<Variable> before, List<Variable> after) {
    for (int i = 0; i < before.size(); i++) {
      if (excludedVariables.remove(before.get(i))) {
        excludedVariables.add(after.get(i));
      }
    }
  }

  // ---- steps whose hyperparameters a device reads from a table (Backend.StepRun) ------------

  /**
   * Whether a step is the same kernels every time, its per-step values all in the
   * hyperparameter row: true unless use_ema, gradient_accumulation_steps, clipnorm or
   * global_clipnorm is set (those need the host, or a host decision, between steps). Fit runs
   * such an optimizer's steps from a table on a device backend (and can capture them); otherwise
   * step by step.
   */
  public boolean capturable() {
    return !useEma && accumulationSteps == null && clipnorm == null && globalClipnorm == null;
  }

  /**
   * Takes the next {@code steps} steps on the host's side: returns one row of 16 floats per step
   * with that step's hyperparameters (float 15: the weight-decay learning rate) and counts the
   * steps as taken. The device then applies row r at the run's r-th step
   * ({@link #applyFromTable}).
   */
  public float[] takeSteps(int steps) {
    if (!capturable()) {
      throw new IllegalStateException(name + ": its steps cannot run from a table (use_ema, "
          + "gradient accumulation or norm clipping)");
    }
    float[] table = new float[16 * steps];
    takenFrom = rawIterations;
    takenRuleStates = new float[steps + 1][];
    takenRuleStates[0] = ruleState();
    for (int r = 0; r < steps; r++) {
      float lr = learningRate.at(rawIterations);
      prepareStep(iterations() + 1, lr);
      System.arraycopy(hp, 0, table, 16 * r, 15);
      table[16 * r + 15] = lr;
      rawIterations++;
      takenRuleStates[r + 1] = ruleState();
    }
    return table;
  }

  /**
   * Gives back the last {@code steps} rows of the latest {@link #takeSteps} table, never applied
   * (a run that stopped early, as Keras's stop_training does mid-epoch): the step count and the
   * rule's own scalars go back to what they were after the rows that were applied.
   *
   * @throws IllegalStateException when no table was taken, or {@code steps} is negative or more
   *     than its rows
   */
  public void untakeSteps(int steps) {
    if (takenRuleStates == null || steps < 0 || steps > takenRuleStates.length - 1) {
      throw new IllegalStateException(name + ": cannot give back " + steps + " steps of a table "
          + "of " + (takenRuleStates == null ? "no" : takenRuleStates.length - 1) + " rows");
    }
    int kept = takenRuleStates.length - 1 - steps;
    rawIterations = takenFrom + kept;
    if (takenRuleStates[kept].length > 0) {
      loadRuleState(takenRuleStates[kept]);
    }
    takenRuleStates = java.util.Arrays.copyOf(takenRuleStates, kept + 1);
  }

  private long takenFrom;
  private float[][] takenRuleStates; // [r]: the rule's scalars after r rows of the latest table

  /**
   * One step of a run for a model's flat buffer ({@link #applyFlat}'s arguments), its
   * hyperparameters read by the backend from the run's table: taken already by
   * {@link #takeSteps}, so nothing is counted here.
   */
  public void applyFromTable(Variable flat, List<Variable> parts, Tensor grad) {
    Group g = groups.get(flat);
    g = g == null ? group(flat, parts) : g;
    java.util.Arrays.fill(g.segments.gscale, lossScaleFactor == null ? 1f : 1f / lossScaleFactor);
    backend.optimizerStep(rule, hp, g.w, grad, slot(g, 0), slot(g, 1), slot(g, 2), g.segments,
        0f, clipvalue == null ? 0f : clipvalue);
  }

  private final Group[] flatGroup = new Group[1];
  private final Tensor[] flatGrad = new Tensor[1];

  /**
   * Keras's finalize_variable_values (what fit does at its end): with use_ema, writes the moving
   * averages into the variables; without, does nothing.
   *
   * <p>Unlike Keras, the weights training had reached are kept (and saved with {@link #state}):
   * a model's next fit or trainOnBatch, in this process or after a save and load, puts them back
   * first ({@link #resumeTraining}) if the variables still hold the averages, so training split
   * across fits (resumed with initial_epoch) goes on exactly as one fit would, bit for bit.
   * Keras would go on from the averages. Variables set in between (loadWeights, EarlyStopping's
   * restore_best_weights) are kept as set; so does a step through {@link #applyGradients}
   * without {@code resumeTraining} (gradients computed from the averages go with them).
   *
   * @throws IllegalArgumentException for a variable this optimizer never updated
   */
  public void finalizeVariableValues(List<? extends Variable> variables) {
    if (!useEma) {
      return;
    }
    for (Variable v : variables) {
      Group g = groups.get(v);
      if (g == null) {
        throw new IllegalArgumentException(name + ": variable " + v.name()
            + " was never updated by this optimizer");
      }
      if (g.training != null && holdsAverage(g)) {
        // finalized already and not trained since: the training weights kept are still the ones
      } else {
        if (g.training == null) {
          g.training = backend.zeros(Math.toIntExact(g.w.size()));
        }
        g.training.copyFrom(g.w);
      }
      g.w.copyFrom(g.average);
    }
  }

  /** Whether the group's variables hold exactly its moving average (as finalize left them). */
  private static boolean holdsAverage(Group g) {
    return java.util.Arrays.equals(g.w.toFloatArray(), g.average.toFloatArray());
  }

  /**
   * Call before the forward pass of the first step after {@link #finalizeVariableValues} (a
   * model's fit and trainOnBatch do): variables that still hold the moving averages get back
   * the weights training had reached, so training goes on as if it had not been finalized;
   * variables set to anything else since are left as they are. Does nothing without use_ema,
   * for variables this optimizer never updated, or when nothing was finalized.
   */
  public void resumeTraining(List<? extends Variable> variables) {
    for (Variable v : variables) {
      Group g = groups.get(v);
      if (g != null && g.training != null) {
        if (holdsAverage(g)) {
          g.w.copyFrom(g.training);
        }
        dropTraining(g);
      }
    }
  }

  private static void dropTraining(Group g) {
    g.training.close();
    g.training = null;
  }

  // ---- the step ------------------------------------------------------------------------------

  private Group group(Variable w, List<Variable> parts) {
    Group g = groups.get(w);
    if (g != null) {
      return g;
    }
    long[] ends = new long[parts.size()];
    long end = 0;
    for (int i = 0; i < ends.length; i++) {
      end += parts.get(i).size();
      ends[i] = end;
    }
    if (end != w.size()) {
      throw new IllegalArgumentException(name + ": parts of " + w.name() + " hold " + end
          + " values, the buffer " + w.size());
    }
    backend.requireDevice(w, name + ": variable " + w.name());
    int n = Math.toIntExact(w.size());
    Tensor[] slots = new Tensor[slotCount()];
    for (int k = 0; k < slots.length; k++) {
      slots[k] = backend.zeros(n);
      float init = slotInitialValue(k);
      if (init != 0f) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, init);
        slots[k].copyFrom(v);
      }
    }
    g = new Group(w, List.copyOf(parts), new Segments(ends), slots);
    if (useEma) {
      g.average = backend.zeros(n);
    }
    if (accumulationSteps != null) {
      g.accumulator = backend.zeros(n);
    }
    for (int s = 0; s < parts.size(); s++) {
      g.segments.wd[s] = weightDecay != null && usesWeightDecay(parts.get(s)) ? weightDecay : 0f;
    }
    groups.put(w, g);
    groupOrder.add(g);
    return g;
  }

  private boolean usesWeightDecay(Variable v) {
    return !excludedVariables.contains(v)
        && (excludedNames == null || !excludedNames.matcher(v.name()).find());
  }

  private void apply(Group[] gs, Tensor[] grads) {
    for (Group g : gs) {
      if (g.training != null) { // stepping on from the variables as they are, as Keras does
        dropTraining(g);
      }
    }
    float lr = learningRate.at(rawIterations);
    long it = iterations();
    float pre = lossScaleFactor == null ? 1f : 1f / lossScaleFactor;
    boolean update = accumulationSteps == null || (rawIterations + 1) % accumulationSteps == 0;
    if (accumulationSteps != null) {
      for (int i = 0; i < gs.length; i++) {
        backend.axpy(gs[i].accumulator, grads[i], pre, gs[i].w.size());
      }
      pre = 1f / accumulationSteps;
    }
    if (update) {
      setGradientScales(gs, grads, pre);
      prepareStep(it + 1, lr);
      for (int i = 0; i < gs.length; i++) {
        Group g = gs[i];
        Tensor grad = accumulationSteps == null ? grads[i] : g.accumulator;
        backend.optimizerStep(rule, hp, g.w, grad, slot(g, 0), slot(g, 1), slot(g, 2),
            g.segments, lr, clipvalue == null ? 0f : clipvalue);
        if (g.accumulator != null) {
          backend.fill(g.accumulator, 0f, g.accumulator.size());
        }
      }
    }
    if (useEma) {
      for (Group g : gs) {
        backend.emaUpdate(g.average, g.w, it == 0 ? 0f : emaMomentum, g.w.size());
        if (emaOverwriteFrequency != null && (it + 1) % emaOverwriteFrequency == 0) {
          g.w.copyFrom(g.average);
        }
      }
    }
    rawIterations++;
  }

  /** Per-segment gradient factors: pre (loss scale or accumulation average) times clip-norm. */
  private void setGradientScales(Group[] gs, Tensor[] grads, float pre) {
    boolean perVariable = clipnorm != null && clipnorm > 0;
    boolean global = globalClipnorm != null && globalClipnorm > 0;
    double total = 0;
    for (int i = 0; i < gs.length; i++) {
      Group g = gs[i];
      Tensor grad = accumulationSteps == null ? grads[i] : g.accumulator;
      if (perVariable || global) {
        backend.segmentSumSquares(grad, g.segments, g.sums);
      }
      for (int s = 0; s < g.segments.count(); s++) {
        float scale = pre;
        if (perVariable) {
          float norm = (float) Math.sqrt(g.sums[s]) * pre;
          scale = pre * (clipnorm / Math.max(norm, clipnorm));
        }
        g.segments.gscale[s] = scale;
        total += g.sums[s];
      }
    }
    if (global) {
      float norm = (float) Math.sqrt(total) * pre;
      // Keras: clip * min(1 / norm, 1 / clip), made NaN when the norm is not finite
      float scale = globalClipnorm * Math.min(1f / norm, 1f / globalClipnorm) + (norm - norm);
      for (Group g : gs) {
        java.util.Arrays.fill(g.segments.gscale, pre * scale);
      }
    }
  }

  private static Tensor slot(Group g, int k) {
    return k < g.slots.length ? g.slots[k] : null;
  }

  // ---- state ---------------------------------------------------------------------------------

  /** The arguments this optimizer was made with (Optimizers.get's config), for saving. */
  public Map<String, Object> arguments() {
    if (!(learningRate instanceof LearningRateSchedule.Constant)) {
      return args;
    }
    Map<String, Object> current = new LinkedHashMap<>(args); // a rate set since creation
    current.put("learning_rate", ((LearningRateSchedule.Constant) learningRate).value());
    return Collections.unmodifiableMap(current);
  }

  /** What resuming needs: the step count and every state buffer, by name, in a fixed order. */
  public record State(long steps, Map<String, float[]> arrays) {}

  /**
   * The optimizer's state: per group (in order of first use) its slots, EMA average (and the
   * training weights a finalize set aside, see {@link #finalizeVariableValues}) and
   * accumulator, then the rule's own scalars.
   */
  public State state() {
    Map<String, float[]> s = new LinkedHashMap<>();
    for (int gi = 0; gi < groupOrder.size(); gi++) {
      Group g = groupOrder.get(gi);
      for (int k = 0; k < g.slots.length; k++) {
        s.put("group" + gi + "/slot" + k, g.slots[k].toFloatArray());
      }
      if (g.average != null) {
        s.put("group" + gi + "/average", g.average.toFloatArray());
      }
      if (g.training != null) {
        s.put("group" + gi + "/training_weights", g.training.toFloatArray());
      }
      if (g.accumulator != null) {
        s.put("group" + gi + "/accumulator", g.accumulator.toFloatArray());
      }
    }
    float[] extra = ruleState();
    if (extra.length > 0) {
      s.put("rule", extra);
    }
    return new State(rawIterations, s);
  }

  /**
   * Restores a {@link #state()} taken from an optimizer of the same configuration that updated
   * the same variables: {@code buffers.get(i)} split into {@code parts.get(i)} is group i.
   */
  public void loadState(State state, List<Variable> buffers, List<List<Variable>> parts) {
    close();
    for (int i = 0; i < buffers.size(); i++) {
      Group g = group(buffers.get(i), parts.get(i));
      for (int k = 0; k < g.slots.length; k++) {
        load(state.arrays(), "group" + i + "/slot" + k, g.slots[k]);
      }
      if (g.average != null) {
        load(state.arrays(), "group" + i + "/average", g.average);
        if (state.arrays().containsKey("group" + i + "/training_weights")) {
          g.training = backend.zeros(Math.toIntExact(g.w.size()));
          load(state.arrays(), "group" + i + "/training_weights", g.training);
        }
      }
      if (g.accumulator != null) {
        load(state.arrays(), "group" + i + "/accumulator", g.accumulator);
      }
    }
    if (state.steps() < 0) {
      throw new IllegalArgumentException(name + " state: negative step count " + state.steps());
    }
    rawIterations = state.steps();
    takenRuleStates = null;
    loadRuleState(state.arrays().getOrDefault("rule", new float[0]));
  }

  private void load(Map<String, float[]> s, String key, Tensor into) {
    float[] v = s.get(key);
    if (v == null || v.length != into.size()) {
      throw new IllegalArgumentException(name + " state: '" + key + "' "
          + (v == null ? "is missing" : "has " + v.length + " values, expected " + into.size()));
    }
    into.copyFrom(v);
  }

  /** Scalars of the rule's own (Nadam's momentum-cache product). */
  protected float[] ruleState() {
    return new float[0];
  }

  protected void loadRuleState(float[] state) {}

  /** Frees the slot, average and accumulator buffers. */
  @Override
  public void close() {
    for (Group g : groups.values()) {
      for (Tensor t : g.slots) {
        t.close();
      }
      if (g.average != null) {
        g.average.close();
      }
      if (g.training != null) {
        g.training.close();
      }
      if (g.accumulator != null) {
        g.accumulator.close();
      }
    }
    groups.clear();
    groupOrder.clear();
  }

  /** Keras's get_config: the base options and the rule's arguments. */
  public Map<String, Object> config() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("learning_rate", learningRate instanceof LearningRateSchedule.Constant
        ? (Object) ((LearningRateSchedule.Constant) learningRate).value() : learningRate.toString());
    m.putAll(ruleConfig());
    m.put("weight_decay", weightDecay);
    m.put("clipnorm", clipnorm);
    m.put("global_clipnorm", globalClipnorm);
    m.put("clipvalue", clipvalue);
    m.put("use_ema", useEma);
    m.put("ema_momentum", emaMomentum);
    m.put("ema_overwrite_frequency", emaOverwriteFrequency);
    m.put("loss_scale_factor", lossScaleFactor);
    m.put("gradient_accumulation_steps", accumulationSteps);
    return m;
  }

  @Override
  public String toString() {
    return name + config();
  }

  /** float32 pow, as Keras computes beta powers in the variable's dtype. */
  protected static float powf(float base, long exponent) {
    return (float) Math.pow(base, (float) exponent);
  }

  /** For subclasses' configs. */
  protected static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
